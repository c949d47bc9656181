"""Feedback, update notices and statistics (placeholder, issue 14)

Revision ID: f7c4a5b6d745
Revises: e6b3f4a5c634
Create Date: 2026-11-29 15:30:00

"""
from alembic import op  # noqa: F401

revision = "f7c4a5b6d745"
down_revision = "e6b3f4a5c634"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
