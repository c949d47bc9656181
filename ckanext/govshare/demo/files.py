# -*- coding: utf-8 -*-
"""Data files of the demo catalogue, generated from each entry's 信息项 (data items).

The same entry always gives the same rows (a fixed seed per entry), so the demo loader can
tell by the file's hash whether what it hosts is current. Values follow the data item's
type (dates, integers, decimals, codes) and, where its name says what it holds, look like
it: Chongqing districts and roads, Chinese names, valid credit codes, masked ID numbers.
Everything is invented.

Files: CSV (UTF-8 with a BOM, so Excel opens it as UTF-8), XLSX (openpyxl), JSON (GeoJSON
when the items include 经度 and 纬度); the same rows go into the DataStore, whose column
types come from the data item types (:func:`datastore_fields`).
"""
from __future__ import annotations

import csv
import datetime
import decimal
import hashlib
import io
import json
import random
import re
import zlib
from typing import Any, Callable, Optional

from ckanext.govshare.vocab import identifiers
from openpyxl import Workbook
from openpyxl.styles import Font
import zipfile

# 信息项数据类型 (vocab.DATA_ITEM_TYPES) -> DataStore column type
DATASTORE_TYPES = {"C": "text", "M": "text", "G": "text", "L": "text", "N": "numeric", "Y": "numeric",
                   "B": "numeric", "F": "numeric", "I": "int", "D": "date", "T": "timestamp"}
MEDIA_TYPES = {"csv": "text/csv", "json": "application/json",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}

DISTRICTS = (("500101", "万州区"), ("500103", "渝中区"), ("500104", "大渡口区"), ("500105", "江北区"),
             ("500106", "沙坪坝区"), ("500107", "九龙坡区"), ("500108", "南岸区"), ("500109", "北碚区"),
             ("500112", "渝北区"), ("500113", "巴南区"), ("500115", "长寿区"), ("500116", "江津区"),
             ("500117", "合川区"), ("500118", "永川区"), ("500120", "璧山区"))
STREETS = ("解放碑街道", "七星岗街道", "大坪街道", "石油路街道", "观音桥街道", "南坪街道", "杨家坪街道",
           "沙坪坝街道", "天星桥街道", "两路街道", "龙溪街道", "鱼洞街道", "北温泉街道", "歇马街道")
ROADS = ("中山一路", "中山三路", "民生路", "解放东路", "民族路", "长江一路", "渝州路", "建新北路",
         "南坪西路", "杨家坪正街", "小龙坎正街", "金开大道", "学府大道", "红锦大道", "嘉陵江滨江路",
         "龙华大道", "华福大道", "天生路", "北城天街", "西城大道")
STOPS = ("解放碑", "较场口", "七星岗", "两路口", "上清寺", "牛角沱", "大坪", "石油路", "袁家岗", "杨家坪",
         "动物园", "沙坪坝", "小龙坎", "石桥铺", "观音桥", "红旗河沟", "南坪", "四公里", "弹子石", "大石坝",
         "冉家坝", "光电园", "鱼洞", "北碚", "西永", "大学城")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余杜"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国红梅鑫宇浩然欣怡子涵雨桐俊杰思远晓东"
COMPANY_WORDS = ("渝信", "山城", "嘉陵", "长江", "两江", "巴渝", "朝天", "缙云", "南山", "歌乐", "鹅岭",
                 "洪崖", "金佛", "龙门", "渝州", "天府", "融创", "宏图", "联达", "恒远")
TRADES = ("商贸", "餐饮管理", "食品", "电子科技", "建筑工程", "物流", "汽车销售", "医药", "信息技术",
          "文化传媒", "农业开发", "机械制造", "家政服务", "教育咨询", "装饰工程")
COMPANY_FORMS = ("有限公司", "有限责任公司", "股份有限公司")
HOSPITALS = ("人民医院", "中医院", "妇幼保健院", "社区卫生服务中心", "第一人民医院", "口腔医院", "骨科医院",
             "中西医结合医院", "精神卫生中心", "街道卫生院")
FOODS = ("小面（干面条）", "火锅底料", "鲜榨菜", "腊肉", "豆瓣酱", "灯影牛肉", "米花糖", "怪味胡豆", "陈麻花",
         "老鸭汤料", "酸辣粉", "桶装饮用水", "鲜牛奶", "大米", "菜籽油", "猪肉", "鸡蛋", "豆腐干")
ENUMS: dict[str, tuple[str, ...]] = {
    "医院等级": ("三级甲等", "三级乙等", "二级甲等", "二级乙等", "一级", "未定级"),
    "机构类别": ("综合医院", "中医医院", "专科医院", "社区卫生服务中心", "乡镇卫生院", "门诊部"),
    "险种": ("企业职工基本养老保险", "城乡居民基本养老保险", "失业保险", "工伤保险", "职工基本医疗保险"),
    "市场主体类型": ("有限责任公司（自然人投资或控股）", "有限责任公司（自然人独资）", "股份有限公司（非上市）",
               "个体工商户", "农民专业合作社", "外商投资企业分公司"),
    "列入原因": ("未依照规定期限公示年度报告", "通过登记的住所或者经营场所无法联系",
             "公示企业信息隐瞒真实情况、弄虚作假", "未在责令期限内公示有关企业信息"),
    "作出决定机关": tuple(f"重庆市{d}市场监督管理局" for _, d in DISTRICTS[:8]),
    "移出原因": ("已补报未报年份的年度报告并公示", "依法办理住所或者经营场所变更登记", "已更正其公示的信息"),
    "不合格项目": ("菌落总数", "大肠菌群", "苯甲酸及其钠盐（以苯甲酸计）", "过氧化值（以脂肪计）", "铅（以Pb计）",
              "二氧化硫残留量", "甜蜜素（以环己基氨基磺酸计）"),
    "灾害类型": ("滑坡", "崩塌", "泥石流", "地面塌陷", "不稳定斜坡"),
    "规模等级": ("小型", "中型", "大型"),
    "首要污染物": ("PM2.5", "PM10", "O3", "NO2", "—"),
    "燃料类型": ("汽油", "柴油", "油电混合", "天然气"),
    "收费标准": ("首小时5元，之后每小时2元，全天封顶30元", "每小时3元，夜间（22:00-次日7:00）每小时1元",
             "首小时8元，之后每半小时2元", "15分钟内免费，之后每小时4元"),
    "政策名称": ("渝中区促进楼宇经济高质量发展若干政策", "渝中区支持中小微企业稳岗扩岗补贴",
             "渝中区科技型企业研发投入奖励", "渝中区促进消费升级若干措施", "渝中区人才安居补贴"),
    "审核结果": ("通过", "通过", "通过", "不通过"),
    "准驾车型": ("C1", "C2", "A1", "A2", "B1"),
}


def seed_for(name: str) -> int:
    """The fixed seed of an entry's rows."""
    return zlib.crc32(("govshare-demo:" + name).encode("utf-8"))


def row_count(name: str) -> int:
    """How many rows the entry's file has: 30 to 150, fixed per entry."""
    return random.Random(seed_for(name) + 1).randint(30, 150)


class _Rows:
    """The generator of one entry's rows (one random source, in item order)."""

    def __init__(self, entry: dict[str, Any]) -> None:
        self.entry = entry
        self.rng = random.Random(seed_for(entry["name"]))
        # a district's entry has its places in that district
        own = [d for d in DISTRICTS if d[0] == entry.get("region_code")]
        self.districts = own or list(DISTRICTS)

    # -- building blocks ------------------------------------------------------------------

    def pick(self, values: Any) -> Any:
        return self.rng.choice(list(values))

    def person(self) -> str:
        given = self.pick(GIVEN) + (self.pick(GIVEN) if self.rng.random() < 0.7 else "")
        return self.pick(SURNAMES) + given

    def company(self) -> str:
        district = self.pick(self.districts)[1][:-1] if self.rng.random() < 0.4 else ""
        return f"重庆{district}{self.pick(COMPANY_WORDS)}{self.pick(TRADES)}{self.pick(COMPANY_FORMS)}"

    def hospital(self) -> str:
        return f"重庆市{self.pick(DISTRICTS)[1]}{self.pick(HOSPITALS)}"

    def address(self) -> str:
        return f"重庆市{self.pick(self.districts)[1]}{self.pick(ROADS)}{self.rng.randint(1, 399)}号"

    def day(self, start: str = "2018-01-01", end: str = "2025-12-31") -> datetime.date:
        a, b = datetime.date.fromisoformat(start), datetime.date.fromisoformat(end)
        return a + datetime.timedelta(days=self.rng.randint(0, (b - a).days))

    def moment(self) -> datetime.datetime:
        return datetime.datetime.combine(self.day("2025-01-01"), datetime.time(
            self.rng.randint(0, 23), self.rng.choice((0, 15, 30, 45))))

    def credit_code(self) -> str:
        district = self.pick(DISTRICTS)[0]
        body = "91" + district + "".join(self.pick(identifiers.USCC_CHARSET) for _ in range(9))
        return body + identifiers.uscc_check_char(body)

    def citizen_id(self) -> str:
        """A masked ID number (first 6, last 4), as open data shows it."""
        born = self.day("1950-01-01", "2004-12-31").strftime("%Y%m%d")
        first17 = self.pick(DISTRICTS)[0] + born + f"{self.rng.randint(0, 999):03d}"
        return identifiers.mask_citizen_id(first17 + identifiers.id_check_digit(first17))

    def decimal(self, low: float, high: float, places: int = 2) -> decimal.Decimal:
        return decimal.Decimal(f"{self.rng.uniform(low, high):.{places}f}")

    # -- one value ------------------------------------------------------------------------

    def value(self, item: dict[str, Any], row: dict[str, Any], i: int) -> Any:
        name = str(item.get("item_name") or "")
        kind = str(item.get("item_type") or "C")
        rule = _rule(name)
        if rule is not None:
            return rule(self, row, i)
        options = _options(item)
        if options:
            return self.pick(options)
        return self.by_type(kind, name, i)

    def by_type(self, kind: str, name: str, i: int) -> Any:
        if kind == "I":
            return self.rng.randint(1, 5000)
        if kind == "Y":
            return self.decimal(10, 100000)
        if kind in ("N", "F", "B"):
            return self.decimal(0, 1000)
        if kind == "D":
            return self.day()
        if kind == "T":
            return self.moment()
        if kind == "L":
            return self.pick(("是", "否"))
        if kind == "M":
            return f"{name}说明（第{i + 1}条）"
        if re.search(r"(编号|编码|证号|代码|号)$", name):
            return f"{_initials(self.entry['name'])}{2025}{i + 1:06d}"
        return f"{name}{i + 1}"

    def rows(self, count: Optional[int] = None) -> tuple[list[str], list[list[Any]]]:
        items = [i for i in self.entry.get("data_items") or [] if i.get("item_name")]
        columns = [i["item_name"] for i in items]
        out = []
        for n in range(count if count is not None else row_count(self.entry["name"])):
            row: dict[str, Any] = {}
            for item in items:
                row[item["item_name"]] = self.value(item, row, n)
            out.append([row[c] for c in columns])
        return columns, out


def _initials(name: str) -> str:
    return "".join(p[0] for p in name.split("-") if p).upper()


def _options(item: dict[str, Any]) -> tuple[str, ...]:
    """Values a short text item lists in its description: 有效、注销、吊销; 国五、国六等."""
    if item.get("item_type") not in ("C", None) or int(item.get("item_length") or 99) > 12:
        return ()
    text = re.sub(r"等$", "", str(item.get("item_description") or "").strip())
    parts = [p.strip() for p in text.split("、")]
    if len(parts) < 2 or any(not p or len(p) > 8 or " " in p for p in parts):
        return ()
    return tuple(parts)


def _fare(g: _Rows, row: dict, i: int) -> decimal.Decimal:
    return decimal.Decimal(g.pick(("1.00", "2.00", "2.00", "2.00", "3.00", "5.00")))


LAST_DAY = datetime.date(2025, 12, 31)  # no event of the demo data is later


def _later_day(after: str) -> Callable[[_Rows, dict, int], Any]:
    """A day after the row's ``after`` day (and not after LAST_DAY)."""
    def rule(g: _Rows, row: dict, i: int) -> Any:
        start = row.get(after)
        if not isinstance(start, datetime.date):
            return g.day()
        if start >= LAST_DAY:
            return start
        return start + datetime.timedelta(days=g.rng.randint(1, min(730, (LAST_DAY - start).days)))
    return rule


def _removed(g: _Rows, row: dict, i: int) -> str:
    return g.pick(ENUMS["移出原因"]) if g.rng.random() < 0.35 else ""


def _removed_day(g: _Rows, row: dict, i: int) -> Any:
    if not row.get("移出原因"):
        return None
    return _later_day("列入日期")(g, row, i)


def _failed_item(g: _Rows, row: dict, i: int) -> str:
    return g.pick(ENUMS["不合格项目"]) if row.get("检验结果") == "不合格" else ""


def _test_result(g: _Rows, row: dict, i: int) -> str:
    return "不合格" if g.rng.random() < 0.12 else "合格"


def _free_spaces(g: _Rows, row: dict, i: int) -> int:
    total = row.get("总泊位数")
    return g.rng.randint(0, total) if isinstance(total, int) else g.rng.randint(0, 200)


def _line_no(g: _Rows, row: dict, i: int) -> str:
    return f"CQBUS{100 + i * 7:04d}"


def _line_name(g: _Rows, row: dict, i: int) -> str:
    number = row.get("线路编号", "")
    return f"{int(number[-4:]) if number[-4:].isdigit() else 100 + i}路"


def _enum(name: str) -> Callable[[_Rows, dict, int], Any]:
    return lambda g, row, i: g.pick(ENUMS[name])


# item name (exact, or a regular expression searched in it) -> how its values are made
_EXACT: dict[str, Callable[[_Rows, dict, int], Any]] = {
    "线路编号": _line_no,
    "线路名称": _line_name,
    "首班时间": lambda g, row, i: f"0{g.rng.randint(5, 7)}:{g.pick(('00', '10', '20', '30', '40', '50'))}",
    "末班时间": lambda g, row, i: f"{g.rng.randint(20, 23)}:{g.pick(('00', '15', '30', '45'))}",
    "票价": _fare,
    "运营单位": lambda g, row, i: f"重庆公交集团{g.pick(('渝中', '沙坪坝', '南岸', '渝北', '九龙坡', '北碚'))}分公司",
    "途经线路": lambda g, row, i: ";".join(f"CQBUS{100 + g.rng.randint(0, 80) * 7:04d}"
                                        for _ in range(g.rng.randint(1, 4))),
    "经度": lambda g, row, i: g.decimal(106.35, 106.75, 6),
    "纬度": lambda g, row, i: g.decimal(29.40, 29.75, 6),
    "统计季度": lambda g, row, i: f"{g.rng.randint(2023, 2025)}Q{g.rng.randint(1, 4)}",
    "参保人数": lambda g, row, i: g.rng.randint(20000, 900000),
    "较上季度增减": lambda g, row, i: g.rng.randint(-3000, 12000),
    "运营车辆数": lambda g, row, i: g.rng.randint(300, 4200),
    "载客次数": lambda g, row, i: g.rng.randint(5000, 160000),
    "载客里程": lambda g, row, i: g.decimal(30000, 900000, 1),
    "空驶率": lambda g, row, i: g.decimal(18, 45, 1),
    "检验结果": _test_result,
    "不合格项目": _failed_item,
    "移出原因": _removed,
    "移出日期": _removed_day,
    "有效期至": lambda g, row, i: g.day("2026-01-01", "2031-12-31"),
    "拨付日期": lambda g, row, i: None if row.get("审核结果") == "不通过" else _later_day("申报日期")(g, row, i),
    "总泊位数": lambda g, row, i: g.rng.randint(40, 1200),
    "空余泊位数": _free_spaces,
    "AQI": lambda g, row, i: g.rng.randint(18, 165),
    "威胁人数": lambda g, row, i: g.rng.randint(3, 600),
    "注册资本": lambda g, row, i: g.decimal(1, 5000, 2),
    "兑现金额": lambda g, row, i: None if row.get("审核结果") == "不通过" else g.decimal(5000, 800000, 2),
    "威胁财产": lambda g, row, i: g.decimal(5, 3000, 2),
    "号牌号码": lambda g, row, i: "渝" + g.pick("ABCDFGH") + "".join(
        g.pick("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(5)),
    "车辆识别代号": lambda g, row, i: "L" + "".join(g.pick("0123456789ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(16)),
    "性别": lambda g, row, i: g.pick(("男", "女")),
}
_PATTERNS: tuple[tuple[str, Callable[[_Rows, dict, int], Any]], ...] = (
    (r"统一社会信用代码$", lambda g, row, i: g.credit_code()),
    (r"公民身份号码$|证件号码$", lambda g, row, i: g.citizen_id()),
    (r"区县代码$", lambda g, row, i: g.pick(g.districts)[0]),
    (r"区县$", lambda g, row, i: g.pick(g.districts)[1]),
    (r"乡镇|街道", lambda g, row, i: g.pick(STREETS)),
    (r"道路", lambda g, row, i: g.pick(ROADS)),
    (r"地址$|住所$|坐落$|地点$", lambda g, row, i: g.address()),
    (r"电话$", lambda g, row, i: f"023-{g.rng.randint(60000000, 68999999)}"),
    (r"姓名$|法定代表人$|^权利人$", lambda g, row, i: g.person()),
    (r"^机构名称$|执业机构$", lambda g, row, i: g.hospital()),
    (r"企业名称$|主体名称$|生产企业$|抽样单位$|对象名称$|当事人名称$|申请人$", lambda g, row, i: g.company()),
    (r"^起点站$|^终点站$|站点名称$", lambda g, row, i: g.pick(STOPS)),
    (r"停车场名称$", lambda g, row, i: f"{g.pick(STOPS)}{g.pick(('公共停车场', '地下停车库', '立体停车楼'))}"),
    (r"隐患点名称$", lambda g, row, i: f"{g.pick(STREETS)[:-2]}{g.pick(('后山', '沟口', '老街', '场镇'))}"
                                       f"{g.pick(ENUMS['灾害类型'])}"),
    (r"样品名称$", lambda g, row, i: g.pick(FOODS)),
    (r"浓度$", lambda g, row, i: g.decimal(5, 120, 1)),
    (r"^统计日期$|日期$", lambda g, row, i: g.day("2021-01-01")),
    (r"时间$", lambda g, row, i: g.moment()),
)


def _rule(name: str) -> Optional[Callable[[_Rows, dict, int], Any]]:
    if name in _EXACT:
        return _EXACT[name]
    if name in ENUMS:
        return _enum(name)
    return next((rule for pattern, rule in _PATTERNS if re.search(pattern, name)), None)


# -- what the loader uses ---------------------------------------------------------------------

def rows(entry: dict[str, Any], count: Optional[int] = None) -> tuple[list[str], list[list[Any]]]:
    """The column names (the entry's data item names) and the rows of its file."""
    return _Rows(entry).rows(count)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _json_value(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return _text(value)
    return value


def csv_bytes(columns: list[str], data: list[list[Any]]) -> bytes:
    """CSV in UTF-8 with a byte order mark (Excel then reads it as UTF-8), CRLF line ends."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerows([_text(v) for v in row] for row in data)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(columns: list[str], data: list[list[Any]], title: str = "数据") -> bytes:

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in data:
        sheet.append(["" if v is None else v for v in row])
    for n, column in enumerate(columns, start=1):
        width = max([len(column) * 2] + [len(_text(r[n - 1])) * 1.6 for r in data[:50]])
        sheet.column_dimensions[sheet.cell(row=1, column=n).column_letter].width = min(60, max(10, width))
    sheet.freeze_panes = "A2"
    book.properties.creator = "govshare"
    out = io.BytesIO()
    book.save(out)
    return _stable_zip(out.getvalue())


_FIXED_TIME = datetime.datetime(2025, 1, 1)
_TIME_RE = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def _stable_zip(content: bytes) -> bytes:
    """The workbook with fixed times (zip entries, document properties): the same rows give
    the same bytes, so the loader sees by the hash that the hosted file is current."""

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _TIME_RE.sub(rb"\g<1>" + _FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + rb"\2", data)
            target.writestr(zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME.timetuple()[:6]), data,
                            compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def json_bytes(columns: list[str], data: list[list[Any]]) -> bytes:
    """A JSON array of records; a GeoJSON FeatureCollection when there are 经度 and 纬度."""
    records = [{c: _json_value(v) for c, v in zip(columns, row)} for row in data]
    if "经度" in columns and "纬度" in columns:
        document: Any = {"type": "FeatureCollection", "features": [{
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [r["经度"], r["纬度"]]},
            "properties": r,
        } for r in records]}
    else:
        document = records
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


WRITERS = {"csv": csv_bytes, "xlsx": xlsx_bytes, "json": json_bytes}


def file_bytes(kind: str, entry: dict[str, Any]) -> bytes:
    """The entry's file as ``kind`` (csv, xlsx, json)."""
    columns, data = rows(entry)
    return WRITERS[kind](columns, data)


def digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def datastore_fields(entry: dict[str, Any]) -> list[dict[str, Any]]:
    """DataStore columns: one per data item, typed by its data type, labelled and described
    by the item (CKAN shows them as the resource's data dictionary)."""
    fields = []
    for item in entry.get("data_items") or []:
        if not item.get("item_name"):
            continue
        info = {"label": item["item_name"]}
        if item.get("item_description"):
            info["notes"] = str(item["item_description"])
        fields.append({"id": item["item_name"], "type": DATASTORE_TYPES.get(item.get("item_type"), "text"),
                       "info": info})
    return fields


def datastore_records(entry: dict[str, Any]) -> list[dict[str, Any]]:
    columns, data = rows(entry)
    return [{c: (None if v in ("", None) else _json_value(v)) for c, v in zip(columns, row)} for row in data]
