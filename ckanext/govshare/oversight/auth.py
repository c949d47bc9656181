# -*- coding: utf-8 -*-
"""Who may read the ten-year logs: the data authority (the platform's sysadmins, who pass
every auth function). Nobody may change them: there is no action that could (the database
refuses UPDATE and DELETE as well)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

__all__ = ["govshare_log_list"]

_ = tk._


def govshare_log_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Only the data authority (sysadmins) reads the logs (kunming-2019 §27, chongqing-2018 §29)."""
    return {"success": False, "msg": _("Only the data authority can read the platform's logs")}
