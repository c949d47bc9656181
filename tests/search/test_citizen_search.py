# -*- coding: utf-8 -*-
"""Search that finds what citizens mean (issue 15), on the real Solr node with govshare's
schema: a citizen's sentence, the publishing department, the region facet, maintained synonyms,
pinyin and initials, and the open attribute on every result. The ranking quality itself is
measured by bench/search_quality.py (docs/performance.md)."""
from __future__ import annotations

import pytest

import ckan.plugins.toolkit as tk


def _search(q: str, **params) -> list[str]:
    result = tk.get_action("package_search")({}, dict(params, q=q, rows=20))
    return [d["name"] for d in result["results"]]


@pytest.mark.usefixtures("with_plugins", "citizen_catalogue")
class TestCitizenSearch:
    def test_a_sentence_finds_its_entry(self):
        """Function words (哪里, 可以, 查询, 的, 和) are not required, the content words are."""
        assert _search("哪里可以查询全市的公交线路和站点")[0] == "gongjiao-xianlu"
        assert _search("我想了解一下养老机构有哪些")[0] == "yanglao-jigou"
        # a word the entry does not have is tolerated when most words match …
        assert _search("全市公交线路首末班时间在哪里查")[0] == "gongjiao-xianlu"
        # … but a sentence about something else finds nothing
        assert _search("哪里可以查询全市的游泳馆") == []

    def test_each_space_separated_part_is_required(self):
        assert _search("养老 票价") == []
        assert _search("公交 票价") == ["gongjiao-xianlu"]

    def test_exact_title_and_resource_code_still_first(self):
        assert _search("公交线路信息")[0] == "gongjiao-xianlu"
        assert _search("203001/000002") == ["jiaotong-weifa"]

    def test_publishing_department_beats_one_that_mentions_it(self):
        """The department is its own weighted field: 市民政局 publishes 养老机构名录; the
        transport entry only mentions 市民政局 (twice)."""
        names = _search("市民政局")
        assert names[0] == "yanglao-jigou"
        assert names.index("yanglao-jigou") < names.index("laonian-gongjiao")
        assert _search("民政局 养老")[0] == "yanglao-jigou"

    def test_region_is_a_facet_and_a_field(self):
        """Province, city and district from the 行政区划代码 and the department's title."""
        result = tk.get_action("package_search")({}, {"facet.field": '["vocab_region"]', "rows": 0})
        regions = {i["name"]: i["count"] for i in result["search_facets"]["vocab_region"]["items"]}
        assert regions == {"重庆市": 7, "渝中区": 1}  # the 不予开放 entry is not counted for anyone anonymous
        assert _search("", fq='vocab_region:"渝中区"') == ["yuzhong-gongce"]
        assert _search("渝中区 厕所") == ["yuzhong-gongce"]

    def test_region_facet_is_offered_with_its_label(self, app):
        from collections import OrderedDict

        from ckanext.govshare.search import index

        with app.flask_app.test_request_context("/dataset/"):  # the default locale, zh_Hans_CN
            assert index.dataset_facets(OrderedDict())["vocab_region"] == "地区"

    def test_one_way_synonym_broader_finds_narrower(self):
        """违章 => 交通违法 (synonyms_zh.txt): the everyday word finds the official one, not the
        other way round."""
        assert set(_search("违章")) == {"jiaotong-weifa", "weizhang-tingche"}
        assert _search("交通违法") == ["jiaotong-weifa"]

    def test_department_name_variants_are_folded(self):
        """自然资源局 / 自然资源和规划局 / 规划和自然资源局 name the same department."""
        for q in ("自然资源和规划局", "自然资源局", "规划和自然资源局"):
            assert _search(q) == ["tudi-churang"], q

    def test_pinyin_and_initials(self):
        assert _search("gongjiao")[0] == "gongjiao-xianlu"
        assert _search("gongjiao xianlu") == ["gongjiao-xianlu"]
        assert _search("gj")[0] == "gongjiao-xianlu"
        assert _search("yanglao jigou") == ["yanglao-jigou"]

    def test_results_show_the_open_attribute(self, app):
        """Each search result carries its 开放类型 (chongqing-2018 §22): the result snippet of
        the search page, rendered for the entries package_search returns."""
        results = tk.get_action("package_search")({}, {"q": "公交"})["results"]
        assert results
        with app.flask_app.test_request_context("/dataset/"):
            for pkg in results:
                html = tk.h.snippet("snippets/package_item.html", package=pkg)
                assert "govshare-open-type" in html and "无条件开放" in html, pkg["name"]
