# -*- coding: utf-8 -*-
"""Chinese search on the real Solr node with govshare's schema (issue 7, items 1-2):
traditional and full-width queries, abbreviations and synonyms, exact titles and resource
codes first, vocabulary labels. Needs stack/solr/schema/govshare-schema.xml on the test core
(./stack.sh test installs it); the ranking quality itself is measured by
bench/search_quality.py."""
from __future__ import annotations

import pytest
import requests

import ckan.plugins.toolkit as tk
from ckan.lib.search.common import make_connection

from tests.factories import LEVEL_EXTRAS, department, entry


def _search(q: str, **params) -> list[str]:
    result = tk.get_action("package_search")({}, dict(params, q=q, rows=20))
    return [d["name"] for d in result["results"]]


@pytest.fixture
def catalogue(clean_db, clean_index):
    """A small catalogue of realistic entries (titles and descriptions as published)."""
    transport = department(title="市交通局")
    health = department(title="市卫生健康委员会", provider_code="11500000MB1632648W")
    social = department(title="市人力资源和社会保障局", provider_code="115000007093277483")
    entry(transport, name="gongjiao-xianlu", title="公交线路信息", resource_code="203001/000001",
          notes="全市主城都市区地面公交线路的线路编号、线路名称、起讫站点、首末班时间、票价和运营单位信息。",
          tag_string="公交,出行",
          resources=[{"name": "公交线路查询接口", "url": "https://api.example.gov.cn/v1/jtj/bus-lines",
                      "format": "API", "access_method": "api",
                      "api_description": "请求参数：lineNo 线路编号；返回：线路名称、起讫站点、首末班时间。",
                      "api_call": "GET https://api.example.gov.cn/v1/jtj/bus-lines?lineNo=461"}])
    entry(transport, name="gongjiao-xianlu-tongji", title="地面公交线路信息统计", resource_code="203001/000007",
          notes="按月统计的地面公交线路条数、线路总长度和日均客运量。")
    entry(transport, name="gongjiao-zhandian", title="公交线路站点信息汇总", resource_code="203001/000002",
          notes="公交站点编号、站点名称、经纬度坐标和途经线路。")
    entry(transport, name="chuzuche-yunying", title="出租汽车运营数据", resource_code="303001/000003",
          resource_category="department", theme="transport", notes="巡游出租汽车按日汇总的运营车辆数、载客次数和空驶率。",
          open_type="conditional", **LEVEL_EXTRAS[("conditional", "unconditional")])
    entry(health, name="yibao-dingdian", title="医保定点医疗机构名录", resource_code="205002/000001",
          theme="health", notes="全市基本医疗保险定点医疗机构的机构名称、统一社会信用代码、地址和医院等级。")
    entry(social, name="shebao-canbao", title="社会保险参保人数统计", resource_code="206001/000001",
          theme="social_security", notes="按区县和险种统计的企业职工基本养老保险和失业保险参保人数。")


@pytest.mark.usefixtures("with_plugins", "catalogue")
class TestChineseSearch:
    def test_core_uses_the_govshare_schema(self):
        """Issue 7: the stack installs the Chinese-aware schema, under CKAN's schema name."""
        url = make_connection().url
        schema = requests.get(f"{url}/schema", params={"wt": "json"}, timeout=10).json()["schema"]
        assert schema["name"] == "ckan-2.11"
        fields = {f["name"]: f["type"] for f in schema["fields"]}
        assert fields["title"] == "text_zh_phrase" and fields["text"] == "text_zh_phrase"
        assert fields["text_words"] == "text_zh"

    def test_words_inside_chinese_text_are_found(self):
        """Issue 7: no spaces between Chinese words, yet a word of a description is found."""
        assert _search("空驶率") == ["chuzuche-yunying"]
        assert set(_search("票价")) == {"gongjiao-xianlu"}

    def test_traditional_query_finds_simplified_text(self):
        """Issue 7: 公交線路 (traditional) finds 公交线路信息; 醫保定點 finds 医保定点…"""
        assert _search("公交線路")[0] == "gongjiao-xianlu"
        assert set(_search("公交線路")) == {"gongjiao-xianlu", "gongjiao-xianlu-tongji", "gongjiao-zhandian"}
        assert _search("醫保定點") == ["yibao-dingdian"]
        assert _search("社會保險參保") == ["shebao-canbao"]

    def test_abbreviations_and_synonyms(self):
        """Issue 7: the government synonym list (社保 = 社会保险, 医疗保障 = 医保, 公共交通 = 公交)."""
        assert _search("社保") == ["shebao-canbao"]
        assert _search("医疗保障") == ["yibao-dingdian"]
        assert set(_search("公共交通")) == {"gongjiao-xianlu", "gongjiao-xianlu-tongji", "gongjiao-zhandian"}

    def test_exact_title_ranks_first(self):
        """Issue 7: the entry whose title is exactly the query comes first, before longer titles
        that contain it."""
        for q in ("公交线路信息", "公交線路信息", "公交线路信息 "):
            names = _search(q)
            assert names[0] == "gongjiao-xianlu", q
            assert "gongjiao-xianlu-tongji" in names

    def test_resource_code_finds_its_entry(self):
        """Issue 7: a resource code, typed with half- or full-width digits, finds its entry only."""
        assert _search("303001/000003") == ["chuzuche-yunying"]
        assert _search("３０３００１／０００００３") == ["chuzuche-yunying"]
        assert _search("203001/000001")[0] == "gongjiao-xianlu"

    def test_mixed_chinese_and_latin(self):
        """Issue 7: full-width Latin letters fold; API = 接口 (the entry has a 查询接口 resource)."""
        assert _search("公交 ＡＰＩ") == ["gongjiao-xianlu"]
        assert _search("公交 api") == ["gongjiao-xianlu"]

    def test_vocabulary_labels_find_exactly_their_entries(self):
        """Issue 7: 有条件开放 finds the conditionally open entry, not every entry whose label
        merely shares characters with it (无条件开放)."""
        assert _search("有条件开放") == ["chuzuche-yunying"]
        # the conditionally open entry is 无条件共享 (shared unconditionally): when found at all,
        # it comes after the unconditionally open ones
        assert set(_search("无条件开放")[:5]) == {"gongjiao-xianlu", "gongjiao-xianlu-tongji",
                                              "gongjiao-zhandian", "yibao-dingdian", "shebao-canbao"}
        assert _search("社保就业") == ["shebao-canbao"]  # the theme's label

    def test_department_names_and_short_names_find_its_entries(self):
        """A citizen searches by the department's name or its short name (交通局, 卫健委)."""
        assert set(_search("市卫生健康委员会")) == {"yibao-dingdian"}
        assert set(_search("卫健委")) == {"yibao-dingdian"}
        assert {"gongjiao-xianlu", "chuzuche-yunying"} <= set(_search("交通局"))
        assert "yibao-dingdian" not in _search("交通局")

    def test_callers_own_query_fields_are_kept(self):
        """The Chinese relevance settings apply only when the caller chose none."""
        result = tk.get_action("package_search")({}, {"q": "公交线路信息", "defType": "dismax", "qf": "name"})
        assert result["count"] == 0
