# -*- coding: utf-8 -*-
"""``ckan govshare …`` commands (registered by the cli blanket)."""
from __future__ import annotations

import os

import click

import ckan.plugins.toolkit as tk

from ckanext.govshare.demo import loader as demo
from ckanext.govshare.applications import reminders
from ckanext.govshare.catalogue import spreadsheet
from ckanext.govshare.catalogue.actions import PROGRESS
from ckanext.govshare.catalogue.errors import CatalogueError, RowError
from ckanext.govshare.oversight.cli import logs

__all__ = ["govshare"]


@click.group(short_help="Government data sharing and opening platform commands")
def govshare() -> None:
    """Commands of the government data sharing and opening platform."""


govshare.add_command(logs)  # ckan govshare logs … (oversight/cli.py)


@govshare.command()
def deadlines() -> None:
    """Remind departments of applications due soon and record overdue ones.

    "Due soon" is the deadline policy's due_soon_days (docs/deadlines.md), the value the
    inbox highlights with. For cron (e.g. hourly); safe to run twice or on two hosts at
    once. Also re-queues mail whose retry is due."""

    counts = reminders.process()
    click.echo(f"reminded: {counts['reminded']}, overdue: {counts['overdue']}")


@govshare.group()
def demo_catalogue() -> None:
    """The Chinese demo catalogue."""


@demo_catalogue.command("load")
@click.option("--sysadmin", default="admin", show_default=True,
              help="Existing sysadmin account that loads the catalogue.")
def demo_load(sysadmin: str) -> None:
    """Load (or refresh) the demo catalogue; safe to run again."""
    counts = demo.load(sysadmin)
    for kind, n in counts.items():
        click.echo(f"{kind}: {n}")


# Catalogue spreadsheets ----------------------------------------------------------------
# Through the actions (catalogue/actions.py): the account's permissions apply; without
# --org the whole catalogue is imported or exported, which only sysadmins (the default site
# user) may do. Files are opened here and handed over open; the actions take no paths.


def _site_user() -> str:
    return tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]


def _progress_printer(every: int = 100):
    """A progress callback writing one line per ``every`` rows (and the last) to stderr."""
    labels = {"validate": "validated", "write": "written", "index": "indexed", "export": "exported"}

    def progress(stage: str, done: int, total: int) -> None:
        if done == total or done % every == 0:
            click.echo(f"{labels.get(stage, stage)}: {done}/{total}", err=True)

    return progress


def _context(user: str | None, every: int) -> dict:
    return {"user": user or _site_user(), PROGRESS: _progress_printer(max(1, every))}


@govshare.group()
def catalogue() -> None:
    """Import and export the catalogue as a spreadsheet (xlsx or csv).

    The columns and cell formats are described in docs/catalogue-template.md;
    `ckan govshare catalogue template FILE.xlsx` writes an empty template.
    """


@catalogue.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--user", help="Account that imports; its permissions apply (default: the site user).")
@click.option("--org", help="Only entries of this department (name or title); an empty 提供方 means it.")
@click.option("--dry-run", is_flag=True, help="Validate every row and count; write nothing.")
@click.option("--every", default=100, show_default=True, help="Progress line every N rows.")
def catalogue_import(path: str, user: str | None, org: str | None, dry_run: bool, every: int) -> None:
    """Import (create or update by 信息资源代码) the entries of an xlsx or csv file.

    Every row is validated first; any error writes nothing and lists all problems.
    """
    try:
        with open(path, "rb") as upload:
            result = tk.get_action("govshare_catalogue_import")(
                _context(user, every), {"id": org, "upload": upload, "dry_run": dry_run})
    except tk.ValidationError as e:
        for error in e.error_dict.get("rows") or []:
            click.echo(str(RowError(**error)), err=True)
        raise click.ClickException("; ".join(str(m) for m in e.error_summary.values()))
    except (tk.ObjectNotFound, tk.NotAuthorized) as e:
        raise click.ClickException(str(e))
    if dry_run:
        click.echo("dry run: nothing written")
    for kind in ("created", "updated", "unchanged"):
        click.echo(f"{kind}: {result[kind]}")
    if result["index_error"]:
        raise click.ClickException(
            f"the catalogue was written but the search index was not updated ({result['index_error']}); "
            "run `ckan search-index rebuild`")


@catalogue.command("export")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@click.option("--org", help="Only the entries of this department (name or title).")
@click.option("--user", help="Account whose view of the catalogue is exported (default: the site user).")
def catalogue_export(path: str, org: str | None, user: str | None) -> None:
    """Export the catalogue to PATH (.xlsx or .csv, by extension)."""
    try:
        fmt = spreadsheet.file_format(path)
        # written beside PATH and moved there when complete: a failed export leaves no file
        partial = f"{path}.part"
        try:
            with open(partial, "wb") as target:
                out = tk.get_action("govshare_catalogue_export")(
                    _context(user, 500), {"id": org, "format": fmt, "target": target})
            os.replace(partial, path)
        finally:
            if os.path.exists(partial):
                os.remove(partial)
    except CatalogueError as e:
        raise click.ClickException(str(e))
    except tk.ValidationError as e:
        raise click.ClickException("; ".join(str(m) for m in e.error_summary.values()))
    except (tk.ObjectNotFound, tk.NotAuthorized) as e:
        raise click.ClickException(str(e))
    click.echo(f"exported: {out['count']}")


@catalogue.command("template")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def catalogue_template(path: str) -> None:
    """Write an empty xlsx template: the header row and a sheet explaining every column."""
    if not path.lower().endswith(".xlsx"):
        raise click.ClickException("the template is an .xlsx file")
    with open(path, "wb") as target:
        out = tk.get_action("govshare_catalogue_template")({"user": _site_user()}, {"target": target})
    click.echo(f"template: {len(out['columns'])} columns written to {path}")
