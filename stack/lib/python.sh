# The project virtualenvs: one per CKAN version, each with CKAN's exact pins of that
# version, the extensions, the test tools and ckanext-govshare itself (editable).
# GOVSHARE_CKAN=2.11|2.12 picks the version (default below); the virtualenv is
# $STATE/venv for 2.11 and $STATE/venv-2.12 for 2.12 (GOVSHARE_VENV overrides).
# Sourced by ./stack.sh after common.sh.

CKAN_VERSIONS=${GOVSHARE_CKAN_VERSIONS:-2.11}  # what `./stack.sh test` runs without GOVSHARE_CKAN
# ("2.11 2.12" runs both in parallel once the suite is green on 2.12: README, issue 17)
CKAN_DEFAULT=2.11                  # what demo/dev/cluster serve without GOVSHARE_CKAN

# ckan_requirements SERIES -> the requirement files of that CKAN version
ckan_requirements() {
  case $1 in
    2.11) echo "$ROOT/requirements/ckan.txt $ROOT/requirements/dev-2.11.txt" ;;
    2.12) echo "$ROOT/requirements/ckan-2.12.txt $ROOT/requirements/dev-2.12.txt" ;;
    *) die "GOVSHARE_CKAN must be 2.11 or 2.12 (got '$1')" "e.g. GOVSHARE_CKAN=2.12 ./stack.sh test" ;;
  esac
  echo "$ROOT/requirements/ext.txt $ROOT/requirements/dev.txt $ROOT/requirements/serve.txt"
}

# use_ckan SERIES: the CKAN version (and so the virtualenv) the next commands use
use_ckan() {
  ckan_requirements "$1" >/dev/null
  CKAN_SERIES=$1
  if [ -n "${GOVSHARE_VENV:-}" ]; then VENV=$GOVSHARE_VENV
  elif [ "$1" = 2.11 ]; then VENV=$STATE/venv
  else VENV=$STATE/venv-$1
  fi
}
use_ckan "${GOVSHARE_CKAN:-$CKAN_DEFAULT}"

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

  local stamp=$VENV.stamp want reqs f
  reqs=$(ckan_requirements "$CKAN_SERIES")
  # shellcheck disable=SC2086
  want=$(cat $reqs "$ROOT/setup.py" "$ROOT/pyproject.toml" | sha256sum | cut -c1-16)
  if [ -x "$VENV/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    ok "virtualenv up to date ($VENV)"; return 0
  fi
  [ -x "$VENV/bin/python" ] || { info "creating virtualenv $VENV"; "$PYTHON" -m venv "$VENV" || die "could not create a virtualenv with $PYTHON" "apt-get install python3.11-venv"; }
  local log=$LOG_DIR/pip-$CKAN_SERIES.log args=()
  for f in $reqs; do args+=(-r "$f"); done
  info "installing Python packages for CKAN $CKAN_SERIES (log: $log)"
  {
    "$VENV/bin/pip" install --upgrade pip==26.3 setuptools==80.9.0 wheel==0.45.1 &&
    "$VENV/bin/pip" install "${args[@]}" &&
    "$VENV/bin/pip" install --no-deps --no-build-isolation -e "$ROOT"
  } >"$log" 2>&1 || die "pip install failed: $(grep -iE 'error' "$log" | tail -n 2 | tr '\n' ' ')" \
      "read $log; PyPI must be reachable"
  echo "$want" >"$stamp"
  ok "virtualenv ready ($VENV, CKAN $("$VENV/bin/python" -c 'import ckan; print(ckan.__version__)'))"
}

ckan_cli() { "$VENV/bin/ckan" "$@"; }
