#!/usr/bin/env bash
# Access-layer benchmark (bench/access_bench.py) on its own database, Solr core and Redis db.
#
#   bench/run_access_bench.sh [--n 20000] [--reuse] [--rounds 15] [--profile] ...
#
# Needs the stack's PostgreSQL, Redis and Solr running (./stack.sh test or ./stack.sh demo
# started them); creates database $GOVSHARE_BENCH_DB (govshare_bench_access), its DataStore
# database (govshare_bench_access_datastore) and Solr core
# $GOVSHARE_BENCH_CORE (ckan_bench_access) when missing, uses Redis db $GOVSHARE_BENCH_REDIS_DB (8),
# creates CKAN's tables there and runs the benchmark. Touches no other database or core; never
# stops anything.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export ROOT
for lib in common python postgres redis solr ckan; do
  # shellcheck disable=SC1090
  source "$ROOT/stack/lib/$lib.sh"
done

DB=${GOVSHARE_BENCH_DB:-govshare_bench_access}
CORE=${GOVSHARE_BENCH_CORE:-ckan_bench_access}
REDIS_DB=${GOVSHARE_BENCH_REDIS_DB:-8}
[[ $DB == *bench* ]] || die "GOVSHARE_BENCH_DB=$DB: the benchmark wipes its database, so the name must contain 'bench'" "choose e.g. govshare_bench_access"

[ -x "$VENV/bin/python" ] || die "no virtualenv at $VENV" "run ./stack.sh test once"
pg_isready -q -h 127.0.0.1 -p "$PG_PORT" || die "PostgreSQL is not running on 127.0.0.1:$PG_PORT" "start the stack: ./stack.sh test tests/test_vocab.py"
redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 || die "Redis is not running on 127.0.0.1:$REDIS_PORT" "start the stack: ./stack.sh test tests/test_vocab.py"
_solr_answers || die "Solr is not answering at $SOLR_URL" "start the stack: ./stack.sh test tests/test_vocab.py"

postgres_database "$DB"
postgres_datastore "${DB}_datastore"
# the stack's schema: the Chinese-aware one when present; GOVSHARE_SOLR_SCHEMA=ckan for CKAN's own
schema=${GOVSHARE_SOLR_SCHEMA:-$ROOT/stack/solr/schema/govshare-schema.xml}
{ [ "$schema" = ckan ] || [ ! -f "$schema" ]; } && schema=$(CKAN_SCHEMA_XML)
solr_core "$CORE" "$schema"
ckan_env_for "$DB" "$CORE" "$REDIS_DB"

# CKAN's tables and the activity and govshare migrations (idempotent), with the platform's
# plugins (test.ini) on the bench database: CKAN_SQLALCHEMY_URL wins over the ini.
dblog=$LOG_DIR/access-bench-db.log
{
  ckan_cli -c "$ROOT/test.ini" db init &&
  ckan_cli -c "$ROOT/test.ini" db upgrade -p activity &&
  ckan_cli -c "$ROOT/test.ini" db upgrade -p govshare &&
  { ckan_cli -c "$ROOT/test.ini" datastore set-permissions | pg_psql -d "${DB}_datastore"; }
} >"$dblog" 2>&1 || die "creating CKAN's tables in $DB failed: $(tail -n 2 "$dblog" | tr '\n' ' ')" "read $dblog"

cd "$ROOT"
exec "$VENV/bin/python" "$ROOT/bench/access_bench.py" "$@"
