# -*- coding: utf-8 -*-
"""Auth functions of update notices (shenyang-2016 §22). Whether an entry is visible is
checked by the actions (a withheld entry answers "not found", as a missing one)."""
from __future__ import annotations

from typing import Optional

import ckan.plugins.toolkit as tk
from ckan import authz, model
from ckan.types import AuthResult, Context, DataDict

from ckanext.govshare.authority.role import is_authority

__all__ = ["govshare_subscription_create", "govshare_subscription_delete", "govshare_notice_list",
           "govshare_notice_mark_read", "govshare_upkeep_list"]

_ = tk._


def _user(context: Context) -> Optional[model.User]:
    user = context.get("auth_user_obj")
    if isinstance(user, model.User):
        return user
    name = context.get("user")
    return model.User.get(name) if isinstance(name, str) and name else None


def _logged_in(context: Context) -> AuthResult:
    if _user(context) is None:
        return {"success": False, "msg": _("Log in to receive update notices")}
    return {"success": True}


def govshare_subscription_create(context: Context, data_dict: DataDict) -> AuthResult:
    """A logged-in account subscribes to an entry it may see."""
    return _logged_in(context)


def govshare_subscription_delete(context: Context, data_dict: DataDict) -> AuthResult:
    """A logged-in account ends its own subscription."""
    return _logged_in(context)


def govshare_notice_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Each account reads its own notices."""
    return _logged_in(context)


def govshare_notice_mark_read(context: Context, data_dict: DataDict) -> AuthResult:
    """Each account marks its own notices read."""
    return _logged_in(context)


def govshare_upkeep_list(context: Context, data_dict: DataDict) -> AuthResult:
    """The department's members and the data authority see its upkeep."""
    user = _user(context)
    org_id = data_dict.get("organization_id")
    if user is not None and (is_authority(user) or (isinstance(org_id, str) and authz.has_user_permission_for_group_or_org(
            org_id, user.name, "read"))):
        return {"success": True}
    return {"success": False, "msg": _("Only the department's members and the data authority see its upkeep")}
