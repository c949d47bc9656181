# -*- coding: utf-8 -*-
"""Validation schemas of govshare's own actions."""
from __future__ import annotations
