# -*- coding: utf-8 -*-
"""Writing the ten-year logs (kunming-2019 §27; chongqing-2018 §29): one INSERT per event.

The database does the rest (``seq``, ``prev_hash``, ``hash``; migration ``b3e8…``). What
happens when a row cannot be written (docs/logs.md, "When a row cannot be written"):

- **catalogue changes** are written through the action's own session: when the action
  deferred its commit (a spreadsheet import, all-or-nothing) the row is part of the same
  transaction and is committed or rolled back with the change, and a row that cannot be
  written fails that transaction (no change without its row); otherwise it is committed
  right after the change. If it cannot be written then, the change stands (it is committed
  already) and the row is written to the server log at ERROR as JSON (``LOG_FAILED``), so it
  can be replayed, and the failure is counted (:data:`FAILURES`);
- **reads** (downloads, DataStore queries, API calls, searches) are written in their own
  short transaction on a connection of their own, never in the user's; a failure is logged
  at ERROR with the row and counted, and the user's request goes on.

A month's partition missing (the cron command creates them ahead) is created on demand and
the INSERT retried once.
"""
from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import logging
from collections import Counter
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.govshare.oversight.model import LOGS

log = logging.getLogger(__name__)

LOG_FAILED = "govshare log row not written"
# rows that could not be written, per log, in this process (also reported at ERROR)
FAILURES: Counter[str] = Counter()

# SQLSTATEs after which the INSERT is retried once, once the month's partitions exist:
# 23514 "no partition of relation … found for row", 0A000 a row whose ``at`` the chain
# trigger moved into the next month (the writer before it committed just after midnight)
_RETRY = {"23514", "0A000"}


def month_start(day: datetime.date | datetime.datetime) -> datetime.date:
    return datetime.date(day.year, day.month, 1)


def ensure_partitions(conn: Any, first_month: datetime.date, months: int) -> int:
    """Create the monthly partitions of every log from ``first_month`` on (idempotent)."""
    return int(conn.execute(sa.text("SELECT govshare_log_ensure_partitions(:m, :n)"),
                            {"m": first_month, "n": months}).scalar() or 0)


def _now() -> datetime.datetime:
    return datetime.datetime.utcnow()


def _pgcode(error: BaseException) -> Optional[str]:
    return getattr(getattr(error, "orig", None), "pgcode", None)


def _insert(kind: str, values: dict[str, Any]) -> Any:
    return sa.insert(LOGS[kind].__table__).values(**values)


def _report(kind: str, values: dict[str, Any], error: BaseException) -> None:
    FAILURES[kind] += 1
    log.error("%s (%s): %s %s", LOG_FAILED, kind, error,
              json.dumps({"log": kind, "row": values, "at": _now().isoformat()}, ensure_ascii=False, default=str))


_ENGINES: dict[str, Any] = {}


def _log_engine() -> Any:
    """The readers' log writer's own engine, on CKAN's database: autocommit (one INSERT is one
    transaction, one round trip, and the chain head's lock is held only for that statement)
    and no ping on checkout. Made on first use, so each worker process has its own."""
    url = model.meta.engine.url
    key = str(url)
    engine = _ENGINES.get(key)
    if engine is None:
        engine = _ENGINES[key] = sa.create_engine(url, isolation_level="AUTOCOMMIT", pool_size=2,
                                                  max_overflow=10, pool_recycle=3600)
    return engine


def write_read(kind: str, values: dict[str, Any]) -> bool:
    """Append a row to the exchange or query log in its own transaction; never raises."""
    engine = _log_engine()
    try:
        for attempt in (1, 2):
            try:
                with engine.connect() as conn:
                    conn.execute(_insert(kind, values))
                return True
            except DBAPIError as e:
                # retried once: a missing month (made now), or a connection the database
                # closed (the pool drops it; the retry takes a new one)
                if attempt == 2 or not (_pgcode(e) in _RETRY or e.connection_invalidated):
                    raise
                if _pgcode(e) in _RETRY:
                    with engine.connect() as conn:
                        ensure_partitions(conn, month_start(_now()), 2)
    except Exception as e:  # noqa: BLE001 - a read is never refused for its log row
        _report(kind, values, e)
    return False


_MONTHS_SEEN: set[datetime.date] = set()


def _ensure_this_month(conn: Any) -> None:
    """This month's partitions, checked once per process and month (no savepoint needed: a
    savepoint's release is announced to the session as a commit, and CKAN indexes on it)."""
    month = month_start(_now())
    if month not in _MONTHS_SEEN:
        ensure_partitions(conn, month, 2)
        _MONTHS_SEEN.add(month)


def write_change(values: dict[str, Any], deferred: bool) -> bool:
    """Append a row to the catalogue change log in the action's session (see the module).

    Deferred (the caller commits later, e.g. an import): if the row cannot be written the
    error is raised, so the caller's transaction — change and row — is rolled back together.
    Otherwise the change is committed already: the failure is reported and swallowed."""
    session = model.Session
    for attempt in (1, 2):
        try:
            _ensure_this_month(session.connection())
            session.execute(_insert("catalogue", values))
            if not deferred:
                session.commit()
            return True
        except Exception as e:  # noqa: BLE001
            if deferred:
                _report("catalogue", values, e)
                raise
            session.rollback()
            if attempt == 1 and isinstance(e, DBAPIError) and _pgcode(e) in _RETRY:
                _MONTHS_SEEN.clear()
                continue
            _report("catalogue", values, e)
    return False


# --- masking ------------------------------------------------------------------------------

def _key() -> bytes:
    secret = tk.config.get("SECRET_KEY") or tk.config.get("beaker.session.secret") or ""
    return hashlib.sha256(b"govshare-log-mask:" + str(secret).encode()).digest()


def mask(value: Optional[str]) -> Optional[str]:
    """A keyed hash (HMAC-SHA256 with a key derived from the site secret, 16 bytes in hex):
    the same user or address gives the same mask, so repeated use can be counted, but the
    log does not name them; without the site secret the mask cannot be reversed by trying
    every user id or address."""
    if not value:
        return None
    return hmac.new(_key(), value.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def dumps_detail(detail: Optional[dict[str, Any]]) -> Optional[dict[str, Any]]:
    """Keep a detail dict JSON-safe and small (strings cut at 2000 characters)."""
    if not detail:
        return None
    out: dict[str, Any] = {}
    for k, v in detail.items():
        if v is None:
            continue
        if isinstance(v, str) and len(v) > 2000:
            v = v[:2000] + "…"
        elif not isinstance(v, (str, int, float, bool, list, dict)):
            v = str(v)
        out[k] = v
    return out or None
