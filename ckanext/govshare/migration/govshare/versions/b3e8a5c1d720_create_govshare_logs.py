"""Create the ten-year logs: catalogue change, share/exchange and query logs
(kunming-2019 §27; chongqing-2018 §29): partitioned by month, append-only, hash-chained

Revision ID: b3e8a5c1d720
Revises: 9d4b7e3f2a61
Create Date: 2026-11-29 13:00:00

Each log is a table partitioned by month on ``at`` (UTC, timestamp without time zone).
A BEFORE INSERT trigger (``govshare_log_chain``) serialises the writers of one log on its
row in ``govshare_log_head`` (``SELECT … FOR UPDATE``), gives the row the next ``seq``,
keeps ``at`` non-decreasing along the chain, and sets

    prev_hash = the previous row's hash (32 zero bytes for the first row)
    hash      = sha256(prev_hash || convert_to((to_jsonb(row) - 'prev_hash' - 'hash')::text, 'UTF8'))

(PostgreSQL's built-in ``sha256``; no extension, so the migration runs as the database
owner without superuser). A BEFORE UPDATE OR DELETE trigger refuses every change. See
docs/logs.md.
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import BYTEA, JSONB

revision = "b3e8a5c1d720"
down_revision = "9d4b7e3f2a61"
branch_labels = None
depends_on = None

LOGS = ("govshare_log_catalogue", "govshare_log_exchange", "govshare_log_query")
# months created ahead by the migration (the cron command and the writer add more)
AHEAD = 3
SCHEMA = "govshare_log_partitions"


def _common():
    return [
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("at", sa.DateTime, nullable=False, server_default=sa.text("(statement_timestamp() AT TIME ZONE 'UTC')")),
    ]


def _chain():
    return [sa.Column("prev_hash", BYTEA, nullable=False), sa.Column("hash", BYTEA, nullable=False)]


def upgrade():
    # the monthly partitions live in a schema of their own: the public schema shows only the
    # three logs, and tools that reflect it (CKAN's test reset drops every table it finds)
    # never meet a partition apart from its table
    op.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    op.create_table(
        "govshare_log_head",
        sa.Column("log", sa.UnicodeText, primary_key=True),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("hash", BYTEA, nullable=False),
    )
    op.create_table(
        "govshare_log_archive",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("log", sa.UnicodeText, nullable=False),
        sa.Column("month", sa.Date, nullable=False),
        sa.Column("rows", sa.BigInteger, nullable=False),
        sa.Column("first_seq", sa.BigInteger, nullable=True),
        sa.Column("last_seq", sa.BigInteger, nullable=True),
        sa.Column("first_prev_hash", BYTEA, nullable=True),
        sa.Column("last_hash", BYTEA, nullable=True),
        sa.Column("file_name", sa.UnicodeText, nullable=False),
        sa.Column("file_sha256", sa.UnicodeText, nullable=False),
        sa.Column("archived_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("log", "month", name="govshare_log_archive_month"),
    )
    op.create_table(
        "govshare_log_catalogue",
        *_common(),
        sa.Column("actor_id", sa.UnicodeText, nullable=True),
        sa.Column("action", sa.UnicodeText, nullable=False),
        sa.Column("package_id", sa.UnicodeText, nullable=False),
        sa.Column("package_name", sa.UnicodeText, nullable=True),
        sa.Column("resource_code", sa.UnicodeText, nullable=True),
        sa.Column("organization_id", sa.UnicodeText, nullable=True),
        sa.Column("open_before", sa.UnicodeText, nullable=True),
        sa.Column("open_after", sa.UnicodeText, nullable=True),
        sa.Column("share_before", sa.UnicodeText, nullable=True),
        sa.Column("share_after", sa.UnicodeText, nullable=True),
        sa.Column("detail", JSONB, nullable=True),
        *_chain(),
        sa.PrimaryKeyConstraint("at", "seq", name="govshare_log_catalogue_pkey"),
        sa.CheckConstraint("action IN ('created', 'updated', 'deleted')", name="govshare_log_catalogue_action"),
        postgresql_partition_by="RANGE (at)",
    )
    op.create_index("govshare_log_catalogue_package_idx", "govshare_log_catalogue", ["package_id", "seq"])
    op.create_table(
        "govshare_log_exchange",
        *_common(),
        sa.Column("actor_id", sa.UnicodeText, nullable=True),
        sa.Column("actor_org_id", sa.UnicodeText, nullable=True),
        sa.Column("channel", sa.UnicodeText, nullable=False),
        sa.Column("package_id", sa.UnicodeText, nullable=True),
        sa.Column("resource_id", sa.UnicodeText, nullable=True),
        sa.Column("organization_id", sa.UnicodeText, nullable=True),
        sa.Column("basis", sa.UnicodeText, nullable=False),
        sa.Column("grant_id", sa.UnicodeText, nullable=True),
        sa.Column("client_hash", sa.UnicodeText, nullable=True),
        sa.Column("detail", JSONB, nullable=True),
        *_chain(),
        sa.PrimaryKeyConstraint("at", "seq", name="govshare_log_exchange_pkey"),
        sa.CheckConstraint(
            "channel IN ('download', 'datastore_search', 'datastore_search_sql', 'api')",
            name="govshare_log_exchange_channel"),
        postgresql_partition_by="RANGE (at)",
    )
    op.create_index("govshare_log_exchange_package_idx", "govshare_log_exchange", ["package_id", "at"])
    op.create_index("govshare_log_exchange_actor_idx", "govshare_log_exchange", ["actor_id", "at"])
    op.create_table(
        "govshare_log_query",
        *_common(),
        sa.Column("actor_hash", sa.UnicodeText, nullable=True),
        sa.Column("actor_kind", sa.UnicodeText, nullable=False),
        sa.Column("channel", sa.UnicodeText, nullable=False),
        sa.Column("query", sa.UnicodeText, nullable=True),
        sa.Column("filters", JSONB, nullable=True),
        sa.Column("result_count", sa.Integer, nullable=True),
        *_chain(),
        sa.PrimaryKeyConstraint("at", "seq", name="govshare_log_query_pkey"),
        postgresql_partition_by="RANGE (at)",
    )
    for log in LOGS:
        # owned by the column: dropped with the table
        op.execute(f"CREATE SEQUENCE IF NOT EXISTS {log}_seq OWNED BY {log}.seq")

    # the chain: one writer at a time per log (the head row's lock), seq and hash set here
    op.execute("""
        CREATE OR REPLACE FUNCTION govshare_log_chain() RETURNS trigger AS $$
        DECLARE
            head govshare_log_head%ROWTYPE;
            chain text := TG_ARGV[0];  -- the partitioned table (TG_TABLE_NAME is the partition)
        BEGIN
            SELECT * INTO head FROM govshare_log_head h WHERE h.log = chain FOR UPDATE;
            IF NOT FOUND THEN
                INSERT INTO govshare_log_head AS h (log, seq, at, hash)
                VALUES (chain, 0, '-infinity', decode(repeat('00', 32), 'hex'))
                ON CONFLICT (log) DO NOTHING;
                SELECT * INTO head FROM govshare_log_head h WHERE h.log = chain FOR UPDATE;
            END IF;
            NEW.seq := nextval(chain || '_seq');
            IF NEW.at < head.at THEN
                -- the chain's order is time order (a month's partition is one stretch of it)
                NEW.at := head.at;
            END IF;
            NEW.prev_hash := head.hash;
            NEW.hash := NULL;
            NEW.hash := sha256(NEW.prev_hash
                               || convert_to((to_jsonb(NEW) - 'prev_hash' - 'hash')::text, 'UTF8'));
            UPDATE govshare_log_head h SET seq = NEW.seq, at = NEW.at, hash = NEW.hash WHERE h.log = chain;
            RETURN NEW;
        END;
        $$ LANGUAGE plpgsql;
    """)
    op.execute("""
        CREATE OR REPLACE FUNCTION govshare_log_append_only() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION '% is append-only: rows cannot be changed or deleted', TG_TABLE_NAME
                USING ERRCODE = 'insufficient_privilege';
        END;
        $$ LANGUAGE plpgsql;
    """)
    # partitions: one per month, created ahead (idempotent; safe when two processes race)
    op.execute("""
        CREATE OR REPLACE FUNCTION govshare_log_ensure_partitions(first_month date, months integer)
        RETURNS integer AS $$
        DECLARE
            log text;
            m date;
            name text;
            created integer := 0;
        BEGIN
            FOREACH log IN ARRAY ARRAY['govshare_log_catalogue', 'govshare_log_exchange', 'govshare_log_query'] LOOP
                FOR i IN 0 .. months - 1 LOOP
                    m := (date_trunc('month', first_month) + make_interval(months => i))::date;
                    name := log || '_' || to_char(m, 'YYYY_MM');
                    IF to_regclass(format('govshare_log_partitions.%I', name)) IS NULL THEN
                        BEGIN
                            EXECUTE format('CREATE TABLE govshare_log_partitions.%I PARTITION OF %I '
                                           'FOR VALUES FROM (%L) TO (%L)',
                                           name, log, m, (m + interval '1 month')::date);
                            created := created + 1;
                        EXCEPTION WHEN duplicate_table OR unique_violation THEN
                            NULL;  -- another process made it
                        END;
                    END IF;
                END LOOP;
            END LOOP;
            RETURN created;
        END;
        $$ LANGUAGE plpgsql;
    """)
    for log in LOGS:
        op.execute(f"CREATE TRIGGER {log}_chain BEFORE INSERT ON {log} "
                   f"FOR EACH ROW EXECUTE FUNCTION govshare_log_chain('{log}')")
        op.execute(f"CREATE TRIGGER {log}_no_change BEFORE UPDATE OR DELETE ON {log} "
                   "FOR EACH ROW EXECUTE FUNCTION govshare_log_append_only()")
    op.execute("CREATE TRIGGER govshare_log_archive_no_change BEFORE UPDATE OR DELETE ON govshare_log_archive "
               "FOR EACH ROW EXECUTE FUNCTION govshare_log_append_only()")
    op.execute(f"SELECT govshare_log_ensure_partitions((now() AT TIME ZONE 'UTC')::date, {AHEAD})")


def downgrade():
    for log in LOGS:
        op.execute(f"DROP TABLE IF EXISTS {log} CASCADE")
        op.execute(f"DROP SEQUENCE IF EXISTS {log}_seq")
    op.drop_table("govshare_log_archive")
    op.drop_table("govshare_log_head")
    op.execute("DROP FUNCTION IF EXISTS govshare_log_ensure_partitions(date, integer)")
    op.execute("DROP FUNCTION IF EXISTS govshare_log_append_only()")
    op.execute("DROP FUNCTION IF EXISTS govshare_log_chain()")
    op.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
