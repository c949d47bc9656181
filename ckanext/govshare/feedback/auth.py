# -*- coding: utf-8 -*-
"""Auth functions of feedback (chongqing-2018 §25, chongqing-2019 §37); the decisions are in
``feedback/rules.py``. Whether the entry is visible to the caller is checked by the actions,
which answer "not found" for a withheld entry as for a missing one."""
from __future__ import annotations

from typing import Optional

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import AuthResult, Context, DataDict

from ckanext.govshare.feedback import rules
from ckanext.govshare.feedback.model import Feedback

__all__ = ["govshare_feedback_create", "govshare_feedback_list", "govshare_feedback_reply",
           "govshare_feedback_hide"]

_ = tk._


def _user(context: Context) -> Optional[model.User]:
    user = context.get("auth_user_obj")
    if isinstance(user, model.User):
        return user
    name = context.get("user")
    return model.User.get(name) if isinstance(name, str) and name else None


def _entry_of(data_dict: DataDict) -> Optional[model.Package]:
    fid = data_dict.get("id")
    row = model.Session.get(Feedback, fid) if isinstance(fid, str) and fid else None
    return model.Package.get(row.package_id) if row is not None else None


def govshare_feedback_create(context: Context, data_dict: DataDict) -> AuthResult:
    """A logged-in account rates and comments (chongqing-2018 §25)."""
    if _user(context) is None:
        return {"success": False, "msg": _("Log in to rate and comment on a dataset")}
    return {"success": True}


@tk.auth_allow_anonymous_access
def govshare_feedback_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Everyone reads the comments on an entry they may see (hidden ones: moderators only)."""
    return {"success": True}


def govshare_feedback_reply(context: Context, data_dict: DataDict) -> AuthResult:
    """The providing department answers publicly (chongqing-2019 §37)."""
    pkg = _entry_of(data_dict)
    if pkg is None or not rules.is_department(_user(context), pkg):
        return {"success": False, "msg": _("Only the department that provides the dataset can answer")}
    return {"success": True}


def govshare_feedback_hide(context: Context, data_dict: DataDict) -> AuthResult:
    """The providing department or the data authority hides an abusive comment."""
    pkg = _entry_of(data_dict)
    if pkg is None or not rules.is_moderator(_user(context), pkg):
        return {"success": False, "msg": _("Only the providing department or the data authority can hide comments")}
    return {"success": True}
