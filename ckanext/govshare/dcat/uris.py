# -*- coding: utf-8 -*-
"""The URIs and URLs of the DCAT output, one function each, read from config: the entry's
page on the municipal portal and on this platform, the application page, the URIs of
resource codes and vocabulary concepts (served by ``views.py``), the namespaces of the
govshare terms, and the EU authority tables the output points to. Also the way back, from
a URI to the value it stands for (used when parsing RDF)."""
from __future__ import annotations

import re
from typing import Any, Optional
from urllib.parse import quote, unquote

from rdflib import Namespace, URIRef
from rdflib.namespace import XSD

import ckan.plugins.toolkit as tk
from ckanext.dcat.utils import catalog_uri

from ckanext.govshare import vocab

__all__ = [
    "GOVSHARE", "CSVW", "ELI",
    "site_url", "base_uri",
    "portal_dataset_url", "platform_dataset_url", "application_url",
    "resource_code_uri", "vocabulary_uri", "concept_uri",
    "concept_value", "term_by_uri", "resource_code_of", "dataset_name_of",
]

# Terms of govshare's own (share attributes and catalogue fields DCAT has no property for),
# documented in docs/dcat.md.
GOVSHARE = Namespace("https://github.com/govshare/ckanext-govshare/blob/main/docs/dcat.md#")
CSVW = Namespace("http://www.w3.org/ns/csvw#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")

LANG_ZHO = URIRef("http://publications.europa.eu/resource/authority/language/ZHO")
EU_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"

# Resource formats (CKAN's free ``format`` field, upper-cased) → EU file-type authority code.
# Candidate for vocab.py next to FORMAT_SUBTYPES.
FILE_TYPES = {
    "CSV": "CSV", "TSV": "TSV", "XLS": "XLS", "XLSX": "XLSX", "ODS": "ODS", "JSON": "JSON",
    "GEOJSON": "GEOJSON", "JSON-LD": "JSON_LD", "JSONLD": "JSON_LD", "XML": "XML", "RDF": "RDF",
    "TTL": "RDF_TURTLE", "PDF": "PDF", "DOC": "DOC", "DOCX": "DOCX", "ODT": "ODT", "RTF": "RTF",
    "PPT": "PPT", "PPTX": "PPTX", "HTML": "HTML", "TXT": "TXT", "ZIP": "ZIP", "RAR": "RAR",
    "TAR": "TAR", "GZIP": "GZIP", "7Z": "7Z", "SHP": "SHP", "KML": "KML", "GML": "GML",
    "PNG": "PNG", "JPG": "JPEG", "JPEG": "JPEG", "GIF": "GIF", "SVG": "SVG", "TIFF": "TIFF",
    "MP4": "MPEG4", "MP3": "MP3", "DBF": "DBF", "MDB": "MDB", "SQL": "SQL",
    "WMS": "WMS_SRVC", "OGC WMS": "WMS_SRVC", "WFS": "WFS_SRVC", "OGC WFS": "WFS_SRVC",
}
FILE_TYPE_FORMATS = {code: fmt for fmt, code in reversed(list(FILE_TYPES.items()))}

# 信息项数据类型 → XML Schema datatype (csvw:datatype); the exact type travels as a concept.
ITEM_DATATYPES = {
    "C": XSD.string, "N": XSD.decimal, "Y": XSD.decimal, "D": XSD.date, "T": XSD.dateTime,
    "L": XSD.boolean, "M": XSD.string, "G": XSD.anyAtomicType, "B": XSD.double,
    "I": XSD.integer, "F": XSD.float,
}


def site_url() -> str:
    """``ckan.site_url`` without a trailing slash."""
    return (tk.config.get("ckan.site_url") or "").rstrip("/")


def base_uri() -> str:
    """ckanext-dcat's base URI (``ckanext.dcat.base_uri`` or the site URL)."""
    return catalog_uri().rstrip("/")


def _fill(pattern: str, pkg: dict[str, Any], **extra: str) -> str:
    values = {
        "site_url": site_url(),
        "portal_url": (tk.config.get("ckanext.govshare.portal_url") or "").rstrip("/"),
        "name": quote(str(pkg.get("name") or pkg.get("id") or ""), safe=""),
        "id": quote(str(pkg.get("id") or ""), safe=""),
        "resource_code": quote(str(pkg.get("resource_code") or ""), safe="/"),
        **extra,
    }
    return pattern.format(**values)


def portal_dataset_url(pkg: dict[str, Any]) -> str:
    """The entry's page on the municipal portal: dcat:landingPage (chongqing-2018 §21)."""
    return _fill(tk.config.get("ckanext.govshare.portal_dataset_url_pattern")
                 or "{portal_url}/data/{name}", pkg)


def platform_dataset_url(pkg: dict[str, Any]) -> str:
    """The entry's page on this platform: foaf:page."""
    return _fill("{site_url}/dataset/{name}", pkg)


def application_url(pkg: dict[str, Any], kind: str = "open") -> str:
    """Where to apply for an entry's data: ``open`` (citizens, chongqing-2018 §24) or
    ``share`` (departments, chongqing-2018 §19). The dcat:accessURL of distributions
    whose data is not handed out directly."""
    return _fill(tk.config.get("ckanext.govshare.application_url_pattern")
                 or "{site_url}/dataset/{name}/apply?kind={kind}", pkg, kind=kind)


def resource_code_uri(code: str) -> str:
    """A URI for a resource code (信息资源代码); resolves to the entry with that code."""
    return f"{base_uri()}/govshare/code/{quote(code.strip(), safe='/')}"


def vocabulary_uri(name: str) -> str:
    """A vocabulary of vocab.py as a skos:ConceptScheme (served by /govshare/vocabulary/<name>)."""
    return f"{base_uri()}/govshare/vocabulary/{name}"


def concept_uri(name: str, value: str) -> str:
    """The concept of ``value`` in vocabulary ``name``."""
    return f"{vocabulary_uri(name)}#{quote(value, safe='')}"


_CODE_URI_RE = re.compile(r"/govshare/code/(?P<code>.+)$")
_CONCEPT_RE = re.compile(r"/govshare/vocabulary/(?P<vocab>[a-z_]+)#(?P<value>.+)$")
_DATASET_PAGE_RE = re.compile(r"/dataset/(?P<name>[^/?#]+)/?$")


def concept_value(uri: Any, name: str) -> Optional[str]:
    """The value of vocabulary ``name`` whose concept ``uri`` is (None if it is none)."""
    match = _CONCEPT_RE.search(str(uri)) if isinstance(uri, URIRef) else None
    if match and match.group("vocab") == name:
        value = unquote(match.group("value"))
        return value if value in vocab.get(name) else None
    return None


def term_by_uri(voc: vocab.Vocabulary, uri: Any) -> Optional[vocab.Term]:
    """The term of ``voc`` whose external URI (EU authority …) ``uri`` is."""
    return next((t for t in voc if t.uri and str(uri) == t.uri), None)


def resource_code_of(uri: Any) -> Optional[str]:
    """The resource code a :func:`resource_code_uri` names."""
    match = _CODE_URI_RE.search(str(uri))
    return unquote(match.group("code")) if match else None


def dataset_name_of(url: Any) -> Optional[str]:
    """The entry name in a dataset page URL (``foaf:page``)."""
    match = _DATASET_PAGE_RE.search(str(url))
    return unquote(match.group("name")) if match else None
