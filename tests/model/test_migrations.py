# -*- coding: utf-8 -*-
"""govshare's tables exist only through its alembic migrations (conventions: tables only
through migrations, tested up and down). From a database with CKAN's tables only: upgrade
to head, downgrade to base (nothing of govshare is left), upgrade again; and the live
schema equals the models (columns, types, nullability, foreign keys and indexes, partial
unique indexes included)."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from ckan import model

from ckanext.govshare import compat
from ckanext.govshare.model import Application, ApplicationEvent, Grant
from ckanext.govshare.model import EntryState, Feedback, Notice, Subscription, Upkeep

MODELS = (Application, ApplicationEvent, Grant, Feedback, Subscription, Notice, EntryState, Upkeep)
TABLES = {m.__tablename__ for m in MODELS}
# objects the migrations create beside the tables (the append-only trigger's function, the
# resource-code index on CKAN's own extras: the package_extra table on CKAN 2.11, the
# package.extras jsonb column on 2.12)
FUNCTIONS = ("govshare_application_event_append_only",)
if compat.CKAN_212:
    EXTRAS_TABLE, CORE_INDEXES = "package", ("govshare_package_resource_code_idx",)
else:
    EXTRAS_TABLE, CORE_INDEXES = "package_extra", ("govshare_package_extra_resource_code_idx",)


def _inspect() -> sa.engine.reflection.Inspector:
    model.Session.remove()
    return sa.inspect(model.meta.engine)


def _functions() -> set[str]:
    with model.meta.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT proname FROM pg_proc WHERE proname LIKE 'govshare_%'"))
        return {r[0] for r in rows}


def _indexes(table: str) -> set[str]:
    with model.meta.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT indexname FROM pg_indexes WHERE tablename = :t"), {"t": table})
        return {r[0] for r in rows}


def _ours(obj, name, type_, reflected, compare_to) -> bool:
    table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)
    return table in TABLES


def _model_diff() -> list:
    """alembic's comparison of the models (on CKAN's metadata, where their foreign keys
    resolve) with the live database, limited to govshare's tables."""
    with model.meta.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": _ours})
        return compare_metadata(ctx, model.meta.metadata)


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_upgrade_downgrade_upgrade(migrate_db_for):
    # clean_db has upgraded a database holding only CKAN's and activity's tables to head
    assert TABLES <= set(_inspect().get_table_names())
    assert set(FUNCTIONS) <= _functions()
    assert set(CORE_INDEXES) <= _indexes(EXTRAS_TABLE)

    migrate_db_for("govshare", version="base", forward=False)
    names = set(_inspect().get_table_names())
    assert not TABLES & names
    assert not set(FUNCTIONS) & _functions()
    assert not set(CORE_INDEXES) & _indexes(EXTRAS_TABLE)
    assert "package" in names  # CKAN's own tables are untouched

    migrate_db_for("govshare")
    assert TABLES <= set(_inspect().get_table_names())
    assert set(FUNCTIONS) <= _functions()
    assert set(CORE_INDEXES) <= _indexes(EXTRAS_TABLE)


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_the_live_schema_is_the_models():
    assert _model_diff() == []
    # the partial unique index (one pending application per applicant, kind and entry)
    # is declared by the model, not only by the migration
    declared = {i.name for i in Application.__table__.indexes}
    assert "govshare_application_one_pending" in declared
    assert declared <= _indexes("govshare_application")


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_the_schema_comparison_sees_a_difference():
    with model.meta.engine.begin() as conn:
        conn.execute(sa.text("DROP INDEX govshare_grant_user_idx"))
    try:
        diff = _model_diff()
        assert any(d[0] == "add_index" and d[1].name == "govshare_grant_user_idx" for d in diff
                   if isinstance(d, tuple))
    finally:
        with model.meta.engine.begin() as conn:
            conn.execute(sa.text("CREATE INDEX govshare_grant_user_idx ON govshare_grant (user_id)"))
