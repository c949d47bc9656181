"""Department registry and import content hashes (placeholder, issue 16)

Revision ID: e6b3f4a5c634
Revises: d5a2e3f4b523
Create Date: 2026-11-29 15:30:00

"""
from alembic import op  # noqa: F401

revision = "e6b3f4a5c634"
down_revision = "d5a2e3f4b523"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
