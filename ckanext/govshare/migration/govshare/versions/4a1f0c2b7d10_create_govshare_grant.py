"""Create govshare_grant: access opened by approved applications

Revision ID: 4a1f0c2b7d10
Revises:
Create Date: 2026-11-21 08:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "4a1f0c2b7d10"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "govshare_grant",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("package_id", sa.UnicodeText, sa.ForeignKey("package.id", ondelete="RESTRICT"), nullable=False),
        sa.Column("kind", sa.UnicodeText, nullable=False),
        sa.Column("user_id", sa.UnicodeText, sa.ForeignKey("user.id", ondelete="RESTRICT"), nullable=True),
        sa.Column("organization_id", sa.UnicodeText, sa.ForeignKey("group.id", ondelete="RESTRICT"), nullable=True),
        sa.Column("conditions", sa.UnicodeText, nullable=True),
        sa.Column("application_id", sa.UnicodeText, nullable=True),
        sa.Column("granted_by", sa.UnicodeText, sa.ForeignKey("user.id", ondelete="RESTRICT"), nullable=False),
        sa.Column("granted_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=True),
        sa.Column("revoked_at", sa.DateTime, nullable=True),
        sa.Column("revoked_by", sa.UnicodeText, sa.ForeignKey("user.id", ondelete="RESTRICT"), nullable=True),
        sa.Column("revoke_reason", sa.UnicodeText, nullable=True),
        sa.CheckConstraint(
            "(kind = 'open' AND user_id IS NOT NULL AND organization_id IS NULL) OR "
            "(kind = 'share' AND organization_id IS NOT NULL AND user_id IS NULL)",
            name="govshare_grant_grantee",
        ),
    )
    op.create_index("govshare_grant_package_idx", "govshare_grant", ["package_id"])
    op.create_index("govshare_grant_user_idx", "govshare_grant", ["user_id"])
    op.create_index("govshare_grant_org_idx", "govshare_grant", ["organization_id"])


def downgrade():
    op.drop_table("govshare_grant")
