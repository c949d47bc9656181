# -*- coding: utf-8 -*-
"""Shared fixtures: CKAN's own (pytest-ckan: app, with_plugins, clean_db, clean_index …)
plus a ``clean_db`` that also applies the migrations of govshare and activity."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from ckan import model
from ckan.lib.redis import connect_to_redis
from ckan.lib import jobs

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


@pytest.fixture
def run_jobs(clean_redis, with_test_worker):
    """Platform mail is a background job (``ckanext/govshare/notify.py``). This empties the
    test Redis database first (job queues, mail rate counters) and returns a callable that
    runs every queued job in this process, as ``ckan jobs worker --burst`` does on the
    default queue (CKAN's worker, without the fork, so ``mail_server`` sees the mail)."""
    def run() -> None:
        # RQ's current connection is per thread; a queue first made in another thread (the
        # browser tests' live server) leaves this one without: name the connection
        jobs.Worker(connection=connect_to_redis()).work(burst=True)
    return run
