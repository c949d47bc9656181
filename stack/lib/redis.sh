# Redis from Debian's packages on 127.0.0.1:$REDIS_PORT. Sourced by ./stack.sh after common.sh.

redis_install() { command -v redis-server >/dev/null || apt_install redis-server; }

redis_start() {
  if pid_alive redis && redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then ok "Redis already running on 127.0.0.1:$REDIS_PORT"; return 0; fi
  require_port Redis "$REDIS_PORT" GOVSHARE_REDIS_PORT
  mkdir -p "$STATE/redis"
  info "starting Redis on 127.0.0.1:$REDIS_PORT"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes --pidfile "$RUN_DIR/redis.pid" \
    --dir "$STATE/redis" --logfile "$LOG_DIR/redis.log" --save "" --appendonly no \
    || die "Redis did not start (see $LOG_DIR/redis.log)" "read the log"
  wait_for Redis 20 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping || die "Redis is not answering on 127.0.0.1:$REDIS_PORT" "read $LOG_DIR/redis.log"
  ok "Redis on 127.0.0.1:$REDIS_PORT (pid $(cat "$RUN_DIR/redis.pid"))"
}

redis_stop() { stop_pid redis; }
