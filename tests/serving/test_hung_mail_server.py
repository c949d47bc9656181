# -*- coding: utf-8 -*-
"""Production serving under a hung mail server (issue 17), end to end on the production
stack: nginx -> uWSGI -> CKAN, CKAN's job worker, real sockets.

The test starts its own nginx, uWSGI (2 processes x 4 threads) and job worker with the
stack's scripts (stack/lib/{uwsgi,nginx,ckan}.sh) on a free port, in a temporary state
folder, against the test database and Solr core and a Redis database of its own. The mail
server is a TCP server on 127.0.0.1 that accepts connections and never says a word.

It submits an application through nginx (the request queues mail for the applicant and
the department, ckanext/govshare/applications/notify.py), waits until the worker is stuck
in the SMTP conversation, and then sends 50 concurrent clients at the portal's pages, the
search API and the health probe: every one gets its answer while the worker still waits.
Everything it started is stopped by pid file. About 40 s on 2 cores.
"""
from __future__ import annotations

import concurrent.futures
import json
import os
import shutil
import socket
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from types import SimpleNamespace
from typing import Any, Iterator

import pytest
import redis

from ckan import model
from ckan.tests import factories

from tests.factories import LEVEL_EXTRAS, department, entry
from tests.serving import stack
from tests.serving.stack import ROOT, VENV

SMTP_TIMEOUT = 90        # the worker's SMTP socket timeout: it stays stuck through the test
CLIENTS = 50

pytestmark = pytest.mark.skipif(not os.path.exists("/usr/sbin/nginx") or not os.path.exists(
    os.path.join(VENV, "bin", "uwsgi")), reason="nginx or uWSGI missing: ./stack.sh demo installs them")


@pytest.fixture
def hung_smtp() -> Iterator[SimpleNamespace]:
    """Accepts connections and never answers; holds them until the test ends."""
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.1)
    state = SimpleNamespace(address="127.0.0.1:%d" % server.getsockname()[1], accepted=[])
    held: list[socket.socket] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except socket.timeout:
                continue
            held.append(conn)
            state.accepted.append(time.monotonic())

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield state
    stop.set()
    thread.join(5)
    for conn in held:
        conn.close()
    server.close()


def _production_ini(tmp: str, smtp: str, redis_url: str) -> str:
    """test.ini with the hung mail server, a long SMTP timeout and Redis db REDIS_DB."""
    with open(os.path.join(ROOT, "test.ini"), encoding="utf-8") as fh:
        lines = fh.read().replace("%(here)s", ROOT).splitlines()
    drop = ("smtp.test_server", "smtp.server", "ckan.redis.url", "ckanext.govshare.smtp_timeout")
    out = [line for line in lines if line.split("=")[0].strip() not in drop]
    at = out.index("[app:main]") + 1
    out[at:at] = [f"smtp.server = {smtp}", f"ckan.redis.url = {redis_url}",
                  f"ckanext.govshare.smtp_timeout = {SMTP_TIMEOUT}", "ckan.jobs.timeout = 600"]
    path = os.path.join(tmp, "production.ini")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("\n".join(out) + "\n")
    return path


@pytest.fixture
def production(hung_smtp) -> Iterator[SimpleNamespace]:
    tmp = tempfile.mkdtemp(prefix="govshare-serving-")
    os.chmod(tmp, 0o755)  # nginx's workers (www-data) reach the uWSGI socket inside
    port = stack.free_port()
    url = stack.redis_url()
    redis.Redis.from_url(url).flushdb()  # this test's own queue and mail counters
    ini = _production_ini(tmp, hung_smtp.address, url)
    env = dict(CKAN_SMTP_SERVER=hung_smtp.address, GOVSHARE_UWSGI_PROCESSES="2", GOVSHARE_UWSGI_THREADS="4",
               GOVSHARE_STORAGE=os.path.join(ROOT, ".stack", "test-storage"))
    try:
        started = stack.run(tmp, f'ckan_worker_start "{ini}"; uwsgi_start "{ini}"; nginx_start {port}',
                            port=port, check=False, **env)
        print(started.stdout, started.stderr)
        assert started.returncode == 0, started.stderr
        yield SimpleNamespace(url=f"http://127.0.0.1:{port}", tmp=tmp, ini=ini)
    finally:
        stack.run(tmp, "nginx_stop; uwsgi_stop; ckan_worker_stop", port=port, check=False, **env)
        for name in ("uwsgi.log", "ckan-worker.log"):  # shown by pytest when the test fails
            path = os.path.join(tmp, "log", name)
            if os.path.exists(path):
                lines = open(path, encoding="utf-8", errors="replace").read().splitlines()
                print(f"--- {name} (last 60 lines)", *lines[-60:], sep="\n")
        redis.Redis.from_url(url).flushdb()
        shutil.rmtree(tmp, ignore_errors=True)


def _request(url: str, data: dict[str, Any] | None = None, headers: dict[str, str] | None = None,
             timeout: float = 60) -> tuple[int, bytes, float, dict[str, str]]:
    body = json.dumps(data).encode() if data is not None else None
    req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json", **(headers or {})})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read(), time.monotonic() - started, dict(resp.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), time.monotonic() - started, dict(error.headers)


@pytest.fixture
def portal(with_plugins, clean_db, clean_index) -> SimpleNamespace:
    """A department with a head and a clerk, a conditionally open entry, a public entry and
    a citizen with an API token (committed: the production server reads the same database)."""
    model.Session.remove()
    factories.User(name="serve-head", email="head@jtj.example.gov.cn")
    factories.User(name="serve-clerk", email="clerk@jtj.example.gov.cn")
    citizen = factories.User(name="serve-citizen", email="citizen@example.com")
    org = department(name="serve-jtj", head_user="serve-head", users=[
        {"name": "serve-head", "capacity": "admin"}, {"name": "serve-clerk", "capacity": "editor"}])
    conditional = entry(org, name="serve-chuzuche", open_type="conditional", share_type="conditional",
                        **LEVEL_EXTRAS[("conditional", "conditional")])
    public = entry(org, name="serve-gongjiao", title="公交线路信息")
    token = factories.APIToken(user=citizen["id"])["token"]
    form = {"kind": "open", "package_id": conditional["id"], "applicant_type": "citizen",
            "applicant_name": "张三", "id_number": "11010519491231002X", "contact_phone": "13800138000",
            "purpose": "交通规划研究", "usage_scope": "内部研究", "data_items": "日期、里程",
            "period_start": "2026-12-01", "period_end": "2027-06-30", "agreement_accepted": True}
    return SimpleNamespace(token=token, form=form, public=public)


def test_fifty_clients_are_served_while_the_mail_server_hangs(portal, hung_smtp, production):
    base = production.url
    status, _, _, headers = _request(base + "/")
    assert status == 200 and headers.get("Server") == "nginx"

    # the request that sends mail answers at once: it only queues the mail
    status, body, took, _ = _request(base + "/api/3/action/govshare_application_create",
                                     data=portal.form, headers={"Authorization": portal.token})
    assert status == 200, body[:500]
    assert json.loads(body)["result"]["status"] == "submitted"
    assert took < 5, f"the submission took {took:.1f} s"

    # the job worker picks the mail up and hangs in the SMTP conversation
    deadline = time.monotonic() + 30
    while not hung_smtp.accepted and time.monotonic() < deadline:
        time.sleep(0.2)
    assert hung_smtp.accepted, "the job worker never connected to the mail server"
    stuck_since = hung_smtp.accepted[0]

    # meanwhile: 50 concurrent clients, each gets its answer
    paths = ["/", "/dataset/", f"/dataset/{portal.public['name']}",
             "/api/3/action/package_search?q=" + urllib.parse.quote("公交"),
             f"/api/3/action/package_show?id={portal.public['name']}", "/govshare/health"]
    urls = [base + paths[i % len(paths)] for i in range(CLIENTS)]
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(CLIENTS) as pool:
        answers = list(pool.map(lambda u: (u, *_request(u, timeout=60)[:3]), urls))
    wall = time.monotonic() - started
    failed = [(u, s, b[:200]) for u, s, b, _ in answers if s != 200]
    assert not failed, failed
    slowest = max(t for *_, t in answers)
    print(f"\n{CLIENTS} clients answered in {wall:.1f} s (slowest {slowest:.1f} s) while the "
          f"worker had waited {time.monotonic() - stuck_since:.1f} s on the mail server")

    # a second submission during the hang also answers at once
    status, body, took, _ = _request(base + "/api/3/action/govshare_application_create",
                                     data=dict(portal.form, purpose="第二次申请"),
                                     headers={"Authorization": portal.token})
    assert status == 200 and took < 5, (status, took, body[:300])

    # all of this happened while the worker was still waiting on the mail server
    assert time.monotonic() - stuck_since < SMTP_TIMEOUT
    log = open(os.path.join(production.tmp, "log", "ckan-worker.log"), encoding="utf-8").read()
    assert "timed out" not in log
