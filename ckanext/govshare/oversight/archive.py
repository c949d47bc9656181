# -*- coding: utf-8 -*-
"""Export and archive the logs (kunming-2019 §27: kept at least ten years).

- :func:`export` writes the rows of one log for a period as JSON Lines or CSV, each row with
  ``seq``, ``at``, ``prev_hash``, ``hash`` and its ``canonical`` text (what the hash covers),
  so anyone can recompute the chain from the file alone (:func:`verify_file`).
- :func:`archive` moves whole months out of the database, oldest first: for each month
  before ``--before`` it checks the month's chain in the database, writes the file, reads the
  file back and checks it again (row count, chain, first and last hash), and only then, in one
  transaction, records the month in ``govshare_log_archive`` (file name and SHA-256) and
  detaches and drops the month's partition. Anything that does not verify stops the command
  before anything is dropped.

Retention: a month is archived only once it is :data:`RETENTION_MONTHS` old (ten years),
unless the operator says ``--allow-recent`` — then the files are the record and must be kept
for the rest of the ten years (docs/logs.md).
"""
from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import os
from dataclasses import dataclass
from typing import IO, Any, Iterator, Optional

import sqlalchemy as sa

from ckan import model

from ckanext.govshare.oversight import chain
from ckanext.govshare.oversight.model import LOGS

RETENTION_MONTHS = 120
# where the migration puts the monthly partitions
SCHEMA = "govshare_log_partitions"
FORMATS = ("jsonl", "csv")
CSV_COLUMNS = ("log", "seq", "at", "prev_hash", "hash", "canonical")


class ArchiveError(Exception):
    pass


def add_months(month: datetime.date, n: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + n
    return datetime.date(index // 12, index % 12 + 1, 1)


def parse_month(value: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        raise ArchiveError(f"not a month (YYYY-MM): {value!r}")


def retention_limit(today: Optional[datetime.date] = None) -> datetime.date:
    """The first month that must stay in the database: ten years before this month."""
    today = today or datetime.datetime.utcnow().date()
    return add_months(datetime.date(today.year, today.month, 1), -RETENTION_MONTHS)


def _line(kind: str, row: Any) -> dict[str, Any]:
    return {"log": kind, "seq": row.seq, "at": row.at.isoformat(), "prev_hash": bytes(row.prev_hash).hex(),
            "hash": bytes(row.hash).hex(), "canonical": row.canonical}


class _Writer:
    def __init__(self, target: IO[bytes], fmt: str) -> None:
        if fmt not in FORMATS:
            raise ArchiveError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")
        self.target, self.fmt = target, fmt
        self.text = io.TextIOWrapper(target, encoding="utf-8", newline="", write_through=True)
        self.csv = csv.DictWriter(self.text, CSV_COLUMNS) if fmt == "csv" else None
        if self.csv:
            self.csv.writeheader()

    def write(self, line: dict[str, Any]) -> None:
        if self.csv:
            self.csv.writerow(line)
        else:
            self.text.write(json.dumps(line, ensure_ascii=False) + "\n")

    def close(self) -> None:
        self.text.flush()
        self.text.detach()


def export(kind: str, target: IO[bytes], fmt: str = "jsonl", since: Optional[datetime.datetime] = None,
           before: Optional[datetime.datetime] = None, conn: Any = None) -> dict[str, Any]:
    """Write one log's rows for [since, before) to ``target`` (binary); returns counts and
    the first and last hashes."""
    own = conn is None
    conn = conn or model.meta.engine.connect()
    writer = _Writer(target, fmt)
    out: dict[str, Any] = {"log": kind, "rows": 0, "first_seq": None, "last_seq": None,
                           "first_prev_hash": None, "last_hash": None}
    try:
        trans = conn.begin() if own else None
        for row in chain.rows(conn, kind, since, before):
            line = _line(kind, row)
            writer.write(line)
            if out["first_seq"] is None:
                out["first_seq"], out["first_prev_hash"] = line["seq"], line["prev_hash"]
            out["rows"] += 1
            out["last_seq"], out["last_hash"] = line["seq"], line["hash"]
        if trans is not None:
            trans.rollback()
    finally:
        writer.close()
        if own:
            conn.close()
    return out


def read_file(path: str) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8", newline="") as f:
        if path.endswith(".csv"):
            for line in csv.DictReader(f):
                line["seq"] = int(line["seq"])
                yield line
        else:
            for text in f:
                if text.strip():
                    yield json.loads(text)


def verify_file(path: str, first_prev_hash: Optional[str] = None) -> dict[str, Any]:
    """Recompute the chain of an exported file (no database needed)."""
    out: dict[str, Any] = {"rows": 0, "first_prev_hash": None, "last_seq": None, "last_hash": None, "broken": None}
    expected = first_prev_hash
    for line in read_file(path):
        if out["first_prev_hash"] is None:
            out["first_prev_hash"] = line["prev_hash"]
            expected = expected or line["prev_hash"]
        if line["prev_hash"] != expected:
            out["broken"] = {"seq": line["seq"], "reason": "link broken"}
            break
        if chain.row_hash(bytes.fromhex(line["prev_hash"]), line["canonical"]).hex() != line["hash"]:
            out["broken"] = {"seq": line["seq"], "reason": "content changed"}
            break
        expected = line["hash"]
        out["rows"] += 1
        out["last_seq"], out["last_hash"] = line["seq"], line["hash"]
    return out


def file_sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class Month:
    log: str
    kind: str
    month: datetime.date
    partition: str


def months_in_database(conn: Any, before: datetime.date) -> list[Month]:
    """The monthly partitions of every log that start before ``before``, oldest first."""
    found = []
    for kind, cls in LOGS.items():
        parent = cls.__tablename__
        names = conn.execute(sa.text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = :parent "
            "AND p.relnamespace = 'public'::regnamespace"), {"parent": parent}).scalars()
        for name in names:
            suffix = name[len(parent) + 1:]
            try:
                month = datetime.datetime.strptime(suffix, "%Y_%m").date()
            except ValueError:
                continue
            if month < before:
                found.append(Month(parent, kind, month, f'{SCHEMA}."{name}"'))
    return sorted(found, key=lambda m: (m.log, m.month))


def archive(before: datetime.date, directory: str, fmt: str = "jsonl", allow_recent: bool = False,
            today: Optional[datetime.date] = None) -> list[dict[str, Any]]:
    """Export, verify, record and drop every month before ``before`` (see the module)."""
    limit = retention_limit(today)
    if before > limit and not allow_recent:
        raise ArchiveError(
            f"months from {limit:%Y-%m} on are within the ten-year retention (kunming-2019 §27) and stay in the "
            f"database; archive before {limit:%Y-%m} or say --allow-recent and keep the files for ten years")
    os.makedirs(directory, exist_ok=True)
    engine = model.meta.engine
    done = []
    with engine.connect() as conn:
        months = months_in_database(conn, before)
    for month in months:
        done.append(_archive_month(engine, month, directory, fmt))
    return done


def _archive_month(engine: Any, month: Month, directory: str, fmt: str) -> dict[str, Any]:
    start = datetime.datetime.combine(month.month, datetime.time())
    end = datetime.datetime.combine(add_months(month.month, 1), datetime.time())
    name = f"{month.log}_{month.month:%Y-%m}.{fmt}"
    path = os.path.join(directory, name)
    with engine.connect() as conn:
        with conn.begin():
            conn.execute(sa.text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
            count = conn.execute(sa.text(f"SELECT count(*) FROM {month.partition}")).scalar()
            tail = chain.archived_tail(conn, month.kind)
            first = conn.execute(sa.text(f"SELECT seq, prev_hash FROM {month.log} ORDER BY at, seq LIMIT 1")).first()
            # the month must be where the chain in the database starts (oldest first)
            with open(path + ".part", "wb") as target:
                out = export(month.kind, target, fmt, start, end, conn=conn)
        if out["rows"] != count:
            raise ArchiveError(f"{name}: {out['rows']} rows exported, {count} in the partition")
        if count:
            expected_first = bytes(tail.last_hash).hex() if tail is not None else chain.GENESIS.hex()
            if first is not None and first.seq != out["first_seq"]:
                raise ArchiveError(f"{name}: older rows are still in the database (seq {first.seq}); archive them first")
            if out["first_prev_hash"] != expected_first:
                raise ArchiveError(f"{name}: the month does not continue the chain (its first row's prev_hash is "
                                   f"{out['first_prev_hash']}, expected {expected_first}); run `logs verify`")
        check = verify_file(path + ".part", out["first_prev_hash"])
        if check["broken"] or check["rows"] != count or check["last_hash"] != out["last_hash"]:
            raise ArchiveError(f"{name}: the exported file does not verify ({check}); nothing was dropped")
        os.replace(path + ".part", path)
        digest = file_sha256(path)
        with conn.begin():
            conn.execute(sa.text(
                "INSERT INTO govshare_log_archive (log, month, rows, first_seq, last_seq, first_prev_hash, last_hash, "
                "file_name, file_sha256, archived_at) VALUES (:log, :month, :rows, :first_seq, :last_seq, :fph, :lh, "
                ":file, :sha, :now)"),
                {"log": month.log, "month": month.month, "rows": count, "first_seq": out["first_seq"],
                 "last_seq": out["last_seq"],
                 "fph": bytes.fromhex(out["first_prev_hash"]) if out["first_prev_hash"] else None,
                 "lh": bytes.fromhex(out["last_hash"]) if out["last_hash"] else None,
                 "file": name, "sha": digest, "now": datetime.datetime.utcnow()})
            conn.execute(sa.text(f"ALTER TABLE {month.log} DETACH PARTITION {month.partition}"))
            conn.execute(sa.text(f"DROP TABLE {month.partition}"))
    manifest = {"log": month.log, "month": f"{month.month:%Y-%m}", "file": name, "sha256": digest, **out}
    with open(os.path.join(directory, f"{month.log}_{month.month:%Y-%m}.manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, ensure_ascii=False, indent=1)
    return manifest
