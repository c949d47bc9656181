# -*- coding: utf-8 -*-
"""Who may do what with feedback, in one place (used by the auth functions, the actions and
the templates):

- comment and rate: a logged-in account on an entry it may know of (``access/rules.py``);
  never on an entry withheld from it (chongqing-2018 §25, chongqing-2019 §37);
- answer: the providing department (its editors and admins; sysadmins);
- hide with a reason: the providing department or the data authority (``authority/role.py``).
"""
from __future__ import annotations

from typing import Optional

from ckan import authz, model

from ckanext.govshare.access import rules as access
from ckanext.govshare.authority.role import is_authority

__all__ = ["visible_entry", "is_department", "is_moderator"]


def visible_entry(user: Optional[model.User], package_id: object) -> Optional[model.Package]:
    """The active entry ``package_id`` (id or name) if ``user`` may know of it, else None."""
    if not isinstance(package_id, str) or not package_id:
        return None
    pkg = model.Package.get(package_id)
    if pkg is None or pkg.state != "active":
        return None
    principal = access.principal_from_context({"auth_user_obj": user} if user is not None else {})
    return pkg if access.knows_of(principal, pkg) else None


def is_department(user: Optional[model.User], pkg: model.Package) -> bool:
    """The entry's providing department (editors and admins), or a sysadmin."""
    if user is None:
        return False
    if user.sysadmin:
        return True
    return bool(pkg.owner_org) and authz.has_user_permission_for_group_or_org(
        pkg.owner_org, user.name, "update_dataset")


def is_moderator(user: Optional[model.User], pkg: model.Package) -> bool:
    """May hide comments on the entry: its department or the data authority."""
    return is_department(user, pkg) or is_authority(user)
