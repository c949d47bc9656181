# -*- coding: utf-8 -*-
"""``ckan govshare …`` commands (registered by the cli blanket)."""
from __future__ import annotations

import click

from ckanext.govshare import demo

__all__ = ["govshare"]


@click.group(short_help="Government data sharing and opening platform commands")
def govshare() -> None:
    """Commands of the government data sharing and opening platform."""


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
