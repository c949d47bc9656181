# CKAN itself: configuration, database, search index, web server.
# Sourced by ./stack.sh after common.sh, python.sh, postgres.sh, redis.sh and solr.sh.

DEMO_INI=$STATE/demo.ini
CKAN_SCHEMA_XML() { "$VENV/bin/python" -c 'import ckan, os; print(os.path.join(os.path.dirname(ckan.__file__), "config", "solr", "schema.xml"))'; }

# Environment CKAN prefers to its ini file: keeps test.ini valid when ports are overridden.
ckan_env_for() {  # ckan_env_for DB CORE REDIS_DB  (the DataStore lives in DB_datastore)
  export CKAN_SQLALCHEMY_URL; CKAN_SQLALCHEMY_URL=$(pg_url "$1")
  export CKAN_DATASTORE_WRITE_URL; CKAN_DATASTORE_WRITE_URL=$(pg_url "$1_datastore")
  export CKAN_DATASTORE_READ_URL; CKAN_DATASTORE_READ_URL=$(pg_ro_url "$1_datastore")
  export CKAN_SOLR_URL="http://127.0.0.1:$SOLR_PORT/solr/$2"
  export CKAN_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/$3"
}

demo_config() {
  if [ ! -s "$DEMO_INI" ]; then
    info "writing $DEMO_INI"
    ckan_cli generate config "$DEMO_INI" >/dev/null || die "ckan generate config failed" "re-run; check $VENV"
  fi
  ckan_cli config-tool "$DEMO_INI" \
    "sqlalchemy.url = $(pg_url govshare_demo)" \
    "solr_url = http://127.0.0.1:$SOLR_PORT/solr/ckan" \
    "ckan.redis.url = redis://127.0.0.1:$REDIS_PORT/0" \
    "ckan.site_url = http://127.0.0.1:$CKAN_PORT" \
    "ckan.site_title = 政务数据共享开放平台" \
    "ckan.site_id = govshare_demo" \
    "ckan.plugins = govshare scheming_datasets scheming_organizations dcat activity datastore datatables_view" \
    "ckan.datastore.write_url = $(pg_url govshare_demo_datastore)" \
    "ckan.datastore.read_url = $(pg_ro_url govshare_demo_datastore)" \
    "scheming.dataset_schemas = ckanext.govshare.schemas:dataset.yaml" \
    "scheming.organization_schemas = ckanext.govshare.schemas:organization.yaml" \
    "scheming.presets = ckanext.scheming:presets.json ckanext.govshare.schemas:presets.yaml" \
    "scheming.dataset_fallback = false" \
    "ckanext.dcat.rdf.profiles = euro_dcat_ap_3 govshare" \
    "ckanext.dcat.enable_rdf_endpoints = false" \
    "ckanext.dcat.enable_content_negotiation = false" \
    "ckan.locale_default = zh_Hans_CN" \
    "ckan.locale_order = zh_Hans_CN en" \
    "ckan.locales_offered = zh_Hans_CN en" \
    "ckan.storage_path = $STATE/storage" \
    "ckan.auth.create_user_via_web = true" \
    "ckan.csrf_protection.ignore_extensions = false" \
    "ckan.views.default_views = datatables_view" \
    "ckan.gravatar_default = disabled" \
    "ckan.display_timezone = Asia/Shanghai" \
    "ckan.auth.user_create_organizations = false" \
    "ckan.auth.create_unowned_dataset = false" \
    "ckanext.govshare.portal_url = https://www.cq.gov.cn" \
    "ckan.site_logo = " \
    "ckan.site_intro_text = **政务数据共享开放平台**集中发布市级各部门的政务信息资源目录：**无条件开放**的数据可直接下载；**有条件开放**的数据可在线申请，提供部门在法定期限内（按工作日计算）答复；政务部门可在此申请共享。[使用说明](/govshare/usage) · [提出开放需求](/demand)" \
    "ckan.site_description = 政务信息资源共享开放平台（演示）" \
    >/dev/null || die "ckan config-tool failed on $DEMO_INI" "delete $DEMO_INI and run again"
  mkdir -p "$STATE/storage"
}

# ckan_db INI: core tables and every plugin's migrations (idempotent); log $CKAN_DB_LOG
CKAN_DB_LOG=$LOG_DIR/ckan-db.log
ckan_db() {
  local ini=$1 log=$CKAN_DB_LOG
  ckan_cli -c "$ini" db init >"$log" 2>&1 || die "ckan db init failed: $(tail -n 2 "$log" | tr '\n' ' ')" "read $log"
  local p
  for p in activity govshare; do
    ckan_cli -c "$ini" db upgrade -p "$p" >>"$log" 2>&1 || die "ckan db upgrade -p $p failed" "read $log"
  done
}

demo_sysadmin() {
  local ini=$1
  if [ -z "$(pg_psql -d govshare_demo -tAc "SELECT 1 FROM \"user\" WHERE name = 'admin'")" ]; then
    ckan_cli -c "$ini" user add admin email=admin@example.gov.cn password=GovShare-Admin-2026 fullname=平台管理员 >>"$LOG_DIR/ckan-db.log" 2>&1 \
      || die "could not create the sysadmin account" "read $LOG_DIR/ckan-db.log"
  fi
  # a second run skips the CLI (a few seconds of CKAN start-up) when admin is a sysadmin already
  [ "$(pg_psql -d govshare_demo -tAc "SELECT sysadmin FROM \"user\" WHERE name = 'admin' AND state = 'active'")" = t ] && return 0
  ckan_cli -c "$ini" sysadmin add admin >>"$LOG_DIR/ckan-db.log" 2>&1 || die "could not make admin a sysadmin" "read $LOG_DIR/ckan-db.log"
}

ckan_web_stop() { stop_pid ckan; }

# CKAN's job worker on Redis: mail and other slow work leave the request (notify.py)
# RQ's worker ends after its current job on the first TERM (warm shutdown) and kills the job's
# work horse on the second (cold shutdown; the job is retried): a job stuck on a hung mail
# server does not hold the stop for long.
ckan_worker_stop() {
  local pid i
  if pid_alive ckan-worker; then
    pid=$(cat "$RUN_DIR/ckan-worker.pid")
    kill -TERM "$pid" 2>/dev/null
    for ((i = 0; i < 20; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    if ! kill -0 "$pid" 2>/dev/null; then rm -f "$RUN_DIR/ckan-worker.pid"; ok "stopped ckan-worker (pid $pid)"; return 0; fi
    kill -TERM "$pid" 2>/dev/null
  fi
  stop_pid ckan-worker
}

ckan_worker_start() {
  local ini=$1
  ckan_worker_stop
  info "starting CKAN's job worker"
  nohup "$VENV/bin/ckan" -c "$ini" jobs worker >"$LOG_DIR/ckan-worker.log" 2>&1 </dev/null &
  echo $! >"$RUN_DIR/ckan-worker.pid"
  sleep 1
  kill -0 "$(cat "$RUN_DIR/ckan-worker.pid")" 2>/dev/null \
    || die "CKAN's job worker stopped at once: $(tail -n 3 "$LOG_DIR/ckan-worker.log" | tr '\n' ' ')" "read $LOG_DIR/ckan-worker.log"
  ok "job worker (pid $(cat "$RUN_DIR/ckan-worker.pid"))"
}

# The deadline timer: `ckan govshare deadlines` (reminders, overdue records, mail retries that
# fell due; safe to run twice) every GOVSHARE_DEADLINES_EVERY minutes (default 15), as a loop
# under the stack's supervision: pid file $RUN_DIR/ckan-deadlines.pid, log
# $LOG_DIR/ckan-deadlines.log. On a cluster this is a cron job (docs/deployment.md).
ckan_deadlines_stop() { stop_pid ckan-deadlines; }

ckan_deadlines_start() {
  local ini=$1 every=${GOVSHARE_DEADLINES_EVERY:-15}
  [[ "$every" =~ ^[1-9][0-9]*$ ]] || die "GOVSHARE_DEADLINES_EVERY must be a whole number of minutes (got '$every')" "e.g. GOVSHARE_DEADLINES_EVERY=15"
  ckan_deadlines_stop
  info "starting the deadline timer (ckan govshare deadlines every $every min)"
  # TERM ends the loop at once: the sleep runs in the background and the trap kills the
  # running child (sleep or the command) before exiting
  nohup bash -c '
    child=
    trap '"'"'[ -n "$child" ] && kill "$child" 2>/dev/null; exit 0'"'"' TERM INT
    while :; do
      echo "== $(date -u +%FT%TZ) ckan govshare deadlines"
      "$0" -c "$1" govshare deadlines & child=$!; wait "$child"; echo "== exit $?"
      sleep "$2" & child=$!; wait "$child"
    done' "$VENV/bin/ckan" "$ini" "$((every * 60))" >>"$LOG_DIR/ckan-deadlines.log" 2>&1 </dev/null &
  echo $! >"$RUN_DIR/ckan-deadlines.pid"
  sleep 0.5
  pid_alive ckan-deadlines || die "the deadline timer stopped at once" "read $LOG_DIR/ckan-deadlines.log"
  ok "deadline timer (pid $(cat "$RUN_DIR/ckan-deadlines.pid"), every $every min)"
}

# CKAN's development server (./stack.sh dev): one process, for working on templates
ckan_web_start() {
  local ini=$1
  ckan_web_stop
  require_port CKAN "$CKAN_PORT" GOVSHARE_CKAN_PORT
  info "starting CKAN's development server on http://127.0.0.1:$CKAN_PORT"
  nohup "$VENV/bin/ckan" -c "$ini" run --host 127.0.0.1 --port "$CKAN_PORT" --disable-reloader \
    >"$LOG_DIR/ckan.log" 2>&1 </dev/null &
  echo $! >"$RUN_DIR/ckan.pid"
  wait_for CKAN 90 curl -sf "http://127.0.0.1:$CKAN_PORT/api/3/action/status_show" \
    || die "CKAN did not answer on 127.0.0.1:$CKAN_PORT: $(tail -n 5 "$LOG_DIR/ckan.log" | tr '\n' ' ')" "read $LOG_DIR/ckan.log"
  ok "CKAN development server on http://127.0.0.1:$CKAN_PORT (pid $(cat "$RUN_DIR/ckan.pid"))"
}
