# -*- coding: utf-8 -*-
"""Where the access rules of :mod:`ckanext.govshare.access` meet CKAN: output filters
for the actions that hand out catalogue entries, activities or resources, the search
index filter, and the web guard on the routes that serve data.

The chained actions in ``logic/action.py`` and the plugin hooks call these functions;
none of them decides anything itself — they ask ``access``.
"""
from __future__ import annotations

import json
from typing import Any, Callable, Iterable

from flask import request

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.govshare import access

# Web routes that hand out data (files, previews, old versions with their URLs).
DATA_ENDPOINTS = {
    "resource.download", "dataset_resource.download",
    "resource.view", "dataset_resource.view",
    "activity.resource_history", "activity.package_history",
    "datastore.dump",
}
# Web routes about one entry: the entry must be visible to the user.
ENTRY_ENDPOINTS = {
    "dataset.read", "dataset.resources", "dataset.groups", "dataset.followers",
    "dataset.follow", "dataset.unfollow", "resource.read", "dataset_resource.read",
    "resource.views", "dataset_resource.views",
    "activity.package_activity", "activity.package_changes",
    "dcat.read_dataset",
} | DATA_ENDPOINTS

# Search index fields that locate data; removed from entries whose data is not public.
INDEX_URL_FIELDS = ("res_url", "urls", "res_extras_api_call", "res_extras_api_description")
# Stored whole-entry fields in raw search results (``fl``).
RAW_DICT_FIELDS = ("data_dict", "validated_data_dict")


def is_indexing(context: dict[str, Any]) -> bool:
    """The search indexer's package_show (ckan.lib.search): the index must hold the
    whole entry so package_show's cache stays complete; ``index_filter`` and the
    search output filter keep the data locations out of what searchers get."""
    return bool(context.get("ignore_auth")) and context.get("validate") is False \
        and context.get("use_cache") is False


def index_filter(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """Keep data locations out of the searchable index fields unless the data is public."""
    if not access.can_use_data(access.ANONYMOUS, pkg_dict):
        for key in INDEX_URL_FIELDS:
            pkg_dict.pop(key, None)
    return pkg_dict


def packages_by_id(ids: Iterable[str]) -> dict[str, model.Package]:
    ids = [i for i in set(ids) if i]
    if not ids:
        return {}
    return {p.id: p for p in model.Session.query(model.Package).filter(model.Package.id.in_(ids))}


def _carries_levels(row: dict[str, Any]) -> bool:
    return "open_type" in row and "share_type" in row and "owner_org" in row


def filter_search_results(principal: access.Principal, result: dict[str, Any]) -> dict[str, Any]:
    """package_search output as ``principal`` may have it."""
    if principal.sysadmin:
        return result
    rows = [r for r in result.get("results") or [] if isinstance(r, dict)]
    # whole entries carry their own levels (reindexed on every change); rows of a custom
    # ``fl`` are looked up
    lookup = [r.get("id") for r in rows if not _carries_levels(r)]
    pkgs = packages_by_id(lookup) if lookup else {}
    login_required = access.requires_login()
    for row in rows:
        pkg = pkgs.get(row.get("id")) if pkgs else None
        if pkg is not None:
            allowed = access.can_use_data(principal, pkg, login_required)
        elif _carries_levels(row):
            allowed = access.data_allowed(principal, row.get("id") or "", row["owner_org"],
                                          access.open_type(row), access.share_type(row), login_required)
        else:
            allowed = False
        if allowed:
            continue
        if "resources" in row:
            access.withhold(row)
        for key in RAW_DICT_FIELDS:
            if key in row:
                row[key] = json.dumps(access.withhold(json.loads(row[key])))
        for key in INDEX_URL_FIELDS:
            row.pop(key, None)
    return result


def _visible_items(principal: access.Principal, items: list[dict[str, Any]], package_key: str,
                   withhold: Callable[[dict[str, Any]], Any]) -> list[dict[str, Any]]:
    """Drop the items of entries ``principal`` may not know of; ``withhold`` the data of
    entries whose data they may not have. Each item names its entry by ``package_key``."""
    if principal.sysadmin:
        return items
    pkgs = packages_by_id(i.get(package_key) for i in items)
    kept = []
    for item in items:
        pkg = pkgs.get(item.get(package_key))
        if pkg is None or not access.can_see(principal, pkg):
            continue
        if not access.can_use_data(principal, pkg):
            withhold(item)
        kept.append(item)
    return kept


def _withhold_if_resources(pkg_dict: dict[str, Any]) -> None:
    if "resources" in pkg_dict:
        access.withhold(pkg_dict)


def filter_package_list(principal: access.Principal, packages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop entries ``principal`` may not know of, withhold data they may not have."""
    return _visible_items(principal, packages, "id", _withhold_if_resources)


def filter_names(principal: access.Principal, names: list[str]) -> list[str]:
    if principal.sysadmin or not names:
        return names
    pkgs = model.Session.query(model.Package).filter(model.Package.name.in_(names))
    hidden = {p.name for p in pkgs if not access.can_see(principal, p)}
    return [n for n in names if n not in hidden]


def filter_resources(principal: access.Principal, resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return _visible_items(principal, resources, "package_id", access.withhold_resource)


def _activity_package(activity: dict[str, Any]) -> dict[str, Any] | None:
    data = activity.get("data")
    if isinstance(data, dict) and isinstance(data.get("package"), dict):
        return data["package"]
    return None


def filter_activities(principal: access.Principal, activities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Activities as ``principal`` may have them: none about entries hidden from them,
    no data locations in the entry snapshots they carry."""
    if principal.sysadmin:
        return activities
    ids = []
    for act in activities:
        ids.append(act.get("object_id"))
        snapshot = _activity_package(act)
        if snapshot:
            ids.append(snapshot.get("id"))
    pkgs = packages_by_id(ids)
    kept = []
    for act in activities:
        snapshot = _activity_package(act)
        pkg = pkgs.get((snapshot or {}).get("id") or act.get("object_id"))
        if pkg is not None:
            if not access.can_see(principal, pkg):
                continue
            if snapshot and not access.can_use_data(principal, pkg):
                access.withhold(snapshot)
        kept.append(act)
    return kept


def require_visible(principal: access.Principal, package_id_or_name: str | None) -> model.Package | None:
    """NotFound unless ``principal`` may know the entry exists."""
    pkg = model.Package.get(package_id_or_name) if package_id_or_name else None
    if pkg is not None and not access.can_see(principal, pkg):
        raise tk.ObjectNotFound(tk._("Dataset not found"))
    return pkg


def _activity_table() -> Any:
    return model.meta.metadata.tables["activity"]


def activity_row(activity_id: str | None) -> Any:
    """The activity row (its ``object_id`` names the entry), or None."""
    if not activity_id:
        return None
    table = _activity_table()
    return model.Session.execute(table.select().where(table.c.id == activity_id)).first()


def update_activity_labels(package_id: str) -> None:
    """Re-label an entry's past activities when its level changes, so an entry that left
    the public catalogue also leaves the public activity streams at once."""
    pkg = model.Package.get(package_id)
    if pkg is None:
        return
    labels = access.dataset_labels(pkg)
    table = _activity_table()
    model.Session.execute(table.update().where(table.c.object_id == pkg.id).values(permission_labels=labels))


def guard_request() -> Any:
    """before_app_request: 404 for entries the user may not know of, 403 for data they
    may not have, on every route that serves an entry or its data."""
    endpoint = request.endpoint
    if endpoint not in ENTRY_ENDPOINTS:
        return None
    args = request.view_args or {}
    ident = args.get("id") or args.get("_id")
    if endpoint.startswith("activity.") and endpoint != "activity.package_activity":
        activity_id = args.get("activity_id")
        if activity_id:
            row = activity_row(activity_id)
            ident = row.object_id if row is not None else ident
    pkg = model.Package.get(ident) if ident else None
    if pkg is None:
        resource_id = args.get("resource_id")
        resource = model.Resource.get(resource_id) if resource_id else None
        pkg = resource.package if resource is not None else None
    if pkg is None:
        return None
    principal = access.current_principal()
    if not access.can_see(principal, pkg):
        return tk.abort(404, tk._("Dataset not found"))
    if endpoint in DATA_ENDPOINTS and not access.can_use_data(principal, pkg):
        if not principal.authenticated and access.open_type(pkg) == "unconditional":
            return tk.abort(403, tk._("Log in to download this data"))
        return tk.abort(403, tk._("This data is available on application: apply for access on the dataset page"))
    return None
