# Shared helpers for the stack scripts. Sourced by ./stack.sh; never run directly.
# Conventions: every service binds to 127.0.0.1, writes its pid to $RUN_DIR/<name>.pid,
# logs to $LOG_DIR/<name>.log, and is stopped only through that pid file.

ROOT=${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
STATE=${GOVSHARE_STATE:-$ROOT/.stack}
RUN_DIR=$STATE/run
LOG_DIR=$STATE/log
# GOVSHARE_VENV: share one virtualenv between state folders (e.g. a second stack on other
# ports with GOVSHARE_STATE=/tmp/other-stack); its stamp lives beside it.
VENV=${GOVSHARE_VENV:-$STATE/venv}

# Ports (all on 127.0.0.1). Override through the environment if one is taken.
PG_PORT=${GOVSHARE_PG_PORT:-54329}
REDIS_PORT=${GOVSHARE_REDIS_PORT:-63799}
SOLR_PORT=${GOVSHARE_SOLR_PORT:-8983}
CKAN_PORT=${GOVSHARE_CKAN_PORT:-5000}   # the port users open (nginx; or the dev server)

mkdir -p "$RUN_DIR" "$LOG_DIR"

if [ -t 1 ]; then _B=$'\033[1m'; _R=$'\033[31m'; _G=$'\033[32m'; _N=$'\033[0m'; else _B= _R= _G= _N=; fi

info() { printf '%s==>%s %s\n' "$_B" "$_N" "$*"; }
ok()   { printf '%s ok%s %s\n' "$_G" "$_N" "$*"; }
warn() { printf '%swarning:%s %s\n' "$_R" "$_N" "$*" >&2; }
# die "what failed" "what to do"
die() {
  printf '\n%serror:%s %s\n' "$_R" "$_N" "$1" >&2
  [ -n "${2:-}" ] && printf '  what to do: %s\n' "$2" >&2
  exit 1
}

# Run as root, or through sudo when we are not root.
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

APT_UPDATED=
apt_install() {
  local missing=() p
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  info "installing Debian packages: ${missing[*]}"
  if [ -z "$APT_UPDATED" ]; then
    as_root apt-get update -qq >"$LOG_DIR/apt.log" 2>&1 || die "apt-get update failed (see $LOG_DIR/apt.log)" "check the network to Debian's mirrors"
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >>"$LOG_DIR/apt.log" 2>&1 \
    || die "apt-get install ${missing[*]} failed (see $LOG_DIR/apt.log)" "read the log; free disk space with 'df -h' if it is full"
}

# pid_alive NAME -> 0 when $RUN_DIR/NAME.pid names a live process
pid_alive() {
  local f=$RUN_DIR/$1.pid
  [ -s "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null
}

# port_free PORT -> 0 when nothing listens on 127.0.0.1:PORT
port_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# require_port NAME PORT ENVVAR: fail clearly when a foreign process holds the port
require_port() {
  port_free "$2" && return 0
  die "port $2 (for $1) on 127.0.0.1 is already taken by a process this project did not start" \
      "stop that process, or choose another port: $3=<port> $0 ..."
}

# wait_for DESCRIPTION SECONDS COMMAND... : poll until COMMAND succeeds
wait_for() {
  local what=$1 secs=$2; shift 2
  local i
  for ((i = 0; i < secs * 4; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.25
  done
  return 1
}

# stop_pid NAME [SIGNAL]: stop the process in $RUN_DIR/NAME.pid (SIGNAL, default TERM;
# KILL after 20 s)
stop_pid() {
  local name=$1 sig=${2:-TERM} f=$RUN_DIR/$1.pid pid i
  [ -s "$f" ] || return 0
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill -s "$sig" "$pid" 2>/dev/null
    for ((i = 0; i < 80; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    if kill -0 "$pid" 2>/dev/null; then warn "$name (pid $pid) did not stop; killing it"; kill -9 "$pid" 2>/dev/null; fi
    ok "stopped $name (pid $pid)"
  fi
  rm -f "$f"
}

check_disk() {
  local avail
  avail=$(df -Pk "$ROOT" | awk 'NR==2 {print $4}')
  [ "${avail:-0}" -gt 1048576 ] || die "less than 1 GiB free on the disk holding $ROOT" "free disk space (df -h) and run the command again"
}
