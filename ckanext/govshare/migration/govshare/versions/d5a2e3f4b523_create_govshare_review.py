"""Catalogue review (placeholder, issue 14)

Revision ID: d5a2e3f4b523
Revises: c4f1d2e3a412
Create Date: 2026-11-29 15:30:00

"""
from alembic import op  # noqa: F401

revision = "d5a2e3f4b523"
down_revision = "c4f1d2e3a412"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
