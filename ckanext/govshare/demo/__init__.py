# -*- coding: utf-8 -*-
"""The Chinese demo catalogue: departments, accounts and entries (``loader``) with hosted
files to download and preview (``files``)."""
