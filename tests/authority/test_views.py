# -*- coding: utf-8 -*-
"""The data authority's workspace (/authority): only the authority opens it; it lists the
entries awaiting review with their due dates (overdue highlighted), decides them, and shows
every department's pending and overdue requests and those addressed to no department
(chongqing-2018 §5-6, kunming-2019 §4-5, shenyang-2016 §12, chongqing-2019 §14)."""
from __future__ import annotations

import datetime

import pytest
from bs4 import BeautifulSoup

from ckan import model
from ckan.tests import factories

from ckanext.govshare.applications.model import Application
from ckanext.govshare.review.model import Review
from tests.factories import LEVEL_EXTRAS, entry


def _token(user) -> dict[str, str]:
    return {"Authorization": factories.APIToken(user=user["id"])["token"]}


@pytest.mark.parametrize("actor,status", [("citizen", 403), ("other", 403), ("clerk", 403),
                                          ("authority", 200), ("sysadmin", 200)])
def test_only_the_authority_opens_the_workspace(app, review_world, actor, status):
    w = review_world
    user = {"citizen": w.citizen, "other": w.other, "clerk": w.clerk, "authority": w.authority,
            "sysadmin": w.sysadmin}[actor]
    assert app.get("/authority", headers=_token(user), status=status).status_code == status


def test_anonymous_is_sent_to_log_in(app, review_world):
    resp = app.get("/authority", follow_redirects=False)
    assert resp.status_code == 302 and "/user/login" in resp.headers["Location"]


def test_workspace_lists_reviews_and_requests(app, review_world):
    """Pending reviews with due dates and overdue ones; departments' pending and overdue
    requests; undirected demands."""
    w = review_world
    late = w.submit(name="late-entry", title="逾期目录")
    w.submit(name="fresh-entry", title="新目录")
    row = model.Session.query(Review).filter(Review.package_id == late["id"]).one()
    row.due_at = datetime.datetime.utcnow() - datetime.timedelta(days=2)
    model.Session.commit()
    # an open application to 市交通局, made overdue, and an undirected demand
    cond = entry(w.org, name="chuzuche", title="出租汽车运营数据", open_type="conditional",
                 **LEVEL_EXTRAS[("conditional", "unconditional")])
    applied = w.call("govshare_application_create", w.citizen, kind="open", package_id=cond["id"],
                     applicant_type="citizen", applicant_name="张三", id_number="11010519491231002X",
                     contact_phone="13800138000", purpose="研究", usage_scope="内部", data_items="里程",
                     period_start="2026-12-01", period_end="2027-06-30", agreement_accepted=True)
    model.Session.query(Application).filter(Application.id == applied["id"]).update(
        {"due_at": datetime.datetime.utcnow() - datetime.timedelta(days=1)})
    model.Session.commit()
    w.call("govshare_application_create", w.citizen, kind="open_demand", applicant_type="citizen",
           applicant_name="张三", description="全市出租汽车的实时空车分布", purpose="打车应用")

    page = app.get("/authority", headers=_token(w.authority)).get_data(as_text=True)
    soup = BeautifulSoup(page, "html.parser")
    reviews = soup.find(id="govshare-reviews")
    assert "逾期目录" in reviews.get_text() and "新目录" in reviews.get_text()
    overdue_rows = reviews.select("tr.govshare-overdue")
    assert len(overdue_rows) == 1 and "逾期目录" in overdue_rows[0].get_text()
    assert soup.find(id="govshare-count-reviews").get_text() == "2"
    assert soup.find(id="govshare-count-overdue-reviews").get_text() == "1"
    requests = soup.find(id="govshare-pending-requests")
    assert "出租汽车运营数据" in requests.get_text() and "市交通局" in requests.get_text()
    assert requests.select("tr.govshare-overdue")
    assert soup.find(id="govshare-count-overdue-requests").get_text() == "1"
    assert "开放需求" in soup.find(id="govshare-applications").get_text()


def test_reject_and_approve_from_the_workspace(app, review_world):
    """shenyang-2016 §12: returned with a reason (none: refused), then approved and published."""
    w = review_world
    pkg = w.submit(name="gongjiao", title="公交线路信息")
    review = w.review_of(pkg)
    token = _token(w.authority)
    # no reason: refused, nothing decided
    page = app.post(f"/authority/review/{review['id']}/reject", data={"reason": ""}, headers=token).get_data(as_text=True)
    assert "退回" in page
    assert w.review_of(pkg)["status"] == "pending"
    app.post(f"/authority/review/{review['id']}/reject", data={"reason": "缺少数据项说明"}, headers=token)
    assert w.review_of(pkg)["status"] == "rejected"

    # the department sees the reason on the entry page and on its list
    clerk = _token(w.clerk)
    entry_page = BeautifulSoup(app.get("/dataset/gongjiao", headers=clerk).get_data(as_text=True), "html.parser")
    assert entry_page.find(id="govshare-review-reason").get_text() == "缺少数据项说明"
    listing = app.get("/organization/jtj/reviews", headers=clerk).get_data(as_text=True)
    assert "缺少数据项说明" in listing and "公交线路信息" in listing
    # nobody outside sees it
    app.get("/organization/jtj/reviews", headers=_token(w.other), status=403)

    w.call("package_patch", w.clerk, id="gongjiao", notes="补充了数据项说明。")
    again = w.review_of(pkg)
    app.post(f"/authority/review/{again['id']}/approve", headers=token)
    assert w.review_of(pkg)["status"] == "approved"
    assert "gongjiao" in w.public_names()


def test_review_page_shows_the_entry_to_an_authority_member(app, review_world):
    """An authority group member who is no sysadmin reads the unpublished entry it reviews."""
    w = review_world
    pkg = w.submit(name="gongjiao", title="公交线路信息", notes="全市公交线路。")
    review = w.review_of(pkg)
    page = app.get(f"/authority/review/{review['id']}", headers=_token(w.authority)).get_data(as_text=True)
    assert "公交线路信息" in page and "全市公交线路" in page and "无条件开放" in page
    app.get(f"/authority/review/{review['id']}", headers=_token(w.clerk), status=403)
    app.get("/authority/review/nonexistent", headers=_token(w.authority), status=404)


def test_header_links_the_workspace_for_the_authority_only(app, review_world):
    w = review_world
    home = BeautifulSoup(app.get("/dataset", headers=_token(w.authority)).get_data(as_text=True), "html.parser")
    assert home.find(id="govshare-authority-link")["href"] == "/authority"
    clerk = BeautifulSoup(app.get("/dataset", headers=_token(w.clerk)).get_data(as_text=True), "html.parser")
    assert clerk.find(id="govshare-authority-link") is None
