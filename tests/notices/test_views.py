# -*- coding: utf-8 -*-
"""Notice pages (shenyang-2016 §22): subscribing on the entry page, the user's notices at
``/dashboard/notices`` with the unread count in the header, and the department's upkeep tab
(shenyang-2016 §12, kunming-2019 §18)."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from ckan import model
from ckan.tests import factories

from ckanext.govshare.notices.model import Notice, Subscription


@pytest.fixture
def tokens(nw):
    return {name: {"Authorization": factories.APIToken(user=user["id"])["token"]}
            for name, user in nw.actors.items() if user is not None}


def test_subscribe_on_the_entry_page(app, nw, tokens):
    page = BeautifulSoup(app.get("/dataset/chuzuche", headers=tokens["subscriber"]).get_data(as_text=True),
                         "html.parser")
    assert page.find(id="govshare-subscribe") is not None
    app.post("/govshare/dataset/chuzuche/subscribe", headers=tokens["subscriber"])
    assert model.Session.query(Subscription).count() == 1
    page = BeautifulSoup(app.get("/dataset/chuzuche", headers=tokens["subscriber"]).get_data(as_text=True),
                         "html.parser")
    assert page.find(id="govshare-unsubscribe") is not None
    app.post("/govshare/dataset/chuzuche/unsubscribe", headers=tokens["subscriber"])
    assert model.Session.query(Subscription).count() == 0
    resp = app.post("/govshare/dataset/chuzuche/subscribe", follow_redirects=False)
    assert resp.status_code == 302 and "/user/login" in resp.headers["Location"]


def test_notices_page_and_unread_count(app, nw, tokens, run_jobs):
    """shenyang-2016 §22: the subscriber is told on the site: a notice and the header's count."""
    nw.call("govshare_subscription_create", "subscriber", package_id=nw.pkg["id"])
    nw.edit(resources=[{"url": "https://data.example.gov.cn/2027.csv"}])
    run_jobs()
    page = BeautifulSoup(app.get("/dashboard/notices", headers=tokens["subscriber"]).get_data(as_text=True),
                         "html.parser")
    assert page.find(id="govshare-notices-unread").get_text().strip() == "1"
    table = page.find(id="govshare-notices").get_text()
    assert nw.pkg["title"] in table
    app.post("/dashboard/notices/read", headers=tokens["subscriber"])
    page = BeautifulSoup(app.get("/dashboard/notices", headers=tokens["subscriber"]).get_data(as_text=True),
                         "html.parser")
    assert page.find(id="govshare-notices-unread") is None
    assert model.Session.query(Notice).filter(Notice.read_at.is_(None)).count() == 0
    assert app.get("/dashboard/notices", follow_redirects=False).status_code == 302


@pytest.mark.ckan_config("ckanext.govshare.deadline_policy", "shenyang-2016")
def test_upkeep_tab(app, nw, tokens):
    """shenyang-2016 §12, §22: the department sees its corrections due in 2 working days."""
    nw.call("govshare_feedback_create", "citizen", package_id=nw.pkg["id"], rating=2, objection=True,
            comment="数据已过时")
    org_page = BeautifulSoup(app.get("/organization/jtj", headers=tokens["department"]).get_data(as_text=True),
                             "html.parser")
    assert org_page.find("a", href="/organization/jtj/upkeep") is not None
    page = BeautifulSoup(app.get("/organization/jtj/upkeep", headers=tokens["department"]).get_data(as_text=True),
                         "html.parser")
    duties = page.find(id="govshare-upkeep-duties").get_text()
    assert nw.pkg["title"] in duties and "shenyang-2016 §22" in duties
    assert "2个工作日" in page.get_text() or "2 个工作日" in page.get_text()
    assert app.get("/organization/jtj/upkeep", headers=tokens["citizen"]).status_code == 403
    assert app.get("/organization/jtj/upkeep", headers=tokens["authority"]).status_code == 200
    public = BeautifulSoup(app.get("/organization/jtj", headers=tokens["citizen"]).get_data(as_text=True),
                           "html.parser")
    assert public.find("a", href="/organization/jtj/upkeep") is None
