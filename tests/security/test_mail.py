# -*- coding: utf-8 -*-
"""Platform mail (issue 11, finding 6): never sent inside a request, sent by a worker with
an SMTP timeout and retried; only to the address of a CKAN account; rate-limited per
address. And a write while Solr is down: an error, nothing half-written.

Real sockets throughout: a TCP server on 127.0.0.1 that accepts and never answers (the
hung mail server), a minimal SMTP server that accepts mail, a closed port for Solr."""
from __future__ import annotations

import logging
import socket
import socketserver
import threading
import time
from types import SimpleNamespace
from typing import Any, Iterator

import pytest
import redis

import ckan.lib.redis as ckan_redis
from ckan import model
from ckan.common import config
from ckan.lib import jobs
from ckan.lib.search import common as search_common
from ckan.tests import factories, helpers

from ckanext.govshare import compat
from ckanext.govshare.applications import notify
from ckanext.govshare.model import Application
from tests.factories import LEVEL_EXTRAS, department, entry, entry_data

DELIVER = "ckanext.govshare.applications.notify.deliver"
CITIZEN = "citizen@example.com"
HEAD = "head@jtj.example.gov.cn"
CLERK = "clerk@jtj.example.gov.cn"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- servers --------------------------------------------------------------------------------

@pytest.fixture
def hung_smtp() -> Iterator[SimpleNamespace]:
    """Accepts connections and never says a word. Connections are dropped after 15 s, so a
    regression (mail sent in the request without a timeout) fails the test, not hangs it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.1)
    state = SimpleNamespace(address="127.0.0.1:%d" % server.getsockname()[1], connections=0)
    held: list[tuple[float, socket.socket]] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                state.connections += 1
                held.append((time.monotonic(), conn))
            except socket.timeout:
                pass
            while held and time.monotonic() - held[0][0] > 15:
                held.pop(0)[1].close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield state
    stop.set()
    thread.join(5)
    for _, conn in held:
        conn.close()
    server.close()


class _SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP (RFC 5321) for smtplib: greeting, EHLO, MAIL, RCPT, DATA, QUIT."""

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode("ascii") + b"\r\n")

    def handle(self) -> None:
        self.reply("220 sink ESMTP")
        sender, rcpts = "", []
        for _ in range(1000):
            line = self.rfile.readline()
            if not line:
                return
            verb = line[:4].decode("ascii", "replace").upper()
            arg = line.decode("utf-8", "replace").strip()
            if verb in ("EHLO", "HELO"):
                self.reply("250 sink")
            elif verb == "MAIL":
                sender, rcpts = arg.split(":", 1)[1].strip(" <>"), []
                self.reply("250 OK")
            elif verb == "RCPT":
                rcpts.append(arg.split(":", 1)[1].strip(" <>"))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 go on")
                data = b"".join(iter(lambda: self.rfile.readline(), b".\r\n"))
                self.server.messages.append((sender, rcpts, data))  # type: ignore[attr-defined]
                self.reply("250 OK queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 OK")


@pytest.fixture
def smtp_sink() -> Iterator[SimpleNamespace]:
    """A working SMTP server; ``messages`` holds (sender, recipients, data)."""
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SMTPHandler)
    server.daemon_threads = True
    server.messages = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield SimpleNamespace(address="127.0.0.1:%d" % server.server_address[1], messages=server.messages)
    server.shutdown()
    server.server_close()
    thread.join(5)


# -- the setting ------------------------------------------------------------------------------

class Mailroom:
    """A department with a head and a clerk, a conditionally open entry, a citizen."""

    def __init__(self) -> None:
        self.head = factories.User(name="mail-head", email=HEAD)
        self.clerk = factories.User(name="mail-clerk", email=CLERK)
        self.citizen = factories.User(name="mail-citizen", email=CITIZEN)
        self.sysadmin = factories.Sysadmin(name="mail-admin", email="admin@example.gov.cn")
        self.org = department(name="mail-jtj", head_user="mail-head", users=[
            {"name": "mail-head", "capacity": "admin"}, {"name": "mail-clerk", "capacity": "editor"}])
        self.pkg = entry(self.org, name="mail-chuzuche", open_type="conditional", share_type="conditional",
                         **LEVEL_EXTRAS[("conditional", "conditional")])
        self.headers = {"Authorization": factories.APIToken(user=self.citizen["id"])["token"]}
        self.admin_headers = {"Authorization": factories.APIToken(user=self.sysadmin["id"])["token"]}

    def form(self, **extra: Any) -> dict[str, Any]:
        data = {
            "kind": "open", "package_id": self.pkg["id"], "applicant_type": "citizen",
            "applicant_name": "张三", "id_number": "11010519491231002X", "contact_phone": "13800138000",
            "purpose": "交通规划研究", "usage_scope": "内部研究", "data_items": "日期、里程",
            "period_start": "2026-12-01", "period_end": "2027-06-30", "agreement_accepted": True,
        }
        data.update(extra)
        return data

    def as_(self, who: str) -> dict[str, Any]:
        return {"user": getattr(self, who)["name"], "ignore_auth": False}

    def apply(self, **extra: Any) -> dict[str, Any]:
        return helpers.call_action("govshare_application_create", context=self.as_("citizen"), **self.form(**extra))


@pytest.fixture
def m(with_plugins, clean_db, clean_index) -> Mailroom:
    model.Session.remove()
    return Mailroom()


@pytest.fixture
def notify_log(clean_db, caplog, monkeypatch) -> pytest.LogCaptureFixture:
    """caplog for ``ckanext.govshare.notify``. clean_db runs the alembic migrations in this
    process, and their env.py (``logging.config.fileConfig``) disables every logger that
    exists at that moment — ours included; enable it again for the test."""
    monkeypatch.setattr(notify.log, "disabled", False)
    caplog.set_level(logging.INFO, logger=notify.log.name)
    return caplog


def queued_mail() -> list:
    return [j for j in jobs.get_queue().jobs if j.func_name == DELIVER]


def queued_to() -> list[str]:
    return sorted(j.args[1] for j in queued_mail())


# -- a hung mail server -----------------------------------------------------------------------

@pytest.mark.ckan_config("ckanext.govshare.smtp_timeout", "1")
@pytest.mark.ckan_config("ckan.jobs.timeout", "30")
def test_hung_smtp_server_holds_neither_request_nor_mail(app, m, run_jobs, hung_smtp, smtp_sink, monkeypatch,
                                                         notify_log):
    monkeypatch.setitem(config, "smtp.server", hung_smtp.address)

    # the request only queues the mail: no SMTP connection is opened while it runs
    resp = app.post("/api/3/action/govshare_application_create", json=m.form(), headers=m.headers)
    assert resp.status_code == 200 and resp.json["result"]["status"] == "submitted"
    assert hung_smtp.connections == 0
    assert queued_to() == sorted([CITIZEN, HEAD, CLERK])  # the applicant and the department
    queued = queued_mail()
    assert all(j.retries_left == len(notify.RETRY_INTERVALS) for j in queued)

    # the worker meets the hung server; each send gives up after smtp_timeout (1 s), before
    # RQ's own job timeout, and the job is scheduled for a retry — not lost
    run_jobs()
    assert hung_smtp.connections == 3
    failures = [r.getMessage() for r in notify_log.records if r.levelno == logging.WARNING]
    assert len(failures) == 3 and all("timed out" in f and "retries left: 4" in f for f in failures)
    assert "JobTimeoutException" not in notify_log.text
    scheduled = set(jobs.get_queue().scheduled_job_registry.get_job_ids())
    for job in queued:
        job.refresh()
        assert job.get_status() == "scheduled" and job.id in scheduled
        assert job.retries_left == len(notify.RETRY_INTERVALS) - 1

    # not due yet: nothing is requeued; once due, the retry reaches a working server
    assert notify.requeue_due_retries() == 0
    monkeypatch.setitem(config, "smtp.server", smtp_sink.address)
    assert notify.requeue_due_retries(time.time() + notify.RETRY_INTERVALS[0] + 1) == 3
    run_jobs()
    assert sorted(r for _, rcpts, _ in smtp_sink.messages for r in rcpts) == sorted([CITIZEN, HEAD, CLERK])
    assert all(job.get_status(refresh=True) == "finished" for job in queued)
    assert hung_smtp.connections == 3


@pytest.mark.ckan_config("ckanext.govshare.smtp_timeout", "7")
def test_smtp_timeout_setting_is_applied_to_the_send_only(m, monkeypatch):
    seen = []
    monkeypatch.setattr(notify.mailer, "mail_recipient", lambda *a, **k: seen.append(socket.getdefaulttimeout()))
    before = socket.getdefaulttimeout()
    assert notify.deliver(m.citizen["id"], CITIZEN, "subject", "body")
    assert seen == [7]
    assert socket.getdefaulttimeout() == before


def test_a_failed_send_raises_for_rq_to_retry(m, monkeypatch, notify_log):
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise notify.mailer.MailerException("SMTP server could not be connected to")
    monkeypatch.setattr(notify.mailer, "mail_recipient", refuse)
    with pytest.raises(notify.mailer.MailerException):
        notify.deliver(m.citizen["id"], CITIZEN, "subject", "body", "app-1")
    assert "could not email user" in notify_log.text


def test_redis_unreachable_the_application_stands(app, m, monkeypatch, notify_log):
    monkeypatch.setattr(ckan_redis, "_connection_pool", redis.ConnectionPool.from_url(
        f"redis://127.0.0.1:{_free_port()}/0", socket_connect_timeout=1))
    monkeypatch.setattr(jobs, "_queues", {})
    resp = app.post("/api/3/action/govshare_application_create", json=m.form(), headers=m.headers)
    assert resp.status_code == 200 and resp.json["result"]["status"] == "submitted"
    assert notify_log.text.count("not queued (job queue unreachable)") == 3
    monkeypatch.undo()
    assert helpers.call_action("govshare_application_show", context=m.as_("clerk"),
                               id=resp.json["result"]["id"])["status"] == "submitted"


# -- verified addresses only ------------------------------------------------------------------

def test_typed_contact_email_receives_nothing(m, run_jobs, mail_server):
    app = m.apply(contact_email="victim@example.org")
    # kept as contact information for the department to read
    assert helpers.call_action("govshare_application_show", context=m.as_("clerk"),
                               id=app["id"])["contact_email"] == "victim@example.org"
    helpers.call_action("govshare_application_refuse", context=m.as_("clerk"), id=app["id"],
                        reason="理由", basis="依据")
    assert "victim@example.org" not in queued_to()
    run_jobs()
    recipients = [r for _, _, rcpts, _ in mail_server.get_smtp_messages() for r in rcpts]
    assert "victim@example.org" not in recipients
    assert recipients.count(CITIZEN) == 2  # receipt and decision, to the account's address
    assert recipients.count(HEAD) == 1 and recipients.count(CLERK) == 1


def test_contact_email_equal_to_the_account_gets_one_mail(m, run_jobs, mail_server):
    m.apply(contact_email="Citizen@Example.com")
    run_jobs()
    recipients = [r for _, _, rcpts, _ in mail_server.get_smtp_messages() for r in rcpts]
    assert recipients.count(CITIZEN) == 1


def test_job_sends_only_while_the_address_is_the_accounts(m, run_jobs, mail_server, notify_log):
    m.apply()
    user = model.User.get(m.citizen["id"])
    user.email = "new-address@example.com"
    model.Session.commit()
    run_jobs()
    recipients = [r for _, _, rcpts, _ in mail_server.get_smtp_messages() for r in rcpts]
    assert CITIZEN not in recipients and "new-address@example.com" not in recipients
    assert "no longer the email" in notify_log.text


# -- rate limit -------------------------------------------------------------------------------

@pytest.mark.parametrize("limit", [2, 3])
def test_mail_rate_limit_per_address(m, run_jobs, mail_server, monkeypatch, notify_log, limit):
    monkeypatch.setitem(config, notify.RATE_LIMIT_KEY, limit)
    app = m.apply()                                                   # 1st mail to the citizen
    helpers.call_action("govshare_application_extend", context=m.as_("head"), id=app["id"],
                        days=15, reason="数据需脱敏处理")                  # 2nd
    helpers.call_action("govshare_application_refuse", context=m.as_("clerk"), id=app["id"],
                        reason="理由", basis="依据")                      # 3rd
    sent = min(3, limit)
    assert queued_to().count(CITIZEN) == sent
    assert ("more than %d mails" % limit in notify_log.text) == (limit < 3)
    assert queued_to().count(HEAD) == 1  # counted per address
    run_jobs()
    recipients = [r for _, _, rcpts, _ in mail_server.get_smtp_messages() for r in rcpts]
    assert recipients.count(CITIZEN) == sent

    # an hour later the address may receive mail again
    later = time.time() + 3601
    monkeypatch.setattr(notify, "time", SimpleNamespace(time=lambda: later))
    from_db = model.Session.query(Application).get(app["id"])
    assert notify.decided(from_db) == 1


def test_default_rate_limit_is_declared():
    assert config.get(notify.RATE_LIMIT_KEY) == 20
    assert config.get(notify.SMTP_TIMEOUT_KEY) == 10


# -- Solr down during a write -----------------------------------------------------------------

def test_solr_down_during_a_write_leaves_nothing_half_written(app, m, monkeypatch):
    existing = entry(m.org, name="mail-gongjiao", title="公交线路信息")
    new = entry_data(m.org, name="mail-ditie", title="轨道交通线路")
    with monkeypatch.context() as mp:
        down = f"http://127.0.0.1:{_free_port()}/solr/x"
        if compat.CKAN_212:  # 2.12 reads solr_url from the config on every connection
            mp.setitem(config, "solr_url", down)
        else:
            mp.setattr(search_common.SolrSettings, "_url", down)
        created = app.post("/api/3/action/package_create", json=new, headers=m.admin_headers)
        updated = app.post("/api/3/action/package_patch", json={"id": existing["id"], "title": "改过的标题"},
                           headers=m.admin_headers)
    for resp in (created, updated):
        assert resp.status_code == 500 and not resp.json["success"]
        assert resp.json["error"]["__type"] == "Search Index Error"
    # Solr back: CKAN indexes in the session's before_commit, so the failed index rolled the
    # transaction back — the database and the index agree, nothing half-written
    model.Session.remove()
    assert model.Package.get("mail-ditie") is None
    assert model.Package.get(existing["id"]).title == "公交线路信息"
    search = helpers.call_action("package_search", context={"user": m.sysadmin["name"]},
                                 fq="name:(mail-ditie OR mail-gongjiao)")
    assert [d["title"] for d in search["results"]] == ["公交线路信息"]
    # and the same writes succeed once Solr answers again
    assert app.post("/api/3/action/package_create", json=new, headers=m.admin_headers).status_code == 200
    assert helpers.call_action("package_search", context={"user": m.sysadmin["name"]},
                               fq="name:mail-ditie")["count"] == 1
