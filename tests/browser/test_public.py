# -*- coding: utf-8 -*-
"""An anonymous visitor browses the catalogue, searches it in Chinese, opens an unconditionally
open entry, previews its hosted file (rows from the DataStore in CKAN's table view) and
downloads it (chongqing-2019 §33: unconditionally open data is downloaded without applying)."""
from __future__ import annotations

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait


def _preview_rows(driver) -> bool:
    """The table preview (an iframe) shows the DataStore's rows."""
    for frame in driver.find_elements(By.CSS_SELECTOR, "iframe"):
        shown = driver.execute_script(
            "const d = arguments[0].contentDocument; return d && d.body ? d.body.innerText : '';", frame)
        if "1路" in shown and "2345" in shown:
            return True
    return False


def test_browse_search_preview_download(browser, world):
    browser.get("/", step="home")
    assert "政务数据开放平台" in browser.driver.title

    browser.get("/dataset/", step="catalogue")
    assert "出租汽车运营数据" in browser.text() and "公交线路客流量" in browser.text()
    assert "道路交通监测数据" not in browser.text()  # a closed entry is for departments only
    search = browser.driver.find_element(By.CSS_SELECTOR, "form.search-form input[name=q]")
    search.send_keys("客流量")
    old = browser.driver.find_element(By.TAG_NAME, "html")
    search.send_keys(Keys.ENTER)
    # a new page (CKAN 2.11) or the results swapped in place by htmx (CKAN 2.12)
    WebDriverWait(browser.driver, 30, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda d: EC.staleness_of(old)(d) or (
        "出租汽车运营数据" not in d.find_element(By.CSS_SELECTOR, ".dataset-list").text))
    browser.settle("search-results")
    results = browser.driver.find_element(By.CSS_SELECTOR, ".dataset-list").text
    assert "公交线路客流量" in results and "出租汽车运营数据" not in results

    browser.submit("公交线路客流量", step="entry-unconditional", by=By.LINK_TEXT)
    assert "/dataset/gongjiao" in browser.driver.current_url
    assert "无条件开放" in browser.text()
    assert "日期" in browser.text() and "里程" in browser.text()  # its 信息项

    browser.submit("运营数据", step="resource-preview", by=By.PARTIAL_LINK_TEXT, ready=_preview_rows)
    assert _preview_rows(browser.driver), "the table preview shows no rows"
    link = browser.driver.find_element(By.CSS_SELECTOR, "a.resource-url-analytics")
    assert link.get_attribute("href").endswith("/download/gongjiao.csv")
    content = browser.fetch(link.get_attribute("href"))
    assert "2026-11-02,2路,2345" in content

    # the conditionally open entry withholds its file from the visitor and says how to apply
    browser.get("/dataset/chuzuche", step="entry-conditional")
    assert "该数据须申请后使用" in browser.text()
