# -*- coding: utf-8 -*-
"""``ckan govshare logs …``: the ten-year logs' commands (kunming-2019 §27; docs/logs.md).

- ``partitions`` (cron, e.g. daily): create the coming months' partitions; safe to run twice
  or on two hosts at once;
- ``verify [--since] [--anchor]``: recompute every chain, report the first broken row (exit 1);
- ``anchor``: print each chain's last row (seq and hash), to keep outside the database;
- ``export``: one log for a period, as JSON Lines or CSV with the hashes;
- ``archive --before YYYY-MM --to DIR``: export, verify, record and drop old months.
"""
from __future__ import annotations

import datetime
import json
import os
import sys
from typing import Optional

import click
import sqlalchemy as sa

from ckan import model

from ckanext.govshare.oversight import archive as archiving
from ckanext.govshare.oversight import chain, record
from ckanext.govshare.oversight import report as reports
from ckanext.govshare.oversight.model import LOGS

__all__ = ["logs", "report"]


def _month(value: Optional[str]) -> Optional[datetime.date]:
    try:
        return archiving.parse_month(value) if value else None
    except archiving.ArchiveError as e:
        raise click.BadParameter(str(e))


def _day(value: Optional[str]) -> Optional[datetime.datetime]:
    if not value:
        return None
    try:
        return datetime.datetime.fromisoformat(value if len(value) > 7 else value + "-01")
    except ValueError:
        raise click.BadParameter(f"not a date (YYYY-MM-DD or YYYY-MM): {value!r}")


@click.group(short_help="The ten-year logs: verify, export, archive")
def logs() -> None:
    """The catalogue change, share/exchange and query logs (kunming-2019 §27)."""


@logs.command()
@click.option("--months", default=3, show_default=True, help="Months to create ahead, this month included.")
@click.option("--from", "first", help="First month (YYYY-MM); default: this month.")
def partitions(months: int, first: Optional[str]) -> None:
    """Create the monthly partitions of every log ahead of time (cron; idempotent)."""
    start = _month(first) or record.month_start(datetime.datetime.utcnow())
    with model.meta.engine.begin() as conn:
        created = record.ensure_partitions(conn, start, months)
    click.echo(f"partitions created: {created}")


@logs.command()
@click.option("--since", help="Start at this day or month (its first row's link is trusted).")
@click.option("--log", "kinds", multiple=True, type=click.Choice(list(LOGS)), help="Only this log (repeatable).")
@click.option("--anchor", "anchor_file", type=click.Path(exists=True, dir_okay=False),
              help="A file written by `logs anchor`: each anchored row must still be there, unchanged.")
def verify(since: Optional[str], kinds: tuple[str, ...], anchor_file: Optional[str]) -> None:
    """Recompute each log's hash chain and report the first broken row (exit status 1)."""
    anchors = {}
    if anchor_file:
        with open(anchor_file, encoding="utf-8") as f:
            anchors = {a["log"]: (int(a["seq"]), a["hash"]) for a in json.load(f)["anchors"] if a.get("seq")}
    broken = False
    for kind in kinds or LOGS:
        report = chain.verify(kind, _day(since), anchors.get(kind))
        status = "ok" if report.ok else "BROKEN"
        click.echo(f"{kind}: {status}, {report.rows} rows"
                   + (f", seq {report.first_seq}..{report.last_seq}, last hash {report.last_hash}" if report.rows else ""))
        for note in report.notes:
            click.echo(f"  note: {note}")
        if not report.ok:
            broken = True
            b = report.broken or {}
            click.echo(f"  first broken row: seq {b.get('seq')} at {b.get('at')}: {b.get('reason')}", err=True)
    if broken:
        sys.exit(1)


@logs.command()
def anchor() -> None:
    """Print each chain's last row (JSON). Keep it outside the database (a mail to the
    authority, a signed file, another system): `logs verify --anchor FILE` then detects a
    tail cut or rewritten even by someone who can rewrite every table."""
    with model.meta.engine.connect() as conn:
        heads = {r.log: r for r in conn.execute(sa.text("SELECT log, seq, at, hash FROM govshare_log_head"))}
    out = {"taken_at": datetime.datetime.utcnow().isoformat(), "anchors": []}
    for kind, cls in LOGS.items():
        head = heads.get(cls.__tablename__)
        out["anchors"].append({"log": kind, "seq": head.seq if head else None,
                               "at": head.at.isoformat() if head and head.seq else None,
                               "hash": bytes(head.hash).hex() if head else None})
    click.echo(json.dumps(out, ensure_ascii=False, indent=1))


@logs.command()
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@click.option("--log", "kind", required=True, type=click.Choice(list(LOGS)))
@click.option("--since", help="First day or month (UTC), included.")
@click.option("--until", help="Day or month (UTC) where the period ends, excluded.")
@click.option("--format", "fmt", type=click.Choice(archiving.FORMATS), default=None,
              help="Default: from PATH's extension (.csv, else JSON Lines).")
def export(path: str, kind: str, since: Optional[str], until: Optional[str], fmt: Optional[str]) -> None:
    """Export one log for a period, each row with its canonical text and hashes."""
    fmt = fmt or ("csv" if path.lower().endswith(".csv") else "jsonl")
    partial = f"{path}.part"
    try:
        with open(partial, "wb") as target:
            out = archiving.export(kind, target, fmt, _day(since), _day(until))
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.remove(partial)
    click.echo(f"exported: {out['rows']} rows" + (f", seq {out['first_seq']}..{out['last_seq']}" if out["rows"] else ""))


@logs.command("archive")
@click.option("--before", required=True, help="Archive every month before this one (YYYY-MM).")
@click.option("--to", "directory", required=True, type=click.Path(file_okay=False),
              help="Directory for the files and their manifests.")
@click.option("--format", "fmt", type=click.Choice(archiving.FORMATS), default="jsonl", show_default=True)
@click.option("--allow-recent", is_flag=True,
              help="Also months within the ten-year retention (the files must then be kept for the rest of it).")
def archive_command(before: str, directory: str, fmt: str, allow_recent: bool) -> None:
    """Export old months, check the files, then detach and drop their partitions."""
    try:
        done = archiving.archive(_month(before), directory, fmt, allow_recent)
    except archiving.ArchiveError as e:
        raise click.ClickException(str(e))
    for m in done:
        click.echo(f"{m['log']} {m['month']}: {m['rows']} rows -> {m['file']} (sha256 {m['sha256']})")
    click.echo(f"archived months: {len(done)}")


@click.command("report")
@click.option("--year", type=int, required=True, help="The calendar year reported on (Beijing time).")
@click.option("--department", help="One department (name or id); default: the city, every department.")
@click.option("--format", "fmt", type=click.Choice(sorted(reports.FORMATS)), default="xlsx", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, writable=True),
              help="File to write; default: govshare-report-<year>-<scope>.<format> here.")
def report(year: int, department: Optional[str], fmt: str, output: Optional[str]) -> None:
    """The yearly report on sharing and opening (chongqing-2018 §37, chongqing-2019 §47,
    kunming-2019 §39, shijingshan-2017 §34), in Chinese, as XLSX or PDF."""
    if not 2000 <= year <= 2100:
        raise click.BadParameter(f"not a year the platform has figures for: {year}", param_hint="--year")
    org = None
    if department:
        group = model.Group.get(department)
        if group is None or not group.is_organization or group.state != "active":
            raise click.BadParameter(f"no such department: {department!r}", param_hint="--department")
        org = {"id": group.id, "title": group.title or group.name}
    built = reports.build(year, org)
    path = output or reports.file_name(built, fmt)
    partial = f"{path}.part"  # a failed report leaves no file
    try:
        with open(partial, "wb") as target:
            reports.write(built, fmt, target)
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.remove(partial)
    due = f", due {built.due.isoformat()} ({built.article})" if built.due else ""
    click.echo(f"report on {year} for {built.scope}: {path}{due}")
