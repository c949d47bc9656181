# -*- coding: utf-8 -*-
"""The data authority (政务数据主管部门; chongqing-2018 §5-6, kunming-2019 §4-5, shenyang-2016 §5):
who it is (``role``) and its workspace (issue 14)."""
