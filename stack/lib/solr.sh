# Apache Solr 9 for CKAN: a standalone node on 127.0.0.1:$SOLR_PORT, context /solr.
# Sourced after common.sh; never run directly.
#
# The node is built from stack/solr/: pom.xml pins the Solr release, Maven resolves the jars
# from Maven Central into ~/.m2 and copies them to stack/solr/target/lib, and the small launcher
# GovshareSolr (stack/solr/src) runs Solr's JettySolrRunner. No Solr tarball, no Docker.
#
#   solr_install            JDK 17 + Maven (apt), then build the node (cached by a stamp)
#   solr_core NAME SCHEMA   core NAME in $STATE/solr/home with SCHEMA as its schema.xml (and the
#                           *.txt files next to SCHEMA in its conf/); creates it (CoreAdmin)
#                           or reloads it when Solr is running
#   solr_start              start the node (idempotent), wait until it answers
#   solr_stop               stop it through its pid file
#
# Environment: GOVSHARE_SOLR_PORT (8983), GOVSHARE_SOLR_HEAP (1g),
#              GOVSHARE_SOLR_LOG_LEVEL (WARN; INFO logs every request), GOVSHARE_SOLR_START_TIMEOUT (120 s).

SOLR_SRC=$ROOT/stack/solr
SOLR_TARGET=$SOLR_SRC/target
SOLR_HOME=$STATE/solr/home
SOLR_URL=http://127.0.0.1:$SOLR_PORT/solr
SOLR_HEAP=${GOVSHARE_SOLR_HEAP:-1g}
SOLR_CONF_FILES=(solrconfig.xml synonyms.txt protwords.txt stopwords.txt)

_solr_pom_prop() { sed -n "s:.*<$1>\([^<]*\)</$1>.*:\1:p" "$SOLR_SRC/pom.xml" | head -n 1; }

# Sets SOLR_JAVA_HOME to the Debian JDK 17.
_solr_java_home() {
  SOLR_JAVA_HOME=/usr/lib/jvm/java-17-openjdk-$(dpkg --print-architecture)
  [ -x "$SOLR_JAVA_HOME/bin/java" ] \
    || die "no JDK 17 at $SOLR_JAVA_HOME" "install it: apt-get install openjdk-17-jdk-headless (solr_install does this)"
}

# Hash of everything the build depends on.
_solr_build_hash() {
  {
    echo "$SOLR_JAVA_HOME"
    (cd "$SOLR_SRC" && find pom.xml src -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
  } | sha256sum | cut -d' ' -f1
}

_solr_built() {
  local v; v=$(_solr_pom_prop solr.version)
  [ -f "$SOLR_TARGET/classes/org/govshare/solr/GovshareSolr.class" ] && [ -f "$SOLR_TARGET/lib/solr-core-$v.jar" ]
}

solr_install() {
  apt_install openjdk-17-jdk-headless maven
  _solr_java_home
  local version stamp=$SOLR_TARGET/govshare-build.stamp hash log=$LOG_DIR/solr-build.log
  version=$(_solr_pom_prop solr.version)
  [ -n "$version" ] || die "no <solr.version> in $SOLR_SRC/pom.xml" "restore stack/solr/pom.xml from git"
  hash=$(_solr_build_hash)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$hash" ] && _solr_built; then
    ok "Solr $version node already built ($SOLR_TARGET)"
    return 0
  fi

  # luceneMatchVersion in the core template must follow the Lucene of the pinned Solr.
  local lucene match
  lucene=$(_solr_pom_prop lucene.version); lucene=${lucene%.*}
  match=$(sed -n 's:.*<luceneMatchVersion>\([^<]*\)</luceneMatchVersion>.*:\1:p' "$SOLR_SRC/conf/solrconfig.xml")
  [ "$match" = "$lucene" ] || warn "stack/solr/conf/solrconfig.xml has luceneMatchVersion $match but pom.xml's lucene.version is $lucene.x"

  check_disk
  info "building the Solr $version node with Maven (log: $log; the first build downloads ~150 MB from Maven Central into ~/.m2)"
  pid_alive solr && warn "Solr is running; restart it (solr_stop; solr_start) to use the new build"
  rm -f "$stamp"
  if ! JAVA_HOME=$SOLR_JAVA_HOME mvn -B -f "$SOLR_SRC/pom.xml" clean package dependency:copy-dependencies >"$log" 2>&1; then
    local why
    why=$(grep -m 1 -E 'Could not (find|resolve|transfer)|Non-resolvable|Failed to read artifact|COMPILATION ERROR' "$log" \
          | sed -e 's/^\[ERROR\] *//' -e 's/\x1b\[[0-9;]*m//g' | cut -c1-600)
    [ -n "$why" ] || why=$(grep -m 1 '^\[ERROR\]' "$log" | sed -e 's/^\[ERROR\] *//' | cut -c1-400)
    die "Maven could not build the Solr node (org.apache.solr:solr-core:$version and its dependencies, pinned in stack/solr/pom.xml): ${why:-see the log}" \
        "Maven Central must be reachable (the first build downloads the jars into ~/.m2); read $log"
  fi
  _solr_built || die "the Maven build finished but $SOLR_TARGET has no launcher or no solr-core-$version.jar" "read $log"
  echo "$hash" >"$stamp"
  ok "Solr $version node built ($(find "$SOLR_TARGET/lib" -name '*.jar' | wc -l) jars in $SOLR_TARGET/lib)"
}

# Copy SRC to DST when they differ; returns 0 when it copied.
_solr_sync_file() {
  cmp -s "$1" "$2" && return 1
  cp "$1" "$2.tmp.$$" && mv -f "$2.tmp.$$" "$2"
}

_solr_home_init() {
  mkdir -p "$SOLR_HOME"
  if _solr_sync_file "$SOLR_SRC/solr.xml" "$SOLR_HOME/solr.xml" && _solr_answers; then
    warn "solr.xml changed while Solr is running; restart Solr (solr_stop; solr_start) to apply it"
  fi
  return 0
}

_solr_is_ours() { tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -q 'org.govshare.solr.GovshareSolr'; }

_solr_answers() {
  curl -sf -m 5 -o /dev/null "$SOLR_URL/admin/cores?action=STATUS&indexInfo=false&wt=json"
}

_solr_running() { pid_alive solr && _solr_is_ours "$(cat "$RUN_DIR/solr.pid")" && _solr_answers; }

# _solr_admin QUERY: call the CoreAdmin API; die with Solr's message when it fails.
_solr_admin() {
  local out
  if ! out=$(curl -sS -m 120 "$SOLR_URL/admin/cores?$1&wt=json&indent=false" 2>&1) \
     || ! grep -q '"status":0' <<<"$out"; then
    local msg cause
    msg=$(grep -o '"msg":"[^"]*"' <<<"$out" | head -n 1 | sed -e 's/^"msg":"//' -e 's/"$//')
    if [[ $msg != *"Caused by"* ]]; then   # e.g. RELOAD: the reason is in the trace
      cause=$(sed 's/\\n/\n/g' <<<"$out" | grep -m 1 'Caused by:' | sed 's/\\t/ /g' | cut -c1-400 || true)
      msg="$msg${cause:+ -- $cause}"
    fi
    die "Solr CoreAdmin '$1' failed: ${msg:-$(head -c 400 <<<"$out")}" \
        "fix the schema or conf in $SOLR_HOME (a running core keeps serving its previous conf until a RELOAD succeeds); details at the end of $LOG_DIR/solr.log"
  fi
}

# solr_core NAME SCHEMA_XML
solr_core() {
  local name=${1:-} schema=${2:-}
  [[ $name =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]*$ ]] || die "solr_core: bad core name '$name'" "use letters, digits, '_', '-', '.'"
  [ -f "$schema" ] || die "solr_core $name: schema file '$schema' not found" \
    "pass CKAN's schema.xml (ckan/config/solr/schema.xml of the installed CKAN)"
  _solr_home_init
  local dir=$SOLR_HOME/$name changed= stale= f
  mkdir -p "$dir/conf"
  # ClassicIndexSchemaFactory reads conf/schema.xml.
  _solr_sync_file "$schema" "$dir/conf/schema.xml" && changed=1 stale=1
  for f in "${SOLR_CONF_FILES[@]}"; do
    _solr_sync_file "$SOLR_SRC/conf/$f" "$dir/conf/$f" && changed=1
  done
  # Files the schema references (synonyms, character mappings) sit next to it as *.txt
  # (stack/solr/schema/); CKAN's own schema has none. Only synonyms are applied at query time.
  for f in "$(dirname "$schema")"/*.txt; do
    [ -f "$f" ] || continue
    if _solr_sync_file "$f" "$dir/conf/$(basename "$f")"; then
      changed=1
      [[ $(basename "$f") == synonyms* ]] || stale=1
    fi
  done
  # A new schema or index-time analysis makes the documents already indexed unsearchable as
  # they should be: the index is emptied (CKAN refills it: search-index rebuild; the demo does).
  [ -d "$dir/data" ] || stale=

  if ! _solr_running; then
    # Core discovery picks it up at the next start.
    [ -f "$dir/core.properties" ] || printf 'name=%s\n' "$name" >"$dir/core.properties"
    if [ -n "$stale" ]; then
      rm -rf "$dir/data"
      warn "Solr core $name: its analysis changed, so its index was emptied; rebuild it (ckan search-index rebuild)"
    fi
    ok "Solr core $name ready in $dir${changed:+ (conf updated)}"
    return 0
  fi

  local status
  status=$(curl -sf -m 30 "$SOLR_URL/admin/cores?action=STATUS&core=$name&indexInfo=false&wt=json&indent=false") \
    || die "Solr at $SOLR_URL did not answer a core STATUS request" "see $LOG_DIR/solr.log"
  if grep -qF "\"name\":\"$name\"" <<<"$status"; then
    if [ -n "$changed" ]; then
      _solr_admin "action=RELOAD&core=$name"
      ok "Solr core $name reloaded with the new conf"
      if [ -n "$stale" ]; then
        curl -sf -m 120 -o /dev/null -H 'Content-Type: text/xml' --data-binary '<delete><query>*:*</query></delete>' \
          "$SOLR_URL/$name/update?commit=true" \
          || die "could not empty the index of Solr core $name after its analysis changed" "see $LOG_DIR/solr.log"
        warn "Solr core $name: its analysis changed, so its index was emptied; rebuild it (ckan search-index rebuild)"
      fi
    else
      ok "Solr core $name up to date"
    fi
  elif grep -q "\"initFailures\":{[^}]*\"$name\"" <<<"$status"; then
    # It failed to load before; RELOAD creates it anew from the (fixed) conf.
    _solr_admin "action=RELOAD&core=$name"
    ok "Solr core $name loaded (it had failed to load before)"
  else
    rm -f "$dir/core.properties"
    _solr_admin "action=CREATE&name=$name&instanceDir=$name"
    ok "Solr core $name created"
  fi
}

solr_start() {
  local pidf=$RUN_DIR/solr.pid pid
  if pid_alive solr; then
    pid=$(cat "$pidf")
    if _solr_is_ours "$pid"; then
      if _solr_answers; then ok "Solr already running (pid $pid, $SOLR_URL)"; return 0; fi
      info "Solr (pid $pid) is starting; waiting for it"
      _solr_wait_ready "$pid"
      return 0
    fi
  fi
  rm -f "$pidf"
  # Our node, still running but with its pid file lost: adopt it.
  pid=$(ss -Hltnp "sport = :$SOLR_PORT" 2>/dev/null | grep -o 'pid=[0-9]*' | head -n 1 | cut -d= -f2 || true)
  if [ -n "$pid" ] && _solr_is_ours "$pid" && _solr_answers; then
    echo "$pid" >"$pidf"
    ok "Solr already running (pid $pid, $SOLR_URL; pid file restored)"
    return 0
  fi
  require_port solr "$SOLR_PORT" GOVSHARE_SOLR_PORT
  _solr_built || solr_install
  _solr_java_home
  command -v curl >/dev/null || apt_install curl
  command -v ss >/dev/null || apt_install iproute2
  _solr_home_init

  local log=$LOG_DIR/solr.log t0=$SECONDS
  [ -f "$log" ] && mv -f "$log" "$log.1"
  info "starting Solr $(_solr_pom_prop solr.version) on 127.0.0.1:$SOLR_PORT (heap $SOLR_HEAP, log $log)"
  (
    cd "$SOLR_HOME"
    exec nohup "$SOLR_JAVA_HOME/bin/java" -Xms256m "-Xmx$SOLR_HEAP" -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError \
      -Dfile.encoding=UTF-8 -Djava.awt.headless=true -Djava.net.preferIPv4Stack=true \
      "-Dgovshare.solr.log.level=${GOVSHARE_SOLR_LOG_LEVEL:-WARN}" \
      "-Dsolr.solr.home=$SOLR_HOME" "-Dsolr.install.dir=$SOLR_TARGET" "-Dsolr.log.dir=$LOG_DIR" \
      -cp "$SOLR_TARGET/classes:$SOLR_TARGET/lib/*" \
      org.govshare.solr.GovshareSolr "$SOLR_HOME" "$SOLR_PORT"
  ) >"$log" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$pidf"
  _solr_wait_ready "$pid"
  _solr_check_bind "$pid"
  ok "Solr ready at $SOLR_URL (pid $pid, $((SECONDS - t0)) s)"
}

_solr_wait_ready() {
  local pid=$1 log=$LOG_DIR/solr.log secs=${GOVSHARE_SOLR_START_TIMEOUT:-120} i
  for ((i = 0; i < secs * 4; i++)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$RUN_DIR/solr.pid"
      die "Solr exited while starting; last lines of $log:
$(tail -n 25 "$log" 2>/dev/null)" "fix the cause shown above (port, conf, schema), then start again"
    fi
    _solr_answers && return 0
    sleep 0.25
  done
  local tailed; tailed=$(tail -n 25 "$log" 2>/dev/null)
  stop_pid solr
  die "Solr did not answer at $SOLR_URL within $secs s; last lines of $log:
$tailed" "read $log; a slow machine may need GOVSHARE_SOLR_START_TIMEOUT=300"
}

# The node must listen on 127.0.0.1 only (never 0.0.0.0, :: or another address).
_solr_check_bind() {
  local pid=$1 addrs bad
  addrs=$(ss -Hltnp 2>/dev/null | grep "pid=$pid," | awk '{print $4}' || true)
  [ -n "$addrs" ] || { warn "could not list Solr's listening sockets with ss"; return 0; }
  # (an IPv6 JVM socket bound to 127.0.0.1 shows as [::ffff:127.0.0.1]; we run IPv4-only anyway)
  bad=$(grep -Ev '^(127\.0\.0\.1|\[::ffff:127\.0\.0\.1\]):' <<<"$addrs" || true)
  if [ -n "$bad" ]; then
    stop_pid solr
    die "Solr listened on $(echo "$bad" | tr '\n' ' ')besides 127.0.0.1; stopped it" "bind only to 127.0.0.1 (see stack/solr/src)"
  fi
}

solr_stop() { stop_pid solr; }
