# -*- coding: utf-8 -*-
"""Catalogue import benchmark: the spreadsheet importer against a plain loop of
``package_create`` calls on the same entries, each on a freshly cleaned database and index.

The entries are built from the real catalogue records in
``../shared/data/real-catalogue/records.jsonl`` (titles, descriptions, departments, themes,
open types, update cycles, formats, data items, tags of 2,999 published entries; cycled when
N is larger, none skipped) and mapped onto the govshare schema so that every entry is valid.
Without the records file, entries are generated.

It WIPES the database and the Solr core it is pointed at, so it refuses to run unless the
database name contains ``bench`` (or ``--force``). Prepare a bench database and core once
(the stack creates and migrates them), then run::

    GOVSHARE_TEST_DB=govshare_bench GOVSHARE_TEST_CORE=ckan_bench GOVSHARE_TEST_REDIS_DB=4 \\
        ./stack.sh test tests/test_vocab.py -q
    CKAN_SQLALCHEMY_URL=postgresql://govshare:govshare@127.0.0.1:54329/govshare_bench \\
    CKAN_SOLR_URL=http://127.0.0.1:8983/solr/ckan_bench \\
    CKAN_REDIS_URL=redis://127.0.0.1:63799/4 \\
        .stack/venv/bin/python bench/import_bench.py --ckan-ini test.ini --n 5000

Printed: the time of (a) the importer (read the file, validate every row, write in one
transaction, index after commit), (b) the ``package_create`` loop (validation, write, commit
and index per entry), their ratio, and (c) a re-import of the same file (all unchanged).
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import re
import resource
import sys
import tempfile
import time
from typing import Any

RECORDS = os.path.join(os.environ.get("GOVSHARE_SHARED") or os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "..", "shared"), "data", "real-catalogue", "records.jsonl")

THEME_WORDS = [
    ("交通", "transport"), ("教育", "education"), ("文化", "culture"), ("科技", "education"),
    ("医疗", "health"), ("卫生", "health"), ("健康", "health"), ("社保", "social_security"),
    ("就业", "social_security"), ("人力", "social_security"), ("住房", "housing"),
    ("城建", "housing"), ("建设", "housing"), ("环境", "environment"), ("生态", "environment"),
    ("资源", "environment"), ("安全", "public_safety"), ("公安", "public_safety"),
    ("农", "agriculture"), ("信用", "credit"), ("财", "finance"), ("税", "finance"),
    ("金融", "finance"), ("经济", "economy"), ("市场", "economy"), ("工业", "economy"),
    ("企业", "economy"), ("地理", "geography"), ("空间", "geography"), ("能源", "energy"),
    ("机构", "government"), ("团体", "government"), ("政务", "government"),
]
OPEN_WORDS = {
    "unconditional": ("无条件开放", "完全开放", "无条件", "普遍开放"),
    "conditional": ("有条件开放", "依申请开放", "登录开放", "申请开放", "有条件", "安全开放", "需申请"),
}
CYCLE_WORDS = {"每天": "daily", "每日": "daily", "静态数据": "irregular", "其他": "irregular",
               "每两年": "irregular", "每五年": "irregular"}
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff]")
TAG_RE = re.compile(r"^[\w\-. ]{2,100}$")


def _text(value: Any, limit: int = 2000) -> str:
    return CONTROL_RE.sub("", str(value or "")).strip()[:limit]


def load_records(path: str) -> list[dict[str, Any]]:
    if not os.path.exists(path):
        print(f"{path} not found: generating entries instead", file=sys.stderr)
        return [{"title": f"示例数据集{i}", "description": f"第{i}个示例数据集的说明。",
                 "department": f"示例部门{i % 40}", "theme": None, "open_type": None,
                 "update_frequency": "每月", "formats": ["csv"], "data_items": ["名称", "代码"],
                 "tags": ["示例"], "published": "2023-01-01"} for i in range(1000)]
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def entry_row(i: int, rec: dict[str, Any], rnd: random.Random, vocab: Any,
              departments: dict[str, str]) -> dict[str, str]:
    """One valid spreadsheet row (Chinese headers) from a real catalogue record."""
    theme_term = vocab.THEMES.lookup(rec.get("theme") or "")
    theme = theme_term.value if theme_term else next(
        (v for w, v in THEME_WORDS if w in (rec.get("theme") or "") + (rec.get("title") or "")),
        "livelihood")
    raw_open = rec.get("open_type") or ""
    open_type = next((k for k, words in OPEN_WORDS.items() if raw_open in words), None)
    if open_type is None:
        open_type = "closed" if i % 7 == 0 else "unconditional"
    if open_type == "unconditional":
        share = "unconditional"
    elif open_type == "conditional":
        share = rnd.choice(["conditional", "unconditional"])
    else:
        share = rnd.choice(["none", "conditional", "unconditional"])
    category = rnd.choices(["theme", "department", "base"], weights=[70, 25, 5])[0]
    if category == "base" and share != "unconditional":
        category = "theme"
    digit = {"base": "1", "theme": "2", "department": "3"}[category]
    theme_no = [t.value for t in vocab.THEMES].index(theme) + 1
    code = f"{digit}{theme_no:02d}{(i % 997) + 1:03d}/{i:06d}"

    cycle_text = rec.get("update_frequency") or ""
    cycle_term = vocab.UPDATE_CYCLES.lookup(cycle_text)
    cycle = cycle_term.value if cycle_term else CYCLE_WORDS.get(cycle_text, "irregular")

    formats = [str(f).lower() for f in rec.get("formats") or []]
    if "api" in formats:
        fmt, subtype, file_fmt, method = "service_api", "REST", "API", "api"
    elif any("数据库" in f for f in formats):
        fmt, subtype, file_fmt, method = "database", "MySQL", "SQL", "offline"
    elif any(f in ("xls", "xlsx", "csv") for f in formats):
        first = next(f for f in formats if f in ("xls", "xlsx", "csv"))
        fmt, subtype, file_fmt, method = "spreadsheet", first.upper(), first.upper(), "download"
    elif any(f in ("json", "xml", "rdf") for f in formats):
        first = next(f for f in formats if f in ("json", "xml", "rdf"))
        fmt, subtype, file_fmt, method = "self_describing", first.upper(), first.upper(), "download"
    else:
        fmt, subtype, file_fmt, method = "electronic_file", "PDF", "PDF", "download"

    items = []
    for name in (rec.get("data_items") or [])[:40]:
        name = re.sub(r"[|｜;；\n]", " ", _text(name, 100)).strip()
        if name:
            items.append(f"{name}|{rnd.choice(['字符型', '数值型', '日期型'])}|{rnd.choice([20, 50, 200])}")
    tags = [t for t in (_text(t, 100) for t in rec.get("tags") or []) if TAG_RE.match(t)][:5]
    published = str(rec.get("published") or "")[:10]
    try:
        if datetime.date.fromisoformat(published) > datetime.date.today():
            published = ""
    except ValueError:
        published = ""

    title = _text(rec.get("title"), 300) or f"数据集{i}"
    row = {
        "信息资源名称": title,
        "信息资源代码": code,
        "信息资源分类": vocab.RESOURCE_CATEGORIES.get(category).zh,
        "提供方": departments[_text(rec.get("department"), 100) or "未署名部门"],
        "摘要": _text(rec.get("description")) or title,
        "信息资源格式": vocab.RESOURCE_FORMATS.get(fmt).zh,
        "格式子类": subtype,
        "信息项": "; ".join(items),
        "共享类型": vocab.SHARE_TYPES.get(share).zh,
        "共享方式": "接口交换" if method == "api" else "文件下载、在线浏览",
        "开放类型": vocab.OPEN_TYPES.get(open_type).zh,
        "更新周期": vocab.UPDATE_CYCLES.get(cycle).zh,
        "发布日期": published,
        "主题": vocab.THEMES.get(theme).zh,
        "关键词": ", ".join(tags),
        "资源名称": f"{title[:60]}（{file_fmt}）",
        "资源地址": f"https://data.example.gov.cn/files/{i:06d}.{file_fmt.lower()}",
        "资源格式": file_fmt,
        "获取方式": vocab.SHARE_METHODS.get(method).zh,
    }
    if share == "conditional":
        row["共享条件"] = "仅向履行相关职责的部门共享，用于业务协同。"
    if share in ("conditional", "none"):
        row["共享依据"] = "《重庆市政务信息资源共享开放管理办法》第十七条"
    if open_type == "conditional":
        row["开放条件"] = _text(rec.get("open_condition")) or "须实名认证并签署数据使用协议。"
    if open_type in ("conditional", "closed"):
        row["开放依据"] = "《重庆市政务数据资源管理暂行办法》第三十一条"
    if method == "api":
        row["接口说明"] = "参数：page、size；返回：数据记录列表；每分钟限 60 次。"
        row["调用方式"] = f"GET https://api.example.gov.cn/data/{i:06d}?page=1&size=100"
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ckan-ini", default="test.ini")
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--records", default=RECORDS)
    parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
    parser.add_argument("--seed", type=int, default=20240301)
    parser.add_argument("--skip-loop", action="store_true",
                        help="do not time the package_create loop (b): it takes longest")
    parser.add_argument("--force", action="store_true",
                        help="run even if the database name does not contain 'bench'")
    args = parser.parse_args()

    db_url = os.environ.get("CKAN_SQLALCHEMY_URL", "")
    if "bench" not in db_url.rsplit("/", 1)[-1] and not args.force:
        print("refusing to wipe a database whose name does not contain 'bench': set "
              "CKAN_SQLALCHEMY_URL (and CKAN_SOLR_URL, CKAN_REDIS_URL) to a bench database, "
              "or pass --force", file=sys.stderr)
        return 2

    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(args.ckan_ini))
    with app._wsgi_app.test_request_context():
        return run(args)


def run(args: argparse.Namespace) -> int:
    import ckan.plugins.toolkit as tk
    from ckan import model
    from ckan.cli.db import _run_migrations
    from ckan.lib import search
    from ckan.tests import helpers

    from ckanext.govshare import vocab
    from ckanext.govshare.catalogue import columns as catalogue_columns
    from ckanext.govshare.catalogue import importer, registry, spreadsheet

    def fresh() -> str:
        """Empty database (core tables + plugin migrations) and index; departments and a
        sysadmin created; returns the sysadmin's name."""
        helpers.reset_db()
        for plugin in ("activity", "govshare"):
            _run_migrations(plugin, "head", True)
        search.clear_all()
        site = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
        # the department registry (issue 16): one spreadsheet, upserted by provider code
        registry.import_departments(dept_path, user=site)
        model.Session.remove()
        return site

    rnd = random.Random(args.seed)
    records = load_records(args.records)
    chosen = [records[i % len(records)] for i in range(args.n)]
    names = sorted({_text(r.get("department"), 100) or "未署名部门" for r in chosen})
    departments = {title: f"D{k:05d}" for k, title in enumerate(names)}  # provider codes
    rows = [entry_row(i, rec, rnd, vocab, departments)
            for i, rec in enumerate(chosen, start=1)]
    headers = list(dict.fromkeys(h for r in rows for h in r))
    tmp = tempfile.mkdtemp(prefix="govshare-bench-")
    dept_path = os.path.join(tmp, "departments.csv")
    spreadsheet.write_csv(dept_path, registry.COLUMNS,
                          [[title, "", code, "", "", "", "", ""] for title, code in departments.items()])
    path = os.path.join(tmp, f"catalogue.{args.format}")
    cols = {c.header: c for c in catalogue_columns.columns()}
    cells = [[r.get(h, "") for h in headers] for r in rows]
    if args.format == "xlsx":
        spreadsheet.write_xlsx(path, [cols[h] for h in headers], cells, with_help=False)
    else:
        spreadsheet.write_csv(path, [cols[h] for h in headers], cells)
    print(f"{args.n} entries from {len(records)} records, {len(departments)} departments; "
          f"file {path} ({os.path.getsize(path) // 1024} KiB)", file=sys.stderr)

    def progress(stage: str, done: int, total: int) -> None:
        if done == total or done % 1000 == 0:
            print(f"  {stage}: {done}/{total}", file=sys.stderr)

    # (a) the importer
    user = fresh()
    start = time.perf_counter()
    result = importer.import_catalogue(path, user=user, progress=progress)
    t_import = time.perf_counter() - start
    assert result.created == args.n and result.index_error is None, result
    print(f"(a) catalogue import:        {t_import:8.1f} s", file=sys.stderr)

    # (c) the same file again: all unchanged
    start = time.perf_counter()
    again = importer.import_catalogue(path, user=user)
    t_reimport = time.perf_counter() - start
    assert again.unchanged == args.n, again
    indexed = tk.get_action("package_search")({"ignore_auth": True},
                                              {"rows": 0, "include_private": True})["count"]
    assert indexed == args.n, indexed
    print(f"(c) re-import, all unchanged: {t_reimport:7.1f} s", file=sys.stderr)

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    if args.skip_loop:
        print(f"entries: {args.n} ({args.format})")
        print(f"(a) catalogue import:        {t_import:8.1f} s  ({args.n / t_import:6.1f} entries/s)")
        print(f"(c) re-import, all unchanged: {t_reimport:7.1f} s  ({args.n / t_reimport:6.1f} entries/s)")
        print(f"peak RSS: {rss} MiB")
        return 0

    # (b) plain package_create loop on the same data dicts (parsed outside the timing)
    user = fresh()
    table = spreadsheet.read_table(path)
    parsed, problems = importer._parse_rows(table, list(cols.values()))
    assert not problems and not any(r.errors for r in parsed)
    dicts = [importer._new(r) for r in parsed]
    create = tk.get_action("package_create")
    start = time.perf_counter()
    for k, data in enumerate(dicts, start=1):
        create({"user": user}, data)
        if k % 1000 == 0:
            print(f"  package_create: {k}/{len(dicts)}", file=sys.stderr)
    t_loop = time.perf_counter() - start

    print(f"entries: {args.n} ({args.format})")
    print(f"(a) catalogue import:        {t_import:8.1f} s  ({args.n / t_import:6.1f} entries/s)")
    print(f"(b) package_create loop:     {t_loop:8.1f} s  ({args.n / t_loop:6.1f} entries/s)")
    print(f"ratio (b)/(a):               {t_loop / t_import:8.2f}")
    print(f"(c) re-import, all unchanged: {t_reimport:7.1f} s  ({args.n / t_reimport:6.1f} entries/s)")
    print(f"peak RSS: {rss} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
