# -*- coding: utf-8 -*-
"""``ckan govshare catalogue …`` and ``ckan govshare departments …``: the catalogue and the
department registry as spreadsheets, through the actions (catalogue/actions.py), so the
account's permissions apply. Files are opened here and handed over open; the actions take
no paths.

Messages are in the site's language (Chinese); progress is a bar with the rate and the time
left on stderr, and log records below WARNING are held back while it runs.
"""
from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from typing import IO, Any, Callable, Iterator, Optional

import click
from flask import has_request_context

import ckan.plugins.toolkit as tk

from ckanext.govshare.catalogue import spreadsheet
from ckanext.govshare.catalogue.actions import PROGRESS
from ckanext.govshare.catalogue.errors import CatalogueError, RowError

__all__ = ["catalogue", "departments", "ProgressBar"]

_ = tk._

BAR_WIDTH = 24


def _in_site_locale(command: Callable[..., None]) -> Callable[..., None]:
    """Run the command in the site's default language (Chinese): messages through
    ``tk._`` are translated as on the site's pages."""

    def run(*args: Any, **kwargs: Any) -> None:
        if has_request_context():
            command(*args, **kwargs)
            return
        # the site's locale is the request's (ckan.locale_default when the URL names none);
        # CKAN's CLI keeps its Flask app in the click context (ckan/cli/cli.py)
        app = click.get_current_context().meta.get("flask_app")
        if app is None:
            command(*args, **kwargs)
            return
        with app.test_request_context():
            command(*args, **kwargs)

    run.__name__ = command.__name__
    run.__doc__ = command.__doc__
    return run


def _site_user() -> str:
    return tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]


def _clock(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}" if seconds >= 3600 \
        else f"{seconds // 60}:{seconds % 60:02d}"


class ProgressBar:
    """A progress callback ``(stage, done, total)``: on a terminal one bar redrawn in place,
    otherwise a line every ``every`` rows and at the end of each stage."""

    def __init__(self, every: int = 500, stream: Optional[IO[str]] = None,
                 tty: Optional[bool] = None, clock: Callable[[], float] = time.monotonic):
        self.every = max(1, every)
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.clock = clock
        self.stage = ""
        self.started = 0.0
        self.drawn = 0.0

    def label(self, stage: str) -> str:
        return {"validate": _("Checking"), "write": _("Writing"), "index": _("Indexing"),
                "export": _("Exporting")}.get(stage, stage)

    def line(self, stage: str, done: int, total: int) -> str:
        elapsed = max(self.clock() - self.started, 1e-6)
        rate = done / elapsed
        left = (total - done) / rate if rate > 0 else 0
        filled = BAR_WIDTH * done // total if total else BAR_WIDTH
        bar = "█" * filled + "░" * (BAR_WIDTH - filled)
        return _("{stage} {bar} {done}/{total} {rate} entries/s, {left} left").format(
            stage=self.label(stage), bar=bar, done=f"{done:,}", total=f"{total:,}",
            rate=f"{rate:,.0f}", left=_clock(left))

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self.stage:
            if self.tty and self.stage:
                self.stream.write("\n")
            self.stage, self.started, self.drawn = stage, self.clock(), 0.0
        last = done >= total
        if self.tty:
            now = self.clock()
            if last or now - self.drawn >= 0.2:
                self.drawn = now
                self.stream.write("\r" + self.line(stage, done, total) + ("\n" if last else ""))
                self.stream.flush()
        elif last or done % self.every == 0:
            self.stream.write(self.line(stage, done, total) + "\n")
            self.stream.flush()
        if last:
            self.stage = ""


@contextlib.contextmanager
def _quiet_logs(verbose: bool) -> Iterator[None]:
    """No DEBUG and INFO log records in the middle of the progress output."""
    if verbose:
        yield
        return
    logging.disable(logging.INFO)
    try:
        yield
    finally:
        logging.disable(logging.NOTSET)


def _context(user: Optional[str], every: int) -> dict[str, Any]:
    return {"user": user or _site_user(), PROGRESS: ProgressBar(every)}


def _fail(e: tk.ValidationError) -> click.ClickException:
    for error in e.error_dict.get("rows") or []:
        click.echo(str(RowError(**error)), err=True)
    for message in e.error_dict.get("upload") or []:
        click.echo(str(message), err=True)
    return click.ClickException("; ".join(str(m) for m in (e.error_summary or {}).values())
                                or _("The file was not imported"))


def _report(result: dict[str, Any], kinds: tuple[str, ...]) -> None:
    if result.get("dry_run"):
        click.echo(_("Dry run: nothing was written"))
    for item in result.get("normalised") or []:
        click.echo(_("Normalised: {column} {written} → {kept} ({rows} rows)").format(
            column=item["column"], written=item["from"], kept=item["to"], rows=f"{item['rows']:,}"))
    for notice in result.get("notices") or []:
        click.echo(notice)
    for problem in result.get("problems") or []:
        click.echo(str(RowError(**problem)), err=True)
    labels = {"created": _("Created: {n}"), "updated": _("Updated: {n}"),
              "unchanged": _("Unchanged: {n}"), "skipped": _("Skipped (rows with problems): {n}")}
    for kind in kinds:
        click.echo(labels[kind].format(n=f"{result.get(kind, 0):,}"))


def _export(path: str, action: str, context: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    fmt = spreadsheet.file_format(path)
    # written beside PATH and moved there when complete: a failed export leaves no file
    partial = f"{path}.part"
    try:
        with open(partial, "wb") as target:
            out = tk.get_action(action)(context, dict(data, format=fmt, target=target))
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.remove(partial)
    return out


# Catalogue spreadsheets ----------------------------------------------------------------
# Without --org the whole catalogue is imported or exported, which only sysadmins (the
# default site user) may do.


@click.group()
def catalogue() -> None:
    """Import and export the catalogue as a spreadsheet (xlsx or csv).

    The columns and cell formats are described in docs/catalogue-template.md;
    `ckan govshare catalogue template FILE.xlsx` writes an empty template.
    """


@catalogue.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--user", help="Account that imports; its permissions apply (default: the site user).")
@click.option("--org", help="Only entries of this department (code, name or title); an empty 提供方 means it.")
@click.option("--dry-run", is_flag=True, help="Validate every row and count; write nothing.")
@click.option("--skip-invalid", is_flag=True,
              help="Import the valid rows and skip the rows with problems (default: all or nothing).")
@click.option("--every", default=500, show_default=True, help="Progress line every N rows (not on a terminal).")
@click.option("--verbose", is_flag=True, help="Let log records through while importing.")
@_in_site_locale
def catalogue_import(path: str, user: Optional[str], org: Optional[str], dry_run: bool,
                     skip_invalid: bool, every: int, verbose: bool) -> None:
    """Import (create or update by 信息资源代码) the entries of an xlsx or csv file.

    Every row is validated first; any error writes nothing and lists all problems
    (unless --skip-invalid).
    """
    try:
        with open(path, "rb") as upload, _quiet_logs(verbose):
            result = tk.get_action("govshare_catalogue_import")(
                _context(user, every),
                {"id": org, "upload": upload, "dry_run": dry_run, "skip_invalid": skip_invalid})
    except tk.ValidationError as e:
        raise _fail(e)
    except (tk.ObjectNotFound, tk.NotAuthorized) as e:
        raise click.ClickException(str(e))
    _report(result, ("created", "updated", "unchanged", "skipped"))
    if result["index_error"]:
        raise click.ClickException(_(
            "The catalogue was written but the search index was not updated ({error}); "
            "run `ckan search-index rebuild`").format(error=result["index_error"]))


@catalogue.command("export")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@click.option("--org", help="Only the entries of this department (code, name or title).")
@click.option("--user", help="Account whose view of the catalogue is exported (default: the site user).")
@_in_site_locale
def catalogue_export(path: str, org: Optional[str], user: Optional[str]) -> None:
    """Export the catalogue to PATH (.xlsx or .csv, by extension)."""
    try:
        with _quiet_logs(False):
            out = _export(path, "govshare_catalogue_export", _context(user, 500), {"id": org})
    except CatalogueError as e:
        raise click.ClickException(str(e))
    except tk.ValidationError as e:
        raise click.ClickException("; ".join(str(m) for m in e.error_summary.values()))
    except (tk.ObjectNotFound, tk.NotAuthorized) as e:
        raise click.ClickException(str(e))
    click.echo(_("Exported: {n}").format(n=f"{out['count']:,}"))


@catalogue.command("template")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@_in_site_locale
def catalogue_template(path: str) -> None:
    """Write an empty xlsx template: the header row and a sheet explaining every column."""
    if not path.lower().endswith(".xlsx"):
        raise click.ClickException(_("The template is an .xlsx file"))
    with open(path, "wb") as target:
        out = tk.get_action("govshare_catalogue_template")({"user": _site_user()}, {"target": target})
    click.echo(_("Template: {n} columns written to {path}").format(n=len(out["columns"]), path=path))


# The department registry -----------------------------------------------------------------


@click.group()
def departments() -> None:
    """Import and export the department registry as a spreadsheet (xlsx or csv).

    Columns: 名称, 简称, 提供方代码, 统一社会信用代码, 上级部门, 层级, 行政区划, 负责人
    (docs/catalogue-template.md).
    """


@departments.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--user", help="Account that imports: the authority (default: the site user).")
@click.option("--dry-run", is_flag=True, help="Validate every row and count; write nothing.")
@click.option("--verbose", is_flag=True, help="Let log records through while importing.")
@_in_site_locale
def departments_import(path: str, user: Optional[str], dry_run: bool, verbose: bool) -> None:
    """Create or update (by 统一社会信用代码 or 提供方代码) the departments of an xlsx or csv file."""
    try:
        with open(path, "rb") as upload, _quiet_logs(verbose):
            result = tk.get_action("govshare_department_import")(
                {"user": user or _site_user()}, {"upload": upload, "dry_run": dry_run})
    except tk.ValidationError as e:
        raise _fail(e)
    except (tk.ObjectNotFound, tk.NotAuthorized) as e:
        raise click.ClickException(str(e))
    _report(result, ("created", "updated", "unchanged"))


@departments.command("export")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@click.option("--user", help="Account that exports: the authority (default: the site user).")
@_in_site_locale
def departments_export(path: str, user: Optional[str]) -> None:
    """Export the department registry to PATH (.xlsx or .csv, by extension)."""
    try:
        with _quiet_logs(False):
            out = _export(path, "govshare_department_export", {"user": user or _site_user()}, {})
    except CatalogueError as e:
        raise click.ClickException(str(e))
    except (tk.ValidationError, tk.NotAuthorized) as e:
        raise click.ClickException(str(e))
    click.echo(_("Exported: {n}").format(n=f"{out['count']:,}"))


@departments.command("template")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@_in_site_locale
def departments_template(path: str) -> None:
    """Write an empty xlsx department template."""
    if not path.lower().endswith(".xlsx"):
        raise click.ClickException(_("The template is an .xlsx file"))
    with open(path, "wb") as target:
        out = tk.get_action("govshare_department_template")({"user": _site_user()}, {"target": target})
    click.echo(_("Template: {n} columns written to {path}").format(n=len(out["columns"]), path=path))
