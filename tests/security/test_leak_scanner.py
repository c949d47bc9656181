# -*- coding: utf-8 -*-
"""The leak scanner (issue 11): the parameters an attacker controls, as every actor.

The route-derived matrix (tests/access/test_access.py) varies the routes; this scanner varies what a
caller controls. One world per module: three departments, one group, an actor of every kind
and one catalogue entry per allowed open × share combination, plus an entry that is a draft,
one that is private and one that is deleted. Every protected place of every entry carries a
unique marker:

- metadata (``zqm…``): title, English title, name, summaries, conditions and bases, contact,
  reviewer, usage requirements, data items, tags unique to the entry, resource names,
  descriptions and formats; besides the markers, the entry's id, its resource ids, its
  resource code and its activity ids are secrets of the entry;
- data (``zqd…``): resource URL, ``api_call``, ``api_description``, an uploaded file (its
  stored name and its content), a DataStore table (column and row).

The public entry's ``related_codes`` names the closed entries' codes. Then, as every actor:
every registered side-effect-free action over HTTP (GET and POST) with the parameters it
takes, package_search with ``fl``/``q``/``fq``/``facet.field``/``sort``/paging/
``include_*`` on every indexed Solr field, resource_search, the tag, user, organization and
group actions, the DataStore, DCAT, and every GET route of the Flask app with entry, resource,
activity ids substituted, including mismatched entry/resource pairs.

Expectations are written from the regulations, independently of ``ckanext.govshare.access``
(as in tests/access/test_access.py). A request fails when a response carries a secret the actor may
not have, when a count differs from what the actor may see, when a hidden entry answers
differently from one that does not exist (existence signal), or when adding one more hidden
entry (the canary) changes any number or list length an actor who cannot see it receives.
"""
from __future__ import annotations

import datetime
import io
import json
import re
import time
import urllib.parse
import urllib.request
import uuid
import zipfile
from collections import Counter, defaultdict
from typing import Any, Iterable, Optional

import pytest

import ckan.plugins as plugins
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.logic import _actions as registered_actions
from ckan.tests import factories, helpers

from tests.conftest import _truncate_govshare_tables
from tests.factories import LEVEL_EXTRAS, approve_pending, department, entry_data
from tests.security.conftest import LEAK_SCAN_COVERAGE as COVERAGE

ACTORS = ("anonymous", "citizen", "expired_holder", "revoked_holder", "grant_holder",
          "other_department", "granted_department", "provider_member", "sysadmin")
COMBOS = sorted(LEVEL_EXTRAS)  # (open_type, share_type)
CODE = {("unconditional", "unconditional"): "uu", ("conditional", "unconditional"): "cu",
        ("closed", "unconditional"): "xu", ("conditional", "conditional"): "cc",
        ("closed", "conditional"): "xc", ("closed", "none"): "xn"}
# Unpublished entries (levels unconditional/unconditional, so the levels alone would show
# them): a draft, a private and a deleted entry. Only the providing department (whose clerk
# is an editor and created them) and sysadmins may know them.
UNPUBLISHED = {"dr": "draft", "pr": "private", "de": "deleted"}
CANARY = "kn"  # closed / none, added by test_canary_changes_nothing_for_those_who_cannot_see_it
BOGUS_ID = "0badc0de-0000-4000-8000-00000000dead"
BOGUS_CODE = "203001/999999"
MARK_RE = re.compile(r"zq[md][a-z]+?(?:uu|cu|xu|cc|xc|xn|dr|pr|de|kn)z")
MAX_REPORTED = 400

# --- expectations (the spec, written out independently) --------------------------------------


def levels_of(code: str) -> tuple[str, str]:
    if code == CANARY:
        return ("closed", "none")
    if code in UNPUBLISHED:
        return ("unconditional", "unconditional")
    return next(c for c, k in CODE.items() if k == code)


def may_see(actor: str, code: str) -> bool:
    if actor in ("sysadmin", "provider_member"):
        return True
    if code in UNPUBLISHED:
        return False
    open_type, share_type = levels_of(code)
    if open_type in ("unconditional", "conditional"):
        return True
    if actor in ("other_department", "granted_department"):
        return share_type in ("unconditional", "conditional")
    return False


def may_have_data(actor: str, code: str) -> bool:
    if actor in ("sysadmin", "provider_member"):
        return True
    if code in UNPUBLISHED:
        return False
    open_type, share_type = levels_of(code)
    if open_type == "unconditional":
        return True
    if open_type == "conditional" and actor == "grant_holder":
        return True
    if actor == "other_department":
        return share_type == "unconditional"
    if actor == "granted_department":
        return share_type in ("unconditional", "conditional")
    return False


def mark(kind: str, what: str, code: str) -> str:
    """A unique marker: lower-case letters only, one token for every Solr analyser."""
    return f"zq{kind}{what}{code}z"


META_MARKS = ("title", "titleen", "name", "notes", "notesen", "ocond", "obasis", "scond", "sbasis",
              "contact", "email", "reviewer", "usage", "item", "itemdesc", "tag", "tagb", "resname",
              "resdesc", "fmt", "upname")
DATA_MARKS = ("url", "apicall", "apidesc", "upload", "file", "col", "row")


# --- the world --------------------------------------------------------------------------------


class World:
    def __init__(self, app) -> None:
        self.app = app
        self.users: dict[str, dict[str, Any]] = {}
        for actor in ACTORS:
            if actor == "anonymous":
                continue
            name = "scan-" + actor.replace("_", "-")
            self.users[actor] = (factories.Sysadmin(name=name) if actor == "sysadmin"
                                 else factories.User(name=name, fullname=f"扫描 {actor}"))
        self.tokens = {a: factories.APIToken(user=u["id"])["token"] for a, u in self.users.items()}
        self.provider = department(name="scan-provider", users=[
            {"name": self.users["provider_member"]["name"], "capacity": "editor"}])
        self.other_org = department(name="scan-other", title="市卫健委", users=[
            {"name": self.users["other_department"]["name"], "capacity": "editor"}])
        self.granted_org = department(name="scan-granted", title="市规划局", users=[
            {"name": self.users["granted_department"]["name"], "capacity": "member"}])
        self.group = factories.Group(name="scan-group", title="扫描专题")
        self.entries: dict[str, dict[str, Any]] = {}
        self.secrets: dict[str, dict[str, set[str]]] = {}  # code -> {"meta": …, "data": …}
        self.activities: dict[str, list[str]] = {}
        self.labels: dict[str, str] = {}
        self.tags: dict[str, list[str]] = {}
        self.uploads: dict[str, tuple[str, str]] = {}  # code -> (resource id, file name)
        self._seq = 0
        for combo in COMBOS:
            self.add_entry(CODE[combo])
        for code in UNPUBLISHED:
            self.add_entry(code)
        self.grants()
        # the public entry names the closed entries' codes (chongqing-2018 §9 关联资源代码)
        uu = self.entries["uu"]
        closed_codes = [self.entries[c]["resource_code"] for c in ("xn", "xc", "xu")]
        self.call("package_patch", id=uu["id"], related_codes=", ".join(closed_codes))
        approve_pending(uu["id"])  # the department's change is published once approved (shenyang-2016 §12)
        self.refresh()

    # helpers

    def headers(self, actor: str) -> dict[str, str]:
        return {} if actor == "anonymous" else {"Authorization": self.tokens[actor]}

    def call(self, action: str, as_: str = "provider_member", **data: Any) -> Any:
        return helpers.call_action(action, context={"user": self.users[as_]["name"], "ignore_auth": False}, **data)

    def add_entry(self, code: str) -> dict[str, Any]:
        self._seq += 1
        open_type, share_type = levels_of(code)
        extras = dict(LEVEL_EXTRAS[(open_type, share_type)])
        m = lambda what: mark("m", what, code)  # noqa: E731
        d = lambda what: mark("d", what, code)  # noqa: E731
        for key in ("open_condition", "open_basis", "share_condition", "share_basis"):
            if key in extras:
                short = {"open_condition": "ocond", "open_basis": "obasis",
                         "share_condition": "scond", "share_basis": "sbasis"}[key]
                extras[key] = f"{extras[key]} {m(short)}"
        tags = [m("tag"), m("tagb")]
        data = entry_data(
            self.provider, name=m("name"), title=f"公交线路 {m('title')}", title_en=f"Bus {m('titleen')}",
            resource_code=f"203001/7770{self._seq:02d}", notes=f"全市公交线路 {m('notes')}",
            notes_en=f"Bus routes {m('notesen')}", open_type=open_type, share_type=share_type,
            contact_name=m("contact"), contact_email=f"{m('email')}@example.gov.cn",
            secrecy_reviewer=m("reviewer"), usage_requirements=f"仅限 {m('usage')}",
            data_items=[{"item_name": m("item"), "item_type": "C", "item_description": m("itemdesc")}],
            tags=[{"name": t} for t in tags],
            resources=[{
                "name": m("resname"), "description": f"接口 {m('resdesc')}", "format": m("fmt"),
                "url": f"https://data.example.gov.cn/{d('url')}.csv", "access_method": "api",
                "api_description": f"参数 {d('apidesc')}", "api_call": f"GET https://api.example.gov.cn/{d('apicall')}",
            }],
            **extras)
        if code == "pr":
            data["private"] = True
        if code == "dr":
            data["state"] = "draft"
        pkg = self.call("package_create", **data)
        if code not in ("pr", "dr"):
            # the department's entry is published once the authority approves it (shenyang-2016 §12)
            approve_pending(pkg["id"])
        # an uploaded file, multipart through the API as the providing department's clerk
        filename = f"{d('upload')}.csv"
        resp = self.app.post("/api/3/action/resource_create", headers=self.headers("provider_member"), data={
            "package_id": pkg["id"], "name": m("upname"), "format": "CSV",
            "upload": (io.BytesIO(f"线路,站点\n1,{d('file')}\n".encode("utf-8")), filename)},
            content_type="multipart/form-data", status=None)
        assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
        upload = resp.json["result"]
        assert upload.get("url_type") == "upload" and filename in upload["url"], upload
        self.uploads[code] = (upload["id"], filename)
        # a DataStore table with a marker column and row
        helpers.call_action("datastore_create", context={"user": self.users["sysadmin"]["name"]},
                            resource_id=pkg["resources"][0]["id"], force=True,
                            fields=[{"id": d("col"), "type": "text"}], records=[{d("col"): d("row")}])
        helpers.call_action("member_create", context={"user": self.users["sysadmin"]["name"]},
                            id=self.group["id"], object=pkg["id"], object_type="package", capacity="public")
        if code == "de":
            self.call("package_delete", id=pkg["id"])
        self.entries[code] = helpers.call_action("package_show", context={"user": self.users["sysadmin"]["name"]},
                                                 id=pkg["id"])
        self.tags[code] = tags
        return self.entries[code]

    def grants(self) -> None:
        from ckanext.govshare.model import Grant

        for code, pkg in self.entries.items():
            open_type, share_type = levels_of(code)
            if code in UNPUBLISHED or code == CANARY:
                continue
            if open_type == "conditional":
                self.call("govshare_grant_create", "sysadmin", package_id=pkg["id"], kind="open",
                          user_id=self.users["grant_holder"]["id"])
                expired = self.call("govshare_grant_create", "sysadmin", package_id=pkg["id"], kind="open",
                                    user_id=self.users["expired_holder"]["id"], expires_at="2099-01-01T00:00:00")
                model.Session.query(Grant).filter_by(id=expired["id"]).update(
                    {"expires_at": datetime.datetime.utcnow() - datetime.timedelta(seconds=1)})
                model.Session.commit()
                revoked = self.call("govshare_grant_create", "sysadmin", package_id=pkg["id"], kind="open",
                                    user_id=self.users["revoked_holder"]["id"])
                self.call("govshare_grant_revoke", "sysadmin", id=revoked["id"], reason="违反使用协议")
            if share_type == "conditional":
                self.call("govshare_grant_create", "sysadmin", package_id=pkg["id"], kind="share",
                          organization_id=self.granted_org["id"])

    def refresh(self) -> None:
        """Recompute the secrets of every entry (ids, codes, activities, markers)."""
        table = model.meta.metadata.tables["activity"]
        for code, pkg in self.entries.items():
            rows = model.Session.execute(table.select().where(table.c.object_id == pkg["id"])
                                         .order_by(table.c.timestamp)).all()
            self.activities[code] = [r.id for r in rows]
            meta = {mark("m", w, code) for w in META_MARKS} | {pkg["id"], pkg["resource_code"]}
            meta |= {r["id"] for r in pkg["resources"]} | set(self.activities[code])
            data = {mark("d", w, code) for w in DATA_MARKS}
            self.secrets[code] = {"meta": meta, "data": data}
            self.labels.update({mark("m", w, code): w for w in META_MARKS})
            self.labels.update({mark("d", w, code): w for w in DATA_MARKS})
            self.labels.update({pkg["id"]: "entry id", pkg["resource_code"]: "resource code"})
            self.labels.update({r["id"]: "resource id" for r in pkg["resources"]})
            self.labels.update({a: "activity id" for a in self.activities[code]})

    def resource_ids(self, code: str) -> list[str]:
        return [r["id"] for r in self.entries[code]["resources"]]

    def visible_count(self, actor: str, include_private: bool = False) -> int:
        """Entries the actor may know of that a default search lists (active; private ones
        only with ``include_private``)."""
        return sum(may_see(actor, c) for c in self.entries
                   if c not in ("de", "dr") and (include_private or c != "pr"))


# --- the scanner ----------------------------------------------------------------------------


def _zip_text(raw: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    except Exception:  # noqa: BLE001
        return ""


class Scanner:
    def __init__(self, world: World) -> None:
        self.world = world
        self.app = world.app
        self.requests = 0
        self.seconds = 0.0
        self.leaks: Any = None
        self.unpublished: Any = defaultdict(lambda: defaultdict(lambda: (set(), set())))
        self.errors: Counter = Counter()
        self.ran: set[str] = set()
        self.begin("setup")

    def begin(self, test: str) -> None:
        """Each test reports its own leaks."""
        self.leaks = defaultdict(lambda: defaultdict(lambda: (set(), set())))
        self.errors = Counter()
        self._started, self._requests_at = time.monotonic(), self.requests
        self._test = test

    def end(self) -> None:
        self.ran.add(self._test)
        COVERAGE.setdefault("requests by test", {})[self._test] = (
            f"{self.requests - self._requests_at} in {time.monotonic() - self._started:.0f}s")

    def leak(self, category: str, actor: str, request: str, detail: str, secret: str = "",
             code: Optional[str] = None) -> None:
        """One leak; leaks of the same request and detail are reported once with every actor
        (and every secret) they reach. Leaks about the unpublished entries (draft, private,
        deleted) are kept apart for test_unpublished_entries_leave_no_trace."""
        store = self.unpublished if code in UNPUBLISHED else self.leaks
        actors, secrets = store[category][(request, detail)]
        actors.add(actor)
        if secret:
            secrets.add(secret)

    def fetch(self, actor: str, method: str, url: str, *, params: Any = None, json_body: Any = None,
              label: Optional[str] = None) -> tuple[int, str, Any]:
        """Send one request as ``actor``; scan the whole response for secrets."""
        kwargs: dict[str, Any] = {"headers": self.world.headers(actor), "status": None, "follow_redirects": False}
        if method == "get" and params is not None:
            kwargs["query_string"] = params
        if json_body is not None:
            kwargs["json"] = json_body
        started = time.monotonic()
        try:
            resp = getattr(self.app, method)(url, **kwargs)
            status, raw = resp.status_code, resp.get_data()
            location = resp.headers.get("Location", "")
        except Exception as e:  # noqa: BLE001 - the test client re-raises what would be a 500
            status, raw, location = 500, f"{type(e).__name__}: {e}".encode(), ""
        self.seconds += time.monotonic() - started
        self.requests += 1
        COVERAGE.setdefault("actors", set()).add(actor)
        body = raw.decode("utf-8", "replace")
        if raw[:4] == b"PK\x03\x04":
            body += _zip_text(raw)
        body += "\n" + urllib.parse.unquote(location)
        request = label or self.describe(method, url, params, json_body)
        self.scan(actor, request, body)
        if status >= 500:
            self.errors[(actor, request)] += 1
        data = None
        if body.lstrip().startswith("{"):
            try:
                data = json.loads(raw)
            except ValueError:
                data = None
        return status, body, data

    @staticmethod
    def describe(method: str, url: str, params: Any, json_body: Any) -> str:
        if params:
            url += "?" + urllib.parse.urlencode(params, doseq=True)
        if json_body is not None:
            url += " " + json.dumps(json_body, ensure_ascii=False, sort_keys=True)
        return f"{method.upper()} {urllib.parse.unquote(url)}"

    def scan(self, actor: str, request: str, body: str) -> None:
        """Every secret in ``body`` the actor may not have (secrets the request itself carries
        are not leaks: an error message may echo them)."""
        asked = urllib.parse.unquote(request)
        labels = self.world.labels
        for code, secrets in self.world.secrets.items():
            see, data = may_see(actor, code), may_have_data(actor, code)
            if see and data:
                continue
            pool = secrets["data"] if see else secrets["meta"] | secrets["data"]
            for secret in pool:
                if secret in asked:
                    continue
                if secret in body or ("/" in secret and urllib.parse.quote(secret, safe="") in body):
                    if secret in secrets["data"]:
                        self.leak("data in response", actor, request, f"withheld data of {code}", labels[secret], code)
                    else:
                        self.leak("hidden entry in response", actor, request, f"hidden entry {code}",
                                  labels[secret], code)

    # API helpers

    def action(self, actor: str, name: str, data: dict[str, Any], method: str = "get") -> tuple[int, Any]:
        COVERAGE.setdefault("actions", set()).add(name)
        for key, value in data.items():
            COVERAGE.setdefault("parameters", set()).add(f"{name}:{key}")
        url = f"/api/3/action/{name}"
        if method == "get":
            params = {k: (json.dumps(v) if isinstance(v, (list, dict)) else
                          ("true" if v is True else "false" if v is False else v)) for k, v in data.items()}
            status, body, parsed = self.fetch(actor, "get", url, params=params)
        else:
            status, body, parsed = self.fetch(actor, "post", url, json_body=data)
        return status, parsed

    def result(self, actor: str, name: str, data: dict[str, Any], method: str = "get") -> Any:
        status, parsed = self.action(actor, name, data, method)
        if status == 200 and isinstance(parsed, dict):
            return parsed.get("result")
        return None

    def report(self, *categories: str, store: Any = None) -> list[str]:
        lines = []
        store = self.leaks if store is None else store
        for category in categories:
            for (request, detail), (actors, secrets) in sorted(store.get(category, {}).items()):
                who = "everyone but sysadmin" if len(actors) >= len(ACTORS) - 1 else ", ".join(
                    a for a in ACTORS if a in actors)
                what = f" [{', '.join(sorted(secrets))}]" if secrets else ""
                lines.append(f"[{category}] {request} -> {detail}{what} — to {who}")
        return lines


def _solr_fields() -> dict[str, dict[str, Any]]:
    """Every field of the Solr core: declared, dynamic (as used in the index) and copy targets,
    read over HTTP from the core (``/schema/fields`` and Luke)."""
    base = tk.config["solr_url"].rstrip("/")
    fields: dict[str, dict[str, Any]] = {}
    with urllib.request.urlopen(f"{base}/schema/fields?wt=json&showDefaults=true", timeout=10) as r:
        for f in json.load(r)["fields"]:
            fields[f["name"]] = {"type": f["type"], "indexed": f.get("indexed", True), "stored": f.get("stored", True)}
    with urllib.request.urlopen(f"{base}/admin/luke?numTerms=0&wt=json", timeout=10) as r:
        for name, info in json.load(r)["fields"].items():
            flags = info.get("schema") or ""
            fields.setdefault(name, {"type": info.get("type"), "indexed": flags[:1] == "I",
                                     "stored": "S" in flags[:3]})
    return fields


NON_TEXT_TYPES = ("date", "pdate", "pdates", "int", "pint", "pints", "long", "plong", "plongs", "float",
                  "pfloat", "pfloats", "double", "pdouble", "pdoubles", "boolean", "booleans", "binary")


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def scanner(reset_db, migrate_db_for, reset_index):
    """The world, built once for the module (the equivalent of with_plugins + clean_db +
    clean_index, which are function-scoped)."""
    plugins.load_all()
    model.Session.remove()
    _truncate_govshare_tables()
    reset_db()
    migrate_db_for("activity")
    migrate_db_for("govshare")
    reset_index()
    started = time.monotonic()
    app = helpers._get_test_app()
    world = World(app)
    from ckanext.govshare.access import rules as _access

    COVERAGE["world"] = (f"{len(world.entries)} entries, {len(ACTORS)} actors, built in "
                         f"{time.monotonic() - started:.1f}s; ckanext.govshare from "
                         f"{_access.__file__.rsplit('/ckanext/', 1)[0]}")
    scanner = Scanner(world)
    yield scanner
    COVERAGE["requests"] = COVERAGE.get("requests", 0) + scanner.requests
    COVERAGE["request seconds"] = round(COVERAGE.get("request seconds", 0) + scanner.seconds, 1)
    plugins.unload_all()


def _fail_on(scanner: Scanner, *categories: str) -> None:
    scanner.end()
    lines = scanner.report(*categories)
    COVERAGE.setdefault("leaks by test", {})[scanner._test] = len(lines)
    if lines:
        more = f"\n… and {len(lines) - MAX_REPORTED} more" if len(lines) > MAX_REPORTED else ""
        pytest.fail(f"{len(lines)} leak(s):\n" + "\n".join(lines[:MAX_REPORTED]) + more, pytrace=False)


ALL_CATEGORIES = ("data in response", "hidden entry in response", "count", "existence signal", "server error",
                  "search match", "canary")


def _drain_errors(scanner: Scanner) -> None:
    for (actor, request), n in scanner.errors.items():
        scanner.leak("server error", actor, request, "500")
    scanner.errors.clear()


# --- 1. every side-effect-free action ------------------------------------------------------------

ENTRY_PARAM_ACTIONS = {  # action -> the parameter naming the entry
    "package_show": "id", "package_activity_list": "id", "dataset_follower_count": "id",
    "dataset_follower_list": "id", "am_following_dataset": "id", "package_relationships_list": "id",
    "dcat_dataset_show": "id", "govshare_grant_list": "package_id", "package_collaborator_list": "id",
    "group_package_show": None, "member_list": None,
}
RESOURCE_PARAM_ACTIONS = {"resource_show": "id", "resource_view_list": "id", "datastore_search": "resource_id",
                          "datastore_info": "id"}
ACTIVITY_PARAM_ACTIONS = {"activity_show": "id", "activity_data_show": "id", "activity_diff": "id"}


def _global_params(world: World, name: str) -> list[dict[str, Any]]:
    """Plausible parameters for an action that does not name one entry."""
    provider, group = world.provider["name"], world.group["name"]
    user = world.users["provider_member"]["name"]
    table = {
        "package_search": [{}, {"rows": 1000, "include_private": True, "include_drafts": True}],
        "package_list": [{}], "current_package_list_with_resources": [{"limit": 1000}],
        "package_autocomplete": [{"q": "zqm"}, {"q": "公交"}],
        "resource_search": [{"query": "name:zqm"}, {"query": "url:https"}, {"query": "url:zqd", "limit": 0},
                            {"query": ["name:zqm"], "order_by": "url"}],
        "tag_list": [{}, {"all_fields": True}, {"query": "zqm"}],
        "tag_search": [{"query": "zqm"}, {"query": "zqm", "limit": 0}],
        "tag_autocomplete": [{"q": "zqm", "limit": 100}], "format_autocomplete": [{"q": "zqm", "limit": 100}],
        "user_show": [{"id": user, "include_datasets": True, "include_num_followers": True}],
        "user_list": [{}, {"q": "scan", "order_by": "number_created_packages"}],
        "user_autocomplete": [{"q": "scan"}],
        "organization_list": [{"all_fields": True, "include_dataset_count": True}],
        "organization_show": [{"id": provider, "include_datasets": True}],
        "organization_autocomplete": [{"q": "scan"}],
        "organization_list_for_user": [{"permission": "read"}],
        "organization_activity_list": [{"id": provider, "limit": 100}],
        "organization_follower_count": [{"id": provider}], "organization_follower_list": [{"id": provider}],
        "group_list": [{"all_fields": True, "include_dataset_count": True}],
        "group_show": [{"id": group, "include_datasets": True}],
        "group_package_show": [{"id": group, "limit": 100}],
        "group_activity_list": [{"id": group, "limit": 100}],
        "group_autocomplete": [{"q": "scan"}], "group_follower_count": [{"id": group}],
        "group_follower_list": [{"id": group}], "group_list_authz": [{}],
        "member_list": [{"id": group, "object_type": "package"}, {"id": provider, "object_type": "package"}],
        "user_activity_list": [{"id": user, "limit": 100}],
        "recently_changed_packages_activity_list": [{"limit": 100}], "dashboard_activity_list": [{"limit": 100}],
        "datastore_search": [{"resource_id": "_table_metadata", "limit": 1000}],
        "datastore_info": [{"id": "_table_metadata"}],
        "dcat_catalog_show": [{"format": "ttl"}], "dcat_catalog_search": [{"q": "zqm", "format": "jsonld"}],
        "dcat_datasets_list": [{}], "govshare_grant_list": [{}],
        "followee_list": [{"id": user}], "user_followee_list": [{"id": user}], "followee_count": [{"id": user}],
        "am_following_user": [{"id": user}], "am_following_group": [{"id": group}],
        "help_show": [{"name": "package_search"}], "vocabulary_show": [{"id": "none"}],
        "config_option_show": [{"key": "ckan.site_title"}], "term_translation_show": [{"terms": ["zqm"]}],
        "task_status_show": [{"entity_id": BOGUS_ID, "task_type": "x", "key": "y"}],
        "govshare_application_list": [{}], "api_token_list": [{"user_id": user}],
        "package_collaborator_list_for_user": [{"id": user}],
        "scheming_dataset_schema_show": [{"type": "dataset"}],
        "scheming_organization_schema_show": [{"type": "organization"}],
    }
    return table.get(name, [{}])


def _entry_params(world: World, name: str, code: Optional[str]) -> list[dict[str, Any]]:
    """Parameters naming one entry (``code``), or a nonexistent one (None)."""
    pid = world.entries[code]["id"] if code else BOGUS_ID
    rids = world.resource_ids(code) if code else [BOGUS_ID]
    acts = world.activities[code][:2] if code else [BOGUS_ID]
    if name in ENTRY_PARAM_ACTIONS and ENTRY_PARAM_ACTIONS[name]:
        key = ENTRY_PARAM_ACTIONS[name]
        out = [{key: pid}]
        if name == "package_show" and code:
            out.append({"id": world.entries[code]["name"], "use_default_schema": True})
        if name == "dcat_dataset_show":
            out = [{"id": pid, "format": "jsonld"}]
        return out
    if name in RESOURCE_PARAM_ACTIONS:
        return [{RESOURCE_PARAM_ACTIONS[name]: rid} for rid in rids]
    if name in ACTIVITY_PARAM_ACTIONS:
        if name == "activity_diff":
            return [{"id": a, "object_type": "package", "diff_type": "unified"} for a in acts]
        return [{"id": a} for a in acts]
    if name in ("tag_show", "tag_show_packages"):
        tags = world.tags[code] if code else ["zqmnosuchtagz"]
        return [{"id": tags[0], "include_datasets": True}]
    if name == "resource_view_show":
        return [{"id": BOGUS_ID}]
    if name == "govshare_application_show" or name == "govshare_application_event_list":
        return [{"id": BOGUS_ID}]
    return []


def _read_actions() -> list[str]:
    tk.get_action("package_show")  # build the registry
    return sorted(n for n, fn in registered_actions.items() if getattr(fn, "side_effect_free", False))


def test_every_read_action_as_every_actor(scanner: Scanner) -> None:
    """Every side-effect-free action, GET and POST, with global and per-entry parameters; a
    hidden entry must answer exactly as a nonexistent one."""
    scanner.begin("test_every_read_action_as_every_actor")
    world = scanner.world
    actions = _read_actions()
    COVERAGE["registered side-effect-free actions"] = len(actions)
    codes = list(world.entries)
    for actor in ACTORS:
        for name in actions:
            for i, data in enumerate(_global_params(world, name)):
                for method in (("get", "post") if i == 0 else ("get",)):
                    scanner.action(actor, name, data, method)
            bogus = {}
            for i, params in enumerate(_entry_params(world, name, None)):
                bogus[i] = scanner.action(actor, name, params, "get")
            if not bogus:
                continue
            for code in codes:
                for i, params in enumerate(_entry_params(world, name, code)):
                    method = "post" if (i + codes.index(code)) % 2 else "get"
                    status, parsed = scanner.action(actor, name, params, method)
                    if not may_see(actor, code) and i in bogus:
                        _compare_existence(scanner, actor, f"{method.upper()} {name} {params}", code,
                                           (status, parsed), bogus[i], params)
    _drain_errors(scanner)
    _fail_on(scanner, *ALL_CATEGORIES)


def _error_shape(parsed: Any, params: dict[str, Any]) -> Any:
    if not isinstance(parsed, dict):
        return None
    error = parsed.get("error")
    if error is None:
        return ("result", type(parsed.get("result")).__name__)
    text = json.dumps(error, sort_keys=True, ensure_ascii=False)
    for value in params.values():
        if isinstance(value, str) and value:
            text = text.replace(value, "<ID>")
    return re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<ID>", text)


def _compare_existence(scanner: Scanner, actor: str, request: str, code: str, hidden: tuple[int, Any],
                       bogus: tuple[int, Any], params: dict[str, Any]) -> None:
    if hidden[0] != bogus[0]:
        scanner.leak("existence signal", actor, request, f"{hidden[0]} for hidden entry {code}, "
                                                         f"{bogus[0]} for a nonexistent one", code=code)
    elif _error_shape(hidden[1], params) != _error_shape(bogus[1], params):
        scanner.leak("existence signal", actor, request, f"answer for hidden entry {code} differs from a "
                                                         f"nonexistent one: {_error_shape(hidden[1], params)} vs "
                                                         f"{_error_shape(bogus[1], params)}", code=code)


# --- 2. package_search with the parameters an attacker controls ---------------------------------

FL_VALUES = (
    "*", "id,name,data_dict", "id,validated_data_dict", "data_dict", "validated_data_dict",
    "x:data_dict", "x:validated_data_dict", "id,x:data_dict,y:validated_data_dict", "id,res_url", "id,x:res_url",
    "id,urls", "id,res_*", "id,*url*", "id,res_extras_*", "id,extras_*", "id,text", "id,download_url",
    "id,validated_data_dict:[json]", "id,data_dict:[json]", "id,x:[json]", "id,s:[subquery]",
    "id,field(res_url)", "id,u:field(res_url)", "id,[docid],[explain]", "id,[child]", "id,name,res_name,res_description",
    "id,*", "id,permission_labels", "id,x:data_dict,open_type,share_type,owner_org",
)


def _search(scanner: Scanner, actor: str, data: dict[str, Any], method: str = "get") -> tuple[int, Any]:
    status, parsed = scanner.action(actor, "package_search", data, method)
    for key, value in data.items():
        COVERAGE.setdefault("package_search parameters", set()).add(key)
    return status, (parsed or {}).get("result") if isinstance(parsed, dict) else None


def _ids_of(result: Any) -> list[str]:
    out = []
    for row in (result or {}).get("results") or []:
        if isinstance(row, dict):
            out.append(row.get("id") or row.get("name"))
        else:
            out.append(row)
    return out


def _code_of(world: World, ident: str) -> Optional[str]:
    for code, pkg in world.entries.items():
        if ident in (pkg["id"], pkg["name"]):
            return code
    return None


def test_search_parameters_as_every_actor(scanner: Scanner) -> None:
    scanner.begin("test_search_parameters_as_every_actor")
    world = scanner.world
    fields = _solr_fields()
    COVERAGE["solr fields"] = len(fields)
    indexed = sorted(n for n, f in fields.items() if f["indexed"] and not n.startswith("_") and n != "*")
    textual = [n for n in indexed if fields[n]["type"] not in NON_TEXT_TYPES]
    stored = sorted(n for n, f in fields.items() if f["stored"] and "*" not in n)
    COVERAGE["solr fields probed (q, fq, facet.field, sort)"] = len(indexed)
    for actor in ACTORS:
        expected = world.visible_count(actor)
        # counts: rows=0 and every include_* switch
        for extra in ({}, {"include_private": True}, {"include_drafts": True},
                      {"include_private": True, "include_drafts": True, "include_deleted": True},
                      {"fq": "+state:(active OR draft OR deleted)"}, {"fq": "+state:*", "include_private": True},
                      {"q": "*:*", "fq": "+capacity:private"}, {"q": "text:zqm*"}, {"q": "zqm*"}):
            for method in ("get", "post"):
                status, result = _search(scanner, actor, dict(rows=0, **extra), method)
                if result is None:
                    continue
                seen = [c for c in world.entries if may_see(actor, c)
                        and (c not in ("de", "dr", "pr") or actor in ("sysadmin", "provider_member"))]
                limit = len(seen)
                if result["count"] > limit:
                    scanner.leak("count", actor, f"package_search {extra} rows=0",
                                 f"count {result['count']}, may know of {limit}")
        status, result = _search(scanner, actor, {"rows": 0})
        if result is not None and result["count"] != expected:
            scanner.leak("count", actor, "package_search rows=0", f"count {result['count']}, expected {expected}")
        # parameters CKAN does not pass to Solr must be refused, not passed on
        for odd in ({"facet.query": "res_url:*zqd*"}, {"facet.pivot": "res_url"}, {"hl": "true", "hl.fl": "*"},
                    {"stats": "true", "stats.field": "res_url"}, {"group": "true", "group.field": "res_url"},
                    {"debugQuery": "true", "q": "res_url:*zqd*"}, {"df": "res_url", "q": "*zqd*"},
                    {"qf": "res_url urls text", "q": "zqd*", "defType": "edismax"},
                    {"q": "{!lucene}res_url:*zqd*"}, {"fq": "{!frange l=1}exists(res_url)"},
                    {"q": "_query_:\"res_url:*zqd*\""}, {"boost": "exists(res_url)", "q": "公交"},
                    {"sort": "exists(res_url) desc", "fl": "id", "rows": 1}, {"mm": "0", "q": "zqd* 公交"}):
            _search(scanner, actor, dict(odd, fl=odd.get("fl", "id,name"), rows=odd.get("rows", 1000)))
        # fl
        chunks = [",".join(["id"] + stored[i:i + 8]) for i in range(0, len(stored), 8)]
        for fl in FL_VALUES + tuple(chunks):
            COVERAGE.setdefault("fl values", set()).add(fl)
            _search(scanner, actor, {"fl": fl, "rows": 1000, "include_private": True, "include_drafts": True})
        _search(scanner, actor, {"fl": ["id", "data_dict", "validated_data_dict"], "rows": 1000}, "post")
        _search(scanner, actor, {"use_default_schema": True, "rows": 1000})
        _search(scanner, actor, {"rows": 1000, "include_private": True, "include_drafts": True})
        # q and fq on every indexed field, with data and metadata marker prefixes
        if actor in ("sysadmin", "provider_member"):
            continue  # they may have everything: the per-field probes cannot find a leak for them
        for field in indexed:
            probes = []
            if field in textual:
                probes += [("q", f"{field}:*zqd*", "data"), ("q", f"{field}:*zqm*", "meta")]
                if "url" in field or "extras" in field or field == "text":
                    probes += [("fq", f"{field}:*zqd*", "data"), ("q", f"{field}:zqd*", "data")]
            probes.append(("fq", f"{field}:*", "exists"))
            for param, value, kind in probes:
                data = {param: value, "fl": "id,name", "rows": 1000, "include_private": True,
                        "include_drafts": True}
                status, result = _search(scanner, actor, data)
                if result is None:
                    continue
                COVERAGE.setdefault("q/fq probes", set()).add(f"{param}={value}")
                ids = _ids_of(result)
                if result["count"] > len(ids):
                    scanner.leak("count", actor, f"package_search {param}={value}",
                                 f"count {result['count']} but {len(ids)} results")
                if kind == "data":
                    for ident in ids:
                        code = _code_of(world, ident)
                        if code and not may_have_data(actor, code):
                            scanner.leak("search match", actor, f"package_search {param}={value}",
                                         f"matches the withheld data of {code}", code=code)
            # facets on the field, every value
            _search(scanner, actor, {"facet.field": json.dumps([field]), "facet.limit": -1, "rows": 0,
                                     "facet.mincount": 1, "include_private": True, "include_drafts": True})
            # sort and paging on the field (single-valued fields sort)
            if field not in textual:
                _search(scanner, actor, {"sort": f"{field} asc", "fl": "id,name", "rows": 2, "start": 1})
        # facet counts: no facet counts more entries than the actor may see
        facet_fields = [f for f in indexed if fields[f]["type"] in ("string",)]
        status, result = _search(scanner, actor, {"facet.field": json.dumps(facet_fields), "facet.limit": -1,
                                                  "rows": 0, "include_private": True, "include_drafts": True})
        if result:
            for field, facet in (result.get("search_facets") or {}).items():
                total = sum(i["count"] for i in facet["items"])
                if field in ("open_type", "share_type", "organization", "state", "dataset_type") and total > expected:
                    scanner.leak("count", actor, f"package_search facet.field={field}",
                                 f"counts {total}, may see {expected}")
        # paging: every page together is exactly what the actor may see
        pages = []
        for start in range(0, 12, 3):
            status, result = _search(scanner, actor, {"rows": 3, "start": start, "fl": "id", "sort": "name asc"})
            pages += _ids_of(result)
        if len(pages) != expected:
            scanner.leak("count", actor, "package_search rows=3 start=0..9",
                         f"{len(pages)} entries, expected {expected}")
    _drain_errors(scanner)
    _fail_on(scanner, *ALL_CATEGORIES)


# --- 3. resource_search, tags, users, departments, groups, DataStore: their counts ---------------


def test_counts_as_every_actor(scanner: Scanner) -> None:
    scanner.begin("test_counts_as_every_actor")
    world = scanner.world
    provider_user = world.users["provider_member"]["name"]
    published = [c for c in world.entries if c not in UNPUBLISHED]
    for actor in ACTORS:
        expected = world.visible_count(actor, include_private=True)
        visible = [c for c in world.entries if may_see(actor, c) and c != "de"]
        data_codes = [c for c in visible if may_have_data(actor, c)]
        # resource_search: counts only what the actor may see; URLs only of data they may have
        for query, allowed in ((f"name:zqmresname", len([c for c in visible if c != "dr"])),
                               ("url:https://data.example.gov.cn/zqd", len([c for c in data_codes if c != "dr"])),
                               ("url:zqdurl", len([c for c in data_codes if c != "dr"]))):
            for extra in ({}, {"limit": 0}, {"order_by": "url"}):
                result = scanner.result(actor, "resource_search", dict(query=query, **extra))
                COVERAGE.setdefault("resource_search queries", set()).add(f"{query} {extra}")
                if result is not None and result["count"] > allowed:
                    scanner.leak("count", actor, f"resource_search query={query} {extra}",
                                 f"count {result['count']}, may know of {allowed}")
        for code in published:
            for what in ("url", "apicall", "upload"):
                result = scanner.result(actor, "resource_search", {"query": f"url:{mark('d', what, code)}", "limit": 0})
                if result and result["count"] and not may_have_data(actor, code):
                    scanner.leak("count", actor, f"resource_search query=url:{mark('d', what, code)} limit=0",
                                 f"count {result['count']} reveals the withheld URL of {code}", code=code)
        # tags: only the tags of entries the actor may see
        tags = scanner.result(actor, "tag_list", {}) or []
        for code in world.entries:
            for tag in world.tags[code]:
                if tag in tags and not may_see(actor, code):
                    scanner.leak("hidden entry in response", actor, "tag_list", f"tag {tag} of hidden {code}",
                                 code=code)
        for code in world.entries:
            bogus = scanner.action(actor, "tag_show", {"id": "zqmnosuchtagz"})
            for name in ("tag_show", "tag_autocomplete", "tag_search"):
                params = ({"id": world.tags[code][0]} if name == "tag_show" else
                          {"q": world.tags[code][0]} if name == "tag_autocomplete" else {"query": world.tags[code][0]})
                status, parsed = scanner.action(actor, name, params)
                if name == "tag_show" and not may_see(actor, code):
                    _compare_existence(scanner, actor, f"tag_show {params}", code, (status, parsed), bogus, params)
                result = (parsed or {}).get("result") if isinstance(parsed, dict) else None
                if name == "tag_search" and result and result.get("count") and not may_see(actor, code):
                    scanner.leak("count", actor, f"tag_search query={world.tags[code][0]}",
                                 f"count {result['count']} for a tag of hidden {code}", code=code)
        # the clerk's created entries
        user = scanner.result(actor, "user_show", {"id": provider_user})
        if user is not None:
            mine = len([c for c in world.entries if may_see(actor, c) and c != "de"])
            if user.get("number_created_packages", 0) > mine:
                scanner.leak("count", actor, f"user_show id={provider_user}",
                             f"number_created_packages {user['number_created_packages']}, may know of {mine}")
        users = scanner.result(actor, "user_list", {"q": provider_user}) or []
        for u in users:
            if isinstance(u, dict) and u.get("number_created_packages", 0) > expected:
                scanner.leak("count", actor, f"user_list q={provider_user}",
                             f"number_created_packages {u['number_created_packages']}, may know of {expected}")
        # departments and groups
        for name, params in (("organization_list", {"all_fields": True}),
                             ("organization_list", {"all_fields": True, "include_dataset_count": True}),
                             ("group_list", {"all_fields": True}),
                             ("organization_list_for_user", {"permission": "read"})):
            for org in scanner.result(actor, name, params) or []:
                if isinstance(org, dict) and org.get("name") in ("scan-provider", "scan-group") \
                        and org.get("package_count", 0) > expected:
                    scanner.leak("count", actor, f"{name} {params}",
                                 f"{org['name']} package_count {org['package_count']}, may see {expected}")
        for name, ident in (("organization_show", "scan-provider"), ("group_show", "scan-group")):
            shown = scanner.result(actor, name, {"id": ident, "include_datasets": True})
            if shown and shown.get("package_count", 0) > expected:
                scanner.leak("count", actor, f"{name} id={ident}",
                             f"package_count {shown['package_count']}, may see {expected}")
        # DataStore: the table list names only tables of data the actor may have
        for params in ({"resource_id": "_table_metadata", "limit": 1000},
                       {"resource_id": "_table_metadata", "limit": 0, "include_total": True},
                       {"resource_id": "_table_metadata", "q": "zqd", "limit": 1000}):
            scanner.action(actor, "datastore_search", params)
        scanner.action(actor, "datastore_search_sql", {"sql": 'SELECT * FROM "_table_metadata"'})
        for code in world.entries:
            rid = world.resource_ids(code)[0]
            scanner.action(actor, "datastore_search_sql", {"sql": f'SELECT * FROM "{rid}"'})
            for params in ({"resource_id": rid, "q": mark("d", "row", code)},
                           {"resource_id": rid, "filters": {mark("d", "col", code): mark("d", "row", code)}},
                           {"resource_id": rid, "limit": 0, "include_total": True},
                           {"resource_id": rid, "fields": mark("d", "col", code), "distinct": True}):
                status, parsed = scanner.action(actor, "datastore_search", params, "post")
                if status == 200 and not may_have_data(actor, code):
                    scanner.leak("data in response", actor, f"datastore_search {params}", f"200 for withheld {code}",
                                 code=code)
    _drain_errors(scanner)
    _fail_on(scanner, *ALL_CATEGORIES)


# --- 4. every route of the Flask app ------------------------------------------------------------

SKIP_ENDPOINTS = {"static", "webassets.index", "user.logout", "api.action"}  # actions: test 1


def _route_values(world: World, rule, code: Optional[str]) -> list[dict[str, str]]:
    """Argument sets for one rule about entry ``code`` (None: nonexistent)."""
    args = set(rule.arguments)
    pkg = world.entries[code] if code else None
    pid = pkg["id"] if pkg else BOGUS_ID
    pname = pkg["name"] if pkg else "zqmnosuchentryz"
    rids = world.resource_ids(code) if code else [BOGUS_ID]
    if "download" not in rule.rule:
        rids = rids[:1]  # the upload resource only where its file is served
    acts = (world.activities[code][-1:] if code else [BOGUS_ID])
    upload = world.uploads.get(code, (None, "x.csv")) if code else (None, "x.csv")
    base: dict[str, str] = {}
    if rule.rule.startswith(("/dataset/", "/dataset_series")) or "resource_id" in args:
        base = {"id": pid, "_id": pname, "_format": "ttl"}
    elif rule.rule.startswith("/feeds/tag/"):
        base = {"id": world.tags[code][0] if code else "zqmnosuchtagz"}
    elif rule.rule.startswith("/govshare/code/"):
        base = {"code": pkg["resource_code"] if pkg else BOGUS_CODE}
    else:
        return []
    out = []
    for rid in (rids if "resource_id" in args else [None]):
        values = dict(base)
        if rid:
            values["resource_id"] = rid
            values["filename"] = upload[1] if rid == upload[0] else "x.csv"
        for act in (acts if "activity_id" in args else [None]):
            if act:
                values["activity_id"] = act
            values.setdefault("view_id", BOGUS_ID)
            out.append({k: v for k, v in values.items() if k in args})
    if rule.rule.startswith("/dataset/<_id>") and code:
        out.append({"_id": pid, "_format": "jsonld"})
    return out


ROUTE_DEFAULTS = {"package_type": "dataset", "view_id": BOGUS_ID, "filename": "x.csv", "_format": "ttl"}


def _build(rule, values: dict[str, str]) -> str:
    url = rule.rule
    for arg in rule.arguments:
        value = values.get(arg, ROUTE_DEFAULTS.get(arg, "x"))
        url = re.sub(r"<(?:[^:<>]+:)?" + re.escape(arg) + r">", urllib.parse.quote(value, safe="/"), url)
    return url


GLOBAL_ROUTES = (
    "/", "/dataset/", "/dataset/?q=zqm", "/dataset/?q=res_url:*zqd*", "/dataset/?q=zqd*", "/dataset/?tags=zqmtagxnz",
    "/dataset/?q=text:zqm*&sort=title_string+asc", "/dataset/?ext_bbox=&q=urls:*zqd*",
    "/organization/", "/organization/scan-provider", "/organization/scan-provider?q=zqm",
    "/organization/about/scan-provider", "/organization/activity/scan-provider", "/organization/changes_multiple",
    "/organization/members/scan-provider", "/organization/followers/scan-provider",
    "/organization/scan-provider/catalogue", "/organization/scan-provider/catalogue/export.xlsx",
    "/organization/scan-provider/catalogue/export.csv", "/organization/scan-provider/applications",
    "/organization/bulk_process/scan-provider", "/organization/member_dump/scan-provider",
    "/group/", "/group/scan-group", "/group/about/scan-group", "/group/activity/scan-group",
    "/group/changes_multiple", "/group/member_dump/scan-group",
    "/user/", "/user/scan-provider-member", "/user/activity/scan-provider-member", "/user/scan-sysadmin",
    "/user/scan-provider-member/organizations", "/user/scan-provider-member/groups", "/user/me",
    "/dashboard/", "/dashboard/datasets", "/dashboard/groups", "/dashboard/organizations", "/user/applications",
    "/dashboard/notices", "/govshare/ratings", "/statistics", "/authority", "/authority/statistics",
    "/organization/scan-provider/statistics", "/organization/scan-provider/reviews",
    "/organization/scan-provider/upkeep",
    "/feeds/dataset.atom", "/feeds/custom.atom?q=zqm", "/feeds/group/scan-group.atom",
    "/feeds/organization/scan-provider.atom",
    "/catalog.ttl", "/catalog.jsonld", "/catalog.rdf", "/catalog.xml", "/catalog.ttl?q=zqm",
    "/catalog.ttl?modified_since=2000-01-01", "/share-catalog.ttl", "/share-catalog.jsonld",
    "/catalog/full.ttl", "/catalog/full.jsonld", "/catalog/full.rdf", "/share-catalog/full.ttl",
    "/share-catalog/full.jsonld",
    "/api/util/dataset/autocomplete?incomplete=zqm", "/api/2/util/dataset/autocomplete?incomplete=zqm",
    "/api/util/tag/autocomplete?incomplete=zqm&limit=100",
    "/api/util/resource/format_autocomplete?incomplete=zqm&limit=100",
    "/api/util/group/autocomplete?q=scan", "/api/util/organization/autocomplete?q=scan",
    "/api/util/user/autocomplete?q=scan", "/govshare/vocabulary/open_type", "/govshare/usage",
    "/ckan-admin/", "/ckan-admin/trash", "/about", "/robots.txt", "/demand", "/api/3",
    "/dataset/new", "/govshare/catalogue-template.xlsx",
)


# Routes are the slowest requests (pages render): actors whose rights differ from the citizen's
# only by a grant are walked over the entries their grant concerns (and a hidden one); those who
# may see everything, over one entry of each kind (their answers can only fail by a 500).
ROUTE_ENTRIES = {
    "expired_holder": ("cu", "cc", "xn"), "revoked_holder": ("cu", "cc", "xn"), "grant_holder": ("cu", "cc", "xn"),
    "provider_member": ("uu", "cc", "xn", "de"), "sysadmin": ("uu", "cc", "xn", "de"),
}
MISMATCHED = (("uu", "cu"), ("uu", "cc"), ("uu", "xn"), ("uu", "xc"), ("uu", "pr"), ("cu", "uu"), ("xn", "uu"),
              ("cc", "cu"))


def test_every_route_as_every_actor(scanner: Scanner) -> None:
    scanner.begin("test_every_route_as_every_actor")
    world = scanner.world
    rules, seen_rules = [], set()
    for r in world.app.flask_app.url_map.iter_rules():  # the first of duplicate rules is the one served
        if "GET" in r.methods and r.endpoint not in SKIP_ENDPOINTS and r.rule not in seen_rules:
            seen_rules.add(r.rule)
            rules.append(r)
    covered = set()
    for actor in ACTORS:
        codes = [c for c in ROUTE_ENTRIES.get(actor, world.entries) if c in world.entries]
        mismatch_bogus: dict[tuple[str, str], int] = {}
        for url in GLOBAL_ROUTES:
            scanner.fetch(actor, "get", url)
            COVERAGE.setdefault("routes", set()).add(url.split("?")[0])
        for rule in rules:
            bogus_sets = _route_values(world, rule, None)
            if not bogus_sets:
                continue
            covered.add(rule.rule)
            COVERAGE.setdefault("routes", set()).add(rule.rule)
            bogus_status = [scanner.fetch(actor, "get", _build(rule, v))[0] for v in bogus_sets]
            for code in codes:
                for values in _route_values(world, rule, code):
                    url = _build(rule, values)
                    status, body, _ = scanner.fetch(actor, "get", url)
                    if not may_see(actor, code) and status != bogus_status[0]:
                        scanner.leak("existence signal", actor, f"GET {rule.rule}",
                                     f"{status} for hidden entry {code}, {bogus_status[0]} for a nonexistent one",
                                     code=code)
            # mismatched entry and resource: an entry's route with another entry's resource must
            # answer as with a resource that does not exist when the owner is hidden, 403/404 when
            # its data is withheld, and never a 500
            if "resource_id" in rule.arguments and "id" in rule.arguments and re.search(
                    r"download|/view|history|/resource/<resource_id>$", rule.rule):
                for host, owner in MISMATCHED:
                    if host not in codes and owner not in codes:
                        continue
                    for values in _route_values(world, rule, owner):
                        values = dict(values, id=world.entries[host]["id"])
                        if "activity_id" in values:
                            values["activity_id"] = world.activities[host][-1]
                        url = _build(rule, values)
                        status, body, _ = scanner.fetch(actor, "get", url, label=f"GET {url} (mismatched: "
                                                        f"entry {host}, resource of {owner})")
                        COVERAGE.setdefault("mismatched requests", set()).add(rule.rule)
                        if status >= 500:
                            continue  # reported as a server error
                        if not may_see(actor, owner):
                            key = (rule.rule, host)
                            if key not in mismatch_bogus:
                                mismatch_bogus[key] = scanner.fetch(actor, "get", _build(rule, dict(
                                    values, resource_id=BOGUS_ID)))[0]
                            if status != mismatch_bogus[key]:
                                scanner.leak("existence signal", actor, f"GET {rule.rule} (entry {host}, resource "
                                             f"of {owner})", f"{status}, {mismatch_bogus[key]} for a resource that "
                                             f"does not exist", code=owner)
                        if not may_have_data(actor, owner) and rule.endpoint.endswith(
                                (".download", ".view", "history")) and status not in (403, 404):
                            scanner.leak("data in response", actor, f"GET {url}", f"entry {host} with a "
                                         f"resource of {owner} -> {status}, expected 403/404", code=owner)
    COVERAGE["route templates with entry arguments"] = len(covered)
    _drain_errors(scanner)
    _fail_on(scanner, *ALL_CATEGORIES)


# --- 5. the canary: one more hidden entry changes nothing for those who cannot see it ------------


def _signature(value: Any, path: str = "") -> dict[str, Any]:
    """Numbers, booleans and list lengths of a JSON answer, by path."""
    out: dict[str, Any] = {}
    if isinstance(value, dict):
        for k, v in value.items():
            if k in ("help",):
                continue
            out.update(_signature(v, f"{path}.{k}"))
    elif isinstance(value, list):
        out[f"{path}#len"] = len(value)
        for i, v in enumerate(value[:200]):
            out.update(_signature(v, f"{path}[{i}]"))
    elif isinstance(value, bool) or isinstance(value, (int, float)):
        out[path] = value
    return out


def _canary_requests(world: World) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for name in ("package_search", "package_list", "current_package_list_with_resources", "resource_search",
                 "tag_list", "tag_search", "tag_autocomplete", "format_autocomplete", "user_show", "user_list",
                 "organization_list", "organization_show", "group_list", "group_show", "group_package_show",
                 "member_list", "datastore_search", "datastore_info", "package_autocomplete",
                 "recently_changed_packages_activity_list", "organization_activity_list", "group_activity_list",
                 "user_activity_list", "dashboard_activity_list", "dcat_datasets_list", "status_show",
                 "organization_list_for_user"):
        for params in _global_params(world, name):
            out.append((name, params))
    out += [("package_search", {"rows": 0, "q": "*:*", "facet.field": json.dumps(["tags", "res_format", "organization",
                                                                                   "groups", "open_type"]),
                                "facet.limit": -1}),
            ("resource_search", {"query": "url:https", "limit": 0}),
            ("tag_list", {"all_fields": True}),
            ("datastore_search", {"resource_id": "_table_metadata", "limit": 0, "include_total": True})]
    return out


CANARY_PAGES = ("/dataset/", "/dataset/?q=zqm", "/organization/", "/organization/scan-provider",
                "/organization/about/scan-provider", "/group/", "/group/scan-group", "/user/scan-provider-member",
                "/user/", "/dataset/?tags=zqmtagknz")


def _page_numbers(html: str) -> dict[str, Any]:
    """The numbers a page shows in its text (scripts, styles, attributes and times left out)."""
    text = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", html)
    text = re.sub(r"(?s)<[^>]*>", "\n", text)
    text = re.sub(r"\d{4}-\d{2}-\d{2}[T ]?[\d:.]*|\d{4}年\d{1,2}月\d{1,2}日|\d+\s*(?:秒|分钟|小时|天)前", " ", text)
    numbers = [int(n) for line in text.splitlines() for n in re.findall(r"(?<![\w.])\d{1,6}(?![\w.])", line)]
    return {"numbers": numbers}


def test_canary_changes_nothing_for_those_who_cannot_see_it(scanner: Scanner) -> None:
    """Counts and existence: add one more 不予开放/不予共享 entry (with tags, an upload, a
    DataStore table, group membership) and compare every number and list length each actor
    receives before and after; only the providing department and sysadmins may notice."""
    scanner.begin("test_canary_changes_nothing_for_those_who_cannot_see_it")
    world = scanner.world
    requests = _canary_requests(world)
    before: dict[tuple[str, Any], dict[str, Any]] = {}
    for actor in ACTORS:
        for i, (name, params) in enumerate(requests):
            status, parsed = scanner.action(actor, name, params)
            before[(actor, i)] = {"status": status, **_signature(parsed)}
        for url in CANARY_PAGES:
            status, body, _ = scanner.fetch(actor, "get", url)
            before[(actor, url)] = {"status": status, **_page_numbers(body)}
    world.add_entry(CANARY)
    world.refresh()
    COVERAGE["canary requests"] = (len(requests) + len(CANARY_PAGES)) * len(ACTORS) * 2
    for actor in ACTORS:
        if may_see(actor, CANARY):
            continue
        for i, (name, params) in enumerate(requests):
            status, parsed = scanner.action(actor, name, params)
            after = {"status": status, **_signature(parsed)}
            diff = sorted(k for k in set(before[(actor, i)]) | set(after)
                          if before[(actor, i)].get(k) != after.get(k) and not k.endswith(("_id", ".id")))
            if diff:
                shown = ", ".join(f"{k}: {before[(actor, i)].get(k)}→{after.get(k)}" for k in diff[:6])
                scanner.leak("canary", actor, f"{name} {params}", f"changed when a hidden entry was added: {shown}")
        for url in CANARY_PAGES:
            status, body, _ = scanner.fetch(actor, "get", url)
            after = {"status": status, **_page_numbers(body)}
            if after != before[(actor, url)]:
                old, new = before[(actor, url)], after
                changed = [f"{a}→{b}" for a, b in zip(old["numbers"], new["numbers"]) if a != b][:6]
                scanner.leak("canary", actor, f"GET {url}", f"numbers on the page changed when a hidden entry was "
                                                            f"added: status {old['status']}→{new['status']}, "
                                                            f"{len(old['numbers'])}→{len(new['numbers'])} numbers, "
                                                            f"{', '.join(changed)}")
    _drain_errors(scanner)
    _fail_on(scanner, *ALL_CATEGORIES)


# --- 6. the unpublished entries: a draft, a private and a deleted entry ---------------------------

SWEEPS = (test_every_read_action_as_every_actor, test_search_parameters_as_every_actor, test_counts_as_every_actor,
          test_every_route_as_every_actor)


def test_unpublished_entries_leave_no_trace(scanner: Scanner) -> None:
    """What the sweeps above found about the draft, the private and the deleted entry (levels
    无条件开放/无条件共享, so only their state keeps them out of the catalogue): nobody but the
    providing department and sysadmins may learn of them. Reported apart from the level leaks."""
    for sweep in SWEEPS:
        if sweep.__name__ not in scanner.ran:  # run alone (-k): sweep first
            try:
                sweep(scanner)
            except pytest.fail.Exception:
                pass
    scanner.begin("test_unpublished_entries_leave_no_trace")
    lines = scanner.report(*ALL_CATEGORIES, store=scanner.unpublished)
    scanner.end()
    COVERAGE.setdefault("leaks by test", {})["test_unpublished_entries_leave_no_trace"] = len(lines)
    if lines:
        more = f"\n… and {len(lines) - MAX_REPORTED} more" if len(lines) > MAX_REPORTED else ""
        pytest.fail(f"{len(lines)} leak(s) of unpublished entries:\n" + "\n".join(lines[:MAX_REPORTED]) + more,
                    pytrace=False)
