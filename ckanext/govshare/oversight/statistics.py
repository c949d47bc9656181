# -*- coding: utf-8 -*-
"""The platform's figures, per department and overall, for a period (kunming-2019 §27
"定期公布", §35; shenyang-2016 §12, §26; kunming-2019 §18).

Everything is computed from the records at the time of asking — the catalogue tables, the
applications and their append-only event log, the ten-year exchange log — never from counters
kept beside them, so a figure cannot drift from what happened. One function, :func:`compute`,
returns every figure as plain data; the pages, the API (``govshare_statistics_show``), the
indicators (``indicators.py``) and the yearly report (``report.py``) all read that one result,
so they cannot disagree.

Definitions (also shown on the pages):

- **entries**: catalogue entries (datasets, state active) created before the end of the
  period, by their open and share attribute as recorded now;
- **updated on time** (shenyang-2016 §12, kunming-2019 §18): an entry with a regular 更新周期
  whose data was last updated (the latest creation of one of its resources or change of its
  data, ``last_modified``; else the entry's release) no longer ago than its cycle
  (:data:`CYCLE_DAYS`), at the end of the period (or now, for a period not over yet);
  不定期 entries are not counted;
- **requests**: applications received in the period, by kind and outcome;
- **reply time**: working days (``applications/workdays.py``, holidays and make-up days
  included) from the day of receipt (not counted) to the day of the decision, both in Beijing
  time; the median and the 90th percentile (nearest rank) of the decided requests;
- **overdue**: requests received in the period decided after their deadline (extension
  included), or still pending after it;
- **extensions**: extensions consented (event ``extend``) in the period;
- **downloads / API calls / share exchanges** (kunming-2019 §27 共享交换日志): rows of the
  exchange log in the period: downloads; API calls (API reads and DataStore queries); share
  exchanges (data obtained by a department through a share attribute or a share grant).
"""
from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from typing import Any, Iterable, Optional
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ckan import model

from ckanext.govshare import compat, vocab
from ckanext.govshare.applications import workdays
from ckanext.govshare.applications.model import Application, ApplicationEvent
from ckanext.govshare.oversight.model import ExchangeLog

__all__ = ["Period", "CYCLE_DAYS", "OUTCOMES", "API_CHANNELS", "OPEN_FORMATS", "compute", "compute_all",
           "percentile", "median", "departments"]

#: the longest time between two updates an entry of each 更新周期 may go, in days
#: (实时 entries are held to a day: the records cannot see a live feed)
CYCLE_DAYS: dict[str, int] = {"realtime": 1, "daily": 1, "weekly": 7, "monthly": 31, "quarterly": 92,
                              "semiannual": 183, "annual": 366}
#: a request's outcome: its final status, or pending
OUTCOMES = ("approved", "refused", "withdrawn", "pending")
#: exchange-log channels counted as API calls
API_CHANNELS = ("api", "datastore_search", "datastore_search_sql")
#: machine-readable, non-proprietary formats (a resource's format, upper case)
OPEN_FORMATS = frozenset({"CSV", "TSV", "JSON", "GEOJSON", "JSON-LD", "JSONLD", "XML", "RDF", "TTL",
                          "TURTLE", "N3", "NT", "KML", "GML", "ODS", "TXT"})
#: resource formats that are a service interface
API_FORMATS = frozenset(f.upper() for f in vocab.FORMAT_SUBTYPES["service_api"]) | {"API"}
#: how many entries the per-entry usage table lists
TOP_ENTRIES = 20


@dataclass(frozen=True)
class Period:
    """Whole days in Beijing time, ``start`` to ``end`` inclusive."""

    start: datetime.date
    end: datetime.date

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls(datetime.date(year, 1, 1), datetime.date(year, 12, 31))

    @property
    def start_utc(self) -> datetime.datetime:
        local = datetime.datetime.combine(self.start, datetime.time.min, tzinfo=ZoneInfo(workdays.TZ))
        return workdays.naive_utc(local)

    @property
    def end_utc(self) -> datetime.datetime:
        return workdays.end_of_day_utc(self.end)

    def as_dict(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


def percentile(values: Iterable[float], q: float) -> Optional[float]:
    """The q-th percentile (0 < q <= 100) by the nearest-rank method; None without values."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def median(values: Iterable[float]) -> Optional[float]:
    """The median (the mean of the two middle values for an even count); None without values."""
    ordered = sorted(values)
    n = len(ordered)
    if not n:
        return None
    mid = n // 2
    return ordered[mid] if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def departments() -> list[tuple[str, str, str]]:
    """``(id, name, title)`` of every active department (organization), by title."""
    rows = (model.Session.query(model.Group.id, model.Group.name, model.Group.title)
            .filter(model.Group.is_organization.is_(True), model.Group.state == "active")
            .order_by(model.Group.title, model.Group.name))
    return [(i, n, t or n) for i, n, t in rows]


def _pct(part: int, whole: int) -> Optional[float]:
    return round(100.0 * part / whole, 1) if whole else None


# -- entries ------------------------------------------------------------------------------

def _entries(period: Period, org_id: Optional[str], moment: datetime.datetime) -> dict[str, Any]:
    q = (model.Session.query(model.Package.id, model.Package.title, model.Package.name,
                             model.Package.owner_org, model.Package.metadata_created)
         .filter(model.Package.type == "dataset", model.Package.state == "active",
                 model.Package.metadata_created <= period.end_utc))
    if org_id:
        q = q.filter(model.Package.owner_org == org_id)
    packages = q.all()
    ids = [p.id for p in packages]
    extras = compat.extras_of(ids, ("open_type", "share_type", "update_cycle", "share_methods"))

    # each entry's resources: the latest data update, formats and API access
    last_update: dict[str, datetime.datetime] = {}
    formats: dict[str, set[str]] = {}
    api: set[str] = set()
    if ids:
        resources = (model.Session.query(model.Resource.package_id, model.Resource.format,
                                         model.Resource.extras, model.Resource.created,
                                         model.Resource.last_modified)
                     .filter(model.Resource.package_id.in_(ids), model.Resource.state == "active"))
        for pid, fmt, res_extras, created, modified in resources:
            # the data's times (a file uploaded or replaced), not the description's
            stamps = [t for t in (created, modified) if t is not None and t <= moment]
            if stamps:
                last_update[pid] = max([last_update[pid]] + stamps if pid in last_update else stamps)
            fmt_key = (fmt or "").strip().upper()
            formats.setdefault(pid, set()).add(fmt_key)
            res_extras = res_extras or {}
            if (fmt_key in API_FORMATS or res_extras.get("access_method") == "api"
                    or str(res_extras.get("datastore_active")).lower() == "true"):
                api.add(pid)

    open_counts = {t.value: 0 for t in vocab.OPEN_TYPES}
    share_counts = {t.value: 0 for t in vocab.SHARE_TYPES}
    regular = on_time = irregular = 0
    open_entries = open_machine = open_api = 0
    late: list[dict[str, Any]] = []
    for p in packages:
        ex = extras.get(p.id, {})
        if ex.get("open_type") in open_counts:
            open_counts[ex["open_type"]] += 1
        if ex.get("share_type") in share_counts:
            share_counts[ex["share_type"]] += 1
        if ex.get("open_type") in ("unconditional", "conditional"):
            open_entries += 1
            open_machine += bool(formats.get(p.id, set()) & OPEN_FORMATS)
            open_api += p.id in api or "api" in (ex.get("share_methods") or "")
        cycle = ex.get("update_cycle")
        if cycle in CYCLE_DAYS:
            regular += 1
            updated = last_update.get(p.id, p.metadata_created)
            if moment - updated <= datetime.timedelta(days=CYCLE_DAYS[cycle]):
                on_time += 1
            else:
                late.append({"id": p.id, "name": p.name, "title": p.title, "update_cycle": cycle,
                             "last_update": workdays.local_date(updated).isoformat()})
        else:
            irregular += 1
    late.sort(key=lambda e: e["last_update"])
    return {
        "entries": {"total": len(packages), "open": open_counts, "share": share_counts,
                    "open_entries": open_entries, "machine_readable": open_machine, "api": open_api},
        "updates": {"regular": regular, "on_time": on_time, "late": regular - on_time,
                    "irregular": irregular, "on_time_pct": _pct(on_time, regular), "late_entries": late[:50],
                    "as_of": workdays.local_date(moment).isoformat()},
    }


# -- requests -----------------------------------------------------------------------------

def _requests(period: Period, org_id: Optional[str], now: datetime.datetime) -> dict[str, Any]:
    q = (model.Session.query(Application.id, Application.kind, Application.status, Application.received_at,
                             Application.decided_at, Application.due_at, Application.decision_reason)
         .filter(Application.received_at >= period.start_utc, Application.received_at <= period.end_utc))
    if org_id:
        q = q.filter(Application.provider_org_id == org_id)
    calendar = workdays.get_calendar()
    by_kind = {kind: {o: 0 for o in OUTCOMES} | {"total": 0} for kind in vocab.APPLICATION_KINDS.values()}
    reply_days: list[int] = []
    overdue = on_time = decided = 0
    demands = demands_answered = 0
    for _id, kind, status, received, decided_at, due_at, reason in q:
        outcome = status if status in OUTCOMES else "pending"
        row = by_kind.setdefault(kind, {o: 0 for o in OUTCOMES} | {"total": 0})
        row[outcome] += 1
        row["total"] += 1
        replied = decided_at is not None and status in ("approved", "refused")
        if replied:
            decided += 1
            reply_days.append(calendar.working_days_between(workdays.local_date(received),
                                                            workdays.local_date(decided_at)))
            if decided_at <= due_at:
                on_time += 1
        late_reply = replied and decided_at > due_at
        late_pending = status in vocab.PENDING_STATUSES and now > due_at
        overdue += late_reply or late_pending
        if kind == "open_demand" and status != "withdrawn":
            demands += 1
            demands_answered += bool(replied and (reason or "").strip())

    ext = (model.Session.query(sa.func.count(ApplicationEvent.id))
           .join(Application, Application.id == ApplicationEvent.application_id)
           .filter(ApplicationEvent.action == "extend", ApplicationEvent.at >= period.start_utc,
                   ApplicationEvent.at <= period.end_utc))
    if org_id:
        ext = ext.filter(Application.provider_org_id == org_id)
    total = sum(r["total"] for r in by_kind.values())
    return {
        "total": total,
        "by_kind": by_kind,
        "by_outcome": {o: sum(r[o] for r in by_kind.values()) for o in OUTCOMES},
        "decided": decided,
        "on_time": on_time,
        "on_time_pct": _pct(on_time, decided),
        "reply_days": {"count": len(reply_days), "median": median(reply_days), "p90": percentile(reply_days, 90)},
        "overdue": overdue,
        "extensions": int(ext.scalar() or 0),
        "demands": demands,
        "demands_answered": demands_answered,
    }


# -- usage (the exchange log) -------------------------------------------------------------

def _usage_rows(period: Period, org_id: Optional[str]) -> list[tuple[Optional[str], str, int, int, int]]:
    """(department, entry, downloads, API calls, share exchanges) of the period: one grouped
    query over the exchange log's partitions of the period."""
    E = ExchangeLog
    api = E.channel.in_(API_CHANNELS)
    share = E.basis.like("share:%")
    q = (model.Session.query(
        E.organization_id, E.package_id,
        sa.func.count().filter(E.channel == "download"),
        sa.func.count().filter(api),
        sa.func.count().filter(share))
        .filter(E.at >= period.start_utc, E.at <= period.end_utc, E.package_id.isnot(None))
        .group_by(E.organization_id, E.package_id))
    if org_id:
        q = q.filter(E.organization_id == org_id)
    return [(org, pid, int(d), int(a), int(s)) for org, pid, d, a, s in q]


def _usage(rows: list[tuple[Optional[str], str, int, int, int]]) -> dict[str, Any]:
    per: dict[str, list[int]] = {}
    for _org, pid, d, a, s in rows:
        counts = per.setdefault(pid, [0, 0, 0])
        counts[0] += d
        counts[1] += a
        counts[2] += s
    names: dict[str, tuple[str, str]] = {}
    if per:
        names = {pid: (name, title) for pid, name, title in model.Session.query(
            model.Package.id, model.Package.name, model.Package.title).filter(model.Package.id.in_(list(per)))}
    per_entry = sorted(({"id": pid, "name": names.get(pid, (pid, ""))[0],
                         "title": names.get(pid, (pid, ""))[1] or names.get(pid, (pid, ""))[0],
                         "downloads": d, "api_calls": a, "share_exchanges": s} for pid, (d, a, s) in per.items()),
                       key=lambda e: (-(e["downloads"] + e["api_calls"]), e["title"]))
    return {
        "downloads": sum(c[0] for c in per.values()),
        "api_calls": sum(c[1] for c in per.values()),
        "share_exchanges": sum(c[2] for c in per.values()),
        "entries_used": len(per),
        "per_entry": per_entry[:TOP_ENTRIES],
    }


def compute(period: Period, org_id: Optional[str] = None,
            now: Optional[datetime.datetime] = None,
            usage_rows: Optional[list[tuple[Optional[str], str, int, int, int]]] = None) -> dict[str, Any]:
    """Every figure for ``period``, of one department (``org_id``) or the whole platform.

    ``now`` (naive UTC; default: the current time) decides what is pending and overdue, and
    the moment update timeliness is judged at for a period not over yet. ``usage_rows``: the
    period's exchange-log counts already read (``compute_all``)."""
    now = now or datetime.datetime.utcnow()
    moment = min(now, period.end_utc)
    out: dict[str, Any] = {"period": period.as_dict(), "organization_id": org_id,
                           "computed_at": now.replace(microsecond=0).isoformat(),
                           "computed_on": workdays.local_date(now).isoformat()}  # Beijing date
    out.update(_entries(period, org_id, moment))
    out["requests"] = _requests(period, org_id, now)
    rows = _usage_rows(period, org_id) if usage_rows is None else [r for r in usage_rows
                                                                     if org_id is None or r[0] == org_id]
    out["usage"] = _usage(rows)
    return out


def compute_all(period: Period, now: Optional[datetime.datetime] = None
                ) -> tuple[dict[str, Any], list[tuple[str, str, str, dict[str, Any]]]]:
    """The platform's figures and every department's — ``(overall, [(id, name, title,
    figures)])`` — reading the exchange log once for all of them."""
    now = now or datetime.datetime.utcnow()
    rows = _usage_rows(period, None)
    overall = compute(period, None, now, usage_rows=rows)
    return overall, [(oid, name, title, compute(period, oid, now, usage_rows=rows))
                     for oid, name, title in departments()]
