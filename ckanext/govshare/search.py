# -*- coding: utf-8 -*-
"""Search: facets on the catalogue's vocabularies, shown with their labels, and the
labels indexed so that a search for 有条件开放 or a theme name finds those entries."""
from __future__ import annotations

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
    """Add the Chinese and English labels of the entry's vocabulary values to the
    full-text index (``extras_*`` fields are copied into ``text`` by CKAN's schema)."""
    labels: list[str] = []
    for field, voc in FACET_VOCABULARIES.items():
        term = voc.get(pkg_dict.get(field))
        if term is not None:
            labels += [term.zh, term.en]
    if labels:
        pkg_dict["extras_govshare_labels"] = " ".join(labels)
    return pkg_dict
