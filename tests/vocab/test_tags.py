# -*- coding: utf-8 -*-
"""Tags as real catalogues write them, made into tags CKAN accepts (issue 16), and the
spellings of real catalogues read by the vocabularies."""
from __future__ import annotations

from ckanext.govshare import vocab
from ckanext.govshare.vocab.tags import normalise_tag, normalise_tags


def test_tags_split_map_and_drop():
    tags, changes = normalise_tags("住房（公积金）, “一网通办”，教育。、水；SODA2022\n交通-出行")
    assert tags == ["住房 公积金", "一网通办", "教育", "SODA2022", "交通-出行"]
    assert ("水", "") in changes and ("住房（公积金）", "住房 公积金") in changes
    assert ("SODA2022", "SODA2022") not in changes


def test_tag_length_and_repeats():
    assert normalise_tag("长" * 150) == "长" * 100
    assert normalise_tags("公交、公交、 公交 ")[0] == ["公交"]
    assert normalise_tags("")[0] == [] and normalise_tags("。、“”")[0] == []
    assert normalise_tag("ＡＢＣ１２") == "ABC12"  # full-width → half-width


def test_real_catalogue_spellings():
    cycles, opens, themes, formats = (vocab.UPDATE_CYCLES, vocab.OPEN_TYPES, vocab.THEMES,
                                      vocab.RESOURCE_FORMATS)
    assert cycles.lookup("每天").value == "daily" and cycles.lookup("年").value == "annual"
    assert cycles.lookup("季度").value == "quarterly" and cycles.lookup("其他").value == "irregular"
    assert cycles.lookup("每年(更新说明:暂无新业务数据产生)").value == "annual"
    assert cycles.lookup("每 2 日").value == "irregular"
    assert opens.lookup("依申请开放").value == "conditional"
    assert opens.lookup("登录开放").value == "conditional"
    assert opens.lookup("完全开放").value == "unconditional"
    assert themes.lookup("生态环境,气象服务").value == "environment"
    assert themes.lookup("城市建设").value == "housing"
    assert formats.lookup("数据库-mysql").value == "database"
    assert formats.lookup("电子表格/xlsx").value == "spreadsheet"
    assert cycles.lookup("每十年") is None and opens.lookup("随便") is None


def test_no_spelling_names_two_terms():
    """An alias must not be the code or label of another term of the same vocabulary."""
    for v in vocab.ALL.values():
        owners: dict[str, str] = {}
        for t in v:
            for key in (t.value, t.zh, t.en, *t.aliases):
                k = vocab.clean(key)
                assert owners.setdefault(k, t.value) == t.value, (v.name, key)
