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
import functools
from dataclasses import dataclass
from typing import Any, Iterable, Optional

from collections import OrderedDict

import sqlalchemy as sa
from flask import g, has_request_context

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib.plugins import DefaultPermissionLabels
from ckan import authz
from ckanext.govshare import compat
from ckanext.govshare.access.grants import Grant, utcnow

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
    loaded = compat.loaded_extras(pkg)
    if loaded is None and state.persistent and not state.modified:
        cached = _LEVELS_CACHE.get(key)
        if cached is not None:
            return cached
    if loaded is not None:
        levels = {k: v for k, v in loaded.items() if k in LEVEL_KEYS}
    elif state.persistent:
        levels = compat.extras_of([pkg.id], LEVEL_KEYS).get(pkg.id, {})
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
    """What the access rules need to know about a user, computed once per request: the
    departments whose entries they may read (CKAN's ``member-`` permission labels come from
    the same set) and their valid grants, all read in one query (:func:`principal_for`)."""

    user_id: Optional[str] = None
    sysadmin: bool = False
    org_ids: frozenset[str] = frozenset()
    # package ids of the user's valid open grants, and of their departments' share grants
    open_grants: frozenset[str] = frozenset()
    share_grants: frozenset[str] = frozenset()

    @property
    def authenticated(self) -> bool:
        return self.user_id is not None

    @property
    def department_member(self) -> bool:
        return bool(self.org_ids)


ANONYMOUS = Principal()


def _valid_grant(now: Any) -> Any:

    return sa.and_(Grant.revoked_at.is_(None), sa.or_(Grant.expires_at.is_(None), Grant.expires_at > now))


@functools.lru_cache(maxsize=1)
def _principal_statement() -> Any:
    """The one statement behind :func:`_principal_rows`, built once (it is the same for every
    user; ``user_id``, ``roles`` and ``now`` are bound per call)."""

    member, group, child = model.Member, model.Group, sa.orm.aliased(model.Member)
    user_id, now = sa.bindparam("user_id"), sa.bindparam("now")
    membership = sa.and_(
        member.table_name == "user", member.table_id == user_id, member.state == "active",
        member.capacity.in_(sa.bindparam("roles", expanding=True)),
        group.is_organization.is_(True), group.state == "active")
    has_children = sa.exists().where(
        child.table_id == member.group_id, child.table_name == "group", child.state == "active")
    departments = (
        sa.select(sa.literal("member").label("kind"), member.group_id.label("id"),
                  member.capacity.label("capacity"), has_children.label("has_children"))
        .select_from(member).join(group, group.id == member.group_id).where(membership))
    open_grants = sa.select(sa.literal("open"), Grant.package_id, sa.null(), sa.false()).where(
        Grant.kind == "open", Grant.user_id == user_id, _valid_grant(now))
    share_grants = (
        sa.select(sa.literal("share"), Grant.package_id, sa.null(), sa.false())
        .select_from(Grant).join(member, member.group_id == Grant.organization_id)
        .join(group, group.id == member.group_id)
        .where(Grant.kind == "share", membership, _valid_grant(now)))
    return sa.union_all(departments, open_grants, share_grants)


def _principal_rows(user_id: str) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """The user's departments, open grants and their departments' share grants, in one query.

    Departments are those CKAN's ``organization_list_for_user`` returns for the ``read``
    permission: active organizations the user is an active member of in a role that may read,
    and, for roles that cascade (``ckan.auth.roles_that_cascade_to_sub_groups``), the
    departments below them."""

    now = utcnow()
    rows = model.Session.execute(_principal_statement(), {
        "user_id": user_id, "roles": authz.get_roles_with_permission("read"), "now": now}).all()

    org_ids = {r.id for r in rows if r.kind == "member"}
    opened = {r.id for r in rows if r.kind == "open"}
    shared = {r.id for r in rows if r.kind == "share"}
    cascade = authz.check_config_permission("roles_that_cascade_to_sub_groups") or []
    below: set[str] = set()
    for row in rows:
        if row.kind == "member" and row.has_children and row.capacity in cascade:
            parent = model.Group.get(row.id)
            if parent is not None:
                below.update(c[0] for c in parent.get_children_group_hierarchy(type="organization"))
    below -= org_ids
    if below:
        below = {i for (i,) in model.Session.query(model.Group.id).filter(
            model.Group.id.in_(below), model.Group.is_organization.is_(True),
            model.Group.state == "active")}
        org_ids |= below
        shared.update(i for (i,) in model.Session.query(Grant.package_id).filter(
            Grant.kind == "share", Grant.organization_id.in_(below), _valid_grant(now)))
    return frozenset(org_ids), frozenset(opened), frozenset(shared)


def principal_for(user: model.User | str | None) -> Principal:
    """The principal of a user object or name; anonymous for None."""
    if isinstance(user, str):
        user = model.User.get(user)
    if user is None or not getattr(user, "is_authenticated", True) or getattr(user, "is_anonymous", False):
        return ANONYMOUS
    if not isinstance(user, model.User):
        return ANONYMOUS
    org_ids, opened, shared = _principal_rows(user.id)
    return Principal(user_id=user.id, sysadmin=bool(user.sysadmin), org_ids=org_ids,
                     open_grants=opened, share_grants=shared)


def principal_from_context(context: dict[str, Any] | None) -> Principal:
    """The principal an action runs for: the context's user (``auth_user_obj`` or ``user``).

    A context with neither (the search indexer, background jobs) is anonymous, so what
    ends up in the search index is only what the public may see."""
    context = context or {}
    user = context.get("auth_user_obj")
    if not isinstance(user, model.User):
        # flask-login's anonymous user, or no object: the user's name, if any
        user = context.get("user") or None
        if not isinstance(user, str):
            return ANONYMOUS
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
        # the same user comes by object (labels, auth) and by name (actions): remember both
        cache[key] = principal
        if isinstance(user, model.User):
            cache[user.name] = principal
        elif principal.user_id:
            cache[principal.user_id] = principal
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


def is_published_to(principal: Principal, pkg: model.Package) -> bool:
    """Is the entry out of its department's hands for ``principal``? Deleted, draft and
    CKAN-private entries exist only for their department, their creator's drafts and
    sysadmins: to everyone else they leave no trace, not even in activity streams."""
    if principal.sysadmin or pkg.owner_org in principal.org_ids:
        return True
    if pkg.state != "active" or pkg.private:
        return bool(principal.user_id) and pkg.creator_user_id == principal.user_id and pkg.state == "draft"
    return True


def knows_of(principal: Principal, pkg: model.Package) -> bool:
    """May ``principal`` know that this entry (a database row) exists at all: its levels
    allow it (:func:`can_see`) and it is published to them (:func:`is_published_to`)."""
    return can_see(principal, pkg) and is_published_to(principal, pkg)


def can_use_data(principal: Principal, pkg: model.Package | dict[str, Any],
                 login_required: Optional[bool] = None) -> bool:
    """May ``principal`` have the entry's data (URLs, files, previews)?

    ``login_required``: :func:`requires_login`, when the caller has read it already."""
    return data_allowed(principal, _pkg_id(pkg), _org_id(pkg), open_type(pkg), share_type(pkg), login_required)


def data_allowed(principal: Principal, pkg_id: str, owner_org: Optional[str], opened: str, shared: str,
                 login_required: Optional[bool] = None) -> bool:
    """The data rule itself, on an entry's id, department and two levels (the search filter
    calls it with the levels each indexed entry carries). ``login_required`` as in
    :func:`can_use_data`; the configuration is read only when the answer depends on it."""
    if principal.sysadmin or owner_org in principal.org_ids:
        return True
    if opened == "unconditional" and (principal.authenticated or not (
            requires_login() if login_required is None else login_required)):
        return True
    if opened == "conditional" and pkg_id in principal.open_grants:
        return True
    if principal.department_member:
        if shared == "unconditional":
            return True
        if shared == "conditional" and pkg_id in principal.share_grants:
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
    """The user's permission labels, as CKAN's default ones (``public``, ``creator-``,
    ``member-`` for the departments they may read, ``collaborator-``) plus the department label,
    made from the request's principal so that CKAN's labels and the access rules come from the
    same query."""
    if not isinstance(user, model.User) or user.is_anonymous or user.sysadmin:
        labels = DefaultPermissionLabels().get_user_dataset_labels(user)  # type: ignore[arg-type]
    else:
        principal = principal_from_context({"auth_user_obj": user})
        labels = ["public", f"creator-{user.id}"] + [f"member-{org}" for org in sorted(principal.org_ids)]

        if authz.check_config_permission("allow_dataset_collaborators"):
            datasets = tk.get_action("package_collaborator_list_for_user")({"ignore_auth": True}, {"id": user.id})
            labels.extend(f"collaborator-{d['package_id']}" for d in datasets)
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
    """The package dict as ``principal`` may receive it (in place): no data locations unless
    they may have the data, no codes of entries hidden from them in ``related_codes``."""
    if not can_use_data(principal, pkg_dict):
        withhold(pkg_dict)
    drop_hidden_codes(principal, [pkg_dict])
    return pkg_dict


def filtered_copy(principal: Principal, pkg_dict: dict[str, Any]) -> dict[str, Any]:
    return filter_for(principal, copy.deepcopy(pkg_dict))


# --- what a hidden entry must not reveal: codes, tags, counts ------------------------------

RELATED_CODES = "related_codes"


def split_codes(value: Any) -> list[str]:
    """The codes of a stored ``related_codes`` value ('a, b')."""
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [c.strip() for c in str(value or "").split(",") if c.strip()]


def hidden_codes(principal: Principal, codes: Iterable[str]) -> set[str]:
    """Of ``codes`` (resource codes), those of entries ``principal`` may not know of."""
    codes = {c for c in codes if c}
    if not codes or principal.sysadmin:
        return set()
    rows = (model.Session.query(compat.extra_value("resource_code"), model.Package)
            .filter(compat.extra_in("resource_code", codes), model.Package.state != "deleted"))
    hidden: set[str] = set()
    shown: set[str] = set()
    for code, pkg in rows:
        (shown if can_see(principal, pkg) else hidden).add(code)
    return hidden - shown


def drop_hidden_codes(principal: Principal, pkg_dicts: list[dict[str, Any]]) -> None:
    """Remove from each dict's ``related_codes`` (a field, or a ``{"key", "value"}`` item of
    its ``extras`` as CKAN's unvalidated dicts hold it) the codes of entries hidden from
    ``principal`` (one query for all the dicts)."""
    holders: list[tuple[dict[str, Any], str]] = []
    for pkg_dict in pkg_dicts:
        if not isinstance(pkg_dict, dict):
            continue
        if pkg_dict.get(RELATED_CODES):
            holders.append((pkg_dict, RELATED_CODES))
        for extra in pkg_dict.get("extras") or []:
            if isinstance(extra, dict) and extra.get("key") == RELATED_CODES and extra.get("value"):
                holders.append((extra, "value"))
    if not holders:
        return
    hidden = hidden_codes(principal, (c for d, k in holders for c in split_codes(d[k])))
    if not hidden:
        return
    for holder, key in holders:
        value = holder[key]
        kept = [c for c in split_codes(value) if c not in hidden]
        holder[key] = kept if isinstance(value, (list, tuple)) else ", ".join(kept)


def _level(key: str) -> Any:
    return compat.extra_value(key)


def visible_clause(principal: Principal) -> Any:
    """:func:`can_see` as an SQL condition on ``package`` (for counts and lists made in the
    database: tags, users' entry counts). ``tests/access/test_access.py`` checks that the two agree."""
    if principal.sysadmin:
        return sa.true()
    own = model.Package.owner_org.in_(sorted(principal.org_ids)) if principal.org_ids else sa.false()
    conditions = [_level("open_type").in_(("unconditional", "conditional")), own]
    if principal.department_member:
        conditions.append(_level("share_type").in_(("unconditional", "conditional")))
    # CKAN's private entries (drafts of a department) stay with their department
    return sa.and_(sa.or_(*conditions), sa.or_(model.Package.private.is_(False), own))


def visible_tag_names(principal: Principal, names: Iterable[str]) -> set[str]:
    """Of the tag ``names``, those on at least one active entry ``principal`` may know of
    (a tag used only on hidden entries would name what they hold)."""
    names = {n for n in names if n}
    if not names:
        return set()
    if principal.sysadmin:
        return names
    rows = (model.Session.query(model.Tag.name).distinct()
            .join(model.PackageTag, model.PackageTag.tag_id == model.Tag.id)
            .join(model.Package, model.Package.id == model.PackageTag.package_id)
            .filter(model.Tag.name.in_(names), model.PackageTag.state == "active",
                    model.Package.state == "active", visible_clause(principal)))
    return {name for (name,) in rows}


def visible_formats(principal: Principal, query: str, limit: int) -> list[str]:
    """CKAN's ``format_autocomplete`` over the resources of entries ``principal`` may know of:
    formats containing ``query``, the most used first."""
    like = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    total = sa.func.count(model.Resource.format).label("total")
    rows = (model.Session.query(model.Resource.format, total)
            .join(model.Package, model.Package.id == model.Resource.package_id)
            .filter(model.Resource.state == "active", model.Package.state == "active",
                    model.Resource.format.ilike(like), visible_clause(principal))
            .group_by(model.Resource.format).order_by(total.desc(), model.Resource.format).limit(limit))
    return [fmt.lower() for fmt, _n in rows]


def visible_created_counts(principal: Principal, user_ids: Iterable[str]) -> dict[str, int]:
    """Per user, the active non-private entries they created that ``principal`` may know of
    (CKAN's ``number_created_packages``, without the hidden ones)."""
    ids = {i for i in user_ids if i}
    if not ids:
        return {}
    rows = (model.Session.query(model.Package.creator_user_id, sa.func.count(model.Package.id))
            .filter(model.Package.creator_user_id.in_(ids), model.Package.state == "active",
                    model.Package.private.is_(False), visible_clause(principal))
            .group_by(model.Package.creator_user_id))
    counts = dict.fromkeys(ids, 0)
    counts.update({user_id: n for user_id, n in rows})
    return counts


def packages_hidden_from(principal: Principal, package_ids: Iterable[str]) -> set[str]:
    """Of ``package_ids``, those whose existence ``principal`` may not know."""
    ids = {i for i in package_ids if i}
    if not ids or principal.sysadmin:
        return set()
    hidden = set()
    for pkg in model.Session.query(model.Package).filter(model.Package.id.in_(ids)):
        if not can_see(principal, pkg) or (pkg.private and pkg.owner_org not in principal.org_ids):
            hidden.add(pkg.id)
    return hidden
