# -*- coding: utf-8 -*-
"""Catalogue review before publication (shenyang-2016 §12 "逐条审核…审核通过后发布，未通过的退回",
chongqing-2019 §14: reviewed within 5 working days; 政务数据共享条例 2025).

- ``model``: the ``govshare_review`` table, one row per submission of an entry;
- ``workflow``: what a save by a department means (publish, wait, withhold at once), approve
  and reject with a conditional update so two reviewers cannot both win;
- ``actions`` / ``auth``: the API; ``views``: the department's list of its entries under review;
- ``subscriptions``: the spreadsheet importer's ``catalogue_entries_imported`` signal.

An entry waiting for review is a CKAN *private* entry: core and the access rules already keep
private entries out of search, pages and activity for everyone but the department and sysadmins.
"""
