"""CKAN 2.12: resource-code index on package.extras (placeholder, issue 17)

Revision ID: c4f1d2e3a412
Revises: b3e8a5c1d720
Create Date: 2026-11-29 15:30:00

"""
from alembic import op  # noqa: F401

revision = "c4f1d2e3a412"
down_revision = "b3e8a5c1d720"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
