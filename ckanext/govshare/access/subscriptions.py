# -*- coding: utf-8 -*-
"""Access's receivers of CKAN signals, as ckanext-activity's ``subscriptions`` module: when an
entry is saved (its levels may have changed), its past activities are relabelled so that an
entry that left the public catalogue leaves the public activity streams at once. The plugin
connects them through ``ISignal`` (``get_signal_subscriptions``)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import SignalMapping

from ckanext.govshare.access import doors

# actions after which an entry's permission labels may differ: package_patch and the
# resource_* actions save through package_update, which sends its own signal
_ENTRY_SAVED = ("package_create", "package_update", "package_delete")
_ENTRIES_SAVED = ("bulk_update_public", "bulk_update_private", "bulk_update_delete")


def get_signal_subscriptions() -> SignalMapping:
    return {
        tk.signals.action_succeeded: [
            *({"sender": name, "receiver": entry_saved} for name in _ENTRY_SAVED),
            *({"sender": name, "receiver": entries_saved} for name in _ENTRIES_SAVED),
        ],
    }


def _commit(kwargs: dict[str, Any]) -> None:
    context = kwargs.get("context") or {}
    if not context.get("defer_commit"):
        model.Session.commit()


def entry_saved(sender: str, **kwargs: Any) -> None:
    """package_create / package_update / package_delete succeeded: relabel the entry's
    activities (``result`` is the entry, or only its id with ``return_id_only``)."""
    result, data_dict = kwargs.get("result"), kwargs.get("data_dict") or {}
    if isinstance(result, dict) and result.get("id"):
        package_id = result["id"]
    elif isinstance(result, str) and result:
        package_id = result
    else:
        package_id = data_dict.get("id") if isinstance(data_dict.get("id"), str) else None
    if not package_id:
        return
    doors.update_activity_labels(package_id)
    _commit(kwargs)


def entries_saved(sender: str, **kwargs: Any) -> None:
    """bulk_update_public / private / delete succeeded: relabel each entry's activities."""
    datasets = (kwargs.get("data_dict") or {}).get("datasets") or []
    for package_id in datasets:
        pkg = model.Package.get(package_id) if isinstance(package_id, str) else None
        if pkg is None:
            continue
        # the bulk actions update the table, not the objects the session holds
        model.Session.refresh(pkg)
        doors.update_activity_labels(pkg.id)
    _commit(kwargs)
