# -*- coding: utf-8 -*-
"""The query the platform sends to Solr for a dataset search (issue 15; docs/search.md).

CKAN sends ``q.op=AND`` with every search and refuses ``q.op`` from plugins. Under it, Solr's
edismax makes every word the analysers find in a query mandatory (``mm`` is ignored), so a
citizen's sentence (哪里可以查询全市的公交线路和站点) finds nothing. The platform's query therefore
carries its own operator in Solr local parameters::

    defType=lucene  q={!edismax q.op=OR sow=true}+(第一部分) +(第二部分)  qf=…  mm=…

* each space-separated part of the query stays required (``+( … )``);
* inside a part, the words (smartcn words, CJK bigrams; function words dropped by the schema's
  stop list) need only match as ``mm`` says (``ckanext.govshare.search.mm``);
* ``qf`` (``ckanext.govshare.search.qf``) ranks an exact title or resource code first, then the
  department, the title, the text, the region and the pinyin;
* the maintained synonyms (``synonyms_zh.txt``) are expanded here, each alternative its own
  clause of ``( … OR … )`` (``search/synonyms.py`` explains why not in Solr's analysis).

CKAN only lets local parameters through for the parsers named in
``ckan.search.solr_allowed_query_parsers``; :func:`allow_edismax` (called from the plugin's
``update_config``) adds ``edismax`` there. A query with Solr syntax of its own (a field
``x:y``, quotes, operators, local parameters), or a caller's own ``qf``/``defType``, is left to
edismax with CKAN's ``q.op=AND`` as before.
"""
from __future__ import annotations

import re
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.govshare import vocab
from ckanext.govshare.search import synonyms

ALLOWED_PARSERS_KEY = "ckan.search.solr_allowed_query_parsers"

# Solr syntax a citizen does not type by accident: then the query is taken as Solr syntax
_SYNTAX_RE = re.compile(r'[:"]|\{!|(^|\s)(AND|OR|NOT)(\s|$)|(^|\s)[+\-]\S')
# characters the standard query parser would read as syntax inside a part
_ESCAPE_RE = re.compile(r'([\\+\-!(){}\[\]^"~*?:/&|])')


def allow_edismax(config: Any) -> None:
    """Add ``edismax`` to CKAN's allowed local-parameter query parsers (keeps any others)."""
    allowed = config.get(ALLOWED_PARSERS_KEY) or []
    if isinstance(allowed, str):
        allowed = allowed.split()
    if "edismax" not in allowed:
        config[ALLOWED_PARSERS_KEY] = list(allowed) + ["edismax"]


def is_plain(q: str) -> bool:
    """A query as citizens type it: words, no Solr syntax."""
    return not _SYNTAX_RE.search(q)


def _escape(text: str) -> str:
    return _ESCAPE_RE.sub(r"\\\1", text)


_LABELS: set[str] = set()


def _is_label(part: str) -> bool:
    """有条件开放, 每月, 交通出行 …: the label of a catalogue vocabulary value, searched as written
    (as words, 有条件开放 would also find 无条件开放 entries)."""
    if not _LABELS:
        _LABELS.update(t.zh for v in vocab.ALL.values() for t in v)
    return part in _LABELS


def _clause(part: str, syn: synonyms.Synonyms) -> str:
    """One space-separated part: itself, or ``(part OR alternative …)`` with its synonyms."""
    if _is_label(part):
        return f'"{_escape(part)}"'
    alternatives, whole_term = syn.variants(part)
    if len(alternatives) == 1:
        return _escape(part)
    if whole_term:  # 社保 -> ("社保" OR "社会保险" OR "社会保障"): each a phrase
        return "(" + " OR ".join(f'"{_escape(a)}"' for a in alternatives) + ")"
    return "(" + " OR ".join(_escape(a) for a in alternatives) + ")"


def platform_query(q: str) -> str:
    """``+(part) +(part) …`` under edismax with ``q.op=OR``, for a plain query."""
    syn = synonyms.current()
    clauses = [_clause(p, syn) for p in q.split()]
    if len(clauses) == 1 and not clauses[0].startswith("("):
        body = clauses[0]
    else:
        body = " ".join(f"+{c}" if c[0] in '("' else f"+({c})" for c in clauses)
    return "{!edismax q.op=OR sow=true}" + body


def search_params(search_params: dict[str, Any]) -> dict[str, Any]:
    """Relevance for Chinese queries (bench/search_quality.py measures it), unless the caller
    chose its own ``qf`` or ``defType``. Browsing (no query) stays CKAN's match-all query."""
    q = (search_params.get("q") or "").strip()
    if q in ("", "*:*", '""', "''"):
        return search_params  # browsing the whole catalogue: no relevance to rank by
    if search_params.get("qf") or search_params.get("defType"):
        return search_params
    search_params["qf"] = tk.config.get("ckanext.govshare.search.qf")
    if is_plain(q) and "edismax" in (tk.config.get(ALLOWED_PARSERS_KEY) or []):
        search_params["defType"] = "lucene"
        search_params["q"] = platform_query(q)
        search_params["mm"] = tk.config.get("ckanext.govshare.search.mm")
    else:
        search_params["defType"] = "edismax"
    return search_params
