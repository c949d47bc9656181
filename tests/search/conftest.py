# -*- coding: utf-8 -*-
"""Fixtures of the search tests (issue 15): a small catalogue of realistic entries of three
departments in two places, indexed by the real Solr node with govshare's schema."""
from __future__ import annotations

from typing import Any

import pytest

from tests.factories import LEVEL_EXTRAS, department, entry


@pytest.fixture
def citizen_catalogue(clean_db, clean_index) -> dict[str, Any]:
    """Entries as published (titles, descriptions), with one 不予开放 entry."""
    transport = department(title="市交通局", region_code="500000")
    civil = department(title="市民政局", provider_code="11500000MB1632648W", region_code="500000")
    planning = department(title="市规划和自然资源局", provider_code="115000007093277483",
                          region_code="500000")
    yuzhong = department(title="渝中区大数据发展局", provider_code="11500103MB1526731X",
                         region_code="500103")
    entry(transport, name="gongjiao-xianlu", title="公交线路信息", resource_code="203001/000001",
          notes="全市主城都市区地面公交线路的线路编号、线路名称、起讫站点、首末班时间和票价。")
    entry(transport, name="jiaotong-weifa", title="交通违法处理窗口", resource_code="203001/000002",
          notes="机动车交通违法处理窗口的名称、地址和办公时间。")
    entry(transport, name="weizhang-tingche", title="违章停车抓拍点位", resource_code="203001/000003",
          notes="道路违章停车电子抓拍设备的点位。")
    entry(civil, name="yanglao-jigou", title="养老机构名录", resource_code="208001/000001",
          theme="livelihood", notes="全市养老机构的名称、地址、床位数和收费标准。")
    # mentions the civil affairs department without being published by it
    entry(transport, name="laonian-gongjiao", title="老年人乘车优惠办理点", resource_code="203001/000004",
          notes="会同市民政局设立的老年人公交乘车优惠卡办理点（市民政局认定的养老机构可代办）。")
    entry(planning, name="tudi-churang", title="国有建设用地出让结果", resource_code="211001/000001",
          theme="geography", notes="国有建设用地使用权出让的宗地位置、面积和成交价。")
    entry(yuzhong, name="yuzhong-gongce", title="渝中区公共厕所分布", resource_code="212001/000001",
          theme="livelihood", notes="公共厕所的位置和开放时间。")
    entry(civil, name="kunnan-jiating", title="困难家庭救助对象名册", resource_code="308001/000009",
          resource_category="department", theme="livelihood",
          notes="最低生活保障对象和特困供养人员的姓名与住址。",
          open_type="closed", **LEVEL_EXTRAS[("closed", "unconditional")])
    return {"transport": transport, "civil": civil, "planning": planning, "yuzhong": yuzhong}
