# -*- coding: utf-8 -*-
"""Load the Chinese demo catalogue (demo_catalogue.yaml) through the action API.

Idempotent: departments, accounts and datasets are matched by name and updated in place,
so running it twice leaves one copy of everything.

Data files: a resource with ``file: csv|xlsx|json`` is hosted by the platform. Its file is
generated from the entry's 信息项 (demo_files.py), uploaded through ``resource_create`` /
``resource_update`` (CKAN stores it under ``ckan.storage_path``), its rows pushed to the
DataStore, and — when the ``datatables_view`` plugin is loaded — given a table preview. A
resource with ``preview: true`` (在线浏览) points to the preview of the entry's first file.
Resources keep their ids across loads (matched by name), and a file whose hash has not
changed is neither uploaded nor pushed again.
"""
from __future__ import annotations

import copy
import io
import os
from typing import Any, Iterable, Optional

import yaml
from werkzeug.datastructures import FileStorage

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.govshare.demo import files as demo_files

DEMO_FILE = os.path.join(os.path.dirname(__file__), "demo_catalogue.yaml")
# keys of a demo resource that tell the loader what to do (not resource fields)
LOADER_KEYS = ("file", "preview")
PREVIEW_VIEW = "datatables_view"


def read(path: str = DEMO_FILE) -> dict[str, Any]:
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def _context(user: str) -> dict[str, Any]:
    return {"user": user, "ignore_auth": False}


def _upsert(user: str, kind: str, data: dict[str, Any]) -> str:
    """Create ``kind`` (package, organization) or update the existing one of that name."""
    try:
        existing = tk.get_action(f"{kind}_show")(_context(user), {"id": data["name"]})
    except tk.ObjectNotFound:
        tk.get_action(f"{kind}_create")(_context(user), copy.deepcopy(data))
        return "created"
    tk.get_action(f"{kind}_update")(_context(user), dict(copy.deepcopy(data), id=existing["id"]))
    return "updated"


def load(sysadmin: str, path: str = DEMO_FILE, datasets: Optional[Iterable[str]] = None) -> dict[str, int]:
    """Load the demo catalogue as ``sysadmin``; returns counts per kind. ``datasets``: load
    only the entries of these names (and the applications about them), e.g. in tests."""
    catalogue = read(path)
    if datasets is not None:
        wanted = set(datasets)
        catalogue["datasets"] = [d for d in catalogue.get("datasets", []) if d["name"] in wanted]
        catalogue["applications"] = [a for a in catalogue.get("applications", []) if a.get("package") in wanted]
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    counts = {"departments": 0, "accounts": 0, "datasets": 0, "files": 0}

    for account in catalogue.get("users", []):
        if model.User.get(account["name"]) is None:
            tk.get_action("user_create")(
                {"user": site_user, "ignore_auth": True},
                {k: account[k] for k in ("name", "email", "password", "fullname")},
            )
        counts["accounts"] += 1

    for org in catalogue.get("organizations", []):
        _upsert(sysadmin, "organization", org)
        counts["departments"] += 1

    declared = set()
    for account in catalogue.get("users", []):
        for org_name, role in (account.get("memberships") or {}).items():
            tk.get_action("organization_member_create")(
                _context(sysadmin),
                {"id": org_name, "username": account["name"], "role": role},
            )
            declared.add((org_name, account["name"]))
    # organization_create makes its creator an admin of the department; CKAN 2.11's
    # organization_update (no ``users``) dropped that membership on the next load, 2.12's keeps
    # it: the loading sysadmin is a member only where the catalogue says so, on both
    for org in catalogue.get("organizations", []):
        if (org["name"], sysadmin) not in declared:
            tk.get_action("organization_member_delete")(_context(sysadmin), {"id": org["name"], "username": sysadmin})

    for dataset in catalogue.get("datasets", []):
        counts["files"] += _dataset(sysadmin, dataset)
        counts["datasets"] += 1

    counts["applications"] = 0
    for application in catalogue.get("applications", []):
        _application(application)
        counts["applications"] += 1
    return counts


def _fields(spec: dict[str, Any]) -> dict[str, Any]:
    return {k: copy.deepcopy(v) for k, v in spec.items() if k not in LOADER_KEYS}


def _dataset(sysadmin: str, spec: dict[str, Any]) -> int:
    """Create or update one entry with its resources; host its files. Returns how many
    files it hosts."""
    specs = spec.get("resources") or []
    try:
        existing: Optional[dict[str, Any]] = tk.get_action("package_show")(_context(sysadmin), {"id": spec["name"]})
    except tk.ObjectNotFound:
        existing = None
    before = {r.get("name"): r for r in (existing or {}).get("resources", [])}
    resources = []
    for res in specs:
        data, prev = _fields(res), before.get(res.get("name"))
        if prev is not None:
            data["id"] = prev["id"]
        if res.get("file"):
            if prev is None:
                continue  # created with its upload below
            data = dict(prev, **data)  # keeps the hosted file and the DataStore flag
        elif res.get("preview") and prev is not None and prev.get("url"):
            data["url"] = prev["url"]
        resources.append(data)
    pkg = dict(_fields(spec), resources=resources)
    if existing is None:
        pkg = tk.get_action("package_create")(_context(sysadmin), pkg)
    else:
        pkg = tk.get_action("package_update")(_context(sysadmin), dict(pkg, id=existing["id"]))

    hosted = []
    for res in specs:
        if res.get("file"):
            current = next((r for r in pkg["resources"] if r.get("name") == res.get("name")), None)
            hosted.append(_host(sysadmin, spec, pkg["id"], res, current))
    pkg = tk.get_action("package_show")(_context(sysadmin), {"id": pkg["id"]})
    if hosted:
        _link_previews(sysadmin, pkg, specs, hosted[0])
    _keep_order(sysadmin, pkg, specs)
    return len(hosted)


def _host(sysadmin: str, entry: dict[str, Any], package_id: str, spec: dict[str, Any],
          current: Optional[dict[str, Any]]) -> str:
    """Upload the entry's generated file as the resource ``spec`` (unless the hosted file
    is already this one), push its rows to the DataStore and give it a table preview.
    Returns the resource id."""
    kind = spec["file"]
    content = demo_files.file_bytes(kind, entry)
    digest = demo_files.digest(content)
    upload = FileStorage(stream=io.BytesIO(content), filename=f"{entry['name']}.{kind}",
                         content_type=demo_files.MEDIA_TYPES[kind])
    changed = current is None or current.get("url_type") != "upload" or current.get("hash") != digest
    if current is None:
        current = tk.get_action("resource_create")(_context(sysadmin), dict(
            _fields(spec), package_id=package_id, upload=upload, hash=digest))
    elif changed:
        data = {k: v for k, v in current.items() if k not in ("size", "mimetype", "last_modified", "url")}
        current = tk.get_action("resource_update")(_context(sysadmin), dict(
            data, **_fields(spec), upload=upload, hash=digest))
    if p.plugin_loaded("datastore") and (changed or not current.get("datastore_active")):
        _push(sysadmin, entry, current["id"])
    if p.plugin_loaded(PREVIEW_VIEW):
        views = tk.get_action("resource_view_list")(_context(sysadmin), {"id": current["id"]})
        if not any(v.get("view_type") == PREVIEW_VIEW for v in views):
            tk.get_action("resource_view_create")(_context(sysadmin), {
                "resource_id": current["id"], "view_type": PREVIEW_VIEW, "title": "数据预览"})
    return current["id"]


def _push(sysadmin: str, entry: dict[str, Any], resource_id: str) -> None:
    """The file's rows as the resource's DataStore table (replacing any earlier table)."""
    try:
        tk.get_action("datastore_delete")(_context(sysadmin), {"resource_id": resource_id, "force": True})
    except tk.ObjectNotFound:
        pass
    tk.get_action("datastore_create")(_context(sysadmin), {
        "resource_id": resource_id, "force": True,
        "fields": demo_files.datastore_fields(entry),
        "records": demo_files.datastore_records(entry),
    })


def _link_previews(sysadmin: str, pkg: dict[str, Any], specs: list[dict[str, Any]], file_id: str) -> None:
    """在线浏览 resources marked ``preview`` point to the page previewing the first file."""
    target = f"{tk.config.get('ckan.site_url', '').rstrip('/')}/dataset/{pkg['name']}/resource/{file_id}"
    names = {s.get("name") for s in specs if s.get("preview")}
    for res in pkg["resources"]:
        if res.get("name") in names and res.get("url") != target:
            tk.get_action("resource_patch")(_context(sysadmin), {"id": res["id"], "url": target})


def _keep_order(sysadmin: str, pkg: dict[str, Any], specs: list[dict[str, Any]]) -> None:
    """Resources in the order of the demo file (hosted ones are created last)."""
    rank = {s.get("name"): n for n, s in enumerate(specs)}
    ids = [r["id"] for r in pkg["resources"]]
    wanted = [r["id"] for r in sorted(pkg["resources"], key=lambda r: rank.get(r.get("name"), len(rank)))]
    if ids != wanted:
        tk.get_action("package_resource_reorder")(_context(sysadmin), {"id": pkg["id"], "order": wanted})


def _application(spec: dict[str, Any]) -> None:
    """Submit a demo application (its client_token makes a reload return the same one)
    and play the decisions listed under ``then`` that have not happened yet."""
    spec = dict(spec)
    steps = spec.pop("then", [])
    user = spec.pop("as")
    data = {k: v for k, v in spec.items() if k not in ("package", "applicant_org")}
    if "package" in spec:
        data["package_id"] = spec["package"]
    if "applicant_org" in spec:
        data["applicant_org_id"] = spec["applicant_org"]
    app = tk.get_action("govshare_application_create")(_context(user), data)
    for step in steps:
        step = dict(step)
        action = step.pop("action")
        actor = step.pop("as")
        current = tk.get_action("govshare_application_show")(_context(actor), {"id": app["id"]})
        if not current["pending"]:  # decided or withdrawn already (vocab.PENDING_STATUSES)
            break
        if action == "extend" and current["extension_count"]:
            continue
        tk.get_action(f"govshare_application_{action}")(_context(actor), dict(step, id=app["id"]))
