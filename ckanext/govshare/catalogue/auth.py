# -*- coding: utf-8 -*-
"""Auth functions of the catalogue spreadsheets: a department's administrators import and
export its catalogue; the whole catalogue at once is for sysadmins (who pass every auth
function); the empty template is for anyone."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

__all__ = [
    "govshare_catalogue_import",
    "govshare_catalogue_export",
    "govshare_catalogue_template",
]

_ = tk._


# --- catalogue spreadsheets -------------------------------------------------------------------

def _catalogue(context: Context, data_dict: DataDict) -> AuthResult:
    if not data_dict.get("id"):
        return {"success": False,
                "msg": _("Only system administrators can import or export the whole catalogue")}
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


@tk.auth_allow_anonymous_access
def govshare_catalogue_template(context: Context, data_dict: DataDict) -> AuthResult:
    """The empty template is public (its columns are the public schema)."""
    return {"success": True}
