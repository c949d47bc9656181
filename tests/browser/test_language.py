# -*- coding: utf-8 -*-
"""The language: Chinese by default; CKAN's switcher in the footer goes to English and back;
the translations CKAN's JavaScript asks for answer for every offered locale."""
from __future__ import annotations

import json

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from ckan.lib.i18n import get_locales_from_config


def _switch(browser, language: str, step: str) -> None:
    """CKAN's language switcher (a select2 widget in the footer that submits on change)."""
    old = browser.driver.find_element(By.TAG_NAME, "html")
    browser.choose("field-lang-select", language)
    WebDriverWait(browser.driver, 30).until(lambda d: old != d.find_element(By.TAG_NAME, "html"))
    browser.settle(step)


def test_switch_to_english_and_back(browser, world):
    browser.get("/dataset/gongjiao", step="entry-in-chinese")
    assert browser.driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-Hans-CN"
    assert "无条件开放" in browser.text()

    _switch(browser, "English", "entry-in-english")
    assert "/en/dataset/gongjiao" in browser.driver.current_url
    assert browser.driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    assert "Unconditionally open" in browser.text()

    _switch(browser, "简体中文", "entry-in-chinese-again")
    assert "/en/" not in browser.driver.current_url
    assert browser.driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-Hans-CN"
    assert "无条件开放" in browser.text()


def test_js_translations_answer_for_every_offered_locale(browser):
    """``/api/i18n/<lang>`` as CKAN's client asks it: the page's ``<html lang>`` with
    ``lang.replace('-', '_')`` (one replacement, as in client.js)."""
    for locale in sorted(get_locales_from_config()):
        prefix = "" if locale == "zh_Hans_CN" else f"/{locale}"
        browser.get(f"{prefix}/", step="")
        asked = browser.driver.execute_script(
            "return document.documentElement.getAttribute('lang').replace('-', '_');")
        status = browser.fetch(f"/api/i18n/{asked}", "status")
        assert status == 200, (locale, asked, status)
        catalogue = json.loads(browser.fetch(f"/api/i18n/{asked}"))
        if locale != "en":  # CKAN's JavaScript strings, translated
            assert len(catalogue) > 1, (locale, catalogue)
