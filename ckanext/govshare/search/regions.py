# -*- coding: utf-8 -*-
"""Regions an entry belongs to, for the ``region`` search field and facet (issue 15).

Two sources, both on the entry as CKAN indexes it:

* the 行政区划代码 (``region_code``) of the entry, else of its department: the province from its
  first two digits (GB/T 2260, ``vocab.PROVINCES``), and the 重庆 districts the platform knows
  by name (:data:`KNOWN_CODES`);
* the department's title, whose leading place names are how Chinese departments are named
  (上海市住房和城乡建设管理委员会, 杭州市西湖区教育局, 贵州省交通运输厅): the province, the
  city or prefecture, the district or county found at its start.

A department titled without a place (市交通局, 区大数据局) contributes nothing; its region
comes from its 行政区划代码.
"""
from __future__ import annotations

import re
from typing import Any, Iterable

from ckanext.govshare import vocab

# 行政区划代码 -> name, beyond the provinces: the city-level units of the platform's own region.
KNOWN_CODES: dict[str, str] = {
    "500000": "重庆市", "500100": "重庆市",
    "500101": "万州区", "500102": "涪陵区", "500103": "渝中区", "500104": "大渡口区",
    "500105": "江北区", "500106": "沙坪坝区", "500107": "九龙坡区", "500108": "南岸区",
    "500109": "北碚区", "500110": "綦江区", "500111": "大足区", "500112": "渝北区",
    "500113": "巴南区", "500114": "黔江区", "500115": "长寿区", "500116": "江津区",
    "500117": "合川区", "500118": "永川区", "500119": "南川区", "500120": "璧山区",
}

_PROVINCE_NAMES = [t.zh for t in vocab.PROVINCES]
# 上海市 -> 上海, 广西壮族自治区 -> 广西 (a department may use either)
_PROVINCE_SHORT = {re.sub(r"(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)$", "", n): n
                   for n in _PROVINCE_NAMES}

# a place name at the start of a title: 2-7 characters ending in a unit word; words that end in
# 市/区/县 without being places are refused (城市管理局, 全市, 开发区管委会 …)
_CITY_UNITS = ("市", "自治州", "州", "盟", "地区")
_DISTRICT_UNITS = ("新区", "区", "县", "旗", "市")
_NOT_PLACES = {"城市", "全市", "本市", "都市", "超市", "市", "全区", "本区", "城区", "市区", "社区",
               "园区", "景区", "小区", "地区", "新区", "开发区", "高新区", "保税区", "自贸区",
               "示范区", "试验区", "片区", "辖区", "街区", "商圈"}
_NOT_IN_PLACE = ("和", "与", "及", "管理", "监督", "委员", "建设", "城乡", "发展", "服务", "中心",
                 "人民", "政府", "办公", "大数据", "局", "厅", "委")


def from_code(code: Any) -> list[str]:
    """The province (and the known city or district) of a 行政区划代码."""
    code = str(code or "").strip()
    if not re.fullmatch(r"\d{6}(\d{6})?", code):
        return []
    code = code[:6]
    names: list[str] = []
    province = vocab.PROVINCES.get(code[:2])
    if province is not None:
        names.append(province.zh)
    name = KNOWN_CODES.get(code)
    if name and name not in names:
        names.append(name)
    return names


def from_title(title: Any) -> list[str]:
    """The place names a department's title starts with (province, city, district)."""
    rest = re.sub(r"\s+", "", str(title or ""))
    names: list[str] = []
    for short, full in sorted(_PROVINCE_SHORT.items(), key=lambda x: -len(x[0])):
        if short and (rest.startswith(full) or rest.startswith(short)):
            names.append(full)
            rest = rest[len(full):] if rest.startswith(full) else rest[len(short):]
            break
    for units in (_CITY_UNITS, _DISTRICT_UNITS):  # city or prefecture, then district or county
        place = _place(rest, units)
        if place:
            if place not in names:
                names.append(place)
            rest = rest[len(place):]
    return names


def _place(text: str, units: tuple[str, ...]) -> str:
    """The longest place name (2-7 characters ending in one of ``units``) ``text`` starts with."""
    best = ""
    for end in range(2, min(7, len(text)) + 1):
        place = text[:end]
        if not re.fullmatch(r"[\u4e00-\u9fff]+", place) or not place.endswith(units):
            continue
        if place in _NOT_PLACES or any(w in place for w in _NOT_IN_PLACE) or place[-1] == place[-2]:
            continue  # 成都市市场监督管理局: the city is 成都市, not 成都市市
        best = place
    return best


def regions(codes: Iterable[Any], titles: Iterable[Any]) -> list[str]:
    """All regions of an entry, most general first, without repeats."""
    out: list[str] = []
    for name in [n for c in codes for n in from_code(c)] + [n for t in titles for n in from_title(t)]:
        if name not in out:
            out.append(name)
    return out
