# -*- coding: utf-8 -*-
"""DCAT-AP 3 for the government information resource catalogue.

``GovshareDCATAP3Profile`` (entry point ``govshare`` under ``ckan.rdf.profiles``) maps the
catalogue schema onto DCAT-AP 3. It extends ckanext-dcat's ``euro_dcat_ap_3`` profile and
works either after it (``ckanext.dcat.rdf.profiles = euro_dcat_ap_3 govshare``) or alone
(``govshare``): the properties listed in docs/dcat.md are *owned* by this profile — whatever
an earlier profile wrote for them is replaced — everything else (keywords, modification
dates, sizes …) is left to the DCAT-AP 3 profile.

Beside the profile: the URIs and URLs the output points to (``uris.py``), the SKOS form of
the vocabularies (``skos.py``), the catalogue pages a harvester follows and the public/share
switch (``catalogue.py``), and the web routes (``views.py``).

Access (``access/rules.py`` decides): the public catalogue is built for an anonymous user, so it
holds only 无条件开放 / 有条件开放 entries with data locations withheld where the public may
not have them; on top of that this profile never gives a download URL for an entry that is
not unconditionally open — its distributions point to the application page instead
(chongqing-2018 §22, §24). The share catalogue (``catalogue.scope("share")``) is built for a
department user and adds the share attributes (chongqing-2018 §16, §19).
"""
from __future__ import annotations

import json
import re
from typing import Any, Optional
from urllib.parse import quote

from rdflib import BNode, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import FOAF, RDF, RDFS, SKOS, XSD

import ckan.plugins.toolkit as tk
from ckanext.dcat.profiles import DCAT, DCATAP, DCT, SPDX, VCARD, CleanedURIRef
from ckanext.dcat.profiles.base import namespaces
from ckanext.dcat.profiles.euro_dcat_ap_3 import EuropeanDCATAP3Profile
from ckanext.dcat.utils import resource_uri

from ckanext.govshare import vocab
from ckanext.govshare.access import rules as access
from ckanext.govshare.dcat import catalogue
from ckanext.govshare.dcat.skos import EU_THEME_SCHEME, add_concept, add_eu_theme
from ckanext.govshare.dcat.uris import (
    FILE_TYPE_FORMATS, CSVW, ELI, EU_FILE_TYPE, FILE_TYPES, GOVSHARE, IANA_MEDIA_TYPES, ITEM_DATATYPES,
    LANG_ZHO, application_url, base_uri, concept_value, dataset_name_of, platform_dataset_url,
    portal_dataset_url, resource_code_of, resource_code_uri, site_url, term_by_uri, vocabulary_uri)
from ckanext.govshare.vocab import licences

__all__ = ["GovshareDCATAP3Profile"]


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
        share = catalogue.is_share()
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
        agent = URIRef(f"{base_uri()}/organization/{org.get('id') or org.get('name')}#{suffix}")
        if (agent, RDF.type, FOAF.Agent) not in self.g:
            self.g.add((agent, RDF.type, FOAF.Agent))
            self.g.add((agent, FOAF.name, Literal(name, lang="zh")))
            self.g.add((agent, FOAF.homepage, URIRef(f"{site_url()}/organization/{org.get('name') or org.get('id')}")))
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

    def _distribution(self, pkg: dict[str, Any], res: dict[str, Any], statement: Optional[URIRef],
                      schema: Optional[URIRef], share: bool, open_type: str) -> None:
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
        share = catalogue.is_share()
        title = catalog.get("title") or tk.config.get("ckan.site_title") or "CKAN"
        self._set(catalog_ref, DCT.title, Literal(title, lang="zh"))
        description = catalog.get("description") or tk.config.get("ckan.site_description")
        texts = catalogue.SHARE_DESCRIPTION if share else catalogue.DEFAULT_DESCRIPTION
        self._set(catalog_ref, DCT.description, *(
            [Literal(description, lang="zh")] if description
            else [Literal(texts["zh"], lang="zh"), Literal(texts["en"], lang="en")]))
        portal = (tk.config.get("ckanext.govshare.portal_url") or site_url()).rstrip("/")
        # the catalogue's home is the municipal portal (chongqing-2018 §21)
        self._set(catalog_ref, FOAF.homepage, self._typed(URIRef(catalog.get("homepage") or portal), FOAF.Document))
        self._set(catalog_ref, DCT.language, self._typed(LANG_ZHO, DCT.LinguisticSystem))
        publisher = URIRef(f"{base_uri()}#publisher")
        if (publisher, RDF.type, FOAF.Agent) not in g:
            g.add((publisher, RDF.type, FOAF.Agent))
            g.add((publisher, FOAF.name, Literal(
                tk.config.get("ckanext.govshare.catalog_publisher") or title, lang="zh")))
            g.add((publisher, FOAF.homepage, URIRef(site_url() or portal)))
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
            name = dataset_name_of(page)
            if name:
                d["name"] = name
        for obj in g.objects(dataset_ref, DCT.accessRights):
            term = term_by_uri(vocab.OPEN_TYPES, obj)
            if term:
                d["open_type"] = term.value
        term = term_by_uri(vocab.UPDATE_CYCLES, self._value(dataset_ref, DCT.accrualPeriodicity))
        if term:
            d["update_cycle"] = term.value
        themes = list(g.objects(dataset_ref, DCAT.theme))
        own = [v for v in (concept_value(t, "theme") for t in themes) if v]
        eu = [t for t in (term_by_uri(vocab.THEMES, t) for t in themes) if t]
        if own or eu:
            d["theme"] = own[0] if own else eu[0].value
        for obj in g.objects(dataset_ref, DCT.type):
            for name in ("resource_category", "resource_format"):
                value = concept_value(obj, name)
                if value:
                    d[name] = value
        subtype = self._value(dataset_ref, GOVSHARE.formatSubtype)
        if subtype is not None:
            d["resource_format_subtype"] = str(subtype)
        issued = self._value(dataset_ref, DCT.issued)
        if isinstance(issued, Literal) and issued.datatype == XSD.date:
            d["release_date"] = str(issued)
        codes = [c for c in (resource_code_of(o) for o in g.objects(dataset_ref, DCT.relation)) if c]
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
        share_type = concept_value(self._value(dataset_ref, GOVSHARE.shareType), "share_type")
        if share_type:
            d["share_type"] = share_type
        for key, predicate in (("share_condition", GOVSHARE.shareCondition), ("share_basis", GOVSHARE.shareBasis)):
            value = self._value(dataset_ref, predicate)
            if value is not None:
                d[key] = str(value)
        methods = [v for v in (concept_value(m, "share_method") for m in
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
            res["format"] = FILE_TYPE_FORMATS.get(code, code)
        elif fmt is not None:
            label = self._value(fmt, RDFS.label)
            if label is not None:
                res["format"] = str(label)
        method = concept_value(self._value(dist, GOVSHARE.accessMethod), "share_method")
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
            code = concept_value(self._value(col, GOVSHARE.dataType), "data_item_type")
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

