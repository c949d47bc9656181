# -*- coding: utf-8 -*-
"""The statistics pages, the API and the yearly report's download: the figures agree
everywhere (kunming-2019 §27 定期公布), each actor sees what it may, hostile input is a 4xx."""
from __future__ import annotations

import io

import pytest
from bs4 import BeautifulSoup
from openpyxl import load_workbook

from ckan.tests import factories

from ckanext.govshare.oversight import panel as oversight_panel
from ckanext.govshare.oversight import statistics

ACTORS = ("anonymous", "citizen", "clerk", "other_clerk", "authority", "sysadmin")


def _headers(world, actor: str) -> dict[str, str]:
    if actor == "anonymous":
        return {}
    user = {"citizen": world.citizen, "clerk": world.clerk, "other_clerk": world.other_clerk,
            "authority": world.authority, "sysadmin": world.sysadmin}[actor]
    return {"Authorization": factories.APIToken(user=user["id"])["token"]}


def _figures(html: str, prefix: str) -> dict[str, str]:
    soup = BeautifulSoup(html, "html.parser")

    def text(id_: str) -> str:
        element = soup.find(id=f"{prefix}-{id_}")
        assert element is not None, f"#{prefix}-{id_} missing"
        return element.get_text(strip=True)

    return {"entries": text("figure-entries"), "updated": text("figure-updated"),
            "requests": text("requests-total"), "median": text("reply-median"), "p90": text("reply-p90"),
            "overdue": text("overdue"), "extensions": text("extensions"), "downloads": text("downloads"),
            "api_calls": text("api-calls"), "share_exchanges": text("share-exchanges"),
            "overall": text("indicator-overall")}


def _cells(data: bytes) -> dict[str, list]:
    """The report's rows by their first cell; a total row (合计) named after its section."""
    ws = load_workbook(io.BytesIO(data)).active
    out: dict[str, list] = {}
    section = ""
    for r in ws.iter_rows(values_only=True):
        if not r or r[0] is None:
            continue
        key = str(r[0])
        if "、" in key[:3]:
            section = key
        out[f"{section}/合计" if key == "合计" else key] = list(r[1:])
    return out


def _num(value) -> str:
    return "—" if value is None else str(int(value) if float(value).is_integer() else value)


def test_public_page_authority_page_panel_and_report_agree(app, stats_world):
    """kunming-2019 §27 (定期公布) and chongqing-2018 §37 (年度报告): one computation, the same
    figures on the public page, the authority's page, its workspace panel and the yearly report."""
    w = stats_world
    public = app.get("/statistics?year=2026")
    assert public.status_code == 200
    auth = _headers(w, "authority")
    authority = app.get("/authority/statistics?year=2026", headers=auth)
    assert authority.status_code == 200
    xlsx = app.get("/authority/statistics/report/2026.xlsx", headers=auth)
    assert xlsx.status_code == 200 and xlsx.headers["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert "govshare-report-2026-city.xlsx" in xlsx.headers["Content-Disposition"]

    on_public = _figures(public.get_data(as_text=True), "public")
    on_authority = _figures(authority.get_data(as_text=True), "authority")
    assert on_public == on_authority
    # the seeded figures (tests/oversight/test_statistics.py worked them out by hand)
    assert (on_public["entries"], on_public["requests"], on_public["median"], on_public["p90"],
            on_public["overdue"], on_public["extensions"], on_public["downloads"], on_public["api_calls"],
            on_public["share_exchanges"]) == ("4", "9", "4.5", "19", "2", "2", "7", "3", "2")
    stats = statistics.compute(statistics.Period.year(2026))
    assert on_public["updated"] == f"{stats['updates']['on_time_pct']:.1f}%"

    cells = _cells(xlsx.get_data())
    report = {"entries": cells["一、目录条目（按开放属性）/合计"][0], "median": cells["答复用时中位数（工作日）"][0],
              "p90": cells["答复用时第90百分位（工作日）"][0], "overdue": cells["超期"][0],
              "extensions": cells["延长答复期限"][0], "downloads": cells["下载"][0], "api_calls": cells["接口调用"][0],
              "share_exchanges": cells["共享交换"][0], "updated": cells["按期更新率"][0],
              "overall": cells["综合得分（平均）"][0]}
    assert {k: _num(v) if k not in ("updated", "overall") else v for k, v in report.items()} == {
        "entries": on_public["entries"], "median": on_public["median"], "p90": on_public["p90"],
        "overdue": on_public["overdue"], "extensions": on_public["extensions"], "downloads": on_public["downloads"],
        "api_calls": on_public["api_calls"], "share_exchanges": on_public["share_exchanges"],
        "updated": on_public["updated"], "overall": on_public["overall"] + "%"}

    # the workspace's oversight panel (this year's figures: the seeded year is this year)
    workspace = BeautifulSoup(app.get("/authority", headers=auth).get_data(as_text=True), "html.parser")
    panel = workspace.find(id="govshare-oversight-panel")
    assert panel is not None
    shown = {k: panel.find(id=f"panel-{k}").get_text(strip=True) for k in ("entries", "requests", "overdue", "median")}
    if oversight_panel.today().year == 2026:
        assert shown == {"entries": on_public["entries"], "requests": on_public["requests"],
                         "overdue": on_public["overdue"], "median": on_public["median"]}
    else:  # the panel shows the current year
        now = statistics.compute(statistics.Period.year(oversight_panel.today().year))
        assert shown["entries"] == str(now["entries"]["total"])
    assert panel.find(id="panel-statistics-link")["href"] == "/authority/statistics"
    assert panel.find(id="panel-report-xlsx")["href"].startswith("/authority/statistics/report/")


def test_public_page_names_no_entry(app, stats_world):
    """The public figures are aggregates: the lists naming entries (most used, late for their
    update) are for the authority and the department only — a 不予开放 entry's title (执法记录)
    never reaches the public."""
    w = stats_world
    public = app.get("/statistics?year=2026").get_data(as_text=True)
    for title in ("公交线路", "执法记录", "出租车轨迹"):
        assert title not in public
    authority = app.get("/authority/statistics?year=2026", headers=_headers(w, "authority")).get_data(as_text=True)
    assert "公交线路" in authority and "执法记录" in authority
    api = app.get("/api/3/action/govshare_statistics_show?year=2026").json["result"]
    assert api["usage"]["per_entry"] == [] and api["updates"]["late_entries"] == [] and api["detailed"] is False


EXPECTED = {
    # route: actors that get a 200 (the others a 403)
    "/statistics?year=2026": set(ACTORS),
    "/organization/jtj/statistics?year=2026": {"clerk", "authority", "sysadmin"},
    "/organization/jtj/statistics/report/2026.pdf": {"clerk", "authority", "sysadmin"},
    "/authority/statistics?year=2026": {"authority", "sysadmin"},
    "/authority/statistics/report/2026.pdf": {"authority", "sysadmin"},
    "/authority/statistics/report/2026.xlsx?department=wjw": {"authority", "sysadmin"},
}


@pytest.mark.parametrize("actor", ACTORS)
def test_who_sees_which_statistics(app, stats_world, actor):
    """kunming-2019 §27: the aggregate figures are public; a department's figures and report
    are for its members and the authority (kunming-2019 §5, chongqing-2018 §5-6); the
    authority's page and the city's report for the authority only."""
    headers = _headers(stats_world, actor)
    for url, allowed in EXPECTED.items():
        resp = app.get(url, headers=headers)
        assert resp.status_code == (200 if actor in allowed else 403), (actor, url, resp.status_code)
        if resp.status_code == 200 and ".pdf" in url:
            assert resp.get_data().startswith(b"%PDF-")
    for org, allowed in (("", True), ("jtj", actor in ("clerk", "authority", "sysadmin")),
                         ("wjw", actor in ("other_clerk", "authority", "sysadmin"))):
        query = f"?year=2026&organization_id={org}" if org else "?year=2026"
        resp = app.get(f"/api/3/action/govshare_statistics_show{query}", headers=headers)
        assert resp.status_code == (200 if allowed else 403), (actor, org, resp.status_code)
        if allowed:
            detailed = bool(org) or actor in ("authority", "sysadmin")
            assert resp.json["result"]["detailed"] is detailed


def test_department_page_has_the_department_figures(app, stats_world):
    """A department sees its own figures and its entries late for their update
    (shenyang-2016 §12) and can download its report."""
    html = app.get("/organization/jtj/statistics?year=2026", headers=_headers(stats_world, "clerk")).get_data(as_text=True)
    figures = _figures(html, "department")
    assert (figures["entries"], figures["requests"], figures["median"], figures["downloads"]) == ("3", "7", "4", "5")
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find(id="department-late-entries") is not None
    assert soup.find(id="department-report-xlsx")["href"] == "/organization/jtj/statistics/report/2026.xlsx"


HOSTILE = [
    ("/statistics?year=abc", 400), ("/statistics?year=99999", 400), ("/statistics?year=-1", 400),
    ("/authority/statistics?year=1999", 400),
    ("/authority/statistics/report/2026.docx", 404), ("/authority/statistics/report/1999.pdf", 400),
    ("/authority/statistics/report/2026.pdf?department=nope", 404),
    ("/organization/nope/statistics", 404),
    ("/api/3/action/govshare_statistics_show?year=abc", 409),
    ("/api/3/action/govshare_statistics_show?year=1999", 409),
    ("/api/3/action/govshare_statistics_show?organization_id=nope", 404),
]


def test_hostile_input_is_a_4xx(app, stats_world):
    """A bad year, format or department is a clear 4xx, never a 500."""
    headers = _headers(stats_world, "authority")
    got = [(url, app.get(url, headers=headers).status_code) for url, _status in HOSTILE]
    assert got == HOSTILE
    resp = app.post("/api/3/action/govshare_statistics_show", json={"year": [2026], "organization_id": {"a": 1}},
                    headers=headers)
    assert 400 <= resp.status_code < 500
