#!/usr/bin/env bash
# ckanext-govshare stack: one command for the demo portal, one for the tests, one to stop.
#
#   ./stack.sh demo          install what is missing, start PostgreSQL, Redis, Solr and CKAN,
#                            load the Chinese demo catalogue, serve http://127.0.0.1:5000
#   ./stack.sh test [ARGS]   same stack with its own database and Solr core; run pytest
#   ./stack.sh stop          stop every process this project started (by pid file)
#
# Ports (127.0.0.1 only): PostgreSQL 54329, Redis 63799, Solr 8983, CKAN 5000; override with
# GOVSHARE_PG_PORT, GOVSHARE_REDIS_PORT, GOVSHARE_SOLR_PORT, GOVSHARE_CKAN_PORT.
# Solr schema: stack/solr/schema/govshare-schema.xml (GOVSHARE_SOLR_SCHEMA=ckan: CKAN's own).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export ROOT
# shellcheck source=stack/lib/common.sh
for lib in common python postgres redis solr ckan; do
  # shellcheck disable=SC1090
  source "$ROOT/stack/lib/$lib.sh"
done

services_up() {  # services_up DB CORE
  check_disk
  command -v curl >/dev/null || apt_install curl ca-certificates
  python_install
  postgres_install
  redis_install
  solr_install
  postgres_start
  postgres_database "$1"
  postgres_datastore "$1_datastore"
  redis_start
  # The Chinese-aware schema (issue 7); GOVSHARE_SOLR_SCHEMA=ckan for CKAN's own, or another path
  local schema=${GOVSHARE_SOLR_SCHEMA:-$ROOT/stack/solr/schema/govshare-schema.xml}
  [ "$schema" = ckan ] && schema=$(CKAN_SCHEMA_XML)
  solr_core "$2" "$schema"
  solr_start
}

translations() {
  local po mo
  for po in "$ROOT"/i18n/*/LC_MESSAGES/ckanext-govshare.po; do
    [ -e "$po" ] || continue
    mo=${po%.po}.mo
    if [ ! -e "$mo" ] || [ "$po" -nt "$mo" ]; then
      "$VENV/bin/pybabel" compile -D ckanext-govshare -i "$po" -o "$mo" >/dev/null 2>&1 || die "could not compile $po" "fix the catalogue syntax"
    fi
  done
}

cmd_demo() {
  services_up govshare_demo ckan
  translations
  demo_config
  ckan_env_for govshare_demo ckan 0
  ckan_db "$DEMO_INI"
  datastore_permissions "$DEMO_INI" govshare_demo_datastore
  demo_sysadmin "$DEMO_INI"
  info "loading the demo catalogue"
  ckan_cli -c "$DEMO_INI" govshare demo-catalogue load --sysadmin admin >"$LOG_DIR/demo-load.log" 2>&1 \
    || die "loading the demo catalogue failed: $(tail -n 3 "$LOG_DIR/demo-load.log" | tr '\n' ' ')" "read $LOG_DIR/demo-load.log"
  ckan_cli -c "$DEMO_INI" search-index rebuild -o >>"$LOG_DIR/demo-load.log" 2>&1 || die "search-index rebuild failed" "read $LOG_DIR/demo-load.log"
  ok "demo catalogue: $(grep -E '^(departments|accounts|datasets|files):' "$LOG_DIR/demo-load.log" | tr '\n' ' ')"
  ckan_worker_start "$DEMO_INI"
  ckan_web_start "$DEMO_INI"
  cat <<MSG

  ${_B}政务数据共享开放平台 is running: http://127.0.0.1:$CKAN_PORT${_N}
  sysadmin:        admin / GovShare-Admin-2026
  department user: jtj-clerk / GovShare-Demo-2026 (市交通局, editor)
  citizen:         citizen / GovShare-Demo-2026
  stop everything: ./stack.sh stop
MSG
}

cmd_test() {
  # separate state for parallel runs (e.g. GOVSHARE_TEST_DB=govshare_test2 GOVSHARE_TEST_CORE=ckan_test2)
  local db=${GOVSHARE_TEST_DB:-govshare_test} core=${GOVSHARE_TEST_CORE:-ckan_test}
  services_up "$db" "$core"
  # the browser tests drive Debian's headless Chromium; CJK fonts for its screenshots
  apt_install chromium chromium-driver fonts-noto-cjk
  translations
  ckan_env_for "$db" "$core" "${GOVSHARE_TEST_REDIS_DB:-1}"
  ckan_db "$ROOT/test.ini"
  datastore_permissions "$ROOT/test.ini" "${db}_datastore"
  info "running the test suite"
  cd "$ROOT"
  local rc=0
  "$VENV/bin/pytest" --ckan-ini=test.ini "$@" || rc=$?
  [ "$rc" -eq 5 ] && die "pytest collected no tests" "check the tests/ folder"
  return "$rc"
}

cmd_stop() {
  ckan_web_stop
  ckan_worker_stop
  solr_stop
  redis_stop
  postgres_stop
  ok "stopped"
}

case "${1:-}" in
  demo) shift; cmd_demo "$@" ;;
  test) shift; cmd_test "$@" ;;
  stop) shift; cmd_stop ;;
  *) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
