# -*- coding: utf-8 -*-
"""Auth functions of the catalogue spreadsheets: a department's administrators import and
export its catalogue."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

__all__ = [
    "govshare_catalogue_import",
    "govshare_catalogue_export",
]

_ = tk._


# --- catalogue spreadsheets -------------------------------------------------------------------

def _catalogue(context: Context, data_dict: DataDict) -> AuthResult:
    try:
        tk.check_access("organization_update", context, {"id": data_dict.get("id")})
    except tk.NotAuthorized:
        return {"success": False,
                "msg": _("Only administrators of this department can import or export its catalogue")}
    return {"success": True}


def govshare_catalogue_import(context: Context, data_dict: DataDict) -> AuthResult:
    """A department's administrators import its catalogue spreadsheet."""
    return _catalogue(context, data_dict)


def govshare_catalogue_export(context: Context, data_dict: DataDict) -> AuthResult:
    """A department's administrators export its catalogue spreadsheet."""
    return _catalogue(context, data_dict)
