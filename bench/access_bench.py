# -*- coding: utf-8 -*-
"""Access-layer benchmark: ``package_search`` and ``package_show`` with govshare against the
same CKAN without govshare, on the same database and the same Solr core.

Two configurations, each in its own long-lived worker process with its own ini (written to a
temporary directory from ``test.ini``):

  A  the plugins of ``test.ini`` without govshare (``scheming_datasets scheming_organizations
     dcat activity datastore``) with a bench-only copy of the
     dataset and organization schemas in which govshare's presets, validators, choices helper
     and after-validator are replaced by plain scheming ones (generated at run time from
     ``schemas/*.yaml``; the vocabularies become static ``choices``);
  B  the plugins of ``test.ini`` (``govshare`` first; the platform).

Both point at one database and one Solr core holding the same N catalogue entries, loaded and
indexed by B (the index is the platform's: entries that are 不予开放 carry department labels,
data locations of non-public entries are not in the searchable fields). So both
configurations answer from the same documents; what differs is the code on the query path:
govshare's chained ``package_search`` / ``package_show`` actions and auth function, its
permission labels, its ``after_dataset_search`` facet labels.

Actions are called in-process (``toolkit.get_action``), one fresh Flask test request context
per call with the user logged in (flask-login) and the context the API view builds
(``user`` = ``current_user.name``, ``auth_user_obj`` = ``current_user``); the SQLAlchemy
session is removed after every call as CKAN does after every request. Only the action call is
timed: no HTTP, no JSON encoding of the response, no WSGI middleware, so the ratio is the
overhead on the action itself (over HTTP the same absolute overhead is a smaller share).

Scenarios (same parameters, same order, for A and B; A and B interleaved in chunks of a
twentieth of a scenario's calls, the order alternating ABBA; a first warm-up round is
discarded):

  search_anon     anonymous, q=*:*, rows=20, facets open_type/share_type/organization,
                  pages 1..10 (start 0, 20, … 180)
  search_member   the same as a department member (editor of one department)
  search_text     anonymous, q=公交, rows=20, the same facets, its first pages (up to 10)
  search_text2    the same with q=交通 (CKAN's Solr schema indexes Chinese text as whitespace
                  tokens: q=公交 finds only entries with that exact word, e.g. a tag)
  search_text_same_query
                  q=公交 with defType=edismax and govshare's query fields given by the caller:
                  A and B send Solr the same query (in search_text B ranks with edismax over
                  the Chinese-aware fields and A with CKAN's dismax; that is issue 7's
                  relevance, not the access layer)
  show_anon       anonymous package_show (use_cache default) of 200 random entries visible to
                  the public
  show_member     department member package_show of 200 random entries visible to them
  api_*           search_anon, search_member, show_anon and show_member (100 entries each)
                  as GETs of the action API through the whole web stack, in-process (Flask
                  test client): CKAN's middleware, identification (API token for the member),
                  the API view and JSON encoding are timed too — what an API client waits for,
                  less the network

Reported per scenario: median per-call time in A and B and their ratio B/A with a 95%
bootstrap interval (rounds resampled, A and B of a round kept paired); the median and
the range of the per-round ratios (sum of B's calls / sum of A's calls in the same round);
the ratio of per-call minima (each call's fastest time over all rounds, summed: what a call
costs when nothing else on the machine gets in the way); the median CPU time of the worker's
thread per call (its Python work, without the waits for Solr and PostgreSQL) and its ratio;
SQL statements per call in A and B. ``--profile`` then runs every scenario under cProfile in
both workers and prints, per scenario, where B spends the time A does not.

Data: N entries (default 20,000) in 50 departments (the departments with most records), every
allowed open × share combination (40% 无条件开放/无条件共享, 20% 有条件开放/无条件共享, 12%
有条件/有条件, 10% 不予开放/无条件共享, 10% 不予开放/有条件共享, 8% 不予开放/不予共享),
1–2 resources each (~40% add an interface resource). The first ``--templates`` entries
(default 3,000) are made through ``package_create`` (configuration B: every govshare rule
applies) from the real catalogue records (``../shared/data/real-catalogue/records.jsonl``:
titles, descriptions, departments, themes, update cycles, formats, data items, tags; generated
without the file), by ``--loaders`` processes (one transaction per entry: with ``defer_commit``
batches the loaders deadlock on govshare's advisory locks on resource codes). The rest are
copies of them made in SQL (package, extras, resources, tags and department membership rows, with
a new id, name, resource code and data URLs; no activity rows — neither action reads them): entry
i copies entry ((i−1) mod templates)+1, which is what cycling the records gives. Then every entry
is indexed as ``ckan search-index rebuild`` does (package_show with validate=False,
use_cache=False, B's index hooks), one Solr commit at the end, and a few grants are made (20
share grants for the member's department, 20 open grants for a citizen). ``--reuse`` keeps a
loaded database that holds N entries (and indexes it again when the index does not).

It WIPES the database and Solr core it is pointed at (unless ``--reuse`` finds N entries), so
it refuses a database whose name does not contain ``bench``. Run it through
``bench/run_access_bench.sh`` (creates database ``govshare_bench_access``, core
``ckan_bench_access``, uses Redis db 8) — see bench/README.md.
"""
from __future__ import annotations

import argparse
import cProfile
import datetime
import json
import os
import pstats
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
RECORDS = os.path.join(os.environ.get("GOVSHARE_SHARED") or os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "..", "shared"), "data", "real-catalogue", "records.jsonl")
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff]")
TAG_RE = re.compile(r"^[\w\-. ]{2,100}$")
N_DEPARTMENTS = 50
MEMBER = "bench-member"       # editor of department dept-000
CITIZEN = "bench-citizen"     # registered, no department, holds open grants
FACETS = ["open_type", "share_type", "organization"]

# Valid extras of every allowed (open, share) combination (as tests/factories.py
# LEVEL_EXTRAS), with the share of the catalogue each gets.
LEVELS: list[tuple[tuple[str, str], float, dict[str, str]]] = [
    (("unconditional", "unconditional"), 0.40, {}),
    (("conditional", "unconditional"), 0.20, {
        "open_condition": "须实名认证并签署数据使用协议", "open_basis": "《重庆市政务数据资源管理暂行办法》第三十一条"}),
    (("conditional", "conditional"), 0.12, {
        "open_condition": "仅限科研用途", "open_basis": "《重庆市政务数据资源管理暂行办法》第三十一条",
        "share_condition": "仅向行业主管部门共享", "share_basis": "《重庆市政务信息资源共享开放管理办法》第十七条"}),
    (("closed", "unconditional"), 0.10, {"open_basis": "《中华人民共和国个人信息保护法》第二十八条"}),
    (("closed", "conditional"), 0.10, {
        "open_basis": "涉及个人隐私", "share_condition": "仅用于监管",
        "share_basis": "《重庆市政务信息资源共享开放管理办法》第十七条"}),
    (("closed", "none"), 0.08, {"open_basis": "涉及国家秘密", "share_basis": "《中华人民共和国保守国家秘密法》第九条"}),
]


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --- configurations -------------------------------------------------------------------------

def _plain_field(field: dict[str, Any], vocab: Any) -> dict[str, Any]:
    """A schema field without anything govshare registers (presets, validators, helpers)."""
    f = dict(field)
    preset = f.get("preset")
    if preset in ("govshare_vocab_select", "govshare_vocab_multiple"):
        f.pop("preset")
        f.pop("choices_helper", None)
        f["choices"] = vocab.get(f.pop("govshare_vocabulary")).choices()
        if preset == "govshare_vocab_select":
            f.setdefault("form_snippet", "select.html")
            f.setdefault("display_snippet", "select.html")
            f.setdefault("validators", "scheming_required scheming_choices")
        else:
            f.setdefault("form_snippet", "multiple_checkbox.html")
            f.setdefault("display_snippet", "multiple_choice.html")
            f.setdefault("validators", "ignore_missing scheming_multiple_choice")
            f.setdefault("output_validators", "scheming_multiple_choice_output")
    elif preset == "govshare_date":
        f["preset"] = "date"
    for key in ("validators", "output_validators"):
        if isinstance(f.get(key), str):
            words = [w for w in f[key].split() if not w.startswith("govshare_")]
            f[key] = " ".join(words) or "ignore_missing"
    if "repeating_subfields" in f:
        f["repeating_subfields"] = [_plain_field(s, vocab) for s in f["repeating_subfields"]]
    return f


def plain_schema(path: str) -> dict[str, Any]:
    import yaml

    sys.path.insert(0, ROOT)
    from ckanext.govshare import vocab

    with open(path, encoding="utf-8") as fh:
        schema = yaml.safe_load(fh)
    schema.pop("after_validators", None)
    for key in ("dataset_fields", "resource_fields", "fields"):
        if key in schema:
            schema[key] = [_plain_field(f, vocab) for f in schema[key]]
    text = json.dumps(schema, ensure_ascii=False)
    assert "govshare_" not in text.replace("ckanext-govshare", ""), "a govshare name is left in the plain schema"
    return schema


def _set_keys(text: str, values: dict[str, str]) -> str:
    """Set ``key = value`` lines of the [app:main] section (add the missing ones)."""
    seen = set()
    out = []
    for line in text.splitlines():
        m = re.match(r"^([A-Za-z0-9_.]+)\s*=", line)
        if m and m.group(1) in values:
            line = f"{m.group(1)} = {values[m.group(1)]}"
            seen.add(m.group(1))
        out.append(line)
        if line.strip() == "[app:main]":
            marker = len(out)
    missing = [f"{k} = {v}" for k, v in values.items() if k not in seen]
    out[marker:marker] = missing
    return "\n".join(out) + "\n"


def write_configs(tmp: str, base_ini: str, urls: dict[str, str]) -> dict[str, str]:
    """The inis of A and B (temporary directory ``tmp``)."""
    import yaml

    schemas = {}
    for name in ("dataset", "organization"):
        path = os.path.join(tmp, f"plain_{name}.yaml")
        with open(path, "w", encoding="utf-8") as fh:
            yaml.safe_dump(plain_schema(os.path.join(ROOT, "schemas", f"{name}.yaml")), fh,
                           allow_unicode=True, sort_keys=False)
        schemas[name] = "file://" + path
    with open(base_ini, encoding="utf-8") as fh:
        text = fh.read().replace("%(here)s", os.path.dirname(os.path.abspath(base_ini)))
    # B: the platform's plugins as the base ini lists them; A: the same without govshare
    m = re.search(r"^ckan\.plugins\s*=\s*(.+)$", text, re.M)
    plugins_b = m.group(1).split() if m else ["govshare", "scheming_datasets", "scheming_organizations", "dcat", "activity"]
    plugins_a = [p for p in plugins_b if p != "govshare"]
    common = {
        "sqlalchemy.url": urls["db"], "solr_url": urls["solr"], "ckan.redis.url": urls["redis"],
        "ckan.datastore.write_url": urls["ds_write"], "ckan.datastore.read_url": urls["ds_read"],
        "ckan.site_id": "govshare_bench_access",
        "ckan.site_url": "http://bench.govshare.test",
        "ckan.storage_path": os.path.join(tmp, "storage"),
        "cache_dir": os.path.join(tmp, "cache"),
        "ckan.tracking_enabled": "false",
    }
    inis = {}
    for label, extra in {
        "A": {"ckan.plugins": " ".join(plugins_a),
              "scheming.dataset_schemas": schemas["dataset"],
              "scheming.organization_schemas": schemas["organization"],
              "scheming.presets": "ckanext.scheming:presets.json"},
        "B": {"ckan.plugins": " ".join(plugins_b)},
    }.items():
        path = os.path.join(tmp, f"bench_{label}.ini")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(_set_keys(text, {**common, **extra}))
        inis[label] = path
    inis["plugins_A"], inis["plugins_B"] = " ".join(plugins_a), " ".join(plugins_b)
    return inis


# --- data ------------------------------------------------------------------------------------

def _text(value: Any, limit: int = 2000) -> str:
    return CONTROL_RE.sub("", str(value or "")).strip()[:limit]


def load_records() -> list[dict[str, Any]]:
    if not os.path.exists(RECORDS):
        log(f"{RECORDS} not found: generating entries instead of real records")
        words = ["公交线路", "学校名录", "医疗机构", "企业信用", "空气质量", "道路运输", "社保缴纳", "住房公积金"]
        return [{"title": f"{words[i % len(words)]}信息{i}", "description": f"{words[i % len(words)]}的第{i}个数据集。",
                 "department": f"示例部门{i % N_DEPARTMENTS}", "theme": None, "update_frequency": "每月",
                 "formats": ["csv"], "data_items": ["名称", "代码", "日期"], "tags": ["示例"],
                 "published": "2023-01-01"} for i in range(3000)]
    with open(RECORDS, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def departments(records: list[dict[str, Any]]) -> list[str]:
    """The N_DEPARTMENTS departments with the most records (titles of dept-000, dept-001 …)."""
    counts: dict[str, int] = {}
    for rec in records:
        name = _text(rec.get("department"), 100) or "未署名部门"
        counts[name] = counts.get(name, 0) + 1
    titles = [t for t, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))][:N_DEPARTMENTS]
    while len(titles) < N_DEPARTMENTS:
        titles.append(f"示例部门{len(titles)}")
    return titles


def level_of(i: int) -> tuple[tuple[str, str], dict[str, str]]:
    """Deterministic mix of levels (a well-spread sequence over the weights)."""
    x = (i * 0.6180339887498949) % 1.0
    acc = 0.0
    for levels, weight, extras in LEVELS:
        acc += weight
        if x < acc:
            return levels, extras
    return LEVELS[0][0], LEVELS[0][2]


def entry_dict(i: int, rec: dict[str, Any], rnd: random.Random, org_id: str) -> dict[str, Any]:
    """A valid catalogue entry (package_create data dict) from a real record."""
    from ckanext.govshare import vocab

    (open_type, share_type), extras = level_of(i)
    theme = vocab.THEMES.lookup(rec.get("theme") or "")
    cycle = vocab.UPDATE_CYCLES.lookup(rec.get("update_frequency") or "")
    formats = [str(f).upper() for f in rec.get("formats") or ["CSV"]]
    fmt = next((f for f in formats if f in ("CSV", "XLS", "XLSX", "JSON", "XML", "RDF", "API")), "PDF")
    items = [{"item_name": name, "item_type": rnd.choice("CNDT"), "item_length": rnd.choice([20, 50, 200])}
             for name in (re.sub(r"[|｜;；\n]", " ", _text(n, 100)).strip()
                          for n in (rec.get("data_items") or [])[:30]) if name]
    title = _text(rec.get("title"), 300) or f"数据集{i}"
    resources = [{"name": f"{title[:60]}（{fmt if fmt != 'API' else 'CSV'}）",
                  "format": fmt if fmt != "API" else "CSV", "access_method": "download",
                  "url": f"https://data.example.gov.cn/files/{i:06d}.{'csv' if fmt == 'API' else fmt.lower()}"}]
    if fmt == "API" or i % 5 < 2:   # ~40% have a second resource: an interface
        resources.append({
            "name": f"{title[:60]}（接口）", "format": "API", "access_method": "api",
            "url": f"https://api.example.gov.cn/data/{i:06d}",
            "api_description": "参数：page、size；返回：数据记录列表。",
            "api_call": f"GET https://api.example.gov.cn/data/{i:06d}?page=1&size=100"})
    data: dict[str, Any] = {
        "name": f"entry-{i:06d}",
        "title": title,
        "owner_org": org_id,
        "resource_code": f"2{(i % 16) + 1:02d}001/{i:06d}",
        "resource_category": "theme",
        "notes": _text(rec.get("description")) or title,
        "resource_format": "spreadsheet" if fmt in ("CSV", "XLS", "XLSX", "API") else
        "self_describing" if fmt in ("JSON", "XML", "RDF") else "electronic_file",
        "data_items": items,
        "open_type": open_type,
        "share_type": share_type,
        "share_methods": ["download", "api"] if len(resources) > 1 else ["download"],
        "update_cycle": cycle.value if cycle else "irregular",
        "theme": theme.value if theme else rnd.choice(vocab.THEMES.values()),
        "tag_string": ",".join(t for t in (_text(t, 100) for t in rec.get("tags") or []) if TAG_RE.match(t)),
        "resources": resources,
        **extras,
    }
    published = str(rec.get("published") or "")[:10]
    if re.match(r"^\d{4}-\d\d-\d\d$", published) and published <= datetime.date.today().isoformat():
        data["release_date"] = published
    return data


def tk_not_found() -> Exception:
    import ckan.plugins.toolkit as tk

    return tk.ObjectNotFound()


# --- worker: CKAN loaded from one ini ----------------------------------------------------------

class Worker:
    def __init__(self, ini: str) -> None:
        from ckan.cli import load_config
        from ckan.config.middleware import make_app

        self.app = make_app(load_config(ini))
        self.flask_app = self.app._wsgi_app
        from ckan import model
        from sqlalchemy import event

        self.queries = 0
        self.capture: dict[str, int] | None = None
        self.last_cpu = 0.0
        self.client = self.flask_app.test_client()
        self.tokens: dict[str, str] = {}

        def count(conn: Any, cursor: Any, statement: str, *_a: Any, **_k: Any) -> None:
            self.queries += 1
            if self.capture is not None:
                # where govshare's code issued it (innermost govshare frame), else "CKAN"
                where = "CKAN and the other plugins"
                for fr in reversed(traceback.extract_stack(limit=60)):
                    if "ckanext/govshare/" in fr.filename:
                        where = f"{fr.filename.split('ckanext/govshare/')[-1]}:{fr.lineno} {fr.name}"
                        break
                stmt = " ".join(statement.split())
                key = f"{where} | {stmt[:110]}"
                self.capture[key] = self.capture.get(key, 0) + 1

        event.listen(model.meta.engine, "before_cursor_execute", count)

    def _token(self, user: str) -> str:
        """An API token of ``user`` (made once per worker)."""
        import ckan.plugins.toolkit as tk

        if user not in self.tokens:
            self.tokens[user] = tk.get_action("api_token_create")(
                {"user": user, "ignore_auth": True}, {"user": user, "name": "access-bench"})["token"]
        return self.tokens[user]

    def call_http(self, action: str, user: str | None, data_dict: dict[str, Any],
                  prof: cProfile.Profile | None = None) -> tuple[float, int, Any]:
        """One GET of the action API through the whole web stack (WSGI, CKAN's middleware,
        the user's identification by API token, the API view, JSON encoding), in-process."""
        from urllib.parse import urlencode

        from ckan import model

        headers = {"Authorization": self._token(user)} if user else {}
        params = {k: json.dumps(v) if isinstance(v, (list, dict)) else v for k, v in data_dict.items()}
        url = f"/api/3/action/{action}?{urlencode(params)}"
        response, dt, nq = self._timed(lambda: self.client.get(url, headers=headers), prof)
        model.Session.remove()
        body = response.get_json(silent=True) or {}
        result: Any = body.get("result") if body.get("success") else \
            (tk_not_found() if response.status_code == 404 else
             RuntimeError(f"HTTP {response.status_code}: {response.get_data(as_text=True)[:200]}"))
        return dt, nq, result

    # one API-like call
    def call(self, action: str, user: str | None, data_dict: dict[str, Any],
             prof: cProfile.Profile | None = None) -> tuple[float, int, Any]:
        import flask_login
        import ckan.plugins.toolkit as tk
        from ckan import model

        if action.startswith("http:"):
            return self.call_http(action[5:], user, data_dict, prof)

        with self.flask_app.test_request_context(f"/api/3/action/{action}"):
            if user:
                flask_login.login_user(model.User.get(user))
            current = tk.current_user
            context = {"model": model, "session": model.Session, "user": current.name,
                       "api_version": 3, "auth_user_obj": current}
            def act() -> Any:
                try:
                    return tk.get_action(action)(context, dict(data_dict))
                except (tk.ObjectNotFound, tk.NotAuthorized) as e:
                    return e

            result, dt, nq = self._timed(act, prof)
        model.Session.remove()
        return dt, nq, result

    def _timed(self, fn: Any, prof: cProfile.Profile | None) -> tuple[Any, float, int]:
        """``fn()``, its wall time and SQL statements; its CPU time goes to ``last_cpu``."""
        q0 = self.queries
        if prof:
            prof.enable()
        t0, c0 = time.perf_counter(), time.thread_time()
        result = fn()
        dt, self.last_cpu = time.perf_counter() - t0, time.thread_time() - c0
        if prof:
            prof.disable()
        return result, dt, self.queries - q0

    def run(self, scenario: dict[str, Any], profile: bool = False, sql: bool = False) -> dict[str, Any]:
        times, cpu, queries, summary = [], [], [], []
        prof = cProfile.Profile() if profile else None
        self.capture = {} if sql else None
        for action, user, dd in scenario["calls"]:
            dt, nq, result = self.call(action, user, dd, prof)
            times.append(dt)
            cpu.append(self.last_cpu)
            queries.append(nq)
            if isinstance(result, Exception):
                summary.append(type(result).__name__)
            elif action.endswith("package_search"):
                summary.append([result["count"], len(result["results"])])
            else:
                summary.append(len(result.get("resources") or []))
        out: dict[str, Any] = {"times": times, "cpu": cpu, "queries": queries, "summary": summary}
        if sql:
            out["sql"], self.capture = self.capture, None
        if prof:
            fd, path = tempfile.mkstemp(suffix=".pstats")
            os.close(fd)
            prof.dump_stats(path)
            out["pstats"] = path
        return out


def _site_user() -> str:
    import ckan.plugins.toolkit as tk

    return tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]


def loaded_count() -> int:
    from ckan import model

    return model.Session.query(model.Package).filter(
        model.Package.state == "active", model.Package.type == "dataset").count()


def prepare(n: int, reuse: bool) -> str:
    """Empty the database and index and create departments and users ("full"); with
    ``reuse``: "none" when the N entries, users and index are there, "index" when only the
    index is not (e.g. the core's schema changed)."""
    import ckan.plugins.toolkit as tk
    from ckan import model
    from ckan.lib import search

    db = model.meta.engine.url.database or ""
    if reuse:
        try:
            have = loaded_count()
            indexed = search.query_for(model.Package).run(
                {"q": "*:*", "rows": 0, "fq": "+dataset_type:dataset"}, permission_labels=None)["count"]
            users = model.Session.query(model.User).filter(model.User.name.in_([MEMBER, CITIZEN])).count()
        except Exception as e:  # no tables yet
            log(f"--reuse: cannot count entries ({type(e).__name__}): loading")
            model.Session.rollback()
        else:
            if have == n and indexed == n and users == 2:
                log(f"--reuse: {have} entries in {db}, {indexed} in the index: not loading")
                return "none"
            if have == n and users == 2:
                log(f"--reuse: {have} entries in {db}, {indexed} in the index: indexing again")
                search.clear_all()
                return "index"
            log(f"--reuse: {have} entries in {db}, {indexed} indexed, want {n}: reloading")
    if "bench" not in db:
        raise SystemExit(f"refusing to wipe database {db!r}: its name does not contain 'bench'")
    from ckan.cli.db import _run_migrations
    from ckan.tests import helpers

    log(f"wiping database {db} and the Solr core")
    helpers.reset_db()
    for plugin in ("activity", "govshare"):
        _run_migrations(plugin, "head", True)
    search.clear_all()
    site = _site_user()
    records = load_records()
    for k, title in enumerate(departments(records)):
        tk.get_action("organization_create")({"user": site}, {
            "name": f"dept-{k:03d}", "title": title, "provider_code": f"11500000MB{k:08d}"})
    for name in (MEMBER, CITIZEN):
        tk.get_action("user_create")({"user": site, "ignore_auth": True}, {
            "name": name, "email": f"{name}@bench.govshare.test", "password": "Bench-Access-2026"})
    tk.get_action("organization_member_create")({"user": site}, {
        "id": "dept-000", "username": MEMBER, "role": "editor"})
    # every tag exists before the parallel loaders run (two loaders creating one new tag collide)
    tags = {t for rec in records for t in (_text(t, 100) for t in rec.get("tags") or []) if TAG_RE.match(t)}
    for name in sorted(tags):
        model.Session.add(model.Tag(name=name))
    model.repo.commit()
    return "full"


def load_part(n: int, part: int, parts: int, seed: int) -> None:
    """Create this loader's share (i ≡ part mod parts) of the entries 1..n through
    package_create; the search index is built afterwards (``index_part``)."""
    import ckan.plugins.toolkit as tk
    from ckan import model
    from ckan.lib.search import SynchronousSearchPlugin

    # no automatic indexing while loading: a deferred commit indexes every entry 2-3 times
    SynchronousSearchPlugin.notify = lambda self, entity, operation: None  # type: ignore[method-assign]
    site = _site_user()
    records = load_records()
    orgs = {g.name: g.id for g in model.Session.query(model.Group).filter(model.Group.is_organization.is_(True))}
    dept_of = {title: k for k, title in enumerate(departments(records))}
    create = tk.get_action("package_create")
    rnd = random.Random(seed * 1000 + part)
    start = time.perf_counter()
    done = 0
    for i in range(part + 1, n + 1, parts):
        rec = records[(i - 1) % len(records)]
        # the record's department when it is one of the 50, else spread over all
        org = orgs.get(f"dept-{dept_of.get(_text(rec.get('department'), 100), i) % N_DEPARTMENTS:03d}")
        # one transaction per entry: govshare's resource-code validator takes a bucketed
        # advisory lock until commit; two loaders each holding many (defer_commit) deadlock
        create({"user": site, "return_id_only": True}, entry_dict(i, rec, rnd, org))
        done += 1
        if done % 1000 == 0:
            el = time.perf_counter() - start
            log(f"loader {part}: {done} entries ({el:.0f} s, {1000 * el / done:.0f} ms each)")
    model.repo.commit()
    log(f"loader {part}: {done} entries through package_create in {time.perf_counter() - start:.0f} s")


def clone_entries(n: int, templates: int) -> None:
    """Entries templates+1..n as copies of the entries made by package_create (entry i copies
    entry ((i-1) mod templates)+1): its package, extras, resources, tags and department
    membership rows, with a new id, name, resource code and data URLs. No activities."""
    import uuid

    import sqlalchemy as sa
    from ckan import model

    if n <= templates:
        return
    start = time.perf_counter()
    t = model.meta.metadata.tables
    conn = model.Session.connection()
    pkgs = {r.name: dict(r._mapping) for r in conn.execute(sa.select(t["package"]).where(
        t["package"].c.name.like("entry-%")))}
    by_pkg: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for table, col, extra in (("package_extra", "package_id", None), ("resource", "package_id", None),
                              ("package_tag", "package_id", None),
                              ("member", "table_id", t["member"].c.table_name == "package")):
        q = sa.select(t[table])
        if extra is not None:
            q = q.where(extra)
        for r in conn.execute(q):
            row = dict(r._mapping)
            by_pkg.setdefault(row[col], {}).setdefault(table, []).append(row)
    batch: dict[str, list[dict[str, Any]]] = {k: [] for k in ("package", "package_extra", "resource", "package_tag", "member")}

    def flush() -> None:
        for table in ("package", "package_extra", "resource", "package_tag", "member"):
            if batch[table]:
                conn.execute(t[table].insert(), batch[table])
                batch[table] = []
        model.Session.commit()

    for i in range(templates + 1, n + 1):
        k = (i - 1) % templates + 1
        src = pkgs[f"entry-{k:06d}"]
        old, new = f"{k:06d}", f"{i:06d}"
        pid = str(uuid.uuid4())
        batch["package"].append({**src, "id": pid, "name": f"entry-{new}"})
        rows = by_pkg.get(src["id"], {})
        for e in rows.get("package_extra", []):
            value = e["value"]
            if e["key"] == "resource_code":
                value = value.split("/")[0] + "/" + new
            batch["package_extra"].append({**e, "id": str(uuid.uuid4()), "package_id": pid, "value": value})
        for r in rows.get("resource", []):
            batch["resource"].append({**r, "id": str(uuid.uuid4()), "package_id": pid,
                                      "url": r["url"].replace(old, new),
                                      "extras": _renumber(r["extras"], old, new)})
        for pt in rows.get("package_tag", []):
            batch["package_tag"].append({**pt, "id": str(uuid.uuid4()), "package_id": pid})
        for m in rows.get("member", []):
            batch["member"].append({**m, "id": str(uuid.uuid4()), "table_id": pid})
        if len(batch["package"]) >= 1000:
            flush()
            conn = model.Session.connection()
    flush()
    log(f"cloned {n - templates} entries in the database in {time.perf_counter() - start:.0f} s")


def _renumber(value: Any, old: str, new: str) -> Any:
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, dict):
        return {k: _renumber(v, old, new) for k, v in value.items()}
    return value


def index_part(part: int, parts: int) -> None:
    """Index this indexer's share of the entries (as ``ckan search-index rebuild`` does:
    package_show with validate=False, use_cache=False, then the index; no Solr commit)."""
    import ckan.plugins.toolkit as tk
    from ckan import model
    from ckan.lib import search

    ids = [r[0] for r in model.Session.query(model.Package.id).filter(
        model.Package.state == "active").order_by(model.Package.id)][part::parts]
    index = search.index_for(model.Package)
    show = tk.get_action("package_show")
    start = time.perf_counter()
    for k, pid in enumerate(ids, 1):
        index.update_dict(show({"ignore_auth": True, "validate": False, "use_cache": False}, {"id": pid}),
                          defer_commit=True)
        if k % 200 == 0:
            model.Session.remove()
        if k % 2000 == 0:
            el = time.perf_counter() - start
            log(f"indexer {part}: {k}/{len(ids)} ({el:.0f} s, {1000 * el / k:.0f} ms each)")
    log(f"indexer {part}: {len(ids)} entries indexed in {time.perf_counter() - start:.0f} s")


def finish_load(seed: int) -> None:
    """Solr commit, grants."""
    import ckan.plugins.toolkit as tk
    from ckan import model
    from ckan.lib import search

    from ckanext.govshare.access import rules as access

    from ckanext.govshare.model import Grant

    search.commit()
    if model.Session.query(Grant).count():
        return
    site = _site_user()
    rnd = random.Random(seed)
    member_org = model.Group.get("dept-000").id
    pkgs = model.Session.query(model.Package).filter(model.Package.state == "active").all()
    share = [p for p in pkgs if access.share_type(p) == "conditional" and p.owner_org != member_org]
    opened = [p for p in pkgs if access.open_type(p) == "conditional"]
    grant = tk.get_action("govshare_grant_create")
    for p in rnd.sample(share, min(20, len(share))):
        grant({"user": site, "ignore_auth": True}, {"package_id": p.id, "kind": "share", "organization_id": member_org})
    for p in rnd.sample(opened, min(20, len(opened))):
        grant({"user": site, "ignore_auth": True}, {"package_id": p.id, "kind": "open", "user_id": CITIZEN})
    log(f"grants: {min(20, len(share))} share grants to dept-000, {min(20, len(opened))} open grants to {CITIZEN}")


def visible_ids(seed: int, k: int) -> dict[str, list[str]]:
    """k random entries visible to the public, and k visible to the department member (B's rules)."""
    from ckan import model

    from ckanext.govshare.access import rules as access

    pkgs = model.Session.query(model.Package).filter(
        model.Package.state == "active", model.Package.type == "dataset").order_by(model.Package.name).all()
    member = access.principal_for(MEMBER)
    rnd = random.Random(seed)
    anon = [p.id for p in pkgs if access.can_see(access.ANONYMOUS, p)]
    mem = [p.id for p in pkgs if access.can_see(member, p)]
    levels: dict[str, int] = {}
    for p in pkgs:
        key = f"{access.open_type(p)}/{access.share_type(p)}"
        levels[key] = levels.get(key, 0) + 1
    return {"anon": rnd.sample(anon, min(k, len(anon))), "member": rnd.sample(mem, min(k, len(mem))),
            "levels": levels, "visible_anon": len(anon), "visible_member": len(mem)}


def worker_main(args: argparse.Namespace) -> int:
    # the protocol goes over the original stdout; CKAN's logging goes to stderr
    proto = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    w = Worker(args.ini)
    if args.worker == "prepare":
        with w.flask_app.test_request_context():
            mode = prepare(args.n, args.reuse)
        proto.write(json.dumps({"load": mode}) + "\n")
        return 0
    if args.worker == "load":
        with w.flask_app.test_request_context():
            load_part(min(args.n, args.templates), args.part, args.parts, args.seed)
        return 0
    if args.worker == "clone":
        with w.flask_app.test_request_context():
            clone_entries(args.n, args.templates)
        return 0
    if args.worker == "index":
        with w.flask_app.test_request_context():
            index_part(args.part, args.parts)
        return 0
    if args.worker == "finish":
        with w.flask_app.test_request_context():
            finish_load(args.seed)
        return 0
    # serve: JSON commands on stdin, one JSON answer per line
    proto.write(json.dumps({"ready": True}) + "\n")
    for line in sys.stdin:
        cmd = json.loads(line)
        if cmd["cmd"] == "quit":
            break
        if cmd["cmd"] == "ids":
            with w.flask_app.test_request_context():
                answer = visible_ids(cmd["seed"], cmd["k"])
            from ckan import model
            model.Session.remove()
        else:
            answer = w.run(cmd["scenario"], profile=cmd.get("profile", False), sql=cmd.get("sql", False))
        proto.write(json.dumps(answer) + "\n")
    return 0


# --- orchestration -------------------------------------------------------------------------------

class Proc:
    def __init__(self, label: str, argv: list[str], env: dict[str, str]) -> None:
        self.label = label
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=None, text=True, env=env, bufsize=1)

    def ask(self, cmd: dict[str, Any]) -> Any:
        assert self.p.stdin and self.p.stdout
        self.p.stdin.write(json.dumps(cmd) + "\n")
        self.p.stdin.flush()
        return self.read()

    def read(self) -> Any:
        assert self.p.stdout
        line = self.p.stdout.readline()
        if not line:
            raise SystemExit(f"worker {self.label} ended (exit {self.p.wait()}); see the messages above")
        return json.loads(line)

    def close(self) -> None:
        try:
            self.ask({"cmd": "quit"})
        except (SystemExit, BrokenPipeError, ValueError):
            pass
        self.p.wait(timeout=60)


def _worker_argv(mode: str, ini: str, args: argparse.Namespace, **extra: Any) -> list[str]:
    argv = [sys.executable, os.path.abspath(__file__), "--worker", mode, "--ini", ini,
            "--n", str(args.n), "--seed", str(args.seed), "--templates", str(args.templates)]
    if args.reuse:
        argv.append("--reuse")
    for k, v in extra.items():
        argv += [f"--{k}", str(v)]
    return argv


def load(args: argparse.Namespace, ini_b: str, env: dict[str, str]) -> float | None:
    t0 = time.perf_counter()
    p = Proc("prepare", _worker_argv("prepare", ini_b, args), env)
    mode = p.read()["load"]
    p.p.wait()
    if mode == "none":
        return None

    def parallel(mode: str) -> None:
        procs = [subprocess.Popen(_worker_argv(mode, ini_b, args, part=k, parts=args.loaders), env=env,
                                  stdout=subprocess.DEVNULL) for k in range(args.loaders)]
        rcs = [p.wait() for p in procs]
        if any(rcs):
            raise SystemExit(f"a {mode} worker failed (exit codes {rcs})")

    templates = min(args.n, args.templates)
    if mode == "full":
        log(f"creating {templates} entries through package_create with {args.loaders} processes (configuration B)")
        parallel("load")
    if mode == "full" and args.n > templates:
        log(f"copying them in the database up to {args.n} entries")
        if subprocess.call(_worker_argv("clone", ini_b, args), env=env, stdout=subprocess.DEVNULL):
            raise SystemExit("cloning failed")
    log(f"indexing {args.n} entries with {args.loaders} processes (configuration B)")
    parallel("index")
    if subprocess.call(_worker_argv("finish", ini_b, args), env=env, stdout=subprocess.DEVNULL):
        raise SystemExit("finishing the load failed")
    return time.perf_counter() - t0


# govshare's default query fields (ckanext.govshare.search.qf), given explicitly
SAME_QF = "title_exact^30 resource_code_text^30 name^10 title^4 text^2 text_words"


def scenarios(ids: dict[str, list[str]], text_pages: dict[str, int]) -> dict[str, list[tuple[str, str | None, dict[str, Any]]]]:
    def search(q: str, start: int) -> dict[str, Any]:
        return {"q": q, "rows": 20, "start": start, "facet.field": FACETS}

    return {
        "search_anon": [("package_search", None, search("*:*", 20 * k)) for k in range(10)],
        "search_member": [("package_search", MEMBER, search("*:*", 20 * k)) for k in range(10)],
        "search_text": [("package_search", None, search("公交", 20 * (k % text_pages["公交"]))) for k in range(10)],
        "search_text2": [("package_search", None, search("交通", 20 * (k % text_pages["交通"]))) for k in range(10)],
        # the same query with the ranking given by the caller, so A and B ask Solr the same
        # thing: only the access layer differs
        "search_text_same_query": [("package_search", None, dict(search("公交", 20 * (k % text_pages["公交"])),
                                                                   defType="edismax", qf=SAME_QF)) for k in range(10)],
        "show_anon": [("package_show", None, {"id": i}) for i in ids["anon"]],
        # the same through the action API over the web stack (what a client waits for)
        "api_search_anon": [("http:package_search", None, search("*:*", 20 * k)) for k in range(10)],
        "api_search_member": [("http:package_search", MEMBER, search("*:*", 20 * k)) for k in range(10)],
        "api_show_anon": [("http:package_show", None, {"id": i}) for i in ids["anon"][:100]],
        "api_show_member": [("http:package_show", MEMBER, {"id": i}) for i in ids["member"][:100]],
        "show_member": [("package_show", MEMBER, {"id": i}) for i in ids["member"]],
    }


def _pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q * (len(s) - 1))))]


def report(results: dict[str, dict[str, list[dict[str, Any]]]], n: int, plugins: dict[str, str]) -> list[str]:
    lines = [
        f"N = {n} entries; per-call times in ms; ratio = B/A "
        f"(A: {plugins['A']}, B: {plugins['B']})",
        "",
        "| scenario | calls/round | A median | B median | ratio of medians | 95% CI | per-round ratio: median [min–max] | "
        "ratio of per-call minima | CPU ms/call A → B (ratio) | A p10–p90 | B p10–p90 | SQL/call A → B |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    rng = random.Random(0)
    for name, per in results.items():
        a_all = [t * 1000 for r in per["A"] for t in r["times"]]
        b_all = [t * 1000 for r in per["B"] for t in r["times"]]
        rounds = [sum(rb["times"]) / sum(ra["times"]) for ra, rb in zip(per["A"], per["B"])]
        qa = statistics.mean(q for r in per["A"] for q in r["queries"])
        qb = statistics.mean(q for r in per["B"] for q in r["queries"])
        ma, mb = statistics.median(a_all), statistics.median(b_all)
        # the worker's own CPU time (Python, parsing Solr's and PostgreSQL's answers), not the
        # time spent waiting for Solr and PostgreSQL
        cpu = {label: statistics.median(c * 1000 for r in per[label] for c in r["cpu"]) for label in ("A", "B")}
        # each call's fastest time over the rounds: the cost without the machine's other load
        minima = {label: sum(min(r["times"][i] for r in per[label]) for i in range(len(per[label][0]["times"])))
                  for label in ("A", "B")}
        # bootstrap over rounds (A and B of a round stay paired)
        boots = []
        for _ in range(500):
            pick = [rng.randrange(len(per["A"])) for _ in per["A"]]
            boots.append(statistics.median(t for i in pick for t in per["B"][i]["times"])
                         / statistics.median(t for i in pick for t in per["A"][i]["times"]))
        lines.append(
            f"| {name} | {len(per['A'][0]['times'])} | {ma:.2f} | {mb:.2f} | **{mb / ma:.3f}** | "
            f"{_pct(boots, .025):.2f}–{_pct(boots, .975):.2f} | "
            f"{statistics.median(rounds):.3f} [{min(rounds):.3f}–{max(rounds):.3f}] | "
            f"{minima['B'] / minima['A']:.3f} | {cpu['A']:.2f} → {cpu['B']:.2f} ({cpu['B'] / cpu['A']:.3f}) | {_pct(a_all, .1):.2f}–{_pct(a_all, .9):.2f} | {_pct(b_all, .1):.2f}–{_pct(b_all, .9):.2f} | "
            f"{qa:.1f} → {qb:.1f} |")
    return lines


def profile_report(paths: dict[str, str], calls: int, top: int) -> list[str]:
    """Per function: cumulative time per call in B minus in A, the largest first, plus
    govshare's own functions."""
    def load_stats(path: str) -> dict[tuple[str, int, str], tuple[int, float, float]]:
        st = pstats.Stats(path)
        out: dict[tuple[str, int, str], tuple[int, float, float]] = {}
        for k, v in st.stats.items():  # type: ignore[attr-defined]
            # built-ins are named by address ("<function socket.close at 0x7f…>"): differs per process
            key = (k[0], k[1], re.sub(r" at 0x[0-9a-f]+", "", k[2]))
            old = out.get(key, (0, 0.0, 0.0))
            out[key] = (old[0] + v[1], old[1] + v[2], old[2] + v[3])
        return out

    a, b = load_stats(paths["A"]), load_stats(paths["B"])
    total_a = sum(v[1] for v in a.values()) / calls * 1000
    total_b = sum(v[1] for v in b.values()) / calls * 1000

    def name(k: tuple[str, int, str]) -> str:
        f = k[0]
        for pre in (ROOT + "/", os.path.dirname(os.path.dirname(os.__file__)) + "/site-packages/"):
            f = f.replace(pre, "")
        f = re.sub(r".*/site-packages/", "", f)
        return f"{f}:{k[1]}({k[2]})"

    lines = [f"  own time per call (profiled): A {total_a:.2f} ms, B {total_b:.2f} ms"]
    for title, column in (("cumulative", 2), ("self", 1)):
        lines.append(f"  largest {title}-time differences per call (B − A, ms; calls per call B/A):")
        diffs = []
        for k in set(a) | set(b):
            ca = a.get(k, (0, 0.0, 0.0))
            cb = b.get(k, (0, 0.0, 0.0))
            diffs.append(((cb[column] - ca[column]) / calls * 1000, k, cb[0] / calls, ca[0] / calls))
        diffs.sort(key=lambda d: -d[0])
        for d, k, nb, na in diffs[:top]:
            lines.append(f"    {d:+7.3f}  {nb:7.1f}/{na:<7.1f} {name(k)}")
    lines.append("  govshare functions in B (cumulative ms per call, calls per call):")
    own = sorted(((v[2] / calls * 1000, v[0] / calls, k) for k, v in b.items() if "ckanext/govshare" in k[0]),
                 key=lambda x: -x[0])
    for cum, nc, k in own[:top]:
        lines.append(f"    {cum:7.3f}  {nc:7.1f}  {name(k)}")
    return lines


def orchestrate(args: argparse.Namespace) -> int:
    urls = {
        "db": os.environ.get("CKAN_SQLALCHEMY_URL") or "postgresql://govshare:govshare@127.0.0.1:54329/govshare_bench_access",
        "solr": os.environ.get("CKAN_SOLR_URL") or "http://127.0.0.1:8983/solr/ckan_bench_access",
        "redis": os.environ.get("CKAN_REDIS_URL") or "redis://127.0.0.1:63799/8",
    }
    urls["ds_write"] = os.environ.get("CKAN_DATASTORE_WRITE_URL") or urls["db"] + "_datastore"
    urls["ds_read"] = os.environ.get("CKAN_DATASTORE_READ_URL") or re.sub(
        r"//[^@]*@", "//govshare_ds_ro:govshare_ds_ro@", urls["ds_write"])
    if "bench" not in urls["db"].rsplit("/", 1)[-1]:
        raise SystemExit(f"the database of {urls['db']} must be a bench database (name containing 'bench')")
    env = dict(os.environ, CKAN_SQLALCHEMY_URL=urls["db"], CKAN_SOLR_URL=urls["solr"], CKAN_REDIS_URL=urls["redis"],
               CKAN_DATASTORE_WRITE_URL=urls["ds_write"], CKAN_DATASTORE_READ_URL=urls["ds_read"])
    tmp = tempfile.mkdtemp(prefix="govshare-access-bench-")
    inis = write_configs(tmp, args.ckan_ini, urls)
    log(f"configurations in {tmp}: A = {inis['plugins_A']} (plain schema copies), B = {inis['plugins_B']}")
    log(f"database {urls['db'].rsplit('/', 1)[-1]}, Solr {urls['solr']}, Redis {urls['redis']}")
    t_start = time.perf_counter()
    load_time = load(args, inis["B"], env)
    if load_time is not None:
        log(f"loaded {args.n} entries in {load_time:.0f} s ({1000 * load_time / args.n:.0f} ms per entry, wall)")

    if args.null:
        # the control experiment: B is a second process of configuration A
        inis["B"], inis["plugins_B"] = inis["A"], inis["plugins_A"] + " (a second process)"
        log("--null: B is a second process of configuration A; the ratios show the run's noise")
    workers = {label: Proc(label, _worker_argv("serve", inis[label], args), env) for label in ("A", "B")}
    try:
        for w in workers.values():
            w.read()
        ids = workers["B"].ask({"cmd": "ids", "seed": args.seed, "k": args.show_ids})
        log(f"levels: {ids['levels']}; visible to the public {ids['visible_anon']}, "
            f"to the member {ids['visible_member']}")
        text_pages = {}
        for q in ("公交", "交通"):
            probe = workers["A"].ask({"cmd": "run", "scenario": {"calls": [
                ("package_search", None, {"q": q, "rows": 0})]}})
            count = probe["summary"][0][0]
            text_pages[q] = max(1, min(10, -(-count // 20)))
            log(f"q={q} finds {count} entries for the public: {text_pages[q]} pages of 20 used")
        plan = scenarios(ids, text_pages)
        results: dict[str, dict[str, list[dict[str, Any]]]] = {k: {"A": [], "B": []} for k in plan}
        mismatches: list[str] = []
        for rnd in range(args.rounds + 1):
            order = ("A", "B") if rnd % 2 == 0 else ("B", "A")
            for name, calls in plan.items():
                # A and B alternate chunk by chunk (ABBA), so both meet the same load on the machine
                got = {label: {"times": [], "cpu": [], "queries": [], "summary": []} for label in order}
                size = max(1, len(calls) // 20)
                for c, start in enumerate(range(0, len(calls), size)):
                    for label in (order if c % 2 == 0 else order[::-1]):
                        out = workers[label].ask({"cmd": "run", "scenario": {"calls": calls[start:start + size]}})
                        for key in ("times", "cpu", "queries", "summary"):
                            got[label][key] += out[key]
                if rnd == 0:   # warm-up round: check the answers, discard the times
                    for label in ("A", "B"):
                        if "RuntimeError" in json.dumps(got[label]["summary"]):
                            raise SystemExit(f"{name}: {label} answers with an error: {got[label]['summary'][:3]}")
                    if name.startswith(("show", "api_show")) and "NotFound" in json.dumps(got["B"]["summary"]):
                        mismatches.append(f"{name}: B answers NotFound for an id chosen as visible")
                    if name in ("search_anon", "search_text", "search_text2", "search_text_same_query", "api_search_anon") and \
                            [s[0] for s in got["A"]["summary"]] != [s[0] for s in got["B"]["summary"]]:
                        mismatches.append(f"{name}: counts differ A {got['A']['summary'][:2]} B {got['B']['summary'][:2]}")
                    continue
                for label in ("A", "B"):
                    results[name][label].append(got[label])
            if rnd:
                log(f"round {rnd}/{args.rounds} done ({time.perf_counter() - t_start:.0f} s since start)")
        for m in mismatches:
            log(f"warning: {m}")
        lines = report(results, args.n, {"A": inis["plugins_A"], "B": inis["plugins_B"]})
        sm = results["search_member"]
        if not args.null:
            lines += ["", f"search_member result count: A {sm['A'][0]['summary'][0][0]}, "
                          f"B {sm['B'][0]['summary'][0][0]} (B adds the 不予开放 entries shared with departments)"]
        if args.profile:
            lines += ["", f"## Profile (cProfile, {args.profile_rounds} rounds per scenario)"]
            for name, calls in plan.items():
                paths = {}
                for label in ("A", "B"):
                    merged = None
                    for _ in range(args.profile_rounds):
                        out = workers[label].ask({"cmd": "run", "profile": True, "scenario": {"calls": calls}})
                        st = pstats.Stats(out["pstats"])
                        merged = st if merged is None else merged.add(out["pstats"])
                        os.unlink(out["pstats"])
                    path = os.path.join(tmp, f"{name}_{label}.pstats")
                    merged.dump_stats(path)
                    paths[label] = path
                lines += ["", f"### {name}"] + profile_report(paths, len(calls) * args.profile_rounds, args.top)
                sql = {label: workers[label].ask({"cmd": "run", "sql": True, "scenario": {"calls": calls}})["sql"]
                       for label in ("A", "B")}
                lines += ["  SQL statements per call that differ (A → B), with the innermost govshare frame "
                          "on B's stack when it issued them:"]
                per_stmt: dict[str, dict[str, Any]] = {}
                for label in ("A", "B"):
                    for key, count in sql[label].items():
                        where, stmt = key.split(" | ", 1)
                        d = per_stmt.setdefault(stmt, {"A": 0, "B": 0, "where": {}})
                        d[label] += count
                        if label == "B":
                            d["where"][where] = d["where"].get(where, 0) + count
                for stmt, d in sorted(per_stmt.items(), key=lambda kv: -(kv[1]["B"] - kv[1]["A"])):
                    na, nb = d["A"] / len(calls), d["B"] / len(calls)
                    if abs(nb - na) >= 0.05:
                        where = ", ".join(f"{w} ×{c / len(calls):.2f}" for w, c in
                                          sorted(d["where"].items(), key=lambda kv: -kv[1]))
                        lines.append(f"    {na:5.2f} → {nb:5.2f}  {stmt[:90]}")
                        lines.append(f"                  from: {where}")
            lines += ["", f"(profiles kept in {tmp}/*.pstats)"]
    finally:
        for w in workers.values():
            w.close()
    print("\n".join(lines))
    if not args.profile:
        shutil.rmtree(tmp, ignore_errors=True)
    log(f"total {time.perf_counter() - t_start:.0f} s")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=20000, help="catalogue entries (default 20000)")
    ap.add_argument("--reuse", action="store_true", help="keep a loaded database that holds N entries")
    ap.add_argument("--rounds", type=int, default=15, help="measured rounds (after one warm-up round)")
    ap.add_argument("--show-ids", type=int, default=200, help="random entries per package_show scenario")
    ap.add_argument("--loaders", type=int, default=2, help="parallel loader and indexer processes")
    ap.add_argument("--templates", type=int, default=3000,
                    help="entries created through package_create; the rest are copies of them made in SQL")
    ap.add_argument("--seed", type=int, default=4)
    ap.add_argument("--null", action="store_true",
                    help="control run: configuration A against a second process of A (no govshare)")
    ap.add_argument("--profile", action="store_true", help="cProfile every scenario in A and B afterwards")
    ap.add_argument("--profile-rounds", type=int, default=3)
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("--ckan-ini", default=os.path.join(ROOT, "test.ini"), help="the ini the bench inis derive from")
    # internal
    ap.add_argument("--worker", choices=["prepare", "load", "clone", "index", "finish", "serve"], help=argparse.SUPPRESS)
    ap.add_argument("--ini", help=argparse.SUPPRESS)
    ap.add_argument("--part", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--parts", type=int, default=1, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        return worker_main(args)
    return orchestrate(args)


if __name__ == "__main__":
    sys.exit(main())
