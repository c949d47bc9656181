# -*- coding: utf-8 -*-
"""Search-as-you-type (issue 15): govshare_search_suggest suggests titles and departments
from Chinese, pinyin or initials, and only what the caller may find."""
from __future__ import annotations

import pytest

from ckan.tests import factories


def _suggest(app, q: str, **headers) -> dict:
    return app.get("/api/3/action/govshare_search_suggest", query_string={"q": q},
                   headers=headers).json["result"]


@pytest.mark.usefixtures("with_plugins", "citizen_catalogue")
class TestSuggest:
    def test_titles_from_chinese_pinyin_and_initials(self, app):
        for q in ("公交", "公交线", "gongjiao", "gongjiaoxian", "gjxl"):
            titles = [t["title"] for t in _suggest(app, q)["titles"]]
            assert titles and titles[0] == "公交线路信息", (q, titles)

    def test_departments(self, app):
        departments = [d["title"] for d in _suggest(app, "市民政")["departments"]]
        assert departments == ["市民政局"]
        assert [d["title"] for d in _suggest(app, "minzheng")["departments"]] == ["市民政局"]

    def test_anonymous_never_gets_a_withheld_title(self, app):
        """A 不予开放 entry is not published to the public (chongqing-2018 §22 ¶2,
        chongqing-2019 §32): its title is never suggested to an anonymous user, who still
        gets the open entries."""
        for q in ("困难", "困难家庭", "kunnan", "knjt"):
            titles = [t["title"] for t in _suggest(app, q)["titles"]]
            assert "困难家庭救助对象名册" not in titles, q
        assert [t["title"] for t in _suggest(app, "养老")["titles"]] == ["养老机构名录"]

    def test_a_sysadmin_gets_it(self, app):
        token = factories.APIToken(user=factories.Sysadmin()["id"])["token"]
        titles = [t["title"] for t in _suggest(app, "困难", Authorization=token)["titles"]]
        assert titles == ["困难家庭救助对象名册"]

    def test_empty_and_bad_input(self, app):
        assert _suggest(app, "  ") == {"titles": [], "departments": []}
        bad = app.get("/api/3/action/govshare_search_suggest", query_string={"q": "公交", "limit": "x"})
        assert bad.status_code in (400, 409) and bad.json["success"] is False
        # Solr syntax is taken as text: no match-all (seven entries are visible)
        assert [t["title"] for t in _suggest(app, "公交) OR (*:*")["titles"]] in ([], ["公交线路信息"])
