# -*- coding: utf-8 -*-
"""Who acts as the data authority: the platform's sysadmins and the members of one CKAN group,
``ckanext.govshare.authority_group`` (default ``data-authority``), so the authority's staff need
not be sysadmins. The one place that answers "is this account the authority?"."""
from __future__ import annotations

from typing import Optional, Union

import ckan.model as model
import ckan.plugins.toolkit as tk

__all__ = ["authority_group_name", "is_authority", "authority_user_names", "current_is_authority"]


def authority_group_name() -> str:
    """The name of the CKAN group whose members act as the authority."""
    return tk.config.get("ckanext.govshare.authority_group") or "data-authority"


def _user(user: Union[str, "model.User", None]) -> Optional["model.User"]:
    if user is None or user == "":
        return None
    if isinstance(user, model.User):
        return user
    return model.User.get(user)


def is_authority(user: Union[str, "model.User", None]) -> bool:
    """True for a sysadmin or an active member of the authority group.

    :param user: a user name, id or ``model.User`` (``None`` for an anonymous caller)
    """
    obj = _user(user)
    if obj is None or obj.state != "active":
        return False
    if obj.sysadmin:
        return True
    group = model.Group.get(authority_group_name())
    if group is None or group.is_organization or group.state != "active":
        return False
    return model.Session.query(model.Member.id).filter(
        model.Member.group_id == group.id, model.Member.table_name == "user",
        model.Member.table_id == obj.id, model.Member.state == "active").first() is not None


def authority_user_names() -> list[str]:
    """The names of every active account that acts as the authority (for notices)."""
    names = {u.name for u in model.Session.query(model.User).filter(
        model.User.sysadmin.is_(True), model.User.state == "active")
        if u.name != tk.config.get("ckan.site_id")}
    group = model.Group.get(authority_group_name())
    if group is not None and not group.is_organization and group.state == "active":
        rows = (model.Session.query(model.User.name)
                .join(model.Member, model.Member.table_id == model.User.id)
                .filter(model.Member.group_id == group.id, model.Member.table_name == "user",
                        model.Member.state == "active", model.User.state == "active"))
        names.update(name for (name,) in rows)
    return sorted(names)


def current_is_authority() -> bool:
    """Does the user of the current web request act as the authority? (template helper: the
    header's link to the workspace)"""
    user = tk.current_user
    return bool(user and user.is_authenticated and is_authority(user.name))
