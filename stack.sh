#!/usr/bin/env bash
# ckanext-govshare stack: one command for the demo portal, one for the tests, one to stop.
#
#   ./stack.sh demo          install what is missing, start PostgreSQL, Redis, Solr and CKAN,
#                            load the Chinese demo catalogue, serve http://127.0.0.1:5000 the
#                            production way: nginx -> uWSGI, job worker, deadline timer
#   ./stack.sh dev           the same with CKAN's development server instead of nginx/uWSGI
#   ./stack.sh test [ARGS]   same stack with its own database and Solr core; run pytest on
#                            CKAN 2.11 and 2.12 in parallel (GOVSHARE_CKAN=2.11|2.12: one)
#   ./stack.sh cluster       the same platform scaled out on this machine: SolrCloud (ZooKeeper,
#                            2 Solr nodes, 2 shards × 2 replicas), 2 CKAN web nodes behind nginx
#                            on http://127.0.0.1:5020, shared PostgreSQL/Redis (docs/deployment.md);
#                            --roll: restart the web nodes one by one (new code, no downtime)
#   ./stack.sh cluster-check kill a Solr node, then a web node, of that cluster and prove nothing
#                            is lost (tests/serving/test_cluster.py; 3-8 min, not in the suite)
#   ./stack.sh stop          stop every process this project started (by pid file)
#
# Ports (127.0.0.1 only): PostgreSQL 54329, Redis 63799, Solr 8983, CKAN 5000; override with
# GOVSHARE_PG_PORT, GOVSHARE_REDIS_PORT, GOVSHARE_SOLR_PORT, GOVSHARE_CKAN_PORT. A second stack
# beside the first: other ports and GOVSHARE_STATE=<folder> (GOVSHARE_VENV=.stack/venv shares
# the virtualenv). Serving settings: docs/deployment.md.
# Solr schema: stack/solr/schema/govshare-schema.xml (GOVSHARE_SOLR_SCHEMA=ckan: CKAN's own).
# CKAN version: GOVSHARE_CKAN=2.11|2.12 (stack/lib/python.sh; one virtualenv each).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export ROOT
# shellcheck source=stack/lib/common.sh
for lib in common python postgres redis solr ckan uwsgi nginx cluster assets; do
  # shellcheck disable=SC1090
  source "$ROOT/stack/lib/$lib.sh"
done

services_up() {  # services_up DB CORE
  check_disk
  command -v curl >/dev/null || apt_install curl ca-certificates
  python_install
  assets_install
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

# test_one ARGS: the suite on one CKAN version ($CKAN_SERIES) with its own state (database,
# Solr core, Redis databases, storage): GOVSHARE_TEST_DB, GOVSHARE_TEST_CORE,
# GOVSHARE_TEST_REDIS_DB (default govshare_test, ckan_test, 1 on 2.11; the same with _212 and
# Redis 9 on 2.12) and GOVSHARE_SERVING_REDIS_DB (tests/serving's processes; 12, on 2.12 14)
test_one() {
  local db core redis_db sfx=
  [ "$CKAN_SERIES" = 2.11 ] || sfx=_${CKAN_SERIES/./}
  db=${GOVSHARE_TEST_DB:-govshare_test$sfx}
  core=${GOVSHARE_TEST_CORE:-ckan_test$sfx}
  redis_db=${GOVSHARE_TEST_REDIS_DB:-$([ -z "$sfx" ] && echo 1 || echo 9)}
  if [ -n "$sfx" ]; then
    export GOVSHARE_SERVING_REDIS_DB=${GOVSHARE_SERVING_REDIS_DB:-14}
    export CKAN_STORAGE_PATH=${CKAN_STORAGE_PATH:-$STATE/test-storage$sfx}
  fi
  services_up "$db" "$core"
  # the browser tests drive Debian's headless Chromium; CJK fonts for its screenshots
  apt_install chromium chromium-driver fonts-noto-cjk
  # tests/serving runs the production server (nginx -> uWSGI) under a hung mail server
  nginx_install
  translations
  ckan_env_for "$db" "$core" "$redis_db"
  CKAN_DB_LOG=$LOG_DIR/ckan-db-$db.log
  ckan_db "$ROOT/test.ini"
  datastore_permissions "$ROOT/test.ini" "${db}_datastore"
  # tests/serving starts the stack's scripts with the suite's virtualenv
  export GOVSHARE_VENV=$VENV
  info "running the test suite on CKAN $("$VENV/bin/python" -c 'import ckan; print(ckan.__version__)') (database $db, Solr core $core, Redis db $redis_db)"
  cd "$ROOT"
  local rc=0
  "$VENV/bin/pytest" --ckan-ini=test.ini "$@" || rc=$?
  [ "$rc" -eq 5 ] && die "pytest collected no tests" "check the tests/ folder"
  return "$rc"
}

# ./stack.sh test [ARGS]: with GOVSHARE_CKAN=2.11|2.12 the suite on that version; without it
# on every version of $CKAN_VERSIONS at once (each with its own state, see test_one; output
# lines prefixed with the version), failing if any fails. GOVSHARE_TEST_DB_212,
# GOVSHARE_TEST_CORE_212, GOVSHARE_TEST_REDIS_DB_212 name the 2.12 run's state then.
cmd_test() {
  if [ -n "${GOVSHARE_CKAN:-}" ] || [ "$(wc -w <<<"$CKAN_VERSIONS")" -eq 1 ]; then
    use_ckan "${GOVSHARE_CKAN:-$CKAN_VERSIONS}"
    test_one "$@"
    return
  fi
  [ -z "${GOVSHARE_VENV:-}" ] || die "GOVSHARE_VENV names one virtualenv, the test runs over several CKAN versions" \
    "set GOVSHARE_CKAN=2.11 or 2.12 with it"
  local v db=${GOVSHARE_TEST_DB:-govshare_test} core=${GOVSHARE_TEST_CORE:-ckan_test}
  local redis_db=${GOVSHARE_TEST_REDIS_DB:-1} started=$SECONDS
  # what both runs share is prepared once, one version after the other (virtualenvs, services)
  for v in $CKAN_VERSIONS; do use_ckan "$v"; python_install; done
  services_up "$db" "$core"
  local -A pids=()
  for v in $CKAN_VERSIONS; do
    local vdb=$db vcore=$core vredis=$redis_db
    if [ "$v" != 2.11 ]; then
      vdb=${GOVSHARE_TEST_DB_212:-${db}_212} vcore=${GOVSHARE_TEST_CORE_212:-${core}_212}
      vredis=${GOVSHARE_TEST_REDIS_DB_212:-$(((redis_db + 8) % 16))}
    fi
    # journey screenshots (GOVSHARE_SCREENSHOTS=1) come from the default version only
    (GOVSHARE_CKAN=$v GOVSHARE_TEST_DB=$vdb GOVSHARE_TEST_CORE=$vcore GOVSHARE_TEST_REDIS_DB=$vredis \
      GOVSHARE_SCREENSHOTS=$([ "$v" = "$CKAN_DEFAULT" ] && echo "${GOVSHARE_SCREENSHOTS:-}") \
      "$ROOT/stack.sh" test "$@" 2>&1 | sed -u "s/^/[$v] /") &
    pids[$v]=$!
  done
  local failed=() rc
  for v in $CKAN_VERSIONS; do
    rc=0; wait "${pids[$v]}" || rc=$?
    [ "$rc" -eq 0 ] || failed+=("CKAN $v (exit $rc)")
  done
  info "test runs on CKAN ${CKAN_VERSIONS// /, } took $(((SECONDS - started) / 60)) min $(((SECONDS - started) % 60)) s"
  [ ${#failed[@]} -eq 0 ] || die "the suite failed on ${failed[*]}" "run one version: GOVSHARE_CKAN=<version> ./stack.sh test ARGS"
  ok "the suite passed on CKAN ${CKAN_VERSIONS// /, }"
}

cmd_stop() {
  cluster_stop
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
  cluster) shift; cluster_services_up; translations; cluster_up "$@"; cluster_banner ;;
  cluster-check) shift; export GOVSHARE_CLUSTER_CHECK=1 GOVSHARE_CKAN=${GOVSHARE_CKAN:-$CKAN_DEFAULT}
    cmd_test tests/serving/test_cluster.py -s -p no:cacheprovider "$@" ;;
  stop) shift; cmd_stop ;;
  *) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
