# -*- coding: utf-8 -*-
"""Every translatable string of the extension has a zh_Hans_CN translation, and the
template (.pot) is up to date with the code."""
from __future__ import annotations

import os

import polib
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
I18N = os.path.join(REPO, "i18n")
PO = os.path.join(I18N, "zh_Hans_CN", "LC_MESSAGES", "ckanext-govshare.po")


def _extracted() -> set[str]:
    with open(os.path.join(I18N, "babel.cfg"), encoding="utf-8") as f:
        method_map, options_map = parse_mapping(f)
    ids = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        os.path.join(REPO, "ckanext", "govshare"), method_map, options_map,
        keywords={"_": None, "gettext": None, "ngettext": (1, 2), "translate": None, "isPlural": None},
    ):
        ids.add(message if isinstance(message, str) else message[0])
    return ids


def test_every_string_is_translated():
    po = polib.pofile(PO)
    translated = {e.msgid for e in po if e.msgstr and not e.obsolete and "fuzzy" not in e.flags}
    missing = sorted(_extracted() - translated)
    assert not missing, f"strings without a zh_Hans_CN translation: {missing}"


def test_translations_keep_placeholders():
    import re

    for entry in polib.pofile(PO):
        if entry.msgstr:
            assert set(re.findall(r"\{\w+\}", entry.msgid)) == set(re.findall(r"\{\w+\}", entry.msgstr)), entry.msgid
