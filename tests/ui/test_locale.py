# -*- coding: utf-8 -*-
"""CKAN's client asks /api/i18n/zh_Hans-CN for the default locale (locale.py): the platform
answers it, so that CKAN's JavaScript starts in the Chinese UI."""
from __future__ import annotations

import pytest

from ckanext.govshare.ui import locale


def test_dashed_names_map_to_offered_locales(with_plugins):
    assert locale.js_locale("zh_Hans-CN") == "zh_Hans_CN"
    assert locale.js_locale("zh-Hans-CN") == "zh_Hans_CN"
    assert locale.js_locale("en") is None
    assert locale.js_locale("xx_Yy-ZZ") is None


@pytest.mark.usefixtures("with_plugins")
@pytest.mark.parametrize("path", ["/api/i18n/zh_Hans-CN", "/api/1/i18n/zh_Hans-CN", "/api/i18n/zh-Hans-CN"])
def test_the_request_ckans_client_makes_is_answered(app, path):
    meant = app.get("/api/i18n/zh_Hans_CN", status=200)
    resp = app.get(path, status=200)
    assert resp.json == meant.json


@pytest.mark.usefixtures("with_plugins")
def test_every_offered_locale_as_the_page_states_it(app):
    """Each offered locale as CKAN's client derives it from ``<html lang>``."""
    from ckan.lib.i18n import get_locales_from_config

    for lang in get_locales_from_config():
        html_lang = lang.replace("_", "-")
        asked = html_lang.replace("-", "_", 1)  # client.js: locale.replace('-', '_')
        assert app.get(f"/api/i18n/{asked}").status_code == 200, lang


@pytest.mark.usefixtures("with_plugins")
def test_unknown_locales_are_still_refused(app):
    assert app.get("/api/i18n/xx_Yy-ZZ").status_code == 400
