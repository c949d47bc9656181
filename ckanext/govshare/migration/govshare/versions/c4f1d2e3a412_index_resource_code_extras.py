"""CKAN 2.12: resource-code index on package.extras (issue 17)

CKAN 2.12 moved dataset extras from the ``package_extra`` table into the jsonb column
``package.extras`` (core migration 12d64978ab44 drops ``package_extra`` and with it the
index of 9d4b7e3f2a61). The uniqueness check and the importer look resource codes up on
every save (``compat.extra_in``), so on 2.12 they need an expression index on
``package.extras->>'resource_code'`` for packages that are not deleted (active entries and
drafts, the ones the uniqueness check compares with).

This revision adapts to the layout the database has: on CKAN 2.11 (``package_extra``,
no ``package.extras``) there is nothing to do, 9d4b7e3f2a61's index serves. A site that
applied this revision on 2.11 and moves to 2.12 later creates the index with the
statement in docs/deployment.md ("CKAN versions").

Revision ID: c4f1d2e3a412
Revises: b3e8a5c1d720
Create Date: 2026-11-29 15:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = "c4f1d2e3a412"
down_revision = "b3e8a5c1d720"
branch_labels = None
depends_on = None

INDEX = "govshare_package_resource_code_idx"


def _has_jsonb_extras() -> bool:
    columns = sa.inspect(op.get_bind()).get_columns("package")
    return any(c["name"] == "extras" for c in columns)


def upgrade():
    if _has_jsonb_extras():
        op.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON package ((extras ->> 'resource_code')) "
                   "WHERE state <> 'deleted'")


def downgrade():
    op.execute(f"DROP INDEX IF EXISTS {INDEX}")
