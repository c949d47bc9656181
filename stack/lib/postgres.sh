# PostgreSQL from Debian's packages: our own cluster in $STATE/pg on 127.0.0.1:$PG_PORT.
# Sourced by ./stack.sh after common.sh.

PGDATA_DIR=$STATE/pg
PG_SOCK=$STATE/pgsock
PG_ROLE=govshare
PG_PASSWORD=govshare

pg_bin() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$d" ] && echo "$d"
}

# Run a PostgreSQL tool as the cluster owner: 'postgres' when we are root (initdb refuses root).
pg_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

postgres_install() {
  [ -n "$(pg_bin)" ] && [ -x "$(pg_bin)/postgres" ] || apt_install postgresql
  command -v psql >/dev/null || apt_install postgresql-client
  [ -n "$(pg_bin)" ] || die "no PostgreSQL server binaries under /usr/lib/postgresql after installing" "apt-get install postgresql"
}

postgres_start() {
  local bin; bin=$(pg_bin)
  if pid_alive postgres && pg_isready -q -h 127.0.0.1 -p "$PG_PORT"; then ok "PostgreSQL already running on 127.0.0.1:$PG_PORT"; return 0; fi
  require_port PostgreSQL "$PG_PORT" GOVSHARE_PG_PORT
  mkdir -p "$PGDATA_DIR" "$PG_SOCK"
  touch "$LOG_DIR/postgres.log"
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$PGDATA_DIR" "$PG_SOCK" "$LOG_DIR/postgres.log"; fi
  chmod 700 "$PGDATA_DIR"
  if [ ! -s "$PGDATA_DIR/PG_VERSION" ]; then
    info "initialising a PostgreSQL cluster in $PGDATA_DIR"
    pg_as_owner "$bin/initdb" -D "$PGDATA_DIR" -U postgres --auth-local=trust --auth-host=trust \
      -E UTF8 --locale=C.UTF-8 >"$LOG_DIR/initdb.log" 2>&1 \
      || die "initdb failed (see $LOG_DIR/initdb.log)" "check disk space and that $STATE is writable by the postgres user"
  fi
  info "starting PostgreSQL on 127.0.0.1:$PG_PORT"
  pg_as_owner "$bin/pg_ctl" -D "$PGDATA_DIR" -l "$LOG_DIR/postgres.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_SOCK -c fsync=off -c full_page_writes=off" start >/dev/null \
    || die "PostgreSQL did not start: $(tail -n 3 "$LOG_DIR/postgres.log" | tr '\n' ' ')" "read $LOG_DIR/postgres.log"
  head -n 1 "$PGDATA_DIR/postmaster.pid" >"$RUN_DIR/postgres.pid"
  wait_for PostgreSQL 30 pg_isready -q -h 127.0.0.1 -p "$PG_PORT" || die "PostgreSQL is not accepting connections on 127.0.0.1:$PG_PORT" "read $LOG_DIR/postgres.log"
  ok "PostgreSQL on 127.0.0.1:$PG_PORT (pid $(cat "$RUN_DIR/postgres.pid"))"
}

pg_psql() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres "$@"; }

# postgres_database NAME: the role govshare and database NAME owned by it
postgres_database() {
  local db=$1
  if [ -z "$(pg_psql -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$PG_ROLE'")" ]; then
    pg_psql -c "CREATE ROLE $PG_ROLE LOGIN PASSWORD '$PG_PASSWORD'"
  fi
  if [ -z "$(pg_psql -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'")" ]; then
    pg_psql -c "CREATE DATABASE $db OWNER $PG_ROLE ENCODING 'UTF8' TEMPLATE template0" && ok "database $db created"
  fi
}

pg_url() { echo "postgresql://$PG_ROLE:$PG_PASSWORD@127.0.0.1:$PG_PORT/$1"; }

# The DataStore's read-only role (CKAN reads DataStore tables through it).
PG_DS_RO_ROLE=govshare_ds_ro
PG_DS_RO_PASSWORD=govshare_ds_ro
pg_ro_url() { echo "postgresql://$PG_DS_RO_ROLE:$PG_DS_RO_PASSWORD@127.0.0.1:$PG_PORT/$1"; }

# postgres_datastore NAME: the DataStore database NAME and the read-only role
postgres_datastore() {
  postgres_database "$1"
  if [ -z "$(pg_psql -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$PG_DS_RO_ROLE'")" ]; then
    pg_psql -c "CREATE ROLE $PG_DS_RO_ROLE LOGIN PASSWORD '$PG_DS_RO_PASSWORD'"
  fi
}

# datastore_permissions INI DB: apply CKAN's own DataStore permissions (idempotent)
datastore_permissions() {
  ckan_cli -c "$1" datastore set-permissions 2>>"$LOG_DIR/ckan-db.log" | pg_psql -d "$2" >>"$LOG_DIR/ckan-db.log" 2>&1 \
    || die "could not set DataStore permissions on $2" "read $LOG_DIR/ckan-db.log"
}

# Fast shutdown (SIGINT): SIGTERM would wait for every client to disconnect.
postgres_stop() { stop_pid postgres INT; }
