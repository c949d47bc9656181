# -*- coding: utf-8 -*-
"""The hash chain of each log, recomputed outside the database (chongqing-2018 §29; the
ten-year logs of kunming-2019 §27 must be trustworthy for ten years).

Canonical serialisation of a row (the same in the trigger, here, and in every export)::

    canonical = (to_jsonb(row) - 'prev_hash' - 'hash')::text      -- PostgreSQL's jsonb text
    hash      = sha256(prev_hash || utf8(canonical))

jsonb text is deterministic: keys ordered by length then bytes, ``"key": value`` with one
space, timestamps (UTC, without zone) as ISO 8601 with microseconds, numbers as written.
The first row of a log has ``prev_hash`` = 32 zero bytes; after months are archived the
first remaining row links to the ``last_hash`` recorded in ``govshare_log_archive``.

:func:`verify` reads the rows in chain order (``at``, ``seq``; the trigger keeps ``at``
non-decreasing), recomputes each hash with Python's hashlib and reports the first row whose
content (``hash`` differs) or link (``prev_hash`` differs from the row before's ``hash``) is
broken, then compares the end of the chain with ``govshare_log_head`` and, if given, with
an anchor kept outside the database (``logs anchor``), so a cut or rewritten tail is seen.
"""
from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field
from typing import Any, Iterator, Optional

import sqlalchemy as sa

from ckan import model

from ckanext.govshare.oversight.model import LOGS

GENESIS = bytes(32)
BATCH = 10_000


def row_hash(prev_hash: bytes, canonical: str) -> bytes:
    return hashlib.sha256(prev_hash + canonical.encode("utf-8")).digest()


def table(kind: str) -> str:
    return LOGS[kind].__tablename__


def rows(conn: Any, kind: str, since: Optional[datetime.datetime] = None,
         before: Optional[datetime.datetime] = None) -> Iterator[Any]:
    """The rows of a log in chain order, each with its canonical text, streamed."""
    where, params = [], {}
    if since is not None:
        where.append("at >= :since")
        params["since"] = since
    if before is not None:
        where.append("at < :before")
        params["before"] = before
    sql = (f"SELECT seq, at, prev_hash, hash, (to_jsonb(t) - 'prev_hash' - 'hash')::text AS canonical "
           f"FROM {table(kind)} t {'WHERE ' + ' AND '.join(where) if where else ''} ORDER BY at, seq")
    # options on the statement: SQLAlchemy 2.0 (CKAN 2.12) changes the connection itself on
    # conn.execution_options(), and every later statement on it would become a server cursor
    stmt = sa.text(sql).execution_options(stream_results=True, max_row_buffer=BATCH)
    result = conn.execute(stmt, params)
    yield from result


def archived_tail(conn: Any, kind: str) -> Optional[Any]:
    """The last archived month of a log (its ``last_hash`` is where the chain now starts)."""
    return conn.execute(sa.text(
        "SELECT month, last_seq, last_hash FROM govshare_log_archive WHERE log = :log AND rows > 0 "
        "ORDER BY last_seq DESC LIMIT 1"), {"log": table(kind)}).first()


@dataclass
class Report:
    log: str
    rows: int = 0
    first_seq: Optional[int] = None
    last_seq: Optional[int] = None
    last_hash: Optional[str] = None
    broken: Optional[dict[str, Any]] = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.broken is None

    def as_dict(self) -> dict[str, Any]:
        return {"log": self.log, "ok": self.ok, "rows": self.rows, "first_seq": self.first_seq,
                "last_seq": self.last_seq, "last_hash": self.last_hash, "broken": self.broken,
                "notes": self.notes}


def verify(kind: str, since: Optional[datetime.datetime] = None,
           anchor: Optional[tuple[int, str]] = None, conn: Any = None) -> Report:
    """Recompute the chain of one log; the first broken row, if any, is ``report.broken``.

    ``since``: start at the first row at or after it and trust that row's ``prev_hash``
    (the rows before are not read). ``anchor``: (seq, hash hex) of a row recorded outside
    the database; the row must still be there with that hash."""
    own = conn is None
    conn = conn or model.meta.engine.connect()
    report = Report(log=kind)
    try:
        # one snapshot for the rows and the head
        trans = conn.begin() if own else None
        if own:
            conn.execute(sa.text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
        expected: Optional[bytes] = None
        if since is None:
            tail = archived_tail(conn, kind)
            expected = bytes(tail.last_hash) if tail is not None else GENESIS
            if tail is not None:
                report.notes.append(f"months up to {tail.month:%Y-%m} are archived; the chain continues from seq {tail.last_seq}")
        else:
            report.notes.append(f"from {since:%Y-%m-%d}: the first row's link to the rows before is not checked")
        previous_seq = None
        anchor_seen = False
        for row in rows(conn, kind, since):
            prev_hash, stored = bytes(row.prev_hash), bytes(row.hash)
            if report.first_seq is None:
                report.first_seq = row.seq
                if expected is None:
                    expected = prev_hash
            where = {"seq": row.seq, "at": row.at.isoformat()}
            if previous_seq is not None and row.seq <= previous_seq:
                report.broken = {**where, "reason": "out of order: seq does not increase along the chain"}
                break
            if prev_hash != expected:
                report.broken = {**where, "reason": "link broken: prev_hash is not the hash of the row before "
                                                    "(a row before it was removed, inserted or rewritten)"}
                break
            if row_hash(prev_hash, row.canonical) != stored:
                report.broken = {**where, "reason": "content changed: the row's hash does not match its content"}
                break
            if anchor is not None and row.seq == anchor[0]:
                anchor_seen = True
                if stored.hex() != anchor[1].lower():
                    report.broken = {**where, "reason": "the anchored row's hash differs from the anchor"}
                    break
            expected, previous_seq = stored, row.seq
            report.rows += 1
            report.last_seq, report.last_hash = row.seq, stored.hex()
        if report.broken is None:
            head = conn.execute(sa.text("SELECT seq, hash FROM govshare_log_head WHERE log = :log"),
                                {"log": table(kind)}).first()
            if head is not None and head.seq > 0 and (head.seq != report.last_seq or bytes(head.hash).hex() != report.last_hash):
                report.broken = {"seq": head.seq, "at": None,
                                 "reason": f"tail cut or rewritten: the chain head is seq {head.seq} "
                                           f"but the chain ends at seq {report.last_seq}"}
            elif head is None and report.rows:
                report.notes.append("no chain head recorded (the head table was emptied)")
        if report.broken is None and anchor is not None and not anchor_seen:
            tail = archived_tail(conn, kind)
            if tail is None or anchor[0] > tail.last_seq:
                report.broken = {"seq": anchor[0], "at": None,
                                 "reason": "the anchored row is missing (tail cut or rewritten)"}
        if trans is not None:
            trans.rollback()
    finally:
        if own:
            conn.close()
    return report
