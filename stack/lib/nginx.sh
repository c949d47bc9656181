# nginx from Debian in front of uWSGI: the port users open (GOVSHARE_CKAN_PORT, default 5000),
# CKAN's static files served directly. Config: stack/nginx/govshare.conf rendered into
# $STATE/nginx/nginx.conf. Pid file $RUN_DIR/nginx.pid; logs $LOG_DIR/nginx-{access,error}.log.
# Sourced by ./stack.sh after common.sh.

NGINX_DIR=$STATE/nginx

nginx_install() {
  [ -x /usr/sbin/nginx ] && return 0
  # Debian starts the packaged service (port 80, all addresses) on install; this stack runs
  # its own nginx on 127.0.0.1, so the packaged service is kept from starting and disabled.
  local policy=/usr/sbin/policy-rc.d made=
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null && as_root chmod 755 "$policy" && made=1
  fi
  apt_install nginx
  [ -n "$made" ] && as_root rm -f "$policy"
  if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
    as_root systemctl disable nginx >/dev/null 2>&1 || true
  fi
  [ -x /usr/sbin/nginx ] || die "nginx is not installed" "apt-get install nginx"
}

# nginx_config PORT: render the config (always; cheap) and check it
nginx_config() {
  local port=$1 public user_line=
  public=$("$VENV/bin/python" -c 'import ckan, os; print(os.path.join(os.path.dirname(ckan.__file__), "public"))')
  # CKAN's storage folder (ckan.storage_path; webassets in its webassets/ folder)
  local storage=${GOVSHARE_STORAGE:-$STATE/storage}
  mkdir -p "$NGINX_DIR"/{client_body,proxy,fastcgi,uwsgi,scgi} "$storage/webassets"
  # as root, nginx's workers run as www-data (they read world-readable static files only)
  if [ "$(id -u)" -eq 0 ] && id www-data >/dev/null 2>&1; then
    user_line="user www-data;"
    chown www-data "$NGINX_DIR"/{client_body,proxy,fastcgi,uwsgi,scgi}
  fi
  sed -e "s|@USER_LINE@|$user_line|" -e "s|@RUN_DIR@|$RUN_DIR|g" -e "s|@LOG_DIR@|$LOG_DIR|g" \
      -e "s|@STATE_NGINX@|$NGINX_DIR|g" -e "s|@PORT@|$port|g" -e "s|@STORAGE@|$storage|g" \
      -e "s|@CKAN_PUBLIC@|$public|g" "$ROOT/stack/nginx/govshare.conf" >"$NGINX_DIR/nginx.conf.new"
  /usr/sbin/nginx -t -q -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf.new" -e "$LOG_DIR/nginx-error.log" >"$LOG_DIR/nginx-test.log" 2>&1 \
    || die "the nginx configuration does not check: $(tail -n 2 "$LOG_DIR/nginx-test.log" | tr '\n' ' ')" "read $LOG_DIR/nginx-test.log"
  mv "$NGINX_DIR/nginx.conf.new" "$NGINX_DIR/nginx.conf"
}

nginx_stop() { stop_pid nginx; }   # TERM: fast shutdown

# nginx_start PORT: (re)start nginx on 127.0.0.1:PORT
nginx_start() {
  local port=$1
  nginx_install
  nginx_stop
  require_port nginx "$port" GOVSHARE_CKAN_PORT
  nginx_config "$port"
  info "starting nginx on http://127.0.0.1:$port"
  /usr/sbin/nginx -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf" -e "$LOG_DIR/nginx-error.log" \
    || die "nginx did not start: $(tail -n 3 "$LOG_DIR/nginx-error.log" | tr '\n' ' ')" "read $LOG_DIR/nginx-error.log"
  wait_for nginx 20 test -s "$RUN_DIR/nginx.pid" || die "nginx wrote no pid file" "read $LOG_DIR/nginx-error.log"
  wait_for nginx 30 curl -sf "http://127.0.0.1:$port/api/3/action/status_show" \
    || die "nginx on 127.0.0.1:$port does not reach CKAN" "read $LOG_DIR/nginx-error.log and $LOG_DIR/uwsgi.log"
  ok "nginx on http://127.0.0.1:$port (pid $(cat "$RUN_DIR/nginx.pid"))"
}
