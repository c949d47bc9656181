# -*- coding: utf-8 -*-
"""The user interface's language: the CKAN JS locale and core terms."""
