# -*- coding: utf-8 -*-
"""Load the Chinese demo catalogue (data/demo_catalogue.yaml) through the action API.

Idempotent: departments, accounts and datasets are matched by name and updated in place,
so running it twice leaves one copy of everything.
"""
from __future__ import annotations

import copy
import os
from typing import Any

import yaml

import ckan.plugins.toolkit as tk
from ckan import model

DEMO_FILE = os.path.join(os.path.dirname(__file__), "data", "demo_catalogue.yaml")


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


def load(sysadmin: str, path: str = DEMO_FILE) -> dict[str, int]:
    """Load the demo catalogue as ``sysadmin``; returns counts per kind."""
    catalogue = read(path)
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    counts = {"departments": 0, "accounts": 0, "datasets": 0}

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

    for account in catalogue.get("users", []):
        for org_name, role in (account.get("memberships") or {}).items():
            tk.get_action("organization_member_create")(
                _context(sysadmin),
                {"id": org_name, "username": account["name"], "role": role},
            )

    for dataset in catalogue.get("datasets", []):
        _upsert(sysadmin, "package", dataset)
        counts["datasets"] += 1

    counts["applications"] = 0
    for application in catalogue.get("applications", []):
        _application(application)
        counts["applications"] += 1
    return counts


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
        if current["status"] not in ("submitted", "extended"):
            break
        if action == "extend" and current["extension_count"]:
            continue
        tk.get_action(f"govshare_application_{action}")(_context(actor), dict(step, id=app["id"]))
