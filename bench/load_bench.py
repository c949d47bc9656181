# -*- coding: utf-8 -*-
"""Load figures (issue 17): ``wrk`` against the production stack on 127.0.0.1.

Three servers answer from the same database, Solr core and Redis in one run:

  platform  the running ``./stack.sh demo``: nginx -> uWSGI with the demo ini
  plain     a second nginx -> uWSGI (same settings) with plain CKAN: ``govshare`` removed
            from ``ckan.plugins``; scheming keeps serving the entries' fields through a copy
            of the schemas with govshare's presets and validators replaced by plain scheming
            ones (``bench/access_bench.py:_plain_field``); ckanext-dcat with its own
            ``euro_dcat_ap_3`` profile only
  dev       CKAN's development server (``ckan run``, what ``./stack.sh dev`` serves) with the
            demo ini

Each route is measured for ``--seconds`` (default 10) per server with
``wrk -t2 -c<connections> --latency`` after a short warm-up, the servers interleaved route by
route (who goes first rotates), for ``--rounds`` rounds (default 2); each cell reports the
median of its rounds. The plain and dev servers are started on their own ports (stack/lib/uwsgi.sh,
nginx.sh, ckan.sh, state in a temporary folder) and stopped at the end, by pid file.

    bench/load.sh                       # against ./stack.sh demo (same GOVSHARE_* environment)
    bench/load.sh --seconds 5 --rounds 1 --only platform,dev

Prints a Markdown table (docs/performance.md) and writes the figures as JSON (``--json``).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


STATE = os.environ.get("GOVSHARE_STATE") or os.path.join(ROOT, ".stack")
VENV = os.environ.get("GOVSHARE_VENV") or os.path.join(STATE, "venv")
CKAN_PORT = env_int("GOVSHARE_CKAN_PORT", 5000)


def stack(state: str, port: int, script: str) -> None:
    """Run ``script`` with the stack's shell functions for a stack whose state is ``state``."""
    env = dict(os.environ, GOVSHARE_STATE=state, GOVSHARE_VENV=VENV, GOVSHARE_CKAN_PORT=str(port),
               ROOT=ROOT, GOVSHARE_STORAGE=os.path.join(STATE, "storage"))
    libs = " ".join(f'source "$ROOT/stack/lib/{lib}.sh";' for lib in
                    ("common", "python", "postgres", "redis", "solr", "ckan", "uwsgi", "nginx"))
    subprocess.run(["bash", "-c", f"set -euo pipefail; {libs} {script}"], env=env, check=True)


def get(url: str, timeout: float = 30) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read()


def plain_ini(tmp: str, demo_ini: str) -> str:
    import yaml
    from access_bench import _plain_field, _set_keys

    from ckanext.govshare import vocab

    schemas = {}
    for name in ("dataset", "organization"):
        path = os.path.join(tmp, f"plain_{name}.yaml")
        with open(os.path.join(ROOT, "schemas", f"{name}.yaml"), encoding="utf-8") as fh:
            schema = yaml.safe_load(fh)
        # schema-level validators are govshare's own (catalogue rules, input bounds)
        for key in ("before_validators", "after_validators"):
            schema.pop(key, None)
        for key in ("dataset_fields", "resource_fields", "fields"):
            if key in schema:
                schema[key] = [_plain_field(f, vocab) for f in schema[key]]
        text = json.dumps(schema, ensure_ascii=False)
        assert "govshare_" not in text.replace("ckanext-govshare", ""), "a govshare name is left in the plain schema"
        with open(path, "w", encoding="utf-8") as fh:
            yaml.safe_dump(schema, fh, allow_unicode=True, sort_keys=False)
        schemas[name] = "file://" + path
    with open(demo_ini, encoding="utf-8") as fh:
        text = fh.read().replace("%(here)s", os.path.dirname(os.path.abspath(demo_ini)))
    plugins = re.search(r"^ckan\.plugins\s*=\s*(.+)$", text, re.M).group(1).split()
    path = os.path.join(tmp, "plain.ini")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(_set_keys(text, {
            "ckan.plugins": " ".join(p for p in plugins if p != "govshare"),
            "scheming.dataset_schemas": schemas["dataset"],
            "scheming.organization_schemas": schemas["organization"],
            "scheming.presets": "ckanext.scheming:presets.json",
            "ckanext.dcat.rdf.profiles": "euro_dcat_ap_3",
        }))
    return path


WRK_LINE = re.compile(r"^\s*(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)
UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(url: str, seconds: int, connections: int) -> dict[str, Any]:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s", url],
        capture_output=True, text=True, check=True).stdout
    lat = {m.group(1): float(m.group(2)) * UNIT[m.group(3)] for m in WRK_LINE.finditer(out)}
    rps = float(re.search(r"Requests/sec:\s*([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {"rps": rps, "p50_ms": lat.get("50"), "p99_ms": lat.get("99"), "requests": total,
            "non_2xx": int(non2xx.group(1)) if non2xx else 0,
            "errors": sum(int(g) for g in errors.groups()) if errors else 0}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration per route and server")
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2, help="rounds over every route and server (median reported)")
    parser.add_argument("--only", default="platform,plain,dev", help="servers to measure")
    parser.add_argument("--ini", default=os.path.join(STATE, "demo.ini"))
    parser.add_argument("--json", default=os.path.join(STATE, "log", "load-bench.json"))
    args = parser.parse_args()
    servers = args.only.split(",")

    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk (Debian)")
    base = f"http://127.0.0.1:{CKAN_PORT}"
    try:
        headers = urllib.request.urlopen(base + "/govshare/health", timeout=10).headers
    except OSError as error:
        sys.exit(f"the production stack does not answer on {base} ({error}): run ./stack.sh demo "
                 "with the same GOVSHARE_* environment first")
    if "nginx" not in (headers.get("Server") or ""):
        sys.exit(f"{base} is not served by nginx (./stack.sh dev?): run ./stack.sh demo")

    # one entry every server shows: the first public entry of the platform's search
    found = json.loads(get(base + "/api/3/action/package_search?rows=1&sort=name+asc"))["result"]["results"]
    if not found:
        sys.exit("the demo catalogue is empty: run ./stack.sh demo")
    entry = found[0]["name"]
    routes = {
        "home `/`": "/",
        "search `/dataset/`": "/dataset/",
        "entry `/dataset/<name>`": f"/dataset/{entry}",
        "API `package_search?q=交通`": "/api/3/action/package_search?q=" + urllib.parse.quote("交通"),
        "API `package_show`": f"/api/3/action/package_show?id={entry}",
        "`/catalog.ttl`": "/catalog.ttl",
    }

    tmp = tempfile.mkdtemp(prefix="govshare-load-")
    os.chmod(tmp, 0o755)  # nginx workers (www-data) reach the uWSGI socket inside
    ports = {"platform": CKAN_PORT, "plain": env_int("GOVSHARE_BENCH_PLAIN_PORT", CKAN_PORT + 100),
             "dev": env_int("GOVSHARE_BENCH_DEV_PORT", CKAN_PORT + 101)}
    started: list[tuple[str, str]] = []
    try:
        if "plain" in servers:
            ini = plain_ini(tmp, args.ini)
            state = os.path.join(tmp, "plain")
            started.append((state, "nginx_stop; uwsgi_stop"))
            stack(state, ports["plain"], f'uwsgi_start "{ini}"; nginx_start {ports["plain"]}')
        if "dev" in servers:
            state = os.path.join(tmp, "dev")
            started.append((state, "ckan_web_stop"))
            stack(state, ports["dev"], f'ckan_web_start "{args.ini}"')

        runs: dict[str, dict[str, list[dict[str, Any]]]] = {}
        load = [os.getloadavg()[0]]
        for rnd in range(args.rounds):
            for i, (label, path) in enumerate(routes.items()):
                k = (i + rnd) % len(servers)   # who goes first rotates by route and round
                for server in servers[k:] + servers[:k]:
                    url = f"http://127.0.0.1:{ports[server]}{path}"
                    for _ in range(3):  # warm-up: templates, webassets, caches
                        get(url)
                    r = wrk(url, args.seconds, args.connections)
                    runs.setdefault(label, {}).setdefault(server, []).append(r)
                    print(f"round {rnd + 1} {label:32} {server:8} {r['rps']:8.1f} req/s  p50 {r['p50_ms']:8.1f} ms  "
                          f"p99 {r['p99_ms']:8.1f} ms  non-2xx {r['non_2xx']}  errors {r['errors']}",
                          file=sys.stderr, flush=True)
            load.append(os.getloadavg()[0])
        # per cell: the median of the rounds, metric by metric; failures summed
        results = {label: {server: {
            **{m: statistics.median(r[m] for r in rs) for m in ("rps", "p50_ms", "p99_ms")},
            **{m: sum(r[m] for r in rs) for m in ("requests", "non_2xx", "errors")}}
            for server, rs in row.items()} for label, row in runs.items()}
    finally:
        for state, script in reversed(started):
            stack(state, ports["platform"], script)
        shutil.rmtree(tmp, ignore_errors=True)

    meta = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "entry": entry,
            "seconds": args.seconds, "connections": args.connections, "servers": servers,
            "rounds": args.rounds, "load_average_1min": [round(x, 1) for x in load],
            "uwsgi": {k: os.environ.get(f"GOVSHARE_UWSGI_{k.upper()}") for k in ("processes", "threads")}}
    with open(args.json, "w", encoding="utf-8") as fh:
        json.dump({"meta": meta, "results": results, "runs": runs}, fh, ensure_ascii=False, indent=1)
    print(f"{meta['date']}; wrk -t2 -c{args.connections} -d{args.seconds}s per cell, {args.rounds} round(s), "
          f"median; machine 1-min load average {', '.join(map(str, meta['load_average_1min']))}")
    print(table(results, servers))
    return 0


def table(results: dict[str, dict[str, Any]], servers: list[str]) -> str:
    def cell(r: dict[str, Any]) -> str:
        bad = f" ({r['non_2xx'] + r['errors']} failed)" if r["non_2xx"] or r["errors"] else ""
        return f"{r['rps']:.1f} | {r['p50_ms']:.0f} / {r['p99_ms']:.0f}{bad}"

    head = "| route | " + " | ".join(f"{s} req/s | {s} p50 / p99 ms" for s in servers)
    ratios = [("platform", "plain", "platform ÷ plain req/s"), ("platform", "dev", "production ÷ dev server req/s")]
    ratios = [r for r in ratios if r[0] in servers and r[1] in servers]
    head += "".join(f" | {r[2]}" for r in ratios) + " |"
    lines = [head, "|---|" + "--:|" * (2 * len(servers) + len(ratios))]
    for label, row in results.items():
        line = f"| {label} | " + " | ".join(cell(row[s]) for s in servers)
        line += "".join(f" | {row[a]['rps'] / row[b]['rps']:.2f}" for a, b, _ in ratios)
        lines.append(line + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
