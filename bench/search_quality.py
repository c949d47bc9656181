# -*- coding: utf-8 -*-
"""Search quality benchmark (issues 7 and 15): CKAN's default Solr schema, the platform's
search as it was before issue 15 ("today", the schema and query of commit TODAY_COMMIT) and the
platform's search now, on a judged set of Chinese queries, reporting recall@10 and nDCG@10 per
category, per half of the set (development / held-out) and overall, and the query latency of
the new search relative to today's.

The catalogue: the demo catalogue (ckanext/govshare/demo/demo_catalogue.yaml, 28 entries, loaded
with the demo loader) plus ALL 2,999 real published entries of ``../shared/data/real-catalogue/
records.jsonl`` (``--real N`` takes a fixed sample of N instead), mapped onto the govshare schema
as bench/import_bench.py does and imported with the catalogue importer. Two additions to that
mapping, as a platform holding these catalogues would have them: each entry's 行政区划代码 is its
portal's province, and a department titled without its place (市统计局, 省教育厅 — the portal's own
city or province is implied) is titled with it (苏州市统计局, 浙江省教育厅), so that two cities'
市统计局 are two departments. Without the records file it says so and runs on the demo only.

The same database is indexed by CKAN's own indexing code (with the plugins' before_dataset_index)
into Solr cores with CKAN's schema, today's schema and the current one, and every query runs
through CKAN's ``package_search`` action (as a sysadmin, so nothing is hidden) against each core:

* ``CKAN default``: CKAN's schema with CKAN's own query parameters (dismax, qf
  ``name^4 title^4 tags^2 groups^2 text``, mm ``2<-1 5<80%``), i.e. CKAN out of the box;
* ``today``: the schema of TODAY_COMMIT with its parameters (edismax, :data:`TODAY_QF`);
* ``platform``: the current schema with no parameters from the benchmark: the plugin's
  ``before_dataset_search`` builds the query exactly as on the portal (search/query.py);
* with ``--alternatives``, variants of the current schema/query (see ALTERNATIVE_RUNS).

Judgements: ``bench/queries_citizens.yaml`` (default; 200+ queries written from how citizens
ask, split into a development and a held-out half, see that file) or ``bench/queries_zh.yaml``
(issue 7's set, ``--queries``). Graded relevance 1-3 per demo entry, plus rules that grade any
entry (title/department/region/... patterns), so the ideal ranking is known for every query.
recall@10 = relevant entries (grade >= 1) in the first 10 / min(10, relevant entries);
nDCG@10 uses gains 2^grade - 1. Tune only with ``--split dev``; score ``heldout`` at the end.

Latency: every query of the set is sent to ``today`` and ``platform`` in turn, ``--repeat``
times (default 3), in this one process; the ratio of the median per-query times is printed.

It WIPES the database and the Solr cores it uses (defaults: database govshare_bench_search,
cores ckan_sq_ckan, ckan_sq_today, ckan_sq_govshare and ckan_sq_govshare_<alternative>, Redis
database 8; it refuses a database whose name lacks ``bench``). It starts what it needs with the
stack's own shell functions (PostgreSQL, Redis, Solr must be installed: run ./stack.sh test
once). Run from the repository root::

    .stack/venv/bin/python bench/search_quality.py                 # ~10 min: load, index 3x, query
    .stack/venv/bin/python bench/search_quality.py --reuse         # same data: re-index and query
    .stack/venv/bin/python bench/search_quality.py --reuse --no-index --split dev --misses

Printed: markdown tables (category, queries, recall@10 and nDCG@10 of each run) for each half,
the queries that return nothing, the latency ratio, and with ``--misses`` the queries where the
platform falls below nDCG 0.9 with the first results.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import OrderedDict
from typing import Any

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RECORDS = os.path.join(os.environ.get("GOVSHARE_SHARED") or os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "..", "shared"), "data", "real-catalogue", "records.jsonl")
QUERIES = os.path.join(ROOT, "bench", "queries_citizens.yaml")
TODAY_COMMIT = "5115413"  # the last commit before issue 15: "today's" schema and query
OUR_SCHEMA = os.path.join(ROOT, "stack", "solr", "schema", "govshare-schema.xml")
REAL_CODE_START = 100001  # resource codes /100001 ... never collide with the demo's /000001 ...

# CKAN 2.11's own package_search parameters (ckan/lib/search/query.py); CKAN also sends
# q.op=AND and df=text, and allows no other parser parameters (no pf, ps, qs).
CKAN_PARAMS = {"defType": "dismax", "qf": "name^4 title^4 tags^2 groups^2 text",
               "mm": "2<-1 5<80%", "tie": "0.1"}

# The query parameters for the govshare schema, to be set by the plugin (before_dataset_search):
# edismax, so that (with the q.op=AND CKAN always sends) every query word must match, in
#   title_exact         the whole query is an entry's title (folded)
#   resource_code_text  the whole query is an entry's resource code (folded)
#   name                the entry's URL name
#   title               the query is a substring of the title (CJK bigram phrase, with synonyms)
#   text                ... of any text of the entry
#   text_words          all its words anywhere, in any order (smartcn words, with synonyms)
TODAY_QF = "title_exact^30 resource_code_text^30 name^10 title^4 text^2 text_words"
TODAY_PARAMS = dict(CKAN_PARAMS, defType="edismax", qf=TODAY_QF)
GOVSHARE_QF = TODAY_QF  # the alternatives below vary the schema of issue 7
GOVSHARE_PARAMS = TODAY_PARAMS
PLATFORM_PARAMS: dict[str, str] = {}  # the plugin's before_dataset_search decides

# Schema alternatives (--alternatives): our schema changed by (pattern, replacement) pairs and
# conf files replaced, each in its own core "<ours>_<key>".
_MAPPING = '<charFilter class="solr.MappingCharFilterFactory" mapping="traditional_simplified_zh.txt"/>'
SCHEMA_ALTERNATIVES: dict[str, dict[str, Any]] = {
    "bigram": {"schema": [(r'type="text_zh"', 'type="text_zh_bigram"')]},
    "nosyn": {"files": {"synonyms_zh.txt": "# no synonyms\n"}},
    "icut": {"schema": [(re.escape(_MAPPING) + r"(\s*<tokenizer [^>]*>)",
                         r'\1<filter class="solr.ICUTransformFilterFactory" id="Traditional-Simplified"/>')]},
    "not2s": {"schema": [(re.escape(_MAPPING), "")]},
}

# (label, core: "ckan", "ours" or an alternative's key, params)
MAIN_RUNS = [
    ("CKAN default", "ckan", CKAN_PARAMS),
    ("today", "today", TODAY_PARAMS),
    ("platform", "ours", PLATFORM_PARAMS),
]
ALTERNATIVE_RUNS = [
    ("our schema, CKAN's own query parameters", "ours", CKAN_PARAMS),
    ("CJK bigram words instead of smartcn words", "bigram", GOVSHARE_PARAMS),
    ("smartcn words + exact/code only", "ours",
     dict(GOVSHARE_PARAMS, qf="title_exact^30 resource_code_text^30 name^10 text_words")),
    ("bigram phrases + exact/code only", "ours",
     dict(GOVSHARE_PARAMS, qf="title_exact^30 resource_code_text^30 name^10 title^4 text^2")),
    ("dismax instead of edismax (any word of a query word matches)", "ours",
     dict(GOVSHARE_PARAMS, defType="dismax")),
    ("without synonyms", "nosyn", GOVSHARE_PARAMS),
    ("ICU transform filter instead of the character mapping", "icut", GOVSHARE_PARAMS),
    ("no traditional->simplified folding", "not2s", GOVSHARE_PARAMS),
    ("chosen (issue 7)", "ours", GOVSHARE_PARAMS),
]


# ───────────────────────────── metrics ─────────────────────────────

def dcg(gains: list[int]) -> float:
    return sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(gains))


def ndcg_at(ranked: list[str], grades: dict[str, int], k: int = 10) -> float:
    ideal = dcg(sorted(grades.values(), reverse=True)[:k])
    return dcg([grades.get(n, 0) for n in ranked[:k]]) / ideal if ideal else 0.0


def recall_at(ranked: list[str], grades: dict[str, int], k: int = 10) -> float:
    relevant = {n for n, g in grades.items() if g > 0}
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranked[:k])) / min(k, len(relevant))


# ───────────────────────────── judgements ─────────────────────────────

RULE_FIELDS = ("title", "notes", "dept", "tags", "open_type", "theme", "code", "region")


def load_queries(path: str) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as f:
        data = yaml.safe_load(f)
    queries = data["queries"]
    for q in queries:
        q.setdefault("split", "all")
        q.setdefault("rel", {})
        q.setdefault("rules", [])
        for rule in q["rules"]:
            unknown = set(rule) - set(RULE_FIELDS) - {"grade"}
            if unknown or "grade" not in rule:
                raise SystemExit(f"{path}: query {q['q']!r}: bad rule {rule}")
    return queries


def grades_for(query: dict[str, Any], entries: dict[str, dict[str, str]]) -> dict[str, int]:
    """Grade of every entry for ``query``: explicit ``rel`` first, else the best rule."""
    grades: dict[str, int] = {}
    for name, entry in entries.items():
        best = 0
        for rule in query["rules"]:
            if all(re.search(rule[f], entry.get(f) or "") for f in RULE_FIELDS if f in rule):
                best = max(best, int(rule["grade"]))
        if best:
            grades[name] = best
    for name, grade in query["rel"].items():
        if name not in entries:
            raise SystemExit(f"query {query['q']!r} judges unknown entry {name!r}")
        grades[name] = int(grade)
    return {n: g for n, g in grades.items() if g > 0}


# ───────────────────────────── the stack ─────────────────────────────

def prepare(db: str, cores: dict[str, str]) -> None:
    """Start PostgreSQL, Redis and Solr with the stack's functions; create the database and
    the cores (each with its schema)."""
    script = r'''
set -euo pipefail
export ROOT="$1"; db="$2"; shift 2
for lib in common python postgres redis solr ckan; do source "$ROOT/stack/lib/$lib.sh"; done
postgres_start; postgres_database "$db"; redis_start; solr_start
while [ $# -gt 0 ]; do
  schema=$2; [ "$schema" = ckan ] && schema=$(CKAN_SCHEMA_XML)
  solr_core "$1" "$schema"; shift 2
done
'''
    args = [a for core, schema in cores.items() for a in (core, schema)]
    subprocess.run(["bash", "-c", script, "prepare", ROOT, db, *args], check=True,
                   stdout=sys.stderr)


def alternative_schema(key: str, schema: str) -> str:
    """Write our schema changed as SCHEMA_ALTERNATIVES[key] says, with the conf files next to
    it, into a temporary folder; returns the schema's path."""
    alt = SCHEMA_ALTERNATIVES[key]
    folder = tempfile.mkdtemp(prefix=f"govshare-sq-{key}-")
    src = os.path.dirname(schema)
    for name in os.listdir(src):
        if name.endswith(".txt"):
            text = alt.get("files", {}).get(name)
            if text is None:
                with open(os.path.join(src, name), encoding="utf-8") as f:
                    text = f.read()
            with open(os.path.join(folder, name), "w", encoding="utf-8") as f:
                f.write(text)
    with open(schema, encoding="utf-8") as f:
        xml = f.read()
    for pattern, replacement in alt.get("schema", []):
        xml, n = re.subn(pattern, replacement, xml)
        if not n:
            raise SystemExit(f"alternative {key}: {pattern!r} not found in {schema}")
    path = os.path.join(folder, "schema.xml")
    with open(path, "w", encoding="utf-8") as f:
        f.write(xml)
    return path


def solr_url(core: str) -> str:
    return f"http://127.0.0.1:{os.environ.get('GOVSHARE_SOLR_PORT', '8983')}/solr/{core}"


def real_rows(path: str, n: int, seed: int) -> list[dict[str, str]]:
    """The real records as catalogue rows: all of them (``n`` < 0), or a fixed random sample."""
    sys.path.insert(0, os.path.join(ROOT, "bench"))
    import import_bench  # the record -> govshare entry mapping of the import benchmark

    from ckanext.govshare import vocab

    with open(path, encoding="utf-8") as f:
        records = [json.loads(line) for line in f if line.strip()]
    rnd = random.Random(seed)
    if 0 <= n < len(records):
        records = [records[i] for i in sorted(rnd.sample(range(len(records)), n))]
    provinces = {t.zh: t.value for t in vocab.PROVINCES}
    rows = []
    for i, rec in enumerate(records, start=REAL_CODE_START):
        title = placed_department(rec)
        row = import_bench.entry_row(i, rec, rnd, vocab, {import_bench._text(rec.get("department"), 100)
                                                           or "未署名部门": title})
        code = provinces.get(rec.get("province") or "")
        if code:
            row["行政区划代码"] = f"{code}0000"
        rows.append(row)
    return rows


def placed_department(rec: dict[str, Any]) -> str:
    """The department's title with its place, as a platform holding several portals' catalogues
    names it: 市统计局 of the 苏州市 portal -> 苏州市统计局, 省教育厅 -> 浙江省教育厅."""
    title = re.sub(r"^【[^】]*】", "", str(rec.get("department") or "").strip())[:100] or "未署名部门"
    city, province = rec.get("city") or "", rec.get("province") or ""
    if title.startswith("市") and city.endswith("市"):
        return city + title[1:]
    if title.startswith("州") and city.endswith("州"):
        return city + title[1:]
    if title.startswith("省") and province.endswith("省"):
        return province + title[1:]
    if title.startswith("自治区") and province.endswith("自治区"):
        return province + title[3:]
    return title


def load_catalogue(args: argparse.Namespace) -> None:
    """Empty database, then the demo catalogue and the real sample, written and indexed by
    CKAN (into the first core)."""
    import ckan.plugins.toolkit as tk
    from ckan import model
    from ckan.cli.db import _run_migrations
    from ckan.lib import search
    from ckan.tests import helpers

    from ckanext.govshare.demo import loader as demo
    from ckanext.govshare.catalogue import columns as catalogue_columns
    from ckanext.govshare.catalogue import importer, spreadsheet
    from ckanext.govshare.catalogue.errors import CatalogueInvalid
    import ckanext.activity.model  # noqa: F401 (its table in the metadata, as in a web process)

    t0 = time.perf_counter()
    helpers.reset_db()
    for plugin in ("activity", "govshare"):
        _run_migrations(plugin, "head", True)
    search.clear_all()
    site = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    counts = demo.load(site)
    log(f"demo catalogue: {counts}")

    if args.real and os.path.exists(args.records):
        rows = real_rows(args.records, args.real, args.seed)
        existing = {g.title for g in model.Session.query(model.Group)}  # e.g. 市交通局: the demo's
        for k, title in enumerate(sorted({r["提供方"] for r in rows} - existing)):
            tk.get_action("organization_create")({"user": site}, {"name": f"dept-{k:04d}", "title": title})
        model.Session.remove()
        headers = list(dict.fromkeys(h for r in rows for h in r))
        cols = {c.header: c for c in catalogue_columns.columns()}
        path = os.path.join(tempfile.mkdtemp(prefix="govshare-sq-"), "catalogue.csv")
        spreadsheet.write_csv(path, [cols[h] for h in headers], [[r.get(h, "") for h in headers] for r in rows])
        try:
            result = importer.import_catalogue(path, user=site)
        except CatalogueInvalid as e:
            raise SystemExit(f"the real sample did not import: {e}: " + "; ".join(
                str(p) for p in e.errors[:10]))
        assert result.created == len(rows) and result.index_error is None, result
        log(f"real records: {result.created} entries imported from {args.records}")
    elif args.real:
        log(f"{args.records} not found: the benchmark runs on the demo catalogue only "
            f"(no real entries to compete in the ranking)")
    log(f"catalogue loaded in {time.perf_counter() - t0:.0f} s")


def index_into(core: str) -> None:
    from ckan.lib import search
    from ckan.lib.search.common import SolrSettings

    t0 = time.perf_counter()
    SolrSettings.init(solr_url(core))
    search.clear_all()
    search.rebuild(defer_commit=True, quiet=True)
    search.commit()
    log(f"indexed into {core} in {time.perf_counter() - t0:.0f} s")


def catalogue_entries() -> dict[str, dict[str, str]]:
    """name -> the fields the judgement rules look at, straight from the database."""
    from ckan import model

    entries: dict[str, dict[str, str]] = {}
    pkgs = model.Session.query(model.Package).filter(model.Package.state == "active",
                                                     model.Package.type == "dataset")
    orgs = {g.id: g.title for g in model.Session.query(model.Group).filter(model.Group.is_organization)}
    from ckanext.govshare.search import regions

    for pkg in pkgs:
        extras = pkg.extras
        dept = orgs.get(pkg.owner_org, "")
        entries[pkg.name] = {
            "region": " ".join(regions.regions([extras.get("region_code")], [dept])),
            "title": pkg.title or "", "notes": pkg.notes or "", "dept": dept,
            "tags": " ".join(t.name for t in pkg.get_tags()),
            "open_type": extras.get("open_type", ""), "theme": extras.get("theme", ""),
            "code": extras.get("resource_code", ""),
        }
    return entries


def run_queries(core: str, params: dict[str, str], queries: list[dict[str, Any]]) -> list[list[str]]:
    import ckan.plugins.toolkit as tk
    from ckan.lib.search.common import SolrSettings

    SolrSettings.init(solr_url(core))
    site = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    out = []
    for q in queries:
        data = dict(params, q=q["q"], rows=10, fl="name", include_private=True)
        t0 = time.perf_counter()
        result = tk.get_action("package_search")({"user": site, "ignore_auth": True}, data)
        ranking = Ranking([r["name"] for r in result["results"]], result["count"])
        ranking.seconds = time.perf_counter() - t0
        out.append(ranking)
    return out


def latency(cores: dict[str, str], queries: list[dict[str, Any]], repeat: int) -> tuple[float, float]:
    """Median time of one package_search (seconds) on today's search and on the platform's,
    each query sent to both in turn, ``repeat`` times."""
    times: dict[str, list[float]] = {"today": [], "platform": []}
    for _ in range(repeat):
        for q in queries:
            for label, key, params in MAIN_RUNS[1:]:
                times[label].append(run_queries(cores[key], params, [q])[0].seconds)
    return statistics.median(times["today"]), statistics.median(times["platform"])


class Ranking(list):
    """The first names found, and how many entries were found in all."""

    def __init__(self, names: list[str], count: int):
        super().__init__(names)
        self.count = count
        self.seconds = 0.0


# ───────────────────────────── report ─────────────────────────────

def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def report(queries: list[dict[str, Any]], grades: list[dict[str, int]],
           runs: "OrderedDict[str, list[list[str]]]") -> str:
    cats: "OrderedDict[str, list[int]]" = OrderedDict()
    for i, q in enumerate(queries):
        cats.setdefault(q["cat"], []).append(i)
    cats["all"] = list(range(len(queries)))
    names = list(runs)
    head = "| category | queries | " + " | ".join(f"{n} R@10 | {n} nDCG@10" for n in names) + " |"
    lines = [head, "|---|--:|" + "--:|" * (2 * len(names))]
    for cat, idx in cats.items():
        cells = []
        for n in names:
            r = sum(recall_at(runs[n][i], grades[i]) for i in idx) / len(idx)
            g = sum(ndcg_at(runs[n][i], grades[i]) for i in idx) / len(idx)
            cells += [f"{r:.3f}", f"{g:.3f}"]
        label = f"**{cat}**" if cat == "all" else cat
        lines.append(f"| {label} | {len(idx)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def alternatives_report(queries: list[dict[str, Any]], grades: list[dict[str, int]],
                        runs: "OrderedDict[str, list[list[str]]]") -> str:
    cats: "OrderedDict[str, list[int]]" = OrderedDict()
    for i, q in enumerate(queries):
        cats.setdefault(q["cat"], []).append(i)
    cats["all"] = list(range(len(queries)))
    lines = ["| variant | " + " | ".join(cats) + " | entries found (median) |",
             "|---|" + "---|" * (len(cats) + 1)]
    for label, run in runs.items():
        cells = [f"{sum(ndcg_at(run[i], grades[i]) for i in idx) / len(idx):.3f}" for idx in cats.values()]
        cells.append(f"{statistics.median(r.count for r in run):.0f}")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def today_schema() -> str:
    """The schema and the files next to it as they were at TODAY_COMMIT (git show, read-only)."""
    folder = tempfile.mkdtemp(prefix="govshare-sq-today-")
    base = "stack/solr/schema"
    names = subprocess.run(["git", "-C", ROOT, "ls-tree", "--name-only", f"{TODAY_COMMIT}:{base}"],
                           check=True, capture_output=True, text=True).stdout.split()
    for name in names:
        text = subprocess.run(["git", "-C", ROOT, "show", f"{TODAY_COMMIT}:{base}/{name}"],
                              check=True, capture_output=True, text=True).stdout
        with open(os.path.join(folder, "schema.xml" if name.endswith(".xml") else name), "w",
                  encoding="utf-8") as f:
            f.write(text)
    return os.path.join(folder, "schema.xml")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ckan-ini", default=os.path.join(ROOT, "test.ini"))
    parser.add_argument("--queries", default=QUERIES)
    parser.add_argument("--records", default=RECORDS)
    parser.add_argument("--real", type=int, default=-1,
                        help="real records to add: -1 all (default), 0 none, N a fixed sample")
    parser.add_argument("--seed", type=int, default=20261121)
    parser.add_argument("--db", default="govshare_bench_search")
    parser.add_argument("--redis-db", default="8")
    parser.add_argument("--core-ckan", default="ckan_sq_ckan")
    parser.add_argument("--core-today", default="ckan_sq_today")
    parser.add_argument("--core-ours", default="ckan_sq_govshare")
    parser.add_argument("--schema", default=OUR_SCHEMA, help="our schema.xml")
    parser.add_argument("--split", choices=["dev", "heldout", "both"], default="both",
                        help="which half of the judged set to score (tune on dev only)")
    parser.add_argument("--repeat", type=int, default=3, help="latency: rounds over the queries")
    parser.add_argument("--reuse", action="store_true", help="keep the database from the last run")
    parser.add_argument("--no-index", action="store_true", help="keep the indexes from the last run")
    parser.add_argument("--only-ours", action="store_true", help="re-index only the platform's core")
    parser.add_argument("--alternatives", action="store_true", help="also the measured alternatives")
    parser.add_argument("--misses", action="store_true", help="list the queries the platform gets wrong")
    parser.add_argument("--json", help="write per-query results to this file")
    args = parser.parse_args()

    if "bench" not in args.db:
        print("refusing to wipe a database whose name does not contain 'bench'", file=sys.stderr)
        return 2
    queries = load_queries(args.queries)
    if args.split != "both":
        queries = [q for q in queries if q["split"] in (args.split, "all")]
    runs_wanted = MAIN_RUNS + (ALTERNATIVE_RUNS if args.alternatives else [])
    cores = {"ckan": args.core_ckan, "today": args.core_today, "ours": args.core_ours}
    schemas = {args.core_ckan: "ckan", args.core_today: today_schema(), args.core_ours: args.schema}
    for _, key, _ in runs_wanted:
        if key not in cores:
            cores[key] = f"{args.core_ours}_{key}"
            schemas[cores[key]] = alternative_schema(key, args.schema)
    prepare(args.db, schemas)
    port = os.environ.get("GOVSHARE_PG_PORT", "54329")
    os.environ["CKAN_SQLALCHEMY_URL"] = f"postgresql://govshare:govshare@127.0.0.1:{port}/{args.db}"
    os.environ["CKAN_SOLR_URL"] = solr_url(args.core_ckan)
    os.environ["CKAN_REDIS_URL"] = (f"redis://127.0.0.1:{os.environ.get('GOVSHARE_REDIS_PORT', '63799')}"
                                    f"/{args.redis_db}")

    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(args.ckan_ini))
    with app._wsgi_app.test_request_context():
        from ckanext.govshare.demo import loader as demo

        if not args.reuse:
            load_catalogue(args)
        if not args.no_index:
            for core in ([args.core_ours] if args.only_ours else schemas):
                index_into(core)
        entries = catalogue_entries()
        grades = [grades_for(q, entries) for q in queries]
        unjudged = [q["q"] for q, g in zip(queries, grades) if not g]
        if unjudged:  # e.g. 公积金 without the real records: nothing to find, nothing to score
            log(f"skipped, no relevant entry in this catalogue: {', '.join(unjudged)}")
            kept = [i for i, g in enumerate(grades) if g]
            queries, grades = [queries[i] for i in kept], [grades[i] for i in kept]
        runs: "OrderedDict[str, list[list[str]]]" = OrderedDict()
        t0 = time.perf_counter()
        for label, key, params in runs_wanted:
            runs[label] = run_queries(cores[key], params, queries)
        elapsed = time.perf_counter() - t0
        t_today, t_platform = latency(cores, queries, args.repeat) if args.repeat else (0.0, 0.0)
        demo_names = {d["name"] for d in demo.read()["datasets"]}

    real = len(set(entries) - demo_names)
    print(f"{len(queries)} judged queries ({os.path.relpath(args.queries, ROOT)}) over {len(entries)} entries "
          f"({len(entries) - real} demo, {real} real); "
          f"{sum(len(r) for r in runs.values())} package_search calls in {elapsed:.1f} s\n")
    main_runs = OrderedDict((label, runs[label]) for label, _, _ in MAIN_RUNS)
    for half in ("dev", "heldout", "all"):
        idx = [i for i, q in enumerate(queries) if half == "all" or q["split"] == half]
        if not idx or (half == "all" and len(idx) == len(
                [i for i, q in enumerate(queries) if q["split"] in ("dev", "heldout")]) == 0):
            continue
        title = {"dev": "development half", "heldout": "held-out half", "all": "whole set"}[half]
        print(f"### {title} ({len(idx)} queries)\n")
        print(report([queries[i] for i in idx], [grades[i] for i in idx],
                     OrderedDict((k, [v[i] for i in idx]) for k, v in main_runs.items())))
        print()
    print("entries found per query (median): " + ", ".join(
        f"{label} {statistics.median(r.count for r in runs[label]):.0f}" for label, _, _ in MAIN_RUNS))
    for label, _, _ in MAIN_RUNS:
        empty = [q["q"] for q, r in zip(queries, runs[label]) if r.count == 0]
        print(f"queries returning nothing, {label}: {len(empty)}" + (f" ({', '.join(empty)})" if empty else ""))
    if args.repeat:
        print(f"\nlatency (median package_search, {args.repeat} rounds, interleaved): today "
              f"{t_today * 1000:.1f} ms, platform {t_platform * 1000:.1f} ms, ratio "
              f"{t_platform / t_today:.2f}x")
    if args.alternatives:
        print("\nAlternatives measured (nDCG@10; same data, same queries):\n")
        print(alternatives_report(queries, grades, OrderedDict(
            (label, runs[label]) for label, _, _ in ALTERNATIVE_RUNS)))

    if args.misses:
        print("\nqueries where the platform's nDCG@10 < 0.9:")
        for i, q in enumerate(queries):
            score = ndcg_at(runs["platform"][i], grades[i])
            if score < 0.9:
                top = ", ".join(f"{entries[n]['title'][:18]}({grades[i].get(n, 0)})" for n in runs["platform"][i][:5])
                want = ", ".join(f"{entries[n]['title'][:18]}({g})" for n, g in sorted(grades[i].items(), key=lambda x: -x[1])[:4])
                print(f"- [{q['split']}/{q['cat']}] {q['q']}: nDCG {score:.2f} (found {runs['platform'][i].count}), "
                      f"today {ndcg_at(runs['today'][i], grades[i]):.2f}; top: {top}; want ({len(grades[i])}): {want}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump([{"q": q["q"], "cat": q["cat"], "split": q["split"], "grades": grades[i],
                        "results": {k: v[i] for k, v in runs.items()}}
                       for i, q in enumerate(queries)], f, ensure_ascii=False, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
