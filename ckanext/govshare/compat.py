# -*- coding: utf-8 -*-
"""The one place that knows the difference between CKAN 2.11 and CKAN 2.12.

The platform runs on both (issue 17). What differs and matters to it:

- dataset and organization extras: 2.11 keeps them in the ``package_extra`` /
  ``group_extra`` tables (one row per key, with its own ``state``; ``model.PackageExtra``,
  ``model.GroupExtra``, ``Package._extras``); 2.12 keeps them in the jsonb columns
  ``package.extras`` / ``group.extras`` (``{key: value}``, strings only) and has none of those;
- the search index: 2.12's ``index.update_dict`` wants the dict with the default *and* the
  custom show schema applied (``with_custom_schema``), 2.11's validates a raw dict itself
  (:func:`package_index_dict`).

Every query on extras goes through the functions below; nothing else in the code base
names ``model.PackageExtra``, ``model.GroupExtra``, ``Package._extras`` or their tables. On 2.12 the resource code lookups are
served by the expression index of migration ``c4f1d2e3a412``; on 2.11 by the partial index
of ``9d4b7e3f2a61`` on ``package_extra``.
"""
from __future__ import annotations

from typing import Any, Iterable, Optional

import sqlalchemy as sa

import ckan
import ckan.logic
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib import search


def _version(text: str) -> tuple[int, ...]:
    parts = []
    for piece in text.split(".")[:2]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


CKAN_VERSION: tuple[int, ...] = _version(ckan.__version__)
"""CKAN's (major, minor), e.g. ``(2, 12)``."""

CKAN_212: bool = CKAN_VERSION >= (2, 12)
"""True on CKAN 2.12 and later (extras in ``package.extras`` jsonb)."""

# states of a package that still "exists" for uniqueness and visibility checks
LIVE_STATES = ("active", "draft")


def _extra_model() -> Any:
    """``model.PackageExtra`` (CKAN 2.11 only)."""
    return getattr(model, "PackageExtra")


def extra_value(key: str) -> Any:
    """SQL expression: the value of extra ``key`` of the ``package`` row of the enclosing
    query (NULL when the entry has no such extra). For ORDER BY / comparisons in queries
    on ``model.Package``; prefer :func:`extra_in` for lookups (it uses the index)."""
    if CKAN_212:
        return model.Package.extras[key].astext
    extra = _extra_model()
    return (sa.select(extra.value)
            .where(extra.package_id == model.Package.id, extra.key == key, extra.state == "active")
            .correlate(model.Package)
            .limit(1)
            .scalar_subquery())


def extra_in(key: str, values: Iterable[str]) -> Any:
    """SQL condition on ``model.Package``: its extra ``key`` has one of ``values``.
    Served by an index on both versions (``package_extra`` partial index on 2.11, the
    ``package.extras->>'resource_code'`` expression index on 2.12 for that key)."""
    values = sorted({str(v) for v in values})
    if not values:
        return sa.false()
    if CKAN_212:
        return model.Package.extras[key].astext.in_(values)
    extra = _extra_model()
    ids = (sa.select(extra.package_id)
           .where(extra.key == key, extra.state == "active", extra.value.in_(values)))
    return model.Package.id.in_(ids)


def packages_by_extra(key: str, values: Iterable[str], *,
                      states: Iterable[str] = ("active",)) -> list[tuple[str, str]]:
    """``(value, package_id)`` of the packages (``state`` in ``states``: active by default)
    whose extra ``key`` has one of ``values``. One query, served by the resource-code
    index for ``key == "resource_code"``. Several packages may share a value (the
    caller decides what that means)."""
    values = sorted({str(v) for v in values if v is not None})
    if not values:
        return []
    value = extra_value(key) if CKAN_212 else None
    if CKAN_212:
        q = (model.Session.query(value, model.Package.id)
             .filter(extra_in(key, values)))
    else:
        extra = _extra_model()
        q = (model.Session.query(extra.value, model.Package.id)
             .join(model.Package, model.Package.id == extra.package_id)
             .filter(extra.key == key, extra.state == "active", extra.value.in_(values)))
    q = q.filter(model.Package.state.in_(sorted(set(states))))
    return [(v, pid) for v, pid in q.all()]


def extras_of(package_ids: Iterable[str], keys: Iterable[str]) -> dict[str, dict[str, str]]:
    """``{package_id: {key: value}}``: the extras named ``keys`` of the given packages
    (any package state), in one query. A package having none of the keys is absent
    from the result."""
    ids = sorted({i for i in package_ids if i})
    keys = sorted({k for k in keys if k})
    if not ids or not keys:
        return {}
    result: dict[str, dict[str, str]] = {}
    if CKAN_212:
        cols = [model.Package.extras[k].astext for k in keys]
        for row in model.Session.query(model.Package.id, *cols).filter(model.Package.id.in_(ids)):
            found = {k: v for k, v in zip(keys, row[1:]) if v is not None}
            if found:
                result[row[0]] = found
        return result
    extra = _extra_model()
    rows = (model.Session.query(extra.package_id, extra.key, extra.value)
            .filter(extra.package_id.in_(ids), extra.key.in_(keys), extra.state == "active"))
    for pid, key, value in rows:
        result.setdefault(pid, {})[key] = value
    return result


def package_extras(pkg: model.Package) -> dict[str, str]:
    """All active extras of a package object, ``{key: value}`` (loads them on 2.11)."""
    if CKAN_212:
        return dict(pkg.extras or {})
    return {k: e.value for k, e in pkg._extras.items() if e.state == "active"}


def _group_extra_model() -> Any:
    """``model.GroupExtra`` (CKAN 2.11 only)."""
    return getattr(model, "GroupExtra")


def group_extra_value(key: str) -> Any:
    """SQL expression: the value of extra ``key`` of the ``group`` row (organization) of the
    enclosing query on ``model.Group`` (NULL when absent)."""
    if CKAN_212:
        return model.Group.extras[key].astext
    extra = _group_extra_model()
    return (sa.select(extra.value)
            .where(extra.group_id == model.Group.id, extra.key == key, extra.state == "active")
            .correlate(model.Group)
            .limit(1)
            .scalar_subquery())


def group_extra_in(keys: Iterable[str], values: Iterable[str]) -> Any:
    """SQL condition on ``model.Group``: one of its extras ``keys`` has one of ``values``."""
    keys, values = sorted(set(keys)), sorted({str(v) for v in values})
    if not keys or not values:
        return sa.false()
    if CKAN_212:
        return sa.or_(*(model.Group.extras[k].astext.in_(values) for k in keys))
    extra = _group_extra_model()
    ids = (sa.select(extra.group_id)
           .where(extra.key.in_(keys), extra.state == "active", extra.value.in_(values)))
    return model.Group.id.in_(ids)


def group_extras_of(group_ids: Optional[Iterable[str]], keys: Iterable[str]) -> dict[str, dict[str, str]]:
    """``{group_id: {key: value}}``: the extras named ``keys`` of the given groups
    (organizations), or of every group when ``group_ids`` is None, in one query. A group
    having none of the keys is absent."""
    keys = sorted({k for k in keys if k})
    ids = None if group_ids is None else sorted({i for i in group_ids if i})
    if not keys or ids == []:
        return {}
    result: dict[str, dict[str, str]] = {}
    if CKAN_212:
        cols = [model.Group.extras[k].astext for k in keys]
        q = model.Session.query(model.Group.id, *cols)
        if ids is not None:
            q = q.filter(model.Group.id.in_(ids))
        for row in q:
            found = {k: v for k, v in zip(keys, row[1:]) if v is not None}
            if found:
                result[row[0]] = found
        return result
    extra = _group_extra_model()
    q = (model.Session.query(extra.group_id, extra.key, extra.value)
         .filter(extra.key.in_(keys), extra.state == "active"))
    if ids is not None:
        q = q.filter(extra.group_id.in_(ids))
    for gid, key, value in q:
        result.setdefault(gid, {})[key] = value
    return result


def loaded_extras(pkg: model.Package) -> Optional[dict[str, str]]:
    """The extras of ``pkg`` as the session holds them now (so a change being saved is
    seen), or None when they are not loaded yet (then ask :func:`extras_of`: loading
    all extras of a package on 2.11 is one query per package). On 2.12 the extras are
    a column of the package row, always loaded with it."""
    if CKAN_212:
        return dict(pkg.extras or {})
    if "_extras" not in pkg.__dict__:  # (``inspect(pkg).unloaded`` walks every attribute: slow)
        return None
    return {k: e.value for k, e in pkg._extras.items() if e.state == "active"}


def package_index_dict(package_id: str) -> dict[str, Any]:
    """The dict CKAN's package search index takes for ``package_id``
    (``search.index_for(model.Package).update_dict(package_index_dict(id), defer_commit)``).
    2.11: ``package_show`` unvalidated (the index validates it); 2.12: the default and the
    custom schema's dicts together, as its own actions pass them (without ``with_custom_schema``
    2.12 refuses: "both default and custom schema data must be passed")."""
    context: Any = {"ignore_auth": True, "validate": False, "use_cache": False}
    if CKAN_212:
        default, custom = ckan.logic.package_show_default_and_custom_schemas(context, package_id)
        return dict(default, with_custom_schema=custom)
    return tk.get_action("package_show")(context, {"id": package_id})


def group_form_schema(plugin: Any, *, update: bool, context: dict[str, Any]) -> Any:
    """The schema ``organization_create`` / ``organization_update`` validate with for a
    group plugin (2.12: ``create_group_schema()`` / ``update_group_schema()``; 2.11:
    ``form_to_db_schema_options`` / ``form_to_db_schema``)."""
    if CKAN_212:
        return plugin.update_group_schema() if update else plugin.create_group_schema()
    try:
        return plugin.form_to_db_schema_options({
            "type": "update" if update else "create", "api": True, "context": context})
    except AttributeError:
        return plugin.form_to_db_schema()


def reindex_after_commit(package_ids: Iterable[str]) -> None:
    """Index packages changed on the model (not through an action) once committed. CKAN 2.11
    does it in the commit (its search plugin observes the session); 2.12 has no such
    observer (only its actions index), so it is done here."""
    if not CKAN_212:
        return
    index = search.index_for(model.Package)
    for package_id in sorted(set(package_ids)):
        index.update_dict(package_index_dict(package_id))
