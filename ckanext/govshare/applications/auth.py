# -*- coding: utf-8 -*-
"""Auth functions of applications: who applies, reads, decides, extends, withdraws, forwards."""
from __future__ import annotations

from typing import Any

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import AuthResult, Context, DataDict

from ckanext.govshare.applications.model import Application
from ckanext.govshare.access.auth import _user_name

__all__ = [
    "govshare_application_create",
    "govshare_application_show",
    "govshare_application_list",
    "govshare_application_approve",
    "govshare_application_refuse",
    "govshare_application_extend",
    "govshare_application_withdraw",
    "govshare_application_forward",
    "govshare_deadline_policy_show",
]

_ = tk._


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


@tk.auth_allow_anonymous_access
def govshare_deadline_policy_show(context: Context, data_dict: DataDict) -> AuthResult:
    """The statutory deadlines are public (the regulations they come from are)."""
    return {"success": True}
