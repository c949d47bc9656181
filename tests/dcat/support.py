# -*- coding: utf-8 -*-
"""What the DCAT tests share: validation against the official DCAT-AP 3 SHACL shapes
(``tests/shacl/``), entries of every open × share combination with every field filled in,
serialising through ckanext-dcat, and comparing a parsed entry with its original."""
from __future__ import annotations

import functools
import os
from typing import Any, Iterable

import pyshacl
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from ckan.tests import factories, helpers
from ckanext.dcat.processors import RDFParser, RDFSerializer
from ckanext.dcat.utils import dataset_uri

from ckanext.govshare.dcat import catalogue
from tests.factories import LEVEL_EXTRAS, entry

SHAPES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "shacl",
                      "dcat-ap-3-shapes.ttl")
EU_ACCESS = "http://publications.europa.eu/resource/authority/access-right/"
COMBOS = sorted(LEVEL_EXTRAS)


# --- SHACL -----------------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _shapes() -> Graph:
    return Graph().parse(SHAPES, format="turtle")


def shacl_violations(data: Graph | str, fmt: str = "turtle") -> list[str]:
    """Violations of the official DCAT-AP 3 shapes (tests/shacl/)."""
    graph = data if isinstance(data, Graph) else Graph().parse(data=data, format=fmt)
    _conforms, results, _text = pyshacl.validate(graph, shacl_graph=_shapes(), inference="none",
                                                 abort_on_first=False, meta_shacl=False)
    SH = "http://www.w3.org/ns/shacl#"
    out = []
    for result in results.subjects(RDF.type, URIRef(SH + "ValidationResult")):
        if results.value(result, URIRef(SH + "resultSeverity")) != URIRef(SH + "Violation"):
            continue
        out.append(" ".join(str(results.value(result, URIRef(SH + p))) for p in
                            ("focusNode", "resultPath", "value", "resultMessage")))
    return out


# --- data ------------------------------------------------------------------------------------

def rich_extras(tag: str, n: int) -> dict[str, Any]:
    """Every field of the schema, with a unique marker ``tag`` in the data locations."""
    return {
        "name": f"rich-{tag}",
        "title": f"公交线路信息 {tag}",
        "title_en": f"Bus routes {tag}",
        "notes_en": "Ground bus routes with terminal stops and first and last departures.",
        "resource_code": f"203001/{n:06d}",
        "resource_format_subtype": "CSV",
        "data_items": [
            {"item_name": "线路编号", "item_type": "C", "item_length": 20, "item_description": "公交线路唯一编号"},
            {"item_name": "票价", "item_type": "Y", "item_length": 8},
            {"item_name": "首班时间", "item_type": "T"},
        ],
        "share_methods": ["api", "download"],
        "release_date": "2019-06-18",
        "related_codes": "203001/900002, 101001/900001",
        "tag_string": "公交,出行",
        "region_code": "500000",
        "contact_name": "陈晓雯",
        "contact_phone": "023-63881205",
        "contact_email": "jtj-data@example.gov.cn",
        "desensitised": "true",
        "usage_requirements": "使用时须注明数据来源",
        "resources": [
            {"name": "公交线路（CSV）", "description": "全量线路表", "format": "CSV", "access_method": "download",
             "url": f"https://data.example.gov.cn/files/{tag}MARKfile.csv"},
            {"name": "公交线路查询接口", "format": "API", "access_method": "api",
             "url": f"https://api.example.gov.cn/{tag}MARKapi",
             "api_description": "请求参数：lineNo。返回字段：lineName。", "api_call": "GET https://api.example.gov.cn/v1?lineNo=461"},
        ],
    }


def make_entries(org: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    entries = {}
    for n, combo in enumerate(COMBOS, start=1):
        open_type, share_type = combo
        tag = f"{open_type[:4]}{share_type[:4]}"
        entries[combo] = entry(org, open_type=open_type, share_type=share_type,
                               **{**rich_extras(tag, n), **LEVEL_EXTRAS[combo]})
    return entries


def shown(pkg: dict[str, Any]) -> dict[str, Any]:
    """The entry as package_show gives it to a sysadmin (every field, data locations included)."""
    return helpers.call_action("package_show", context={"user": factories.Sysadmin()["name"]}, id=pkg["id"])


def serialize(dicts: Iterable[dict[str, Any]], scope: str = "public",
              profiles: Iterable[str] = ("euro_dcat_ap_3", "govshare"), fmt: str = "ttl") -> str:
    with catalogue.scope(scope):
        return RDFSerializer(profiles=list(profiles)).serialize_catalog({}, list(dicts), _format=fmt)


def graph_of(text: str, fmt: str = "turtle") -> Graph:
    return Graph().parse(data=text, format=fmt)


def dataset_ref(pkg: dict[str, Any]) -> URIRef:
    return URIRef(dataset_uri(pkg))


# --- round trip ---------------------------------------------------------------------------------

SCALARS = ("title", "title_en", "notes", "notes_en", "name", "resource_code", "classification_code",
           "resource_category", "resource_format", "resource_format_subtype", "provider_code", "open_type",
           "open_condition", "open_basis", "update_cycle", "theme", "region_code", "contact_name",
           "contact_phone", "contact_email", "desensitised", "usage_requirements")
SHARE_SCALARS = ("share_type", "share_condition", "share_basis", "share_methods")


def _codes(value: Any) -> set[str]:
    return {c.strip() for c in str(value or "").split(",") if c.strip()}


def equivalent(original: dict[str, Any], parsed: dict[str, Any], share: bool, public_data: bool) -> list[str]:
    """Differences between an entry and what the parser read back from our output."""
    diffs = []
    for key in SCALARS + (SHARE_SCALARS if share else ()):
        if original.get(key) not in (None, "", []) and original.get(key) != parsed.get(key):
            diffs.append(f"{key}: {original.get(key)!r} != {parsed.get(key)!r}")
    if str(original.get("release_date") or "")[:10] != str(parsed.get("release_date") or "")[:10]:
        diffs.append(f"release_date: {original.get('release_date')!r} != {parsed.get('release_date')!r}")
    if _codes(original.get("related_codes")) != _codes(parsed.get("related_codes")):
        diffs.append("related_codes")
    if sorted(t["name"] for t in original.get("tags") or []) != sorted(t["name"] for t in parsed.get("tags") or []):
        diffs.append("tags")
    items = [{k: v for k, v in i.items() if v not in (None, "")} for i in original.get("data_items") or []]
    if items != parsed.get("data_items"):
        diffs.append(f"data_items: {items} != {parsed.get('data_items')}")
    by_name = {r.get("name"): r for r in parsed.get("resources") or []}
    for res in original.get("resources") or []:
        back = by_name.get(res["name"])
        if back is None:
            diffs.append(f"resource {res['name']} missing")
            continue
        for key in ("description", "format", "access_method"):
            if res.get(key) and res.get(key) != back.get(key):
                diffs.append(f"resource {key}: {res.get(key)!r} != {back.get(key)!r}")
        if public_data:
            for key in ("url", "api_description", "api_call"):
                if res.get(key) and res.get(key) != back.get(key):
                    diffs.append(f"resource {key}: {res.get(key)!r} != {back.get(key)!r}")
        elif "MARK" in str(back):
            diffs.append("withheld data location came back")
    return diffs


def parse_all(text: str, profiles: Iterable[str]) -> list[dict[str, Any]]:
    parser = RDFParser(profiles=list(profiles))
    parser.parse(text, _format="turtle")
    return list(parser.datasets())
