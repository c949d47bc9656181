# -*- coding: utf-8 -*-
"""Feedback on catalogue entries: ratings and comments, the department's public answer and
moderation (chongqing-2018 §25, chongqing-2019 §37)."""
