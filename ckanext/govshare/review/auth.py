# -*- coding: utf-8 -*-
"""Who may see and decide catalogue reviews: the data authority decides every department's;
a department's members see their own entries' reviews."""
from __future__ import annotations

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import AuthResult, Context, DataDict

from ckanext.govshare.authority.role import is_authority

__all__ = ["govshare_review_list", "govshare_review_show", "govshare_review_approve",
           "govshare_review_reject"]

_ = tk._


def _member(context: Context, org_id: str | None) -> bool:
    user = context.get("user")
    return bool(user and org_id and authz.has_user_permission_for_group_or_org(org_id, user, "read"))


@tk.auth_allow_anonymous_access
def govshare_review_list(context: Context, data_dict: DataDict) -> AuthResult:
    """The authority: every department's; a department's members: their department's."""
    if is_authority(context.get("user")):
        return {"success": True}
    org = model.Group.get(data_dict.get("organization_id") or "")
    if org is not None and _member(context, org.id):
        return {"success": True}
    return {"success": False, "msg": _("Only the data authority and the department can see its reviews")}


@tk.auth_allow_anonymous_access
def govshare_review_show(context: Context, data_dict: DataDict) -> AuthResult:
    """The authority and the members of the entry's department."""
    pkg = model.Package.get(data_dict.get("id") or "")
    if is_authority(context.get("user")) or (pkg is not None and _member(context, pkg.owner_org)):
        return {"success": True}
    return {"success": False, "msg": _("Only the data authority and the department can see its reviews")}


def govshare_review_approve(context: Context, data_dict: DataDict) -> AuthResult:
    """Only the data authority publishes a reviewed entry (shenyang-2016 §12)."""
    if is_authority(context.get("user")):
        return {"success": True}
    return {"success": False, "msg": _("Only the data authority reviews catalogue entries")}


def govshare_review_reject(context: Context, data_dict: DataDict) -> AuthResult:
    """Only the data authority returns an entry to its department (shenyang-2016 §12)."""
    return govshare_review_approve(context, data_dict)
