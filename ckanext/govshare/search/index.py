# -*- coding: utf-8 -*-
"""Search: facets on the catalogue's vocabularies, shown with their labels, and the
labels indexed so that a search for 有条件开放 or a theme name finds those entries."""
from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.govshare import vocab
from ckanext.govshare.helpers import current_lang

# search index field -> vocabulary whose labels name its values
FACET_VOCABULARIES: dict[str, vocab.Vocabulary] = {
    "open_type": vocab.OPEN_TYPES,
    "share_type": vocab.SHARE_TYPES,
    "theme": vocab.THEMES,
    "update_cycle": vocab.UPDATE_CYCLES,
    "resource_format": vocab.RESOURCE_FORMATS,
    "resource_category": vocab.RESOURCE_CATEGORIES,
    "license_id": vocab.LICENSES,
}


def dataset_facets(facets: "OrderedDict[str, Any]") -> "OrderedDict[str, Any]":
    """The facets of the dataset search page, in the order a citizen looks for them."""
    _ = tk._
    ordered: OrderedDict[str, Any] = OrderedDict()
    ordered["open_type"] = _("Open attribute")
    ordered["share_type"] = _("Share attribute")
    ordered["theme"] = _("Theme")
    ordered["organization"] = _("Department")
    ordered["update_cycle"] = _("Update cycle")
    ordered["resource_format"] = _("Resource format")
    ordered["res_format"] = _("File format")
    ordered["license_id"] = _("Licence")
    ordered["tags"] = _("Keywords")
    return ordered


def label_facets(search_results: dict[str, Any]) -> dict[str, Any]:
    """Give vocabulary facet items their label in the user's language."""
    lang = current_lang()
    for field, facet in (search_results.get("search_facets") or {}).items():
        voc = FACET_VOCABULARIES.get(field)
        if voc is None:
            continue
        for item in facet.get("items", []):
            item["display_name"] = voc.label(item["name"], lang)
    return search_results


def index_labels(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """Add the Chinese and English labels of the entry's vocabulary values, and the
    department's title, to the full-text index (``extras_*`` fields are copied into
    ``text`` and ``text_words`` by the schema), so 有条件开放, a theme name or 交通局 find
    the entries."""
    labels: list[str] = []
    for field, voc in FACET_VOCABULARIES.items():
        term = voc.get(pkg_dict.get(field))
        if term is not None:
            labels += [term.zh, term.en]
    if labels:
        pkg_dict["extras_govshare_labels"] = " ".join(labels)
    organization = (json.loads(pkg_dict.get("data_dict") or "{}").get("organization") or {})
    if organization.get("title"):
        pkg_dict["extras_govshare_department"] = organization["title"]
    return pkg_dict


def search_params(search_params: dict[str, Any]) -> dict[str, Any]:
    """Relevance for Chinese queries (bench/search_quality.py measures it): edismax over
    the exact title and resource code first, then the segmented text — unless the caller
    chose its own ``qf`` or ``defType``. Browsing (no query) stays CKAN's match-all query."""
    q = (search_params.get("q") or "").strip()
    if q in ("", "*:*"):
        return search_params  # browsing the whole catalogue: no relevance to rank by
    if not search_params.get("qf") and not search_params.get("defType"):
        search_params["defType"] = "edismax"
        search_params["qf"] = tk.config.get("ckanext.govshare.search.qf")
    return search_params
