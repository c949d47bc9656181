#!/usr/bin/env bash
# ckanext-govshare stack: one command for the demo portal, one for the tests, one to stop.
#
#   ./stack.sh demo          install what is missing, start PostgreSQL, Redis, Solr and CKAN,
#                            load the Chinese demo catalogue, serve http://127.0.0.1:5000 the
#                            production way: nginx -> uWSGI, job worker, deadline timer
#   ./stack.sh dev           the same with CKAN's development server instead of nginx/uWSGI
#   ./stack.sh test [ARGS]   same stack with its own database and Solr core; run pytest
#   ./stack.sh stop          stop every process this project started (by pid file)
#
# Ports (127.0.0.1 only): PostgreSQL 54329, Redis 63799, Solr 8983, CKAN 5000; override with
# GOVSHARE_PG_PORT, GOVSHARE_REDIS_PORT, GOVSHARE_SOLR_PORT, GOVSHARE_CKAN_PORT. A second stack
# beside the first: other ports and GOVSHARE_STATE=<folder> (GOVSHARE_VENV=.stack/venv shares
# the virtualenv). Serving settings: docs/deployment.md.
# Solr schema: stack/solr/schema/govshare-schema.xml (GOVSHARE_SOLR_SCHEMA=ckan: CKAN's own).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export ROOT
# shellcheck source=stack/lib/common.sh
for lib in common python postgres redis solr ckan uwsgi nginx; do
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

demo_prepare() {
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
  ckan_deadlines_start "$DEMO_INI"
}

demo_banner() {
  cat <<MSG

  ${_B}政务数据共享开放平台 is running: http://127.0.0.1:$CKAN_PORT${_N} ($1)
  sysadmin:        admin / GovShare-Admin-2026
  department user: jtj-clerk / GovShare-Demo-2026 (市交通局, editor)
  citizen:         citizen / GovShare-Demo-2026
  stop everything: ./stack.sh stop
MSG
}

# production serving (CKAN's deployment guide): nginx on the port users open -> uWSGI
cmd_demo() {
  nginx_install
  demo_prepare
  ckan_web_stop
  uwsgi_start "$DEMO_INI"
  nginx_start "$CKAN_PORT"
  demo_banner "nginx → uWSGI; health: /govshare/health"
}

# CKAN's development server, for working on templates (one process, no nginx)
cmd_dev() {
  demo_prepare
  nginx_stop
  uwsgi_stop
  ckan_web_start "$DEMO_INI"
  demo_banner "CKAN development server"
}

cmd_test() {
  # separate state for parallel runs (e.g. GOVSHARE_TEST_DB=govshare_test2 GOVSHARE_TEST_CORE=ckan_test2)
  local db=${GOVSHARE_TEST_DB:-govshare_test} core=${GOVSHARE_TEST_CORE:-ckan_test}
  services_up "$db" "$core"
  # the browser tests drive Debian's headless Chromium; CJK fonts for its screenshots
  apt_install chromium chromium-driver fonts-noto-cjk
  # tests/serving runs the production server (nginx -> uWSGI) under a hung mail server
  nginx_install
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
  nginx_stop
  uwsgi_stop
  ckan_web_stop
  ckan_deadlines_stop
  ckan_worker_stop
  solr_stop
  redis_stop
  postgres_stop
  ok "stopped"
}

case "${1:-}" in
  demo) shift; cmd_demo "$@" ;;
  dev) shift; cmd_dev "$@" ;;
  test) shift; cmd_test "$@" ;;
  stop) shift; cmd_stop ;;
  *) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
