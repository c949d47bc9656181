"""Catalogue review: govshare_review (issue 14; shenyang-2016 §12, chongqing-2019 §14)

Revision ID: d5a2e3f4b523
Revises: c4f1d2e3a412
Create Date: 2026-11-29 15:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = "d5a2e3f4b523"
down_revision = "c4f1d2e3a412"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "govshare_review",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("package_id", sa.UnicodeText, sa.ForeignKey("package.id", ondelete="CASCADE"), nullable=False),
        sa.Column("organization_id", sa.UnicodeText, nullable=True),
        sa.Column("kind", sa.UnicodeText, nullable=False),
        sa.Column("status", sa.UnicodeText, nullable=False),
        sa.Column("submitted_by", sa.UnicodeText, nullable=True),
        sa.Column("submitted_at", sa.DateTime, nullable=False),
        sa.Column("review_days", sa.Integer, nullable=False),
        sa.Column("due_at", sa.DateTime, nullable=False),
        sa.Column("decided_by", sa.UnicodeText, nullable=True),
        sa.Column("decided_at", sa.DateTime, nullable=True),
        sa.Column("reason", sa.UnicodeText, nullable=True),
        sa.CheckConstraint("kind IN ('new', 'change')", name="govshare_review_kind"),
        sa.CheckConstraint("status IN ('pending', 'approved', 'rejected')", name="govshare_review_status"),
        sa.CheckConstraint("status <> 'rejected' OR reason IS NOT NULL", name="govshare_review_reason"),
    )
    op.create_index("govshare_review_package_idx", "govshare_review", ["package_id", "submitted_at"])
    op.create_index("govshare_review_org_idx", "govshare_review", ["organization_id", "status", "due_at"])
    op.create_index("govshare_review_one_pending", "govshare_review", ["package_id"], unique=True,
                    postgresql_where=sa.text("status = 'pending'"))


def downgrade():
    op.drop_table("govshare_review")
