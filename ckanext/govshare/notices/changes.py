# -*- coding: utf-8 -*-
"""What counts as a change of an entry's *data* or *conditions* (shenyang-2016 §22), as two
fingerprints of the saved entry:

- data: its active resources — id, location, upload type, format, size, hash, last change;
- conditions: the open and share attributes and the fields that state the conditions and
  their basis (共享条件, 开放条件, 共享方式, 使用要求, licence).

The last fingerprints seen are kept in ``govshare_notice_state``; a save that leaves both
as they were (a title edit, a tag) notifies nobody."""
from __future__ import annotations

import datetime
import hashlib
import json
from typing import Any, Optional

from ckan import model

from ckanext.govshare import compat
from ckanext.govshare.notices.model import EntryState, utcnow

__all__ = ["CONDITION_FIELDS", "RESOURCE_FIELDS", "fingerprints", "observe"]

CONDITION_FIELDS = ("open_type", "share_type", "open_condition", "share_condition", "open_basis",
                    "share_basis", "share_methods", "usage_requirements")
RESOURCE_FIELDS = ("url", "url_type", "format", "size", "hash", "last_modified")


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
                          .encode("utf-8")).hexdigest()


def _plain(value: Any) -> str:
    return "" if value is None or value == "" else str(value)


def fingerprints(pkg: model.Package) -> tuple[str, str]:
    """(data, conditions) fingerprints of the entry as the session holds it."""
    # empty values normalised (a save turns None into '' or False without changing anything)
    resources = sorted(
        ([r.id] + [_plain(getattr(r, f, None)) for f in RESOURCE_FIELDS]
         + [bool((r.extras or {}).get("datastore_active"))]
         for r in pkg.resources_all if r.state == "active"), key=lambda r: r[0])
    extras = compat.package_extras(pkg)
    conditions = {f: _plain(extras.get(f)) for f in CONDITION_FIELDS}
    conditions["license_id"] = _plain(pkg.license_id)
    return _digest(resources), _digest(conditions)


def observe(pkg: model.Package, at: Optional[datetime.datetime] = None) -> list[str]:
    """Compare the entry with what was last seen and remember it (not committed). What changed:
    ``[]``, ``["data"]``, ``["conditions"]`` or both. The first sight of an entry is a baseline,
    no change."""
    at = at or utcnow()
    data, conditions = fingerprints(pkg)
    state = model.Session.get(EntryState, pkg.id)
    if state is None:
        model.Session.add(EntryState(package_id=pkg.id, data_hash=data, conditions_hash=conditions, seen_at=at))
        return []
    changed = []
    if state.data_hash != data:
        changed.append("data")
        state.data_hash, state.data_changed_at = data, at
    if state.conditions_hash != conditions:
        changed.append("conditions")
        state.conditions_hash, state.conditions_changed_at = conditions, at
    state.seen_at = at
    return changed
