# -*- coding: utf-8 -*-
"""DCAT-AP 3 for the government information resource catalogue.

``GovshareDCATAP3Profile`` (entry point ``govshare`` under ``ckan.rdf.profiles``) maps the
catalogue schema onto DCAT-AP 3. It extends ckanext-dcat's ``euro_dcat_ap_3`` profile and
works either after it (``ckanext.dcat.rdf.profiles = euro_dcat_ap_3 govshare``) or alone
(``govshare``): the properties listed in docs/dcat.md are *owned* by this profile — whatever
an earlier profile wrote for them is replaced — everything else (keywords, modification
dates, sizes …) is left to the DCAT-AP 3 profile.

Below the profile: the URLs the output points to (one function each, read from config),
the SKOS form of the vocabularies of ``vocab.py``, and the catalogue pages a harvester
follows (keyset paging, see :func:`catalogue_page`).

Access (``access.py`` decides): the public catalogue is built for an anonymous user, so it
holds only 无条件开放 / 有条件开放 entries with data locations withheld where the public may
not have them; on top of that this profile never gives a download URL for an entry that is
not unconditionally open — its distributions point to the application page instead
(chongqing-2018 §22, §24). The share catalogue (``scope="share"``) is built for a
department user and adds the share attributes (chongqing-2018 §16, §19).
"""
from __future__ import annotations

import base64
import contextlib
import contextvars
import datetime
import json
import re
from typing import Any, Iterator, Optional
from urllib.parse import quote, unquote, urlencode

from dateutil.parser import parse as parse_date
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import FOAF, RDF, RDFS, SKOS, XSD

import ckan.plugins.toolkit as tk
from ckanext.dcat.processors import RDFSerializer
from ckanext.dcat.profiles import DCAT, DCATAP, DCT, SPDX, VCARD, CleanedURIRef
from ckanext.dcat.profiles.euro_dcat_ap_3 import EuropeanDCATAP3Profile
from ckanext.dcat.utils import CONTENT_TYPES, catalog_uri, resource_uri

from ckanext.govshare import vocab
from ckanext.govshare.access import rules as access
from ckanext.govshare.vocab import licences
from ckanext.dcat.profiles.base import namespaces

__all__ = ["GovshareDCATAP3Profile"]

# Terms of govshare's own (share attributes and catalogue fields DCAT has no property for),
# documented in docs/dcat.md.
GOVSHARE = Namespace("https://github.com/govshare/ckanext-govshare/blob/main/docs/dcat.md#")
CSVW = Namespace("http://www.w3.org/ns/csvw#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")

LANG_ZHO = URIRef("http://publications.europa.eu/resource/authority/language/ZHO")
EU_THEME_SCHEME = URIRef(vocab.EU_THEME.rstrip("/"))
EU_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"

# Labels of the EU data themes the vocabulary points to (skos:Concept needs a prefLabel).
EU_THEME_LABELS = {
    "AGRI": "Agriculture, fisheries, forestry and food", "ECON": "Economy and finance",
    "EDUC": "Education, culture and sport", "ENER": "Energy", "ENVI": "Environment",
    "GOVE": "Government and public sector", "HEAL": "Health",
    "INTR": "International issues", "JUST": "Justice, legal system and public safety",
    "REGI": "Regions and cities", "SOCI": "Population and society",
    "TECH": "Science and technology", "TRAN": "Transport",
}

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
_FILE_TYPE_FORMAT = {code: fmt for fmt, code in reversed(list(FILE_TYPES.items()))}

# 信息项数据类型 → XML Schema datatype (csvw:datatype); the exact type travels as a concept.
ITEM_DATATYPES = {
    "C": XSD.string, "N": XSD.decimal, "Y": XSD.decimal, "D": XSD.date, "T": XSD.dateTime,
    "L": XSD.boolean, "M": XSD.string, "G": XSD.anyAtomicType, "B": XSD.double,
    "I": XSD.integer, "F": XSD.float,
}

# What the catalogue says about itself when the site has no description.
DEFAULT_DESCRIPTION = {
    "zh": "政务信息资源开放目录：无条件开放和有条件开放的政务信息资源（重庆市政务信息资源共享开放管理办法第二十二条）。",
    "en": "Open catalogue of government information resources: unconditionally and conditionally open resources.",
}
SHARE_DESCRIPTION = {
    "zh": "政务信息资源共享目录：向政务部门无条件共享和有条件共享的政务信息资源，含共享类型、条件和方式。",
    "en": "Share catalogue of government information resources for government departments, with their share attributes.",
}

# Which catalogue the profile writes: "public" (the open catalogue) or "share" (for a
# department user). Set by :func:`catalogue_page` only; dataset dicts cannot switch it.
_SCOPE: contextvars.ContextVar[str] = contextvars.ContextVar("govshare_dcat_scope", default="public")


@contextlib.contextmanager
def scope(name: str) -> Iterator[None]:
    token = _SCOPE.set(name)
    try:
        yield
    finally:
        _SCOPE.reset(token)


# --- URLs (one place each) ------------------------------------------------------------------

def _site_url() -> str:
    return (tk.config.get("ckan.site_url") or "").rstrip("/")


def _base_uri() -> str:
    return catalog_uri().rstrip("/")


def _fill(pattern: str, pkg: dict[str, Any], **extra: str) -> str:
    values = {
        "site_url": _site_url(),
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
    return f"{_base_uri()}/govshare/code/{quote(code.strip(), safe='/')}"


def vocabulary_uri(name: str) -> str:
    """A vocabulary of vocab.py as a skos:ConceptScheme (served by /govshare/vocabulary/<name>)."""
    return f"{_base_uri()}/govshare/vocabulary/{name}"


def concept_uri(name: str, value: str) -> str:
    return f"{vocabulary_uri(name)}#{quote(value, safe='')}"


_CODE_URI_RE = re.compile(r"/govshare/code/(?P<code>.+)$")
_CONCEPT_RE = re.compile(r"/govshare/vocabulary/(?P<vocab>[a-z_]+)#(?P<value>.+)$")
_DATASET_PAGE_RE = re.compile(r"/dataset/(?P<name>[^/?#]+)/?$")


def _concept_value(uri: Any, name: str) -> Optional[str]:
    match = _CONCEPT_RE.search(str(uri)) if isinstance(uri, URIRef) else None
    if match and match.group("vocab") == name:
        value = unquote(match.group("value"))
        return value if value in vocab.get(name) else None
    return None


def _term_by_uri(voc: vocab.Vocabulary, uri: Any) -> Optional[vocab.Term]:
    return next((t for t in voc if t.uri and str(uri) == t.uri), None)


# --- SKOS form of the vocabularies -----------------------------------------------------------

def add_concept(g: Graph, name: str, value: str) -> Optional[URIRef]:
    """The concept of ``value`` in vocabulary ``name``, described in ``g`` (once)."""
    term = vocab.get(name).get(value)
    if term is None:
        return None
    ref = URIRef(concept_uri(name, value))
    if (ref, RDF.type, SKOS.Concept) not in g:
        voc = vocab.get(name)
        scheme = URIRef(vocabulary_uri(name))
        g.add((ref, RDF.type, SKOS.Concept))
        g.add((ref, SKOS.prefLabel, Literal(term.zh, lang="zh")))
        g.add((ref, SKOS.prefLabel, Literal(term.en, lang="en")))
        g.add((ref, SKOS.notation, Literal(term.value)))
        g.add((ref, SKOS.inScheme, scheme))
        if (scheme, RDF.type, SKOS.ConceptScheme) not in g:
            g.add((scheme, RDF.type, SKOS.ConceptScheme))
            g.add((scheme, DCT.title, Literal(voc.zh, lang="zh")))
            g.add((scheme, DCT.title, Literal(voc.en, lang="en")))
        if term.uri and term.uri.startswith(vocab.EU_THEME):
            g.add((ref, SKOS.broadMatch, add_eu_theme(g, term.uri)))
    return ref


def add_eu_theme(g: Graph, uri: str) -> URIRef:
    ref = URIRef(uri)
    if (ref, RDF.type, SKOS.Concept) not in g:
        g.add((ref, RDF.type, SKOS.Concept))
        g.add((ref, SKOS.prefLabel, Literal(EU_THEME_LABELS.get(uri.rsplit("/", 1)[-1], uri), lang="en")))
        g.add((ref, SKOS.inScheme, EU_THEME_SCHEME))
    return ref


def vocabulary_graph(name: str) -> Graph:
    """One vocabulary as a SKOS concept scheme (KeyError when there is none)."""
    voc = vocab.get(name)
    g = Graph()
    g.bind("skos", SKOS)
    g.bind("dct", DCT)
    for term in voc:
        add_concept(g, name, term.value)
    return g


# --- the profile ---------------------------------------------------------------------------------

def _lit(value: Any, lang: Optional[str] = None) -> Optional[Literal]:
    text = str(value).strip() if value not in (None, "") else ""
    return Literal(text, lang=lang) if text else None


def _licence_value(uri: Any) -> Optional[str]:
    """The licence vocabulary's value whose document is ``uri``."""
    if not uri:
        return None
    return next((t.value for t in vocab.LICENSES if licences.licence_url(t.value) == str(uri)), None)


def _as_list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value if v not in (None, "")]
    if isinstance(value, str) and value.strip():
        if value.startswith("["):
            try:
                return [str(v) for v in json.loads(value)]
            except ValueError:
                pass
        return [v.strip() for v in re.split(r"[,，、;\s]+", value) if v.strip()]
    return []


class GovshareDCATAP3Profile(EuropeanDCATAP3Profile):
    """DCAT-AP 3 with the catalogue schema of the national guide (2017) and the access
    levels of the regulations. See docs/dcat.md for the mapping."""

    # -- helpers -------------------------------------------------------------------------------

    def _drop(self, subject: Any, predicate: Any, keep: tuple[Any, ...] = ()) -> None:
        """Remove ``subject predicate *`` (but ``keep``) and what becomes unreachable through it."""
        for obj in list(self.g.objects(subject, predicate)):
            if obj in keep:
                continue
            self.g.remove((subject, predicate, obj))
            self._drop_orphan(obj)

    def _drop_orphan(self, node: Any) -> None:
        if isinstance(node, Literal) or (None, None, node) in self.g:
            return
        if any(t in (DCAT.Dataset, DCAT.Catalog, DCAT.Distribution) for t in self.g.objects(node, RDF.type)):
            return
        for pred, obj in list(self.g.predicate_objects(node)):
            self.g.remove((node, pred, obj))
            self._drop_orphan(obj)

    def _drop_node(self, node: Any) -> None:
        """Remove what is said about ``node`` (before it is written again)."""
        for pred, obj in list(self.g.predicate_objects(node)):
            self.g.remove((node, pred, obj))
            self._drop_orphan(obj)

    def _set(self, subject: Any, predicate: Any, *objects: Any) -> None:
        self._drop(subject, predicate, keep=objects)
        for obj in objects:
            if obj is not None:
                self.g.add((subject, predicate, obj))

    def _typed(self, ref: Optional[URIRef], cls: URIRef) -> Optional[URIRef]:
        if ref is not None:
            self.g.add((ref, RDF.type, cls))
        return ref

    # -- dataset -------------------------------------------------------------------------------

    def graph_from_dataset(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        if (dataset_ref, RDF.type, DCAT.Dataset) not in self.g:
            # Used alone: the DCAT-AP 3 part first. Our publisher and themes replace the
            # organisation lookup and raw theme values of the base profile.
            base = dict(dataset_dict, publisher=[{}], theme=None)
            super().graph_from_dataset(base, dataset_ref)
        self.g.bind("govshare", GOVSHARE)
        self.g.bind("csvw", CSVW)
        self.g.bind("eli", ELI)
        self._dataset(dataset_dict, dataset_ref)

    def _dataset(self, pkg: dict[str, Any], ref: URIRef) -> None:
        g = self.g
        share = _SCOPE.get() == "share"
        open_type = access.open_type(pkg)

        self._set(ref, DCT.title, _lit(pkg.get("title"), "zh"), _lit(pkg.get("title_en"), "en"))
        self._set(ref, DCT.description, _lit(pkg.get("notes"), "zh"), _lit(pkg.get("notes_en"), "en"))
        if pkg.get("resource_code"):
            self._set(ref, DCT.identifier, Literal(pkg["resource_code"]))
        self._set(ref, DCT.language, self._typed(LANG_ZHO, DCT.LinguisticSystem))
        self._set(ref, DCAT.landingPage, self._typed(URIRef(portal_dataset_url(pkg)), FOAF.Document))
        self._set(ref, FOAF.page, self._typed(URIRef(platform_dataset_url(pkg)), FOAF.Document))
        self._set(ref, DCT.publisher, self._publisher(pkg))
        self._set(ref, DCAT.contactPoint, self._contact(pkg))

        release = str(pkg.get("release_date") or "")[:10]
        if re.match(r"^\d{4}-\d\d-\d\d$", release):
            self._set(ref, DCT.issued, Literal(release, datatype=XSD.date))

        cycle = vocab.UPDATE_CYCLES.get(pkg.get("update_cycle"))
        self._set(ref, DCT.accrualPeriodicity,
                  self._typed(URIRef(cycle.uri), DCT.Frequency) if cycle and cycle.uri else None)
        rights = vocab.OPEN_TYPES.get(open_type)
        self._set(ref, DCT.accessRights, self._typed(URIRef(rights.uri), DCT.RightsStatement) if rights else None)

        theme = vocab.THEMES.get(pkg.get("theme"))
        self._set(ref, DCAT.theme, add_concept(g, "theme", theme.value) if theme else None,
                  add_eu_theme(g, theme.uri) if theme and theme.uri else None)
        self._set(ref, DCT.type, add_concept(g, "resource_category", pkg.get("resource_category") or ""),
                  add_concept(g, "resource_format", pkg.get("resource_format") or ""))
        self._set(ref, GOVSHARE.formatSubtype, _lit(pkg.get("resource_format_subtype")))
        self._set(ref, DCT.relation, *(self._typed(URIRef(resource_code_uri(c)), RDFS.Resource)
                                       for c in _as_list(pkg.get("related_codes"))))
        self._set(ref, DCT.spatial, self._region(pkg.get("region_code")))
        desensitised = pkg.get("desensitised")
        self._set(ref, GOVSHARE.desensitised,
                  Literal(tk.asbool(desensitised)) if desensitised not in (None, "") else None)

        statement = self._rights_statement(pkg, ref)
        self._set(ref, DCT.rights, statement)
        self._set(ref, DCT.license, self._licence(pkg))
        self._set(ref, DCATAP.applicableLegislation, self._legislation(pkg.get("open_basis")))
        schema = self._table_schema(pkg.get("data_items"), ref)

        for key in ("shareType", "shareCondition", "shareBasis", "shareMethod"):
            self._drop(ref, GOVSHARE[key])
        if share:
            self._set(ref, GOVSHARE.shareType, add_concept(g, "share_type", access.share_type(pkg)))
            self._set(ref, GOVSHARE.shareCondition, _lit(pkg.get("share_condition"), "zh"))
            self._set(ref, GOVSHARE.shareBasis, _lit(pkg.get("share_basis"), "zh"))
            self._set(ref, GOVSHARE.shareMethod, *(add_concept(g, "share_method", m)
                                                   for m in _as_list(pkg.get("share_methods"))))

        resources = pkg.get("resources") or []
        # Information items travel on the distributions; without any, on the dataset.
        self._set(ref, DCT.conformsTo, None if resources else schema)
        for res in resources:
            self._distribution(pkg, res, statement, schema, share, open_type)

    def _publisher(self, pkg: dict[str, Any]) -> Optional[Any]:
        org = pkg.get("organization") or {}
        name = org.get("title") or org.get("name")
        if not name:
            return None
        # The department as an agent of its own (not the base profile's organisation URI),
        # one per provider code: an entry may carry a code other than its department's.
        code = str(pkg.get("provider_code") or "").strip()
        suffix = f"agent-{quote(code, safe='')}" if code else "agent"
        agent = URIRef(f"{_base_uri()}/organization/{org.get('id') or org.get('name')}#{suffix}")
        if (agent, RDF.type, FOAF.Agent) not in self.g:
            self.g.add((agent, RDF.type, FOAF.Agent))
            self.g.add((agent, FOAF.name, Literal(name, lang="zh")))
            self.g.add((agent, FOAF.homepage, URIRef(f"{_site_url()}/organization/{org.get('name') or org.get('id')}")))
            if code:
                self.g.add((agent, DCT.identifier, Literal(code)))
        return agent

    def _contact(self, pkg: dict[str, Any]) -> Optional[BNode]:
        name, phone, email = (pkg.get("contact_name"), pkg.get("contact_phone"), pkg.get("contact_email"))
        if not (name or phone or email):
            return None
        node = BNode()
        self.g.add((node, RDF.type, VCARD.Kind))
        if name:
            self.g.add((node, VCARD.fn, Literal(name, lang="zh")))
        if email:
            self.g.add((node, VCARD.hasEmail, URIRef("mailto:" + str(email).replace("mailto:", ""))))
        if phone:
            self.g.add((node, VCARD.hasTelephone, URIRef("tel:" + re.sub(r"\s+", "", str(phone)))))
        return node

    def _region(self, code: Any) -> Optional[BNode]:
        if not code:
            return None
        node = BNode()
        self.g.add((node, RDF.type, DCT.Location))
        self.g.add((node, SKOS.notation, Literal(str(code))))
        self.g.add((node, SKOS.prefLabel, Literal(f"行政区划 {code}", lang="zh")))
        return node

    def _rights_statement(self, pkg: dict[str, Any], ref: URIRef) -> Optional[URIRef]:
        """开放条件 and 使用要求 as one dct:RightsStatement (dataset and its distributions).
        Nodes shared by several subjects get URIs of their own: RDF/XML writers handle
        shared blank nodes badly."""
        condition = _lit(pkg.get("open_condition"), "zh")
        usage = _lit(pkg.get("usage_requirements"), "zh")
        node = URIRef(f"{ref}#rights")
        self._drop_node(node)
        if condition is None and usage is None:
            return None
        self.g.add((node, RDF.type, DCT.RightsStatement))
        label = "；".join(p for p in (
            f"开放条件：{condition}" if condition is not None else "",
            f"使用要求：{usage}" if usage is not None else "") if p)
        self.g.add((node, RDFS.label, Literal(label, lang="zh")))
        if condition is not None:
            self.g.add((node, GOVSHARE.openCondition, condition))
        if usage is not None:
            self.g.add((node, GOVSHARE.usageRequirements, usage))
        return node

    def _licence(self, pkg: dict[str, Any]) -> Optional[URIRef]:
        """开放协议 as a dct:LicenseDocument: the URI of the licence vocabulary's term
        (the platform's usage notes for its own agreement)."""
        term = vocab.LICENSES.get(pkg.get("license_id"))
        url = licences.licence_url(term.value) if term else None
        if not url:
            return None
        node = self._typed(URIRef(url), DCT.LicenseDocument)
        self._set(node, RDFS.label, Literal(term.zh, lang="zh"), Literal(term.en, lang="en"))
        return node

    def _legislation(self, basis: Any) -> Optional[BNode]:
        """开放依据 (the legal basis of the open attribute) as an eli:LegalResource."""
        label = _lit(basis, "zh")
        if label is None:
            return None
        node = BNode()
        self.g.add((node, RDF.type, ELI.LegalResource))
        self.g.add((node, RDFS.label, label))
        return node

    def _table_schema(self, items: Any, ref: URIRef) -> Optional[URIRef]:
        """信息项 as a CSVW table schema (a dct:Standard the distributions conform to)."""
        node = URIRef(f"{ref}#data-items")
        self._drop_node(node)
        if isinstance(items, str):
            try:
                items = json.loads(items)
            except ValueError:
                items = None
        if not isinstance(items, list) or not items:
            return None
        g = self.g
        g.add((node, RDF.type, DCT.Standard))
        g.add((node, RDF.type, CSVW.Schema))
        g.add((node, RDFS.label, Literal("信息项", lang="zh")))
        g.add((node, RDFS.label, Literal("Data items", lang="en")))
        columns = []
        for item in items:
            if not isinstance(item, dict) or not item.get("item_name"):
                continue
            col = BNode()
            g.add((col, CSVW.title, Literal(item["item_name"], lang="zh")))
            code = item.get("item_type")
            if code in ITEM_DATATYPES:
                g.add((col, CSVW.datatype, ITEM_DATATYPES[code]))
                g.add((col, GOVSHARE.dataType, add_concept(g, "data_item_type", code)))
            length = item.get("item_length")
            if length not in (None, ""):
                try:
                    g.add((col, CSVW.maxLength, Literal(int(length), datatype=XSD.nonNegativeInteger)))
                except (TypeError, ValueError):
                    pass
            if item.get("item_description"):
                g.add((col, DCT.description, Literal(item["item_description"], lang="zh")))
            columns.append(col)
        head = BNode()
        Collection(g, head, columns)
        g.add((node, CSVW.column, head))
        return node

    def _format(self, res: dict[str, Any]) -> Optional[Any]:
        fmt = str(res.get("format") or "").strip()
        if not fmt:
            return None
        code = FILE_TYPES.get(fmt.upper())
        if code:
            return self._typed(URIRef(EU_FILE_TYPE + code), DCT.MediaTypeOrExtent)
        node = BNode()  # a format the EU list has no code for (ET, OFD, API …)
        self.g.add((node, RDF.type, DCT.MediaTypeOrExtent))
        self.g.add((node, RDFS.label, Literal(fmt)))
        return node

    def _distribution(self, pkg: dict[str, Any], res: dict[str, Any], statement: Optional[BNode],
                      schema: Optional[BNode], share: bool, open_type: str) -> None:
        g = self.g
        if not res.get("package_id") and pkg.get("id"):
            res = dict(res, package_id=pkg["id"])
        dist = CleanedURIRef(resource_uri(res))
        g.add((dist, RDF.type, DCAT.Distribution))
        self._set(dist, DCT.title, _lit(res.get("name"), "zh"))
        self._set(dist, DCT.description, _lit(res.get("description"), "zh"))
        self._set(dist, DCT["format"], self._format(res))
        mimetype = str(res.get("mimetype") or "")
        self._set(dist, DCAT.mediaType, self._typed(URIRef(IANA_MEDIA_TYPES + mimetype), DCT.MediaType)
                  if re.match(r"^[\w.+-]+/[\w.+-]+$", mimetype) else None)
        if not res.get("hash_algorithm"):
            self._drop(dist, SPDX.checksum)  # a checksum needs its algorithm (DCAT-AP 3)
        self._set(dist, DCT.rights, statement)
        self._set(dist, DCT.license, self._licence(pkg))
        self._set(dist, DCT.conformsTo, schema)
        self._set(dist, GOVSHARE.accessMethod, add_concept(g, "share_method", res.get("access_method") or ""))

        url = str(res.get("url") or "").strip()
        withheld = (not url or bool(pkg.get("govshare_data_withheld") or res.get("govshare_data_withheld"))
                    or (not share and open_type != "unconditional"))
        self._drop(dist, DCAT.accessService)
        if withheld:
            # No download URL: the way to the data is an application (or a login).
            self._set(dist, DCAT.downloadURL)
            self._set(dist, DCAT.accessURL, self._typed(URIRef(self._access_page(pkg, share, open_type)), RDFS.Resource))
            return
        link = self._typed(CleanedURIRef(url), RDFS.Resource)
        self._set(dist, DCAT.accessURL, link)
        direct = res.get("url_type") == "upload" or res.get("access_method") == "download"
        self._set(dist, DCAT.downloadURL, link if direct else None)
        if res.get("access_method") == "api" and (res.get("api_description") or res.get("api_call")):
            service = BNode()
            g.add((service, RDF.type, DCAT.DataService))
            g.add((service, DCT.title, Literal(res.get("name") or pkg.get("title") or url, lang="zh")))
            g.add((service, DCAT.endpointURL, link))
            if res.get("api_description"):
                g.add((service, DCT.description, Literal(res["api_description"], lang="zh")))
            if res.get("api_call"):
                g.add((service, GOVSHARE.apiCall, Literal(res["api_call"], lang="zh")))
            g.add((dist, DCAT.accessService, service))

    def _access_page(self, pkg: dict[str, Any], share: bool, open_type: str) -> str:
        if share or open_type == "closed":
            return application_url(pkg, "share")
        if open_type == "conditional":
            return application_url(pkg, "open")
        return platform_dataset_url(pkg)  # unconditionally open, but downloads need a login

    # -- catalogue --------------------------------------------------------------------------------

    def graph_from_catalog(self, catalog_dict: Optional[dict[str, Any]], catalog_ref: URIRef) -> None:
        g = self.g
        catalog = catalog_dict or {}
        if (catalog_ref, RDF.type, DCAT.Catalog) not in g:

            for prefix, namespace in namespaces.items():
                g.bind(prefix, namespace)
            g.add((catalog_ref, RDF.type, DCAT.Catalog))
        g.bind("govshare", GOVSHARE)
        share = _SCOPE.get() == "share"
        title = catalog.get("title") or tk.config.get("ckan.site_title") or "CKAN"
        self._set(catalog_ref, DCT.title, Literal(title, lang="zh"))
        description = catalog.get("description") or tk.config.get("ckan.site_description")
        texts = SHARE_DESCRIPTION if share else DEFAULT_DESCRIPTION
        self._set(catalog_ref, DCT.description, *(
            [Literal(description, lang="zh")] if description
            else [Literal(texts["zh"], lang="zh"), Literal(texts["en"], lang="en")]))
        portal = (tk.config.get("ckanext.govshare.portal_url") or _site_url()).rstrip("/")
        # the catalogue's home is the municipal portal (chongqing-2018 §21)
        self._set(catalog_ref, FOAF.homepage, self._typed(URIRef(catalog.get("homepage") or portal), FOAF.Document))
        self._set(catalog_ref, DCT.language, self._typed(LANG_ZHO, DCT.LinguisticSystem))
        publisher = URIRef(f"{_base_uri()}#publisher")
        if (publisher, RDF.type, FOAF.Agent) not in g:
            g.add((publisher, RDF.type, FOAF.Agent))
            g.add((publisher, FOAF.name, Literal(
                tk.config.get("ckanext.govshare.catalog_publisher") or title, lang="zh")))
            g.add((publisher, FOAF.homepage, URIRef(_site_url() or portal)))
        self._set(catalog_ref, DCT.publisher, publisher)
        self._drop(catalog_ref, DCT.modified)
        if catalog.get("modified"):
            self._add_date_triple(catalog_ref, DCT.modified, catalog["modified"])
        for scheme, titles in ((EU_THEME_SCHEME, {"en": "Data theme"}),
                               (URIRef(vocabulary_uri("theme")), {"zh": vocab.THEMES.zh, "en": vocab.THEMES.en})):
            g.add((catalog_ref, DCAT.themeTaxonomy, scheme))
            g.add((scheme, RDF.type, SKOS.ConceptScheme))
            for lang, text in titles.items():
                g.add((scheme, DCT.title, Literal(text, lang=lang)))

    # -- parsing ------------------------------------------------------------------------------------

    def _by_lang(self, subject: Any, predicate: Any) -> dict[str, str]:
        out: dict[str, str] = {}
        for obj in self.g.objects(subject, predicate):
            if isinstance(obj, Literal):
                out.setdefault((obj.language or "zh").split("-")[0].lower(), str(obj))
        return out

    def _value(self, subject: Any, predicate: Any) -> Optional[Any]:
        return next(iter(self.g.objects(subject, predicate)), None)

    def parse_dataset(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> dict[str, Any]:
        if "resources" not in dataset_dict:  # used alone: the DCAT-AP 3 part first
            dataset_dict = super().parse_dataset(dataset_dict, dataset_ref)
        g = self.g
        d = dataset_dict
        for key, predicate in (("title", DCT.title), ("notes", DCT.description)):
            texts = self._by_lang(dataset_ref, predicate)
            if texts:
                d[key] = texts.get("zh") or next(iter(texts.values()))
                if texts.get("en"):
                    d[f"{key}_en"] = texts["en"]
        identifier = self._value(dataset_ref, DCT.identifier)
        if identifier is not None:
            d["resource_code"] = str(identifier)
            d["classification_code"] = str(identifier).split("/")[0]
        for page in g.objects(dataset_ref, FOAF.page):
            match = _DATASET_PAGE_RE.search(str(page))
            if match:
                d["name"] = unquote(match.group("name"))
        for obj in g.objects(dataset_ref, DCT.accessRights):
            term = _term_by_uri(vocab.OPEN_TYPES, obj)
            if term:
                d["open_type"] = term.value
        term = _term_by_uri(vocab.UPDATE_CYCLES, self._value(dataset_ref, DCT.accrualPeriodicity))
        if term:
            d["update_cycle"] = term.value
        themes = list(g.objects(dataset_ref, DCAT.theme))
        own = [v for v in (_concept_value(t, "theme") for t in themes) if v]
        eu = [t for t in (_term_by_uri(vocab.THEMES, t) for t in themes) if t]
        if own or eu:
            d["theme"] = own[0] if own else eu[0].value
        for obj in g.objects(dataset_ref, DCT.type):
            for name in ("resource_category", "resource_format"):
                value = _concept_value(obj, name)
                if value:
                    d[name] = value
        subtype = self._value(dataset_ref, GOVSHARE.formatSubtype)
        if subtype is not None:
            d["resource_format_subtype"] = str(subtype)
        issued = self._value(dataset_ref, DCT.issued)
        if isinstance(issued, Literal) and issued.datatype == XSD.date:
            d["release_date"] = str(issued)
        codes = [unquote(m.group("code")) for m in (_CODE_URI_RE.search(str(o)) for o in
                                                    g.objects(dataset_ref, DCT.relation)) if m]
        if codes:
            d["related_codes"] = ", ".join(sorted(codes))
        for place in g.objects(dataset_ref, DCT.spatial):
            notation = self._value(place, SKOS.notation)
            if notation is not None:
                d["region_code"] = str(notation)
        desensitised = self._value(dataset_ref, GOVSHARE.desensitised)
        if desensitised is not None:
            d["desensitised"] = bool(desensitised.toPython()) if isinstance(desensitised, Literal) else False
        for statement in g.objects(dataset_ref, DCT.rights):
            for key, predicate in (("open_condition", GOVSHARE.openCondition),
                                   ("usage_requirements", GOVSHARE.usageRequirements)):
                value = self._value(statement, predicate)
                if value is not None:
                    d[key] = str(value)
        for law in g.objects(dataset_ref, DCATAP.applicableLegislation):
            label = self._value(law, RDFS.label)
            if label is not None:
                d["open_basis"] = str(label)
        publisher = self._value(dataset_ref, DCT.publisher)
        if publisher is not None:
            code = self._value(publisher, DCT.identifier)
            if code is not None:
                d["provider_code"] = str(code)
        contact = self._value(dataset_ref, DCAT.contactPoint)
        if contact is not None:
            for key, predicate, prefix in (("contact_name", VCARD.fn, ""), ("contact_email", VCARD.hasEmail, "mailto:"),
                                           ("contact_phone", VCARD.hasTelephone, "tel:")):
                value = self._value(contact, predicate)
                if value is not None:
                    d[key] = str(value)[len(prefix):] if str(value).startswith(prefix) else str(value)
        share_type = _concept_value(self._value(dataset_ref, GOVSHARE.shareType), "share_type")
        if share_type:
            d["share_type"] = share_type
        for key, predicate in (("share_condition", GOVSHARE.shareCondition), ("share_basis", GOVSHARE.shareBasis)):
            value = self._value(dataset_ref, predicate)
            if value is not None:
                d[key] = str(value)
        methods = [v for v in (_concept_value(m, "share_method") for m in
                               g.objects(dataset_ref, GOVSHARE.shareMethod)) if v]
        if methods:
            d["share_methods"] = [m for m in vocab.SHARE_METHODS.values() if m in methods]

        schemas = list(g.objects(dataset_ref, DCT.conformsTo))
        for res in d.get("resources") or []:
            self._parse_distribution(dataset_ref, res, schemas)
        items = next((self._parse_items(s) for s in schemas if (s, RDF.type, CSVW.Schema) in g), None)
        if items:
            d["data_items"] = items

        # What the base profile read into extras and this profile has mapped onto the schema.
        mapped = {"identifier", "frequency", "access_rights", "theme", "language", "related_resource",
                  "applicable_legislation", "dcat_type", "documentation", "conforms_to", "homepage",
                  "issued", "publisher_identifier", "contact_uri", "contact_name", "contact_email",
                  "spatial_uri", "spatial_text", "alternate_identifier"}
        d["extras"] = [e for e in d.get("extras") or [] if e.get("key") not in mapped]
        for key in ("contact", "publisher", "creator"):
            # lists the scheming part of DCAT-AP 3 reads for schemas with such fields; ours
            # has contact_* and the department (publisher_* extras) instead
            if not self._schema_field(key):
                d.pop(key, None)
        if not d.get("url"):
            d.pop("url", None)
        licence = next((v for v in (_licence_value(o) for o in [
            *g.objects(dataset_ref, DCT.license),
            *(lic for dist in g.objects(dataset_ref, DCAT.distribution) for lic in g.objects(dist, DCT.license))])
            if v), None)
        if licence:
            d["license_id"] = licence
        if not d.get("license_id"):
            d.pop("license_id", None)
        return d

    def _parse_distribution(self, dataset_ref: Any, res: dict[str, Any], schemas: list[Any]) -> None:
        g = self.g
        dist = next((n for n in g.objects(dataset_ref, DCAT.distribution)
                     if str(n) == res.get("distribution_ref")), None)
        if dist is None:
            return
        if str(res.get("mimetype") or "").startswith(IANA_MEDIA_TYPES):
            res["mimetype"] = res["mimetype"][len(IANA_MEDIA_TYPES):]
        fmt = self._value(dist, DCT["format"])
        if isinstance(fmt, URIRef) and str(fmt).startswith(EU_FILE_TYPE):
            code = str(fmt)[len(EU_FILE_TYPE):]
            res["format"] = _FILE_TYPE_FORMAT.get(code, code)
        elif fmt is not None:
            label = self._value(fmt, RDFS.label)
            if label is not None:
                res["format"] = str(label)
        method = _concept_value(self._value(dist, GOVSHARE.accessMethod), "share_method")
        if method:
            res["access_method"] = method
        for service in g.objects(dist, DCAT.accessService):
            description = self._value(service, DCT.description)
            call = self._value(service, GOVSHARE.apiCall)
            if description is not None:
                res["api_description"] = str(description)
            if call is not None:
                res["api_call"] = str(call)
        res.pop("access_services", None)
        schemas.extend(s for s in g.objects(dist, DCT.conformsTo) if s not in schemas)
        for key in ("conforms_to", "rights"):
            res.pop(key, None)
        if _licence_value(res.get("license")):
            res.pop("license")  # the entry's licence (license_id)

    def _parse_items(self, schema: Any) -> list[dict[str, Any]]:
        g = self.g
        head = self._value(schema, CSVW.column)
        items = []
        for col in (Collection(g, head) if head is not None else []):
            item: dict[str, Any] = {"item_name": str(self._value(col, CSVW.title) or "")}
            code = _concept_value(self._value(col, GOVSHARE.dataType), "data_item_type")
            if code is None:
                datatype = self._value(col, CSVW.datatype)
                code = next((c for c, t in ITEM_DATATYPES.items() if t == datatype), None)
            if code:
                item["item_type"] = code
            length = self._value(col, CSVW.maxLength)
            if length is not None:
                item["item_length"] = int(length)
            description = self._value(col, DCT.description)
            if description is not None:
                item["item_description"] = str(description)
            items.append(item)
        return items


# --- catalogue pages ----------------------------------------------------------------------------
#
# Keyset paging: entries in (metadata_created, id) order; a page ends with a cursor naming
# its last entry, and the next page starts after it. An entry added while a harvester
# pages is created later than every entry already paged, so it comes at the end; an entry
# removed does not shift the others, so none is skipped or served twice (offset paging,
# ckanext-dcat's default, does both). ``modified_since`` filters on metadata_modified;
# since an entry keeps its place when modified, it is still served once.

class CatalogueError(ValueError):
    """A request parameter a catalogue page cannot use (HTTP 400)."""


_CURSOR_RE = re.compile(r"^(?P<created>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)\|(?P<id>[A-Za-z0-9_\-]{1,100})$")
RDF_FORMATS = ("ttl", "rdf", "xml", "jsonld")


def encode_cursor(metadata_created: str, package_id: str) -> str:
    """The cursor after an entry: its creation time at Solr's millisecond precision, and id."""
    created = parse_date(metadata_created)
    if created.tzinfo is not None:
        created = created.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    text = f"{created.isoformat(timespec='milliseconds')}Z|{package_id}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(token: str) -> tuple[str, str]:
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        text = ""
    match = _CURSOR_RE.match(text)
    if not match:
        raise CatalogueError(tk._("Invalid cursor: follow the hydra:next link of the previous page"))
    return match.group("created"), match.group("id")


def _solr_time(value: str) -> str:
    try:
        moment = parse_date(value)
    except (ValueError, OverflowError, TypeError):
        raise CatalogueError(tk._("modified_since must be an ISO 8601 date or date and time"))
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return moment.isoformat(timespec="milliseconds") + "Z"


def page_size() -> int:
    return max(1, min(int(tk.config.get("ckanext.dcat.datasets_per_page") or 100), 1000))


def profile_names() -> list[str]:
    """The configured RDF profiles. Since the govshare profile contains DCAT-AP 3, a
    configured ``euro_dcat_ap_3`` before it is not run a second time for catalogue pages
    (same output, one pass fewer)."""
    names = (tk.config.get("ckanext.dcat.rdf.profiles") or "euro_dcat_ap_3").split()
    if "govshare" in names:
        names = [n for n in names if n != "euro_dcat_ap_3"]
    return names


def catalogue_page(fmt: str, *, page_url: str, share: bool = False, user: str = "",
                   after: Optional[str] = None, modified_since: Optional[str] = None,
                   rows: Optional[int] = None) -> str:
    """One page of the public catalogue (anonymous view) or, with ``share``, of the share
    catalogue as ``user`` (a department user) may see it.

    :param page_url: the URL of the page without paging parameters (hydra links build on it)
    :param after: the cursor of the previous page's last entry
    :param modified_since: only entries modified since (ISO 8601)
    :raises CatalogueError: for parameters that cannot be used
    """
    if fmt not in RDF_FORMATS:
        raise CatalogueError(tk._("Unsupported format {fmt}: use ttl, rdf, xml or jsonld").format(fmt=fmt))
    rows = rows or page_size()
    filters = ["+dataset_type:dataset"]
    if share:
        filters.append("+share_type:(unconditional OR conditional)")
    else:
        filters.append("+open_type:(unconditional OR conditional)")
    if modified_since:
        filters.append(f'+metadata_modified:["{_solr_time(modified_since)}" TO *]')
    total_query = " ".join(filters)
    if after:
        created, pkg_id = decode_cursor(after)
        filters.append(f'+(metadata_created:{{"{created}" TO *] OR '
                       f'(+metadata_created:"{created}" +id:{{"{pkg_id}" TO *]))')
    # the public catalogue is what an anonymous user may see, whoever asks
    context = {"user": user if share else ""}
    search = tk.get_action("package_search")
    result = search(dict(context), {"q": "*:*", "fq": " ".join(filters), "rows": rows,
                                    "sort": "metadata_created asc, id asc", "facet": "false"})
    datasets = result["results"]
    head = search(dict(context), {"q": "*:*", "fq": total_query, "rows": 1,
                                  "sort": "metadata_modified desc", "facet": "false",
                                  "fl": "id,metadata_modified"})
    params = {"modified_since": modified_since} if modified_since else {}

    def link(cursor: Optional[str] = None) -> str:
        query = dict(params, **({"after": cursor} if cursor else {}))
        return f"{page_url}?{urlencode(query)}" if query else page_url

    paging: dict[str, Any] = {"count": head["count"], "items_per_page": rows,
                              "current": link(after), "first": link()}
    if datasets and result["count"] > len(datasets):
        paging["next"] = link(encode_cursor(datasets[-1]["metadata_created"], datasets[-1]["id"]))
    modified = head["results"][0]["metadata_modified"] if head["results"] else None
    catalog = {"modified": modified}
    with scope("share" if share else "public"):
        serializer = RDFSerializer(profiles=profile_names())
        return serializer.serialize_catalog(catalog, datasets, _format=fmt, pagination_info=paging)


def content_type(fmt: str) -> str:
    return CONTENT_TYPES.get(fmt, "text/turtle") + "; charset=utf-8"
