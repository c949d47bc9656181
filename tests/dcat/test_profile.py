# -*- coding: utf-8 -*-
"""The govshare DCAT-AP 3 profile (ckanext/govshare/dcat/profile.py).

- valid DCAT-AP 3: pySHACL against the official shapes in tests/shacl/, zero
  violations, for entries of every allowed open × share combination (LEVEL_EXTRAS);
- the mapping of the catalogue schema: 开放类型 → dct:accessRights (EU access rights),
  conditions → dct:rights, basis → dcatap:applicableLegislation, 信息资源代码 →
  dct:identifier, 提供方 + 提供方代码 → dct:publisher, 更新周期 → EU frequency, 主题 →
  dcat:theme, language, 信息项 on the distributions, 关联资源代码 → dct:relation, landing
  pages on the municipal portal (chongqing-2018 §21);
- conditional distributions carry no download URL, their access URL is the application page
  (chongqing-2018 §22, §24);
- round trip: ckanext-dcat's RDFParser reads the output back into an equivalent dataset dict.
"""
from __future__ import annotations

import pytest
from rdflib import Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import FOAF, RDF, RDFS, SKOS, XSD

from ckan.tests import factories, helpers
from ckanext.dcat.profiles import DCAT, DCATAP, DCT

from ckanext.govshare import vocab
from ckanext.govshare.dcat import skos
from ckanext.govshare.dcat.uris import CSVW, ELI, GOVSHARE, application_url, concept_uri, resource_code_uri
from tests.dcat.support import (
    EU_ACCESS, dataset_ref, equivalent, graph_of, make_entries, parse_all, serialize, shacl_violations, shown)


# --- tests -----------------------------------------------------------------------------------

@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
class TestProfile:

    def test_shacl_every_level(self, org):
        """Zero DCAT-AP 3 violations for entries of every open × share combination, in the
        public and in the share catalogue, whether the profile runs after euro_dcat_ap_3 or alone."""
        dicts = [shown(p) for p in make_entries(org).values()]
        for scope in ("public", "share"):
            for profile_list in (("euro_dcat_ap_3", "govshare"), ("govshare",)):
                for fmt, rdflib_fmt in (("ttl", "turtle"), ("xml", "xml"), ("jsonld", "json-ld")):
                    text = serialize(dicts, scope, profile_list, fmt)
                    assert shacl_violations(text, rdflib_fmt) == [], (scope, profile_list, fmt)

    def test_default_profile_is_not_valid_on_our_data(self, org):
        """Why the profile exists: ckanext-dcat's plain DCAT-AP 3 output of the same entries
        breaks the shapes (format literals, relative theme URIs, literal language …)."""
        dicts = [shown(p) for p in make_entries(org).values()]
        assert shacl_violations(serialize(dicts, profiles=("euro_dcat_ap_3",)))

    def test_chained_and_alone_give_the_same_graph(self, org):
        dicts = [shown(p) for p in make_entries(org).values()]
        for scope in ("public", "share"):
            chained = graph_of(serialize(dicts, scope, ("euro_dcat_ap_3", "govshare")))
            alone = graph_of(serialize(dicts, scope, ("govshare",)))
            assert isomorphic(chained, alone), scope

    def test_mapping(self, org, ckan_config):
        entries = make_entries(org)
        pkg = shown(entries[("unconditional", "unconditional")])
        g = graph_of(serialize([pkg]))
        ref = dataset_ref(pkg)
        assert (ref, DCT.accessRights, URIRef(EU_ACCESS + "PUBLIC")) in g
        assert set(g.objects(ref, DCT.identifier)) == {Literal(pkg["resource_code"])}
        assert set(g.objects(ref, DCT.title)) == {Literal(pkg["title"], lang="zh"), Literal(pkg["title_en"], lang="en")}
        assert Literal(pkg["notes"], lang="zh") in set(g.objects(ref, DCT.description))
        assert (ref, DCT.language, URIRef("http://publications.europa.eu/resource/authority/language/ZHO")) in g
        assert (ref, DCT.accrualPeriodicity, URIRef(vocab.UPDATE_CYCLES.get("monthly").uri)) in g
        themes = set(g.objects(ref, DCAT.theme))
        assert URIRef(vocab.THEMES.get("transport").uri) in themes
        assert URIRef(concept_uri("theme", "transport")) in themes
        # 提供方 + 提供方代码
        publisher = g.value(ref, DCT.publisher)
        assert (publisher, FOAF.name, Literal("市交通局", lang="zh")) in g
        assert (publisher, DCT.identifier, Literal("11500000MB1526731E")) in g
        # 关联资源代码
        assert set(g.objects(ref, DCT.relation)) == {URIRef(resource_code_uri("203001/900002")),
                                                     URIRef(resource_code_uri("101001/900001"))}
        # release date, contact
        assert (ref, DCT.issued, Literal("2019-06-18", datatype=XSD.date)) in g
        contact = g.value(ref, DCAT.contactPoint)
        assert (contact, URIRef("http://www.w3.org/2006/vcard/ns#hasTelephone"), URIRef("tel:023-63881205")) in g
        # landing page on the municipal portal, the platform page as foaf:page (chongqing-2018 §21)
        assert (ref, DCAT.landingPage, URIRef(f"https://www.cq.gov.cn/data/{pkg['name']}")) in g
        assert (ref, FOAF.page, URIRef(f"http://test.ckan.net/dataset/{pkg['name']}")) in g
        # 信息项 on every distribution, as a CSVW table schema
        for dist in g.objects(ref, DCAT.distribution):
            schema = g.value(dist, DCT.conformsTo)
            assert (schema, RDF.type, CSVW.Schema) in g and (schema, RDF.type, DCT.Standard) in g
        # unconditional: the file is downloadable, the API is a data service
        urls = {str(o) for o in g.objects(None, DCAT.downloadURL)}
        assert any("MARKfile" in u for u in urls) and not any("MARKapi" in u for u in urls)
        assert any(g.objects(None, DCAT.accessService))
        # the catalogue's homepage is the municipal portal (chongqing-2018 §21)
        catalog = g.value(None, RDF.type, DCAT.Catalog, any=True) or next(g.subjects(RDF.type, DCAT.Catalog))
        assert (catalog, FOAF.homepage, URIRef("https://www.cq.gov.cn")) in g

        ckan_config["ckanext.govshare.portal_dataset_url_pattern"] = "{portal_url}/opendata/{resource_code}"
        g = graph_of(serialize([pkg]))
        assert (ref, DCAT.landingPage, URIRef(f"https://www.cq.gov.cn/opendata/{pkg['resource_code']}")) in g

    def test_levels_and_conditions(self, org):
        """开放类型 → EU access rights; 开放条件 → dct:rights; 开放依据 → applicable legislation;
        conditional data only on application (chongqing-2018 §22, §24)."""
        entries = make_entries(org)
        expected = {"unconditional": "PUBLIC", "conditional": "RESTRICTED", "closed": "NON_PUBLIC"}
        for combo, created in entries.items():
            pkg = shown(created)
            g = graph_of(serialize([pkg]))
            ref = dataset_ref(pkg)
            assert set(g.objects(ref, DCT.accessRights)) == {URIRef(EU_ACCESS + expected[combo[0]])}, combo
            statements = list(g.objects(ref, DCT.rights))
            if pkg.get("open_condition"):
                assert (statements[0], GOVSHARE.openCondition, Literal(pkg["open_condition"], lang="zh")) in g
                assert pkg["open_condition"] in str(g.value(statements[0], RDFS.label))
            if pkg.get("open_basis"):
                law = g.value(ref, DCATAP.applicableLegislation)
                assert (law, RDF.type, ELI.LegalResource) in g
                assert (law, RDFS.label, Literal(pkg["open_basis"], lang="zh")) in g
            text = g.serialize(format="turtle")
            if combo[0] != "unconditional":
                # the public profile never hands out the data locations of such an entry
                assert "MARK" not in text, combo
                assert not list(g.objects(None, DCAT.downloadURL)), combo
                kind = "open" if combo[0] == "conditional" else "share"
                for dist in g.objects(ref, DCAT.distribution):
                    assert set(g.objects(dist, DCAT.accessURL)) == {URIRef(application_url(pkg, kind))}, combo
            # share attributes only in the share catalogue
            assert GOVSHARE.shareType not in set(g.predicates(ref, None))
            shared = graph_of(serialize([pkg], "share"))
            assert (ref, GOVSHARE.shareType, URIRef(concept_uri("share_type", combo[1]))) in shared

    def test_withheld_dicts_give_application_pages(self, org):
        """What the public catalogue feeds the profile: package_show as an anonymous user."""
        pkg = make_entries(org)[("conditional", "unconditional")]
        anonymous = helpers.call_action("package_show", context={"user": ""}, id=pkg["id"])
        assert anonymous["resources"][0]["url"] == ""
        g = graph_of(serialize([anonymous]))
        assert "MARK" not in g.serialize(format="turtle")
        assert shacl_violations(g) == []
        accesses = {str(o) for o in g.objects(None, DCAT.accessURL)}
        assert accesses == {application_url(anonymous, "open")}

    def test_vocabulary_graph_is_skos(self):
        g = skos.vocabulary_graph("theme")
        transport = URIRef(concept_uri("theme", "transport"))
        assert (transport, SKOS.prefLabel, Literal("交通出行", lang="zh")) in g
        assert (transport, SKOS.broadMatch, URIRef(vocab.THEMES.get("transport").uri)) in g
        assert len(set(g.subjects(RDF.type, SKOS.Concept))) == len(vocab.THEMES.terms) + len(
            {t.uri for t in vocab.THEMES})


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
@pytest.mark.parametrize("profile_list", [("euro_dcat_ap_3", "govshare"), ("govshare",)])
def test_round_trip(org, profile_list):
    """ckanext-dcat's RDFParser reads our output back into an equivalent dataset dict."""
    originals = {p["id"]: shown(p) for p in make_entries(org).values()}
    for scope in ("share", "public"):
        text = serialize(originals.values(), scope, profile_list)
        parsed = parse_all(text, profile_list)
        assert len(parsed) == len(originals)
        for back in parsed:
            uri = next(e["value"] for e in back["extras"] if e["key"] == "uri")
            original = originals[uri.rsplit("/", 1)[-1]]
            public_data = scope == "share" or original["open_type"] == "unconditional"
            diffs = equivalent(original, back, scope == "share", public_data)
            assert not diffs, (scope, original["name"], diffs)
            if not public_data:
                kind = "open" if original["open_type"] == "conditional" else "share"
                assert {r["url"] for r in back["resources"]} == {application_url(original, kind)}
        # what ckanext-dcat's own keys hold after our profile: no leftovers it mapped
        keys = {e["key"] for b in parsed for e in b["extras"]}
        assert not keys & {"identifier", "frequency", "access_rights", "theme", "conforms_to"}, keys


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_round_trip_creates_the_entry_again(org):
    """The parsed dict is a valid catalogue entry: package_create accepts it (on another
    govshare site a harvester would do this), with the same mapped fields."""
    original = shown(make_entries(org)[("unconditional", "unconditional")])
    parsed = parse_all(serialize([original], "share"), ("euro_dcat_ap_3", "govshare"))[0]
    helpers.call_action("package_delete", context={"user": factories.Sysadmin()["name"]}, id=original["id"])
    helpers.call_action("dataset_purge", context={"user": factories.Sysadmin()["name"]}, id=original["id"])
    parsed["owner_org"] = org["id"]
    for res in parsed["resources"]:
        for key in ("uri", "distribution_ref", "access_url", "download_url"):
            res.pop(key, None)
    parsed["extras"] = []
    created = helpers.call_action("package_create", context={"user": factories.Sysadmin()["name"]}, **parsed)
    assert not equivalent(original, created, share=True, public_data=True)
