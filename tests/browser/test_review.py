# -*- coding: utf-8 -*-
"""Catalogue review in the browser (default locale): a department's clerk catalogues an entry
through the form; it is not published; the data authority returns it with a reason; the clerk
reads the reason on the entry page and the department's list, fixes the entry and saves it,
which resubmits it; the authority approves it from its workspace and it appears in public
search (shenyang-2016 §12 "逐条审核…审核通过后发布，未通过的退回"; chongqing-2019 §14: reviewed
within 5 working days)."""
from __future__ import annotations

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

TITLE = "公共自行车站点分布"
NAME = "zixingche-zhandian"
REASON = "数据项说明不完整，请补充站点编码规则"


def _public_search(browser) -> str:
    browser.logout()
    browser.get(f"/dataset/?q={NAME}", step="public-search")
    return browser.find("dataset-search-form").text + browser.text()


def test_entry_rejected_fixed_resubmitted_approved_published(browser, world, tmp_path):
    d = browser.driver
    # 1. the clerk catalogues the entry through CKAN's form, asking for publication (公开)
    browser.login("clerk")
    browser.get("/dataset/new", step="clerk-new-entry")
    browser.fill("field-title", TITLE)
    edit = d.find_elements(By.CSS_SELECTOR, ".slug-preview button")
    if edit:
        browser.click_element(edit[0])
    browser.fill("field-name", NAME)
    Select(browser.find("field-private")).select_by_value("False")
    browser.fill("field-resource_code", "203001/000777")
    Select(browser.find("field-resource_category")).select_by_visible_text("主题信息资源")
    browser.fill("field-notes", "全市公共自行车站点。")
    Select(browser.find("field-resource_format")).select_by_visible_text("电子表格")
    browser.fill("field-data_items-0-item_name", "站点编号")
    Select(browser.find("field-data_items-0-item_type")).select_by_value("C")
    browser.fill("field-data_items-0-item_length", "12")
    Select(browser.find("field-share_type")).select_by_value("unconditional")
    Select(browser.find("field-open_type")).select_by_value("unconditional")
    Select(browser.find("field-update_cycle")).select_by_value("monthly")
    Select(browser.find("field-theme")).select_by_value("transport")
    browser.submit("form#dataset-edit button[name=save]", step="clerk-resource-form", by=By.CSS_SELECTOR)
    upload = tmp_path / "zixingche.csv"
    upload.write_text("站点编号,站点名称\nB001,解放碑\n", encoding="utf-8")
    d.execute_script("document.getElementById('resource-url-upload').checked = true;")
    browser.find("field-resource-upload").send_keys(str(upload))
    WebDriverWait(d, 10).until(lambda d: browser.find("field-name").get_attribute("value"))
    browser.fill("field-name", "站点表")
    Select(browser.find("field-access_method")).select_by_value("download")
    browser.submit("form#resource-edit button[name=save][value=go-metadata]", step="clerk-entry-submitted",
                   by=By.CSS_SELECTOR)
    assert d.current_url.endswith(f"/dataset/{NAME}"), d.current_url
    assert browser.find("govshare-review-state").text == "待主管部门审核"
    assert browser.find("govshare-review-due").text  # the review's due date (5 working days)

    # not published: the public does not find it
    assert TITLE not in _public_search(browser)

    # 2. the authority returns it with a reason, from its workspace (the header's link)
    browser.login("operator")
    browser.submit("govshare-authority-link", step="authority-workspace")
    reviews = browser.find("govshare-reviews")
    assert TITLE in reviews.text and "市交通局" in reviews.text
    row = reviews.find_element(By.XPATH, f".//tr[.//a[contains(., '{TITLE}')]]")
    row_id = row.get_attribute("id").removeprefix("govshare-review-")
    browser.fill(f"field-reason-{row_id}", REASON)
    browser.submit(f"govshare-reject-{row_id}", step="authority-returned")
    assert "目录已连同您的理由退回部门" in browser.text()
    assert TITLE not in browser.text().split("待审核的目录")[-1].split("未指定部门的申请")[0]

    # 3. the clerk sees the reason on the entry page and on the department's list, fixes and resubmits
    browser.login("clerk")
    browser.get(f"/dataset/{NAME}", step="clerk-sees-reason")
    assert browser.find("govshare-review-state").text == "已退回部门"
    assert browser.find("govshare-review-reason").text == REASON
    browser.get("/organization/jtj/reviews", step="department-reviews")
    assert REASON in browser.find("govshare-department-reviews").text
    browser.get(f"/dataset/{NAME}", step="")
    browser.submit("govshare-review-fix", step="clerk-edit-form")
    browser.fill("field-notes", "全市公共自行车站点。站点编号：区县代码加三位顺序号。")
    # the save button, not CKAN 2.12's 撤销发布 (save=go-metadata-unpublish) beside it
    browser.submit('form#dataset-edit button[name=save]:not([value="go-metadata-unpublish"])',
                   step="clerk-resubmitted", by=By.CSS_SELECTOR)
    assert browser.find("govshare-review-state").text == "待主管部门审核"
    assert TITLE not in _public_search(browser)

    # 4. the authority opens the entry under review and approves it
    browser.login("operator")
    browser.get("/authority", step="")
    browser.submit(TITLE, step="authority-reads-entry", by=By.LINK_TEXT)
    assert "站点编号：区县代码加三位顺序号" in browser.text()
    assert REASON in browser.find("govshare-review-history").text
    approve = d.find_element(By.CSS_SELECTOR, "#govshare-reviews button[id^=govshare-approve-]")
    browser.submit(approve.get_attribute("id"), step="authority-approved")
    assert "目录已审核通过并发布" in browser.text()

    # 5. published: in public search
    assert TITLE in _public_search(browser)
    browser.get(f"/dataset/{NAME}", step="public-entry")
    assert browser.driver.find_elements(By.ID, "govshare-review-status") == []
