# -*- coding: utf-8 -*-
"""Every translatable string of the extension has a zh_Hans_CN translation, and the
template (.pot) is up to date with the code."""
from __future__ import annotations

import os

import polib
import pytest

from tests.page_check import I18N, extracted_msgids

PO = os.path.join(I18N, "zh_Hans_CN", "LC_MESSAGES", "ckanext-govshare.po")


def test_every_string_is_translated():
    po = polib.pofile(PO)
    translated = {e.msgid for e in po if not e.obsolete and "fuzzy" not in e.flags
                  and (e.msgstr or (e.msgstr_plural and all(e.msgstr_plural.values())))}
    missing = sorted(extracted_msgids() - translated)
    assert not missing, f"strings without a zh_Hans_CN translation: {missing}"


def test_translations_keep_placeholders():
    import re

    for entry in polib.pofile(PO):
        for translation in [entry.msgstr, *entry.msgstr_plural.values()]:
            if translation:
                assert set(re.findall(r"\{\w+\}", entry.msgid)) == set(re.findall(r"\{\w+\}", translation)), \
                    entry.msgid


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.parametrize("lang,expected,absent", [
    ("", ["数据目录", "部门", "使用说明"], ["数据集", "组织"]),
    ("/en", ["Datasets", "Organizations", "Usage notes"], ["数据目录"]),
])
def test_main_pages_in_both_languages(app, lang, expected, absent):
    """zh_Hans_CN is the default and uses one term throughout (数据目录, 部门); English is offered."""
    from tests.factories import department, entry

    entry(department(name="jtj", title="市交通局"), name="gongjiao", title="公交线路信息")
    pages = ["/", "/dataset/", "/dataset/gongjiao", "/organization/", "/organization/jtj", "/govshare/usage"]
    html = "".join(app.get(lang + page).get_data(as_text=True) for page in pages)
    for word in expected:
        assert word in html, word
    nav = app.get(lang + "/dataset/").get_data(as_text=True)
    for word in absent:
        assert word not in nav, word
