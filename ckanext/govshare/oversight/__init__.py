# -*- coding: utf-8 -*-
"""Oversight by the data authority (issue 14): the ten-year logs (``model``, ``record``,
``chain``, ``archive``; docs/logs.md)."""
