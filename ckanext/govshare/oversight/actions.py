# -*- coding: utf-8 -*-
"""Reading the ten-year logs (``govshare_log_list``). There is deliberately no action that
writes, changes or deletes a log row: rows come only from the signal receivers
(``oversight/subscriptions.py``) and the database refuses UPDATE and DELETE."""
from __future__ import annotations

import datetime
from typing import Any

import sqlalchemy as sa

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import ActionResult, Context, DataDict, Schema, Validator

from ckanext.govshare.oversight.model import LOGS
from ckanext.govshare.applications import workdays
from ckanext.govshare.oversight import indicators, statistics
from ckanext.govshare.authority.role import is_authority

__all__ = ["govshare_log_list", "govshare_statistics_show"]

_ = tk._
MAX_LIMIT = 1000
FILTERS = {"package_id": ("catalogue", "exchange"), "actor_id": ("catalogue", "exchange"),
           "channel": ("exchange", "query"), "action": ("catalogue",), "organization_id": ("catalogue", "exchange")}


@tk.validator_args
def log_list_schema(not_empty: Validator, ignore_missing: Validator, unicode_safe: Validator,
                    one_of: Validator, isodate: Validator, int_validator: Validator,
                    govshare_boolean: Validator) -> Schema:
    return {
        "log": [not_empty, unicode_safe, one_of(list(LOGS))],
        "since": [ignore_missing, isodate],
        "until": [ignore_missing, isodate],
        "package_id": [ignore_missing, unicode_safe],
        "actor_id": [ignore_missing, unicode_safe],
        "organization_id": [ignore_missing, unicode_safe],
        "channel": [ignore_missing, unicode_safe],
        "action": [ignore_missing, unicode_safe],
        "after": [ignore_missing, unicode_safe],
        "limit": [ignore_missing, int_validator],
        "count": [ignore_missing, govshare_boolean],
    }


def _cursor(value: str) -> tuple[datetime.datetime, int]:
    try:
        at, seq = value.rsplit("/", 1)
        return datetime.datetime.fromisoformat(at), int(seq)
    except ValueError:
        raise tk.ValidationError({"after": [_("Not a cursor returned by this action")]})


def _row(row: Any) -> dict[str, Any]:
    out = dict(row._mapping)
    for key, value in out.items():
        if isinstance(value, (bytes, memoryview)):
            out[key] = bytes(value).hex()
        elif isinstance(value, datetime.datetime):
            out[key] = value.isoformat()
    return out


@tk.side_effect_free
@tk.validate(log_list_schema)
def govshare_log_list(context: Context, data_dict: DataDict) -> ActionResult.AnyDict:
    """Rows of one of the platform's logs for a period, oldest first (kunming-2019 §27:
    变更日志, 共享交换日志, 信息查询日志; chongqing-2018 §29). The data authority only.

    :param log: ``catalogue`` (entries created, updated, deleted, with their open and share
        levels before and after), ``exchange`` (who obtained which resource, when, through
        which channel and on which basis) or ``query`` (searches; the searcher masked)
    :type log: string
    :param since: first moment (UTC, ISO 8601; a date means its midnight); default: none
    :type since: string
    :param until: end of the period, exclusive (UTC, ISO 8601); default: none
    :type until: string
    :param package_id: only rows of this entry (catalogue, exchange)
    :type package_id: string
    :param actor_id: only rows of this user id (catalogue, exchange)
    :type actor_id: string
    :param organization_id: only entries of this department (catalogue, exchange)
    :type organization_id: string
    :param channel: exchange: ``download``, ``datastore_search``, ``datastore_search_sql``,
        ``api``; query: ``web`` or ``api``
    :type channel: string
    :param action: catalogue: ``created``, ``updated`` or ``deleted``
    :type action: string
    :param after: the ``next`` of the previous page (keyset paging)
    :type after: string
    :param limit: rows per page (default 100, at most 1000)
    :type limit: int
    :param count: also count every row of the period that matches (slower on long periods)
    :type count: bool
    :returns: ``{"log", "rows": [...], "next": cursor or None, "count": n (when asked)}``;
        each row with its ``seq``, ``at``, ``prev_hash`` and ``hash`` (hex)
    :rtype: dictionary
    """
    tk.check_access("govshare_log_list", context, data_dict)
    kind = data_dict["log"]
    table = LOGS[kind].__table__
    where = []
    for key, logs in FILTERS.items():
        if data_dict.get(key) is not None:
            if kind not in logs:
                raise tk.ValidationError({key: [_("This log has no such field")]})
            where.append(table.c[key] == data_dict[key])
    if data_dict.get("since") is not None:
        where.append(table.c.at >= data_dict["since"])
    if data_dict.get("until") is not None:
        where.append(table.c.at < data_dict["until"])
    limit = min(max(int(data_dict.get("limit") or 100), 1), MAX_LIMIT)
    page = sa.select(table).where(*where)
    if data_dict.get("after"):
        at, seq = _cursor(data_dict["after"])
        page = page.where(sa.tuple_(table.c.at, table.c.seq) > sa.tuple_(sa.literal(at), sa.literal(seq)))
    rows = model.Session.execute(page.order_by(table.c.at, table.c.seq).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    out: dict[str, Any] = {"log": kind, "rows": [_row(r) for r in rows],
                           "next": f"{rows[-1].at.isoformat()}/{rows[-1].seq}" if more else None}
    if tk.asbool(data_dict.get("count")):
        out["count"] = model.Session.execute(sa.select(sa.func.count()).select_from(table).where(*where)).scalar()
    return out


# --- statistics (kunming-2019 §27 定期公布, §35) ------------------------------------------------

@tk.validator_args
def statistics_show_schema(ignore_missing: Validator, unicode_safe: Validator,
                           govshare_positive_int: Validator) -> Schema:
    return {
        "year": [ignore_missing, govshare_positive_int],
        "organization_id": [ignore_missing, unicode_safe],
    }


def _organization(value: str) -> model.Group:
    org = model.Group.get(value)
    if org is None or not org.is_organization or org.state != "active":
        raise tk.ObjectNotFound(_("Department not found"))
    return org


def statistics_for(context: Context, year: int, org: "model.Group | None") -> dict[str, Any]:
    """The statistics and indicators of ``year`` as the caller may see them: the aggregate
    figures for everybody; the lists naming entries (per-entry use, entries late for their
    update) only for the department's members (their department) and the authority."""
    if not 2000 <= year <= 2100:
        raise tk.ValidationError({"year": [_("Not a year the platform has figures for")]})
    stats = statistics.compute(statistics.Period.year(year), org.id if org else None)
    stats["indicators"] = indicators.score(stats)
    detailed = org is not None or is_authority(context.get("user"))
    if not detailed:
        stats["usage"]["per_entry"] = []
        stats["updates"]["late_entries"] = []
    stats["detailed"] = detailed
    return stats


@tk.side_effect_free
@tk.validate(statistics_show_schema)
def govshare_statistics_show(context: Context, data_dict: DataDict) -> ActionResult.AnyDict:
    """The platform's figures for a calendar year (Beijing time), overall or of one department,
    computed from the records (kunming-2019 §27, §35; shenyang-2016 §12; kunming-2019 §18):
    entries by open and share attribute, entries updated on time against their update cycle,
    requests by kind and outcome, reply time in working days (median, 90th percentile),
    overdue requests, extensions, downloads, API calls and share exchanges, and the evaluation
    indicators. The overall figures are public; the entry lists and a department's figures
    are for the department's members and the data authority.

    :param year: the calendar year (default: the current one, in Beijing time)
    :type year: int
    :param organization_id: a department's id or name (default: the whole platform)
    :type organization_id: string
    :returns: the figures (see ``oversight/statistics.py`` for the definitions)
    :rtype: dictionary
    """
    org = _organization(data_dict["organization_id"]) if data_dict.get("organization_id") else None
    tk.check_access("govshare_statistics_show", context, {"organization_id": org.id if org else None})
    year = int(data_dict.get("year") or workdays.local_date(datetime.datetime.utcnow()).year)  # Beijing time
    return statistics_for(context, year, org)
