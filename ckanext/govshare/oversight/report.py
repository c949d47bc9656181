# -*- coding: utf-8 -*-
"""The yearly report on sharing and opening (年度报告: chongqing-2018 §37, chongqing-2019 §47,
kunming-2019 §39, shijingshan-2017 §34), for the city or one department, as XLSX (openpyxl)
and PDF (ReportLab, its built-in CJK font STSong-Light: no font file to ship).

The report is an official document addressed to the city government: it is written in Chinese
whatever the reader's interface language. Its figures are those of ``statistics.compute`` for
the calendar year (Beijing time) — the same function the statistics pages read — and its
indicators those of ``indicators.score``.

Generating a year's report reads the statistics once per department plus once for the city
(a few aggregate queries each): fast enough to stream in the request that asks for it, so the
download is answered directly (no background job).
"""
from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Optional

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ckanext.govshare import vocab
from ckanext.govshare.applications import deadlines
from ckanext.govshare.oversight import indicators, statistics
from ckanext.govshare.oversight.panel import article_zh

__all__ = ["FORMATS", "Report", "build", "write", "file_name"]

FORMATS = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
           "pdf": "application/pdf"}
FONT = "STSong-Light"

OUTCOME_ZH = {"approved": "同意", "refused": "不予同意", "withdrawn": "撤回", "pending": "办理中"}
INDICATOR_ZH = {"machine_readable": "可机读、非专属格式的开放条目占比",
                "api_access": "可通过接口获取数据的开放条目占比",
                "update_timeliness": "按更新周期及时更新的条目占比",
                "reply_timeliness": "申请按期答复率",
                "demands_answered": "开放需求公开答复率"}
INDICATOR_DEF_ZH = {
    "machine_readable": "开放（无条件开放、有条件开放）条目中，至少有一个资源为CSV、JSON、XML、RDF等可机读、非专属格式的条目所占比例。",
    "api_access": "开放条目中，数据可通过服务接口、API或数据存储查询获取的条目所占比例。",
    "update_timeliness": "有固定更新周期的条目中，距最近一次数据更新不超过其更新周期的条目所占比例。",
    "reply_timeliness": "本期受理并已答复的申请中，在答复期限（含延长期限）内答复的比例。",
    "demands_answered": "本期收到且未撤回的开放需求中，已公开答复的比例。",
}


@dataclass
class Section:
    title: str
    headers: list[str]
    rows: list[list[Any]]
    note: str = ""


@dataclass
class Report:
    year: int
    scope: str                 # 全市 or the department's title
    organization_id: Optional[str]
    stats: dict[str, Any]
    scores: dict[str, Any]
    due: Optional[datetime.date]
    article: str
    sections: list[Section] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"{self.year}年度{self.scope}政务数据共享开放情况报告"


def _num(value: Any) -> Any:
    if value is None:
        return "—"
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _pct(value: Optional[float]) -> str:
    return "—" if value is None else f"{value:.1f}%"


def _sections(stats: dict[str, Any], scores: dict[str, Any],
              per_department: list[tuple[str, dict[str, Any]]]) -> list[Section]:
    e, u, r, use = stats["entries"], stats["updates"], stats["requests"], stats["usage"]
    out = [
        Section("一、目录条目（按开放属性）", ["开放属性", "条目数"],
                [[t.zh, e["open"][t.value]] for t in vocab.OPEN_TYPES] + [["合计", e["total"]]]),
        Section("二、目录条目（按共享属性）", ["共享属性", "条目数"],
                [[t.zh, e["share"][t.value]] for t in vocab.SHARE_TYPES] + [["合计", e["total"]]]),
        Section("三、按更新周期更新情况", ["项目", "数值"],
                [["有固定更新周期的条目", u["regular"]], ["按期更新", u["on_time"]], ["逾期未更新", u["late"]],
                 ["不定期更新的条目（不计入）", u["irregular"]], ["按期更新率", _pct(u["on_time_pct"])]],
                note=f"以{u['as_of']}为准（沈阳市2016年办法第十二条、昆明市2019年办法第十八条）。"),
        Section("四、申请办理情况（按类型和结果）", ["申请类型"] + [OUTCOME_ZH[o] for o in statistics.OUTCOMES] + ["合计"],
                [[vocab.APPLICATION_KINDS.label(kind, "zh")] + [row[o] for o in statistics.OUTCOMES] + [row["total"]]
                 for kind, row in r["by_kind"].items()]
                + [["合计"] + [r["by_outcome"][o] for o in statistics.OUTCOMES] + [r["total"]]]),
        Section("五、答复时间与期限", ["项目", "数值"],
                [["已答复申请", r["decided"]], ["答复用时中位数（工作日）", _num(r["reply_days"]["median"])],
                 ["答复用时第90百分位（工作日）", _num(r["reply_days"]["p90"])],
                 ["按期答复", r["on_time"]], ["按期答复率", _pct(r["on_time_pct"])],
                 ["超期", r["overdue"]], ["延长答复期限", r["extensions"]]],
                note="工作日按国务院办公厅节假日安排计算（含调休），受理当日不计入。"),
        Section("六、数据使用与共享交换", ["项目", "次数"],
                [["下载", use["downloads"]], ["接口调用", use["api_calls"]], ["共享交换", use["share_exchanges"]],
                 ["被使用的条目数", use["entries_used"]]],
                note="依据共享交换日志（昆明市2019年办法第二十七条）。"),
        Section("七、条目使用排行", ["条目", "下载", "接口调用", "共享交换"],
                [[x["title"], x["downloads"], x["api_calls"], x["share_exchanges"]] for x in use["per_entry"]]
                or [["（无）", 0, 0, 0]]),
        Section("八、评估指标", ["指标", "得分", "分子", "分母", "定义"],
                [[INDICATOR_ZH[i["code"]], _pct(i["score"]), i["part"], i["whole"], INDICATOR_DEF_ZH[i["code"]]]
                 for i in scores["indicators"]] + [["综合得分（平均）", _pct(scores["overall"]), "", "", ""]]),
    ]
    if per_department:
        out.append(Section("九、各部门情况", ["部门", "条目", "按期更新率", "申请", "已答复", "按期答复率", "超期",
                                          "下载", "接口调用", "共享交换"],
                           [[title, s["entries"]["total"], _pct(s["updates"]["on_time_pct"]), s["requests"]["total"],
                             s["requests"]["decided"], _pct(s["requests"]["on_time_pct"]), s["requests"]["overdue"],
                             s["usage"]["downloads"], s["usage"]["api_calls"], s["usage"]["share_exchanges"]]
                            for title, s in per_department]))
    return out


def build(year: int, organization: Optional[dict[str, Any]] = None,
          now: Optional[datetime.datetime] = None) -> Report:
    """The report on ``year`` for the city, or for ``organization`` (``{"id", "title"}``)."""
    period = statistics.Period.year(year)
    org_id = organization["id"] if organization else None
    per_department: list[tuple[str, dict[str, Any]]] = []
    if organization is None:
        stats, departments = statistics.compute_all(period, now=now)
        per_department = [(title, dept) for _oid, _name, title, dept in departments]
    else:
        stats = statistics.compute(period, org_id, now=now)
    scores = indicators.score(stats)
    due_policy = deadlines.get_policy().yearly_report
    due = due_policy.due(year, city=organization is None) if due_policy else None
    report = Report(year=year, scope=organization["title"] if organization else "全市", organization_id=org_id,
                    stats=stats, scores=scores, due=due, article=due_policy.article if due_policy else "")
    report.sections = _sections(stats, scores, per_department)
    return report


def file_name(report: Report, fmt: str) -> str:
    scope = "city" if report.organization_id is None else report.organization_id
    return f"govshare-report-{report.year}-{scope}.{fmt}"


def _intro(report: Report) -> list[str]:
    lines = [f"统计期间：{report.stats['period']['start']} 至 {report.stats['period']['end']}（北京时间）",
             f"生成日期：{report.stats['computed_on']}"]
    if report.due:
        lines.append(f"报送期限：{report.due.isoformat()}（{article_zh(report.article)}）")
    return lines


def _xlsx(report: Report, target: BinaryIO) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "年度报告"
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDE6F0")
    ws.append([report.title])
    ws["A1"].font = Font(bold=True, size=14)
    for line in _intro(report):
        ws.append([line])
    widths: dict[int, int] = {}
    for section in report.sections:
        ws.append([])
        ws.append([section.title])
        ws.cell(ws.max_row, 1).font = bold
        ws.append(section.headers)
        for col in range(1, len(section.headers) + 1):
            ws.cell(ws.max_row, col).font = bold
            ws.cell(ws.max_row, col).fill = head_fill
        for row in section.rows:
            ws.append([_num(v) for v in row])
        if section.note:
            ws.append([section.note])
        for i, header in enumerate(section.headers, 1):
            longest = max([len(str(header))] + [len(str(r[i - 1])) for r in section.rows if len(r) >= i])
            widths[i] = max(widths.get(i, 8), min(longest * 2 + 2, 60))
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = width
    for row in ws.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=cell.column == 5 and len(str(cell.value or "")) > 30,
                                       vertical="top")
    wb.save(target)


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _pdf(report: Report, target: BinaryIO) -> None:
    font = _font()
    title = ParagraphStyle("t", fontName=font, fontSize=16, leading=22, spaceAfter=6)
    head = ParagraphStyle("h", fontName=font, fontSize=12, leading=17, spaceBefore=8, spaceAfter=4)
    body = ParagraphStyle("b", fontName=font, fontSize=9, leading=13, wordWrap="CJK")
    cell = ParagraphStyle("c", fontName=font, fontSize=8, leading=11, wordWrap="CJK")
    doc = SimpleDocTemplate(target, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=15 * mm, bottomMargin=15 * mm, title=report.title, author="政务数据共享开放平台")
    story: list[Any] = [Paragraph(report.title, title)]
    story += [Paragraph(line, body) for line in _intro(report)]
    width = A4[0] - 30 * mm
    for section in report.sections:
        story.append(Paragraph(section.title, head))
        data = [[Paragraph(str(h), cell) for h in section.headers]]
        data += [[Paragraph(str(_num(v)), cell) for v in row] for row in section.rows]
        n = len(section.headers)
        if section.headers[-1] == "定义":
            col_widths = [width * 0.26, width * 0.1, width * 0.08, width * 0.08, width * 0.48]
        else:
            first = 0.4 if n <= 5 else 0.19
            col_widths = [width * first] + [width * (1 - first) / (n - 1)] * (n - 1)
        table = Table(data, colWidths=col_widths, repeatRows=1)
        table.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDE6F0")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]))
        story.append(table)
        if section.note:
            story.append(Spacer(1, 2 * mm))
            story.append(Paragraph(section.note, body))
    doc.build(story)


def write(report: Report, fmt: str, target: Optional[BinaryIO] = None) -> BinaryIO:
    """Write ``report`` as ``fmt`` (xlsx or pdf) to ``target`` (default: a new buffer)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r} (known: {', '.join(FORMATS)})")
    out = target if target is not None else io.BytesIO()
    (_xlsx if fmt == "xlsx" else _pdf)(report, out)
    return out
