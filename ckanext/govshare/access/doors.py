# -*- coding: utf-8 -*-
"""Where the access rules of :mod:`ckanext.govshare.access` meet CKAN: the package_show
hook, output filters for the actions that hand out catalogue entries, activities or
resources, the search index filter, and the web guard on the routes that serve data.

The plugin hooks, the chained auth functions (``access/auth.py``) and the chained actions
(``access/actions.py``) call these functions; none of them decides anything itself — they
ask ``rules``.
"""
from __future__ import annotations

import json
import re
from typing import Any, Callable, Iterable

from flask import request

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.govshare.access import rules as access

# Web routes that hand out data (files, previews, old versions with their URLs).
DATA_ENDPOINTS = {
    "resource.download", "dataset_resource.download",
    "resource.view", "dataset_resource.view",
    "activity.resource_history", "activity.package_history",
    "datastore.dump",
    # CKAN 2.12: the DataStore API examples of a resource (they run datastore_search)
    "datastore.api_info",
}
# Web routes about one entry: the entry must be visible to the user.
ENTRY_ENDPOINTS = {
    "dataset.read", "dataset.resources", "dataset.groups", "dataset.followers",
    "dataset.follow", "dataset.unfollow", "resource.read", "dataset_resource.read",
    "resource.views", "dataset_resource.views",
    "activity.package_activity", "activity.package_changes",
    "govshare_dcat.dataset",
} | DATA_ENDPOINTS
# Editing routes about one entry: they answer 403 to those who may see the entry, but must
# answer 404 — exactly as for an entry that does not exist — to those who may not, and CKAN
# answers some of them with a 500 when the entry or resource does not exist.
EDIT_ENDPOINTS = {
    "resource.edit", "dataset_resource.edit", "resource.delete", "dataset_resource.delete",
    "resource.new", "dataset_resource.new", "resource.edit_view", "dataset_resource.edit_view",
}

# Routes of view plugins that hand out a resource's rows, keyed by the resource view
# (ckanext-datatablesview: the table's rows and its filtered download).
VIEW_DATA_ENDPOINTS = {"datatablesview.ajax", "datatablesview.filtered_download"}

# Search index fields that locate data; removed from entries whose data is not public.
INDEX_URL_FIELDS = ("res_url", "urls") + tuple(f"res_extras_{f}" for f in access.DATA_FIELDS)
# Stored whole-entry fields in raw search results (``fl``).
RAW_DICT_FIELDS = ("data_dict", "validated_data_dict")
# ``fl`` names plain stored fields only: no aliases (``x:data_dict``), functions or transformers
FL_FIELD_RE = re.compile(r"^(\*|[A-Za-z_][A-Za-z0-9_.-]*)$")


def is_indexing(context: dict[str, Any]) -> bool:
    """The search indexer's package_show (ckan.lib.search): the index must hold the
    whole entry so package_show's cache stays complete; ``index_filter`` and the
    search output filter keep the data locations out of what searchers get."""
    return bool(context.get("ignore_auth")) and context.get("validate") is False \
        and context.get("use_cache") is False


def show_filter(context: dict[str, Any], pkg_dict: dict[str, Any]) -> None:
    """after_dataset_show (package_show, and so resource_show): the entry as the context's
    user may have it, changed in place. The indexer's own package_show keeps the whole entry
    (:func:`is_indexing`). An editor's package_show inside package_update/patch and the
    resource actions runs for a user who may have the data, so nothing is withheld there
    and nothing is erased on save."""
    if is_indexing(context):
        return
    access.filter_for(access.principal_from_context(context), pkg_dict)


def _unnest(raw: str) -> dict[str, Any]:
    """A stored whole-entry JSON without the copies CKAN's indexer nests in it (its
    ``data_dict`` holds the whole ``validated_data_dict`` as a string)."""
    value = json.loads(raw)
    if not isinstance(value, dict):
        return {}
    for key in RAW_DICT_FIELDS:
        value.pop(key, None)
    return value


def index_filter(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """What the search index holds of an entry: no nested copy of the whole entry inside
    ``data_dict``; data locations only in the stored whole-entry fields (which only the
    output filter reads) unless the data is public; ``related_codes`` searchable only for
    codes of public entries."""
    if isinstance(pkg_dict.get("data_dict"), str):
        pkg_dict["data_dict"] = json.dumps(_unnest(pkg_dict["data_dict"]))
    if not access.can_use_data(access.ANONYMOUS, pkg_dict):
        for key in INDEX_URL_FIELDS:
            pkg_dict.pop(key, None)
    for key in (access.RELATED_CODES, "extras_" + access.RELATED_CODES):
        if pkg_dict.get(key):
            holder = {access.RELATED_CODES: pkg_dict[key]}
            access.drop_hidden_codes(access.ANONYMOUS, [holder])
            pkg_dict[key] = holder[access.RELATED_CODES]
    return pkg_dict


def check_search_params(search_params: dict[str, Any]) -> None:
    """``fl`` may name stored fields only; aliases, functions and document transformers
    would carry whole entries or index fields past the output filter under other names."""
    fl = search_params.get("fl")
    if not fl:
        return
    items = [fl] if isinstance(fl, str) else fl if isinstance(fl, list) else [str(fl)]
    names = [n for item in items for n in str(item).replace(",", " ").split()]
    bad = [n for n in names if not FL_FIELD_RE.match(n)]
    if bad:
        raise tk.ValidationError({"fl": [tk._("Only field names may be listed in fl: {names}").format(
            names=", ".join(bad[:5])[:200])]})


def packages_by_id(ids: Iterable[str]) -> dict[str, model.Package]:
    ids = [i for i in set(ids) if i and isinstance(i, str)]
    if not ids:
        return {}
    return {p.id: p for p in model.Session.query(model.Package).filter(model.Package.id.in_(ids))}


def _carries_levels(row: dict[str, Any]) -> bool:
    return "open_type" in row and "share_type" in row and "owner_org" in row


def filter_search_results(principal: access.Principal, result: dict[str, Any]) -> dict[str, Any]:
    """package_search output as ``principal`` may have it: never a nested whole-entry copy;
    no data locations unless they may have the data; no codes of entries hidden from them."""
    rows = [r for r in result.get("results") or [] if isinstance(r, dict)]
    for row in rows:
        for key in RAW_DICT_FIELDS:
            if isinstance(row.get(key), str):
                row[key] = _unnest(row[key])
    if principal.sysadmin:
        _dump_raw(rows)
        return result
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
            if isinstance(row.get(key), dict):
                access.withhold(row[key])
        for key in list(row):
            if key in INDEX_URL_FIELDS or key.startswith("res_extras_"):
                row.pop(key, None)
    access.drop_hidden_codes(principal, rows + [row[k] for row in rows for k in RAW_DICT_FIELDS
                                                 if isinstance(row.get(k), dict)])
    _dump_raw(rows)
    return result


def _dump_raw(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        for key in RAW_DICT_FIELDS:
            if isinstance(row.get(key), dict):
                row[key] = json.dumps(row[key])


def _visible_items(principal: access.Principal, items: list[dict[str, Any]], package_key: str,
                   withhold: Callable[[dict[str, Any]], Any], data_only: bool = False) -> list[dict[str, Any]]:
    """Drop the items of entries ``principal`` may not know of; ``withhold`` the data of
    entries whose data they may not have (``data_only``: drop those too). Each item names
    its entry by ``package_key``."""
    if principal.sysadmin:
        return items
    pkgs = packages_by_id(i.get(package_key) for i in items)
    kept = []
    for item in items:
        pkg = pkgs.get(item.get(package_key))
        if pkg is None or not access.can_see(principal, pkg):
            continue
        if not access.can_use_data(principal, pkg):
            if data_only:
                continue
            withhold(item)
        kept.append(item)
    return kept


def _withhold_if_resources(pkg_dict: dict[str, Any]) -> None:
    if "resources" in pkg_dict:
        access.withhold(pkg_dict)


def filter_package_list(principal: access.Principal, packages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop entries ``principal`` may not know of, withhold data they may not have, and the
    codes of hidden entries from the others' ``related_codes``."""
    kept = _visible_items(principal, packages, "id", _withhold_if_resources)
    if not principal.sysadmin:
        access.drop_hidden_codes(principal, kept)
    return kept


def filter_names(principal: access.Principal, names: list[str]) -> list[str]:
    if principal.sysadmin or not names:
        return names
    pkgs = model.Session.query(model.Package).filter(model.Package.name.in_(names))
    hidden = {p.name for p in pkgs if not access.can_see(principal, p)}
    return [n for n in names if n not in hidden]


def filter_resources(principal: access.Principal, resources: list[dict[str, Any]],
                     data_only: bool = False) -> list[dict[str, Any]]:
    """Resources of entries ``principal`` may know of, without data locations they may not
    have; ``data_only``: only resources whose data they may have."""
    return _visible_items(principal, resources, "package_id", access.withhold_resource, data_only)


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
            if not access.knows_of(principal, pkg):
                continue
            if snapshot and not access.can_use_data(principal, pkg):
                access.withhold(snapshot)
        kept.append(act)
    return kept


def require_visible(principal: access.Principal, package_id_or_name: str | None) -> model.Package | None:
    """NotFound unless ``principal`` may know the entry exists."""
    pkg = model.Package.get(package_id_or_name) if package_id_or_name else None
    if pkg is not None and not access.knows_of(principal, pkg):
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


# CKAN 2.12's file storage (``ckan.lib.files``, IFiles): a file owned by an entry or by one of
# its resources is that entry's data. /file/download/<id>, file_show and file_owner_scan ask
# these hooks (through CKAN's permission_read_file / file_owner_scan auth) before CKAN's own
# cascade to package_show / package_update; they only ever refuse, never widen.
# /file/trusted-download/<token> serves what a token signed by the site names (no user);
# /file/public-download/ only storages configured as public.
FILE_OWNER_TYPES = ("package", "resource")


def _file_owner_package(owner_type: str, owner_id: str) -> model.Package | None:
    if owner_type == "package":
        return model.Package.get(owner_id)
    if owner_type == "resource":
        resource = model.Resource.get(owner_id)
        return resource.package if resource is not None else None
    return None


def _entry_data_refused(context: dict[str, Any], owner_type: str, owner_id: str) -> bool | None:
    """False-or-None answer of the IFiles hooks: False when the owner is an entry (or its
    resource) whose data the context's user may not have; None (CKAN decides) otherwise."""
    if owner_type not in FILE_OWNER_TYPES:
        return None
    pkg = _file_owner_package(owner_type, owner_id)
    if pkg is None:
        return None  # CKAN's cascade refuses an owner that does not exist
    principal = access.principal_from_context(context)
    if access.knows_of(principal, pkg) and access.can_use_data(principal, pkg):
        return None
    return False


def file_allows(context: dict[str, Any], file: Any, operation: str) -> bool | None:
    """IFiles.files_file_allows (CKAN 2.12): reading, changing or deleting a file owned by an
    entry or its resource needs the entry's data (:func:`access.can_use_data`)."""
    owner = getattr(file, "owner", None)
    if owner is None:
        return None
    return _entry_data_refused(context, owner.owner_type, owner.owner_id)


def file_owner_allows(context: dict[str, Any], owner_type: str, owner_id: str,
                      operation: str) -> bool | None:
    """IFiles.files_owner_allows (CKAN 2.12): listing (``file_owner_scan``) or moving files of
    an entry or its resource needs the entry's data, like its files themselves."""
    return _entry_data_refused(context, owner_type, owner_id)


def guard_request() -> Any:
    """before_app_request: 404 for entries the user may not know of, 403 for data they
    may not have, on every route that serves an entry or its data."""
    endpoint = request.endpoint
    if endpoint in VIEW_DATA_ENDPOINTS:
        return _guard_view_data(request.view_args or {})
    if endpoint not in ENTRY_ENDPOINTS and endpoint not in EDIT_ENDPOINTS:
        return None
    args = request.view_args or {}
    ident = args.get("id") or args.get("_id")
    if endpoint.startswith("activity.") and endpoint != "activity.package_activity":
        activity_id = args.get("activity_id")
        if activity_id:
            row = activity_row(activity_id)
            ident = row.object_id if row is not None else ident
    pkg = model.Package.get(ident) if ident else None
    if ident and pkg is None and endpoint in EDIT_ENDPOINTS | {"resource.views", "dataset_resource.views"}:
        return tk.abort(404, tk._("Dataset not found"))
    resource_id = args.get("resource_id")
    if resource_id:
        # the resource decides: an entry id in the URL that is not the resource's own
        # entry must not lend the resource its access level
        resource = model.Resource.get(resource_id)
        if resource is not None and resource.package is not None:
            if ident and (pkg is None or resource.package_id != pkg.id):
                return tk.abort(404, tk._("Resource not found"))
            pkg = resource.package
        elif not endpoint.startswith("activity."):  # history pages read old resources from the log
            return tk.abort(404, tk._("Resource not found"))
    if pkg is None:
        return None
    return _answer(pkg, endpoint in DATA_ENDPOINTS)


def _answer(pkg: model.Package, data: bool) -> Any:
    """404 for an entry the user may not know of; 403 when ``data`` is asked for and they
    may not have it; None (go on) otherwise."""
    principal = access.current_principal()
    if not access.knows_of(principal, pkg):
        return tk.abort(404, tk._("Dataset not found"))
    if data and not access.can_use_data(principal, pkg):
        if not principal.authenticated and access.open_type(pkg) == "unconditional":
            return tk.abort(403, tk._("Log in to download this data"))
        return tk.abort(403, tk._("This data is available on application: apply for access on the dataset page"))
    return None


def _guard_view_data(args: dict[str, Any]) -> Any:
    """A view plugin's data route: the entry of the view's resource decides."""
    view_id = args.get("resource_view_id")
    view = model.ResourceView.get(view_id) if isinstance(view_id, str) and view_id else None
    resource = model.Resource.get(view.resource_id) if view is not None else None
    if resource is None or resource.package is None:
        # as for a hidden entry's view (the view plugin itself would fail with a 500)
        return tk.abort(404, tk._("Resource not found"))
    return _answer(resource.package, data=True)


def uniform_not_found(response: Any) -> Any:
    """after_app_request: every "not found" of the action API says only that, so a hidden
    entry answers exactly as one that does not exist (CKAN's actions word their messages
    differently — "Resource was not found.", "Dataset not found" … — which would tell the
    two apart)."""
    if response.status_code != 404 or not request.path.startswith("/api/") or response.is_streamed:
        return response
    try:
        body = json.loads(response.get_data(as_text=True))
    except ValueError:
        return response
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and error.get("__type") == "Not Found Error":
        body["error"] = {"__type": "Not Found Error", "message": tk._("Not found")}
        response.set_data(json.dumps(body))
    return response
