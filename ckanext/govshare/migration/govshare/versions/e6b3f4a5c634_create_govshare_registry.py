"""Import content hashes (issue 16): govshare_import_fingerprint

The department registry itself needs no table: departments are CKAN organisations, their
codes organisation extras, their hierarchy CKAN's group hierarchy (member, capacity parent).

Revision ID: e6b3f4a5c634
Revises: d5a2e3f4b523
Create Date: 2026-11-29 15:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = "e6b3f4a5c634"
down_revision = "d5a2e3f4b523"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "govshare_import_fingerprint",
        sa.Column("package_id", sa.UnicodeText,
                  sa.ForeignKey("package.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("fingerprint", sa.UnicodeText, nullable=False),
        sa.Column("metadata_modified", sa.DateTime, nullable=False),
    )


def downgrade():
    op.drop_table("govshare_import_fingerprint")
