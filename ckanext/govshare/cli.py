# -*- coding: utf-8 -*-
"""``ckan govshare …`` commands (registered by the cli blanket)."""
from __future__ import annotations

import click


from ckanext.govshare.demo import loader as demo
from ckanext.govshare.applications import reminders
from ckanext.govshare.catalogue import cli as catalogue_cli
from ckanext.govshare.oversight.cli import logs, report

__all__ = ["govshare"]


@click.group(short_help="Government data sharing and opening platform commands")
def govshare() -> None:
    """Commands of the government data sharing and opening platform."""


govshare.add_command(logs)  # ckan govshare logs … (oversight/cli.py)
govshare.add_command(report)  # ckan govshare report --year … (oversight/cli.py)


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


# Catalogue and department registry spreadsheets (catalogue/cli.py)
govshare.add_command(catalogue_cli.catalogue)
govshare.add_command(catalogue_cli.departments)
