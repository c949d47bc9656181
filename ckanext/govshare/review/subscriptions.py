# -*- coding: utf-8 -*-
"""The review's receivers of signals: entries a department imported from a spreadsheet wait
for the authority's review, however the importer wrote them (``catalogue/signals.py``)."""
from __future__ import annotations

from typing import Any

from ckanext.govshare.catalogue import signals as catalogue_signals
from ckanext.govshare.review import workflow


def entries_imported(sender: Any, created: Any = (), changed: Any = (), **kwargs: Any) -> None:
    """``ckanext.govshare.catalogue_entries_imported``: sender the importer's user name."""
    workflow.imported(str(sender or ""), [i for i in created or () if isinstance(i, str)],
                      [i for i in changed or () if isinstance(i, str)])


def get_signal_subscriptions() -> dict[Any, list[Any]]:
    return {catalogue_signals.entries_imported: [entries_imported]}
