# -*- coding: utf-8 -*-
"""The main paths in a real browser (Debian's headless Chromium driven by Selenium)
against a live CKAN server on 127.0.0.1:

- citizen applies → department extends → department approves → citizen downloads
  (chongqing-2018 §24: reply in 15 working days, one extension with the head's consent,
  approval opens access promptly);
- department refuses with reasons and basis → the applicant sees them (chongqing-2019 §33).
"""
from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading

import pytest

from ckan.tests import factories

from ckanext.govshare.model import Application
from tests.factories import LEVEL_EXTRAS, department, entry

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"

if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):  # pragma: no cover
    pytest.skip("Debian chromium and chromium-driver are not installed (./stack.sh test installs them)",
                allow_module_level=True)

from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import ElementClickInterceptedException, TimeoutException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

PASSWORD = "Browser-Test-2026"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


PORT = _free_port()
BASE = f"http://127.0.0.1:{PORT}"
# CKAN builds redirects from ckan.site_url: the live server's own address
pytestmark = pytest.mark.ckan_config("ckan.site_url", BASE)


@pytest.fixture
def live_server(app, with_plugins, clean_db, clean_index):
    from werkzeug.serving import make_server

    url = BASE
    server = make_server("127.0.0.1", PORT, app.app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield url
    server.shutdown()
    thread.join(timeout=10)


class Browser:
    def __init__(self, base: str) -> None:
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        self.profile = tempfile.mkdtemp(prefix="govshare-chromium-")
        for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--disable-dev-shm-usage", f"--user-data-dir={self.profile}", "--window-size=1280,1600",
                     "--lang=zh-CN"):
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=CHROMEDRIVER),
                                       options=options)
        self.driver.set_page_load_timeout(60)
        self.base = base

    def get(self, path: str) -> None:
        self.driver.get(self.base + path)

    def login(self, name: str) -> None:
        self.get("/user/login")
        self.driver.find_element(By.ID, "field-login").send_keys(name)
        self.driver.find_element(By.ID, "field-password").send_keys(PASSWORD)
        self.driver.find_element(By.CSS_SELECTOR, "form button[type=submit].btn-primary").click()
        WebDriverWait(self.driver, 30).until(lambda d: "/user/login" not in d.current_url)

    def logout(self) -> None:
        self.driver.delete_all_cookies()

    def fill(self, field_id: str, value: str) -> None:
        element = self.driver.find_element(By.ID, field_id)
        element.clear()
        element.send_keys(value)

    def click(self, element_id: str) -> None:
        element = self.driver.find_element(By.ID, element_id)
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
        try:
            element.click()
        except ElementClickInterceptedException:
            # a label or the sticky footer lies over it: click the way a script would
            self.driver.execute_script("arguments[0].click();", element)

    def wait_for(self, element_id: str) -> None:
        try:
            WebDriverWait(self.driver, 30).until(EC.presence_of_element_located((By.ID, element_id)))
        except TimeoutException:
            raise AssertionError(f"#{element_id} not on {self.driver.current_url}:\n{self.text()[:3000]}")

    def console_errors(self) -> list[str]:
        """JavaScript errors and failed requests the browser logged since the last call."""
        return [f"{e.get('level')}: {e.get('message')}" for e in self.driver.get_log("browser")
                if e.get("level") == "SEVERE"]

    def text(self) -> str:
        return self.driver.find_element(By.TAG_NAME, "body").text

    def wait_text(self, text: str) -> None:
        try:
            WebDriverWait(self.driver, 30).until(EC.text_to_be_present_in_element((By.TAG_NAME, "body"), text))
        except TimeoutException:
            raise AssertionError(f"{text!r} not on {self.driver.current_url}:\n{self.text()[:3000]}")

    def close(self) -> None:
        self.driver.quit()
        shutil.rmtree(self.profile, ignore_errors=True)


@pytest.fixture
def browser(live_server):
    b = Browser(live_server)
    yield b
    errors = b.console_errors()
    b.close()
    assert not errors, "JavaScript errors or failed requests:\n" + "\n".join(errors)


def _world(create_with_upload):
    # no pictures from outside hosts (the factories' defaults): every request must succeed
    for name in ("head", "clerk", "citizen"):
        factories.User(name=name, password=PASSWORD, image_url="")
    org = department(name="jtj", title="市交通局", head_user="head", image_url="", users=[
        {"name": "head", "capacity": "admin"}, {"name": "clerk", "capacity": "editor"}])
    pkg = entry(org, name="chuzuche", title="出租汽车运营数据", open_type="conditional",
                **LEVEL_EXTRAS[("conditional", "unconditional")])
    resource = create_with_upload("日期,里程\n2026-11-01,1234\n", "chuzuche.csv", package_id=pkg["id"],
                                  context={"user": factories.Sysadmin()["name"]}, name="运营数据")
    return pkg, resource


def _apply(browser: Browser) -> str:
    browser.login("citizen")
    browser.get("/dataset/chuzuche")
    assert "该数据须申请后使用" in browser.text()
    browser.click("govshare-apply")
    browser.wait_text("开放申请")
    browser.fill("field-applicant_name", "张三")
    browser.fill("field-id_number", "11010519491231002X")
    browser.fill("field-contact_phone", "13800138000")
    browser.fill("field-purpose", "交通规划研究")
    browser.fill("field-usage_scope", "仅限本单位内部研究")
    browser.fill("field-data_items", "日期、载客里程")
    browser.driver.execute_script(
        "document.getElementById('field-period_end').value = '2027-06-30';")
    browser.click("field-agreement_accepted")
    browser.click("govshare-submit")
    browser.wait_text("已受理")
    assert "还剩" in browser.text()
    app_id = browser.driver.current_url.rstrip("/").split("/")[-1]
    browser.logout()
    return app_id


def test_apply_extend_approve_download(browser, create_with_upload):
    pkg, resource = _world(create_with_upload)
    download = f"/dataset/chuzuche/resource/{resource['id']}/download/chuzuche.csv"

    app_id = _apply(browser)

    # the clerk asks; the head consents in the head's own session (chongqing-2018 §24)
    browser.login("clerk")
    browser.get(f"/application/{app_id}")
    browser.fill("field-days", "10")
    browser.fill("field-extend-reason", "数据需脱敏处理")
    browser.click("govshare-extension-request")
    browser.wait_for("govshare-extension-pending")
    assert not browser.driver.find_elements(By.ID, "govshare-extend")
    browser.logout()

    browser.login("head")
    browser.get(f"/application/{app_id}")
    assert "数据需脱敏处理" in browser.driver.find_element(By.ID, "govshare-extension-request").text
    browser.click("govshare-extend")
    browser.wait_text("已延期")
    assert "负责人同意延期" in browser.text()
    browser.fill("field-conditions", "仅限研究使用")
    browser.driver.execute_script("document.getElementById('field-expires_at').value = '2027-06-30';")
    browser.click("govshare-approve")
    browser.wait_text("已同意")
    # a date picked means the whole day in Beijing
    assert "2027年6月30日 23:59" in browser.driver.find_element(By.ID, "govshare-grant").text
    browser.logout()

    browser.login("citizen")
    browser.get("/dataset/chuzuche")
    content = browser.driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(arguments[0], {credentials: 'same-origin'}).then(r => r.text()).then(done);", download)
    assert "2026-11-01,1234" in content
    browser.get(f"/application/{app_id}")
    assert "有效" in browser.driver.find_element(By.ID, "govshare-grant-status").text
    browser.logout()

    # the department revokes with a reason; the applicant sees it and the data closes
    browser.login("head")
    browser.get(f"/application/{app_id}")
    browser.fill("field-revoke-reason", "超出约定用途使用数据")
    browser.click("govshare-revoke")
    browser.wait_text("已撤销")
    browser.logout()
    browser.login("citizen")
    browser.get(f"/application/{app_id}")
    assert "已撤销" in browser.driver.find_element(By.ID, "govshare-grant-status").text
    assert "超出约定用途使用数据" in browser.text()
    status = browser.driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(arguments[0], {credentials: 'same-origin', redirect: 'manual'}).then(r => r.status).then(done);",
        download)
    assert status == 403
    # the one failed request is the refused download itself
    assert [e for e in browser.console_errors() if "403" not in e or "download" not in e] == []
    assert Application.__table__ is not None


def test_refusal_shows_reasons(browser, create_with_upload):
    _world(create_with_upload)
    app_id = _apply(browser)

    browser.login("clerk")
    browser.get(f"/application/{app_id}")
    browser.fill("field-reason", "申请用途超出开放条件")
    browser.fill("field-basis", "《重庆市政务数据资源管理暂行办法》第三十三条")
    browser.click("govshare-refuse")
    browser.wait_text("不予同意")
    browser.logout()

    browser.login("citizen")
    browser.get("/user/applications")
    browser.wait_text("不予同意")
    browser.get(f"/application/{app_id}")
    assert "申请用途超出开放条件" in browser.text()
    assert "第三十三条" in browser.text()
    # and the data stays closed to the citizen
    browser.get("/dataset/chuzuche")
    assert browser.driver.find_elements(By.ID, "govshare-apply")
