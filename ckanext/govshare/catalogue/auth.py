# -*- coding: utf-8 -*-
"""Auth functions of the catalogue spreadsheets: a department's administrators import and
export its catalogue; the whole catalogue at once is for sysadmins (who pass every auth
function); the empty template is for anyone."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ckanext.govshare.authority.role import is_authority

__all__ = [
    "govshare_catalogue_import",
    "govshare_catalogue_export",
    "govshare_catalogue_template",
    "govshare_department_import",
    "govshare_department_export",
    "govshare_department_template",
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


# --- the department registry ------------------------------------------------------------------

def _authority(context: Context) -> AuthResult:
    if is_authority(context.get("user")):
        return {"success": True}
    return {"success": False,
            "msg": _("Only the authority (主管部门) can import or export the department registry")}


def govshare_department_import(context: Context, data_dict: DataDict) -> AuthResult:
    """The authority (and sysadmins) keep the department registry."""
    return _authority(context)


def govshare_department_export(context: Context, data_dict: DataDict) -> AuthResult:
    """The registry with its heads and codes: the authority (and sysadmins)."""
    return _authority(context)


@tk.auth_allow_anonymous_access
def govshare_department_template(context: Context, data_dict: DataDict) -> AuthResult:
    """The empty department template is public (it holds no department)."""
    return {"success": True}
