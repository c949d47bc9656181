# -*- coding: utf-8 -*-
"""Department work in the browser: a clerk catalogues a new entry through CKAN's form (three
信息项 added with the form's 新增 button, which needs CKAN's JavaScript running in the Chinese
UI, and a file uploaded through the upload widget); a clerk of another department applies to
share a conditionally shared entry and the holding department answers (chongqing-2018 §17,
§19: share applications between departments, answered in working days)."""
from __future__ import annotations

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

ITEMS = [("站点编号", "C", "12", "全市统一编码"), ("站点名称", "C", "60", ""), ("日均客流", "I", "10", "人次")]


def test_clerk_catalogues_an_entry_with_items_and_file(browser, world, tmp_path):
    browser.login("clerk")
    browser.get("/dataset/new", step="new-entry-form")
    d = browser.driver
    browser.fill("field-title", "公交站点客流统计")
    # the URL name: CKAN's slug module makes none from Chinese; the clerk edits it
    edit = d.find_elements(By.CSS_SELECTOR, ".slug-preview button")
    if edit:
        browser.click_element(edit[0])
    browser.fill("field-name", "gongjiao-zhandian")
    Select(browser.find("field-private")).select_by_value("False")  # 公开
    browser.fill("field-resource_code", "203001/000123")
    Select(browser.find("field-resource_category")).select_by_visible_text("主题信息资源")
    browser.fill("field-notes", "全市公交站点的日均客流统计。")
    Select(browser.find("field-resource_format")).select_by_visible_text("电子表格")

    # 信息项: the first panel is there; two more with 新增
    add = d.find_element(By.CSS_SELECTOR, "fieldset[name=scheming-repeating-subfields] a[name=repeating-add]")
    assert "新增" in add.text or "添加" in add.text, add.text
    for _ in range(len(ITEMS) - 1):
        browser.click_element(add)
    WebDriverWait(d, 10).until(lambda d: d.find_elements(By.ID, f"field-data_items-{len(ITEMS) - 1}-item_name"))
    for n, (name, kind, length, description) in enumerate(ITEMS):
        browser.fill(f"field-data_items-{n}-item_name", name)
        Select(browser.find(f"field-data_items-{n}-item_type")).select_by_value(kind)
        browser.fill(f"field-data_items-{n}-item_length", length)
        if description:
            browser.fill(f"field-data_items-{n}-item_description", description)
    browser.settle("items-added")

    Select(browser.find("field-share_type")).select_by_value("unconditional")
    Select(browser.find("field-open_type")).select_by_value("unconditional")
    Select(browser.find("field-update_cycle")).select_by_value("monthly")
    Select(browser.find("field-theme")).select_by_value("transport")
    browser.submit("form#dataset-edit button[name=save]", step="resource-form", by=By.CSS_SELECTOR)
    assert "/dataset/gongjiao-zhandian/resource/new" in d.current_url or "/resource/new" in d.current_url, \
        browser.text()[:3000]

    # the file, through CKAN's upload widget
    upload = tmp_path / "zhandian.csv"
    upload.write_text("站点编号,站点名称,日均客流\nS001,解放碑,12000\n", encoding="utf-8")
    d.execute_script("document.getElementById('resource-url-upload').checked = true;")
    browser.find("field-resource-upload").send_keys(str(upload))
    WebDriverWait(d, 10).until(lambda d: browser.find("field-name").get_attribute("value"))
    browser.fill("field-name", "站点客流表")
    Select(browser.find("field-access_method")).select_by_value("download")
    browser.settle("file-chosen")
    browser.submit("form#resource-edit button[name=save][value=go-metadata]", step="entry-created",
                   by=By.CSS_SELECTOR)
    assert d.current_url.endswith("/dataset/gongjiao-zhandian"), (d.current_url, browser.text()[:3000])
    text = browser.text()
    for name, *_ in ITEMS:
        assert name in text, name
    assert "站点客流表" in text

    # the uploaded file is served back
    browser.submit("站点客流表", step="resource-page", by=By.PARTIAL_LINK_TEXT)
    href = d.find_element(By.CSS_SELECTOR, "a.resource-url-analytics").get_attribute("href")
    assert href.endswith("/download/zhandian.csv"), href
    assert "S001,解放碑,12000" in browser.fetch(href)


def test_share_application_between_departments(browser, world):
    download = world.download_path(world.jiance, world.jiance_file)

    # 市公安局's clerk finds the entry closed to the public, shareable on conditions
    browser.login("gaj-clerk")
    browser.get("/dataset/jiaotong-jiance", step="entry-shareable-on-conditions")
    browser.submit("a[href*='kind=share']", step="share-form", by=By.CSS_SELECTOR)
    assert "仅用于监管" in browser.find("govshare-conditions").text  # the share conditions shown
    assert Select(browser.find("field-applicant_org_id")).first_selected_option.text == "市公安局"
    browser.fill("field-purpose", "道路交通事故分析")
    browser.fill("field-usage_scope", "本局交通管理支队内部使用")
    browser.fill("field-data_items", "日期、里程")
    browser.submit("govshare-submit", step="share-received")
    assert "已受理" in browser.find("govshare-status").text
    app_id = browser.driver.current_url.rstrip("/").split("/")[-1]
    with browser.expect_console(r"403"):
        assert browser.fetch(download, "status") == 403  # no data before the answer

    # 市交通局's clerk answers from the department inbox
    browser.login("clerk")
    browser.get("/organization/jtj/applications", step="holder-inbox")
    assert "市公安局" in browser.find("govshare-applications").text
    browser.submit(f"a[href='/application/{app_id}']", step="holder-opens-share-application", by=By.CSS_SELECTOR)
    browser.fill("field-conditions", "仅用于交通监管，不得对外提供")
    browser.submit("govshare-approve", step="share-approved")
    assert "已同意" in browser.find("govshare-status").text

    # the applying department's clerk sees the answer and gets the data
    browser.login("gaj-clerk")
    browser.get(f"/application/{app_id}", step="applicant-department-sees-answer")
    assert "仅用于交通监管" in browser.text()
    assert "2026-11-01,1路,1234" in browser.fetch(download)
