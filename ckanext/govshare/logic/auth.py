# -*- coding: utf-8 -*-
"""govshare auth functions (registered by the auth blanket: names in ``__all__``)."""
from __future__ import annotations

from typing import Any

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import AuthFunction, AuthResult, Context, DataDict

from ckanext.govshare.access import rules as access
from ckanext.govshare.access.grants import Grant
from ckanext.govshare.applications.model import Application

__all__ = [
    "govshare_vocabulary_list",
    "govshare_grant_create",
    "govshare_grant_revoke",
    "govshare_grant_list",
    "package_show",
    "datastore_search",
    "datastore_info",
    "datastore_search_sql",
    "govshare_catalogue_import",
    "govshare_catalogue_export",
    "govshare_application_create",
    "govshare_application_show",
    "govshare_application_list",
    "govshare_application_extend",
    "govshare_application_approve",
    "govshare_application_refuse",
    "govshare_application_withdraw",
    "govshare_application_forward",
]

_ = tk._


@tk.auth_allow_anonymous_access
def govshare_vocabulary_list(context: Context, data_dict: DataDict) -> AuthResult:
    """The vocabularies are public: anyone may read them."""
    return {"success": True}


def _user_name(context: Context) -> str | None:
    return context.get("user") or None


def _is_dept_admin(context: Context, org_id: str | None) -> bool:
    user = _user_name(context)
    return bool(user and org_id and authz.has_user_permission_for_group_or_org(org_id, user, "admin"))


def govshare_grant_create(context: Context, data_dict: DataDict) -> AuthResult:
    """Only admins of the providing department (and sysadmins) open data by grant."""
    pkg = model.Package.get(data_dict.get("package_id") or "")
    if pkg is not None and _is_dept_admin(context, pkg.owner_org):
        return {"success": True}
    return {"success": False, "msg": _("Only administrators of the providing department can grant access")}


def govshare_grant_revoke(context: Context, data_dict: DataDict) -> AuthResult:

    grant = model.Session.query(Grant).get(data_dict.get("id") or "")
    pkg = model.Package.get(grant.package_id) if grant is not None else None
    if pkg is not None and _is_dept_admin(context, pkg.owner_org):
        return {"success": True}
    return {"success": False, "msg": _("Only administrators of the providing department can revoke access")}


def govshare_grant_list(context: Context, data_dict: DataDict) -> AuthResult:
    """An entry's grants: its department's members. Without an entry: one's own grants."""
    if not data_dict.get("package_id"):
        return {"success": bool(_user_name(context))}
    pkg = model.Package.get(data_dict["package_id"])
    user = _user_name(context)
    if pkg is not None and user and authz.has_user_permission_for_group_or_org(pkg.owner_org, user, "read"):
        return {"success": True}
    return {"success": False, "msg": _("Only the providing department can list the grants of an entry")}


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def package_show(next_auth: AuthFunction, context: Context, data_dict: DataDict) -> AuthResult:
    """An entry the user may not see does not exist for them: 404, not 403
    (chongqing-2018 §22 ¶2: non-open entries are not published)."""
    result: Any = next_auth(context, data_dict)
    if not result.get("success"):
        raise tk.ObjectNotFound(_("Dataset not found"))
    return result


def _require_data(context: Context, resource_id: str | None) -> None:
    """DataStore rows are data: only for those who may have the entry's data."""
    resource = model.Resource.get(resource_id) if resource_id else None
    if resource is None or resource.package is None:
        return  # the DataStore reports the missing resource itself
    if not access.can_use_data(access.principal_from_context(context), resource.package):
        raise tk.NotAuthorized(_("This data is available on application"))


def _datastore_resource(next_auth: AuthFunction, context: Context, data_dict: DataDict) -> AuthResult:
    """datastore_search and datastore_info: the resource's rows and fields are data."""
    result: Any = next_auth(context, data_dict)
    _require_data(context, data_dict.get("resource_id") or data_dict.get("id"))
    return result


datastore_search = tk.chained_auth_function(tk.auth_allow_anonymous_access(_datastore_resource))
datastore_info = datastore_search


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def datastore_search_sql(next_auth: AuthFunction, context: Context, data_dict: DataDict) -> AuthResult:
    result: Any = next_auth(context, data_dict)
    for table in context.get("table_names") or []:
        _require_data(context, table)
    return result


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


# --- applications ---------------------------------------------------------------------------

def _application(data_dict: DataDict):

    app = model.Session.query(Application).get(data_dict.get("id") or "")
    if app is None:
        raise tk.ObjectNotFound(_("Application not found"))
    return app


def _provider_role(context: Context, app: Any, permission: str) -> bool:
    user = _user_name(context)
    return bool(user and app.provider_org_id
                and authz.has_user_permission_for_group_or_org(app.provider_org_id, user, permission))


def govshare_application_create(context: Context, data_dict: DataDict) -> AuthResult:
    """Any logged-in citizen, company or department user may apply."""
    if _user_name(context):
        return {"success": True}
    return {"success": False, "msg": _("Log in to submit an application")}


def govshare_application_show(context: Context, data_dict: DataDict) -> AuthResult:
    """The applicant and the providing department (sysadmins pass every check)."""
    app = _application(data_dict)
    user = model.User.get(_user_name(context) or "")
    if user is not None and (user.id == app.applicant_user_id or _provider_role(context, app, "read")):
        return {"success": True}
    return {"success": False, "msg": _("Only the applicant and the providing department can see an application")}


def govshare_application_list(context: Context, data_dict: DataDict) -> AuthResult:
    """One's own applications; a department's inbox for its members."""
    user = _user_name(context)
    if not user:
        return {"success": False, "msg": _("Log in to see applications")}
    org_id = data_dict.get("organization_id")
    if org_id and not authz.has_user_permission_for_group_or_org(org_id, user, "read"):
        return {"success": False, "msg": _("Only members of the department can see its applications")}
    if data_dict.get("authority"):
        return {"success": False, "msg": _("Only sysadmins handle requests not addressed to a department")}
    return {"success": True}


def _decide(context: Context, data_dict: DataDict) -> AuthResult:
    app = _application(data_dict)
    user = model.User.get(_user_name(context) or "")
    if user is not None and user.id == app.applicant_user_id:
        return {"success": False, "msg": _("You cannot answer your own application")}
    if _provider_role(context, app, "create_dataset"):  # editors and admins of the department
        return {"success": True}
    return {"success": False, "msg": _("Only the providing department can answer this application")}


def govshare_application_approve(context: Context, data_dict: DataDict) -> AuthResult:
    return _decide(context, data_dict)


def govshare_application_refuse(context: Context, data_dict: DataDict) -> AuthResult:
    return _decide(context, data_dict)


def govshare_application_extend(context: Context, data_dict: DataDict) -> AuthResult:
    """The department asks for an extension, its head consents or declines (who may consent
    is the policy's rule, checked by the action); the designated head's account may answer
    even when it is not an editor of the department."""
    result = _decide(context, data_dict)
    if result["success"]:
        return result
    app = _application(data_dict)
    user = model.User.get(_user_name(context) or "")
    org = model.Group.get(app.provider_org_id) if app.provider_org_id else None
    head = org.extras.get("head_user") if org is not None else None
    if user is not None and head and head in (user.name, user.id) and user.id != app.applicant_user_id:
        return {"success": True}
    return result


def govshare_application_withdraw(context: Context, data_dict: DataDict) -> AuthResult:
    app = _application(data_dict)
    user = model.User.get(_user_name(context) or "")
    if user is not None and user.id == app.applicant_user_id:
        return {"success": True}
    return {"success": False, "msg": _("Only the applicant can withdraw an application")}


def govshare_application_forward(context: Context, data_dict: DataDict) -> AuthResult:
    """The data authority (the platform's sysadmins) forwards undirected requests; sysadmins
    pass every check, so nobody else may."""
    return {"success": False, "msg": _("Only the data authority forwards requests")}
