# -*- coding: utf-8 -*-
"""The maintained synonyms (``stack/solr/schema/synonyms_zh.txt``) applied to the query the
platform sends (issue 15; docs/search.md).

Why here and not in Solr's analysis: the platform's query lets a part of a citizen's sentence
match with a minimum-should-match (``mm``) on its words; edismax applies that ``mm`` to every
boolean an analyser produces, and the alternatives of a synonym are such a boolean — with Solr's
SynonymGraphFilter, 公交 (four alternatives) would need three of them at once. Expanded here,
each alternative is its own clause of an explicit ``( … OR … )`` group, which ``mm`` leaves
alone.

The file is read again whenever it changes (its modification time): an operator edits it and
the next search uses it — no index rebuild, no Solr reload.

Lines (``#`` starts a comment):

* ``a,b,c`` — a two-way group: a query holding any of them also searches the others;
* ``a => a,b,c`` — one-way: a query holding ``a`` also searches ``b`` and ``c``, not back.

Terms are matched inside a query part after folding (NFKC, case, traditional → simplified with
``traditional_simplified_zh.txt`` next to the file). A part that *is* a term searches each
alternative as a phrase ("社会保险", so that 社会 … 保险 far apart do not count); a longer part (a
sentence) searches each rewritten variant as words.
"""
from __future__ import annotations

import logging
import os
import re
import threading
import unicodedata
from typing import Optional

import ckan.plugins.toolkit as tk

log = logging.getLogger(__name__)

CONFIG_KEY = "ckanext.govshare.search.synonyms"
MAX_VARIANTS = 8
_DEFAULT = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir, os.pardir,
                        "stack", "solr", "schema", "synonyms_zh.txt")
_MAPPING_RE = re.compile(r'^"(.+)"\s*=>\s*"(.*)"\s*$')


class Synonyms:
    """Parsed synonym rules: term -> the terms a query holding it also searches."""

    def __init__(self, rules: dict[str, list[str]], fold_map: dict[str, str]):
        self.rules = rules
        self.fold_map = fold_map
        # longest terms first, so that 社会保障卡 wins over 社会保障
        self.terms = sorted(rules, key=len, reverse=True)

    def fold(self, text: str) -> str:
        text = unicodedata.normalize("NFKC", text).lower()
        return "".join(self.fold_map.get(ch, ch) for ch in text)

    def variants(self, part: str) -> tuple[list[str], bool]:
        """The alternatives of one query part (itself first), and whether the part is exactly
        a term (its alternatives are then phrases)."""
        folded = self.fold(part)
        if folded in self.rules:
            return _unique([part] + self.rules[folded])[:MAX_VARIANTS], True
        out = [part]
        for term in self.terms:
            if term in folded and len(term) > 1:
                for alt in self.rules[term]:
                    out.append(folded.replace(term, alt))
                break  # one rewrite per part: the longest term found
        return _unique(out)[:MAX_VARIANTS], False


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))


def parse(text: str, fold_map: Optional[dict[str, str]] = None) -> Synonyms:
    syn = Synonyms({}, fold_map or {})
    rules: dict[str, list[str]] = {}
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if "=>" in line:
            left, right = line.split("=>", 1)
            targets = [syn.fold(t.strip()) for t in right.split(",") if t.strip()]
            for source in (syn.fold(t.strip()) for t in left.split(",") if t.strip()):
                rules[source] = _unique(rules.get(source, []) + [t for t in targets if t != source])
        else:
            group = [syn.fold(t.strip()) for t in line.split(",") if t.strip()]
            for term in group:
                rules[term] = _unique(rules.get(term, []) + [t for t in group if t != term])
    return Synonyms(rules, syn.fold_map)


def _read_fold_map(folder: str) -> dict[str, str]:
    path = os.path.join(folder, "traditional_simplified_zh.txt")
    mapping: dict[str, str] = {}
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                m = _MAPPING_RE.match(line.strip())
                if m and len(m.group(1)) == 1:
                    mapping[m.group(1)] = m.group(2)
    return mapping


_lock = threading.Lock()
_cache: dict[str, tuple[float, Synonyms]] = {}


def current() -> Synonyms:
    """The synonyms of the configured file, re-read when it changes."""
    path = os.path.normpath(tk.config.get(CONFIG_KEY) or _DEFAULT)
    try:
        mtime = os.path.getmtime(path)
    except OSError:
        if path not in _cache:
            log.warning("synonym file %s not found: searching without synonyms", path)
            _cache[path] = (-1.0, Synonyms({}, {}))
        return _cache[path][1]
    cached = _cache.get(path)
    if cached and cached[0] == mtime:
        return cached[1]
    with _lock:
        with open(path, encoding="utf-8") as f:
            syn = parse(f.read(), _read_fold_map(os.path.dirname(path)))
        _cache[path] = (mtime, syn)
        log.info("synonyms: %d terms from %s", len(syn.rules), path)
        return syn
