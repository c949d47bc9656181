# -*- coding: utf-8 -*-
"""A hostile-input fuzzer over the platform, through the real web app (the Flask test
client over the real PostgreSQL, Solr and Redis): every ``govshare_*`` action found in the
action registry with hostile values in every parameter its docstring documents, the web
forms (application, open-data demand, catalogue entry, registration, decisions), the
search parameters of package_search / resource_search and the dataset page, and the DCAT
endpoints' parameters.

Deterministic (``random.Random(SEED)``) and bounded (``MAX_REQUESTS`` requests, a
wall-clock cap). It fails on:

- any 5xx (or an exception escaping the app, which the test client propagates);
- any planted payload rendered unescaped in an HTML page (stored and reflected XSS);
- any write that half-happened: after a rejected request the counts of entries,
  applications, application events, grants and users are what they were before.

The coverage (actions, parameters, routes, requests per category) is printed at the end
of the run (``tests/security/conftest.py``); ``docs/security.md`` describes the fuzzer.
"""
from __future__ import annotations

import io
import json
import random
import re
import time
from collections import Counter
from typing import Any, Callable, Optional
from urllib.parse import quote, urlencode

import pytest
import sqlalchemy as sa

import ckan.logic
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.tests import helpers

from tests.factories import approve_pending, entry_data
from tests.security.conftest import CITIZEN_ID, FUZZ_COVERAGE

SEED = 20261129
MAX_REQUESTS = 3000
WALL_CLOCK_SECONDS = 210
# requests per category (scaled down together if MAX_REQUESTS is lower)
BUDGET = {"actions": 1500, "forms": 650, "search": 550, "dcat": 300}

XSS = [
    '<script>alert("gs-xss")</script>',
    '"><img src=x onerror=alert("gs-xss")>',
    "<svg/onload=alert('gs-xss')>",
    "javascript:alert('gs-xss')//",
]
HOSTILE_STRINGS = [
    "", " ", "\x00", "a\x00b", "\ud800", "研究\udfff", "x" * 100_000, "长" * 12_000, "𠀀" * 9_000,
    *XSS,
    "' OR 1=1--", "'; DROP TABLE package; --", "*:*", "{!join from=id to=id}*:*", 'title:("', "[* TO",
    "../../../etc/passwd", "%00", "\u202e\u0644", "\x1b[31m", "null", "-1", "1e309", "NaN",
    "2099-01-01T00:00:00+08:00", "2099-13-45", "2020-01-01", "9999-12-31T23:59:59+14:00", "0000-00-00",
    "2099-01-01T25:61:61Z", "{{7*7}}", "${7*7}",
]
HOSTILE_VALUES = HOSTILE_STRINGS + [
    ["a", "b"], [], {"a": 1}, {"$gt": ""}, 12345, -1, 0, 1.5, 1e308, 2**70, None, True, False,
    [{"x": "\x00"}], ["\ud800"],
]
NOT_TEXT = ("\x00", "\ud800", "\udfff")


def _browser_file_name(name: str) -> str:
    """A file name as a browser sends it: UTF-8, where a lone surrogate cannot be encoded and
    becomes U+FFFD (the test client would otherwise fail before any request is made)."""
    return name.encode("utf-8", "replace").decode("utf-8")
# markup that would run if a page carried it as is; the javascript: URL only matters in a link
UNESCAPED = [re.compile(re.escape(p)) for p in XSS[:3]] + [
    re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:alert\('gs-xss'\)""", re.I)]


def _label(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _doc_params(doc: Optional[str]) -> list[str]:
    return list(dict.fromkeys(re.findall(r":param (\w+):", doc or "")))


class Fuzzer:
    def __init__(self, app, actors) -> None:
        self.app = app
        self.actors = actors
        self.rng = random.Random(SEED)
        self.started = time.monotonic()
        self.requests = Counter()
        self.statuses = Counter()
        self.routes: set[str] = set()
        self.action_params: dict[str, list[str]] = {}
        self.problems: list[str] = []
        self.server_errors = 0
        self.stopped_early = False
        self.engine = model.meta.engine

    # --- bookkeeping ---------------------------------------------------------------------

    def counts(self) -> tuple[int, ...]:
        with self.engine.connect() as conn:
            return tuple(conn.execute(sa.text(sql)).scalar() for sql in (
                "SELECT count(*) FROM package",
                "SELECT count(*) FROM govshare_application",
                "SELECT count(*) FROM govshare_application_event",
                "SELECT count(*) FROM govshare_grant",
                "SELECT count(*) FROM \"user\"",
            ))

    def out_of_time(self) -> bool:
        if time.monotonic() - self.started > WALL_CLOCK_SECONDS:
            self.stopped_early = True
        return self.stopped_early

    def request(self, category: str, route: str, method: str, url: str, who: Optional[str] = None,
                write: bool = False, accepted: Callable[[int, str], bool] = lambda s, b: s < 300,
                label: str = "", **kwargs: Any) -> tuple[int, str]:
        """One request; records 5xx, unescaped payloads in HTML and half-writes."""
        self.requests[category] += 1
        self.routes.add(route)
        before = self.counts() if write else None
        headers = dict(self.actors.headers(who), **kwargs.pop("headers", {}))
        query = kwargs.pop("query_string", None)
        if query:
            # what a browser sends: UTF-8, percent-encoded (a lone surrogate as its three bytes)
            url += "?" + urlencode(query, doseq=True, errors="surrogatepass")
        try:
            resp = getattr(self.app, method)(url, headers=headers, follow_redirects=False, **kwargs)
            status, body = resp.status_code, resp.get_data(as_text=True)
            html = (resp.headers.get("Content-Type") or "").startswith("text/html")
        except Exception as e:  # noqa: BLE001 - the test client propagates what would be a 500
            status, body, html = 500, f"{type(e).__name__}: {str(e)[:300]}", False
            model.Session.rollback()
            model.Session.remove()
        self.statuses[status] += 1
        where = f"{method.upper()} {route} as {who or 'anonymous'} {label}"
        if status >= 500:
            self.server_errors += 1
            self.problems.append(f"{status} on {where}: {body[:300]}")
        if html:
            for pattern in UNESCAPED:
                found = pattern.search(body)
                if found:
                    self.problems.append(f"unescaped {found.group(0)!r} in the page of {where}")
        if write and not accepted(status, body):
            after = self.counts()
            if after != before:
                self.problems.append(f"half-write on {where}: counts {before} -> {after}")
        return status, body

    # --- planted data -------------------------------------------------------------------

    def plant(self) -> None:
        """Valid requests carrying markup, whose pages are checked afterwards."""
        a = self.actors
        self.xss_pkg = helpers.call_action("package_create", context=a.context("clerk"), **entry_data(
            a.org, name="xss-entry", title="公交" + XSS[0], notes="说明" + XSS[1] + " " + XSS[3],
            contact_name=XSS[2], open_type="conditional", share_type="conditional",
            open_condition=XSS[0], open_basis=XSS[1], share_condition=XSS[2], share_basis=XSS[3],
            usage_requirements=XSS[1], tag_string="xss",
            resources=[{"url": "https://data.example.gov.cn/xss.csv", "name": XSS[0], "description": XSS[1]}]))
        # the data authority publishes it (catalogue review, shenyang-2016 §12): its pages are public
        approve_pending(self.xss_pkg["id"])
        self.xss_app = helpers.call_action(
            "govshare_application_create", context=a.context("citizen"), kind="open",
            package_id=self.xss_pkg["id"], applicant_type="citizen", applicant_name="张三",
            id_number=CITIZEN_ID, contact_phone="13800138000", contact_email="a@example.com",
            purpose=XSS[0], usage_scope=XSS[2], data_items=XSS[1] + XSS[3], period_end="2099-06-30",
            agreement_accepted=True)
        self.xss_demand = helpers.call_action(
            "govshare_application_create", context=a.context("citizen"), kind="open_demand",
            organization_id=a.org["id"], description=XSS[0] + XSS[1], purpose=XSS[2])
        helpers.call_action("govshare_application_refuse", context=a.context("clerk"), id=self.xss_demand["id"],
                            reason=XSS[0], basis=XSS[1])
        grant = helpers.call_action("govshare_grant_create", context=a.context("head"), package_id=a.pkg["id"],
                                    kind="share", organization_id=a.other_org["id"], conditions=XSS[2])
        self.grant_id = grant["id"]

    def check_planted_pages(self) -> None:
        a = self.actors
        pages = [
            (f"/application/{self.xss_app['id']}", ("citizen", "clerk", "head", "sysadmin")),
            (f"/application/{self.xss_demand['id']}", ("citizen", "clerk")),
            ("/user/applications", ("citizen",)),
            (f"/organization/{a.org['name']}/applications", ("clerk", "head")),
            (f"/dataset/{self.xss_pkg['name']}", (None, "citizen", "clerk", "sysadmin")),
            (f"/dataset/{self.xss_pkg['name']}/resource/{self.xss_pkg['resources'][0]['id']}", (None, "clerk")),
            (f"/dataset/{self.xss_pkg['name']}/apply", ("citizen",)),
            (f"/dataset/edit/{self.xss_pkg['name']}", ("clerk",)),
            ("/dataset/?q=xss", (None, "clerk")),
            (f"/dataset/activity/{self.xss_pkg['name']}", ("clerk",)),
            # the fuzzer's own writes add entries: the planted one is pinned by its tag so that
            # it is on the department page's first page
            (f"/organization/{a.org['name']}?tags=xss", (None,)),
            ("/dataset/?tags=xss", (None,)),
        ]
        for url, actors in pages:
            for who in actors:
                route = re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", "<id>", url.split("?")[0])
                status, body = self.request("pages", route, "get", url, who=who)
                if status != 200:
                    self.problems.append(f"planted page {url} as {who}: {status}")
                elif "gs-xss" not in body:
                    self.problems.append(f"planted page {url} as {who} does not show the planted text")

    # --- govshare actions ---------------------------------------------------------------

    def govshare_actions(self) -> dict[str, Any]:
        tk.get_action("package_show")  # the registry is built on first use
        return {name: fn for name, fn in ckan.logic._actions.items() if name.startswith("govshare_")}

    def base_payload(self, action: str, params: list[str]) -> dict[str, Any]:
        a = self.actors
        values = {
            "id": self.grant_id if "grant" in action else a.application["id"],
            "package_id": a.pkg["id"], "organization_id": a.other_org["id"] if "grant" in action else a.org["id"],
            "user_id": a.citizen["name"], "application_id": a.application["id"],
            "kind": "share" if "grant" in action else "open", "applicant_type": "citizen",
            "applicant_name": "张三", "id_number": CITIZEN_ID, "contact_phone": "13800138000",
            "contact_email": "zhang@example.com", "purpose": "研究", "usage_scope": "内部",
            "data_items": "全部", "period_start": "2099-01-01", "period_end": "2099-06-30",
            "agreement_accepted": True, "description": "说明", "client_token": "fuzz",
            "days": 5, "reason": "原因", "basis": "依据", "conditions": "条件", "reply": "答复",
            "expires_at": "2099-12-31", "name": "open_type", "status": "pending",
        }
        return {p: values.get(p, "x") for p in params}

    def fuzz_actions(self, budget: int) -> None:
        cases = []
        for name, fn in sorted(self.govshare_actions().items()):
            params = _doc_params(fn.__doc__)
            self.action_params[name] = params
            for param in params:
                for value in HOSTILE_VALUES:
                    cases.append((name, param, value))
        self.rng.shuffle(cases)
        # every (action, parameter) first, then the rest of the budget
        seen, first, rest = set(), [], []
        for case in cases:
            (first if case[:2] not in seen else rest).append(case)
            seen.add(case[:2])
        actors = (None, "citizen", "clerk", "head", "sysadmin")
        for name, param, value in (first + rest)[:budget]:
            if self.out_of_time():
                return
            fn = self.govshare_actions()[name]
            data = self.base_payload(name, self.action_params[name])
            data[param] = value
            who = self.rng.choice(actors)
            read_only = getattr(fn, "side_effect_free", False)
            if read_only and self.rng.random() < 0.3 and all(isinstance(v, (str, int, bool)) for v in data.values()):
                query = {k: v for k, v in data.items() if not (isinstance(v, str) and any(c in v for c in NOT_TEXT))}
                query[param] = value if isinstance(value, str) else json.dumps(value)
                self.request("actions", f"/api/3/action/{name}", "get", f"/api/3/action/{name}", who=who,
                             query_string=query, label=f"{param}={_label(value)}")
                continue
            self.request("actions", f"/api/3/action/{name}", "post", f"/api/3/action/{name}", who=who,
                         write=not read_only, label=f"{param}={_label(value)}",
                         accepted=lambda s, b: s == 200,
                         data=json.dumps(data), content_type="application/json")

    # --- web forms -------------------------------------------------------------------------

    def form_cases(self) -> list[tuple[str, str, str, Optional[str], dict[str, Any]]]:
        """(route, url, field, actor, base form) of every form field."""
        a = self.actors
        apply_form = {"applicant_type": "citizen", "applicant_name": "张三", "id_number": CITIZEN_ID,
                      "contact_phone": "13800138000", "contact_email": "z@example.com", "purpose": "研究",
                      "usage_scope": "内部", "data_items": "日期", "period_start": "2099-01-01",
                      "period_end": "2099-06-30", "agreement_accepted": "on", "description": "说明",
                      "applicant_org_id": a.other_org["id"], "client_token": "t", "kind": "open"}
        demand_form = {"description": "需要公交数据", "purpose": "研究", "organization_id": a.org["id"],
                       "client_token": "t"}
        entry_form = {k: v for k, v in entry_data(a.org, name="fuzz-entry").items() if isinstance(v, str)}
        entry_form.update({"save": "continue", "contact_email": "c@example.com", "contact_phone": "023-63881234",
                           "release_date": "2026-01-01", "open_condition": "条件", "open_basis": "依据",
                           "tag_string": "公交", "url": "https://example.com"})
        register_form = {"name": "fuzz-user", "fullname": "张三", "email": "f@example.com",
                         "password1": "Fuzz-Password-2026", "password2": "Fuzz-Password-2026"}
        app_id = a.application["id"]
        decisions = {
            "approve": ({"conditions": "条件", "expires_at": "2099-12-31", "reply": "同意"}, "clerk"),
            "refuse": ({"reason": "原因", "basis": "依据"}, "clerk"),
            "extend": ({"days": "5", "reason": "原因"}, "head"),
            "withdraw": ({"reason": "不需要了"}, "citizen"),
        }
        cases = []
        for field in apply_form:
            for who in ("citizen", "clerk"):
                cases.append(("/dataset/<id>/apply", f"/dataset/{a.pkg['name']}/apply", field, who, apply_form))
        for field in demand_form:
            cases.append(("/demand", "/demand", field, "citizen", demand_form))
        for field in entry_form:
            cases.append(("/dataset/new", "/dataset/new", field, "clerk", entry_form))
        for field in register_form:
            cases.append(("/user/register", "/user/register", field, None, register_form))
        for action, (form, who) in decisions.items():
            for field in form:
                cases.append((f"/application/<id>/{action}", f"/application/{app_id}/{action}", field, who, form))
        return cases

    def fuzz_forms(self, budget: int) -> None:
        cases = [(c, value) for c in self.form_cases() for value in HOSTILE_STRINGS + [["a", "b"]]]
        self.rng.shuffle(cases)
        seen, first, rest = set(), [], []
        for case in cases:
            key = (case[0][0], case[0][2])
            (first if key not in seen else rest).append(case)
            seen.add(key)
        for (route, url, field, who, base), value in (first + rest)[:budget]:
            if self.out_of_time():
                return
            form = dict(base)
            if route == "/user/register" and field != "name":
                form["name"] = f"fuzz-{self.rng.randrange(10**9)}"
            form[field] = value
            if route == "/dataset/new" and field != "name":
                form["name"] = f"fuzz-{self.rng.randrange(10**9)}"
                form["resource_code"] = form["resource_code"] if field == "resource_code" else \
                    f"203001/{self.rng.randrange(10**6):06d}"
            # what a browser sends: UTF-8, percent-encoded (a lone surrogate as its three bytes)
            body = urlencode(form, doseq=True, errors="surrogatepass")
            self.request("forms", route, "post", url, who=who, write=True, label=f"{field}={_label(value)}",
                         accepted=lambda s, b: s in (301, 302, 303), data=body,
                         content_type="application/x-www-form-urlencoded")
        # the department's catalogue spreadsheet, with hostile cells and file names
        for value in self.rng.sample(HOSTILE_STRINGS, 6):
            if self.out_of_time():
                return
            row = ",".join(json.dumps(v, ensure_ascii=False) if isinstance(v, str) else "" for v in
                           ["信息资源名称", value, "203001/999999", value])
            body = ("title,notes,resource_code,open_type\n" + row + "\n").encode("utf-8", "surrogatepass")
            self.request("forms", "/organization/<id>/catalogue", "post",
                         f"/organization/{self.actors.org['name']}/catalogue", who="head", write=True,
                         label=f"cell={_label(value)}", accepted=lambda s, b: s in (301, 302, 303),
                         data={"file": (io.BytesIO(body), _browser_file_name(value[:50]) + ".csv")},
                         content_type="multipart/form-data")

    # --- search -------------------------------------------------------------------------------

    def fuzz_search(self, budget: int) -> None:
        values = HOSTILE_STRINGS + ['["title"]', '["' + "x" * 50 + '"]', "[", "title desc; drop", "score desc,",
                                    "data_dict", "*", "res_url", "title_string asc", "-5", "1000000", "0x10",
                                    "name:x OR (", "extras_open_basis:*", "{!func}sum(1,1)", "_val_:1"]
        surfaces = [
            ("/api/3/action/package_search",
             ("q", "fq", "fl", "sort", "rows", "start", "facet.field", "facet.limit", "facet", "include_private",
              "facet.mincount", "defType")),
            ("/api/3/action/resource_search", ("query", "order_by", "offset", "limit", "fields")),
            ("/dataset/", ("q", "sort", "page", "tags", "organization", "res_format", "open_type", "ext_bbox")),
            ("/organization/", ("q", "sort", "page")),
            ("/api/3/action/package_autocomplete", ("q", "limit")),
            ("/api/3/action/tag_search", ("query", "limit", "offset")),
        ]
        cases = [(url, param, value) for url, params in surfaces for param in params for value in values]
        self.rng.shuffle(cases)
        seen, first, rest = set(), [], []
        for case in cases:
            (first if case[:2] not in seen else rest).append(case)
            seen.add(case[:2])
        for url, param, value in (first + rest)[:budget]:
            if self.out_of_time():
                return
            who = self.rng.choice((None, "citizen", "clerk", "sysadmin"))
            if url.startswith("/api/") and self.rng.random() < 0.35:
                payload: dict[str, Any] = {param: value}
                if param == "query" and url.endswith("resource_search"):
                    payload[param] = [value]
                self.request("search", url, "post", url, who=who, label=f"json {param}={_label(value)}",
                             data=json.dumps(payload), content_type="application/json")
            else:
                self.request("search", url, "get", url, who=who, label=f"{param}={_label(value)}",
                             query_string={param: value})

    # --- DCAT ----------------------------------------------------------------------------------

    def fuzz_dcat(self, budget: int) -> None:
        a = self.actors
        values = HOSTILE_STRINGS + ["2026-01-01", "2026-01-01T00:00:00Z", "2", "0", "-1", "abc", "eyJ4IjoxfQ"]
        cases = []
        for fmt in ("ttl", "rdf", "jsonld", "xml"):
            for param in ("page", "modified_since", "after", "q", "fq", "profiles"):
                for value in values:
                    cases.append(("/catalog.<fmt>", f"/catalog.{fmt}", param, value, None))
            for param in ("modified_since", "after", "page"):
                for value in values:
                    cases.append(("/share-catalog.<fmt>", f"/share-catalog.{fmt}", param, value, "clerk"))
            for value in values:
                cases.append(("/catalog/full.<fmt>", f"/catalog/full.{fmt}", "modified_since", value, None))
            cases.append(("/dataset/<id>.<fmt>", f"/dataset/{a.pkg['name']}.{fmt}", "profiles", "govshare", None))
        for value in HOSTILE_STRINGS:
            if not isinstance(value, str) or len(value) > 5000:
                continue
            segment = quote(value, safe="", errors="surrogatepass")
            cases.append(("/dataset/<id>.ttl", f"/dataset/{segment}.ttl", "-", value, None))
            cases.append(("/govshare/vocabulary/<name>", f"/govshare/vocabulary/{segment}", "-", value, None))
            cases.append(("/govshare/code/<code>", f"/govshare/code/{segment}", "-", value, None))
            cases.append(("/application/<id>", f"/application/{segment}", "-", value, "citizen"))
            cases.append(("/dataset/<id>", f"/dataset/{segment}", "-", value, None))
        self.rng.shuffle(cases)
        seen, first, rest = set(), [], []
        for case in cases:
            (first if case[:3:2] not in seen else rest).append(case)
            seen.add(case[:3:2])
        for route, url, param, value, who in (first + rest)[:budget]:
            if self.out_of_time():
                return
            query = {} if param == "-" else {param: value}
            self.request("dcat", route, "get", url, who=who, label=f"{param}={_label(value)}",
                         query_string=query)


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_hostile_input_fuzzer(app, actors):
    fuzzer = Fuzzer(app, actors)
    fuzzer.plant()
    scale = min(1.0, MAX_REQUESTS / sum(BUDGET.values()))
    fuzzer.fuzz_actions(int(BUDGET["actions"] * scale))
    fuzzer.fuzz_search(int(BUDGET["search"] * scale))
    fuzzer.fuzz_dcat(int(BUDGET["dcat"] * scale))
    fuzzer.fuzz_forms(int(BUDGET["forms"] * scale))
    capped = fuzzer.stopped_early
    fuzzer.stopped_early = False  # the planted pages are always checked
    fuzzer.check_planted_pages()

    FUZZ_COVERAGE.update({
        "seed": SEED,
        "requests": dict(fuzzer.requests, total=sum(fuzzer.requests.values())),
        "statuses": {str(k): v for k, v in fuzzer.statuses.items()},
        "govshare actions fuzzed": {n: len(p) for n, p in fuzzer.action_params.items()},
        "routes": sorted(fuzzer.routes),
        "5xx": fuzzer.server_errors,
        "problems": len(fuzzer.problems),
        "seconds": round(time.monotonic() - fuzzer.started, 1),
        "wall-clock cap reached": capped,
    })
    assert fuzzer.action_params and all(fuzzer.action_params.values()), "every action documents its parameters"
    assert not fuzzer.problems, f"{len(fuzzer.problems)} problems:\n" + "\n".join(
        sorted(set(re.sub(r" as \S+", "", p)[:400] for p in fuzzer.problems))[:60])
