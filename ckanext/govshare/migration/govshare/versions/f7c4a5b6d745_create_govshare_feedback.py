"""Feedback on entries and update notices (issue 14 items 6 and 7): govshare_feedback,
govshare_subscription, govshare_notice, govshare_notice_state, govshare_notice_upkeep

Revision ID: f7c4a5b6d745
Revises: e6b3f4a5c634
Create Date: 2026-11-29 15:30:00

"""
from alembic import op
import sqlalchemy as sa

revision = "f7c4a5b6d745"
down_revision = "e6b3f4a5c634"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "govshare_feedback",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("package_id", sa.UnicodeText, sa.ForeignKey("package.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user_id", sa.UnicodeText, sa.ForeignKey("user.id", ondelete="CASCADE"), nullable=False),
        sa.Column("rating", sa.Integer, nullable=False),
        sa.Column("comment", sa.UnicodeText, nullable=False),
        sa.Column("objection", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("reply", sa.UnicodeText, nullable=True),
        sa.Column("reply_by", sa.UnicodeText, sa.ForeignKey("user.id", ondelete="SET NULL"), nullable=True),
        sa.Column("replied_at", sa.DateTime, nullable=True),
        sa.Column("reply_updated_at", sa.DateTime, nullable=True),
        sa.Column("hidden_at", sa.DateTime, nullable=True),
        sa.Column("hidden_by", sa.UnicodeText, sa.ForeignKey("user.id", ondelete="SET NULL"), nullable=True),
        sa.Column("hide_reason", sa.UnicodeText, nullable=True),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name="govshare_feedback_rating"),
    )
    op.create_index("govshare_feedback_package_idx", "govshare_feedback", ["package_id", "created_at"])
    op.create_index("govshare_feedback_user_idx", "govshare_feedback", ["user_id", "created_at"])

    op.create_table(
        "govshare_subscription",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("user_id", sa.UnicodeText, sa.ForeignKey("user.id", ondelete="CASCADE"), nullable=False),
        sa.Column("package_id", sa.UnicodeText, sa.ForeignKey("package.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("user_id", "package_id", name="govshare_subscription_user_package"),
    )
    op.create_index("govshare_subscription_package_idx", "govshare_subscription", ["package_id"])

    op.create_table(
        "govshare_notice",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("user_id", sa.UnicodeText, sa.ForeignKey("user.id", ondelete="CASCADE"), nullable=False),
        sa.Column("package_id", sa.UnicodeText, sa.ForeignKey("package.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.UnicodeText, nullable=False),
        sa.Column("reason", sa.UnicodeText, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("read_at", sa.DateTime, nullable=True),
    )
    op.create_index("govshare_notice_user_idx", "govshare_notice", ["user_id", "created_at"])

    op.create_table(
        "govshare_notice_state",
        sa.Column("package_id", sa.UnicodeText, sa.ForeignKey("package.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("data_hash", sa.UnicodeText, nullable=False),
        sa.Column("conditions_hash", sa.UnicodeText, nullable=False),
        sa.Column("seen_at", sa.DateTime, nullable=False),
        sa.Column("data_changed_at", sa.DateTime, nullable=True),
        sa.Column("conditions_changed_at", sa.DateTime, nullable=True),
    )

    op.create_table(
        "govshare_notice_upkeep",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("package_id", sa.UnicodeText, sa.ForeignKey("package.id", ondelete="CASCADE"), nullable=False),
        sa.Column("organization_id", sa.UnicodeText, sa.ForeignKey("group.id", ondelete="CASCADE"), nullable=True),
        sa.Column("feedback_id", sa.UnicodeText, sa.ForeignKey("govshare_feedback.id", ondelete="SET NULL"),
                  nullable=True),
        sa.Column("duty", sa.UnicodeText, nullable=False),
        sa.Column("article", sa.UnicodeText, nullable=True),
        sa.Column("policy", sa.UnicodeText, nullable=False),
        sa.Column("opened_at", sa.DateTime, nullable=False),
        sa.Column("due_at", sa.DateTime, nullable=True),
        sa.Column("closed_at", sa.DateTime, nullable=True),
    )
    op.create_index("govshare_notice_upkeep_org_idx", "govshare_notice_upkeep", ["organization_id", "closed_at"])


def downgrade():
    for table in ("govshare_notice_upkeep", "govshare_notice_state", "govshare_notice",
                  "govshare_subscription", "govshare_feedback"):
        op.drop_table(table)
