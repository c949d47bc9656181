"""Index catalogue resource codes (the uniqueness check looks them up on every save)

Revision ID: 9d4b7e3f2a61
Revises: 7c2e5d9a1b44
Create Date: 2026-11-21 10:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "9d4b7e3f2a61"
down_revision = "7c2e5d9a1b44"
branch_labels = None
depends_on = None


def upgrade():
    # CKAN 2.12 has no package_extra table (extras are package.extras jsonb, indexed by
    # c4f1d2e3a412): nothing to index here on a fresh 2.12 database
    if not sa.inspect(op.get_bind()).has_table("package_extra"):
        return
    op.execute("CREATE INDEX IF NOT EXISTS govshare_package_extra_resource_code_idx "
               "ON package_extra (value) WHERE key = 'resource_code' AND state = 'active'")


def downgrade():
    op.execute("DROP INDEX IF EXISTS govshare_package_extra_resource_code_idx")
