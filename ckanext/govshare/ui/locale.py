# -*- coding: utf-8 -*-
"""Three-part locales in CKAN's JavaScript (docs/ckan-js-locale.md).

CKAN writes the page language as ``<html lang="zh-Hans-CN">`` and its client
(``ckan/public/base/javascript/client.js``, ``getLocaleData``) turns it back into a locale
with ``locale.replace('-', '_')``, which replaces only the first dash: it asks for
``/api/i18n/zh_Hans-CN``, CKAN answers 400 "Unknown locale", and no JavaScript module
starts (forms, upload widget, language switcher). Every locale with two dashes is hit.

The platform answers the request CKAN's client makes, for any locale CKAN offers, with
the translations CKAN would give for the locale it meant. It works whether or not CKAN
fixes its client (then the request simply never comes), and needs no copy of CKAN's JS.
"""
from __future__ import annotations

import re
from typing import Any, Optional

from flask import request

from ckan.lib.i18n import get_locales_from_config
from ckan.views import api as api_views

_I18N_PATH = re.compile(r"^/api/(?:(?P<ver>\d+)/)?i18n/(?P<lang>[A-Za-z]+(?:[-_][A-Za-z]+)+)$")


def js_locale(lang: str) -> Optional[str]:
    """The offered locale a dashed name from CKAN's client means (``zh_Hans-CN`` →
    ``zh_Hans_CN``), or None."""
    if "-" not in lang:
        return None
    wanted = lang.replace("-", "_")
    return wanted if wanted in get_locales_from_config() else None


def answer_js_locale() -> Any:
    """before_app_request: CKAN's translations for ``/api/i18n/<locale with dashes>``."""
    match = _I18N_PATH.match(request.path)
    if match is None:
        return None
    lang = js_locale(match.group("lang"))
    if lang is None:
        return None
    return api_views.i18n_js_translations(lang)
