# -*- coding: utf-8 -*-
"""The application pages: apply on a conditional dataset, the department's inbox, the
decision forms, the applicant's view of the outcome (chongqing-2018 §24, chongqing-2019 §33)."""
from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup

from ckan import model
from ckan.tests import factories

from ckanext.govshare.model import Application, ApplicationEvent
from tests.factories import LEVEL_EXTRAS, department, entry

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

FORM = {"applicant_type": "citizen", "applicant_name": "张三", "id_number": "11010519491231002X",
        "contact_phone": "13800138000", "purpose": "交通规划研究", "usage_scope": "内部研究",
        "data_items": "日期、里程", "period_start": "2026-12-01", "period_end": "2027-06-30",
        "agreement_accepted": "on", "client_token": "tok-1"}


class World:
    def __init__(self) -> None:
        self.head = factories.User(name="head")
        self.clerk = factories.User(name="clerk")
        self.citizen = factories.User(name="citizen")
        self.org = department(name="jtj", head_user="head", users=[
            {"name": "head", "capacity": "admin"}, {"name": "clerk", "capacity": "editor"}])
        self.pkg = entry(self.org, name="chuzuche", title="出租汽车运营数据", open_type="conditional",
                         resources=[{"url": "https://data.example.gov.cn/chuzuche-secret.csv"}],
                         **LEVEL_EXTRAS[("conditional", "unconditional")])
        self.tokens = {u: {"Authorization": factories.APIToken(user=getattr(self, u)["id"])["token"]}
                       for u in ("head", "clerk", "citizen")}


@pytest.fixture
def w():
    return World()


def test_dataset_page_offers_apply_instead_of_the_url(app, w):
    body = app.get("/dataset/chuzuche").get_data(as_text=True)
    assert "chuzuche-secret" not in body
    soup = BeautifulSoup(body, "html.parser")
    assert soup.find(id="govshare-apply") is not None
    assert "仅限科研用途" in body or "须实名认证" in body  # the conditions are shown
    assert "无条件共享" in body and "有条件开放" in body


def test_apply_needs_login(app, w):
    resp = app.get("/dataset/chuzuche/apply", follow_redirects=False)
    assert resp.status_code == 302 and "/user/login" in resp.headers["Location"]


def test_apply_show_deadline_and_inbox(app, w):
    resp = app.post("/dataset/chuzuche/apply", data=FORM, headers=w.tokens["citizen"], follow_redirects=False)
    assert resp.status_code == 302
    app_id = resp.headers["Location"].rstrip("/").split("/")[-1]
    page = app.get(f"/application/{app_id}", headers=w.tokens["citizen"]).get_data(as_text=True)
    assert "还剩" in page and "个工作日" in page and "年" in page
    assert "110105********002X" in page  # masked for the applicant
    # the history shows Beijing time the way the rest of the page does, not CKAN's "十一月 29, 2026"
    submitted = model.Session.query(ApplicationEvent).filter_by(application_id=app_id).first().at
    local = submitted.replace(tzinfo=datetime.timezone.utc).astimezone(ZoneInfo("Asia/Shanghai"))
    history = BeautifulSoup(page, "html.parser").find(id="govshare-events").get_text()
    assert f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}" in history
    # double submit of the same form: still one application
    app.post("/dataset/chuzuche/apply", data=FORM, headers=w.tokens["citizen"])
    assert model.Session.query(Application).count() == 1
    inbox = app.get("/organization/jtj/applications", headers=w.tokens["clerk"]).get_data(as_text=True)
    assert "张三" in inbox and "11010519491231002X" not in inbox
    assert app.get(f"/application/{app_id}", headers=w.tokens["clerk"]).get_data(as_text=True).count(
        "11010519491231002X") == 1
    app.get("/organization/jtj/applications", headers=w.tokens["citizen"], status=403)


def test_form_errors_beside_fields(app, w):
    bad = dict(FORM, id_number="110105194912310021", agreement_accepted="")
    body = app.post("/dataset/chuzuche/apply", data=bad, headers=w.tokens["citizen"]).get_data(as_text=True)
    soup = BeautifulSoup(body, "html.parser")
    group = soup.find(id="field-id_number").find_parent(class_="form-group")
    assert "GB 11643" in group.get_text()
    assert "使用协议" in body or "usage agreement" in body
    assert model.Session.query(Application).count() == 0


def test_overdue_highlighted_in_inbox(app, w):
    app.post("/dataset/chuzuche/apply", data=FORM, headers=w.tokens["citizen"])
    model.Session.query(Application).update({"due_at": datetime.datetime.utcnow() - datetime.timedelta(days=2)})
    model.Session.commit()
    soup = BeautifulSoup(app.get("/organization/jtj/applications", headers=w.tokens["clerk"]).body, "html.parser")
    row = soup.select_one("#govshare-applications tbody tr")
    assert "govshare-overdue" in row["class"]
    assert "已逾期" in row.get_text()


def test_refuse_needs_reasons_then_applicant_sees_them(app, w):
    app.post("/dataset/chuzuche/apply", data=FORM, headers=w.tokens["citizen"])
    app_id = model.Session.query(Application).one().id
    page = app.post(f"/application/{app_id}/refuse", data={"reason": ""}, headers=w.tokens["clerk"])
    assert "chongqing-2019 §33" in page.get_data(as_text=True) or "第三十三条" in page.get_data(as_text=True)
    assert model.Session.query(Application).one().status == "submitted"
    app.post(f"/application/{app_id}/refuse", data={"reason": "用途超出开放条件", "basis": "办法第三十三条"},
             headers=w.tokens["clerk"])
    mine = app.get(f"/application/{app_id}", headers=w.tokens["citizen"]).get_data(as_text=True)
    assert "不予同意" in mine and "用途超出开放条件" in mine and "办法第三十三条" in mine
    listing = app.get("/user/applications", headers=w.tokens["citizen"]).get_data(as_text=True)
    assert "不予同意" in listing


def test_extend_then_approve_opens_the_data(app, w):
    app.post("/dataset/chuzuche/apply", data=FORM, headers=w.tokens["citizen"])
    app_id = model.Session.query(Application).one().id
    app.post(f"/application/{app_id}/extend", data={"days": "10", "reason": "需脱敏"}, headers=w.tokens["head"])
    assert model.Session.query(Application).one().status == "extended"
    app.post(f"/application/{app_id}/approve", data={"conditions": "仅限研究"}, headers=w.tokens["clerk"])
    model.Session.expire_all()
    assert model.Session.query(Application).one().status == "approved"
    body = app.get("/dataset/chuzuche", headers=w.tokens["citizen"]).get_data(as_text=True)
    assert "chuzuche-secret" in body
    download = f"/dataset/chuzuche/resource/{w.pkg['resources'][0]['id']}/download"
    resp = app.get(download, headers=w.tokens["citizen"], follow_redirects=False)
    assert resp.status_code == 302 and "chuzuche-secret" in resp.headers["Location"]


def test_english_pages(app, w):
    app.post("/dataset/chuzuche/apply", data=FORM, headers=w.tokens["citizen"])
    app_id = model.Session.query(Application).one().id
    page = app.get(f"/en/application/{app_id}", headers=w.tokens["citizen"]).get_data(as_text=True)
    assert "working days left" in page and "Open application" in page


@pytest.mark.parametrize("kind,path,form", [
    ("error_report", "/dataset/chuzuche/apply?kind=error_report", {"description": "第3行载客里程为负数"}),
    ("catalogue_correction", "/dataset/chuzuche/apply?kind=catalogue_correction", {"description": "更新周期应为每日"}),
    ("open_demand", "/demand", {"description": "希望开放公交实时到站数据", "purpose": "出行应用"}),
])
def test_other_request_kinds_through_the_web(app, w, kind, path, form):
    """chongqing-2018 §20 (errors), chongqing-2019 §32 (catalogue correction),
    shijingshan-2017 §22 (open-data demand): filed on the web, answered on the web."""
    if kind == "open_demand":
        form = dict(form, organization_id=w.org["id"])
    resp = app.post(path, data=dict(form, client_token=f"tok-{kind}"), headers=w.tokens["citizen"],
                    follow_redirects=False)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    application = model.Session.query(Application).one()
    assert application.kind == kind
    page = app.get(f"/application/{application.id}", headers=w.tokens["citizen"]).get_data(as_text=True)
    assert "已受理" in page and "个工作日" in page
    app.post(f"/application/{application.id}/approve", data={"reply": "已核实并更正"}, headers=w.tokens["clerk"])
    page = app.get(f"/application/{application.id}", headers=w.tokens["citizen"]).get_data(as_text=True)
    assert "已同意" in page and "已核实并更正" in page


def test_extension_is_asked_by_the_clerk_and_given_by_the_head(app, w):
    """chongqing-2018 §24: the clerk's form asks; only the head's own session consents."""
    app.post("/dataset/chuzuche/apply", data=FORM, headers=w.tokens["citizen"])
    app_id = model.Session.query(Application).one().id
    page = BeautifulSoup(app.get(f"/application/{app_id}", headers=w.tokens["clerk"]).get_data(as_text=True),
                         "html.parser")
    assert page.find(id="govshare-extension-request") is not None and page.find(id="govshare-extend") is None
    assert page.find(id="field-consented_by") is None
    app.post(f"/application/{app_id}/extension_request", data={"days": "10", "reason": "需脱敏"},
             headers=w.tokens["clerk"])
    model.Session.expire_all()
    assert model.Session.query(Application).one().status == "submitted"
    page = BeautifulSoup(app.get(f"/application/{app_id}", headers=w.tokens["head"]).get_data(as_text=True),
                         "html.parser")
    assert "需脱敏" in page.find(id="govshare-extension-request").get_text()
    app.post(f"/application/{app_id}/extend", data={}, headers=w.tokens["head"])
    model.Session.expire_all()
    row = model.Session.query(Application).one()
    assert row.status == "extended" and row.extension_consented_by == w.head["id"]


def test_undirected_demand_reaches_the_authority_and_is_forwarded(app, w):
    """chongqing-2018 §19 ¶3, kunming-2019 §25: the authority forwards; shijingshan-2017 §22:
    the deadline keeps running from receipt."""
    admin = factories.Sysadmin(name="authority")
    admin_auth = {"Authorization": factories.APIToken(user=admin["id"])["token"]}
    form = app.get("/demand", headers=w.tokens["citizen"]).get_data(as_text=True)
    chooser = BeautifulSoup(form, "html.parser").find(id="field-organization_id")
    assert chooser.get("data-module") == "autocomplete" and chooser.find("optgroup") is not None
    app.post("/demand", data={"description": "希望开放全市充电桩位置数据", "purpose": "出行应用",
                              "client_token": "d-1"}, headers=w.tokens["citizen"])
    demand = model.Session.query(Application).one()
    assert demand.provider_org_id is None
    # not in any department's inbox; in the authority's
    assert "充电桩" not in app.get("/organization/jtj/applications", headers=w.tokens["clerk"]).get_data(as_text=True)
    assert app.get("/govshare/authority", headers=w.tokens["citizen"]).status_code == 403
    inbox = app.get("/govshare/authority", headers=admin_auth).get_data(as_text=True)
    assert f"/application/{demand.id}" in inbox
    page = BeautifulSoup(app.get(f"/application/{demand.id}", headers=admin_auth).get_data(as_text=True), "html.parser")
    assert page.find(id="govshare-forward-form") is not None
    due_before = demand.due_at
    app.post(f"/application/{demand.id}/forward", data={"organization_id": w.org["id"], "note": "请答复"},
             headers=admin_auth)
    model.Session.expire_all()
    demand = model.Session.query(Application).one()
    assert demand.provider_org_id == w.org["id"] and demand.due_at == due_before
    assert f"/application/{demand.id}" in app.get("/organization/jtj/applications",
                                                  headers=w.tokens["clerk"]).get_data(as_text=True)
    assert f"/application/{demand.id}" not in app.get("/govshare/authority", headers=admin_auth).get_data(as_text=True)


def test_inbox_lists_pending_by_default_and_filters_by_status(app, w):
    app.post("/dataset/chuzuche/apply", data=FORM, headers=w.tokens["citizen"])
    app_id = model.Session.query(Application).one().id
    app.post(f"/application/{app_id}/refuse", data={"reason": "用途不符", "basis": "第三十三条"},
             headers=w.tokens["clerk"])
    pending = app.get("/organization/jtj/applications", headers=w.tokens["clerk"]).get_data(as_text=True)
    assert f"/application/{app_id}" not in pending and "待答复" in pending
    refused = app.get("/organization/jtj/applications?status=refused", headers=w.tokens["clerk"]).get_data(as_text=True)
    assert f"/application/{app_id}" in refused
    everything = app.get("/organization/jtj/applications?status=all", headers=w.tokens["clerk"]).get_data(as_text=True)
    assert f"/application/{app_id}" in everything
