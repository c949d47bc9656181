# -*- coding: utf-8 -*-
"""An open-data application from submission to revocation, and a refusal, in the browser
(chongqing-2018 §24: reply within 15 working days, one extension with the head's consent
given in the head's own session, approval opens access promptly; chongqing-2019 §33: a
refusal states its reasons and basis; a revocation its reason)."""
from __future__ import annotations

from selenium.webdriver.common.by import By


def test_apply_extend_approve_download_revoke(browser, world, open_application):
    download = world.download_path(world.chuzuche, world.chuzuche_file)
    app_id = open_application()

    # the clerk asks for an extension; the head consents in the head's own session
    browser.login("clerk")
    browser.get("/organization/jtj/applications", step="department-inbox")
    assert "张三" in browser.text()
    browser.get(f"/application/{app_id}", step="clerk-opens-application")
    browser.fill("field-days", "10")
    browser.fill("field-extend-reason", "数据需脱敏处理")
    browser.submit("govshare-extension-request", step="extension-requested")
    browser.wait_for("govshare-extension-pending")
    assert not browser.driver.find_elements(By.ID, "govshare-extend")  # the clerk cannot consent

    browser.login("head")
    browser.get(f"/application/{app_id}", step="head-sees-extension-request")
    assert "数据需脱敏处理" in browser.find("govshare-extension-request").text
    browser.submit("govshare-extend", step="head-consents")
    browser.wait_text("已延期")
    assert "负责人同意延期" in browser.text()

    # approval with an expiry: a date picked means the whole day in Beijing
    browser.fill("field-conditions", "仅限研究使用")
    browser.set_value("field-expires_at", "2027-06-30")
    browser.submit("govshare-approve", step="approved-with-expiry")
    browser.wait_text("已同意")
    assert "2027年6月30日 23:59" in browser.find("govshare-grant").text

    # the grant holder downloads the file
    browser.login("citizen")
    browser.get("/dataset/chuzuche", step="holder-sees-entry")
    assert "2026-11-01,1路,1234" in browser.fetch(download)
    browser.get(f"/application/{app_id}", step="holder-sees-grant")
    assert "有效" in browser.find("govshare-grant-status").text

    # the department revokes with a reason; the applicant sees it and the data closes
    browser.login("head")
    browser.get(f"/application/{app_id}", step="head-opens-approved-application")
    browser.fill("field-revoke-reason", "超出约定用途使用数据")
    browser.submit("govshare-revoke", step="revoked")
    browser.wait_text("已撤销")
    browser.login("citizen")
    browser.get("/user/applications", step="applicant-list-after-revocation")
    browser.get(f"/application/{app_id}", step="applicant-sees-revocation")
    assert "已撤销" in browser.find("govshare-grant-status").text
    assert "超出约定用途使用数据" in browser.find("govshare-revoke-reason").text
    with browser.expect_console(r"403"):  # the refused download itself
        assert browser.fetch(download, "status") == 403


def test_refusal_shows_reasons(browser, world, open_application):
    app_id = open_application()

    browser.login("clerk")
    browser.get(f"/application/{app_id}", step="clerk-opens-application")
    browser.fill("field-reason", "申请用途超出开放条件")
    browser.fill("field-basis", "《重庆市政务数据资源管理暂行办法》第三十三条")
    browser.submit("govshare-refuse", step="refused")
    browser.wait_text("不予同意")

    browser.login("citizen")
    browser.get("/user/applications", step="applicant-list")
    assert "不予同意" in browser.text()
    browser.get(f"/application/{app_id}", step="applicant-sees-reasons")
    assert "申请用途超出开放条件" in browser.find("govshare-reason").text
    assert "第三十三条" in browser.find("govshare-basis").text
    # and the data stays closed to the citizen
    browser.get("/dataset/chuzuche", step="entry-still-closed")
    assert browser.driver.find_elements(By.ID, "govshare-apply")
