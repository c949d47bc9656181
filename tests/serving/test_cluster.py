# -*- coding: utf-8 -*-
"""``./stack.sh cluster`` under failure (issue 17): SolrCloud (ZooKeeper, two Solr nodes, the
collection in 2 shards × 2 replicas) and two CKAN web nodes behind nginx, sharing PostgreSQL and
Redis, keep serving when one Solr node and then one web node is killed (SIGKILL, as a crash), and
lose nothing: search counts, browsing, a login session kept in one cookie while the requests land
on both web nodes, and a citizen's application for a conditionally open entry (chongqing-2019 §33:
conditionally open data is applied for through the open system) submitted while a node is down and still
there once it is back; then the node is brought back and its replicas recover.

The cluster is the one ``./stack.sh cluster`` runs (state in .stack/cluster, http://127.0.0.1:5020):
the test starts it when it is not running (it loads the demo catalogue on a fresh machine) and
stops it again at the end; a cluster already running is left running. It runs on its own, as
``./stack.sh cluster-check`` (GOVSHARE_CLUSTER_CHECK=1), not in the suite: 2.5 min with the
cluster running, 7.5 min from nothing on the shared 2-core workplace, over CI's share for one
test. Skipped, saying why, when Java, the Solr build or nginx is missing. Its last run is
recorded in docs/deployment.md.
"""
from __future__ import annotations

import glob
import json
import os
import random
import re
import signal
import string
import subprocess
import time
import uuid
from collections import Counter
from typing import Any, Iterator

import pytest
import requests

from tests.serving.stack import ROOT

STATE = os.environ.get("GOVSHARE_STATE") or os.path.join(ROOT, ".stack")
RUN = os.path.join(STATE, "run")
PORT = int(os.environ.get("GOVSHARE_CLUSTER_PORT", "5020"))
SOLR_PORTS = [int(p) for p in os.environ.get("GOVSHARE_CLUSTER_SOLR_PORTS", "8990 8991").split()]
BASE = f"http://127.0.0.1:{PORT}"
CITIZEN = ("citizen", "GovShare-Demo-2026")
ADMIN = ("admin", "GovShare-Admin-2026")
LIBS = ("common", "python", "postgres", "redis", "solr", "ckan", "uwsgi", "nginx", "cluster")


def _missing() -> str | None:
    if not glob.glob("/usr/lib/jvm/java-17-openjdk-*/bin/java"):
        return "no JDK 17 (apt-get install openjdk-17-jdk-headless; ./stack.sh cluster installs it)"
    if not glob.glob(os.path.join(ROOT, "stack", "solr", "target", "lib", "solr-core-*.jar")):
        return "the Solr node is not built (./stack.sh test or ./stack.sh cluster builds it from Maven Central)"
    if not os.path.exists("/usr/sbin/nginx"):
        return "no nginx (apt-get install nginx; ./stack.sh test installs it)"
    return None


pytestmark = [
    pytest.mark.skipif(os.environ.get("GOVSHARE_CLUSTER_CHECK") != "1",
                       reason="the cluster check runs on its own (3-8 min: it starts ZooKeeper, two Solr nodes and "
                              "two web nodes): ./stack.sh cluster-check"),
    pytest.mark.skipif(_missing() is not None, reason=f"cluster check skipped: {_missing()}"),
]


def _env() -> dict[str, str]:
    """The caller's environment without the test stack's CKAN settings."""
    return {k: v for k, v in os.environ.items() if not k.startswith("CKAN_")} | {
        "ROOT": ROOT, "GOVSHARE_STATE": STATE}


def _stack(script: str, timeout: float = 300) -> str:
    """Run ``script`` with the stack's shell functions (stack/lib/*.sh, cluster.sh among them)."""
    libs = " ".join(f'source "$ROOT/stack/lib/{lib}.sh";' for lib in LIBS)
    done = subprocess.run(["bash", "-c", f"set -euo pipefail; {libs} {script}"], timeout=timeout,
                          capture_output=True, text=True, env=_env())
    assert done.returncode == 0, f"{script}: {done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    return done.stdout


def _pid(name: str) -> int:
    with open(os.path.join(RUN, f"{name}.pid")) as fh:
        return int(fh.read().strip())


def _crash(name: str) -> None:
    """SIGKILL the process of pid file NAME and its children (a uWSGI master's workers)."""
    pid = _pid(name)
    kids = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout.split()
    for p in [pid, *map(int, kids)]:
        try:
            os.kill(p, signal.SIGKILL)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and os.path.exists(f"/proc/{pid}") and \
            not open(f"/proc/{pid}/stat").read().split()[2] == "Z":
        time.sleep(0.1)


def _solr(port: int, path: str, **params: Any) -> dict[str, Any]:
    resp = requests.get(f"http://127.0.0.1:{port}/solr/{path}", params={"wt": "json", **params}, timeout=30)
    resp.raise_for_status()
    return resp.json()


def _replicas() -> list[dict[str, Any]]:
    """Every replica of the collection: shard, node, core, state (down when its node is not live)."""
    for port in SOLR_PORTS:
        try:
            status = _solr(port, "admin/collections", action="CLUSTERSTATUS", collection="govshare")["cluster"]
        except requests.RequestException:
            continue
        live = set(status["live_nodes"])
        return [{"shard": shard, "node": r["node_name"], "core": r["core"], "base_url": r["base_url"],
                 "state": r["state"] if r["node_name"] in live else "down", "leader": r.get("leader") == "true"}
                for shard, s in sorted(status["collections"]["govshare"]["shards"].items())
                for r in s["replicas"].values()]
    raise AssertionError("no Solr node answers CLUSTERSTATUS")


def _wait(what: str, check, seconds: float) -> float:
    started = time.monotonic()
    while True:
        try:
            if check():
                return time.monotonic() - started
        except requests.RequestException:
            pass
        if time.monotonic() - started > seconds:
            raise AssertionError(f"{what}: not within {seconds} s")
        time.sleep(0.5)


def _all_active() -> bool:
    reps = _replicas()
    return len(reps) == 4 and all(r["state"] == "active" for r in reps) and \
        {r["node"] for r in reps} == {f"127.0.0.1:{p}_solr" for p in SOLR_PORTS}


@pytest.fixture(scope="module")
def cluster() -> Iterator[None]:
    was_running = all(os.path.exists(os.path.join(RUN, f"cluster-{n}.pid"))
                      for n in ("zk", "solr1", "solr2", "nginx", "web1", "web2"))
    started = time.monotonic()
    done = subprocess.run([os.path.join(ROOT, "stack.sh"), "cluster"], timeout=900,
                          capture_output=True, text=True, env=_env())
    print(done.stdout[-3000:], done.stderr[-3000:], sep="\n")
    assert done.returncode == 0, done.stderr[-2000:]
    print(f"./stack.sh cluster: {time.monotonic() - started:.0f} s")
    try:
        yield
    finally:
        if not was_running:
            _stack("cluster_stop", timeout=180)


class Portal:
    """One browser: a cookie jar for the cluster's nginx, the web node of every answer."""

    def __init__(self) -> None:
        self.http = requests.Session()
        self.nodes: Counter[str] = Counter()

    def get(self, path: str, **kw: Any) -> requests.Response:
        resp = self.http.get(BASE + path, timeout=60, allow_redirects=False, **kw)
        self.nodes[resp.headers.get("X-Govshare-Web-Node", "?")] += 1
        return resp

    def action(self, name: str, **data: Any) -> Any:
        """POST an action with the session cookie (and the CSRF token of the session's pages)."""
        token = re.search(r'name="_csrf_token" content="([^"]+)"', self.get("/dataset/").text)
        headers = {"X-CSRFToken": token.group(1)} if token else {}
        resp = self.http.post(f"{BASE}/api/3/action/{name}", json=data, headers=headers, timeout=60)
        self.nodes[resp.headers.get("X-Govshare-Web-Node", "?")] += 1
        body = resp.json()
        assert body.get("success"), f"{name}: {resp.status_code} {body.get('error')}"
        return body["result"]

    def login(self, user: str, password: str) -> None:
        page = self.get("/user/login")
        token = re.search(r'name="_csrf_token"[^>]*value="([^"]+)"', page.text) \
            or re.search(r'value="([^"]+)"[^>]*name="_csrf_token"', page.text)
        resp = self.http.post(BASE + "/user/login", timeout=60, allow_redirects=False,
                              data={"login": user, "password": password, "_csrf_token": token.group(1) if token else ""})
        assert resp.status_code == 302 and "/user/login" not in resp.headers.get("Location", ""), resp.status_code

    def logged_in_as(self) -> str | None:
        """Who the session is (the edit page of one's own account answers only when logged in)."""
        resp = self.get("/user/edit")
        if resp.status_code != 200:
            return None
        match = re.search(r'name="name"[^>]*value="([^"]+)"', resp.text) \
            or re.search(r'value="([^"]+)"[^>]*name="name"', resp.text)
        return match.group(1) if match else None


def _search_counts(portal: Portal) -> dict[str, Any]:
    """What search shows: total, a Chinese query, the facet counts by department and open type."""
    out: dict[str, Any] = {}
    for label, q in (("all", "*:*"), ("交通", "交通"), ("公交", "公交")):
        resp = portal.get("/api/3/action/package_search", params={
            "q": q, "rows": 0, "facet.field": json.dumps(["organization", "open_type"])})
        assert resp.status_code == 200, resp.text[:300]
        result = resp.json()["result"]
        out[label] = result["count"]
        if label == "all":
            out["facets"] = result["facets"]
    return out


def _browse(portal: Portal, entry: str) -> None:
    """The dataset list, an entry page and the home page answer (the lists come from Solr)."""
    listing = portal.get("/dataset/")
    assert listing.status_code == 200 and f"/dataset/{entry}" in listing.text
    assert portal.get(f"/dataset/{entry}").status_code == 200
    assert portal.get("/").status_code == 200


def _session_holds(portal: Portal, requests_: int = 6) -> set[str]:
    """Every request of the logged-in session is the citizen's; returns the web nodes seen."""
    before = Counter(portal.nodes)
    for _ in range(requests_):
        assert portal.logged_in_as() == CITIZEN[0]
    return {node for node, n in (portal.nodes - before).items() if n}


def _apply(portal: Portal, entry: dict[str, Any]) -> dict[str, Any]:
    return portal.action("govshare_application_create", kind="open", package_id=entry["id"],
                         contact_phone="13800138000", purpose="集群演练：交通规划研究", usage_scope="内部研究",
                         data_items="全部字段", period_start="2027-01-04", period_end="2027-06-30",
                         agreement_accepted=True, client_token=f"cluster-{uuid.uuid4().hex}")


def _replica_counts(q: str = "*:*") -> dict[str, set[int]]:
    """Documents matching ``q`` in each replica (distrib=false), by shard."""
    by_shard: dict[str, set[int]] = {}
    for r in _replicas():
        port = int(r["node"].split(":")[1].split("_")[0])
        _solr(port, f"{r['core']}/update", commit="true")
        found = _solr(port, f"{r['core']}/select", q=q, rows=0, distrib="false")["response"]["numFound"]
        by_shard.setdefault(r["shard"], set()).add(found)
    return by_shard


def test_the_cluster_survives_a_solr_node_and_a_web_node_going_down(cluster):
    """chongqing-2019 §33: an application for conditionally open data, and search and browsing of
    the catalogue, keep working while one Solr node and then one web node is down."""
    timings: dict[str, float] = {}
    assert _all_active()
    portal = Portal()
    baseline = _search_counts(portal)
    # what the collection holds (the portal shows an anonymous visitor only the entries open to them)
    indexed = _solr(SOLR_PORTS[1], "govshare/select", q="*:*", rows=0)["response"]["numFound"]
    assert baseline["all"] >= 10 and baseline["交通"] > 0, baseline
    conditional = portal.get("/api/3/action/package_search", params={
        "fq": "open_type:conditional", "rows": 2, "sort": "name asc"}).json()["result"]["results"]
    assert len(conditional) == 2, "the demo catalogue has conditionally open entries"
    entry = conditional[0]["name"]
    _browse(portal, entry)

    portal.login(*CITIZEN)
    admin = Portal()
    admin.login(*ADMIN)
    notes = admin.action("package_show", id=conditional[0]["id"])["notes"].split(" gsclu")[0]
    # letters only: one token for the Chinese-aware analysis (digits would be split off)
    marker = "gsclu" + "".join(random.choice(string.ascii_lowercase) for _ in range(10))
    # a stale pending application of an earlier run would be returned instead of a new one
    for app in portal.action("govshare_application_list", status="pending"):
        if app["package_id"] in {c["id"] for c in conditional}:
            portal.action("govshare_application_withdraw", id=app["id"], reason="集群演练复位")
    assert _session_holds(portal) == {"web1", "web2"}, "one cookie, requests on both web nodes"

    # ---- a Solr node crashes: the one leading shard1 (its leadership must move)
    leader = next(r["node"] for r in _replicas() if r["leader"] and r["shard"] == "shard1")
    n = 1 + [f"127.0.0.1:{p}_solr" for p in SOLR_PORTS].index(leader)
    other = SOLR_PORTS[2 - n]
    _crash(f"cluster-solr{n}")
    t0 = time.monotonic()
    assert _search_counts(portal) == baseline
    _browse(portal, entry)
    timings[f"reads right after the crash of Solr node {n}"] = time.monotonic() - t0
    assert _session_holds(portal) == {"web1", "web2"}
    # updates go to each shard's leader: the leader on the dead node is replaced once ZooKeeper
    # ends its session (zkClientTimeout, 8 s in stack/cluster/solr.xml)
    timings[f"Solr node {n} out of the live nodes"] = _wait(
        f"node {n} leaves the cluster", lambda: all(r["state"] == "down" for r in _replicas() if r["node"] == leader), 60)
    timings["every shard led by the other node"] = _wait(
        "the other node leads every shard", lambda: {r["shard"] for r in _replicas() if r["leader"] and r["state"] == "active"
                                                     and r["node"] == f"127.0.0.1:{other}_solr"} == {"shard1", "shard2"}, 60)
    first = _apply(portal, conditional[0])
    assert first["status"] == "submitted"
    assert _search_counts(portal) == baseline
    # an edit of an entry while the node is down: the index update must reach its replica later
    edited = admin.action("package_patch", id=conditional[0]["id"], notes=f"{notes} {marker}")
    assert marker in edited["notes"]
    assert portal.get("/api/3/action/package_search", params={"q": marker}).json()["result"]["count"] == 1

    t0 = time.monotonic()
    _stack(f"_solr_java_home; cluster_solr_start {n}; cluster_solr_wait_active 180", timeout=300)
    timings[f"Solr node {n} back, replicas active"] = time.monotonic() - t0
    assert _all_active()
    counts = _replica_counts()
    assert all(len(found) == 1 for found in counts.values()), f"replicas of a shard disagree: {counts}"
    assert sum(next(iter(found)) for found in counts.values()) == indexed, counts
    # the edit made while the node was down is in every replica of its shard (peer sync on recovery)
    edits = _replica_counts(marker)
    assert all(len(found) == 1 for found in edits.values()), f"replicas of a shard disagree on the edit: {edits}"
    assert sum(next(iter(found)) for found in edits.values()) == 1, edits
    assert _search_counts(portal) == baseline
    assert portal.action("govshare_application_show", id=first["id"])["status"] == "submitted"

    # ---- a web node crashes
    _crash("cluster-web1")
    t0 = time.monotonic()
    assert _session_holds(portal) == {"web2"}, "every request answered, by the node still up"
    assert _search_counts(portal) == baseline
    _browse(portal, entry)
    timings["reads right after the web crash"] = time.monotonic() - t0
    second = _apply(portal, conditional[1])
    assert second["status"] == "submitted"

    t0 = time.monotonic()
    _stack("_cluster_env; cluster_web_start 1", timeout=300)
    timings["web node 1 back"] = time.monotonic() - t0
    # the session made before the crash holds on the restarted node (sessions live in Redis)
    assert _session_holds(portal) == {"web1", "web2"}
    mine = {app["id"]: app for app in portal.action("govshare_application_list")}
    assert mine[first["id"]]["status"] == "submitted" and mine[second["id"]]["status"] == "submitted"
    assert _search_counts(portal) == baseline

    for app in (first, second):   # the next run starts from the same state
        portal.action("govshare_application_withdraw", id=app["id"], reason="集群演练结束")
    admin.action("package_patch", id=conditional[0]["id"], notes=notes)
    print("web nodes:", dict(portal.nodes))
    print("timings:", {k: round(v, 1) for k, v in timings.items()})
    assert "?" not in portal.nodes, "every answer came through the cluster's nginx"
