# -*- coding: utf-8 -*-
"""Search hooks (called from plugin.py): facets on the catalogue's vocabularies and the
region, shown with their labels; what the index holds beyond CKAN's own fields (vocabulary
labels, the publishing department as its own field, the regions); and the query the platform
sends to Solr (``ckanext/govshare/search/query.py``; docs/search.md explains it)."""
from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any

import ckan.plugins.toolkit as tk


from ckanext.govshare import compat, vocab
from ckanext.govshare.helpers import current_lang
from ckanext.govshare.search import query as _query
from ckanext.govshare.search import regions as _regions

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
    ordered["vocab_region"] = _("Region")
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
    the entries. The publishing department also goes into its own weighted field
    ``department`` (with the title without its place names or level word), and the
    entry's regions (province, city, district: from the 行政区划代码 of the entry or its
    department and from the department's title) into ``vocab_region``, a facet, searched
    through the catch-all text."""
    labels: list[str] = []
    for field, voc in FACET_VOCABULARIES.items():
        term = voc.get(pkg_dict.get(field))
        if term is not None:
            labels += [term.zh, term.en]
    if labels:
        pkg_dict["extras_govshare_labels"] = " ".join(labels)
    data = json.loads(pkg_dict.get("data_dict") or "{}")
    organization = data.get("organization") or {}
    title = organization.get("title") or ""
    if title:
        pkg_dict["extras_govshare_department"] = title
        short = _short_department(title)
        # one field, both names: a list would not index into CKAN's own schema (its catch-all
        # dynamic field is single-valued), and one field keeps the query short
        pkg_dict["department"] = f"{title}，{short}" if short and short != title else title
    codes = [pkg_dict.get("region_code") or data.get("region_code"),
             _department_region_code(organization.get("id"))]
    found = _regions.regions([c for c in codes if c], [title] if title else [])
    if found:
        pkg_dict["vocab_region"] = found  # vocab_*: multi-valued strings in CKAN's schema too
    return pkg_dict


def _short_department(title: str) -> str:
    """上海市住房和城乡建设管理委员会 -> 住房和城乡建设管理委员会, 市民政局 -> 民政局: the title
    without the place names or the level word it starts with (how a citizen of that place
    names the department)."""
    rest = title
    for place in _regions.from_title(title):
        if rest.startswith(place):
            rest = rest[len(place):]
    # 市民政局, 区大数据发展局: the level word alone (a department of "this" city or district)
    if rest == title and len(rest) > 3 and rest[0] in "省市区县州":
        rest = rest[1:]
    return rest


def _department_region_code(org_id: Any) -> str:
    if not org_id:
        return ""
    return compat.group_extras_of([org_id], ["region_code"]).get(org_id, {}).get("region_code", "")


def configure(config: Any) -> None:
    """IConfigurer: let CKAN pass the platform's ``{!edismax …}`` query to Solr (see
    :func:`ckanext.govshare.search.query.search_params`)."""
    _query.allow_edismax(config)


def search_params(search_params: dict[str, Any]) -> dict[str, Any]:
    """before_dataset_search: the platform's query (ckanext/govshare/search/query.py)."""
    return _query.search_params(search_params)
