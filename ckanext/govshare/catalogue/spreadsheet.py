# -*- coding: utf-8 -*-
"""Reading and writing catalogue spreadsheets: xlsx (sheet 目录, and 填写说明 explaining
every column) and csv (UTF-8 with a BOM on export; UTF-8 or GB18030 on import).

Cells are handed over as text: Excel's dates and numbers are read back as what was typed,
and text that a spreadsheet program would run as a formula is written as text (a text cell
in xlsx, a leading apostrophe in csv, removed again on import).
"""
from __future__ import annotations

import csv
import datetime
import io
import os
from typing import IO, Any, Iterable, Sequence
from zipfile import BadZipFile

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

import ckan.plugins.toolkit as tk

from ckanext.govshare.catalogue.columns import PART_SEP, Column, columns
from ckanext.govshare.catalogue.errors import CatalogueError

__all__ = [
    "FORMATS",
    "file_format",
    "cell_text",
    "read_table",
    "write_xlsx",
    "write_csv",
    "write_template",
]

MAIN_SHEET = "目录"
HELP_SHEET = "填写说明"
FORMATS = ("xlsx", "csv")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MIMETYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
}


def file_format(name: str) -> str:
    """``xlsx`` or ``csv`` from a file name."""
    ext = os.path.splitext(name or "")[1].lower().lstrip(".")
    if ext not in FORMATS:
        raise CatalogueError(
            tk._("Unsupported file type {ext}: use .xlsx or .csv").format(ext=ext or "?"))
    return ext


def cell_text(value: Any) -> str:
    """A cell's value as the text it shows (dates as YYYY-MM-DD, 500000.0 as 500000)."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0, 0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()


def _read_csv(data: bytes) -> list[list[Any]]:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in Chinese saves csv as GBK
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte sequence
        raise CatalogueError(tk._("The csv file is neither UTF-8 nor GB18030 encoded"))
    return [[csv_unsafe(v) for v in r] for r in csv.reader(io.StringIO(text, newline=""))]


def _read_xlsx(data: bytes) -> list[list[Any]]:
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (BadZipFile, OSError, KeyError, ValueError) as e:
        raise CatalogueError(tk._("Not a readable .xlsx file: {error}").format(error=e))
    try:
        ws = wb[MAIN_SHEET] if MAIN_SHEET in wb.sheetnames else wb.worksheets[0]
        return [list(r) for r in ws.iter_rows(values_only=True)]
    finally:
        wb.close()


def read_table(source: str | IO[bytes], fmt: str | None = None) -> list[list[str]]:
    """The rows of the file's catalogue sheet as lists of cell texts (first row: headers)."""
    if isinstance(source, str):
        fmt = fmt or file_format(source)
        with open(source, "rb") as f:
            data = f.read()
    else:
        data = source.read()
    if fmt not in FORMATS:
        raise CatalogueError(tk._("Unsupported file type {ext}: use .xlsx or .csv").format(ext=fmt))
    rows = _read_xlsx(data) if fmt == "xlsx" else _read_csv(data)
    return [[cell_text(v) for v in row] for row in rows]


def write_xlsx(target: str | IO[bytes], cols: Sequence[Column], rows: Iterable[list[str]],
               with_help: bool) -> None:
    """An xlsx file: the header row and ``rows`` as text cells; ``with_help`` adds the
    explanation sheet and drop-down lists of the vocabulary columns."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = MAIN_SHEET
    ws.append([c.header for c in cols])
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for i, col in enumerate(cols, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font = Font(bold=True, color="C00000" if col.required else "000000")
        cell.fill = header_fill
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = max(12, min(40, 4 + 2 * len(col.header)))
        # text cells: keep leading zeros of codes, no automatic dates or numbers
        ws.column_dimensions[letter].number_format = "@"
    ws.freeze_panes = "A2"
    count = 1
    for row in rows:
        ws.append(row)
        count += 1
    for r in ws.iter_rows(min_row=2, max_row=count):
        for cell in r:
            cell.number_format = "@"
            if cell.data_type == "f":  # text such as "=1+1" stays text, never a formula
                cell.data_type = "s"
    if with_help:
        for i, col in enumerate(cols, start=1):
            if col.kind in ("vocab", "choice"):
                options = ",".join(t.zh for t in col.allowed())
                if len(options) < 250:  # Excel's limit for an inline list
                    dv = DataValidation(type="list", formula1=f'"{options}"', allow_blank=True,
                                        showErrorMessage=False)  # codes and English accepted too
                    letter = get_column_letter(i)
                    dv.add(f"{letter}2:{letter}1048576")
                    ws.add_data_validation(dv)
        _help_sheet(wb.create_sheet(HELP_SHEET), cols)
    wb.save(target)


def _help_sheet(ws: Any, cols: Sequence[Column]) -> None:
    ws.append(["列名", "是否必填", "填写说明", "可选值（填中文名称、英文名称或代码均可）", "示例"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for col in cols:
        ws.append([col.header, "必填" if col.required else "", _column_help(col),
                   _allowed_text(col), col.example])
    for letter, width in zip("ABCDE", (18, 10, 70, 60, 30)):
        ws.column_dimensions[letter].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _allowed_text(col: Column) -> str:
    if col.kind in ("vocab", "choice", "multi"):
        return "、".join(f"{t.zh}（{t.value}）" for t in col.allowed())
    if col.kind == "items":
        item_type = next((s for s in col.subfields if s.vocabulary is not None), None)
        if item_type is not None:
            return item_type.header + "：" + "、".join(f"{t.zh}（{t.value}）" for t in item_type.allowed())
    return ""


def _column_help(col: Column) -> str:
    parts = []
    if col.resource:
        parts.append("第一个资源（数据文件或接口）的字段。")
    if col.kind == "items":
        parts.append("每个信息项写成“" + PART_SEP.join(s.header for s in col.subfields)
                     + "”，多个信息项用英文分号“;”分隔（也可用中文分号或换行）。")
    elif col.kind == "multi":
        parts.append("可填多个值，用顿号“、”或逗号分隔。")
    elif col.kind == "tags":
        parts.append("多个关键词用逗号或顿号分隔；括号改为空格，引号和句号等标点去掉，"
                     "少于 2 个字的关键词不保留。")
    elif col.kind == "org":
        parts.append("填写部门的提供方代码（如 CQ-JTJ）、统一社会信用代码或网址名称（如 cq-jtj）；"
                     "部门名称只属于一个部门时也可填名称（如 市交通局）；"
                     "在部门的“目录表格”页面导入时可留空。部门先用部门表格登记："
                     "ckan govshare departments import 部门.xlsx。")
    elif col.kind == "date":
        parts.append("日期，格式为 YYYY-MM-DD。")
    if col.field == "name" and not col.resource:
        parts.append("可留空：新建时按信息资源代码生成（例如 203001-000001），更新时保持不变。")
    if col.field == "resource_code" and not col.resource:
        parts.append("导入时以信息资源代码识别条目：已有该代码的条目被更新，否则新建。")
    if col.help:
        parts.append(col.help)
    return "".join(parts)


def csv_safe(text: str) -> str:
    """Spreadsheet programs run a csv cell starting with = + - @ as a formula (CSV
    injection): such cells are written with a leading apostrophe, removed on import."""
    return "'" + text if text[:1] in FORMULA_START else text


def csv_unsafe(text: str) -> str:
    """The cell as typed: the apostrophe :func:`csv_safe` added is removed."""
    return text[1:] if text[:1] == "'" and text[1:2] in FORMULA_START and text[1:2] else text


def write_csv(target: str | IO[bytes], cols: Sequence[Column], rows: Iterable[list[str]]) -> None:
    """A csv file (UTF-8 with a BOM): the header row and ``rows``, formula-safe."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([c.header for c in cols])
    writer.writerows([csv_safe(v) for v in row] for row in rows)
    data = buf.getvalue().encode("utf-8-sig")  # BOM: Excel opens the Chinese text correctly
    if isinstance(target, str):
        with open(target, "wb") as f:
            f.write(data)
    else:
        target.write(data)


def write_template(target: str | IO[bytes]) -> list[Column]:
    """An empty xlsx template: the header row and a sheet explaining every column."""
    cols = columns()
    write_xlsx(target, cols, [], with_help=True)
    return cols
