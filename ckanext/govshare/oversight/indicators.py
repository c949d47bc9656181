# -*- coding: utf-8 -*-
"""The platform scored against the indicators by which Chinese open-data portals are publicly
evaluated (the 中国开放数林指数 and the provincial evaluations modelled on it look at data
quality — machine-readable, non-proprietary formats, interfaces —, upkeep against the stated
更新周期, and how requests and demands are answered). kunming-2019 §34 and shenyang-2016 §26
make the authority evaluate the departments; these scores let it see where it stands first.

Each indicator is a share (0-100) of the statistics of ``statistics.compute`` — one source for
the page, the report and the API — with its definition. An indicator with nothing to measure
(no open entries, no decided request …) has no score and does not count in the mean.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional

import ckan.plugins.toolkit as tk

__all__ = ["INDICATORS", "score"]

_ = tk._


@dataclass(frozen=True)
class Indicator:
    code: str
    part: Callable[[dict[str, Any]], int]
    whole: Callable[[dict[str, Any]], int]

    def label(self) -> str:
        return {"machine_readable": _("Machine-readable, non-proprietary formats"),
                "api_access": _("Data available through an interface"),
                "update_timeliness": _("Updated on time against the update cycle"),
                "reply_timeliness": _("Requests answered within the deadline"),
                "demands_answered": _("Open-data demands answered publicly")}[self.code]

    def definition(self) -> str:
        return {"machine_readable": _("Open entries (unconditionally or conditionally open) with at least one "
                                      "resource in a machine-readable, non-proprietary format (CSV, JSON, XML, "
                                      "RDF and the like), out of all open entries."),
                "api_access": _("Open entries whose data can be read through an interface (a service "
                                "interface, API access or the DataStore), out of all open entries."),
                "update_timeliness": _("Entries with a regular update cycle whose data was last updated no "
                                       "longer ago than the cycle, out of all entries with a regular cycle."),
                "reply_timeliness": _("Requests received in the period and answered by their deadline "
                                      "(extension included), out of those answered."),
                "demands_answered": _("Open-data demands received in the period that have a published reply, "
                                      "out of those not withdrawn.")}[self.code]


INDICATORS: tuple[Indicator, ...] = (
    Indicator("machine_readable", lambda s: s["entries"]["machine_readable"], lambda s: s["entries"]["open_entries"]),
    Indicator("api_access", lambda s: s["entries"]["api"], lambda s: s["entries"]["open_entries"]),
    Indicator("update_timeliness", lambda s: s["updates"]["on_time"], lambda s: s["updates"]["regular"]),
    Indicator("reply_timeliness", lambda s: s["requests"]["on_time"], lambda s: s["requests"]["decided"]),
    Indicator("demands_answered", lambda s: s["requests"]["demands_answered"], lambda s: s["requests"]["demands"]),
)


def score(stats: dict[str, Any]) -> dict[str, Any]:
    """The indicators of ``stats`` (one ``statistics.compute`` result) and their mean.

    Each: ``code``, ``label``, ``definition``, ``part``, ``whole`` and ``score`` (a percentage
    with one decimal, or None when ``whole`` is 0)."""
    rows = []
    for ind in INDICATORS:
        part, whole = ind.part(stats), ind.whole(stats)
        value: Optional[float] = round(100.0 * part / whole, 1) if whole else None
        rows.append({"code": ind.code, "label": ind.label(), "definition": ind.definition(),
                     "part": part, "whole": whole, "score": value})
    scored = [r["score"] for r in rows if r["score"] is not None]
    return {"indicators": rows, "overall": round(sum(scored) / len(scored), 1) if scored else None}
