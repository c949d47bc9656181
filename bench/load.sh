#!/usr/bin/env bash
# Load figures with wrk against the running production stack (bench/load_bench.py).
#   ./stack.sh demo && bench/load.sh            # ~7 min: 2 rounds x 6 routes x 3 servers x 10 s
# Takes the same GOVSHARE_* environment as ./stack.sh (ports, GOVSHARE_STATE, GOVSHARE_VENV).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=${GOVSHARE_STATE:-$ROOT/.stack}
command -v wrk >/dev/null || { echo "installing wrk (Debian)"; apt-get install -y -qq wrk >/dev/null; }
exec "${GOVSHARE_VENV:-$STATE/venv}/bin/python" "$ROOT/bench/load_bench.py" "$@"
