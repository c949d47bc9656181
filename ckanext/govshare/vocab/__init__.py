# -*- coding: utf-8 -*-
"""The one home of govshare's controlled vocabularies.

Every list of allowed values — open and share types, share methods, update cycles,
resource formats, data-item types, resource categories, themes, department levels, licences,
and the applications' request kinds, statuses, event actions and grant statuses — is
defined here once. Scheming forms (through the ``govshare_vocab_choices`` helper),
validators, search facets, templates and the DCAT profile all read them from here.

Stored values are short ASCII codes that never change; labels come in Chinese and
English; ``uri`` carries the matching term of a standard vocabulary where one exists
(EU access-right, frequency and data-theme vocabularies), for DCAT.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Iterator

EU_ACCESS = "http://publications.europa.eu/resource/authority/access-right/"
EU_FREQ = "http://publications.europa.eu/resource/authority/frequency/"
EU_THEME = "http://publications.europa.eu/resource/authority/data-theme/"


@dataclass(frozen=True)
class Term:
    value: str
    zh: str
    en: str
    uri: str | None = None
    # further values a spreadsheet or another system may use for this term
    aliases: tuple[str, ...] = ()

    def label(self, lang: str | None = None) -> str:
        return self.en if (lang or "").startswith("en") else self.zh


#: cells that say "nothing" in real catalogues: read as blank
BLANK_WORDS = frozenset({"空", "无", "暂无", "-", "—", "/", "null", "none", "n/a"})

_REMARK_RE = re.compile(r"\([^)]*\)?")
_SPACE_RE = re.compile(r"\s+")
_LIST_RE = re.compile(r"[,、;]+")
_PREFIX_RE = re.compile(r"[-/:]")


def clean(text: str) -> str:
    """A cell as a lookup key: full-width characters folded (NFKC), a remark in brackets and
    all spaces removed, trailing punctuation dropped, lower case."""
    key = unicodedata.normalize("NFKC", str(text or ""))
    key = _REMARK_RE.sub("", key)
    key = _SPACE_RE.sub("", key).strip(",.;、。").lower()
    return key


def _candidates(key: str) -> Iterator[str]:
    cleaned = clean(key)
    yield cleaned
    for part in (p for p in _LIST_RE.split(cleaned) if p):
        yield part
        pieces = [p for p in _PREFIX_RE.split(part) if p]
        if len(pieces) > 1:
            yield from pieces


@dataclass(frozen=True)
class Vocabulary:
    name: str
    zh: str
    en: str
    terms: tuple[Term, ...]
    _index: dict[str, Term] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for term in self.terms:
            for key in (term.value, term.zh, term.en, *term.aliases):
                self._index.setdefault(key.strip().lower(), term)
                self._index.setdefault(clean(key), term)

    def __iter__(self) -> Iterator[Term]:
        return iter(self.terms)

    def __contains__(self, value: object) -> bool:
        return any(t.value == value for t in self.terms)

    def values(self) -> list[str]:
        return [t.value for t in self.terms]

    def get(self, value: str | None) -> Term | None:
        """The term stored as ``value``, or None."""
        return next((t for t in self.terms if t.value == value), None)

    def lookup(self, text: str | None) -> Term | None:
        """The term a person may have written: its code, Chinese or English label, or one of
        the spellings real catalogues use (``aliases``), also written with full-width
        characters, spaces, a remark in brackets (``每年(更新说明:…)``), a type prefix
        (``数据库-mysql``) or several values of which the first known one is taken
        (``生态环境,气象服务``): see :func:`clean`."""
        if text is None:
            return None
        key = str(text).strip().lower()
        found = self._index.get(key)
        if found is not None:
            return found
        for candidate in _candidates(key):
            found = self._index.get(candidate)
            if found is not None:
                return found
        return None

    def label(self, value: str | None, lang: str | None = None) -> str:
        term = self.get(value)
        return term.label(lang) if term else (value or "")

    def choices(self) -> list[dict[str, object]]:
        """Choices in the shape ckanext-scheming wants (bilingual labels)."""
        return [
            {"value": t.value, "label": {"zh_Hans_CN": t.zh, "en": t.en}}
            for t in self.terms
        ]


OPEN_TYPES = Vocabulary("open_type", "开放类型", "Open attribute", (
    Term("unconditional", "无条件开放", "Unconditionally open", EU_ACCESS + "PUBLIC",
         aliases=("无条件", "完全开放", "普遍开放", "公开", "开放")),
    Term("conditional", "有条件开放", "Conditionally open", EU_ACCESS + "RESTRICTED",
         aliases=("有条件", "依申请开放", "依申请", "申请开放", "登录开放", "需申请", "用户申请",
                  "部门间申请开放", "安全开放", "受限开放")),
    Term("closed", "不予开放", "Not open", EU_ACCESS + "NON_PUBLIC",
         aliases=("non-open", "不开放", "非开放")),
))

SHARE_TYPES = Vocabulary("share_type", "共享类型", "Share attribute", (
    Term("unconditional", "无条件共享", "Unconditionally shared", aliases=("非受限共享",)),
    Term("conditional", "有条件共享", "Conditionally shared", aliases=("受限共享",)),
    Term("none", "不予共享", "Not shared", aliases=("非共享",)),
))

# Openness ranks: a higher rank is more open. Used by the coherence rule and the access layer.
OPEN_RANK = {"closed": 0, "conditional": 1, "unconditional": 2}
SHARE_RANK = {"none": 0, "conditional": 1, "unconditional": 2}

SHARE_METHODS = Vocabulary("share_method", "共享方式", "Share method", (
    Term("api", "接口交换", "API exchange", aliases=("接口",)),
    Term("download", "文件下载", "File download"),
    Term("online", "在线浏览", "Online browsing"),
    Term("offline", "离线交换", "Offline exchange"),
))

UPDATE_CYCLES = Vocabulary("update_cycle", "更新周期", "Update cycle", (
    Term("realtime", "实时", "Real time", EU_FREQ + "UPDATE_CONT",
         aliases=("即时", "实时更新", "分钟级", "小时级", "每小时", "每分钟")),
    Term("daily", "每日", "Daily", EU_FREQ + "DAILY",
         aliases=("每天", "日", "天", "按日", "每日更新", "每天更新", "日更新")),
    Term("weekly", "每周", "Weekly", EU_FREQ + "WEEKLY", aliases=("周", "按周", "每周更新")),
    Term("monthly", "每月", "Monthly", EU_FREQ + "MONTHLY", aliases=("月", "按月", "每月更新")),
    Term("quarterly", "每季度", "Quarterly", EU_FREQ + "QUARTERLY",
         aliases=("季度", "季", "每季", "按季度", "每季度更新", "每3月", "每三个月")),
    Term("semiannual", "每半年", "Every six months", EU_FREQ + "ANNUAL_2",
         aliases=("半年", "每半年更新", "半年度")),
    Term("annual", "每年", "Yearly", EU_FREQ + "ANNUAL",
         aliases=("年", "年度", "每年度", "按年", "每年更新", "年更新")),
    # cycles with no term of their own (every two years, every two days) are irregular
    Term("irregular", "不定期", "Irregular", EU_FREQ + "IRREG",
         aliases=("不定期更新", "不定时", "不更新", "静态数据", "其他", "其它", "按需", "按需更新",
                  "每两年", "每2年", "每2日", "每五年")),
))

# 信息资源格式 (national catalogue guide, 2017): type, with its sub-types (file formats).
RESOURCE_FORMATS = Vocabulary("resource_format", "信息资源格式", "Resource format", (
    Term("electronic_file", "电子文件", "Electronic document",
         aliases=("file", "pdf", "doc", "docx", "txt", "ofd", "wps", "html", "apk", "文件", "其他", "其它")),
    Term("spreadsheet", "电子表格", "Spreadsheet",
         aliases=("xls", "xlsx", "csv", "et", "excel", "table", "表格")),
    Term("database", "数据库", "Database",
         aliases=("db", "mysql", "oracle", "sqlserver", "db数据库", "data")),
    Term("image", "图形图像", "Graphics and images"),
    Term("streaming", "流媒体", "Streaming media"),
    Term("self_describing", "自描述格式", "Self-describing format", aliases=("json", "xml", "rdf")),
    Term("service_api", "服务接口", "Service interface",
         aliases=("api", "接口", "http", "link", "webservice", "rest")),
))

FORMAT_SUBTYPES: dict[str, tuple[str, ...]] = {
    "electronic_file": ("OFD", "WPS", "XML", "TXT", "DOC", "DOCX", "HTML", "PDF", "PPT"),
    "spreadsheet": ("ET", "XLS", "XLSX", "CSV"),
    "database": ("DM", "KingbaseES", "Access", "DBF", "dBase", "Sybase", "Oracle",
                 "SQL Server", "DB2", "MySQL", "PostgreSQL"),
    "image": ("JPG", "GIF", "BMP", "PNG", "TIFF", "SHP"),
    "streaming": ("SWF", "RM", "MPG", "MP4"),
    "self_describing": ("JSON", "XML", "RDF"),
    "service_api": ("REST", "WebService", "OGC WMS", "OGC WFS"),
}

# 信息项数据类型 (national catalogue guide, 2017, table of data types)
DATA_ITEM_TYPES = Vocabulary("data_item_type", "数据类型", "Data type", (
    Term("C", "字符型", "Character"),
    Term("N", "数值型", "Numeric"),
    Term("Y", "货币型", "Currency"),
    Term("D", "日期型", "Date"),
    Term("T", "日期时间型", "Date and time"),
    Term("L", "逻辑型", "Boolean"),
    Term("M", "备注型", "Memo"),
    Term("G", "通用型", "General"),
    Term("B", "双精度型", "Double"),
    Term("I", "整型", "Integer"),
    Term("F", "浮点型", "Float"),
))

RESOURCE_CATEGORIES = Vocabulary("resource_category", "信息资源分类", "Resource category", (
    Term("base", "基础信息资源", "Base resource", aliases=("基础",)),
    Term("theme", "主题信息资源", "Thematic resource", aliases=("主题",)),
    Term("department", "部门信息资源", "Departmental resource", aliases=("部门",)),
))

# Open-data themes (主题), each tied to the EU data-theme it falls under.
THEMES = Vocabulary("theme", "主题", "Theme", (
    Term("economy", "经济建设", "Economy", EU_THEME + "ECON",
         aliases=("工业农业", "市场监管", "市场监督", "商贸流通", "商业服务", "行业准营", "质量统计",
                  "统计", "经贸工商", "经济管理", "工程建设", "信息产业", "知识产权", "设立变更",
                  "物价", "工业")),
    Term("finance", "财税金融", "Finance and taxation", EU_THEME + "ECON",
         aliases=("金融服务", "金融", "财政", "财税", "纳税缴费")),
    Term("transport", "交通出行", "Transport", EU_THEME + "TRAN", aliases=("交通运输", "道路交通", "交通水利", "交通旅游", "交通")),
    Term("education", "教育科技", "Education and science", EU_THEME + "EDUC",
         aliases=("教育文化", "科技创新", "科学教育", "科技服务", "教育培训", "科技、教育", "教育")),
    Term("health", "医疗卫生", "Health", EU_THEME + "HEAL",
         aliases=("卫生健康", "医疗健康", "健康保障", "防疫复工", "食品药品安全")),
    Term("social_security", "社保就业", "Social security and employment", EU_THEME + "SOCI",
         aliases=("社会保障", "人社服务", "劳动就业", "就业", "劳动、人事")),
    Term("housing", "城建住房", "Urban construction and housing", EU_THEME + "REGI",
         aliases=("城市建设", "城乡建设", "住房保障", "城乡建设、环境保护")),
    Term("environment", "资源环境", "Resources and environment", EU_THEME + "ENVI",
         aliases=("生态环境", "环境资源", "气象服务", "环保服务", "生态环保", "环境", "资源",
                  "海洋服务", "气象水文测绘地震")),
    Term("public_safety", "公共安全", "Public safety", EU_THEME + "JUST",
         aliases=("安全生产", "法律服务", "政法、监察", "政法监察", "出境入境", "扶贫救灾")),
    Term("culture", "文化休闲", "Culture and leisure", EU_THEME + "EDUC",
         aliases=("文化旅游", "文化体育", "文化、体育", "文化服务", "旅游、服务业", "民族宗教")),
    Term("agriculture", "农业农村", "Agriculture and rural affairs", EU_THEME + "AGRI",
         aliases=("三农服务", "农业、水利", "农业水利", "农村农业", "农业服务")),
    # 其他 (a portal's catch-all theme) is filed under 社会民生, the broadest theme
    Term("livelihood", "社会民生", "Social welfare", EU_THEME + "SOCI",
         aliases=("生活服务", "民生服务", "社会救助", "公共服务", "社会发展", "民政服务", "其他", "其它")),
    Term("government", "机构团体", "Government and organisations", EU_THEME + "GOVE",
         aliases=("政府机构", "综合政务")),
    Term("credit", "信用服务", "Credit", EU_THEME + "ECON", aliases=("信用体系",)),
    Term("geography", "地理空间", "Geospatial", EU_THEME + "REGI", aliases=("空间地理",)),
    Term("energy", "能源", "Energy", EU_THEME + "ENER",
         aliases=("资源能源", "能源资源", "能源环境", "石油与天然气")),
))

ORG_LEVELS = Vocabulary("org_level", "层级", "Level", (
    Term("municipal", "市级", "Municipal"),
    Term("district", "区县级", "District or county"),
))

# 开放协议: the licence an entry's data is opened under (DCAT ``dct:license``). Values are the
# ids of CKAN's licence register (``license_id``), which ckanext/govshare/licences.py builds
# from these terms. The platform's own agreement has no URI of its own: its document is the
# platform's usage notes page (licences.licence_url).
LICENSES = Vocabulary("license", "开放协议", "Licence", (
    Term("govshare-agreement", "开放数据使用协议", "Open data usage agreement of this platform",
         aliases=("平台开放数据使用协议", "数据使用协议")),
    Term("cc-by-4.0", "知识共享署名 4.0 国际许可协议（CC BY 4.0）",
         "Creative Commons Attribution 4.0 International (CC BY 4.0)",
         "https://creativecommons.org/licenses/by/4.0/", aliases=("CC BY 4.0", "CC-BY-4.0", "cc-by")),
    Term("cc0-1.0", "知识共享 CC0 1.0 公共领域贡献（CC0 1.0）",
         "Creative Commons CC0 1.0 Universal Public Domain Dedication (CC0 1.0)",
         "https://creativecommons.org/publicdomain/zero/1.0/", aliases=("CC0 1.0", "CC0", "cc-zero")),
    Term("gov-info-public", "政府信息公开", "Government information disclosure",
         "https://www.gov.cn/zhengce/content/2019-04/15/content_5382991.htm",
         aliases=("政府信息公开条例",)),
))

# Provinces (GB/T 2260, the first two digits of a 行政区划代码): departments are grouped by
# them in choosers
PROVINCES = Vocabulary("province", "省级行政区", "Province", tuple(Term(code, zh, en) for code, zh, en in (
    ("11", "北京市", "Beijing"), ("12", "天津市", "Tianjin"), ("13", "河北省", "Hebei"),
    ("14", "山西省", "Shanxi"), ("15", "内蒙古自治区", "Inner Mongolia"), ("21", "辽宁省", "Liaoning"),
    ("22", "吉林省", "Jilin"), ("23", "黑龙江省", "Heilongjiang"), ("31", "上海市", "Shanghai"),
    ("32", "江苏省", "Jiangsu"), ("33", "浙江省", "Zhejiang"), ("34", "安徽省", "Anhui"),
    ("35", "福建省", "Fujian"), ("36", "江西省", "Jiangxi"), ("37", "山东省", "Shandong"),
    ("41", "河南省", "Henan"), ("42", "湖北省", "Hubei"), ("43", "湖南省", "Hunan"),
    ("44", "广东省", "Guangdong"), ("45", "广西壮族自治区", "Guangxi"), ("46", "海南省", "Hainan"),
    ("50", "重庆市", "Chongqing"), ("51", "四川省", "Sichuan"), ("52", "贵州省", "Guizhou"),
    ("53", "云南省", "Yunnan"), ("54", "西藏自治区", "Tibet"), ("61", "陕西省", "Shaanxi"),
    ("62", "甘肃省", "Gansu"), ("63", "青海省", "Qinghai"), ("64", "宁夏回族自治区", "Ningxia"),
    ("65", "新疆维吾尔自治区", "Xinjiang"), ("71", "台湾省", "Taiwan"), ("81", "香港特别行政区", "Hong Kong"),
    ("82", "澳门特别行政区", "Macao"),
)))

# -- applications (申请): kinds, statuses, what the event log records, grant statuses ------
# The stored codes are frozen: migration 7c2e5d9a1b44 spells the kinds and statuses out in
# the table's CHECK constraints (tests/applications/test_vocabulary.py compares the two).

APPLICATION_KINDS = Vocabulary("application_kind", "申请类型", "Request kind", (
    Term("open", "开放申请", "Open application"),
    Term("share", "共享申请", "Share application"),
    Term("error_report", "疑义、错误校核", "Error report"),
    Term("catalogue_correction", "开放目录更正", "Catalogue correction"),
    Term("open_demand", "开放需求", "Open-data demand"),
))
#: kinds filed on a catalogue entry (the others, open-data demands, name no entry)
ENTRY_KINDS = ("open", "share", "error_report", "catalogue_correction")
#: kinds whose approval opens the entry's data (a grant of the same kind)
GRANTING_KINDS = ("open", "share")

# the first is the state of a new application (the model's default, workflow.INITIAL)
APPLICATION_STATUSES = Vocabulary("application_status", "申请状态", "Status", (
    Term("submitted", "已受理", "Submitted"),
    Term("extended", "已延期", "Extended"),
    Term("approved", "已同意", "Approved"),
    Term("refused", "不予同意", "Refused"),
    Term("withdrawn", "已撤回", "Withdrawn"),
))
#: statuses awaiting the department's reply (the deadline runs)
PENDING_STATUSES = ("submitted", "extended")
#: statuses that end an application
FINAL_STATUSES = tuple(s for s in APPLICATION_STATUSES.values() if s not in PENDING_STATUSES)

#: what the application's event log records (``govshare_application_event.action``)
APPLICATION_EVENTS = Vocabulary("application_event", "申请记录", "Event", (
    Term("submit", "提交申请", "Submitted"),
    Term("extension_request", "申请延长答复期限", "Extension requested"),
    Term("extension_decline", "负责人不同意延期", "Extension declined by the head"),
    Term("extend", "负责人同意延期", "Extension consented by the head"),
    Term("forward", "主管部门转交", "Forwarded by the authority"),
    Term("approve", "同意", "Approved"),
    Term("refuse", "不予同意", "Refused"),
    Term("withdraw", "撤回", "Withdrawn"),
    Term("revoke", "撤销授权", "Access revoked"),
    Term("reminder", "即将到期提醒", "Deadline reminder", aliases=("due_soon",)),
    Term("overdue", "已超期", "Overdue"),
))

#: whether an approval's grant still opens the data (``Grant.status``)
GRANT_STATUSES = Vocabulary("grant_status", "授权状态", "Access", (
    Term("valid", "有效", "Valid"),
    Term("expired", "已过期", "Expired"),
    Term("revoked", "已撤销", "Revoked"),
))

#: the workflow vocabularies (not catalogue terms: not in ``ALL``, not published as SKOS)
WORKFLOW: dict[str, Vocabulary] = {
    v.name: v for v in (APPLICATION_KINDS, APPLICATION_STATUSES, APPLICATION_EVENTS, GRANT_STATUSES)
}


ALL: dict[str, Vocabulary] = {
    v.name: v for v in (
        OPEN_TYPES, SHARE_TYPES, SHARE_METHODS, UPDATE_CYCLES, RESOURCE_FORMATS,
        DATA_ITEM_TYPES, RESOURCE_CATEGORIES, THEMES, ORG_LEVELS, PROVINCES, LICENSES,
    )
}


def get(name: str) -> Vocabulary:
    """The vocabulary called ``name`` (KeyError when there is none)."""
    return ALL[name]
