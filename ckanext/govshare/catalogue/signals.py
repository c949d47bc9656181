# -*- coding: utf-8 -*-
"""The catalogue's signals (blinker, CKAN's ``tk.signals.ckanext`` namespace).

``ckanext.govshare.catalogue_entries_imported`` is sent by the spreadsheet importer **after**
an import has committed, whether the importer wrote the entries through ``package_create`` /
``package_update`` or in bulk without those actions' hooks:

- sender: the name of the user who imported the spreadsheet;
- ``created``: the ids of the entries the import created;
- ``changed``: the ids of the entries the import changed.

The catalogue review (``ckanext.govshare.review``) subscribes to it: imported entries made by
a department wait for the authority's approval (shenyang-2016 §12, chongqing-2019 §14).
"""
from __future__ import annotations

import ckan.plugins.toolkit as tk

__all__ = ["entries_imported"]

#: sent after a spreadsheet import commits (sender: importer's user name; ``created``, ``changed``)
entries_imported = tk.signals.ckanext.signal("ckanext.govshare.catalogue_entries_imported")
