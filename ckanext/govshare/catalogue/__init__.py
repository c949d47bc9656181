# -*- coding: utf-8 -*-
"""The catalogue as a spreadsheet: columns, reading and writing tables, import and export."""
