# -*- coding: utf-8 -*-
"""Every page a citizen, a department clerk or an anonymous visitor reaches shows, in the
default Chinese UI, no English CKAN string, no raw field key and no ``True``/``False``.

The English check uses CKAN's own message catalogue (``ckan/i18n/ckan.pot``) and govshare's
msgids (extracted from the code): any msgid (or a fragment of it between placeholders) of two
or more words found verbatim in the visible text of a page fails. Visible text is the text of the page without scripts, styles, code,
URLs and e-mail addresses, plus placeholders and button values; the world's entries, users
and departments are Chinese, so English there can only come from the platform.
"""
from __future__ import annotations

from typing import Any, Iterable

import pytest
from bs4 import BeautifulSoup

from ckan.tests import factories, helpers

from tests.factories import LEVEL_EXTRAS, department, entry
from tests.page_check import html_problems, visible_lines

with_world = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


class World:
    """One department with a head and a clerk, a citizen, entries of each open level with
    resources, and an application of the citizen."""

    def __init__(self) -> None:
        self.head = factories.User(name="head", fullname="王局长")
        self.clerk = factories.User(name="clerk", fullname="李科员")
        self.citizen = factories.User(name="citizen", fullname="张三")
        self.org = department(name="jtj", title="市交通局", head_user="head", region_code="500000",
                              description="负责全市交通运输管理。", users=[
                                  {"name": "head", "capacity": "admin"}, {"name": "clerk", "capacity": "editor"}])
        self.entries = {}
        for n, ((open_type, share_type), extras) in enumerate(sorted(LEVEL_EXTRAS.items())):
            name = f"entry-{open_type}-{share_type}"
            self.entries[(open_type, share_type)] = entry(
                self.org, name=name, title=f"交通数据{n}", open_type=open_type, share_type=share_type,
                desensitised=(n % 2 == 0), tags=[{"name": "交通"}],
                data_items=[{"item_name": "线路编号", "item_type": "C", "item_length": 20}],
                resources=[{"url": f"https://data.example.gov.cn/{name}.csv", "name": "线路表", "format": "CSV",
                            "description": "全量线路表", "access_method": "download"},
                           {"url": f"https://data.example.gov.cn/{name}/api", "name": "查询接口", "format": "API",
                            "access_method": "api", "api_description": "按线路编号查询", "api_call": "GET 请求"}],
                **extras)
        self.conditional = self.entries[("conditional", "unconditional")]
        self.unconditional = self.entries[("unconditional", "unconditional")]
        # a table in the DataStore with a data dictionary and a preview, as the demo has
        sysadmin = factories.Sysadmin()
        table = self.unconditional["resources"][0]["id"]
        helpers.call_action("datastore_create", context={"user": sysadmin["name"]}, resource_id=table, force=True,
                            fields=[{"id": "线路编号", "type": "text", "info": {"label": "线路编号", "notes": "唯一编号"}},
                                    {"id": "票价", "type": "numeric"}, {"id": "开通日期", "type": "date"}],
                            records=[{"线路编号": "461", "票价": 2, "开通日期": "2019-06-18"}])
        helpers.call_action("resource_view_create", context={"user": sysadmin["name"]}, resource_id=table,
                            view_type="datatables_view", title="数据预览")
        self.tokens = {u: {"Authorization": factories.APIToken(user=getattr(self, u)["id"])["token"]}
                       for u in ("head", "clerk", "citizen")}
        self.tokens["anonymous"] = {}
        from ckan.plugins import toolkit as tk
        self.application = tk.get_action("govshare_application_create")(
            {"user": "citizen", "ignore_auth": False}, {
                "kind": "open", "package_id": self.conditional["id"], "applicant_type": "citizen",
                "applicant_name": "张三", "id_number": "11010519491231002X", "contact_phone": "13800138000",
                "purpose": "交通规划研究", "usage_scope": "内部研究", "data_items": "线路编号",
                "period_start": "2026-12-01", "period_end": "2027-06-30", "agreement_accepted": True,
                "client_token": "tok-pages"})

    def pages(self, role: str) -> Iterable[str]:
        yield from ["/", "/dataset/", "/organization/", "/organization/jtj", "/about", "/govshare/usage",
                    "/user/register", "/user/login", "/demand", "/dataset/?q=交通&open_type=conditional"]
        for pkg in self.entries.values():
            yield f"/dataset/{pkg['name']}"
            for res in pkg["resources"]:
                yield f"/dataset/{pkg['name']}/resource/{res['id']}"
        yield f"/dataset/{self.conditional['name']}/apply"
        yield f"/dataset/{self.unconditional['name']}/apply?kind=error_report"
        yield f"/application/{self.application['id']}"
        yield "/user/applications"
        yield "/organization/jtj/applications"
        if role != "anonymous":
            yield f"/user/{role}"


@pytest.fixture
def world() -> World:
    return World()


def _problems_of(app: Any, pages: Iterable[tuple[Any, ...]]) -> list[str]:
    failures = []
    for method, url, headers, *data in pages:
        resp = getattr(app, method)(url, headers=headers, data=data[0] if data else None)
        assert resp.status_code < 500, (url, resp.status_code)
        found = html_problems(resp.get_data(as_text=True))
        if found:
            failures.append(f"{method.upper()} {url} ({resp.status_code}): {', '.join(sorted(set(found)))}")
    return failures


@with_world
def test_pages_are_chinese_without_keys_or_booleans(app, world):
    """Every page of the list, as an anonymous visitor, a citizen and a department clerk;
    then the forms sent empty, whose error summaries name fields by their labels."""
    failures = []
    for role in ("anonymous", "citizen", "clerk"):
        headers = world.tokens[role]
        failures += [f"[{role}] {f}" for f in _problems_of(app, [("get", url, headers) for url in world.pages(role)])]
    citizen, clerk = world.tokens["citizen"], world.tokens["clerk"]
    failures += _problems_of(app, [
        ("post", f"/dataset/{world.conditional['name']}/apply", citizen, {"client_token": "x"}),
        ("post", f"/dataset/{world.conditional['name']}/apply?kind=share", clerk, {"client_token": "y"}),
        ("post", f"/dataset/{world.unconditional['name']}/apply?kind=error_report", citizen, {"client_token": "z"}),
        ("post", "/demand", citizen, {"client_token": "w"}),
        ("post", "/user/register", {}, {"name": "", "email": "not-an-email", "password1": "a", "password2": "b"}),
        ("post", "/user/login", {}, {"login": "nobody", "password": "wrong"}),
    ])
    assert not failures, "\n".join(failures)

    # the error summary of the open application names 用途, and the form marks it required
    body = app.post(f"/dataset/{world.conditional['name']}/apply", headers=citizen,
                    data={"client_token": "v"}).get_data(as_text=True)
    soup = BeautifulSoup(body, "lxml")
    summary = soup.select_one(".error-explanation")
    assert summary is not None and "用途" in summary.get_text()
    for field in ("purpose", "usage_scope", "data_items", "contact_phone"):
        label = soup.find("label", attrs={"for": f"field-{field}"})
        assert label is not None and label.find(class_="control-required") is not None, field

    # the DataStore table's page: data dictionary with column types in words, the preview
    table = app.get(f"/dataset/{world.unconditional['name']}/resource/{world.unconditional['resources'][0]['id']}",
                    headers=citizen).get_data(as_text=True)
    assert "数据字典" in table and "数值" in table and "日期" in table and "datatables_view" in table
    assert "numeric" not in "\n".join(visible_lines(table))

    # "我的申请" is a visible, labelled link in the header (CKAN hides span.text off screen)
    header = BeautifulSoup(app.get("/", headers=citizen).get_data(as_text=True), "lxml").select_one(".account-masthead")
    link = header.find("a", href="/user/applications")
    assert link is not None and "我的申请" in link.get_text() and link.find(class_="text") is None


def test_checker_sees_what_it_must():
    """The checker itself: English CKAN strings, raw keys and booleans are caught."""
    assert html_problems("<p>Skip to main content</p>")
    assert html_problems("<tr><th>Datastore active</th><td>False</td></tr>")
    assert html_problems("<li>id_number: 必填</li>")
    assert html_problems("<li>purpose: 必填</li>")
    assert html_problems("<table><tr><th>英文名称</th><td> </td></tr></table>")
    assert html_problems('<input placeholder="Search Datasets...">')
    assert not html_problems("<p>数据目录 <a href='https://example.org/Skip to main'>链接</a></p>")
    assert not html_problems("<script>var x = 'Skip to main content';</script><p>是</p>")
