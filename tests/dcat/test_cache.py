# -*- coding: utf-8 -*-
"""The per-entry DCAT cache (``ckanext/govshare/dcat/cache.py``) and the streamed full catalogue.

- An entry's triples are built once per version and pages are assembled from them: a second
  request is served from the cache and says exactly the same.
- A change of any kind (fields, resources, levels, delete, the department's name) is seen
  at once and drops the superseded versions (a stale triple is a defect).
- The cache never hands one actor what another may not have: the public catalogue holds
  no data location of an entry that is not unconditionally open and no 不予开放 entry
  (chongqing-2018 §22 ¶2, §24), the share catalogue holds the data of 有条件共享 entries only
  for departments with a grant (chongqing-2018 §16, §19), whoever filled the cache first.
- Assembled pages and the streamed catalogue conform to the DCAT-AP 3 shapes and parse as
  one graph.
"""
from __future__ import annotations

from typing import Any

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import FOAF, RDF

from ckan.lib.redis import connect_to_redis
from ckan.tests import factories, helpers
from ckanext.dcat.profiles import DCAT, DCT

from ckanext.govshare.dcat import cache, catalogue
from tests.dcat.support import COMBOS, make_entries, serialize, shacl_violations
from tests.factories import LEVEL_EXTRAS, department, entry

FORMATS = {"ttl": "turtle", "rdf": "xml", "xml": "xml", "jsonld": "json-ld"}
SITE = "http://test.ckan.net"


def _tag(combo: tuple[str, str]) -> str:
    return f"{combo[0][:4]}{combo[1][:4]}"


def _keys(package_id: str) -> set[bytes]:
    return set(connect_to_redis().smembers(f"{cache.key_prefix()}:ids:{package_id}"))


def _graph(body: str, fmt: str = "ttl") -> Graph:
    return Graph().parse(data=body, format=FORMATS[fmt])


def _datasets(g: Graph) -> set[URIRef]:
    return set(g.subjects(RDF.type, DCAT.Dataset))


def _ground(g: Graph) -> set[tuple[Any, Any, Any]]:
    """The triples without blank nodes (their labels differ between two builds)."""
    return {t for t in g if not any(type(x).__name__ == "BNode" for x in t)}


@pytest.fixture
def clean_cache():
    redis = connect_to_redis()
    for key in redis.scan_iter(f"{cache.key_prefix()}:*"):
        redis.delete(key)
    yield


def _get(app, url: str, headers: dict[str, str] | None = None) -> str:
    return app.get(url, headers=headers or {}).get_data(as_text=True)


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_cache")
class TestCache:

    def _entries(self, n: int = 4) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        org = department(name="cache-dept", title="市统计局")
        return org, [entry(org, name=f"cache-{i}", title=f"统计数据 {i}") for i in range(n)]

    def test_a_page_is_built_once_and_then_served_from_the_cache(self, app):
        _org, pkgs = self._entries()
        for fmt in FORMATS:
            before = (cache.stats().hits, cache.stats().misses)
            first = _get(app, f"/catalog.{fmt}")
            middle = (cache.stats().hits, cache.stats().misses)
            second = _get(app, f"/catalog.{fmt}")
            after = (cache.stats().hits, cache.stats().misses)
            assert middle[1] - before[1] == len(pkgs) and middle[0] == before[0], fmt
            assert after[0] - middle[0] == len(pkgs) and after[1] == middle[1], fmt
            assert first == second
            g = _graph(first, fmt)
            assert _datasets(g) == {URIRef(f"{SITE}/dataset/{p['id']}") for p in pkgs}
            assert shacl_violations(g) == [], fmt
        for pkg in pkgs:
            # one version per entry and format (ttl; rdf and xml share a text but not a key)
            assert len(_keys(pkg["id"])) == len(FORMATS)

    def test_the_assembled_page_says_what_one_graph_says(self, app):
        """The entries serialised alone and concatenated are the graph ckanext-dcat would
        serialise for the whole page (the blank nodes aside, whose labels differ)."""
        _org, pkgs = self._entries(3)
        body = _get(app, "/catalog.ttl")
        datasets = helpers.call_action("package_search", context={"user": ""}, q="*:*",
                                       sort="metadata_created asc, id asc")["results"]
        whole = _graph(serialize(datasets, profiles=catalogue.profile_names()))
        ours = _graph(body)
        hydra = "http://www.w3.org/ns/hydra/core#"
        strip = {t for t in ours if str(t[1]).startswith(hydra) or str(t[0]).startswith(hydra)
                 or t[0] == URIRef(f"{SITE}/catalog.ttl")
                 or (t[0] == URIRef(SITE) and t[1] == DCT.modified)}  # the page's, not in the test's
        ours_ground = _ground(ours) - strip
        assert ours_ground == _ground(whole)
        assert len(ours) - len(strip) == len(whole)

    def test_the_cache_off_gives_the_same_document(self, app, ckan_config, monkeypatch):
        self._entries(2)
        on = _graph(_get(app, "/catalog.ttl"))
        monkeypatch.setitem(ckan_config, "ckanext.govshare.dcat.cache_ttl", 0)
        misses = cache.stats().misses
        off = _graph(_get(app, "/catalog.ttl"))
        assert cache.stats().misses - misses == 2
        assert _ground(on) == _ground(off) and len(on) == len(off)

    def test_every_change_is_seen_and_drops_the_old_versions(self, app):
        """A stale triple after a change is a defect: fields, resources, levels, the
        department's name, delete (chongqing-2018 §22 ¶2, §24)."""
        org, pkgs = self._entries(3)
        sysadmin = {"user": factories.Sysadmin()["name"]}
        pkg, other, third = pkgs
        ref = URIRef(f"{SITE}/dataset/{pkg['id']}")

        def page() -> Graph:
            return _graph(_get(app, "/catalog.ttl"))

        def changed(package_id: str) -> None:
            # the change dropped what was cached; the next page builds and caches one version
            assert _keys(package_id) == set()
            page()
            assert len(_keys(package_id)) == 1

        page()
        assert len(_keys(pkg["id"])) == 1
        # a field
        helpers.call_action("package_patch", context=dict(sysadmin), id=pkg["id"], title="新标题")
        changed(pkg["id"])
        assert (ref, DCT.title, None) in page() and str(page().value(ref, DCT.title)) == "新标题"
        # a new resource
        res_id = helpers.call_action(
            "resource_create", context=dict(sysadmin), package_id=pkg["id"], name="第一个",
            url="https://data.example.gov.cn/first.csv", format="CSV", access_method="download")["id"]
        changed(pkg["id"])
        assert "https://data.example.gov.cn/first.csv" in {str(o) for o in page().objects(None, DCAT.downloadURL)}
        # a resource: its URL
        helpers.call_action("resource_patch", context=dict(sysadmin), id=res_id,
                            url="https://data.example.gov.cn/new-location.csv")
        changed(pkg["id"])
        urls = {str(o) for o in page().objects(None, DCAT.downloadURL)}
        assert "https://data.example.gov.cn/new-location.csv" in urls
        assert "https://data.example.gov.cn/first.csv" not in urls
        # a resource deleted
        second = helpers.call_action(
            "resource_create", context=dict(sysadmin), package_id=pkg["id"], name="第二个",
            url="https://data.example.gov.cn/second.csv", format="CSV", access_method="download")["id"]
        changed(pkg["id"])
        helpers.call_action("resource_delete", context=dict(sysadmin), id=second)
        changed(pkg["id"])
        assert "https://data.example.gov.cn/second.csv" not in {str(o) for o in page().objects(None, DCAT.downloadURL)}
        # a level: conditionally open, the data locations go (chongqing-2018 §24)
        helpers.call_action("package_patch", context=dict(sysadmin), id=pkg["id"], open_type="conditional",
                            open_condition="须实名认证。", open_basis="《重庆市政务数据资源管理暂行办法》第三十一条")
        changed(pkg["id"])
        body = _get(app, "/catalog.ttl")
        assert "new-location.csv" not in body
        assert ref in _datasets(_graph(body))
        # a level: 不予开放, out of the public catalogue (chongqing-2018 §22 ¶2)
        helpers.call_action("package_patch", context=dict(sysadmin), id=pkg["id"], open_type="closed")
        assert _keys(pkg["id"]) == set()
        assert ref not in _datasets(page())
        # the department renamed: its name is in its entries' triples
        publisher = page().value(URIRef(f"{SITE}/dataset/{other['id']}"), DCT.publisher)
        assert str(page().value(publisher, FOAF.name)) == "市统计局"
        helpers.call_action("organization_patch", context=dict(sysadmin), id=org["id"], title="市统计局（改）")
        assert _keys(other["id"]) == set() and _keys(third["id"]) == set()
        g = page()
        for p in (other, third):
            agent = g.value(URIRef(f"{SITE}/dataset/{p['id']}"), DCT.publisher)
            assert {str(n) for n in g.objects(agent, FOAF.name)} == {"市统计局（改）"}
        # delete
        helpers.call_action("package_delete", context=dict(sysadmin), id=other["id"])
        assert _keys(other["id"]) == set()
        assert URIRef(f"{SITE}/dataset/{other['id']}") not in _datasets(page())
        assert _keys(other["id"]) == set()

    def test_forget_drops_every_version(self, app):
        _org, pkgs = self._entries(2)
        for fmt in ("ttl", "jsonld"):
            _get(app, f"/catalog.{fmt}")
        assert len(_keys(pkgs[0]["id"])) == 2
        keys = _keys(pkgs[0]["id"])
        assert cache.forget([pkgs[0]["id"]]) == 2
        assert _keys(pkgs[0]["id"]) == set()
        assert connect_to_redis().exists(*keys) == 0
        assert len(_keys(pkgs[1]["id"])) == 2


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_cache")
class TestAccessOnCachedOutput:
    """The cache is filled by the most privileged actor first; those after it must get
    only what they may have."""

    @pytest.fixture
    def world(self):
        admin = factories.Sysadmin()
        provider_clerk = factories.User(name="provider-clerk")
        other_clerk = factories.User(name="other-clerk")
        authority = factories.User(name="authority-staff")
        provider = department(name="cq-jtj", title="市交通局", provider_code="11500000MB1526731E",
                              users=[{"name": "provider-clerk", "capacity": "editor"}])
        department(name="other-dept", users=[{"name": "other-clerk", "capacity": "member"}])
        helpers.call_action("group_create", context={"user": admin["name"]}, name="data-authority",
                            users=[{"name": "authority-staff", "capacity": "member"}])
        entries = make_entries(provider)
        tokens = {role: factories.APIToken(user=u["id"])["token"] for role, u in (
            ("admin", admin), ("provider-clerk", provider_clerk), ("other-clerk", other_clerk),
            ("authority-staff", authority))}
        return {"entries": entries, "tokens": tokens}

    def test_the_public_catalogue_whoever_filled_the_cache(self, app, world):
        """chongqing-2018 §22 ¶2, §24: the public catalogue is the anonymous view."""
        tokens = world["tokens"]
        for who in ("admin", "provider-clerk", "authority-staff", "other-clerk"):
            for fmt in FORMATS:
                headers = {"Authorization": tokens[who]}
                # the share catalogue first (more is said there), then the public one
                if who in ("admin", "provider-clerk", "other-clerk"):
                    _get(app, f"/share-catalog.{fmt}", headers)
                for body in (_get(app, f"/catalog.{fmt}", headers), _get(app, f"/catalog.{fmt}"),
                             "".join(_get(app, f"/catalog/full.{fmt}", headers))):
                    for combo in COMBOS:
                        if combo[0] == "closed":
                            assert f"公交线路信息 {_tag(combo)}" not in body, (who, fmt, combo)
                        if combo[0] != "unconditional":
                            assert f"{_tag(combo)}MARK" not in body, (who, fmt, combo)
                    assert "shareCondition" not in body and "shareType" not in body, (who, fmt)
                    # the share catalogue's description is not the public one's (header cache)
                    assert catalogue.SHARE_DESCRIPTION["zh"] not in body, (who, fmt)

    def test_the_share_catalogue_per_department(self, app, world):
        """chongqing-2018 §16, §19: the data of 有条件共享 entries only for those who may use it;
        the provider's member (it holds the data) fills the cache first."""
        tokens = world["tokens"]
        for fmt in FORMATS:
            provider = _get(app, f"/share-catalog.{fmt}", {"Authorization": tokens["provider-clerk"]})
            other = _get(app, f"/share-catalog.{fmt}", {"Authorization": tokens["other-clerk"]})
            streamed = _get(app, f"/share-catalog/full.{fmt}", {"Authorization": tokens["other-clerk"]})
            for combo in COMBOS:
                if combo[1] == "none":
                    continue
                assert f"{_tag(combo)}MARK" in provider, (fmt, combo)
                has_data = combo[1] == "unconditional"
                assert (f"{_tag(combo)}MARK" in other) == has_data, (fmt, combo)
                assert (f"{_tag(combo)}MARK" in streamed) == has_data, (fmt, combo)
        # the authority's staff outside any department: no share catalogue, cached or not
        assert app.get("/share-catalog.ttl", headers={"Authorization": tokens["authority-staff"]},
                       status=403)
        assert app.get("/share-catalog/full.ttl", headers={"Authorization": tokens["authority-staff"]},
                       status=403)
        assert app.get("/share-catalog/full.ttl", status=401)


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_cache")
@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", 3)
class TestFullCatalogue:

    def test_streamed_in_pages_as_one_valid_graph(self, app):
        org = department(name="full-dept")
        public = [entry(org, name=f"full-{i}", title=f"数据 {i}") for i in range(8)]
        entry(org, name="full-closed", open_type="closed", **LEVEL_EXTRAS[("closed", "unconditional")])
        expected = {URIRef(f"{SITE}/dataset/{p['id']}") for p in public}
        for fmt in FORMATS:
            resp = app.get(f"/catalog/full.{fmt}")
            assert resp.headers["Content-Type"].startswith(catalogue.content_type(fmt).split(";")[0])
            body = resp.get_data(as_text=True)
            g = _graph(body, fmt)
            catalog = next(g.subjects(RDF.type, DCAT.Catalog))
            assert set(g.objects(catalog, DCAT.dataset)) == expected, fmt
            assert _datasets(g) == expected
            assert (None, URIRef("http://www.w3.org/ns/hydra/core#next"), None) not in g
            assert shacl_violations(g) == [], fmt
        # the same triples as the pages a harvester follows
        pages = Graph()
        url = "/catalog.ttl"
        while url:
            g = _graph(_get(app, url))
            pages += g
            nxt = g.value(None, URIRef("http://www.w3.org/ns/hydra/core#next"))
            url = str(nxt)[len(SITE):] if nxt else None
        full = _graph(_get(app, "/catalog/full.ttl"))
        dataset_triples = {t for t in _ground(pages) if t[0] in expected or t[2] in expected}
        assert dataset_triples <= _ground(full)

    def test_generator_writes_a_page_at_a_time(self, app):
        org = department(name="gen-dept")
        for i in range(7):
            entry(org, name=f"gen-{i}")
        with app.flask_app.test_request_context():
            chunks = list(catalogue.stream_catalogue("ttl"))
            limited = list(catalogue.stream_catalogue("ttl", limit=4))
        # prologue, catalogue, 3 pages of entries (3 + 3 + 1), end
        assert len(chunks) == 6
        assert len(_datasets(_graph("".join(chunks)))) == 7
        assert len(_datasets(_graph("".join(limited)))) == 4

    def test_bad_parameters(self, app):
        assert app.get("/catalog/full.csv", status=400)
        assert app.get("/catalog/full.ttl?modified_since=notadate", status=400)
