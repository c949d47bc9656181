# -*- coding: utf-8 -*-
"""Shared fixtures: CKAN's own (pytest-ckan: app, with_plugins, clean_db, clean_index …)
plus a ``clean_db`` that also applies the migrations of govshare and activity."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from ckan import model

GOVSHARE_TABLES = ("govshare_application_event", "govshare_application", "govshare_grant")


def _truncate_govshare_tables() -> None:
    """The application event log is append-only (a trigger refuses DELETE), so the test
    reset empties govshare's tables with TRUNCATE, which row triggers do not see."""
    engine = model.meta.engine
    if engine is None:
        return
    with engine.begin() as conn:
        existing = [t for t in GOVSHARE_TABLES if sa.inspect(conn).has_table(t)]
        if existing:
            conn.execute(sa.text(f"TRUNCATE {', '.join(existing)} CASCADE"))


@pytest.fixture
def clean_db(reset_db, migrate_db_for):
    """Reset the database to CKAN's initial state and apply the plugins' migrations."""
    model.Session.remove()
    _truncate_govshare_tables()
    reset_db()
    migrate_db_for("activity")
    migrate_db_for("govshare")
