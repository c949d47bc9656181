# The project virtualenv ($STATE/venv): CKAN 2.11 with its exact pins, the extensions, the
# test tools and ckanext-govshare itself (editable). Sourced by ./stack.sh after common.sh.

PYTHON=${GOVSHARE_PYTHON:-python3.11}

python_install() {
  if ! command -v "$PYTHON" >/dev/null; then apt_install python3.11; PYTHON=python3.11; fi
  "$PYTHON" -c 'import venv, ensurepip' 2>/dev/null || apt_install python3.11-venv
  # build needs of pinned sdists (psycopg2 compiles against libpq, uWSGI against libpython;
  # python-magic loads libmagic)
  command -v pg_config >/dev/null || apt_install libpq-dev
  command -v gcc >/dev/null || apt_install gcc
  "$PYTHON" -c 'import sysconfig,os,sys; sys.exit(0 if os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")) else 1)' \
    || apt_install python3.11-dev
  dpkg -s libmagic1 >/dev/null 2>&1 || [ -e /usr/lib/x86_64-linux-gnu/libmagic.so.1 ] || apt_install libmagic1

  local stamp=$VENV.stamp want
  want=$(cat "$ROOT"/requirements/*.txt "$ROOT/setup.py" "$ROOT/pyproject.toml" | sha256sum | cut -c1-16)
  if [ -x "$VENV/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    ok "virtualenv up to date ($VENV)"; return 0
  fi
  [ -x "$VENV/bin/python" ] || { info "creating virtualenv $VENV"; "$PYTHON" -m venv "$VENV" || die "could not create a virtualenv with $PYTHON" "apt-get install python3.11-venv"; }
  info "installing Python packages (log: $LOG_DIR/pip.log)"
  {
    "$VENV/bin/pip" install --upgrade pip==26.3 setuptools==80.9.0 wheel==0.45.1 &&
    "$VENV/bin/pip" install -r "$ROOT/requirements/ckan.txt" -r "$ROOT/requirements/ext.txt" -r "$ROOT/requirements/dev.txt" -r "$ROOT/requirements/serve.txt" &&
    "$VENV/bin/pip" install --no-deps --no-build-isolation -e "$ROOT"
  } >"$LOG_DIR/pip.log" 2>&1 || die "pip install failed: $(grep -iE 'error' "$LOG_DIR/pip.log" | tail -n 2 | tr '\n' ' ')" \
      "read $LOG_DIR/pip.log; PyPI must be reachable"
  echo "$want" >"$stamp"
  ok "virtualenv ready ($VENV)"
}

ckan_cli() { "$VENV/bin/ckan" "$@"; }
