# -*- coding: utf-8 -*-
"""The browser journeys: Debian's headless Chromium driven by Selenium against a live CKAN
server (werkzeug, in a thread of the test process) over the real stack.

- ``live_server``: CKAN's app served on a free 127.0.0.1 port (``ckan.site_url`` points at it,
  so CKAN's redirects stay on it);
- ``browser``: one Chromium per test. Every navigation (``get``, ``submit``, ``login``) waits
  for the page and its requests to settle, then runs the page check: no visible ``True`` /
  ``False``, no raw schema field key, in the Chinese UI no English string of CKAN's own message
  catalogue (or the platform's), and no console ``SEVERE`` entry (a JavaScript error or a failed request, such as
  ``/api/i18n/<lang>``). Problems are collected with the page's address and fail the test at
  its end; with ``GOVSHARE_SCREENSHOTS=1`` each step is saved as
  ``docs/screenshots/journeys/<journey>/<nn>-<step>.png`` (the journey's folder is emptied
  first, so ``GOVSHARE_SCREENSHOTS=1 ./stack.sh test tests/browser`` regenerates them all);
- ``world``: the people, departments and catalogue entries (with hosted files, DataStore rows
  and a table preview) the journeys act on.
"""
from __future__ import annotations

import base64
import logging
import os
import re
import shutil
import socket
import tempfile
import threading
import time
from contextlib import contextmanager
from typing import Any, Iterator

import pytest

from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.factories import LEVEL_EXTRAS, department, entry
from tests.page_check import text_problems

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHOTS = os.path.join(REPO, "docs", "screenshots", "journeys")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
PASSWORD = "Browser-Test-2026"

if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):  # pragma: no cover
    pytest.skip("Debian chromium and chromium-driver are not installed (./stack.sh test installs them)",
                allow_module_level=True)

from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import (  # noqa: E402
    ElementClickInterceptedException, StaleElementReferenceException, TimeoutException)
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


PORT = _free_port()
BASE = f"http://127.0.0.1:{PORT}"
HERE = os.path.dirname(os.path.abspath(__file__))


def pytest_collection_modifyitems(config, items):
    # CKAN builds redirects from ckan.site_url: the live server's own address
    for item in items:
        if str(item.fspath).startswith(HERE + os.sep):
            item.add_marker(pytest.mark.ckan_config("ckan.site_url", BASE))


# ---------------------------------------------------------------------------------------------
# The page check


# The text a person sees on the page and in its same-origin frames: rendered text (innerText
# skips what is hidden), the tab's title, and the placeholders, tooltips, alt texts and
# button values of visible elements.
_VISIBLE_TEXT_JS = """
const out = [];
function collect(doc, where) {
  if (!doc || !doc.body) return;
  const lang = (doc.documentElement.getAttribute('lang') || '');
  const lines = [doc.title];
  lines.push(...doc.body.innerText.split(/[\\n\\t]+/));
  for (const el of doc.body.querySelectorAll('[placeholder],[title],[alt],[aria-label],input[type=submit],input[type=button]')) {
    if (el.checkVisibility && !el.checkVisibility()) continue;
    for (const a of ['placeholder', 'title', 'alt', 'aria-label']) {
      if (el.hasAttribute(a)) lines.push(el.getAttribute(a));
    }
    if (el.matches('input[type=submit],input[type=button]')) lines.push(el.value);
  }
  out.push({where: where, lang: lang, lines: lines.map(s => s.trim()).filter(s => s)});
  for (const frame of doc.querySelectorAll('iframe')) {
    let inner = null;
    try { inner = frame.contentDocument; } catch (e) { inner = null; }
    collect(inner, frame.src || where);
  }
}
collect(document, location.href);
return out;
"""


# ---------------------------------------------------------------------------------------------
# The live server and the browser


_JS_I18N: list[str] = []  # CKAN's JavaScript translations, built once per session


def _js_translations(tmp_path_factory) -> None:
    """What ``ckan run`` does on start: build CKAN's JavaScript translations (served by
    ``/api/i18n/<lang>``) under the storage path. Built once, then copied."""
    from ckan.common import config
    from ckan.lib.i18n import build_js_translations, get_js_translations_dir

    if not _JS_I18N:
        built = str(tmp_path_factory.mktemp("storage"))
        current = config["ckan.storage_path"]
        config["ckan.storage_path"] = built
        try:
            build_js_translations()
            _JS_I18N.append(get_js_translations_dir())
        finally:
            config["ckan.storage_path"] = current
    shutil.copytree(_JS_I18N[0], get_js_translations_dir(), dirs_exist_ok=True)


@pytest.fixture
def live_server(app, with_plugins, clean_db, clean_index, create_with_upload, tmp_path_factory):
    """CKAN served on BASE, its storage (uploads, JavaScript translations) in the test's
    temporary folder (``create_with_upload`` points ``ckan.storage_path`` there)."""
    from werkzeug.serving import make_server

    _js_translations(tmp_path_factory)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request in the report
    server = make_server("127.0.0.1", PORT, app.app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield BASE
    server.shutdown()
    thread.join(timeout=10)


def _slug(text: str) -> str:
    text = re.sub(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", "id", text)  # stable names
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "home"


class Browser:
    """A headless Chromium; every navigation is checked (see the module's docstring)."""

    def __init__(self, base: str, journey: str) -> None:
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        self.profile = tempfile.mkdtemp(prefix="govshare-chromium-")
        for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--disable-dev-shm-usage", f"--user-data-dir={self.profile}", "--window-size=1280,1200",
                     "--lang=zh-CN", "--hide-scrollbars"):
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=CHROMEDRIVER),
                                       options=options)
        self.driver.set_page_load_timeout(60)
        self.base = base
        self.journey = journey
        self.problems: list[str] = []
        self.allowed: list[re.Pattern] = []
        self.steps = 0
        self.shots = os.path.join(SHOTS, journey) if os.environ.get("GOVSHARE_SCREENSHOTS") == "1" else None
        if self.shots:
            shutil.rmtree(self.shots, ignore_errors=True)
            os.makedirs(self.shots)

    # -- navigation, each followed by the page check --------------------------------------

    def get(self, path: str, step: str | None = None, ready=None) -> None:
        self.driver.get(self.base + path)
        self.settle(path if step is None else step, ready)

    def submit(self, target: str, step: str | None = None, by: str = By.ID, ready=None) -> None:
        """Click a button or link (by id, or ``by=By.CSS_SELECTOR`` …) that loads a new
        page, and check that page."""
        old = self.driver.find_element(By.TAG_NAME, "html")
        self.click_element(self.driver.find_element(by, target))
        try:
            WebDriverWait(self.driver, 30).until(EC.staleness_of(old))
        except TimeoutException:
            raise AssertionError(f"{target} loaded no page on {self.driver.current_url}:\n{self.text()[:2000]}")
        self.settle(step, ready)

    def login(self, name: str, password: str = PASSWORD) -> None:
        self.logout()
        self.get("/user/login", step="")
        self.fill("field-login", name)
        self.fill("field-password", password)
        old = self.driver.find_element(By.TAG_NAME, "html")
        self.driver.find_element(By.CSS_SELECTOR, "form button[type=submit].btn-primary").click()
        WebDriverWait(self.driver, 30).until(EC.staleness_of(old))
        WebDriverWait(self.driver, 30).until(lambda d: "/user/login" not in d.current_url)
        self.settle("")

    def logout(self) -> None:
        self.driver.delete_all_cookies()

    def settle(self, step: str | None = None, ready=None) -> None:
        """Wait for the page and its requests (CKAN's /api/i18n/<lang> first of all) and for
        ``ready(driver)`` if given, check the page, and save the step's screenshot
        (``step=""``: checked, no screenshot)."""
        d = self.driver
        WebDriverWait(d, 30).until(lambda d: d.execute_script("return document.readyState") == "complete")
        try:
            WebDriverWait(d, 30).until(lambda d: d.execute_script(
                "return !window.jQuery || jQuery.active === 0"))
            if ready:
                WebDriverWait(d, 30).until(ready)
        except TimeoutException:
            self.problems.append(f"{d.current_url}: not ready after 30 s")
        url = d.current_url
        for doc in d.execute_script(_VISIBLE_TEXT_JS):
            where = url if doc["where"] == url else f"{url} (frame {doc['where']})"
            for problem in text_problems(doc["lines"], chinese=doc["lang"].startswith("zh")):
                self.problems.append(f"{where}: {problem}")
        for error in self.console_errors():
            self.problems.append(f"{url}: console {error}")
        if self.shots and step != "":
            self.screenshot(step or url.replace(self.base, ""))

    def screenshot(self, step: str) -> None:
        """The whole page (up to 4000 CSS px high, at 3/4 scale to keep docs/ small), without
        resizing the window."""
        self.steps += 1
        path = os.path.join(self.shots, f"{self.steps:02d}-{_slug(step)}.png")
        size = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
        shot = self.driver.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], 4000), "scale": 0.75}})
        with open(path, "wb") as f:
            f.write(base64.b64decode(shot["data"]))

    # -- acting on a page --------------------------------------------------------------------

    def find(self, element_id: str):
        return self.driver.find_element(By.ID, element_id)

    def fill(self, field_id: str, value: str) -> None:
        element = self.find(field_id)
        element.clear()
        element.send_keys(value)

    def set_value(self, field_id: str, value: str) -> None:
        """A date input's value, as its picker would set it."""
        self.driver.execute_script(
            "const e = document.getElementById(arguments[0]); e.value = arguments[1];"
            "e.dispatchEvent(new Event('change', {bubbles: true}));", field_id, value)

    def click(self, element_id: str) -> None:
        self.click_element(self.find(element_id))

    def click_element(self, element) -> None:
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
        try:
            element.click()
        except ElementClickInterceptedException:
            # a label or the sticky footer lies over it: click the way a script would
            self.driver.execute_script("arguments[0].click();", element)

    def choose(self, select_id: str, text: str) -> None:
        """Pick an option of a select that CKAN's autocomplete module turned into a select2
        widget: open it, type, click the result, as a person does."""
        if not self.driver.find_elements(By.ID, f"s2id_{select_id}"):
            return self._choose_select2_v4(select_id, text)  # CKAN 2.12 ships Select2 4
        container = self.driver.find_element(By.ID, f"s2id_{select_id}")
        choice = container.find_element(By.CSS_SELECTOR, "a.select2-choice")
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", choice)
        for _ in range(3):  # select2 opens on mousedown, which a script's click() lacks
            ActionChains(self.driver).move_to_element(choice).click().perform()
            if self.driver.find_elements(By.CSS_SELECTOR, ".select2-drop-active"):
                break
            time.sleep(0.5)
        else:
            raise AssertionError(f"#{select_id}: the select2 widget did not open: " + self.driver.execute_script(
                "const r = arguments[0].getBoundingClientRect();"
                "const e = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);"
                "return JSON.stringify(r) + ' ' + (e ? e.outerHTML.slice(0, 300) : 'none') + ' ' + arguments[1].className;",
                choice, container))
        search = self.driver.find_elements(By.CSS_SELECTOR, ".select2-drop-active input.select2-input")
        if search and search[0].is_displayed():
            search[0].send_keys(text)
        results = ".select2-drop-active .select2-result-selectable"
        try:
            WebDriverWait(self.driver, 10).until(
                lambda d: any(text in r.text for r in d.find_elements(By.CSS_SELECTOR, results)))
        except TimeoutException:
            raise AssertionError(f"no {text!r} in #{select_id}'s choices:\n" + self.driver.execute_script(
                "return Array.from(document.querySelectorAll('.select2-drop, .select2-container'))"
                ".map(e => e.outerHTML).join('\\n').slice(0, 4000);"))
        for result in self.driver.find_elements(By.CSS_SELECTOR, results):
            if text in result.text:
                result.click()
                return

    def _choose_select2_v4(self, select_id: str, text: str) -> None:
        """:meth:`choose` for Select2 4 (CKAN 2.12): the widget is the ``span.select2``
        after the select, its list ``.select2-container--open .select2-results__option``."""
        selection = self.driver.find_element(
            By.CSS_SELECTOR, f"#{select_id} + .select2-container .select2-selection")
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", selection)
        opened = ".select2-container--open .select2-dropdown"
        for _ in range(3):
            ActionChains(self.driver).move_to_element(selection).click().perform()
            if self.driver.find_elements(By.CSS_SELECTOR, opened):
                break
            time.sleep(0.5)
        else:
            raise AssertionError(f"#{select_id}: the select2 widget did not open")
        search = self.driver.find_elements(By.CSS_SELECTOR, f"{opened} input.select2-search__field")
        if search and search[0].is_displayed():
            search[0].send_keys(text)
        results = f"{opened} .select2-results__option:not(.select2-results__message)"
        try:
            WebDriverWait(self.driver, 10).until(
                lambda d: any(text in r.text for r in d.find_elements(By.CSS_SELECTOR, results)))
        except TimeoutException:
            raise AssertionError(f"no {text!r} in #{select_id}'s choices:\n" + self.driver.execute_script(
                "return Array.from(document.querySelectorAll('.select2-container'))"
                ".map(e => e.outerHTML).join('\\n').slice(0, 4000);"))
        for result in self.driver.find_elements(By.CSS_SELECTOR, results):
            if text in result.text:
                # Select2 4 selects on mouseup over the highlighted result
                ActionChains(self.driver).move_to_element(result).click().perform()
                break

        def chosen(d: Any) -> bool:
            return text in d.execute_script(
                "const s = document.getElementById(arguments[0]);"
                "return s.selectedIndex >= 0 ? s.options[s.selectedIndex].text : '';", select_id)
        try:
            WebDriverWait(self.driver, 3).until(chosen)
        except TimeoutException:
            # the keyboard, as a person would: the typed text highlights the result
            if search and search[0].is_displayed():
                search[0].send_keys(Keys.ENTER)
            WebDriverWait(self.driver, 5).until(chosen, f"#{select_id}: {text!r} not chosen: " + str(
                self.driver.execute_script(
                    "return Array.from(document.querySelectorAll('.select2-container'))"
                    ".map(e => e.outerHTML).join('\\n').slice(0, 3000);")))

    def fetch(self, path: str, what: str = "text") -> Any:
        """A request from the page, with its cookies: the response's text or status."""
        then = "r.text()" if what == "text" else "r.status"
        return self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "fetch(arguments[0], {credentials: 'same-origin', redirect: 'manual'})"
            f".then(r => {then}).then(done, e => done(String(e)));", path)

    # -- reading a page ----------------------------------------------------------------------

    def text(self) -> str:
        return self.driver.find_element(By.TAG_NAME, "body").text

    def wait_for(self, element_id: str) -> None:
        try:
            WebDriverWait(self.driver, 30).until(EC.presence_of_element_located((By.ID, element_id)))
        except TimeoutException:
            raise AssertionError(f"#{element_id} not on {self.driver.current_url}:\n{self.text()[:3000]}")

    def wait_text(self, text: str) -> None:
        try:
            WebDriverWait(self.driver, 30).until(EC.text_to_be_present_in_element((By.TAG_NAME, "body"), text))
        except (TimeoutException, StaleElementReferenceException):
            raise AssertionError(f"{text!r} not on {self.driver.current_url}:\n{self.text()[:3000]}")

    def console_errors(self) -> list[str]:
        """JavaScript errors and failed requests the browser logged since the last call,
        less the ones a journey said it causes on purpose (``expect_console``)."""
        errors = [f"{e.get('level')}: {e.get('message')}" for e in self.driver.get_log("browser")
                  if e.get("level") == "SEVERE"]
        return [e for e in errors if not any(p.search(e) for p in self.allowed)]

    @contextmanager
    def expect_console(self, pattern: str) -> Iterator[None]:
        """A failed request the journey makes on purpose (a refused download)."""
        allowed = re.compile(pattern)
        self.allowed.append(allowed)
        try:
            yield
            self.problems += [f"{self.driver.current_url}: console {e}" for e in self.console_errors()]
        finally:
            self.allowed.remove(allowed)

    def close(self) -> None:
        try:
            self.driver.quit()
        finally:
            shutil.rmtree(self.profile, ignore_errors=True)


@pytest.fixture
def browser(live_server, request):
    journey = request.node.name.removeprefix("test_")
    b = Browser(live_server, journey)
    yield b
    try:
        b.problems += [f"{b.driver.current_url}: console {e}" for e in b.console_errors()]
    finally:
        b.close()
    problems = list(dict.fromkeys(b.problems))  # each problem of each page once
    assert not problems, "pages with problems:\n" + "\n".join(problems)


# ---------------------------------------------------------------------------------------------
# The world


HOSTED_CSV = "日期,线路,里程\n2026-11-01,1路,1234\n2026-11-02,2路,2345\n"
HOSTED_ROWS = [{"日期": "2026-11-01", "线路": "1路", "里程": 1234}, {"日期": "2026-11-02", "线路": "2路", "里程": 2345}]


class World:
    """People, two departments and entries with hosted files (no pictures or links to other
    hosts: every request the browser makes must succeed).

    - 市交通局 ``jtj``: head ``head`` (admin), clerk ``clerk`` (editor);
      entries ``gongjiao`` (无条件开放, hosted CSV in the DataStore with a table preview),
      ``chuzuche`` (有条件开放, hosted CSV), ``jiaotong-jiance`` (不予开放, 有条件共享, hosted CSV);
    - 市公安局 ``gaj``: clerk ``gaj-clerk`` (editor);
    - citizen ``citizen``; the data authority is the sysadmin ``operator``.
    """

    def __init__(self, create_with_upload) -> None:
        self.operator = factories.Sysadmin(name="operator", fullname="数据主管部门", password=PASSWORD, image_url="")
        for name, fullname in (("head", "王局长"), ("clerk", "李科员"), ("citizen", "张三"), ("gaj-clerk", "赵警官")):
            factories.User(name=name, fullname=fullname, password=PASSWORD, image_url="")
        self.jtj = department(name="jtj", title="市交通局", head_user="head", image_url="", region_code="500000",
                              description="负责全市交通运输管理。",
                              users=[{"name": "head", "capacity": "admin"}, {"name": "clerk", "capacity": "editor"}])
        self.gaj = department(name="gaj", title="市公安局", provider_code="11500000MB1526732C", image_url="",
                              region_code="500000", description="负责全市公共安全管理。",
                              users=[{"name": "gaj-clerk", "capacity": "editor"}])
        self._upload = create_with_upload
        self.gongjiao, self.gongjiao_file = self._entry(
            "gongjiao", "公交线路客流量", ("unconditional", "unconditional"), preview=True)
        self.chuzuche, self.chuzuche_file = self._entry(
            "chuzuche", "出租汽车运营数据", ("conditional", "unconditional"))
        self.jiance, self.jiance_file = self._entry(
            "jiaotong-jiance", "道路交通监测数据", ("closed", "conditional"))

    def _entry(self, name: str, title: str, levels: tuple[str, str], preview: bool = False):
        open_type, share_type = levels
        pkg = entry(self.jtj, name=name, title=title, open_type=open_type, share_type=share_type,
                    data_items=[{"item_name": "日期", "item_type": "D"}, {"item_name": "里程", "item_type": "N"}],
                    **LEVEL_EXTRAS[levels])
        resource = self._upload(HOSTED_CSV, f"{name}.csv", package_id=pkg["id"], name="运营数据", format="CSV",
                                access_method="download", context={"user": self.operator["name"]})
        if preview:
            call_action("datastore_create", {"user": self.operator["name"]}, resource_id=resource["id"],
                        force=True, fields=[{"id": "日期", "type": "text"}, {"id": "线路", "type": "text"},
                                            {"id": "里程", "type": "int"}], records=HOSTED_ROWS)
            call_action("resource_view_create", {"user": self.operator["name"]}, resource_id=resource["id"],
                        view_type="datatables_view", title="表格预览")
        return pkg, resource

    def download_path(self, pkg: dict, resource: dict) -> str:
        return f"/dataset/{pkg['name']}/resource/{resource['id']}/download/{pkg['name']}.csv"


@pytest.fixture
def world(live_server, create_with_upload) -> World:
    return World(create_with_upload)


@pytest.fixture
def open_application(browser):
    """``open_application(user)``: the user, logged in, applies for the conditionally open
    entry ``chuzuche`` through its page and form; returns the application's id."""
    def apply(user: str = "citizen", password: str = PASSWORD) -> str:
        browser.login(user, password)
        browser.get("/dataset/chuzuche", step="entry-conditional")
        assert "该数据须申请后使用" in browser.text()
        browser.submit("govshare-apply", step="application-form")
        assert "开放申请" in browser.text()
        browser.fill("field-applicant_name", "张三")
        browser.fill("field-id_number", "11010519491231002X")
        browser.fill("field-contact_phone", "13800138000")
        browser.fill("field-purpose", "交通规划研究")
        browser.fill("field-usage_scope", "仅限本单位内部研究")
        browser.fill("field-data_items", "日期、载客里程")
        browser.set_value("field-period_end", "2027-06-30")
        browser.click("field-agreement_accepted")
        browser.submit("govshare-submit", step="application-received")
        assert "已受理" in browser.find("govshare-status").text
        assert "还剩" in browser.find("govshare-due").text  # the reply deadline, in working days
        return browser.driver.current_url.rstrip("/").split("/")[-1]
    return apply
