# -*- coding: utf-8 -*-
"""The DCAT endpoints: the public catalogue /catalog.{ttl,rdf,xml,jsonld} with keyset
paging and modified_since, per-dataset RDF, content negotiation, the share catalogue for
department users, and the URIs the RDF uses.

- 不予开放 entries are not published to the public (chongqing-2018 §22 ¶2, chongqing-2019
  §32): their titles never appear in the public catalogue; the data locations of entries
  that are not unconditionally open never do either (chongqing-2018 §24). Every data URL
  carries a unique marker and every serialisation is searched for it.
- The share catalogue lists what departments may use or apply for (chongqing-2018 §16, §19):
  department users only — 401 anonymous, 403 for users in no department.
- A harvester following hydra:next with ckanext-dcat's RDFParser gets every public entry
  exactly once, also while entries are added and removed between its requests.
- Entries point to the municipal portal (chongqing-2018 §21).
"""
from __future__ import annotations

import datetime
import time
from typing import Any

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from ckan.tests import factories, helpers
from ckanext.dcat.processors import RDFParser
from ckanext.dcat.profiles import DCAT, DCT

from ckanext.govshare.dcat import catalogue
from ckanext.govshare.dcat import views as dcat_views
from ckanext.govshare.dcat.uris import GOVSHARE, application_url, concept_uri
from tests.dcat.support import COMBOS, make_entries, shacl_violations
from tests.factories import department, entry

FORMATS = {"ttl": "turtle", "rdf": "xml", "xml": "xml", "jsonld": "json-ld"}
SITE = "http://test.ckan.net"
HYDRA = "http://www.w3.org/ns/hydra/core#"


def _path(url: str) -> str:
    return url[len(SITE):] if url.startswith(SITE) else url


def _tag(combo: tuple[str, str]) -> str:
    return f"{combo[0][:4]}{combo[1][:4]}"


class World:
    """A providing department with one rich entry per open × share combination, a
    department with a share grant, another without, a citizen with open grants."""

    def __init__(self) -> None:
        self.admin = factories.Sysadmin()
        self.citizen = factories.User(name="citizen-user")
        self.other_clerk = factories.User(name="other-clerk")
        self.granted_clerk = factories.User(name="granted-clerk")
        self.provider = department(name="cq-jtj", title="市交通局", provider_code="11500000MB1526731E")
        department(name="other-dept", users=[{"name": "other-clerk", "capacity": "member"}])
        self.granted = department(name="granted-dept", users=[{"name": "granted-clerk", "capacity": "member"}])
        self.entries = make_entries(self.provider)
        admin = {"user": self.admin["name"]}
        for combo, pkg in self.entries.items():
            if combo[0] == "conditional":
                helpers.call_action("govshare_grant_create", context=dict(admin), package_id=pkg["id"],
                                    kind="open", user_id=self.citizen["id"])
            if combo[1] == "conditional":
                helpers.call_action("govshare_grant_create", context=dict(admin), package_id=pkg["id"],
                                    kind="share", organization_id=self.granted["id"])
        self.tokens = {u["name"]: factories.APIToken(user=u["id"])["token"]
                       for u in (self.admin, self.citizen, self.other_clerk, self.granted_clerk)}

    def headers(self, user: dict[str, Any] | None) -> dict[str, str]:
        return {"Authorization": self.tokens[user["name"]]} if user else {}


@pytest.fixture
def world():
    return World()


def _public_problems(body: str, where: str) -> list[str]:
    problems = []
    for combo in COMBOS:
        if combo[0] == "closed" and f"公交线路信息 {_tag(combo)}" in body:
            problems.append(f"{where}: the 不予开放 entry {combo} is in the public catalogue")
        if combo[0] != "unconditional" and f"{_tag(combo)}MARK" in body:
            problems.append(f"{where}: a data location of {combo} is in the public catalogue")
    return problems


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
class TestPublicCatalogue:

    def test_every_format_valid_and_without_closed_entries_or_withheld_urls(self, app, world):
        """chongqing-2018 §22 ¶2 (no 不予开放 entries), §24 (conditional data on application)."""
        problems: list[str] = []
        for user in (None, world.citizen, world.other_clerk, world.admin):
            for fmt, rdflib_fmt in FORMATS.items():
                resp = app.get(f"/catalog.{fmt}", headers=world.headers(user))
                assert resp.status_code == 200
                assert resp.headers["Content-Type"].startswith(
                    {"ttl": "text/turtle", "jsonld": "application/ld+json"}.get(fmt, "application/rdf+xml"))
                body = resp.get_data(as_text=True)
                problems += _public_problems(body, f"/catalog.{fmt} as {user and user['name']}")
                g = Graph().parse(data=body, format=rdflib_fmt)
                titles = {str(t) for t in g.objects(None, DCT.title)}
                for combo in COMBOS:
                    listed = f"公交线路信息 {_tag(combo)}" in titles
                    assert listed == (combo[0] != "closed"), (fmt, combo)
                if user is None:
                    assert shacl_violations(g) == [], fmt
        assert not problems, "\n".join(problems)

    def test_entry_rdf_and_content_negotiation(self, app, world):
        for combo, pkg in world.entries.items():
            for url, headers in ((f"/dataset/{pkg['name']}.ttl", {}),
                                 (f"/dataset/{pkg['name']}", {"Accept": "text/turtle"})):
                resp = app.get(url, headers=headers, status=None)
                if combo[0] == "closed":
                    assert resp.status_code == 404, (url, combo)
                    continue
                assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/turtle"), url
                body = resp.get_data(as_text=True)
                assert not _public_problems(body, url)
                g = Graph().parse(data=body, format="turtle")
                assert shacl_violations(g) == [], url
                # the landing page is the entry's page on the municipal portal (chongqing-2018 §21)
                assert URIRef(f"https://www.cq.gov.cn/data/{pkg['name']}") in set(g.objects(None, DCAT.landingPage))
        html = app.get(f"/dataset/{world.entries[('unconditional', 'unconditional')]['name']}",
                       headers={"Accept": "text/html"})
        assert html.headers["Content-Type"].startswith("text/html")
        assert "Accept" in html.headers.get("Vary", "")
        home = app.get("/", headers={"Accept": "text/turtle"})
        assert home.headers["Content-Type"].startswith("text/turtle")
        g = Graph().parse(data=home.get_data(as_text=True), format="turtle")
        assert len(set(g.subjects(RDF.type, DCAT.Dataset))) == sum(c[0] != "closed" for c in COMBOS)

    def test_grant_holder_gets_the_public_view_in_the_catalogue(self, app, world):
        """The public catalogue is the same for everyone; a grant opens the data on the
        entry's own pages, not in the catalogue harvesters copy."""
        body = app.get("/catalog.ttl", headers=world.headers(world.citizen)).get_data(as_text=True)
        assert "condunco" in body and "conduncoMARK" not in body

    def test_bad_parameters(self, app, world):
        assert app.get("/catalog.ttl?after=nonsense", status=400)
        assert app.get("/catalog.ttl?page=2", status=400)
        assert app.get("/catalog.ttl?modified_since=yesterday-ish", status=400)
        assert app.get("/catalog.ttl?page=1", status=200)
        assert app.get("/catalog.n4", status=400)


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
class TestShareCatalogue:

    def test_requires_a_department_login(self, app, world):
        """The share catalogue is for government departments (chongqing-2018 §16, §19)."""
        resp = app.get("/share-catalog.ttl", status=401)
        assert "WWW-Authenticate" in resp.headers
        assert "clos" not in resp.get_data(as_text=True)
        assert app.get("/share-catalog.ttl", headers=world.headers(world.citizen), status=403)
        for user in (world.other_clerk, world.granted_clerk, world.admin):
            assert app.get("/share-catalog.ttl", headers=world.headers(user), status=200)

    def test_lists_shared_entries_with_their_share_attributes(self, app, world):
        for user in (world.other_clerk, world.granted_clerk):
            for fmt, rdflib_fmt in FORMATS.items():
                resp = app.get(f"/share-catalog.{fmt}", headers=world.headers(user))
                assert resp.headers["Cache-Control"].startswith("private")
                g = Graph().parse(data=resp.get_data(as_text=True), format=rdflib_fmt)
                assert shacl_violations(g) == [], (user["name"], fmt)
                by_title = {str(t): s for s, t in g.subject_objects(DCT.title) if (s, RDF.type, DCAT.Dataset) in g}
                for combo in COMBOS:
                    ref = by_title.get(f"公交线路信息 {_tag(combo)}")
                    # every shared entry, including the 不予开放 ones; none that is not shared
                    assert (ref is not None) == (combo[1] != "none"), (user["name"], combo)
                    if ref is None:
                        continue
                    assert (ref, GOVSHARE.shareType, URIRef(concept_uri("share_type", combo[1]))) in g
                    if combo[1] == "conditional":
                        assert g.value(ref, GOVSHARE.shareCondition) is not None
                        assert g.value(ref, GOVSHARE.shareBasis) is not None
                    assert set(g.objects(ref, GOVSHARE.shareMethod)) == {
                        URIRef(concept_uri("share_method", m)) for m in ("api", "download")}
                body = resp.get_data(as_text=True)
                for combo in COMBOS:
                    # data: 无条件共享 for every department, 有条件共享 for the granted one
                    has_data = combo[1] == "unconditional" or (
                        combo[1] == "conditional" and user is world.granted_clerk)
                    if combo[1] != "none":
                        assert (f"{_tag(combo)}MARK" in body) == has_data, (user["name"], combo, fmt)
                    else:
                        assert f"{_tag(combo)}MARK" not in body

    def test_withheld_share_data_points_to_the_share_application(self, app, world):
        pkg = world.entries[("closed", "conditional")]
        g = Graph().parse(data=app.get("/share-catalog.ttl", headers=world.headers(world.other_clerk))
                          .get_data(as_text=True), format="turtle")
        accesses = {str(o) for d in g.subjects(RDF.type, DCAT.Distribution) if pkg["id"] in str(d)
                    for o in g.objects(d, DCAT.accessURL)}
        assert accesses == {application_url(pkg, "share")}


def harvest(app, start: str = "/catalog.ttl", between=None) -> tuple[list[str], list[dict[str, Any]]]:
    """Follow hydra:next with ckanext-dcat's RDFParser, as its RDF harvester does; calls
    ``between(n)`` after page n. Returns the dataset URIs in order and the paging nodes."""
    seen: list[str] = []
    pages = []
    url: str | None = start
    n = 0
    while url:
        body = app.get(_path(url)).get_data(as_text=True)
        parser = RDFParser()
        parser.parse(body, _format="turtle")
        for dataset in parser.datasets():
            seen.append(next(e["value"] for e in dataset["extras"] if e["key"] == "uri"))
        paging = next(parser.g.subjects(RDF.type, URIRef(HYDRA + "PagedCollection")), None)
        pages.append({"total": parser.g.value(paging, URIRef(HYDRA + "totalItems")) if paging else None})
        url = parser.next_page()
        n += 1
        assert n < 100, "the harvest does not end"
        if between and url:
            between(n)
    return seen, pages


def _uri(pkg: dict[str, Any]) -> str:
    return f"{SITE}/dataset/{pkg['id']}"


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", 3)
class TestHarvest:

    def _catalogue(self, n: int = 10) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        org = department()
        public = [entry(org, title=f"公交线路信息{i}") for i in range(n)]
        entry(org, open_type="closed", open_basis="涉及国家秘密", title="不予开放的条目")
        return org, public

    def test_every_public_entry_exactly_once(self, app):
        org, public = self._catalogue()
        seen, pages = harvest(app)
        assert sorted(seen) == sorted(_uri(p) for p in public)
        assert len(pages) == 4 and {int(p["total"]) for p in pages} == {10}

    def test_while_the_catalogue_changes(self, app):
        """Entries added, removed and closed between page fetches: nothing missed that stays
        public, nothing served twice (offset paging would skip one entry per removal)."""
        org, public = self._catalogue(12)
        sysadmin = {"user": factories.Sysadmin()["name"]}
        added: list[dict[str, Any]] = []
        removed: list[dict[str, Any]] = []

        def between(page: int) -> None:
            added.append(entry(org, title=f"新增条目{page}"))
            if page == 1:
                # remove two entries the harvester has already been given
                for pkg in public[:2]:
                    helpers.call_action("package_delete", context=dict(sysadmin), id=pkg["id"])
                    removed.append(pkg)
            if page == 2:
                helpers.call_action("package_patch", context=dict(sysadmin), id=public[3]["id"],
                                    open_type="closed", open_basis="涉及个人隐私")
                removed.append(public[3])
            if page == 3:
                helpers.call_action("package_patch", context=dict(sysadmin), id=public[-1]["id"],
                                    notes="更新后的摘要")  # modified: keeps its place

        seen, _pages = harvest(app, between=between)
        assert len(seen) == len(set(seen)), "an entry was served twice"
        still_public = {_uri(p) for p in public + added} - {_uri(p) for p in removed}
        assert still_public <= set(seen), f"missed: {still_public - set(seen)}"
        assert set(seen) <= {_uri(p) for p in public + added}

    def test_modified_since(self, app):
        org, public = self._catalogue(5)
        time.sleep(0.01)
        since = datetime.datetime.utcnow().isoformat()
        time.sleep(0.01)
        helpers.call_action("package_patch", context={"user": factories.Sysadmin()["name"]},
                            id=public[2]["id"], notes="更新后的摘要")
        fresh = entry(org, title="新增条目")
        seen, pages = harvest(app, start=f"/catalog.ttl?modified_since={since}")
        assert sorted(seen) == sorted([_uri(public[2]), _uri(fresh)])
        assert int(pages[0]["total"]) == 2
        # with a time zone, as ISO 8601 allows
        utc_plus_8 = (datetime.datetime.fromisoformat(since) + datetime.timedelta(hours=8)).isoformat() + "+08:00"
        seen, _ = harvest(app, start=f"/catalog.ttl?modified_since={utc_plus_8.replace('+', '%2B')}")
        assert sorted(seen) == sorted([_uri(public[2]), _uri(fresh)])

    def test_next_links_keep_modified_since(self, app):
        org, public = self._catalogue(7)
        body = app.get("/catalog.ttl?modified_since=2000-01-01").get_data(as_text=True)
        parser = RDFParser()
        parser.parse(body, _format="turtle")
        assert "modified_since=2000-01-01" in parser.next_page()


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_vocabulary_and_resource_code_uris(app):
    """The concept and resource-code URIs of the RDF resolve."""
    g = Graph().parse(data=app.get("/govshare/vocabulary/theme").get_data(as_text=True), format="turtle")
    assert URIRef(concept_uri("theme", "transport")) in set(g.subjects())
    app.get("/govshare/vocabulary/nonsense", status=404)
    org = department()
    open_pkg = entry(org, resource_code="203001/000101")
    entry(org, resource_code="203001/000102", open_type="closed", open_basis="涉及国家秘密")
    resp = app.get("/govshare/code/203001/000101", follow_redirects=False)
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/dataset/{open_pkg['name']}")
    app.get("/govshare/code/203001/000102", status=404)  # 不予开放: not for the public
    app.get("/govshare/code/203001/999999", status=404)


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
@pytest.mark.ckan_config("ckanext.dcat.rdf.profiles", "govshare")
def test_profile_alone_serves_the_same_catalogue(app):
    """``govshare`` alone and ``euro_dcat_ap_3 govshare`` give the same catalogue."""
    org = department()
    entry(org, title_en="Bus routes")
    g = Graph().parse(data=app.get("/catalog.ttl").get_data(as_text=True), format="turtle")
    assert shacl_violations(g) == []
    assert catalogue.profile_names() == ["govshare"]


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
@pytest.mark.ckan_config("ckanext.govshare.unconditional_requires_login", "true")
def test_downloads_needing_a_login_point_to_the_entry_page(app):
    """Unconditionally open data behind a login (chongqing-2019 §33 ¶3): the catalogue
    gives the entry's page, where a logged-in user downloads, not the file."""
    org = department()
    pkg = entry(org, resources=[{"url": "https://data.example.gov.cn/MARKlogin.csv", "format": "CSV",
                                 "access_method": "download"}])
    body = app.get("/catalog.ttl").get_data(as_text=True)
    assert "MARKlogin" not in body
    g = Graph().parse(data=body, format="turtle")
    assert {str(o) for o in g.objects(None, DCAT.accessURL)} == {f"{SITE}/dataset/{pkg['name']}"}
    assert not list(g.objects(None, DCAT.downloadURL))
    assert shacl_violations(g) == []


# --- the platform answers its DCAT URLs, not ckanext-dcat ------------------------------------

@pytest.mark.usefixtures("with_plugins")
def test_the_platform_serves_the_dcat_routes(app):
    """ckanext-dcat's routes are switched off by its own option
    (``ckanext.dcat.enable_rdf_endpoints = false``) and its content negotiation stays off, so
    every RDF URL is answered by the platform and CKAN keeps its own / and /dataset/<id>."""
    urls = app.flask_app.url_map.bind("test.ckan.net")
    for path, endpoint in (("/catalog.ttl", "govshare_dcat.catalog"),
                           ("/catalog.jsonld", "govshare_dcat.catalog"),
                           ("/share-catalog.ttl", "govshare_dcat.share_catalog"),
                           ("/dataset/some-entry.ttl", "govshare_dcat.dataset"),
                           ("/govshare/vocabulary/theme", "govshare_dcat.vocabulary"),
                           ("/govshare/code/203001/000001", "govshare_dcat.resource_code"),
                           ("/", "home.index"),
                           ("/dataset/some-entry", "dataset.read")):
        assert urls.match(path)[0] == endpoint, path
    assert not [r.rule for r in app.flask_app.url_map.iter_rules() if r.endpoint.startswith("dcat.")]


@pytest.mark.usefixtures("with_plugins")
def test_ckanext_dcat_content_negotiation_is_refused(ckan_config, monkeypatch):
    """It would put ckanext-dcat's offset-paged catalogue on / and move every dataset page
    to its endpoint: the platform refuses to start with it."""
    monkeypatch.setitem(ckan_config, "ckanext.dcat.enable_content_negotiation", "true")
    with pytest.raises(RuntimeError, match="enable_content_negotiation"):
        dcat_views.check_ckanext_dcat_config()
    monkeypatch.setitem(ckan_config, "ckanext.dcat.enable_content_negotiation", "false")
    dcat_views.check_ckanext_dcat_config()


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_entry_formats(app):
    org = department()
    pkg = entry(org, title_en="Bus routes")
    for fmt, content_type in (("rdf", "application/rdf+xml"), ("xml", "application/rdf+xml"),
                              ("jsonld", "application/ld+json"), ("n3", "text/n3")):
        resp = app.get(f"/dataset/{pkg['name']}.{fmt}")
        assert resp.headers["Content-Type"].startswith(content_type), fmt
    assert app.get(f"/dataset/{pkg['id']}.ttl").status_code == 200  # by id too
    app.get(f"/dataset/{pkg['name']}.n4", status=400)
    app.get("/dataset/no-such-entry.ttl", status=404)
    # the RDF Accept header on the entry's page: the same document
    negotiated = app.get(f"/dataset/{pkg['name']}", headers={"Accept": "application/ld+json"})
    assert negotiated.headers["Content-Type"].startswith("application/ld+json")


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_html_pages_link_the_platforms_rdf_documents(app):
    """ckanext-dcat's templates (<link rel="alternate">) point to the platform's routes."""
    pkg = entry(department())
    for url, linked in (("/", f"{SITE}/catalog.ttl"), ("/dataset/", f"{SITE}/catalog.ttl"),
                        (f"/dataset/{pkg['name']}", f"{SITE}/dataset/{pkg['id']}.ttl")):
        body = app.get(url, headers={"Accept": "text/html"}).get_data(as_text=True)
        assert f'type="text/turtle" href="{linked}"' in body, url
        assert app.get(_path(linked)).status_code == 200, linked
