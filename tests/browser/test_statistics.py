# -*- coding: utf-8 -*-
"""The statistics pages in the default locale: the public figures (kunming-2019 §27 "定期公布"),
the authority's page with the evaluation indicators and the yearly report (chongqing-2018
§37) reached from its workspace, and a department's own page. The charts (Chart.js, served
through webassets) are drawn from the tables and show the same numbers."""
from __future__ import annotations

from selenium.webdriver.common.by import By

from ckan.tests.helpers import call_action

# the same numbers in a chart as in the table it is drawn from
_CHART_VS_TABLE = """
const table = document.getElementById(arguments[0]);
const canvas = table.previousElementSibling.querySelector('canvas');
const chart = Chart.getChart(canvas);
const cells = Array.from(table.querySelectorAll('tbody tr')).map(r => Number(r.cells[1].getAttribute('data-value')));
return {chart: chart.data.datasets[0].data, table: cells};
"""


def _charts_drawn(n: int):
    return lambda d: d.execute_script("return document.querySelectorAll('.govshare-chart canvas').length") >= n


def test_statistics_public_authority_and_department(browser, world):
    # a year's records: an application answered by the department, a download of open data
    app = call_action("govshare_application_create", {"user": "citizen", "ignore_auth": False},
                      kind="open", package_id=world.chuzuche["id"], applicant_type="citizen", applicant_name="张三",
                      id_number="11010519491231002X", contact_phone="13800138000", purpose="交通规划研究",
                      usage_scope="仅限本单位内部研究", data_items="日期、载客里程", period_end="2027-06-30",
                      agreement_accepted=True)
    call_action("govshare_application_approve", {"user": "clerk", "ignore_auth": False}, id=app["id"],
                reply="同意开放", conditions="仅限研究")
    browser.get("/", step="")
    assert browser.fetch(world.download_path(world.gongjiao, world.gongjiao_file), "status") == 200

    # the public page: aggregate figures, charts drawn from the tables, no entry named
    browser.get("/statistics", step="public-statistics", ready=_charts_drawn(5))
    assert browser.find("public-figure-entries").text == "3"
    assert browser.find("public-requests-total").text == "1"
    assert browser.find("public-downloads").text == "1"
    assert "出租汽车运营数据" not in browser.text()
    got = browser.driver.execute_script(_CHART_VS_TABLE, "public-usage-totals")
    assert got["chart"] == got["table"] == [1, 0, 0]
    got = browser.driver.execute_script(_CHART_VS_TABLE, "public-entries-open")
    assert got["chart"] == got["table"] == [1, 1, 1]

    # the authority: from its workspace's panel to the statistics, the indicators, the report
    browser.login("operator")
    browser.get("/authority", step="authority-workspace-panel")
    browser.wait_for("govshare-oversight-panel")
    browser.submit("panel-statistics-link", step="authority-statistics", ready=_charts_drawn(5))
    assert browser.driver.current_url.endswith("/authority/statistics")
    assert browser.find("authority-figure-entries").text == "3"
    assert "评估指标" in browser.text()
    assert browser.find("authority-indicator-reply_timeliness").find_elements(By.TAG_NAME, "td")[0].text == "100.0"
    assert "市交通局" in browser.find("authority-department-table").text
    assert "报送" in browser.find("govshare-report-reminder").text
    xlsx = browser.find("govshare-report-xlsx").get_attribute("href")
    assert browser.fetch(xlsx.replace(browser.base, ""), "status") == 200
    pdf = browser.find("govshare-report-pdf").get_attribute("href")
    assert browser.fetch(pdf.replace(browser.base, ""), "status") == 200

    # the department's own page
    browser.login("clerk")
    browser.get("/organization/jtj/statistics", step="department-statistics", ready=_charts_drawn(5))
    assert browser.find("department-requests-total").text == "1"
    assert browser.find("department-reply-median").text == "0"  # answered the day it was received
    assert "出租汽车运营数据" not in browser.find("department-usage").text  # only gongjiao was used
    assert "公交线路客流量" in browser.find("department-usage-entries").text
