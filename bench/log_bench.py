# -*- coding: utf-8 -*-
"""Ten-year logs benchmark (issue 14 item 5; kunming-2019 §27; docs/logs.md).

    .stack/venv/bin/python bench/log_bench.py [--rows 10000000] [--reuse] [--calls 200] [--rounds 10]

(a) **cost of logging** — a download (an uploaded file, ``resource_download`` → exchange log) and
    a search (``/api/3/action/package_search`` → query log) through the whole web stack
    in-process (Flask test client: middleware, identification, view, action), with the log's
    signal receivers connected (ON) and disconnected (OFF), interleaved in blocks of
    ``--calls``, ABBA, in one run; reported: median per call ON and OFF, their ratio, and the
    added time per call.
(b) **a year's queries over ten years of rows** — ``--rows`` (10 million) exchange-log rows
    spread evenly over the 120 months up to this one, generated with ``generate_series`` in
    SQL (as the superuser with ``session_replication_role = replica``: the chain trigger is
    off, so these rows carry placeholder hashes — this measures reading, not the chain), then
    each query for one calendar year, five times, median: the authority's first page of the
    year (``govshare_log_list``), a department's entry's year, a user's year, counts by channel,
    the top 20 entries by downloads. Target: under a second each. After loading, the table is
    vacuumed and analysed as autovacuum does for insert-only tables, so past months are read in
    the state they are in on a running system.

Runs on its own database ``govshare_bench_logs`` (name must contain ``bench``; it is WIPED of
log rows unless ``--reuse`` finds the same row count), its DataStore twin and Solr core
``ckan_bench_logs``, Redis db 9; needs the stack's services running (``./stack.sh test`` once).
"""
from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import time
from typing import Any, Callable

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DB = os.environ.get("GOVSHARE_BENCH_DB", "govshare_bench_logs")
CORE = os.environ.get("GOVSHARE_BENCH_CORE", "ckan_bench_logs")
REDIS_DB = os.environ.get("GOVSHARE_BENCH_REDIS_DB", "9")


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def prepare() -> None:
    """Database, DataStore database, Solr core (the stack's own functions), CKAN's tables and
    the migrations; the environment that points CKAN at them."""
    if "bench" not in DB:
        sys.exit(f"GOVSHARE_BENCH_DB={DB}: the benchmark wipes its database, so the name must contain 'bench'")
    script = f"""
set -euo pipefail
ROOT={ROOT}; export ROOT
for lib in common python postgres redis solr ckan; do source "$ROOT/stack/lib/$lib.sh"; done
postgres_database {DB} >&2
postgres_datastore {DB}_datastore >&2
schema=$ROOT/stack/solr/schema/govshare-schema.xml
solr_core {CORE} "$schema" >&2
ckan_env_for {DB} {CORE} {REDIS_DB}
echo "CKAN_SQLALCHEMY_URL=$CKAN_SQLALCHEMY_URL"
echo "CKAN_DATASTORE_WRITE_URL=$CKAN_DATASTORE_WRITE_URL"
echo "CKAN_DATASTORE_READ_URL=$CKAN_DATASTORE_READ_URL"
echo "CKAN_SOLR_URL=$CKAN_SOLR_URL"
echo "CKAN_REDIS_URL=$CKAN_REDIS_URL"
"""
    out = subprocess.run(["bash", "-c", script], check=True, capture_output=True, text=True)
    for line in out.stdout.splitlines():
        key, _, value = line.partition("=")
        os.environ[key] = value
    ckan = os.path.join(ROOT, ".stack", "venv", "bin", "ckan")
    for args in (["db", "init"], ["db", "upgrade", "-p", "activity"], ["db", "upgrade", "-p", "govshare"]):
        subprocess.run([ckan, "-c", os.path.join(ROOT, "test.ini"), *args], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


# --- (a) cost of logging ---------------------------------------------------------------------------

def cost_of_logging(calls: int, rounds: int) -> dict[str, Any]:
    import tempfile

    from werkzeug.datastructures import FileStorage

    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    from ckan import model
    import ckan.plugins.toolkit as tk

    from ckanext.govshare.oversight import subscriptions

    storage = tempfile.mkdtemp(prefix="log-bench-")
    config = load_config(os.path.join(ROOT, "test.ini"))
    config["ckan.storage_path"] = storage
    app = make_app(config)
    flask_app = app._wsgi_app
    client = flask_app.test_client()

    with flask_app.test_request_context():
        site = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
        ctx = lambda: {"user": site, "ignore_auth": True}  # noqa: E731
        org = tk.get_action("organization_show")(ctx(), {"id": "bench-logs-dept"}) if model.Group.get(
            "bench-logs-dept") else tk.get_action("organization_create")(
            ctx(), {"name": "bench-logs-dept", "title": "市交通局（日志基准）"})
        name = "bench-logs-entry"
        if model.Package.get(name) is None:
            tk.get_action("package_create")(ctx(), {
                "name": name, "title": "公交线路信息（日志基准）", "owner_org": org["id"],
                "resource_code": "203001/990001", "resource_category": "theme",
                "notes": "全市公共交通线路。", "resource_format": "spreadsheet", "open_type": "unconditional",
                "share_type": "unconditional", "update_cycle": "monthly", "theme": "transport"})
        pkg = tk.get_action("package_show")(ctx(), {"id": name})
        upload = FileStorage(stream=io.BytesIO("线路编号\r\nCQBUS0100\r\n".encode("utf-8")),
                             filename="lines.csv", content_type="text/csv")
        res = tk.get_action("resource_create")(ctx(), {"package_id": pkg["id"], "name": "线路表",
                                                       "access_method": "download", "upload": upload})
        model.Session.remove()

    download = f"/dataset/{pkg['id']}/resource/{res['id']}/download/lines.csv"
    search = "/api/3/action/package_search?q=%E5%85%AC%E4%BA%A4&rows=10"
    subs = subscriptions.get_signal_subscriptions()

    def connect(on: bool) -> None:
        for signal, receivers in subs.items():
            for r in receivers:
                receiver, sender = (r["receiver"], r.get("sender")) if isinstance(r, dict) else (r, None)
                signal.disconnect(receiver)
            if on:
                for r in receivers:
                    receiver, sender = (r["receiver"], r.get("sender")) if isinstance(r, dict) else (r, None)
                    if sender is None:
                        signal.connect(receiver)
                    else:
                        signal.connect(receiver, sender=sender)

    def call(url: str) -> float:
        t = timed(lambda: client.get(url))
        model.Session.remove()
        return t

    results: dict[str, dict[str, list[float]]] = {"download": {"on": [], "off": []}, "search": {"on": [], "off": []}}
    for url in (download, search):  # warm-up
        for _ in range(20):
            call(url)
    for rnd in range(rounds):
        for on in ((True, False, False, True) if rnd % 2 == 0 else (False, True, True, False)):
            connect(on)
            for kind, url in (("download", download), ("search", search)):
                results[kind]["on" if on else "off"] += [call(url) for _ in range(calls // 2)]
        log(f"round {rnd + 1}/{rounds}")
    connect(True)
    out = {}
    for kind, r in results.items():
        on, off = statistics.median(r["on"]), statistics.median(r["off"])
        out[kind] = {"calls_each": len(r["on"]), "median_on_ms": on * 1000, "median_off_ms": off * 1000,
                     "ratio": on / off, "added_ms": (on - off) * 1000,
                     "min_on_ms": min(r["on"]) * 1000, "min_off_ms": min(r["off"]) * 1000}
    with model.meta.engine.connect() as conn:
        out["rows_written"] = {t: conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar()
                               for t in ("govshare_log_exchange", "govshare_log_query")}
    return out


# --- (b) a year's queries over ten years ---------------------------------------------------------------

def ten_years(rows: int, reuse: bool) -> dict[str, Any]:
    import sqlalchemy as sa

    url = os.environ["CKAN_SQLALCHEMY_URL"]
    engine = sa.create_engine(url)
    su = sa.create_engine(sa.engine.make_url(url).set(username="postgres", password=None))
    with engine.connect() as conn:
        have = conn.exec_driver_sql("SELECT count(*) FROM govshare_log_exchange WHERE detail ? 'bench'").scalar()
    per_month = rows // 120
    if not (reuse and have == per_month * 120):
        log(f"generating {rows:,} exchange-log rows over 120 months (the bench's rows only are replaced)")
        with su.begin() as conn:
            conn.exec_driver_sql("SELECT govshare_log_ensure_partitions("
                                 "(date_trunc('month', now() AT TIME ZONE 'UTC') - interval '119 months')::date, 122)")
        start = time.perf_counter()
        with su.connect() as conn:
            conn.exec_driver_sql("SET session_replication_role = replica")  # chain and append-only triggers off
            for m in range(120):
                with conn.begin():
                    name = conn.exec_driver_sql(
                        "SELECT 'govshare_log_partitions.govshare_log_exchange_' || to_char(date_trunc('month', "
                        f"now() AT TIME ZONE 'UTC') - interval '{119 - m} months', 'YYYY_MM')").scalar()
                    conn.exec_driver_sql(f"TRUNCATE {name}")
                    conn.exec_driver_sql(f"""
                        INSERT INTO govshare_log_exchange (seq, at, actor_id, actor_org_id, channel, package_id,
                            resource_id, organization_id, basis, grant_id, client_hash, detail, prev_hash, hash)
                        SELECT {m} * {per_month} + i,
                               date_trunc('month', now() AT TIME ZONE 'UTC') - interval '{119 - m} months'
                                   + ((i - 1) * interval '1 second' * (2419200.0 / {per_month})),
                               'user-' || (i %% 5000), CASE WHEN i %% 3 = 0 THEN 'dept-' || (i %% 50) END,
                               (ARRAY['download', 'api', 'datastore_search', 'datastore_search_sql'])[1 + i %% 4],
                               'pkg-' || (i * 7919 %% 20000), 'res-' || (i * 7919 %% 40000), 'dept-' || (i * 7919 %% 50),
                               (ARRAY['open:unconditional', 'share:unconditional', 'share:grant', 'open:grant',
                                      'provider'])[1 + i %% 5],
                               CASE WHEN i %% 5 IN (2, 3) THEN 'grant-' || (i %% 997) END,
                               md5(i::text), '{{"bench": true}}'::jsonb,
                               sha256(int8send(i - 1)), sha256(int8send(i))
                        FROM generate_series(1, {per_month}) AS i""")
                if m % 12 == 11:
                    log(f"  {m + 1}/120 months, {time.perf_counter() - start:.0f} s")
        # as autovacuum does for an insert-only table (PostgreSQL ≥ 13): hint bits and the
        # visibility map set, statistics gathered — the state of months that are not this one
        with su.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM (ANALYZE) govshare_log_exchange")
    with engine.connect() as conn:
        total = conn.exec_driver_sql("SELECT count(*) FROM govshare_log_exchange").scalar()
        size = conn.exec_driver_sql(
            "SELECT pg_size_pretty(sum(pg_total_relation_size(c.oid))) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'govshare_log_exchange'::regclass").scalar()
        year = conn.exec_driver_sql(
            "SELECT date_trunc('year', now() AT TIME ZONE 'UTC') - interval '1 year', "
            "date_trunc('year', now() AT TIME ZONE 'UTC')").one()
        p = {"since": year[0], "until": year[1]}
        in_year = conn.execute(sa.text("SELECT count(*) FROM govshare_log_exchange WHERE at >= :since AND at < :until"),
                               p).scalar()
        queries = {
            "authority: first page of the year (govshare_log_list, 100 rows)":
                "SELECT * FROM govshare_log_exchange WHERE at >= :since AND at < :until ORDER BY at, seq LIMIT 101",
            "one entry's exchanges in the year (package_id)":
                "SELECT * FROM govshare_log_exchange WHERE package_id = 'pkg-42' AND at >= :since AND at < :until "
                "ORDER BY at, seq LIMIT 1001",
            "one user's exchanges in the year (actor_id)":
                "SELECT * FROM govshare_log_exchange WHERE actor_id = 'user-42' AND at >= :since AND at < :until "
                "ORDER BY at, seq LIMIT 1001",
            "count by channel for the year":
                "SELECT channel, count(*) FROM govshare_log_exchange WHERE at >= :since AND at < :until GROUP BY channel",
            "top 20 entries by downloads in the year":
                "SELECT package_id, count(*) FROM govshare_log_exchange WHERE at >= :since AND at < :until "
                "AND channel = 'download' GROUP BY package_id ORDER BY count(*) DESC LIMIT 20",
            "a department's shares on grants in the year":
                "SELECT count(*) FROM govshare_log_exchange WHERE at >= :since AND at < :until "
                "AND organization_id = 'dept-7' AND basis = 'share:grant'",
        }
        timings = {}
        for label, sql in queries.items():
            runs = [timed(lambda: conn.execute(sa.text(sql), p).all()) for _ in range(5)]
            timings[label] = {"median_ms": statistics.median(runs) * 1000, "max_ms": max(runs) * 1000}
    su.dispose()
    engine.dispose()
    return {"rows": total, "size": size, "year": f"{year[0]:%Y}", "rows_in_year": in_year, "queries": timings}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--reuse", action="store_true", help="keep generated rows when the count matches")
    parser.add_argument("--calls", type=int, default=40, help="calls per ON/OFF block (a), split download/search")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--skip-a", action="store_true")
    parser.add_argument("--skip-b", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, ROOT)
    log(f"preparing database {DB} and Solr core {CORE}")
    prepare()
    if not args.skip_a:
        log("(a) cost of logging: download and search, receivers ON vs OFF, interleaved")
        a = cost_of_logging(args.calls, args.rounds)
        print("(a) cost of logging (one run, interleaved ABBA)")
        for kind in ("download", "search"):
            r = a[kind]
            print(f"  {kind:8} ON {r['median_on_ms']:7.2f} ms  OFF {r['median_off_ms']:7.2f} ms  "
                  f"ratio {r['ratio']:.3f}  added {r['added_ms']:+.2f} ms  (min ON {r['min_on_ms']:.2f} / "
                  f"OFF {r['min_off_ms']:.2f} ms; {r['calls_each']} calls each)")
        print(f"  rows written: {a['rows_written']}")
    if not args.skip_b:
        log("(b) a year's queries over ten years of exchange-log rows")
        b = ten_years(args.rows, args.reuse)
        print(f"(b) {b['rows']:,} exchange-log rows ({b['size']}), year {b['year']}: {b['rows_in_year']:,} rows")
        for label, t in b["queries"].items():
            flag = "ok" if t["max_ms"] < 1000 else "OVER 1 s"
            print(f"  {t['median_ms']:8.1f} ms median, {t['max_ms']:8.1f} ms max  {flag}  {label}")


if __name__ == "__main__":
    main()
