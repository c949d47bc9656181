"""Create govshare_application and its append-only event log

Revision ID: 7c2e5d9a1b44
Revises: 4a1f0c2b7d10
Create Date: 2026-11-21 09:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

revision = "7c2e5d9a1b44"
down_revision = "4a1f0c2b7d10"
branch_labels = None
depends_on = None

KINDS = "('open', 'share', 'error_report', 'catalogue_correction', 'open_demand')"
STATUSES = "('submitted', 'extended', 'approved', 'refused', 'withdrawn')"


def _user_fk(name, nullable=True):
    return sa.Column(name, sa.UnicodeText, sa.ForeignKey("user.id", ondelete="RESTRICT"), nullable=nullable)


def upgrade():
    op.create_table(
        "govshare_application",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("kind", sa.UnicodeText, nullable=False),
        sa.Column("status", sa.UnicodeText, nullable=False),
        sa.Column("package_id", sa.UnicodeText, sa.ForeignKey("package.id", ondelete="RESTRICT"), nullable=True),
        sa.Column("provider_org_id", sa.UnicodeText, sa.ForeignKey("group.id", ondelete="RESTRICT"), nullable=True),
        _user_fk("applicant_user_id", nullable=False),
        sa.Column("applicant_org_id", sa.UnicodeText, sa.ForeignKey("group.id", ondelete="RESTRICT"), nullable=True),
        sa.Column("client_token", sa.UnicodeText, nullable=True),
        sa.Column("applicant_type", sa.UnicodeText, nullable=True),
        sa.Column("applicant_name", sa.UnicodeText, nullable=False),
        sa.Column("id_number", sa.UnicodeText, nullable=True),
        sa.Column("contact_phone", sa.UnicodeText, nullable=True),
        sa.Column("contact_email", sa.UnicodeText, nullable=True),
        sa.Column("purpose", sa.UnicodeText, nullable=True),
        sa.Column("usage_scope", sa.UnicodeText, nullable=True),
        sa.Column("data_items", sa.UnicodeText, nullable=True),
        sa.Column("period_start", sa.Date, nullable=True),
        sa.Column("period_end", sa.Date, nullable=True),
        sa.Column("agreement_accepted", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("description", sa.UnicodeText, nullable=True),
        sa.Column("policy", sa.UnicodeText, nullable=False),
        sa.Column("reply_days", sa.Integer, nullable=False),
        sa.Column("received_at", sa.DateTime, nullable=False),
        sa.Column("due_at", sa.DateTime, nullable=False),
        sa.Column("extension_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("extension_days", sa.Integer, nullable=True),
        sa.Column("extension_reason", sa.UnicodeText, nullable=True),
        _user_fk("extension_consented_by"),
        sa.Column("decided_at", sa.DateTime, nullable=True),
        _user_fk("decided_by"),
        sa.Column("decision_reason", sa.UnicodeText, nullable=True),
        sa.Column("decision_basis", sa.UnicodeText, nullable=True),
        sa.Column("conditions", sa.UnicodeText, nullable=True),
        sa.Column("grant_id", sa.UnicodeText, sa.ForeignKey("govshare_grant.id", ondelete="RESTRICT"), nullable=True),
        sa.Column("reminded_at", sa.DateTime, nullable=True),
        sa.Column("overdue_marked_at", sa.DateTime, nullable=True),
        sa.Column("modified_at", sa.DateTime, nullable=False),
        sa.CheckConstraint(f"kind IN {KINDS}", name="govshare_application_kind"),
        sa.CheckConstraint(f"status IN {STATUSES}", name="govshare_application_status"),
        sa.CheckConstraint("extension_count <= 1", name="govshare_application_one_extension"),
        sa.UniqueConstraint("applicant_user_id", "client_token", name="govshare_application_client_token"),
    )
    op.create_index("govshare_application_provider_idx", "govshare_application",
                    ["provider_org_id", "status", "due_at"])
    op.create_index("govshare_application_applicant_idx", "govshare_application", ["applicant_user_id"])
    op.create_index("govshare_application_package_idx", "govshare_application", ["package_id"])
    # one pending application per applicant, kind and entry: a double click or a retry
    # cannot create a second one
    op.create_index("govshare_application_one_pending", "govshare_application",
                    ["applicant_user_id", "kind", "package_id"], unique=True,
                    postgresql_where=sa.text("status IN ('submitted', 'extended') AND package_id IS NOT NULL"))

    op.create_table(
        "govshare_application_event",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("application_id", sa.UnicodeText,
                  sa.ForeignKey("govshare_application.id", ondelete="RESTRICT"), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        _user_fk("actor_user_id"),
        sa.Column("action", sa.UnicodeText, nullable=False),
        sa.Column("from_status", sa.UnicodeText, nullable=True),
        sa.Column("to_status", sa.UnicodeText, nullable=True),
        sa.Column("detail", JSONB, nullable=True),
    )
    op.create_index("govshare_application_event_app_idx", "govshare_application_event", ["application_id", "id"])
    # append-only: the event log can be added to, never changed or removed
    op.execute("""
        CREATE OR REPLACE FUNCTION govshare_application_event_append_only() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION 'govshare_application_event is append-only';
        END;
        $$ LANGUAGE plpgsql;
    """)
    op.execute("""
        CREATE TRIGGER govshare_application_event_no_change
        BEFORE UPDATE OR DELETE ON govshare_application_event
        FOR EACH ROW EXECUTE FUNCTION govshare_application_event_append_only();
    """)


def downgrade():
    op.execute("DROP TRIGGER IF EXISTS govshare_application_event_no_change ON govshare_application_event")
    op.drop_table("govshare_application_event")
    op.execute("DROP FUNCTION IF EXISTS govshare_application_event_append_only()")
    op.drop_table("govshare_application")
