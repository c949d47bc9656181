# -*- coding: utf-8 -*-
"""DCAT's receivers of CKAN signals: a changed entry or department drops its cached triples.

The cache key already names the entry's version (``cache.py``: a changed entry is a new
key, so a stale triple is never served); these receivers drop the versions a change has
superseded, so that they do not wait in Redis for their expiry.

==============================================================  ==============================
signal ``action_succeeded`` (sender)                             dropped
==============================================================  ==============================
``package_update``, ``package_patch``, ``package_revise``,       the entry's cached versions
``package_delete``, ``dataset_purge``, ``package_owner_org_update``
(levels, fields, resources, state, department)
``resource_create``, ``resource_update``, ``resource_patch``,    the entry's cached versions
``resource_delete``, ``package_resource_reorder``
``bulk_update_public``, ``bulk_update_private``,                 each listed entry's
``bulk_update_delete``
``organization_update``, ``organization_patch``,                 every entry of the department
``organization_delete``, ``organization_purge`` (a rename: the
department's name and title are in its entries' triples)
==============================================================  ==============================
"""
from __future__ import annotations

import logging
from typing import Any, Optional

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import SignalMapping

from ckanext.govshare.dcat import cache

log = logging.getLogger(__name__)

__all__ = ["get_signal_subscriptions", "entry_changed", "resource_changed", "entries_changed",
           "department_changed"]

ENTRY_ACTIONS = ("package_update", "package_patch", "package_revise", "package_delete", "dataset_purge",
                 "package_owner_org_update")
RESOURCE_ACTIONS = ("resource_create", "resource_update", "resource_patch", "resource_delete",
                    "package_resource_reorder")
BULK_ACTIONS = ("bulk_update_public", "bulk_update_private", "bulk_update_delete")
DEPARTMENT_ACTIONS = ("organization_update", "organization_patch", "organization_delete", "organization_purge")


def get_signal_subscriptions() -> SignalMapping:
    return {
        tk.signals.action_succeeded: [
            *({"sender": name, "receiver": entry_changed} for name in ENTRY_ACTIONS),
            *({"sender": name, "receiver": resource_changed} for name in RESOURCE_ACTIONS),
            *({"sender": name, "receiver": entries_changed} for name in BULK_ACTIONS),
            *({"sender": name, "receiver": department_changed} for name in DEPARTMENT_ACTIONS),
        ],
    }


def _forget(package_ids: list[str]) -> None:
    try:
        cache.forget(package_ids)
    except Exception as e:  # Redis down: the keys are versioned and expire; log, do not fail
        log.warning("DCAT cache not cleared for %s: %s", package_ids[:3], e)


def _ref(value: Any) -> Optional[str]:
    return value if isinstance(value, str) and value else None


def entry_changed(sender: str, **kwargs: Any) -> None:
    result, data_dict = kwargs.get("result"), kwargs.get("data_dict") or {}
    refs = (result.get("id") if isinstance(result, dict) else result, data_dict.get("id"), data_dict.get("name"))
    ids = {r for r in (_ref(v) for v in refs) if r}
    found = {pkg.id for pkg in (model.Package.get(i) for i in ids) if pkg is not None}
    _forget(sorted(found | ids))


def resource_changed(sender: str, **kwargs: Any) -> None:
    result, data_dict = kwargs.get("result"), kwargs.get("data_dict") or {}
    ids = set()
    for source in (result if isinstance(result, dict) else {}, data_dict):
        package_id = _ref(source.get("package_id"))
        if package_id:
            ids.add(package_id)
    resource = model.Resource.get(data_dict["id"]) if _ref(data_dict.get("id")) else None
    if resource is not None:
        ids.add(resource.package_id)
    found = {pkg.id for pkg in (model.Package.get(i) for i in ids) if pkg is not None}
    _forget(sorted(found | ids))


def entries_changed(sender: str, **kwargs: Any) -> None:
    datasets = (kwargs.get("data_dict") or {}).get("datasets") or []
    _forget([d for d in datasets if isinstance(d, str)])


def department_changed(sender: str, **kwargs: Any) -> None:
    result, data_dict = kwargs.get("result"), kwargs.get("data_dict") or {}
    ref = (_ref(result.get("id")) if isinstance(result, dict) else None) or _ref(data_dict.get("id"))
    group = model.Group.get(ref) if ref else None
    if group is None:
        return
    try:
        cache.forget_department(group.id)
    except Exception as e:
        log.warning("DCAT cache not cleared for department %s: %s", group.id, e)
