# -*- coding: utf-8 -*-
"""Datasets created through the action API are found again through package_search,
served by the real Solr node (facet counts and relevance come only from Solr)."""
from __future__ import annotations

import pytest
import requests

import ckan.plugins.toolkit as tk
from ckan.lib.search.common import make_connection
from ckan.tests import factories


def _dataset(org: dict, **extra) -> dict:
    data = {
        "resource_code": "203001/000001",
        "resource_category": "theme",
        "notes": "全市公共交通线路的线路编号、起讫站点和首末班时间。",
        "open_type": "unconditional",
        "share_type": "unconditional",
        "update_cycle": "monthly",
        "theme": "transport",
        "resource_format": "spreadsheet",
        "owner_org": org["id"],
    }
    data.update(extra)
    return factories.Dataset(**data)


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
class TestSolrBackedSearch:
    def test_search_is_served_by_solr(self):
        conn = make_connection()
        # pysolr talks to the real node: its ping handler answers with Solr's own status
        assert "ckan" in conn.url
        assert requests.get(conn.url + "/admin/ping", params={"wt": "json"}, timeout=10).json()["status"] == "OK"

    def test_created_dataset_found_with_solr_facet_counts(self):
        transport = factories.Organization(title="市交通局")
        health = factories.Organization(title="市卫生健康委员会")
        _dataset(transport, title="公交线路信息", name="gongjiao-xianlu")
        _dataset(transport, title="出租汽车运营数据", name="chuzuche", resource_code="303001/000003",
                 resource_category="department")
        _dataset(health, title="医保定点医疗机构名录", name="yibao", resource_code="205002/000001")

        result = tk.get_action("package_search")(
            {}, {"q": "公交线路信息", "facet.field": '["organization"]', "rows": 10}
        )
        assert result["results"][0]["name"] == "gongjiao-xianlu"
        assert result["results"][0]["open_type"] == "unconditional"

        everything = tk.get_action("package_search")({}, {"facet.field": '["organization"]', "rows": 0})
        assert everything["count"] == 3
        counts = {i["name"]: i["count"] for i in everything["search_facets"]["organization"]["items"]}
        assert counts == {transport["name"]: 2, health["name"]: 1}

    def test_filter_query_on_indexed_field(self):
        org = factories.Organization()
        _dataset(org, name="kaifang", title="公交站点")
        result = tk.get_action("package_search")({}, {"fq": "name:kaifang"})
        assert [d["name"] for d in result["results"]] == ["kaifang"]


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
class TestCatalogueFacets:
    def _entries(self):
        from tests.factories import LEVEL_EXTRAS, department, entry

        org = department()
        entry(org, title="公交线路信息")
        entry(org, title="出租车运营数据", open_type="conditional", theme="transport",
              **LEVEL_EXTRAS[("conditional", "unconditional")])
        entry(org, title="医保定点机构", theme="health", update_cycle="daily")
        return org

    def test_facets_on_vocabularies_with_labels(self):
        self._entries()
        result = tk.get_action("package_search")({}, {
            "facet.field": '["open_type", "share_type", "theme", "update_cycle", "resource_format"]'})
        facets = result["search_facets"]
        open_items = {i["name"]: (i["count"], i["display_name"]) for i in facets["open_type"]["items"]}
        # outside a page request the labels are in the default locale, zh_Hans_CN
        assert open_items == {"unconditional": (2, "无条件开放"),
                              "conditional": (1, "有条件开放")}
        themes = {i["name"]: i["count"] for i in facets["theme"]["items"]}
        assert themes == {"transport": 2, "health": 1}

    def test_search_page_shows_chinese_facet_labels(self, app):
        self._entries()
        html = app.get("/dataset/").body
        for label in ("开放类型", "共享类型", "无条件开放", "有条件开放", "交通出行", "医疗卫生", "每月"):
            assert label in html, label
        english = app.get("/en/dataset/").body
        assert "Conditionally open" in english and "Open attribute" in english

    def test_filter_by_facet(self, app):
        self._entries()
        result = tk.get_action("package_search")({}, {"fq": "open_type:conditional"})
        assert [d["title"] for d in result["results"]] == ["出租车运营数据"]

    def test_vocabulary_labels_are_searchable(self):
        self._entries()
        result = tk.get_action("package_search")({}, {"q": "有条件开放"})
        assert [d["title"] for d in result["results"]] == ["出租车运营数据"]
