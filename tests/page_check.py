# -*- coding: utf-8 -*-
"""The page check shared by the page tests (``tests/ui/test_pages_zh.py``, rendered HTML)
and the browser journeys (``tests/browser``, text the browser shows): in the default Chinese
UI a page shows no English CKAN or platform string, no raw field key, no ``True``/``False``
and no field without a value.

English strings are CKAN's msgids (``ckan/i18n/ckan.pot``) and the platform's (extracted
from the code, so a string added today counts): any msgid, or a fragment of it between
placeholders, of two or more words. A support module, not a test module.
"""
from __future__ import annotations

import os
import re
from typing import Iterable

import polib
import yaml
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping
from bs4 import BeautifulSoup

import ckan

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
I18N = os.path.join(REPO, "i18n")

# keys CKAN or the platform put into a resource or an entry that are never meant for people
INTERNAL_KEYS = {
    "datastore_active", "has_views", "package_id", "position", "state", "govshare_data_withheld",
    "url_type", "cache_url", "cache_last_updated", "mimetype", "mimetype_inner", "last_modified",
    "metadata_modified", "metadata_created", "owner_org", "creator_user_id", "resource_type",
    "num_resources", "num_tags", "license_id", "client_token", "applicant_type", "applicant_name",
    "id_number", "contact_phone", "contact_email", "purpose", "usage_scope", "data_items",
    "period_start", "period_end", "agreement_accepted", "applicant_org_id", "organization_id",
}


def extracted_msgids() -> set[str]:
    """The platform's translatable strings, extracted from the code as ``babel`` does."""
    with open(os.path.join(I18N, "babel.cfg"), encoding="utf-8") as f:
        method_map, options_map = parse_mapping(f)
    ids = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        os.path.join(REPO, "ckanext", "govshare"), method_map, options_map,
        keywords={"_": None, "gettext": None, "ngettext": (1, 2), "translate": None, "isPlural": None},
    ):
        ids.add(message if isinstance(message, str) else message[0])
    return ids


def _schema_keys() -> set[str]:
    keys = set(INTERNAL_KEYS)
    for name in ("dataset.yaml", "organization.yaml"):
        with open(os.path.join(REPO, "schemas", name), encoding="utf-8") as f:
            schema = yaml.safe_load(f)
        for field in [*schema.get("dataset_fields", []), *schema.get("resource_fields", []),
                      *schema.get("fields", [])]:
            keys.add(field["field_name"])
            keys.update(sub["field_name"] for sub in field.get("repeating_subfields", []))
    return keys


SCHEMA_KEYS = _schema_keys()
SNAKE_KEYS = {k for k in SCHEMA_KEYS if "_" in k}
# what CKAN's format_resource_items and "{{ key | capitalize }}" make of a key: "Package id"
HUMANISED_KEYS = {k.replace("_", " ").capitalize() for k in SCHEMA_KEYS} | {"Id"}

_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}|<[^>]+>|\[\d+\]")


def _msgids() -> Iterable[str]:
    for e in polib.pofile(os.path.join(os.path.dirname(ckan.__file__), "i18n", "ckan.pot")):
        yield from filter(None, (e.msgid, e.msgid_plural))
    yield from extracted_msgids()


def _phrases() -> list[str]:
    phrases = set()
    for msgid in _msgids():
        for fragment in _PLACEHOLDER.split(msgid):
            fragment = " ".join(fragment.split()).strip(" .,:;!?()'\"-—…")
            words = re.findall(r"[A-Za-z]+", fragment)
            if len(words) >= 2 and any(len(w) >= 3 for w in words) and fragment.isascii():
                phrases.add(fragment)
    return sorted(phrases, key=len, reverse=True)


ENGLISH_PHRASES = _phrases()


def text_problems(lines: list[str], chinese: bool = True) -> list[str]:
    """What the visible text of one document (its lines) shows that it must not."""
    lines = [re.sub(r"https?://\S+|[\w.+-]+@[\w-]+\.[\w.-]+", " ", n).strip() for n in lines]
    lines = [n for n in lines if n]
    text = "\n".join(lines)
    found = [f"boolean {w!r}" for w in re.findall(r"(?<![\w-])(True|False)(?![\w-])", text)]
    found += [f"raw key {k!r}" for k in re.findall(r"(?<![\w/.-])[a-z]+(?:_[a-z]+)+(?![\w/.-])", text)
              if k in SNAKE_KEYS]
    for line in lines:
        key = re.match(r"([a-z][a-z_]*)\s*[:：]", line)  # "purpose: 必填" in an error summary
        if key and key.group(1) in SCHEMA_KEYS:
            found.append(f"raw key {key.group(1)!r}")
        if chinese and line.rstrip(":：").strip() in HUMANISED_KEYS:
            found.append(f"raw key {line.rstrip(':：').strip()!r}")
    if chinese:
        english = "\n".join(re.findall(r"[A-Za-z][A-Za-z0-9 ,.'’!?&/()-]*[A-Za-z0-9.?!)]", text))
        for phrase in ENGLISH_PHRASES:
            if phrase in english and re.search(r"(?<![A-Za-z])" + re.escape(phrase) + r"(?![A-Za-z])", english):
                found.append(f"English {phrase!r}")
                english = english.replace(phrase, " ")
    return sorted(set(found))


def visible_lines(html: str) -> list[str]:
    """The text nodes a person sees in rendered HTML: no scripts, styles or code; with
    placeholders, tooltips, alt texts and button values."""
    soup = BeautifulSoup(html, "lxml")
    for tag in soup(["script", "style", "template", "noscript", "code", "pre", "head"]):
        tag.decompose()
    nodes = [" ".join(s.split()) for s in soup.stripped_strings]
    for attr in ("placeholder", "title", "alt", "aria-label"):
        for tag in soup.find_all(attrs={attr: True}):
            nodes.append(tag[attr])
    for tag in soup.find_all(["input", "button"], attrs={"type": ["submit", "button"], "value": True}):
        nodes.append(tag["value"])
    return nodes


def empty_fields(html: str) -> list[str]:
    """Labels of table rows (label, value) whose value is empty: a field shown without a value."""
    soup = BeautifulSoup(html, "lxml")
    empty = []
    for row in soup.select("table tr"):
        th, td = row.find("th"), row.find_all("td")
        if th is not None and len(td) == 1 and not td[0].get_text(strip=True) and not td[0].find(["img", "input"]):
            empty.append(th.get_text(strip=True))
    return empty


def html_problems(html: str) -> list[str]:
    """The page check on rendered HTML in the Chinese UI."""
    return text_problems(visible_lines(html)) + [f"empty field {row!r}" for row in empty_fields(html)]
