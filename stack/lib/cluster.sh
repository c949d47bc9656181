# ./stack.sh cluster: the platform scaled out on one machine, as it would run on several.
# Sourced by ./stack.sh after solr.sh, ckan.sh, uwsgi.sh and nginx.sh; never run directly.
#
#   ZooKeeper   127.0.0.1:9990 — one standalone server (ZooKeeperServerMain from the zookeeper
#               jar Solr already depends on, stack/solr/target/lib); config stack/cluster/zoo.cfg
#   SolrCloud   two Solr 9 nodes, 127.0.0.1:8990 and :8991 (the single node's launcher with
#               -DzkHost; stack/cluster/solr.xml), configset "govshare" (the single-node core's
#               schema, solrconfig and word lists) in ZooKeeper, collection "govshare" with
#               2 shards × 2 replicas: each node holds a replica of each shard
#   Solr LB     127.0.0.1:8992 (nginx) over both nodes: CKAN's solr_url
#   web nodes   two uWSGI instances (stack/uwsgi/ckan-uwsgi.ini), sockets
#               $RUN_DIR/cluster-web{1,2}.sock, same ini ($STATE/cluster/cluster.ini)
#   nginx       127.0.0.1:5020, round-robin over the web nodes (stack/cluster/nginx.conf);
#               response header X-Govshare-Web-Node says which one answered
#   worker      one `ckan jobs worker`
#   shared      the stack's PostgreSQL (database govshare_cluster, DataStore
#               govshare_cluster_datastore) and Redis (db 9): sessions live in Redis
#               (SESSION_TYPE = redis), so a login holds on either web node
#
#   cluster_up     start or repair everything (idempotent: what runs and answers is kept);
#                  the first run loads the demo catalogue; --roll: restart the web nodes one
#                  by one and the worker (new code, no downtime)
#   cluster_stop   stop every process of the cluster (pid files $RUN_DIR/cluster-*.pid)
#   cluster_status one line per process; 0 when all run
#
# Environment: GOVSHARE_CLUSTER_PORT (5020), GOVSHARE_CLUSTER_SOLR_PORTS ("8990 8991"),
# GOVSHARE_CLUSTER_SOLR_LB_PORT (8992), GOVSHARE_CLUSTER_ZK_PORT (9990),
# GOVSHARE_CLUSTER_DB (govshare_cluster), GOVSHARE_CLUSTER_REDIS_DB (9),
# GOVSHARE_CLUSTER_SOLR_HEAP (512m), GOVSHARE_CLUSTER_UWSGI_PROCESSES (2),
# GOVSHARE_CLUSTER_UWSGI_THREADS (4). Layout and the path to Kubernetes: docs/deployment.md.

CLUSTER_DIR=$STATE/cluster
CLUSTER_INI=$CLUSTER_DIR/cluster.ini
CLUSTER_PORT=${GOVSHARE_CLUSTER_PORT:-5020}
read -r -a CLUSTER_SOLR_PORTS <<<"${GOVSHARE_CLUSTER_SOLR_PORTS:-8990 8991}"
CLUSTER_SOLR_LB_PORT=${GOVSHARE_CLUSTER_SOLR_LB_PORT:-8992}
CLUSTER_ZK_PORT=${GOVSHARE_CLUSTER_ZK_PORT:-9990}
CLUSTER_DB=${GOVSHARE_CLUSTER_DB:-govshare_cluster}
CLUSTER_REDIS_DB=${GOVSHARE_CLUSTER_REDIS_DB:-9}
CLUSTER_SOLR_HEAP=${GOVSHARE_CLUSTER_SOLR_HEAP:-512m}
CLUSTER_COLLECTION=govshare
CLUSTER_ZK_HOST=127.0.0.1:$CLUSTER_ZK_PORT

# ---------------------------------------------------------------- ZooKeeper

_cluster_zk_ok() {  # "ruok" -> "imok"
  local reply
  reply=$( { exec 3<>"/dev/tcp/127.0.0.1/$CLUSTER_ZK_PORT" && printf ruok >&3 && timeout 3 cat <&3; } 2>/dev/null) || return 1
  [ "$reply" = imok ]
}

_cluster_java() {  # the JVM running Solr's jars: java with the node's classpath
  "$SOLR_JAVA_HOME/bin/java" -Xmx256m "-Dsolr.install.dir=$SOLR_TARGET" -cp "$SOLR_TARGET/classes:$SOLR_TARGET/lib/*" "$@"
}

cluster_zk_start() {
  if pid_alive cluster-zk && _cluster_zk_ok; then ok "ZooKeeper already running (127.0.0.1:$CLUSTER_ZK_PORT)"; return 0; fi
  stop_pid cluster-zk
  require_port ZooKeeper "$CLUSTER_ZK_PORT" GOVSHARE_CLUSTER_ZK_PORT
  local dir=$CLUSTER_DIR/zk
  mkdir -p "$dir/data"
  sed -e "s|@DATA_DIR@|$dir/data|" -e "s|@PORT@|$CLUSTER_ZK_PORT|" "$ROOT/stack/cluster/zoo.cfg" >"$dir/zoo.cfg"
  info "starting ZooKeeper on 127.0.0.1:$CLUSTER_ZK_PORT"
  ( exec nohup "$SOLR_JAVA_HOME/bin/java" -Xms64m -Xmx256m -XX:+ExitOnOutOfMemoryError -Djava.net.preferIPv4Stack=true \
      -Dzookeeper.admin.enableServer=false -cp "$SOLR_TARGET/classes:$SOLR_TARGET/lib/*" \
      org.apache.zookeeper.server.ZooKeeperServerMain "$dir/zoo.cfg" ) >"$LOG_DIR/cluster-zk.log" 2>&1 </dev/null &
  echo $! >"$RUN_DIR/cluster-zk.pid"
  wait_for ZooKeeper 60 _cluster_zk_ok || die "ZooKeeper did not answer on 127.0.0.1:$CLUSTER_ZK_PORT: $(tail -n 3 "$LOG_DIR/cluster-zk.log" | tr '\n' ' ')" "read $LOG_DIR/cluster-zk.log"
  ok "ZooKeeper on 127.0.0.1:$CLUSTER_ZK_PORT (pid $(cat "$RUN_DIR/cluster-zk.pid"))"
}

# ---------------------------------------------------------------- SolrCloud

_cluster_solr_url() { echo "http://127.0.0.1:${CLUSTER_SOLR_PORTS[$(($1 - 1))]}/solr"; }

# _cluster_solr_live N: node N answers and is in the cluster's live nodes
_cluster_solr_live() {
  local port=${CLUSTER_SOLR_PORTS[$(($1 - 1))]}
  curl -sf -m 5 "$(_cluster_solr_url "$1")/admin/collections?action=CLUSTERSTATUS&wt=json" 2>/dev/null \
    | grep -q "\"127.0.0.1:${port}_solr\""
}

cluster_solr_start() {  # cluster_solr_start N
  local n=$1 name=cluster-solr$1 port=${CLUSTER_SOLR_PORTS[$(($1 - 1))]} pid home=$CLUSTER_DIR/solr$1
  if pid_alive "$name" && _solr_is_ours "$(cat "$RUN_DIR/$name.pid")"; then
    if wait_for "Solr node $n" 60 _cluster_solr_live "$n"; then ok "Solr node $n already running (127.0.0.1:$port)"; return 0; fi
    warn "Solr node $n (pid $(cat "$RUN_DIR/$name.pid")) does not answer; restarting it"
  fi
  stop_pid "$name"
  require_port "Solr node $n" "$port" GOVSHARE_CLUSTER_SOLR_PORTS
  mkdir -p "$home"
  _solr_sync_file "$ROOT/stack/cluster/solr.xml" "$home/solr.xml" || true
  local log=$LOG_DIR/$name.log t0=$SECONDS
  [ -f "$log" ] && mv -f "$log" "$log.1"
  info "starting Solr node $n on 127.0.0.1:$port (SolrCloud, ZooKeeper $CLUSTER_ZK_HOST, heap $CLUSTER_SOLR_HEAP)"
  (
    cd "$home"
    exec nohup "$SOLR_JAVA_HOME/bin/java" -Xms128m "-Xmx$CLUSTER_SOLR_HEAP" -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError \
      -Dfile.encoding=UTF-8 -Djava.awt.headless=true -Djava.net.preferIPv4Stack=true \
      "-Dgovshare.solr.log.level=${GOVSHARE_SOLR_LOG_LEVEL:-WARN}" \
      "-DzkHost=$CLUSTER_ZK_HOST" "-Dsolr.solr.home=$home" "-Dsolr.install.dir=$SOLR_TARGET" "-Dsolr.log.dir=$LOG_DIR" \
      -cp "$SOLR_TARGET/classes:$SOLR_TARGET/lib/*" \
      org.govshare.solr.GovshareSolr "$home" "$port"
  ) >"$log" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$RUN_DIR/$name.pid"
  local i
  for ((i = 0; i < ${GOVSHARE_SOLR_START_TIMEOUT:-120} * 2; i++)); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$RUN_DIR/$name.pid"; die "Solr node $n exited while starting: $(tail -n 5 "$log" | tr '\n' ' ')" "read $log"; }
    _cluster_solr_live "$n" && break
    sleep 0.5
  done
  _cluster_solr_live "$n" || die "Solr node $n did not join the cluster within ${GOVSHARE_SOLR_START_TIMEOUT:-120} s" "read $log"
  _solr_check_bind "$pid" 2>/dev/null || true
  ok "Solr node $n at $(_cluster_solr_url "$n") (pid $pid, $((SECONDS - t0)) s)"
}

# The configset: what the single-node core gets (solr_core in solr.sh): the govshare schema as
# schema.xml, the *.txt next to it, and stack/solr/conf's solrconfig.xml and word lists.
_cluster_configset_dir() {
  local dir=$CLUSTER_DIR/configset schema=$ROOT/stack/solr/schema/govshare-schema.xml f
  rm -rf "$dir.new" && mkdir -p "$dir.new"
  # SolrCloud's replica recovery (PeerSync) fingerprints the index by _version_, which must be a
  # long with docValues (Solr's _default configset); the single core keeps CKAN's string field
  sed -e 's|<field name="_version_" [^>]*/>|<field name="_version_" type="plong" indexed="false" stored="false" docValues="true"/>|' \
    "$schema" >"$dir.new/schema.xml"
  grep -q '<field name="_version_" type="plong"' "$dir.new/schema.xml" \
    || die "no <field name=\"_version_\" .../> in $schema to turn into a long for SolrCloud" "restore the field in the schema"
  for f in "${SOLR_CONF_FILES[@]}"; do cp "$SOLR_SRC/conf/$f" "$dir.new/$f"; done
  for f in "$(dirname "$schema")"/*.txt; do [ -f "$f" ] && cp "$f" "$dir.new/"; done
  rm -rf "$dir" && mv "$dir.new" "$dir"
  echo "$dir"
}

# _cluster_collections_api QUERY: call Solr's Collections API on a live node; die on failure
_cluster_collections_api() {
  local out n
  for n in 1 2; do _cluster_solr_live "$n" && break; done
  out=$(curl -sS -m 180 "$(_cluster_solr_url "$n")/admin/collections?$1&wt=json" 2>&1) || die "Collections API '$1' failed: $out" "read $LOG_DIR/cluster-solr*.log"
  grep -q '"status":0' <<<"$out" || die "Collections API '$1' failed: $(head -c 600 <<<"$out")" "read $LOG_DIR/cluster-solr*.log"
  printf '%s' "$out"
}

cluster_solr_collection() {
  local dir hash stamp=$CLUSTER_DIR/configset.sha256 status
  dir=$(_cluster_configset_dir)
  hash=$(cd "$dir" && sha256sum ./* | sha256sum | cut -c1-16)
  status=$(_cluster_collections_api "action=LIST")
  if [ "$(cat "$stamp" 2>/dev/null)" != "$hash" ] || ! grep -q "\"$CLUSTER_COLLECTION\"" <<<"$status"; then
    info "uploading configset $CLUSTER_COLLECTION to ZooKeeper"
    _cluster_java org.apache.solr.cli.SolrCLI zk upconfig --zk-host "$CLUSTER_ZK_HOST" --conf-name "$CLUSTER_COLLECTION" --conf-dir "$dir" \
      >"$LOG_DIR/cluster-upconfig.log" 2>&1 || die "uploading the configset failed: $(tail -n 3 "$LOG_DIR/cluster-upconfig.log" | tr '\n' ' ')" "read $LOG_DIR/cluster-upconfig.log"
  fi
  if grep -q "\"$CLUSTER_COLLECTION\"" <<<"$status" && [ "$(cat "$stamp" 2>/dev/null)" != "$hash" ]; then
    # a new schema or analysis makes the documents indexed before unsearchable as they should be
    # (or unreadable: a field's type changed): the collection is made anew, and cluster_catalogue
    # refills it from the database (search-index rebuild -o), as the single core is emptied
    info "configset changed: recreating collection $CLUSTER_COLLECTION (its index is refilled from the database)"
    _cluster_collections_api "action=DELETE&name=$CLUSTER_COLLECTION" >/dev/null
    status=$(_cluster_collections_api "action=LIST")
  fi
  if grep -q "\"$CLUSTER_COLLECTION\"" <<<"$status"; then
    ok "collection $CLUSTER_COLLECTION up to date"
  else
    info "creating collection $CLUSTER_COLLECTION (2 shards × 2 replicas)"
    _cluster_collections_api "action=CREATE&name=$CLUSTER_COLLECTION&collection.configName=$CLUSTER_COLLECTION&numShards=2&replicationFactor=2&waitForFinalState=true" >/dev/null
    ok "collection $CLUSTER_COLLECTION created"
  fi
  echo "$hash" >"$stamp"
  cluster_solr_wait_active 180 || die "the replicas of $CLUSTER_COLLECTION did not all become active" "read $LOG_DIR/cluster-solr*.log"
}

# cluster_solr_replicas: "shard1:node:state ..." one line per replica (live nodes only count as active)
cluster_solr_replicas() {
  local n out
  for n in 1 2; do
    out=$(curl -sf -m 10 "$(_cluster_solr_url "$n")/admin/collections?action=CLUSTERSTATUS&collection=$CLUSTER_COLLECTION&wt=json" 2>/dev/null) && break
  done
  [ -n "${out:-}" ] || return 1
  "$VENV/bin/python" -c '
import json, sys
status = json.load(sys.stdin)["cluster"]
live = set(status.get("live_nodes", []))
for name, shard in sorted(status["collections"][sys.argv[1]]["shards"].items()):
    for replica in shard["replicas"].values():
        state = replica["state"] if replica["node_name"] in live else "down"
        print(name, replica["node_name"], state, "leader" if replica.get("leader") == "true" else "")' "$CLUSTER_COLLECTION" <<<"$out"
}

# cluster_solr_wait_active SECONDS: every replica of the collection is active on a live node
cluster_solr_wait_active() {
  local i reps
  for ((i = 0; i < $1 * 2; i++)); do
    reps=$(cluster_solr_replicas 2>/dev/null || true)
    if [ "$(grep -c . <<<"$reps")" -eq 4 ] && ! grep -qv ' active' <<<"$reps"; then
      ok "collection $CLUSTER_COLLECTION: 4 replicas active ($(awk '{print $1"@"$2}' <<<"$reps" | tr '\n' ' '))"
      return 0
    fi
    sleep 0.5
  done
  warn "replicas of $CLUSTER_COLLECTION: $(tr '\n' ';' <<<"$reps")"
  return 1
}

# ---------------------------------------------------------------- CKAN

# What CKAN reads from the environment wins over the ini (ckan_env_for): set it for the cluster,
# whatever the calling shell had (./stack.sh test exports the test database's).
_cluster_env() {
  export CKAN_INI=$CLUSTER_INI
  export CKAN_SQLALCHEMY_URL; CKAN_SQLALCHEMY_URL=$(pg_url "$CLUSTER_DB")
  export CKAN_DATASTORE_WRITE_URL; CKAN_DATASTORE_WRITE_URL=$(pg_url "${CLUSTER_DB}_datastore")
  export CKAN_DATASTORE_READ_URL; CKAN_DATASTORE_READ_URL=$(pg_ro_url "${CLUSTER_DB}_datastore")
  export CKAN_SOLR_URL="http://127.0.0.1:$CLUSTER_SOLR_LB_PORT/solr/$CLUSTER_COLLECTION"
  export CKAN_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/$CLUSTER_REDIS_DB"
  unset CKAN_SITE_URL CKAN_SITE_ID CKAN_STORAGE_PATH
}

# The demo's settings (demo_config), then what differs on the cluster
cluster_config() {
  mkdir -p "$CLUSTER_DIR/storage"
  DEMO_INI=$CLUSTER_INI demo_config
  ckan_cli config-tool "$CLUSTER_INI" \
    "sqlalchemy.url = $CKAN_SQLALCHEMY_URL" \
    "ckan.datastore.write_url = $CKAN_DATASTORE_WRITE_URL" \
    "ckan.datastore.read_url = $CKAN_DATASTORE_READ_URL" \
    "solr_url = $CKAN_SOLR_URL" \
    "ckan.redis.url = $CKAN_REDIS_URL" \
    "ckan.site_url = http://127.0.0.1:$CLUSTER_PORT" \
    "ckan.site_id = $CLUSTER_DB" \
    "ckan.storage_path = $CLUSTER_DIR/storage" \
    "SESSION_TYPE = redis" \
    "SESSION_KEY_PREFIX = session:$CLUSTER_DB:" \
    "SESSION_PERMANENT = true" \
    >/dev/null || die "ckan config-tool failed on $CLUSTER_INI" "delete $CLUSTER_INI and run again"
  # `ckan generate config` writes these empty; with a server-side session CKAN 2.11 then sends
  # "Domain=" on the session cookie, which clients may refuse (Python's cookie jar does): unset
  # means a host-only cookie on the site's host
  sed -i -e '/^SESSION_COOKIE_DOMAIN *= *$/d' -e '/^SESSION_COOKIE_PATH *= *$/d' "$CLUSTER_INI"
}

_cluster_sysadmin() {
  if [ -z "$(pg_psql -d "$CLUSTER_DB" -tAc "SELECT 1 FROM \"user\" WHERE name = 'admin' AND sysadmin AND state = 'active'")" ]; then
    if [ -z "$(pg_psql -d "$CLUSTER_DB" -tAc "SELECT 1 FROM \"user\" WHERE name = 'admin'")" ]; then
      ckan_cli -c "$CLUSTER_INI" user add admin email=admin@example.gov.cn password=GovShare-Admin-2026 fullname=平台管理员 >>"$LOG_DIR/cluster-db.log" 2>&1 \
        || die "could not create the sysadmin account" "read $LOG_DIR/cluster-db.log"
    fi
    ckan_cli -c "$CLUSTER_INI" sysadmin add admin >>"$LOG_DIR/cluster-db.log" 2>&1 || die "could not make admin a sysadmin" "read $LOG_DIR/cluster-db.log"
  fi
}

cluster_catalogue() {
  postgres_database "$CLUSTER_DB"
  postgres_datastore "${CLUSTER_DB}_datastore"
  ckan_db "$CLUSTER_INI"
  datastore_permissions "$CLUSTER_INI" "${CLUSTER_DB}_datastore"
  _cluster_sysadmin
  local log=$LOG_DIR/cluster-load.log
  if [ -z "$(pg_psql -d "$CLUSTER_DB" -tAc "SELECT 1 FROM package WHERE state = 'active' LIMIT 1")" ]; then
    info "loading the demo catalogue into $CLUSTER_DB"
    ckan_cli -c "$CLUSTER_INI" govshare demo-catalogue load --sysadmin admin >"$log" 2>&1 \
      || die "loading the demo catalogue failed: $(tail -n 3 "$log" | tr '\n' ' ')" "read $log"
    ok "demo catalogue: $(grep -E '^(departments|accounts|datasets|files):' "$log" | tr '\n' ' ')"
  fi
  # a new (or emptied) collection gets the entries it lacks
  ckan_cli -c "$CLUSTER_INI" search-index rebuild -o >>"$log" 2>&1 || die "search-index rebuild failed" "read $log"
  ok "search index of $CLUSTER_COLLECTION complete"
}

_cluster_web_answers() {  # _cluster_web_answers N
  UWSGI_SOCKET=$RUN_DIR/cluster-web$1.sock _uwsgi_answers
}

cluster_web_start() {  # cluster_web_start N
  local n=$1 name=cluster-web$1 sock=$RUN_DIR/cluster-web$1.sock pid
  if pid_alive "$name" && _cluster_web_answers "$n"; then ok "web node $n already running"; return 0; fi
  _cluster_web_stop "$n"
  uwsgi_install
  local procs=${GOVSHARE_CLUSTER_UWSGI_PROCESSES:-2} threads=${GOVSHARE_CLUSTER_UWSGI_THREADS:-4}
  info "starting web node $n (uWSGI, $procs processes × $threads threads, socket $sock)"
  VIRTUAL_ENV=$VENV \
  GOVSHARE_UWSGI_SOCKET=$sock \
  GOVSHARE_UWSGI_PIDFILE=$RUN_DIR/$name.pid \
  GOVSHARE_UWSGI_WSGI_FILE=$ROOT/stack/uwsgi/wsgi.py \
  GOVSHARE_UWSGI_PROCESSES=$procs \
  GOVSHARE_UWSGI_THREADS=$threads \
  GOVSHARE_UWSGI_HARAKIRI=${GOVSHARE_UWSGI_HARAKIRI:-50} \
    nohup "$VENV/bin/uwsgi" --ini "$ROOT/stack/uwsgi/ckan-uwsgi.ini" >"$LOG_DIR/$name.log" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$RUN_DIR/$name.pid"
  local i
  for ((i = 0; i < 480; i++)); do
    kill -0 "$pid" 2>/dev/null || die "web node $n stopped: $(grep -iE 'error|exception' "$LOG_DIR/$name.log" | tail -n 3 | tr '\n' ' ')" "read $LOG_DIR/$name.log"
    [ -S "$sock" ] && _cluster_web_answers "$n" && break
    sleep 0.25
  done
  _cluster_web_answers "$n" || die "web node $n does not answer on $sock" "read $LOG_DIR/$name.log"
  ok "web node $n (uWSGI master pid $pid)"
}

# A web node killed hard leaves its workers (and socket) behind: stop those too.
_cluster_web_stop() {
  local name=cluster-web$1 pid kids
  if [ -s "$RUN_DIR/$name.pid" ]; then
    pid=$(cat "$RUN_DIR/$name.pid")
    kids=$(ps -o pid= --ppid "$pid" 2>/dev/null || true)
    stop_pid "$name"
    # shellcheck disable=SC2086
    [ -n "$kids" ] && kill -9 $kids 2>/dev/null || true
  fi
  rm -f "$RUN_DIR/$name.sock"
}

cluster_nginx_start() {
  nginx_install
  local dir=$CLUSTER_DIR/nginx public user_line=
  public=$("$VENV/bin/python" -c 'import ckan, os; print(os.path.join(os.path.dirname(ckan.__file__), "public"))')
  mkdir -p "$dir"/{client_body,proxy,fastcgi,uwsgi,scgi} "$CLUSTER_DIR/storage/webassets"
  if [ "$(id -u)" -eq 0 ] && id www-data >/dev/null 2>&1; then
    user_line="user www-data;"
    chown www-data "$dir"/{client_body,proxy,fastcgi,uwsgi,scgi}
  fi
  sed -e "s|@USER_LINE@|$user_line|" -e "s|@RUN_DIR@|$RUN_DIR|g" -e "s|@LOG_DIR@|$LOG_DIR|g" \
      -e "s|@STATE_NGINX@|$dir|g" -e "s|@PORT@|$CLUSTER_PORT|g" -e "s|@STORAGE@|$CLUSTER_DIR/storage|g" \
      -e "s|@CKAN_PUBLIC@|$public|g" -e "s|@SOLR_LB_PORT@|$CLUSTER_SOLR_LB_PORT|g" \
      -e "s|@SOLR1_PORT@|${CLUSTER_SOLR_PORTS[0]}|g" -e "s|@SOLR2_PORT@|${CLUSTER_SOLR_PORTS[1]}|g" \
      "$ROOT/stack/cluster/nginx.conf" >"$dir/nginx.conf.new"
  /usr/sbin/nginx -t -q -p "$dir" -c "$dir/nginx.conf.new" -e "$LOG_DIR/cluster-nginx-error.log" >"$LOG_DIR/cluster-nginx-test.log" 2>&1 \
    || die "the cluster's nginx configuration does not check: $(tail -n 2 "$LOG_DIR/cluster-nginx-test.log" | tr '\n' ' ')" "read $LOG_DIR/cluster-nginx-test.log"
  mv "$dir/nginx.conf.new" "$dir/nginx.conf"
  if pid_alive cluster-nginx; then
    kill -HUP "$(cat "$RUN_DIR/cluster-nginx.pid")"   # re-read the config, no dropped request
    ok "nginx already running on http://127.0.0.1:$CLUSTER_PORT (config reloaded)"
    return 0
  fi
  rm -f "$RUN_DIR/cluster-nginx.pid"
  require_port "cluster nginx" "$CLUSTER_PORT" GOVSHARE_CLUSTER_PORT
  require_port "cluster Solr balancer" "$CLUSTER_SOLR_LB_PORT" GOVSHARE_CLUSTER_SOLR_LB_PORT
  /usr/sbin/nginx -p "$dir" -c "$dir/nginx.conf" -e "$LOG_DIR/cluster-nginx-error.log" \
    || die "the cluster's nginx did not start: $(tail -n 3 "$LOG_DIR/cluster-nginx-error.log" | tr '\n' ' ')" "read $LOG_DIR/cluster-nginx-error.log"
  wait_for nginx 20 test -s "$RUN_DIR/cluster-nginx.pid" || die "the cluster's nginx wrote no pid file" "read $LOG_DIR/cluster-nginx-error.log"
  ok "nginx on http://127.0.0.1:$CLUSTER_PORT and Solr balancer on 127.0.0.1:$CLUSTER_SOLR_LB_PORT (pid $(cat "$RUN_DIR/cluster-nginx.pid"))"
}

cluster_worker_start() {
  if pid_alive cluster-worker; then ok "job worker already running (pid $(cat "$RUN_DIR/cluster-worker.pid"))"; return 0; fi
  nohup "$VENV/bin/ckan" -c "$CLUSTER_INI" jobs worker >"$LOG_DIR/cluster-worker.log" 2>&1 </dev/null &
  echo $! >"$RUN_DIR/cluster-worker.pid"
  sleep 1
  pid_alive cluster-worker || die "the cluster's job worker stopped at once: $(tail -n 3 "$LOG_DIR/cluster-worker.log" | tr '\n' ' ')" "read $LOG_DIR/cluster-worker.log"
  ok "job worker (pid $(cat "$RUN_DIR/cluster-worker.pid"))"
}

# ---------------------------------------------------------------- the whole

# cluster_up [--roll]: --roll restarts the web nodes one after the other (nginx sends every
# request to the other meanwhile) and the worker, so new code is served without downtime
cluster_up() {
  local t0=$SECONDS roll=
  case "${1:-}" in
    --roll) roll=1 ;;
    "") ;;
    *) die "unknown option '$1' for ./stack.sh cluster" "use ./stack.sh cluster, or ./stack.sh cluster --roll to restart the web nodes one by one" ;;
  esac
  [ "${#CLUSTER_SOLR_PORTS[@]}" -eq 2 ] || die "GOVSHARE_CLUSTER_SOLR_PORTS must name two ports (got '${CLUSTER_SOLR_PORTS[*]}')" "e.g. GOVSHARE_CLUSTER_SOLR_PORTS='8990 8991'"
  nginx_install
  _solr_built || solr_install
  _solr_java_home
  command -v ss >/dev/null || apt_install iproute2
  mkdir -p "$CLUSTER_DIR"
  cluster_zk_start
  cluster_solr_start 1
  cluster_solr_start 2
  cluster_solr_collection
  _cluster_env
  cluster_config
  cluster_nginx_start         # the Solr balancer is CKAN's solr_url
  cluster_catalogue
  local n
  for n in 1 2; do
    if [ -n "$roll" ] && pid_alive "cluster-web$n"; then
      info "rolling restart: web node $n"
      _cluster_web_stop "$n"
    fi
    cluster_web_start "$n"
  done
  [ -n "$roll" ] && stop_pid cluster-worker
  cluster_worker_start
  wait_for nginx 30 curl -sf "http://127.0.0.1:$CLUSTER_PORT/api/3/action/status_show" \
    || die "nginx on 127.0.0.1:$CLUSTER_PORT does not reach the web nodes" "read $LOG_DIR/cluster-nginx-error.log"
  ok "cluster up in $((SECONDS - t0)) s"
}

cluster_banner() {
  cat <<MSG

  ${_B}政务数据共享开放平台, cluster on one machine: http://127.0.0.1:$CLUSTER_PORT${_N}
  web nodes:  uWSGI ×2 ($RUN_DIR/cluster-web{1,2}.sock) behind nginx; header X-Govshare-Web-Node
  SolrCloud:  $(_cluster_solr_url 1), $(_cluster_solr_url 2) (ZooKeeper $CLUSTER_ZK_HOST),
              collection $CLUSTER_COLLECTION: 2 shards × 2 replicas; CKAN's solr_url $CKAN_SOLR_URL
  shared:     PostgreSQL $CLUSTER_DB, Redis db $CLUSTER_REDIS_DB (sessions, job queue)
  accounts:   as ./stack.sh demo (admin / GovShare-Admin-2026, citizen / GovShare-Demo-2026)
  stop:       ./stack.sh stop
MSG
}

cluster_status() {
  local name rc=0
  for name in cluster-zk cluster-solr1 cluster-solr2 cluster-nginx cluster-web1 cluster-web2 cluster-worker; do
    if pid_alive "$name"; then echo "$name running (pid $(cat "$RUN_DIR/$name.pid"))"; else echo "$name stopped"; rc=1; fi
  done
  return $rc
}

cluster_stop() {
  local n
  stop_pid cluster-nginx
  for n in 1 2; do _cluster_web_stop "$n"; done
  stop_pid cluster-worker
  for n in 2 1; do stop_pid "cluster-solr$n"; done
  stop_pid cluster-zk
}

# What the cluster shares with the single-node stack: PostgreSQL and Redis (started if needed;
# the single node's Solr is not touched)
cluster_services_up() {
  check_disk
  command -v curl >/dev/null || apt_install curl ca-certificates
  python_install
  assets_install
  postgres_install
  redis_install
  postgres_start
  redis_start
}
