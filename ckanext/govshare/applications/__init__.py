# -*- coding: utf-8 -*-
"""Applications: requests for data, their state machine, deadlines in working days, notices and views."""
