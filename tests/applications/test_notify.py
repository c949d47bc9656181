# -*- coding: utf-8 -*-
"""Mail about applications is a background job (issue 13): the request only *queues* it in
Redis (``tk.enqueue_job``), CKAN's worker delivers it; and it answers the workflow's signals,
never a direct call. The reply to the applicant: chongqing-2018 §24."""
from __future__ import annotations

import pytest

from ckan.lib import jobs
from ckan.tests import factories

from ckanext.govshare.applications import signals, subscriptions

DELIVER = "ckanext.govshare.applications.notify.deliver"


@pytest.fixture
def w(applications_world):
    world = applications_world()
    for user in (world.head, world.clerk, world.citizen):
        assert user["email"]
    return world


def _queued() -> list:
    return [j for j in jobs.get_queue().jobs if j.func_name == DELIVER]


def _delivered(mail_server) -> list[str]:
    return sorted(r for _, _, rcpts, _ in mail_server.get_smtp_messages() for r in rcpts)


@pytest.mark.ckan_config("ckan.site_url", "http://test.ckan.net")
def test_mail_is_queued_in_the_request_and_delivered_by_the_worker(app, w, run_jobs, mail_server):
    token = factories.APIToken(user=w.citizen["id"])["token"]
    resp = app.post("/api/3/action/govshare_application_create", json=w.form(),
                    headers={"Authorization": token})
    assert resp.status_code == 200 and resp.json["result"]["status"] == "submitted"

    # inside the request nothing was sent: one job per recipient waits in Redis
    assert mail_server.get_smtp_messages() == []
    expected = sorted([w.citizen["email"], w.head["email"], w.clerk["email"]])
    queued = _queued()
    assert sorted(j.args[1] for j in queued) == expected
    assert all(j.get_status() == "queued" for j in queued)

    # CKAN's worker (``ckan jobs worker``, here without the fork) sends them
    run_jobs()
    assert _delivered(mail_server) == expected
    assert all(j.get_status(refresh=True) == "finished" for j in queued)
    assert _queued() == []


def test_the_decision_mail_answers_the_signal_not_a_call(w, run_jobs, mail_server):
    app = w.apply()
    run_jobs()
    before = len(mail_server.get_smtp_messages())
    receiver = subscriptions.mail_decided
    signals.refused.disconnect(receiver)
    try:
        w.act("refuse", w.clerk, id=app["id"], reason="涉及个人信息", basis="chongqing-2019 §33")
        assert _queued() == []  # with no receiver, the refusal mails nobody
    finally:
        signals.refused.connect(receiver)
    other = w.apply(kind="error_report", description="线路编号有误")
    w.act("refuse", w.clerk, id=other["id"], reason="经核实无误", basis="chongqing-2018 §20")
    assert w.citizen["email"] in [j.args[1] for j in _queued()]
    run_jobs()
    assert len(mail_server.get_smtp_messages()) > before
