# uWSGI: CKAN's documented production WSGI server (stack/uwsgi/ckan-uwsgi.ini), several
# processes and threads behind nginx on a unix socket. Sourced by ./stack.sh after ckan.sh.
#
# Settings (environment): GOVSHARE_UWSGI_PROCESSES (4), GOVSHARE_UWSGI_THREADS (4),
# GOVSHARE_UWSGI_HARAKIRI (50 s). Pid file $RUN_DIR/uwsgi.pid (the master), socket
# $RUN_DIR/uwsgi.sock, log $LOG_DIR/uwsgi.log.

UWSGI_SOCKET=$RUN_DIR/uwsgi.sock

uwsgi_install() {
  [ -x "$VENV/bin/uwsgi" ] || die "uWSGI is missing from $VENV" "run ./stack.sh demo again (requirements/serve.txt installs it)"
}

uwsgi_stop() { stop_pid uwsgi; rm -f "$UWSGI_SOCKET"; }

# _uwsgi_answers: a request through the socket reaches CKAN (status_show)
_uwsgi_answers() {
  "$VENV/bin/python" - "$UWSGI_SOCKET" <<'PY' >/dev/null 2>&1
import socket, struct, sys
def kv(k, v):
    k, v = k.encode(), v.encode()
    return struct.pack("<H", len(k)) + k + struct.pack("<H", len(v)) + v
body = b"".join(kv(k, v) for k, v in {
    "REQUEST_METHOD": "GET", "PATH_INFO": "/api/3/action/status_show", "QUERY_STRING": "",
    "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
    "HTTP_HOST": "127.0.0.1", "wsgi.url_scheme": "http", "REMOTE_ADDR": "127.0.0.1"}.items())
s = socket.socket(socket.AF_UNIX)
s.settimeout(10)
s.connect(sys.argv[1])
s.sendall(struct.pack("<BHB", 0, len(body), 0) + body)
data = b""
while chunk := s.recv(65536):
    data += chunk
sys.exit(0 if data.split(b"\r\n", 1)[0].endswith(b"200 OK") else 1)
PY
}

# uwsgi_start INI: (re)start the uWSGI master and its workers for INI
uwsgi_start() {
  local ini=$1 pid
  uwsgi_install
  uwsgi_stop
  info "starting uWSGI (${GOVSHARE_UWSGI_PROCESSES:-4} processes × ${GOVSHARE_UWSGI_THREADS:-4} threads)"
  CKAN_INI=$ini \
  VIRTUAL_ENV=$VENV \
  GOVSHARE_UWSGI_SOCKET=$UWSGI_SOCKET \
  GOVSHARE_UWSGI_PIDFILE=$RUN_DIR/uwsgi.pid \
  GOVSHARE_UWSGI_WSGI_FILE=$ROOT/stack/uwsgi/wsgi.py \
  GOVSHARE_UWSGI_PROCESSES=${GOVSHARE_UWSGI_PROCESSES:-4} \
  GOVSHARE_UWSGI_THREADS=${GOVSHARE_UWSGI_THREADS:-4} \
  GOVSHARE_UWSGI_HARAKIRI=${GOVSHARE_UWSGI_HARAKIRI:-50} \
    nohup "$VENV/bin/uwsgi" --ini "$ROOT/stack/uwsgi/ckan-uwsgi.ini" >"$LOG_DIR/uwsgi.log" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$RUN_DIR/uwsgi.pid"
  local i
  for ((i = 0; i < 480; i++)); do
    kill -0 "$pid" 2>/dev/null || die "uWSGI stopped: $(grep -iE 'error|exception' "$LOG_DIR/uwsgi.log" | tail -n 3 | tr '\n' ' ')" "read $LOG_DIR/uwsgi.log"
    [ -S "$UWSGI_SOCKET" ] && _uwsgi_answers && break
    sleep 0.25
  done
  _uwsgi_answers || die "uWSGI does not answer on $UWSGI_SOCKET" "read $LOG_DIR/uwsgi.log"
  ok "uWSGI (master pid $pid, socket $UWSGI_SOCKET)"
}
