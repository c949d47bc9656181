# -*- coding: utf-8 -*-
"""A citizen registers through the form, applies for conditionally open data and sees the
reply deadline; reports an error in an entry and asks for a catalogue correction (the
department answers the report); and asks for data not yet open without naming a department
(the data authority forwards it: chongqing-2018 §19 ¶3)."""
from __future__ import annotations

from selenium.webdriver.common.by import By

NEW_PASSWORD = "Citizen-Register-2026"


def _request(browser, kind: str, text: str, step: str) -> str:
    """From the open entry's page, the link of one kind of request, its form, its receipt."""
    browser.get("/dataset/gongjiao", step="")
    browser.submit(f"a[href*='kind={kind}']", step=f"{step}-form", by=By.CSS_SELECTOR)
    browser.fill("field-description", text)
    browser.submit("govshare-submit", step=f"{step}-received")
    assert "已受理" in browser.find("govshare-status").text
    assert "还剩" in browser.find("govshare-due").text
    return browser.driver.current_url.rstrip("/").split("/")[-1]


def test_register_apply_report_correct_demand(browser, world, open_application):
    # registration through CKAN's form, in Chinese
    browser.get("/", step="")
    browser.submit("a[href='/user/register']", step="register-form", by=By.CSS_SELECTOR)
    browser.fill("field-username", "lisi")
    browser.fill("field-fullname", "李四")
    browser.fill("field-email", "lisi@example.cn")
    browser.fill("field-password", NEW_PASSWORD)
    browser.fill("field-confirm-password", NEW_PASSWORD)
    browser.submit("#user-register-form button[name=save]", step="registered", by=By.CSS_SELECTOR)
    assert "/user/register" not in browser.driver.current_url, browser.text()[:2000]

    # an open application with its deadline (the world's helper logs in again as 李四)
    application = open_application("lisi", NEW_PASSWORD)

    # an error report, and a catalogue correction
    report = _request(browser, "error_report", "2026-11-02 的里程数据与公交公司公布的不一致", "error-report")
    _request(browser, "catalogue_correction", "更新周期应为每日，而不是每月", "correction")

    # an open-data demand addressed to no department, from the footer's link
    browser.submit("footer a[href='/demand']", step="demand-form", by=By.CSS_SELECTOR)
    assert browser.find("field-organization_id").get_attribute("value") == ""  # "not sure": the authority forwards
    browser.fill("field-description", "全市公共充电桩的位置和实时空闲状态")
    browser.fill("field-purpose", "开发充电导航应用")
    browser.submit("form[action='/demand'] button[type=submit]", step="demand-received", by=By.CSS_SELECTOR)
    assert "已受理" in browser.find("govshare-status").text

    browser.get("/user/applications", step="my-applications")
    rows = browser.driver.find_element(By.ID, "govshare-applications").text
    for kind in ("开放申请", "疑义、错误校核", "开放目录更正", "开放需求"):
        assert kind in rows, rows
    assert application

    # the department answers the error report; the citizen reads the reply
    browser.login("clerk")
    browser.get("/organization/jtj/applications", step="department-inbox")
    browser.get(f"/application/{report}", step="")
    browser.fill("field-reply", "已核实并更正 2026-11-02 的里程数据")
    browser.submit("govshare-approve", step="error-report-answered")
    browser.login("lisi", NEW_PASSWORD)
    browser.get(f"/application/{report}", step="citizen-reads-reply")
    assert "已核实并更正" in browser.find("govshare-reason").text
