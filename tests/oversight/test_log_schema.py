# -*- coding: utf-8 -*-
"""The logs' tables exist only through migration b3e8… and equal their models (the models of
kunming-2019 §27's three logs); downgrade removes every trace, upgrade brings them back."""
from __future__ import annotations

import os

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.migration import MigrationContext

from ckan import model

import ckanext.govshare.migration as migration

from ckanext.govshare.oversight.model import LOGS, LogArchive, LogHead

TABLES = {m.__tablename__ for m in (*LOGS.values(), LogHead, LogArchive)}
FUNCTIONS = {"govshare_log_chain", "govshare_log_append_only", "govshare_log_ensure_partitions"}

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def _ours(obj, name, type_, reflected, compare_to) -> bool:
    table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)
    return table in TABLES


def _state() -> tuple[set, set, set]:
    model.Session.remove()
    with model.meta.engine.connect() as conn:
        tables = set(conn.execute(sa.text("SELECT relname FROM pg_class WHERE relname LIKE 'govshare_log%' "
                                          "AND relkind IN ('r', 'p')")).scalars())
        functions = set(conn.execute(sa.text("SELECT proname FROM pg_proc WHERE proname LIKE 'govshare_log%'")).scalars())
        schemas = set(conn.execute(sa.text("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'govshare%'")).scalars())
    return tables, functions, schemas


def test_the_live_schema_is_the_models():
    with model.meta.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": _ours})
        assert compare_metadata(ctx, model.meta.metadata) == []


def test_the_logs_are_partitioned_by_month():
    with model.meta.engine.connect() as conn:
        kinds = dict(conn.execute(sa.text(
            "SELECT c.relname, pg_get_partkeydef(c.oid) FROM pg_class c WHERE c.relkind = 'p' "
            "AND c.relname LIKE 'govshare_log%'")).all())
    assert kinds == {m.__tablename__: "RANGE (at)" for m in LOGS.values()}


def test_downgrade_removes_everything_and_upgrade_restores_it(migrate_db_for):
    tables, functions, schemas = _state()
    assert TABLES <= tables and FUNCTIONS <= functions and "govshare_log_partitions" in schemas
    migrate_db_for("govshare", version="9d4b7e3f2a61", forward=False)
    assert _state() == (set(), set(), set())
    migrate_db_for("govshare")
    tables, functions, schemas = _state()
    assert TABLES <= tables and FUNCTIONS <= functions


def test_the_migrations_have_one_head():
    """Whoever adds a migration chains it after the last one (``b3e8…`` or later)."""
    cfg = Config()
    cfg.set_main_option("script_location", os.path.join(os.path.dirname(migration.__file__), "govshare"))
    assert len(ScriptDirectory.from_config(cfg).get_heads()) == 1
