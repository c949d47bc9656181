# -*- coding: utf-8 -*-
"""Auth functions of access: grants, and the core auth of entry, resource view, activity and
DataStore reads chained to the access rules: what a caller may not know of is refused here,
before the action runs, wherever CKAN asks an auth function."""
from __future__ import annotations

from typing import Any

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import AuthFunction, AuthResult, Context, DataDict

from ckanext.govshare.access import doors
from ckanext.govshare.access import rules as access
from ckanext.govshare.access.grants import Grant

__all__ = [
    "govshare_grant_create",
    "govshare_grant_revoke",
    "govshare_grant_list",
    "package_show",
    "datastore_search_sql",
    "datastore_search",
    "datastore_info",
    "resource_view_show",
    "package_collaborator_list",
    "package_relationships_list",
    "activity_show",
    "activity_data_show",
    "activity_diff",
]

_ = tk._


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


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def resource_view_show(next_auth: AuthFunction, context: Context, data_dict: DataDict) -> AuthResult:
    """A resource view shows the data: only for those who may have the entry's data."""
    result: Any = next_auth(context, data_dict)
    if not result.get("success"):
        return result
    view = model.ResourceView.get(data_dict.get("id") or "")
    resource = model.Resource.get(view.resource_id) if view is not None else None
    if resource is not None and resource.package is not None and not access.can_use_data(
            access.principal_from_context(context), resource.package):
        return {"success": False, "msg": _("This data is available on application")}
    return result


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def package_collaborator_list(next_auth: AuthFunction, context: Context, data_dict: DataDict) -> AuthResult:
    """An entry hidden from the caller does not exist for them (404); anonymous callers may
    not list collaborators (CKAN's own check fails with a 500 for them)."""
    ident = data_dict.get("id")
    principal = access.principal_from_context(context)
    doors.require_visible(principal, ident if isinstance(ident, str) else None)
    if not principal.authenticated:
        return {"success": False, "msg": _("Log in to see an entry's collaborators")}
    return next_auth(context, data_dict)


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def package_relationships_list(next_auth: AuthFunction, context: Context, data_dict: DataDict) -> AuthResult:
    """Both entries must exist for the caller (404 otherwise, as for a missing one)."""
    principal = access.principal_from_context(context)
    for key in ("id", "id2"):
        ident = data_dict.get(key)
        doors.require_visible(principal, ident if isinstance(ident, str) else None)
    return next_auth(context, data_dict)


def _visible_activity(next_auth: AuthFunction, context: Context, data_dict: DataDict) -> AuthResult:
    """The activity of an entry hidden from the caller does not exist for them: 404 before
    ckanext-activity's own check answers 403 (and names the entry)."""
    activity_id = data_dict.get("id")
    row = doors.activity_row(activity_id) if isinstance(activity_id, str) else None
    pkg = model.Package.get(row.object_id) if row is not None and row.object_id else None
    if pkg is not None and not access.knows_of(access.principal_from_context(context), pkg):
        raise tk.ObjectNotFound()
    return next_auth(context, data_dict)


# one chained function for the three (as ckanext-activity's own activity_data_show and
# activity_diff defer to activity_show)
activity_show = activity_data_show = activity_diff = tk.chained_auth_function(
    tk.auth_allow_anonymous_access(_visible_activity))
