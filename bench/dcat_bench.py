# -*- coding: utf-8 -*-
"""DCAT export benchmark: the govshare DCAT-AP 3 profile against ckanext-dcat's default
``euro_dcat_ap_3`` profile on the same catalogue entries.

Two parts, both on real catalogue records (``../shared/data/real-catalogue/records.jsonl``:
titles, descriptions, departments, themes, open types, update cycles, formats, data items,
tags; cycled when N is larger; generated entries without the file):

(a) ``serialize``: the export cost itself. A few hundred entries are created through
    ``package_create`` and read back as the public catalogue hands them to the profiles
    (``package_search`` as an anonymous user: withheld data locations included). Pages of
    ``ckanext.dcat.datasets_per_page`` (100) dataset dicts are cloned from them — new ids,
    names, codes and resource ids, nothing else changed — *one page at a time*, and each page
    is serialised to Turtle through the profiles exactly as a catalogue page is. Run for every
    catalogue size (default 2,000 / 10,000 / 20,000) and profile in a fresh subprocess:
    time per page, total time, peak Python memory (tracemalloc, a second pass) and peak RSS
    (``resource.getrusage``). Memory is flat when the peaks do not grow with the size.

(b) ``paging``: the real endpoint path on a real catalogue of ``--real`` entries created
    through the action API (``package_create`` with ``defer_commit``, committed every 500
    entries, one Solr commit at the end instead of one per entry): every page fetched in
    turn, (1) by ckanext-dcat's own catalogue view (offset paging, ``euro_dcat_ap_3``),
    (2) (``--keyset-default`` only) by govshare's keyset paging with ``euro_dcat_ap_3``, and by
    the platform's pages with ``euro_dcat_ap_3 govshare`` (the configured export), assembled
    from the per-entry cache (``dcat/cache.py``): (3) the cache emptied first (every entry
    built: a first harvest), (4) again (every entry from the cache: the harvests after it).
    Time per page (mean, p95, first and last page), pages/s against (1), cache hits and
    misses, process RSS at 2k / 10k / 20k entries exported. Then the streamed full catalogue
    (``/catalog/full.ttl``'s generator) for the first ``--stream-sizes`` entries, each in a
    fresh process: time and peak RSS (flat memory: the same peak at both sizes).
    ``--reuse`` pages through the catalogue an earlier run left in the database.

It WIPES the database and Solr core it is pointed at, so it refuses to run unless the
database name contains ``bench`` (or ``--force``). Prepare a bench database and core once
(the stack creates and migrates them), then run::

    GOVSHARE_TEST_DB=govshare_bench_dcat GOVSHARE_TEST_CORE=ckan_bench_dcat GOVSHARE_TEST_REDIS_DB=6 \\
        ./stack.sh test tests/test_vocab.py -q
    CKAN_SQLALCHEMY_URL=postgresql://govshare:govshare@127.0.0.1:54329/govshare_bench_dcat \\
    CKAN_SOLR_URL=http://127.0.0.1:8983/solr/ckan_bench_dcat \\
    CKAN_REDIS_URL=redis://127.0.0.1:63799/6 \\
        .stack/venv/bin/python bench/dcat_bench.py --ckan-ini test.ini --sizes 2000,10000,20000 --real 20000

``--part serialize`` or ``--part paging`` runs one part only.
"""
from __future__ import annotations

import argparse
import copy
import datetime
import json
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
import uuid
from typing import Any, Iterator

RECORDS = os.path.join(os.environ.get("GOVSHARE_SHARED") or os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "..", "shared"), "data", "real-catalogue", "records.jsonl")
# default: ckanext-dcat's DCAT-AP 3 profile; govshare: what the catalogue endpoints run for the
# configured "euro_dcat_ap_3 govshare" (dcat/catalogue.profile_names(): the govshare profile, which
# contains DCAT-AP 3, in one pass)
PROFILES = {"default": ["euro_dcat_ap_3"], "govshare": ["govshare"]}
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff]")
TAG_RE = re.compile(r"^[\w\-. ]{2,100}$")
N_DEPARTMENTS = 40


# --- catalogue entries from the real records ---------------------------------------------------

def _text(value: Any, limit: int = 2000) -> str:
    return CONTROL_RE.sub("", str(value or "")).strip()[:limit]


def load_records(path: str = RECORDS) -> list[dict[str, Any]]:
    if not os.path.exists(path):
        print(f"{path} not found: generating entries instead", file=sys.stderr)
        return [{"title": f"示例数据集{i}", "description": f"第{i}个示例数据集的说明。",
                 "department": f"示例部门{i % 40}", "open_type": "无条件开放", "update_frequency": "每月",
                 "formats": ["csv"], "data_items": ["名称", "代码", "日期"], "tags": ["示例"],
                 "published": "2023-01-01"} for i in range(1000)]
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def entry_dict(i: int, rec: dict[str, Any], rnd: random.Random, org_id: str) -> dict[str, Any]:
    """A valid catalogue entry (package_create data dict) from one real record."""
    from ckanext.govshare import vocab

    theme = vocab.THEMES.lookup(rec.get("theme") or "")
    theme_value = theme.value if theme else rnd.choice(vocab.THEMES.values())
    raw_open = rec.get("open_type") or ""
    if raw_open in ("有条件开放", "依申请开放", "登录开放", "申请开放", "有条件", "安全开放", "需申请"):
        open_type = "conditional"
    elif raw_open or i % 9:
        open_type = "unconditional"
    else:
        open_type = "closed"
    share = "unconditional" if open_type == "unconditional" else rnd.choice(["conditional", "unconditional"])
    cycle = vocab.UPDATE_CYCLES.lookup(rec.get("update_frequency") or "")
    formats = [str(f).upper() for f in rec.get("formats") or ["CSV"]]
    fmt = next((f for f in formats if f in ("CSV", "XLS", "XLSX", "JSON", "XML", "RDF", "API")), "PDF")
    method = "api" if fmt == "API" else "download"
    items = [{"item_name": name, "item_type": rnd.choice("CNDT"), "item_length": rnd.choice([20, 50, 200])}
             for name in (re.sub(r"[|｜;；\n]", " ", _text(n, 100)).strip()
                          for n in (rec.get("data_items") or [])[:40]) if name]
    title = _text(rec.get("title"), 300) or f"数据集{i}"
    published = str(rec.get("published") or "")[:10]
    data: dict[str, Any] = {
        "name": f"entry-{i:06d}",
        "title": title,
        "owner_org": org_id,
        "resource_code": f"2{(i % 16) + 1:02d}001/{i:06d}",
        "resource_category": "theme",
        "notes": _text(rec.get("description")) or title,
        "resource_format": "service_api" if fmt == "API" else "spreadsheet" if fmt in ("CSV", "XLS", "XLSX")
        else "self_describing" if fmt in ("JSON", "XML", "RDF") else "electronic_file",
        "data_items": items,
        "open_type": open_type,
        "share_type": share,
        "share_methods": [method],
        "update_cycle": cycle.value if cycle else "irregular",
        "theme": theme_value,
        "tag_string": ",".join(t for t in (_text(t, 100) for t in rec.get("tags") or []) if TAG_RE.match(t)),
        "resources": [{
            "name": f"{title[:60]}（{fmt}）", "format": fmt, "access_method": method,
            "url": f"https://data.example.gov.cn/files/{i:06d}.{fmt.lower()}",
            **({"api_description": "参数：page、size；返回：数据记录列表。",
                "api_call": f"GET https://api.example.gov.cn/data/{i:06d}?page=1"} if method == "api" else {}),
        }],
    }
    if re.match(r"^\d{4}-\d\d-\d\d$", published) and published <= datetime.date.today().isoformat():
        data["release_date"] = published
    if share == "conditional":
        data["share_condition"] = "仅向履行相关职责的部门共享。"
    if share != "unconditional" or open_type != "unconditional":
        data["share_basis"] = "《重庆市政务信息资源共享开放管理办法》第十七条"
    if open_type == "conditional":
        data["open_condition"] = _text(rec.get("open_condition")) or "须实名认证并签署数据使用协议。"
    if open_type != "unconditional":
        data["open_basis"] = "《重庆市政务数据资源管理暂行办法》第三十一条"
    return data


def fresh_database() -> str:
    """Empty database (core tables + plugin migrations) and index; returns the site user."""
    import ckan.plugins.toolkit as tk
    from ckan.cli.db import _run_migrations
    from ckan.lib import search
    from ckan.tests import helpers

    helpers.reset_db()
    for plugin in ("activity", "govshare"):
        _run_migrations(plugin, "head", True)
    search.clear_all()
    return tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]


def load_catalogue(n: int, seed: int, log: bool = True) -> float:
    """``n`` real entries through package_create (defer_commit batches, one Solr commit)."""
    import ckan.plugins.toolkit as tk
    from ckan import model
    from ckan.lib import search

    site = fresh_database()
    rnd = random.Random(seed)
    records = load_records()
    counts: dict[str, int] = {}
    for rec in records:
        name = _text(rec.get("department"), 100) or "未署名部门"
        counts[name] = counts.get(name, 0) + 1
    titles = [t for t, _ in sorted(counts.items(), key=lambda kv: -kv[1])[:N_DEPARTMENTS]]
    orgs = [tk.get_action("organization_create")({"user": site}, {
        "name": f"dept-{k:03d}", "title": title, "provider_code": f"11500000MB{k:08d}"})["id"]
        for k, title in enumerate(titles)]
    create = tk.get_action("package_create")
    solr_commit = tk.config.get("ckan.search.solr_commit")
    tk.config["ckan.search.solr_commit"] = False
    start = time.perf_counter()
    try:
        for i in range(1, n + 1):
            rec = records[(i - 1) % len(records)]
            create({"user": site, "defer_commit": True}, entry_dict(i, rec, rnd, orgs[i % len(orgs)]))
            if i % 500 == 0 or i == n:
                model.repo.commit()
                if log and (i % 2000 == 0 or i == n):
                    print(f"  created {i}/{n} ({time.perf_counter() - start:.0f} s)", file=sys.stderr)
    finally:
        tk.config["ckan.search.solr_commit"] = solr_commit
    search.commit()
    return time.perf_counter() - start


# --- (a) serialisation -----------------------------------------------------------------------

def _templates(path: str, n: int, seed: int) -> None:
    """Create ``n`` real entries; store the public catalogue's dicts of them in ``path``."""
    import ckan.plugins.toolkit as tk

    load_catalogue(n, seed, log=False)
    result = tk.get_action("package_search")({"user": ""}, {
        "q": "*:*", "rows": n, "sort": "metadata_created asc, id asc",
        "fq": "+open_type:(unconditional OR conditional)"})
    with open(path, "w", encoding="utf-8") as f:
        json.dump(result["results"], f, ensure_ascii=False)


def _pages(templates: list[dict[str, Any]], n: int, rows: int) -> Iterator[list[dict[str, Any]]]:
    """The catalogue as pages of dataset dicts cloned from the templates, built one page
    at a time (so only a page is ever in memory, as with the real paging)."""
    base = datetime.datetime(2024, 1, 1)
    for first in range(0, n, rows):
        page = []
        for i in range(first, min(first + rows, n)):
            d = copy.deepcopy(templates[i % len(templates)])
            d["id"] = str(uuid.UUID(int=i + 1))
            d["name"] = f"{d['name']}-{i}"
            d["resource_code"] = f"{d['resource_code'].split('/')[0]}/{i:06d}"
            d["metadata_created"] = (base + datetime.timedelta(seconds=i)).isoformat()
            for k, res in enumerate(d.get("resources") or []):
                res["id"] = str(uuid.UUID(int=(i + 1) * 1000 + k))
                res["package_id"] = d["id"]
            page.append(d)
        yield page


def _serialize_pages(templates: list[dict[str, Any]], n: int, rows: int, profiles: list[str],
                     timed: bool) -> dict[str, Any]:
    from ckanext.dcat.processors import RDFSerializer

    from ckanext.govshare.dcat import catalogue as gp

    times: list[float] = []
    cpu: list[float] = []
    checkpoints: dict[int, float] = {}
    count = triples = size = 0
    for k, page in enumerate(_pages(templates, n, rows)):
        paging = {"count": n, "items_per_page": rows, "current": f"http://bench/catalog.ttl?p={k}",
                  "first": "http://bench/catalog.ttl", "next": f"http://bench/catalog.ttl?p={k + 1}"}
        start, start_cpu = time.perf_counter(), time.process_time()
        with gp.scope("public"):
            serializer = RDFSerializer(profiles=profiles)
            out = serializer.serialize_catalog(
                {"modified": "2024-06-01T00:00:00"}, page, _format="ttl", pagination_info=paging)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        count += len(page)
        triples += len(serializer.g)
        size += len(out.encode("utf-8"))
        if not timed:
            checkpoints[count] = tracemalloc.get_traced_memory()[1] / 2**20
        del out, serializer
    return {"times": times, "cpu": cpu, "checkpoints": checkpoints, "triples_per_entry": triples / max(count, 1),
            "kib_per_page": size / 1024 / max(len(times), 1)}


def child_serialize(args: argparse.Namespace) -> int:
    with open(args.templates_file, encoding="utf-8") as f:
        templates = json.load(f)
    profiles = PROFILES[args.profile]
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    timed = _serialize_pages(templates, args.n, args.rows, profiles, timed=True)
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    tracemalloc.start()
    traced = _serialize_pages(templates, args.n, args.rows, profiles, timed=False)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    t, c = timed["times"], timed["cpu"]
    tenth = max(1, len(c) // 10)
    print(json.dumps({
        "n": args.n, "profile": args.profile, "pages": len(t), "total_s": sum(t), "total_cpu_s": sum(c),
        "page_cpu_mean_ms": 1000 * statistics.mean(c), "page_cpu_p95_ms": 1000 * sorted(c)[int(0.95 * (len(c) - 1))],
        "page_cpu_first_tenth_ms": 1000 * statistics.mean(c[:tenth]),
        "page_cpu_last_tenth_ms": 1000 * statistics.mean(c[-tenth:]),
        "page_mean_ms": 1000 * statistics.mean(t), "page_p95_ms": 1000 * sorted(t)[int(0.95 * (len(t) - 1))],
        "page_first_ms": 1000 * t[0], "page_last_ms": 1000 * t[-1],
        "entries_per_s": args.n / sum(t), "triples_per_entry": round(timed["triples_per_entry"], 1),
        "kib_per_page": round(timed["kib_per_page"], 1), "tracemalloc_peak_mib": peak,
        "tracemalloc_at": {str(k): round(v, 1) for k, v in traced["checkpoints"].items()
                           if k in (2000, 10000, 20000) or k == args.n},
        "rss_peak_mib": rss1, "rss_before_export_mib": rss0,
    }))
    return 0


def part_serialize(args: argparse.Namespace) -> list[dict[str, Any]]:
    import tempfile

    path = os.path.join(tempfile.mkdtemp(prefix="govshare-dcat-bench-"), "templates.json")
    print(f"(a) creating {args.templates} template entries", file=sys.stderr)
    _templates(path, args.templates, args.seed)
    results = []
    for n in args.sizes:
        for profile in PROFILES:
            cmd = [sys.executable, os.path.abspath(__file__), "--ckan-ini", args.ckan_ini, "--force",
                   "--child", "serialize", "--templates-file", path, "--n", str(n), "--rows", str(args.rows),
                   "--profile", profile]
            out = subprocess.run(cmd, check=True, capture_output=True, text=True)
            row = json.loads(out.stdout.strip().splitlines()[-1])
            results.append(row)
            print(f"  n={n:6d} {profile:9s} total {row['total_s']:7.1f} s (CPU {row['total_cpu_s']:6.1f} s)  "
                  f"page {row['page_mean_ms']:6.1f} ms (CPU {row['page_cpu_mean_ms']:6.1f}, p95 "
                  f"{row['page_cpu_p95_ms']:6.1f}; first/last tenth {row['page_cpu_first_tenth_ms']:5.0f}/"
                  f"{row['page_cpu_last_tenth_ms']:5.0f})  tracemalloc peak {row['tracemalloc_peak_mib']:6.1f} MiB  "
                  f"RSS peak {row['rss_peak_mib']:6.0f} MiB  {row['triples_per_entry']:.0f} triples/entry "
                  f"{row['kib_per_page']:.0f} KiB/page", file=sys.stderr)
    return results


# --- (b) paging through the endpoints ------------------------------------------------------------

def _rss_mib() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def part_paging(args: argparse.Namespace, app: Any) -> list[dict[str, Any]]:
    import ckan.plugins.toolkit as tk
    from ckan.lib.redis import connect_to_redis
    from ckanext.dcat.processors import RDFParser
    from ckanext.dcat.utils import read_catalog_page

    from ckanext.govshare.dcat import views

    if args.reuse:
        t_load = float("nan")
        print("(b) reusing the catalogue in the database", file=sys.stderr)
    else:
        print(f"(b) creating a real catalogue of {args.real} entries", file=sys.stderr)
        t_load = load_catalogue(args.real, args.seed)
    public = tk.get_action("package_search")({"user": ""}, {"rows": 0, "fq": "+open_type:(unconditional OR conditional)"})["count"]
    total = tk.get_action("package_search")({"ignore_auth": True}, {"rows": 0, "include_private": True})["count"]
    print(f"  {total} entries (loaded in {t_load:.0f} s); {public} in the public catalogue", file=sys.stderr)
    flask_app = app._wsgi_app
    configured = tk.config.get("ckanext.dcat.rdf.profiles")

    def run(label: str, profiles: str, fetch: Any) -> dict[str, Any]:
        tk.config["ckanext.dcat.rdf.profiles"] = profiles
        times, cpu, seen, rss = [], [], 0, {}
        query = ""
        page = 1
        while True:
            start, start_cpu = time.perf_counter(), time.process_time()
            body = fetch(query, page)
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
            # what a harvester does with the page (not timed): the datasets and the next link
            parser = RDFParser(profiles=["euro_dcat_ap_3"])
            parser.parse(body, _format="turtle")
            next_url = parser.next_page()
            got = sum(1 for _ in parser._datasets())
            del parser, body
            for mark in (2000, 10000, 20000):
                if seen < mark <= seen + got:
                    rss[mark] = round(_rss_mib(), 1)
            seen += got
            if not next_url or not got:
                break
            query = next_url.split("?", 1)[1] if "?" in next_url else ""
            page += 1
        rss[seen] = round(_rss_mib(), 1)
        tenth = max(1, len(times) // 10)
        row = {"path": label, "profiles": profiles, "pages": len(times), "entries": seen, "total_s": sum(times),
               "total_cpu_s": sum(cpu), "page_cpu_mean_ms": 1000 * statistics.mean(cpu),
               "page_first_tenth_ms": 1000 * statistics.mean(times[:tenth]),
               "page_last_tenth_ms": 1000 * statistics.mean(times[-tenth:]),
               "page_mean_ms": 1000 * statistics.mean(times),
               "page_p95_ms": 1000 * sorted(times)[int(0.95 * (len(times) - 1))],
               "page_first_ms": 1000 * times[0], "page_last_ms": 1000 * times[-2 if len(times) > 1 else -1],
               "rss_mib_at": rss, "rss_peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
        print(f"  {label:30s} [{profiles}] {row['entries']:6d} entries {row['pages']:4d} pages  total "
              f"{row['total_s']:7.1f} s (CPU {row['total_cpu_s']:6.1f} s)  page {row['page_mean_ms']:6.1f} ms "
              f"(p95 {row['page_p95_ms']:6.1f}; first/last tenth {row['page_first_tenth_ms']:5.0f}/"
              f"{row['page_last_tenth_ms']:5.0f})  RSS MiB {rss}", file=sys.stderr)
        return row

    def dcat_offset(query: str, page: int) -> str:
        with flask_app.test_request_context(f"/catalog.ttl?page={page}"):
            return read_catalog_page("ttl").get_data(as_text=True)

    def govshare_keyset(query: str, page: int) -> str:
        with flask_app.test_request_context(f"/catalog.ttl?{query}"):
            return views._catalogue_response("ttl").get_data(as_text=True)

    from ckanext.govshare.dcat import cache

    def clear_cache() -> None:
        redis = connect_to_redis()
        for key in redis.scan_iter(f"{cache.key_prefix()}:*", count=1000):
            redis.delete(key)

    clear_cache()
    results = [run("(1) ckanext-dcat offset paging", "euro_dcat_ap_3", dcat_offset)]
    if args.keyset_default:
        results.append(run("(2) govshare keyset paging", "euro_dcat_ap_3", govshare_keyset))
    stats = cache.stats()
    for label in ("(3) govshare, cache cold", "(4) govshare, cache warm"):
        hits, misses = stats.hits, stats.misses
        row = run(label, "euro_dcat_ap_3 govshare", govshare_keyset)
        row.update(cache_hits=stats.hits - hits, cache_misses=stats.misses - misses)
        print(f"    cache: {row['cache_hits']} hits, {row['cache_misses']} misses", file=sys.stderr)
        results.append(row)
    base = results[0]["pages"] / results[0]["total_s"]
    for row in results[1:]:
        row["throughput_vs_ckanext_dcat"] = round(row["pages"] / row["total_s"] / base, 2)
        print(f"  {row['path']}: {row['throughput_vs_ckanext_dcat']}x the pages/s of (1)", file=sys.stderr)
    tk.config["ckanext.dcat.rdf.profiles"] = configured
    return results


def child_stream(args: argparse.Namespace) -> int:
    """The streamed full catalogue (``/catalog/full.ttl``'s generator), the first ``--n``
    entries, in a fresh process: peak RSS, time, bytes."""
    from ckanext.govshare.dcat import cache, catalogue

    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    stats = cache.stats()
    start, start_cpu = time.perf_counter(), time.process_time()
    size = chunks = 0
    for chunk in catalogue.stream_catalogue(args.format, limit=args.n):
        size += len(chunk.encode("utf-8"))
        chunks += 1
    print(json.dumps({
        "n": args.n, "format": args.format, "total_s": time.perf_counter() - start,
        "total_cpu_s": time.process_time() - start_cpu, "mib": size / 2**20, "chunks": chunks,
        "cache_hits": stats.hits, "cache_misses": stats.misses,
        "rss_before_mib": rss0, "rss_peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
    return 0


def part_stream(args: argparse.Namespace) -> list[dict[str, Any]]:
    results = []
    for n in args.stream_sizes:
        cmd = [sys.executable, os.path.abspath(__file__), "--ckan-ini", args.ckan_ini, "--force",
               "--child", "stream", "--n", str(n), "--format", args.format]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True)
        row = json.loads(out.stdout.strip().splitlines()[-1])
        results.append(row)
        print(f"  stream {row['n']:6d} entries ({row['format']}): {row['total_s']:6.1f} s "
              f"({row['n'] / row['total_s']:.0f} entries/s), {row['mib']:.1f} MiB, RSS before "
              f"{row['rss_before_mib']:.0f} MiB, peak {row['rss_peak_mib']:.0f} MiB "
              f"({row['cache_hits']} hits, {row['cache_misses']} misses)", file=sys.stderr)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ckan-ini", default="test.ini")
    parser.add_argument("--sizes", default="2000,10000,20000", help="catalogue sizes for (a)")
    parser.add_argument("--real", type=int, default=20000, help="entries of the real catalogue for (b)")
    parser.add_argument("--templates", type=int, default=300, help="real entries the pages of (a) are cloned from")
    parser.add_argument("--rows", type=int, default=0, help="page size (default ckanext.dcat.datasets_per_page)")
    parser.add_argument("--part", choices=["serialize", "paging", "both"], default="both")
    parser.add_argument("--reuse", action="store_true",
                        help="(b): page through the catalogue already in the database (made by an earlier run)")
    parser.add_argument("--keyset-default", action="store_true",
                        help="(b): also page with govshare's keyset paging and euro_dcat_ap_3 alone")
    parser.add_argument("--stream-sizes", default="2000,20000",
                        help="(b): entries of the streamed full catalogue, each in a fresh process")
    parser.add_argument("--format", default="ttl", help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=20240301)
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--force", action="store_true",
                        help="run even if the database name does not contain 'bench'")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--templates-file", help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--profile", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.sizes = [int(s) for s in str(args.sizes).split(",") if s]
    args.stream_sizes = [int(s) for s in str(args.stream_sizes).split(",") if s]

    db_url = os.environ.get("CKAN_SQLALCHEMY_URL", "")
    if "bench" not in db_url.rsplit("/", 1)[-1] and not args.force:
        print("refusing to wipe a database whose name does not contain 'bench': set "
              "CKAN_SQLALCHEMY_URL (and CKAN_SOLR_URL, CKAN_REDIS_URL) to a bench database, "
              "or pass --force", file=sys.stderr)
        return 2

    import logging

    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(args.ckan_ini))
    logging.getLogger("ckanext.dcat").setLevel(logging.ERROR)
    import ckan.plugins.toolkit as tk

    with app._wsgi_app.test_request_context():
        args.rows = args.rows or int(tk.config.get("ckanext.dcat.datasets_per_page") or 100)
        if args.child == "serialize":
            return child_serialize(args)
        if args.child == "stream":
            return child_stream(args)
        figures: dict[str, Any] = {"rows": args.rows}
        if args.part in ("serialize", "both"):
            figures["serialize"] = part_serialize(args)
        if args.part in ("paging", "both"):
            figures["paging"] = part_paging(args, app)
            figures["stream"] = part_stream(args)
    print(json.dumps(figures, ensure_ascii=False, indent=1))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(figures, f, ensure_ascii=False, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
