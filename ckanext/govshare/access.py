# -*- coding: utf-8 -*-
"""The one access module: who may see a catalogue entry, and who may have its data.

Every door of the platform asks this module: permission labels (search, package_show
auth, activity streams), the package/resource hooks that withhold resource URLs, the
web guard on download and preview routes, and the chained auth functions.

Metadata (the entry exists for you):
- 无条件开放 / 有条件开放: everyone (public open catalogue, chongqing-2018 §22);
- 不予开放: not published to the public (chongqing-2018 §22 ¶2, chongqing-2019 §32):
  the providing department, sysadmins and — when the entry is shared at all
  (无条件共享 / 有条件共享) — members of every department, who need the share
  catalogue to use or apply for it (chongqing-2018 §16, §19).

Data (resource URLs, uploads, previews):
- sysadmins and members of the providing department;
- 无条件开放: everyone (a logged-in account when
  ``ckanext.govshare.unconditional_requires_login``; chongqing-2019 §33 ¶3);
- 有条件开放: holders of a valid open grant (chongqing-2018 §24);
- department members by the share attribute: 无条件共享 every department, 有条件共享
  departments holding a valid share grant, 不予共享 none (chongqing-2018 §16, §19).
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

from collections import OrderedDict

import sqlalchemy as sa
from flask import g, has_request_context

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib.plugins import DefaultPermissionLabels

DEPARTMENT_LABEL = "govshare-department"
# resource fields that carry or reveal where the data is and how to get it
DATA_FIELDS = ("url", "original_url", "cache_url", "datastore_active", "url_type",
               "api_call", "api_description")


LEVEL_KEYS = ("open_type", "share_type")


_LEVELS_CACHE: "OrderedDict[tuple[str, Any], dict[str, str]]" = OrderedDict()
_LEVELS_CACHE_SIZE = 50_000


def _levels(pkg: model.Package) -> dict[str, str]:
    """The entry's two access attributes, without loading all its extras: from the extras
    when the session has them already (so a change being saved is seen), else one two-row
    query, remembered per version of the entry (``metadata_modified`` changes with every
    update, so a level change takes effect at once)."""
    state = sa.inspect(pkg)
    key = (pkg.id, pkg.metadata_modified)
    if "_extras" in state.unloaded and state.persistent and not state.modified:
        cached = _LEVELS_CACHE.get(key)
        if cached is not None:
            return cached
    if "_extras" not in state.unloaded:
        levels = {k: e.value for k, e in pkg._extras.items() if k in LEVEL_KEYS and e.state == "active"}
    elif state.persistent:
        rows = model.Session.query(model.PackageExtra.key, model.PackageExtra.value).filter(
            model.PackageExtra.package_id == pkg.id, model.PackageExtra.key.in_(LEVEL_KEYS),
            model.PackageExtra.state == "active")
        levels = dict(rows.all())
        _LEVELS_CACHE[key] = levels
        if len(_LEVELS_CACHE) > _LEVELS_CACHE_SIZE:
            _LEVELS_CACHE.popitem(last=False)
    else:
        levels = {k: v for k, v in pkg.extras.items() if k in LEVEL_KEYS}
    return levels


def open_type(pkg: model.Package | dict[str, Any]) -> str:
    """The entry's open attribute; an entry without one is treated as 不予开放."""
    value = pkg.get("open_type") if isinstance(pkg, dict) else _levels(pkg).get("open_type")
    return value if value in ("unconditional", "conditional", "closed") else "closed"


def share_type(pkg: model.Package | dict[str, Any]) -> str:
    value = pkg.get("share_type") if isinstance(pkg, dict) else _levels(pkg).get("share_type")
    return value if value in ("unconditional", "conditional", "none") else "none"


def requires_login() -> bool:
    return tk.asbool(tk.config.get("ckanext.govshare.unconditional_requires_login"))


@dataclass
class Principal:
    """What the access rules need to know about a user, computed once per request."""

    user_id: Optional[str] = None
    sysadmin: bool = False
    org_ids: frozenset[str] = frozenset()
    _open_grants: Optional[set[str]] = field(default=None, repr=False)
    _share_grants: Optional[set[str]] = field(default=None, repr=False)

    @property
    def authenticated(self) -> bool:
        return self.user_id is not None

    @property
    def department_member(self) -> bool:
        return bool(self.org_ids)

    def _load_grants(self) -> None:
        """Both kinds of valid grants of this user, in one query."""
        from ckanext.govshare.model import Grant

        self._open_grants, self._share_grants = set(), set()
        conditions = []
        if self.user_id:
            conditions.append(sa.and_(Grant.kind == "open", Grant.user_id == self.user_id))
        if self.org_ids:
            conditions.append(sa.and_(Grant.kind == "share", Grant.organization_id.in_(self.org_ids)))
        if not conditions:
            return
        rows = Grant.valid_query().with_entities(Grant.kind, Grant.package_id).filter(sa.or_(*conditions))
        for kind, package_id in rows:
            (self._open_grants if kind == "open" else self._share_grants).add(package_id)

    def open_grants(self) -> set[str]:
        """Package ids this user holds a valid open grant for."""
        if self._open_grants is None:
            self._load_grants()
        assert self._open_grants is not None
        return self._open_grants

    def share_grants(self) -> set[str]:
        """Package ids one of this user's departments holds a valid share grant for."""
        if self._share_grants is None:
            self._load_grants()
        assert self._share_grants is not None
        return self._share_grants


ANONYMOUS = Principal()


def _user_org_ids(user: model.User) -> frozenset[str]:
    rows = (
        model.Session.query(model.Member.group_id)
        .join(model.Group, model.Group.id == model.Member.group_id)
        .filter(model.Member.table_name == "user", model.Member.table_id == user.id,
                model.Member.state == "active", model.Group.is_organization.is_(True),
                model.Group.state == "active")
    )
    return frozenset(r[0] for r in rows)


def principal_for(user: model.User | str | None) -> Principal:
    """The principal of a user object or name; anonymous for None."""
    if isinstance(user, str):
        user = model.User.get(user)
    if user is None or not getattr(user, "is_authenticated", True) or getattr(user, "is_anonymous", False):
        return ANONYMOUS
    if not isinstance(user, model.User):
        return ANONYMOUS
    return Principal(user_id=user.id, sysadmin=bool(user.sysadmin), org_ids=_user_org_ids(user))


def principal_from_context(context: dict[str, Any] | None) -> Principal:
    """The principal an action runs for: the context's user (``auth_user_obj`` or ``user``).

    A context with neither (the search indexer, background jobs) is anonymous, so what
    ends up in the search index is only what the public may see."""
    context = context or {}
    user = context.get("auth_user_obj") or context.get("user") or None
    if isinstance(user, str) and user == _site_user_name():
        return Principal(user_id="__site__", sysadmin=True)
    key = user.id if isinstance(user, model.User) else user
    if not key:
        return ANONYMOUS
    cache = _request_cache()
    if cache is not None and key in cache:
        return cache[key]
    principal = principal_for(user)
    if cache is not None:
        cache[key] = principal
    return principal


def current_principal() -> Principal:
    """The principal of the current web request."""
    if not has_request_context():
        return ANONYMOUS
    user = tk.current_user
    return principal_from_context({"auth_user_obj": user if getattr(user, "is_authenticated", False) else None})


def _request_cache() -> Optional[dict[str, Principal]]:
    if not has_request_context():
        return None
    cache = getattr(g, "_govshare_principals", None)
    if cache is None:
        cache = {}
        g._govshare_principals = cache
    return cache


def forget_cached_principals() -> None:
    """Drop per-request principals (after a grant or membership changes mid-request)."""
    if has_request_context() and hasattr(g, "_govshare_principals"):
        g._govshare_principals = {}


_SITE_USER: dict[str, str] = {}


def _site_user_name() -> str:
    if "name" not in _SITE_USER:
        _SITE_USER["name"] = tk.config.get("ckan.site_id") or ""
    return _SITE_USER["name"]


# --- decisions ------------------------------------------------------------------------

def _org_id(pkg: model.Package | dict[str, Any]) -> Optional[str]:
    return pkg.get("owner_org") if isinstance(pkg, dict) else pkg.owner_org


def _pkg_id(pkg: model.Package | dict[str, Any]) -> str:
    return pkg["id"] if isinstance(pkg, dict) else pkg.id


def is_public(pkg: model.Package | dict[str, Any]) -> bool:
    """Part of the public open catalogue (无条件开放 or 有条件开放)."""
    return open_type(pkg) in ("unconditional", "conditional")


def can_see(principal: Principal, pkg: model.Package | dict[str, Any]) -> bool:
    """May ``principal`` know the entry exists (its metadata)?"""
    if principal.sysadmin or is_public(pkg):
        return True
    if _org_id(pkg) in principal.org_ids:
        return True
    return principal.department_member and share_type(pkg) in ("unconditional", "conditional")


def can_use_data(principal: Principal, pkg: model.Package | dict[str, Any]) -> bool:
    """May ``principal`` have the entry's data (URLs, files, previews)?"""
    if principal.sysadmin or _org_id(pkg) in principal.org_ids:
        return True
    opened = open_type(pkg)
    if opened == "unconditional" and (principal.authenticated or not requires_login()):
        return True
    if opened == "conditional" and _pkg_id(pkg) in principal.open_grants():
        return True
    if principal.department_member:
        shared = share_type(pkg)
        if shared == "unconditional":
            return True
        if shared == "conditional" and _pkg_id(pkg) in principal.share_grants():
            return True
    return False


def dataset_labels(pkg: model.Package) -> list[str]:
    """Permission labels of an entry: 不予开放 entries leave the public catalogue."""
    labels = DefaultPermissionLabels().get_dataset_labels(pkg)
    if "public" in labels and not is_public(pkg):
        labels = [f"member-{pkg.owner_org}"] if pkg.owner_org else [f"creator-{pkg.creator_user_id}"]
        if share_type(pkg) in ("unconditional", "conditional") and pkg.owner_org:
            labels.append(DEPARTMENT_LABEL)
    return labels


def user_labels(user: model.User | None) -> list[str]:
    labels = DefaultPermissionLabels().get_user_dataset_labels(user)  # type: ignore[arg-type]
    if any(label.startswith("member-") for label in labels):
        labels.append(DEPARTMENT_LABEL)
    return labels


# --- withholding data ---------------------------------------------------------------------

def withhold_resource(resource: dict[str, Any]) -> dict[str, Any]:
    """Remove what locates the data from a resource dict (in place)."""
    for key in DATA_FIELDS:
        resource.pop(key, None)
    resource["url"] = ""
    resource["govshare_data_withheld"] = True
    return resource


def withhold(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """Remove the data locations from a package dict (in place)."""
    for resource in pkg_dict.get("resources") or []:
        withhold_resource(resource)
    pkg_dict["govshare_data_withheld"] = True
    return pkg_dict


def filter_for(principal: Principal, pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """The package dict as ``principal`` may receive it (in place)."""
    if not can_use_data(principal, pkg_dict):
        withhold(pkg_dict)
    return pkg_dict


def filtered_copy(principal: Principal, pkg_dict: dict[str, Any]) -> dict[str, Any]:
    if can_use_data(principal, pkg_dict):
        return pkg_dict
    return withhold(copy.deepcopy(pkg_dict))


def packages_hidden_from(principal: Principal, package_ids: Iterable[str]) -> set[str]:
    """Of ``package_ids``, those whose existence ``principal`` may not know."""
    ids = {i for i in package_ids if i}
    if not ids or principal.sysadmin:
        return set()
    hidden = set()
    for pkg in model.Session.query(model.Package).filter(model.Package.id.in_(ids)):
        if not can_see(principal, pkg):
            hidden.add(pkg.id)
    return hidden
