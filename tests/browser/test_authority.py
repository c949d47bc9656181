# -*- coding: utf-8 -*-
"""An open-data demand addressed to no department reaches the data authority's inbox; the
authority forwards it to the department that holds the data, whose clerk answers it from the
department's inbox within the deadline counted from receipt (chongqing-2018 §19 ¶3,
kunming-2019 §25)."""
from __future__ import annotations

from selenium.webdriver.common.by import By


def test_undirected_demand_forwarded_and_answered(browser, world):
    browser.login("citizen")
    browser.get("/demand", step="demand-form")
    browser.fill("field-description", "全市出租汽车的实时空车分布")
    browser.fill("field-purpose", "打车应用")
    browser.submit("form[action='/demand'] button[type=submit]", step="demand-received", by=By.CSS_SELECTOR)
    app_id = browser.driver.current_url.rstrip("/").split("/")[-1]
    due = browser.find("govshare-due").text

    # the authority (a sysadmin) finds it in its inbox, from the header's link
    browser.login("operator")
    browser.submit("govshare-authority-link", step="authority-inbox")
    assert "开放需求" in browser.find("govshare-applications").text
    browser.submit(f"a[href='/application/{app_id}']", step="authority-opens-demand", by=By.CSS_SELECTOR)
    browser.wait_for("govshare-forward-form")
    browser.choose("field-forward-organization_id", "市交通局")
    browser.fill("field-forward-note", "请交通局研究答复")
    browser.submit("govshare-forward", step="forwarded")
    assert browser.find("govshare-department").text == "市交通局"
    assert browser.find("govshare-due").text == due  # the deadline runs from receipt

    # the department's clerk answers it from the department's inbox
    browser.login("clerk")
    browser.get("/organization/jtj/applications", step="department-inbox")
    browser.submit(f"a[href='/application/{app_id}']", step="clerk-opens-demand", by=By.CSS_SELECTOR)
    browser.fill("field-reply", "已纳入下季度开放计划")
    browser.submit("govshare-approve", step="demand-answered")
    assert "已同意" in browser.find("govshare-status").text

    # the citizen reads the answer
    browser.login("citizen")
    browser.get(f"/application/{app_id}", step="citizen-reads-answer")
    assert "已纳入下季度开放计划" in browser.find("govshare-reason").text
    assert browser.find("govshare-department").text == "市交通局"  # who answered
