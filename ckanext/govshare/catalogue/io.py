# -*- coding: utf-8 -*-
"""Spreadsheet import and export of the catalogue (xlsx and csv, Chinese column headers).

The columns are derived at run time from the scheming dataset schema (``schemas/dataset.yaml``
through ``scheming_dataset_schema_show``): one column per dataset field, headed by its Chinese
label, followed by the columns of the entry's *first resource*. The schema stays the one
source of truth; ``docs/catalogue-template.md`` documents the cell formats.

Import works in two phases.

1. **Validate everything, write nothing.** Every row is parsed (vocabulary labels → codes,
   ``信息项`` cell → list of items …) and run through the schema's real validation (the package
   plugin's ``validate`` with the create or update schema, the same call ``package_create`` /
   ``package_update`` make) plus the auth check of the action it will need. Duplicate resource
   codes and URL names inside the file are detected. Every problem is collected as
   (spreadsheet row, Chinese column header, message); if there is any, :class:`CatalogueInvalid`
   is raised and nothing has been written. An existing entry (matched by 信息资源代码) whose
   normalised dict (the existing entry and the entry with the row applied, both passed through
   the update schema) does not change is marked *unchanged* and is not written at all — no new
   revision, no activity, ``metadata_modified`` untouched — so re-importing a file changes
   nothing.

2. **Write in one transaction, then index.** Each create/update runs through the ordinary
   ``package_create`` / ``package_update`` actions with ``defer_commit`` in the context, so
   nothing is committed until a single ``commit`` at the end: a failure anywhere (a database
   that goes away, a validation race with another writer) rolls the whole import back — there
   is never a half-imported catalogue. A guard on the session refuses any commit issued by
   other code in the middle of the import (e.g. default resource views, whose action ignores
   ``defer_commit``) and so turns it into a rollback of the whole import, not a partial one.

   CKAN indexes changed datasets in Solr from a ``before_commit`` hook, i.e. *before* the
   database commit is known to succeed, and one Solr commit per dataset. The importer instead
   drops the session's pending index notifications just before its commit (CKAN's
   ``_object_cache``, consumed only by that hook) and indexes the written datasets after the
   database commit succeeded, with a single Solr commit. A failed database commit therefore
   leaves Solr untouched; a failed indexing (Solr down) leaves a correct database and is
   reported (``ImportResult.index_error``) with the repair command ``ckan search-index
   rebuild``. Should anything have been indexed before a rollback, the created datasets are
   removed from and the updated ones re-indexed into Solr (best effort).

Call it with no pending changes in the session: validation ends its read transactions
(rollback), writing commits everything at once.

Concurrency: before its first write, an import takes the advisory locks of all the resource
codes it writes, in ascending order (``lock_resource_codes``), so two imports running at once
wait for each other instead of deadlocking, and a clerk saving one of those codes meanwhile
waits for the import to commit.

Limits: an import holds up to 4,096 advisory locks until it commits (one per bucket of
resource codes; ``LOCK_BUCKETS``), which PostgreSQL's lock table (``max_locks_per_transaction``
× ``max_connections``, 6,400 by default) must have room for. Resources beyond the
first are not in the spreadsheet and are left as they are.
"""
from __future__ import annotations

import copy
import csv
import datetime
import io
import logging
import os
import re
from dataclasses import dataclass, field
from typing import IO, Any, Callable, Iterable, Sequence

from sqlalchemy import event

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib import plugins as lib_plugins
from ckan.lib import search

from ckanext.govshare import vocab
from ckanext.govshare.logic.validators import lock_resource_codes
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from zipfile import BadZipFile
import openpyxl

log = logging.getLogger(__name__)

__all__ = [
    "Column",
    "RowError",
    "ImportResult",
    "CatalogueError",
    "CatalogueInvalid",
    "schema",
    "columns",
    "export_row",
    "read_table",
    "import_catalogue",
    "export_catalogue",
    "write_template",
    "file_format",
]

DATASET_TYPE = "dataset"
MAIN_SHEET = "目录"
HELP_SHEET = "填写说明"
LANG = "zh_Hans_CN"
FORMATS = ("xlsx", "csv")

# multiple values in one cell: 接口交换、文件下载 / api, download
MULTI_SPLIT_RE = re.compile(r"\s*[、,，;；\n]\s*")
# 信息项: items separated by ';' (or '；' or a line break), parts by '|' (or '｜')
ITEM_SPLIT_RE = re.compile(r"\s*[;；\n]\s*")
PART_SPLIT_RE = re.compile(r"\s*[|｜]\s*")
TAG_SPLIT_RE = re.compile(r"\s*[、,，;；]\s*")
ITEM_SEP = "; "
PART_SEP = "|"
MULTI_SEP = "、"
TAG_SEP = ", "
TRUE_TEXT = {"true", "1", "yes", "y", "是", "√"}
FALSE_TEXT = {"false", "0", "no", "n", "否", "×"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Progress = Callable[[str, int, int], None]


# --------------------------------------------------------------------------------------
# Columns, from the scheming schema


@dataclass(frozen=True)
class Column:
    """One spreadsheet column: a dataset field (or a field of the first resource)."""

    header: str                 # Chinese header, as written in the first row
    field: str                  # field name in the dataset (or resource) dict
    kind: str                   # text, vocab, multi, choice, org, tags, items, date
    resource: bool = False
    required: bool = False
    label_en: str = ""
    help: str = ""
    example: str = ""
    vocabulary: vocab.Vocabulary | None = None
    choices: tuple[vocab.Term, ...] = ()
    subfields: tuple["Column", ...] = ()

    def lookup(self, text: str) -> vocab.Term | None:
        if self.vocabulary is not None:
            return self.vocabulary.lookup(text)
        key = text.strip().lower()
        for term in self.choices:
            if key in (term.value.lower(), term.zh.lower(), term.en.lower()):
                return term
        if self.choices and {t.value for t in self.choices} == {"true", "false"}:
            if key in TRUE_TEXT:
                return next(t for t in self.choices if t.value == "true")
            if key in FALSE_TEXT:
                return next(t for t in self.choices if t.value == "false")
        return None

    def allowed(self) -> list[vocab.Term]:
        return list(self.vocabulary or self.choices)


def _label(value: Any, lang: str = LANG) -> str:
    if isinstance(value, dict):
        return str(value.get(lang) or value.get("en") or next(iter(value.values()), ""))
    return str(value or "")


def _column(f: dict[str, Any], resource: bool = False, header: str | None = None) -> Column:
    name = f["field_name"]
    validators = f.get("validators") or ""
    vocabulary = vocab.get(f["govshare_vocabulary"]) if f.get("govshare_vocabulary") else None
    choices = tuple(
        vocab.Term(str(c["value"]), _label(c.get("label"), LANG), _label(c.get("label"), "en"))
        for c in f.get("choices") or ()
    )
    if f.get("repeating_subfields"):
        kind = "items"
    elif name == "owner_org" and not resource:
        kind = "org"
    elif name == "tag_string" and not resource:
        kind = "tags"
    elif vocabulary is not None or choices:
        kind = "multi" if "multiple_choice" in validators else ("vocab" if vocabulary else "choice")
    elif "isodate" in validators:
        kind = "date"
    else:
        kind = "text"
    return Column(
        header=header or _label(f.get("label"), LANG) or name,
        field=name,
        kind=kind,
        resource=resource,
        # the URL name is generated when blank; a department is always needed
        required=(kind == "org" or bool(f.get("required"))
                  or ("not_empty" in validators.split() and name != "name")),
        label_en=_label(f.get("label"), "en"),
        help=_label(f.get("help_text"), LANG),
        example=_label(f.get("form_placeholder"), LANG),
        vocabulary=vocabulary,
        choices=choices,
        subfields=tuple(_column(sf) for sf in f.get("repeating_subfields") or ()),
    )


def _resource_header(label: str, taken: set[str]) -> str:
    """资源名称, 资源地址, 资源格式, 获取方式 …: generic labels get the prefix 资源."""
    if label.startswith("资源"):
        return label
    if len(label) <= 2 or label in taken:
        return "资源" + label
    return label


def schema() -> dict[str, Any]:
    """The expanded scheming schema of catalogue entries."""
    return tk.get_action("scheming_dataset_schema_show")(
        {"ignore_auth": True}, {"type": DATASET_TYPE, "expanded": True}
    )


def columns(dataset_schema: dict[str, Any] | None = None) -> list[Column]:
    """The spreadsheet columns: every dataset field, then the first resource's fields."""
    dataset_schema = dataset_schema or schema()
    cols = [_column(f) for f in dataset_schema["dataset_fields"]]
    taken = {c.header for c in cols} | {s.header for c in cols for s in c.subfields}
    for f in dataset_schema.get("resource_fields") or ():
        header = _resource_header(_label(f.get("label"), LANG) or f["field_name"], taken)
        cols.append(_column(f, resource=True, header=header))
        taken.add(header)
    headers = [c.header for c in cols]
    duplicated = {h for h in headers if headers.count(h) > 1}
    if duplicated:  # a schema change made two labels equal: the template would be ambiguous
        raise RuntimeError("catalogue columns with the same header: " + ", ".join(sorted(duplicated)))
    return cols


def _header_keys(col: Column) -> list[str]:
    keys = [col.header, col.field if not col.resource else "resource_" + col.field]
    if col.label_en:
        keys.append(("resource " + col.label_en) if col.resource else col.label_en)
    return [k.strip().lower() for k in keys]


def _clean_header(text: str) -> str:
    text = re.sub(r"\s+", "", str(text or ""))
    return re.sub(r"^[*＊]|[*＊]$|[（(]必填[)）]$", "", text).strip().lower()


# --------------------------------------------------------------------------------------
# Reading and writing files


class CatalogueError(Exception):
    """The file cannot be read as a catalogue spreadsheet."""


@dataclass
class RowError:
    row: int            # row number as shown by the spreadsheet program (header = 1)
    column: str         # Chinese column header ('' for the whole row)
    message: str

    def __str__(self) -> str:
        where = tk._("row {row}").format(row=self.row)
        return f"{where}, {self.column}: {self.message}" if self.column else f"{where}: {self.message}"


class CatalogueInvalid(Exception):
    """Rows with errors; nothing was written."""

    def __init__(self, errors: list[RowError]):
        self.errors = sorted(errors, key=lambda e: (e.row, e.column))
        super().__init__(tk._("{n} problems in the file; nothing was imported").format(n=len(errors)))

    def __repr__(self) -> str:
        return f"CatalogueInvalid({[str(e) for e in self.errors[:20]]})"


def file_format(name: str) -> str:
    """``xlsx`` or ``csv`` from a file name."""
    ext = os.path.splitext(name or "")[1].lower().lstrip(".")
    if ext not in FORMATS:
        raise CatalogueError(
            tk._("Unsupported file type {ext}: use .xlsx or .csv").format(ext=ext or "?"))
    return ext


def _cell_text(value: Any) -> str:
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
    return [[_csv_unsafe(v) for v in r] for r in csv.reader(io.StringIO(text, newline=""))]


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
    return [[_cell_text(v) for v in row] for row in rows]


def _write_xlsx(target: str | IO[bytes], cols: Sequence[Column], rows: Iterable[list[str]],
                with_help: bool) -> None:

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
        _help_sheet(wb.create_sheet(HELP_SHEET), cols, Alignment, Font)
    wb.save(target)


def _help_sheet(ws: Any, cols: Sequence[Column], Alignment: Any, Font: Any) -> None:
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
        parts.append("多个关键词用逗号或顿号分隔。")
    elif col.kind == "org":
        parts.append("填写部门名称（如 市交通局）或部门的网址名称（如 cq-jtj）；"
                     "在部门的“目录表格”页面导入时可留空。")
    elif col.kind == "date":
        parts.append("日期，格式为 YYYY-MM-DD。")
    if col.field == "name" and not col.resource:
        parts.append("可留空：新建时按信息资源代码生成（例如 203001-000001），更新时保持不变。")
    if col.field == "resource_code" and not col.resource:
        parts.append("导入时以信息资源代码识别条目：已有该代码的条目被更新，否则新建。")
    if col.help:
        parts.append(col.help)
    return "".join(parts)


def _csv_safe(text: str) -> str:
    """Spreadsheet programs run a csv cell starting with = + - @ as a formula (CSV
    injection): such cells are written with a leading apostrophe, removed on import."""
    return "'" + text if text[:1] in FORMULA_START else text


def _csv_unsafe(text: str) -> str:
    return text[1:] if text[:1] == "'" and text[1:2] in FORMULA_START and text[1:2] else text


def _write_csv(target: str | IO[bytes], cols: Sequence[Column], rows: Iterable[list[str]]) -> None:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([c.header for c in cols])
    writer.writerows([_csv_safe(v) for v in row] for row in rows)
    data = buf.getvalue().encode("utf-8-sig")  # BOM: Excel opens the Chinese text correctly
    if isinstance(target, str):
        with open(target, "wb") as f:
            f.write(data)
    else:
        target.write(data)


def write_template(target: str | IO[bytes]) -> list[Column]:
    """An empty xlsx template: the header row and a sheet explaining every column."""
    cols = columns()
    _write_xlsx(target, cols, [], with_help=True)
    return cols


# --------------------------------------------------------------------------------------
# Export


def _org_title(pkg: dict[str, Any]) -> str:
    org = pkg.get("organization") or {}
    return org.get("title") or org.get("name") or pkg.get("owner_org") or ""


def _term_text(col: Column, value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        value = "true" if value else "false"
    term = (col.vocabulary.get(str(value)) if col.vocabulary is not None
            else next((t for t in col.choices if t.value == str(value)), None))
    return term.zh if term is not None else str(value)


def _export_cell(col: Column, source: dict[str, Any], pkg: dict[str, Any]) -> str:
    if col.kind == "org":
        return _org_title(pkg)
    if col.kind == "tags":
        return TAG_SEP.join(t["name"] for t in pkg.get("tags") or [])
    value = source.get(col.field)
    if col.kind in ("vocab", "choice"):
        return _term_text(col, value)
    if col.kind == "multi":
        values = value if isinstance(value, list) else ([value] if value else [])
        return MULTI_SEP.join(_term_text(col, v) for v in values)
    if col.kind == "items":
        items = []
        for item in value or []:
            parts = [(_term_text(s, item.get(s.field)) if s.kind in ("vocab", "choice")
                      else _cell_text(item.get(s.field))) for s in col.subfields]
            while parts and parts[-1] == "":
                parts.pop()
            items.append(PART_SEP.join(parts))
        return ITEM_SEP.join(items)
    return _cell_text(value)


def export_row(cols: Sequence[Column], pkg: dict[str, Any]) -> list[str]:
    """The cells of one catalogue entry (a ``package_show`` dict)."""
    first = (pkg.get("resources") or [{}])[0]
    return [_export_cell(c, first if c.resource else pkg, pkg) for c in cols]


def _package_ids(org_id: str | None) -> list[str]:
    code = (
        model.Session.query(model.PackageExtra.value)
        .filter(model.PackageExtra.package_id == model.Package.id)
        .filter(model.PackageExtra.key == "resource_code")
        .filter(model.PackageExtra.state == "active")
        .correlate(model.Package)
        .scalar_subquery()
    )
    q = (model.Session.query(model.Package.id)
         .filter(model.Package.state == "active")
         .filter(model.Package.type == DATASET_TYPE))
    if org_id:
        q = q.filter(model.Package.owner_org == org_id)
    return [r[0] for r in q.order_by(code, model.Package.name)]


def export_catalogue(target: str | IO[bytes], fmt: str | None = None, *, user: str,
                     org: str | None = None, progress: Progress | None = None) -> int:
    """Write the catalogue (every entry ``user`` may see, or only department ``org``'s) to
    ``target`` as xlsx or csv; returns the number of entries written."""
    fmt = fmt or file_format(target if isinstance(target, str) else "")
    if fmt not in FORMATS:
        raise CatalogueError(tk._("Unsupported file type {ext}: use .xlsx or .csv").format(ext=fmt))
    org_id = None
    if org:
        found = _find_org(org)
        if found is None:
            raise CatalogueError(tk._("No department named {name}").format(name=org))
        org_id = found.id
    cols = columns()
    ids = _package_ids(org_id)
    rows = []
    show = tk.get_action("package_show")
    for n, pkg_id in enumerate(ids, start=1):
        try:
            pkg = show({"user": user}, {"id": pkg_id})
        except tk.NotAuthorized:
            continue
        rows.append(export_row(cols, pkg))
        _tick(progress, "export", n, len(ids))
    if fmt == "xlsx":
        _write_xlsx(target, cols, rows, with_help=True)
    else:
        _write_csv(target, cols, rows)
    return len(rows)


# --------------------------------------------------------------------------------------
# Parsing rows


def _find_org(text: str) -> model.Group | None:
    """A department by id, name or title (None when unknown or ambiguous)."""
    text = text.strip()
    org = model.Group.get(text)
    if org is not None and org.is_organization and org.state == "active":
        return org
    found = (model.Session.query(model.Group)
             .filter(model.Group.is_organization.is_(True))
             .filter(model.Group.state == "active")
             .filter(model.Group.title == text).limit(2).all())
    return found[0] if len(found) == 1 else None


@dataclass
class _Row:
    number: int
    dataset: dict[str, Any]                     # dataset fields given by the row (blank → absent)
    blank: set[str]                             # dataset fields whose cell is blank
    resource: dict[str, Any] | None             # first-resource fields, None when all blank
    resource_blank: set[str]
    errors: dict[str, list[str]] = field(default_factory=dict)   # header -> parse errors
    # 信息项 columns: the number in the cell of each parsed item, and of the unreadable ones
    item_numbers: dict[str, list[int]] = field(default_factory=dict)
    bad_items: dict[str, set[int]] = field(default_factory=dict)
    code: str = ""
    existing_id: str | None = None
    action: str = ""                            # create, update, unchanged
    data: dict[str, Any] | None = None          # what goes to package_create/_update


def _not_allowed(col: Column, text: str) -> str:
    return tk._("{value} is not an allowed value; use one of: {allowed}").format(
        value=text, allowed="、".join(t.zh for t in col.allowed()))


def _parse_cell(col: Column, text: str, errors: list[str], orgs: dict[str, Any]) -> Any:
    if col.kind == "text" or col.kind == "date":
        return text
    if col.kind in ("vocab", "choice"):
        term = col.lookup(text)
        if term is None:
            errors.append(_not_allowed(col, text))
            return text
        return term.value
    if col.kind == "multi":
        values = []
        for part in MULTI_SPLIT_RE.split(text):
            if not part:
                continue
            term = col.lookup(part)
            if term is None:
                errors.append(_not_allowed(col, part))
                continue
            if term.value not in values:
                values.append(term.value)
        return values
    if col.kind == "tags":
        return ",".join(dict.fromkeys(p for p in TAG_SPLIT_RE.split(text) if p))
    if col.kind == "org":
        if text not in orgs:
            org = _find_org(text)
            orgs[text] = org.id if org is not None else None
        if orgs[text] is None:
            errors.append(tk._("No department named {name}").format(name=text))
            return text
        return orgs[text]
    if col.kind == "items":
        return _parse_items(col, text, errors, orgs)[0]
    return text  # pragma: no cover


def _parse_items(col: Column, text: str, errors: list[str],
                 orgs: dict[str, Any]) -> tuple[list[dict[str, Any]], list[int], set[int]]:
    """The items of a 信息项 cell, the item number (in the cell) of each, and the numbers of
    the items that could not be read."""
    items: list[dict[str, Any]] = []
    numbers: list[int] = []
    bad: set[int] = set()
    for n, chunk in enumerate((c for c in ITEM_SPLIT_RE.split(text) if c), start=1):
        parts = PART_SPLIT_RE.split(chunk)
        if len(parts) > len(col.subfields):
            errors.append(tk._("Item {n} has more than {max} parts separated by |").format(
                n=n, max=len(col.subfields)))
            bad.add(n)
            continue
        item: dict[str, Any] = {}
        for sub, part in zip(col.subfields, parts):
            if part == "":
                continue
            sub_errors: list[str] = []
            item[sub.field] = _parse_cell(sub, part, sub_errors, orgs)
            if sub_errors:
                bad.add(n)
            errors.extend(tk._("Item {n}, {label}: {message}").format(
                n=n, label=sub.header, message=m) for m in sub_errors)
        items.append(item)
        numbers.append(n)
    return items, numbers, bad


def _parse_rows(table: list[list[str]], cols: Sequence[Column],
                org_id: str | None = None) -> tuple[list[_Row], list[RowError]]:
    if not table or not any(table[0]):
        raise CatalogueError(tk._("The file is empty: the first row must hold the column headers"))
    by_key: dict[str, Column] = {}
    for col in cols:
        for key in _header_keys(col):
            by_key.setdefault(key, col)
    problems: list[RowError] = []
    present: dict[int, Column] = {}
    seen: dict[str, int] = {}
    for i, header in enumerate(table[0]):
        if not header:
            continue
        found = by_key.get(_clean_header(header))
        if found is None:
            problems.append(RowError(1, header, tk._("Unknown column")))
        elif found.header in seen:
            problems.append(RowError(1, header, tk._("Column appears twice")))
        else:
            seen[found.header] = i
            present[i] = found
    for col in cols:
        if (col.required and col.header not in seen and not col.resource
                and not (col.kind == "org" and org_id)):
            problems.append(RowError(1, col.header, tk._("Required column is missing")))

    rows = []
    orgs: dict[str, Any] = {}
    for number, cells in enumerate(table[1:], start=2):
        if not any(cells):
            continue
        row = _Row(number, {}, set(), None, set())
        resource: dict[str, Any] = {}
        for i, col in present.items():
            text = cells[i] if i < len(cells) else ""
            if text == "":
                (row.resource_blank if col.resource else row.blank).add(col.field)
                continue
            errors: list[str] = []
            if col.kind == "items":
                value, row.item_numbers[col.field], row.bad_items[col.field] = \
                    _parse_items(col, text, errors, orgs)
            else:
                value = _parse_cell(col, text, errors, orgs)
            if errors:
                row.errors[col.header] = errors
            (resource if col.resource else row.dataset)[col.field] = value
        row.resource = resource or None
        row.code = str(row.dataset.get("resource_code") or "").strip()
        rows.append(row)
    return rows, problems


# --------------------------------------------------------------------------------------
# Validation


def _context(user: str, **extra: Any) -> dict[str, Any]:
    return dict({"model": model, "session": model.Session, "user": user}, **extra)


def _slug(code: str) -> str:
    """A stable URL name from the resource code: 203001/000001 → 203001-000001."""
    return re.sub(r"[^a-z0-9_-]+", "-", code.lower()).strip("-")


def _existing_by_code(codes: Iterable[str]) -> dict[str, str]:
    codes = sorted({c for c in codes if c})
    found: dict[str, str] = {}
    for start in range(0, len(codes), 1000):
        chunk = codes[start:start + 1000]
        q = (model.Session.query(model.PackageExtra.value, model.Package.id)
             .join(model.Package, model.Package.id == model.PackageExtra.package_id)
             .filter(model.PackageExtra.key == "resource_code")
             .filter(model.PackageExtra.state == "active")
             .filter(model.PackageExtra.value.in_(chunk))
             .filter(model.Package.state != "deleted")
             .filter(model.Package.type == DATASET_TYPE))
        for code, pkg_id in q:
            found.setdefault(code, pkg_id)
    return found


def _merge(existing: dict[str, Any], row: _Row) -> dict[str, Any]:
    """The existing entry with the row applied: given cells replace, blank cells clear,
    absent columns keep; the name is kept when blank; resources beyond the first are kept."""
    data = copy.deepcopy(existing)
    for key in row.blank:
        if key == "name":
            continue
        if key == "tag_string":
            data["tag_string"] = ""  # no tags (an absent tag_string would keep them)
            continue
        data.pop(key, None)
    data.update(copy.deepcopy(row.dataset))
    if "tag_string" in data:
        data.pop("tags", None)
    if row.resource is not None:
        resources = data.get("resources") or []
        first = dict(resources[0]) if resources else {}
        for key in row.resource_blank:
            first.pop(key, None)
        first.update(row.resource)
        data["resources"] = [first] + list(resources[1:])
    return data


def _new(row: _Row) -> dict[str, Any]:
    data = copy.deepcopy(row.dataset)
    data["type"] = DATASET_TYPE
    if not data.get("name") and row.code:
        data["name"] = _slug(row.code)
    if row.resource is not None:
        data["resources"] = [copy.deepcopy(row.resource)]
    return data


def _validate(user: str, data: dict[str, Any], package: model.Package | None) -> tuple[dict, dict]:
    plugin = lib_plugins.lookup_package_plugin(DATASET_TYPE)
    # checking only: no advisory locks (the write takes them, in order; taken here in row
    # order they would let two imports deadlock)
    if package is None:
        context = _context(user, govshare_validate_only=True)
        schema_ = plugin.create_package_schema()
        action = "package_create"
    else:
        context = _context(user, package=package, govshare_validate_only=True)
        schema_ = plugin.update_package_schema()
        action = "package_update"
    return lib_plugins.plugin_validate(plugin, context, copy.deepcopy(data), schema_, action)


def _normalise(validated: dict[str, Any]) -> dict[str, Any]:
    """A validated dict in a form where equal entries compare equal."""
    out = dict(validated)
    out.pop("tag_string", None)
    out["tags"] = sorted({t.get("name", "") for t in out.get("tags") or []})
    extras = out.pop("extras", None) or []
    out["extras"] = {e.get("key"): e.get("value") for e in extras}
    return out


def _messages(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [m for v in value.values() for m in _messages(v)]
    if isinstance(value, (list, tuple)):
        return [m for v in value for m in _messages(v)]
    return [str(value)]


def _row_errors(row: _Row, errors: dict[str, Any], cols: Sequence[Column]) -> list[RowError]:
    dataset_cols = {c.field: c for c in cols if not c.resource}
    resource_cols = {c.field: c for c in cols if c.resource}
    if "tag_string" in dataset_cols:
        dataset_cols.setdefault("tags", dataset_cols["tag_string"])
    found: dict[str, list[str]] = {}

    def add(header: str, message: str) -> None:
        if message not in found.setdefault(header, []):
            found[header].append(message)

    for key, value in errors.items():
        col = dataset_cols.get(key)
        if key == "resources" and isinstance(value, list):
            for n, res_errors in enumerate(value):
                for rkey, rvalue in (res_errors or {}).items():
                    rcol = resource_cols.get(rkey) if n == 0 else None
                    header = rcol.header if rcol else tk._("resource {n}").format(n=n + 1) + f" {rkey}"
                    for m in _messages(rvalue):
                        add(header, m)
        elif col is not None and col.kind == "items" and isinstance(value, list):
            subs = {s.field: s for s in col.subfields}
            numbers = row.item_numbers.get(key) or []
            bad = row.bad_items.get(key) or set()
            for i, item_errors in enumerate(value):
                n = numbers[i] if i < len(numbers) else i + 1
                if n in bad:  # already explained by the parse error
                    continue
                if isinstance(item_errors, dict):
                    for skey, svalue in item_errors.items():
                        label = subs[skey].header if skey in subs else skey
                        for m in _messages(svalue):
                            add(col.header, tk._("Item {n}, {label}: {message}").format(
                                n=n, label=label, message=m))
                else:
                    for m in _messages(item_errors):
                        add(col.header, m)
        else:
            header = col.header if col is not None else key
            for m in _messages(value):
                add(header, m)
    # a cell that could not be read explains itself better than the validator's echo of
    # it; 信息项 keeps the messages about its other items
    items_headers = {c.header for c in cols if c.kind == "items"}
    for header, messages in row.errors.items():
        rest = found.get(header, []) if header in items_headers else []
        found[header] = list(messages) + [m for m in rest if m not in messages]
    return [RowError(row.number, h, m) for h, ms in found.items() for m in ms]


def _auth_error(user: str, action: str, data: dict[str, Any]) -> str | None:
    try:
        tk.check_access(action, _context(user), data)
    except tk.NotAuthorized:
        if action == "package_create":
            return tk._("You are not allowed to add entries to this department")
        return tk._("You are not allowed to change the existing entry with this resource code")
    return None


def _tick(progress: Progress | None, stage: str, done: int, total: int) -> None:
    if progress is not None:
        progress(stage, done, total)


def _plan(rows: list[_Row], cols: Sequence[Column], user: str, org_id: str | None,
          progress: Progress | None) -> list[RowError]:
    """Validate every row and decide create / update / unchanged; returns every problem."""
    problems: list[RowError] = []
    org_col = next((c for c in cols if c.kind == "org"), None)
    code_col = next((c for c in cols if c.field == "resource_code" and not c.resource), None)
    name_col = next((c for c in cols if c.field == "name" and not c.resource), None)

    first_row_of_code: dict[str, int] = {}
    first_row_of_name: dict[str, int] = {}
    existing = _existing_by_code(r.code for r in rows)
    show = tk.get_action("package_show")
    for n, row in enumerate(rows, start=1):
        if org_id is not None:
            if "owner_org" not in row.dataset and "owner_org" not in row.errors:
                row.dataset["owner_org"] = org_id
            elif row.dataset.get("owner_org") != org_id and org_col is not None \
                    and org_col.header not in row.errors:
                row.errors[org_col.header] = [tk._("Only entries of this department can be imported here")]

        duplicate_code = False
        if row.code and code_col is not None:
            if row.code in first_row_of_code:
                duplicate_code = True
                row.errors.setdefault(code_col.header, []).append(
                    tk._("Resource code {code} also appears in row {row}").format(
                        code=row.code, row=first_row_of_code[row.code]))
            else:
                first_row_of_code[row.code] = row.number

        row.existing_id = existing.get(row.code)
        auth_problem = None
        validated: dict[str, Any]
        org_readable = org_col is None or org_col.header not in row.errors
        if row.existing_id is None:
            row.action = "create"
            row.data = _new(row)
            if org_readable and row.data.get("owner_org"):
                auth_problem = _auth_error(user, "package_create", {
                    "owner_org": row.data["owner_org"], "type": DATASET_TYPE})
            validated, errors = _validate(user, row.data, None)
        else:
            current = show(_context(user, ignore_auth=True), {"id": row.existing_id})
            if org_id is not None and current.get("owner_org") != org_id and org_col is not None:
                row.errors.setdefault(org_col.header, []).append(
                    tk._("The existing entry with this resource code belongs to another department"))
            row.data = _merge(current, row)
            auth_problem = _auth_error(user, "package_update", {"id": row.existing_id})
            package = model.Package.get(row.existing_id)
            validated, errors = _validate(user, row.data, package)
            if not errors and not row.errors and auth_problem is None:
                before, before_errors = _validate(user, current, package)
                same = not before_errors and _normalise(before) == _normalise(validated)
                row.action = "unchanged" if same else "update"
            else:
                row.action = "update"

        name = validated.get("name") if isinstance(validated, dict) else None
        if name and name_col is not None and not duplicate_code:  # same code, same generated name
            if name in first_row_of_name:
                row.errors.setdefault(name_col.header, []).append(
                    tk._("URL name {name} also appears in row {row}").format(
                        name=name, row=first_row_of_name[name]))
            else:
                first_row_of_name[name] = row.number
        if auth_problem and org_col is not None:
            row.errors.setdefault(org_col.header, []).append(auth_problem)
        problems.extend(_row_errors(row, errors, cols))
        if n % 200 == 0:
            # validation writes nothing; end the read transaction now and then over a long file
            model.Session.rollback()
        _tick(progress, "validate", n, len(rows))
    model.Session.rollback()
    return problems


# --------------------------------------------------------------------------------------
# Writing


class _NestedCommit(Exception):
    pass


class _CommitGuard:
    """Refuse every commit of this thread's session except the importer's own."""

    def __init__(self, session: Any):
        self.session = session
        self.allowed = False
        self.seen_ids: set[str] = set()

    def _before_commit(self, session: Any) -> None:
        if self.allowed:
            return
        cache = getattr(session, "_object_cache", None) or {}
        for kind in ("new", "changed"):
            self.seen_ids.update(o.id for o in cache.get(kind, ()) if isinstance(o, model.Package))
        raise _NestedCommit(
            "a commit was attempted in the middle of the catalogue import; rolled back")

    def __enter__(self) -> "_CommitGuard":
        event.listen(self.session, "before_commit", self._before_commit)
        return self

    def __exit__(self, *exc: Any) -> None:
        event.remove(self.session, "before_commit", self._before_commit)


def _write_one(row: _Row, user: str) -> str:
    context = _context(user, defer_commit=True, return_id_only=True)
    if row.action == "create":
        return tk.get_action("package_create")(context, copy.deepcopy(row.data))
    tk.get_action("package_update")(context, copy.deepcopy(row.data))
    return row.existing_id  # type: ignore[return-value]


def _drop_index_notifications(session: Any) -> None:
    """Let the coming commit skip CKAN's before-commit indexing: the importer indexes after
    the commit succeeded. ``_object_cache`` is filled by CKAN's before_flush hook and read
    only by its before_commit hook (ckan/model/meta.py, ckan/model/modification.py)."""
    session.flush()
    if hasattr(session, "_object_cache"):
        del session._object_cache


def _restore_index(created: Iterable[str], updated: Iterable[str]) -> None:
    """After a rollback: Solr must not keep what the database no longer has."""
    index = search.index_for(model.Package)
    for pkg_id in set(created):
        try:
            index.remove_dict({"id": pkg_id})
        except Exception:  # noqa: BLE001 - best effort, logged
            log.exception("could not remove %s from the search index", pkg_id)
    for pkg_id in set(updated):
        try:
            search.rebuild(pkg_id)
        except Exception:  # noqa: BLE001
            log.exception("could not re-index %s", pkg_id)


def _index(ids: Sequence[str], progress: Progress | None) -> str | None:
    index = search.index_for(model.Package)
    show = tk.get_action("package_show")
    try:
        for n, pkg_id in enumerate(ids, start=1):
            pkg = show({"ignore_auth": True, "validate": False, "use_cache": False}, {"id": pkg_id})
            index.update_dict(pkg, True)
            _tick(progress, "index", n, len(ids))
        if ids and tk.config.get("ckan.search.solr_commit"):
            index.commit()
    except Exception as e:  # noqa: BLE001 - the database is right; tell how to repair Solr
        log.exception("indexing the imported catalogue failed")
        return str(e)
    return None


def _write(rows: list[_Row], cols: Sequence[Column], user: str,
           progress: Progress | None) -> list[str]:
    session = model.Session()
    todo = [r for r in rows if r.action in ("create", "update")]
    created: list[str] = []
    guard = _CommitGuard(session)
    try:
        with guard:
            lock_resource_codes(r.code for r in todo)
            for n, row in enumerate(todo, start=1):
                try:
                    pkg_id = _write_one(row, user)
                except tk.ValidationError as e:
                    # a concurrent writer got in between validation and writing
                    raise CatalogueInvalid(_row_errors(row, e.error_dict, cols))
                if row.action == "create":
                    created.append(pkg_id)
                _tick(progress, "write", n, len(todo))
            _drop_index_notifications(session)
            guard.allowed = True
            session.commit()
    except BaseException:
        try:
            model.Session.rollback()
        except Exception:  # noqa: BLE001 - the database may be gone; nothing was committed
            log.exception("rollback after a failed catalogue import")
        updated = [r.existing_id for r in todo if r.action == "update" and r.existing_id]
        _restore_index(created + sorted(guard.seen_ids - set(updated)), updated)
        raise
    return created


# --------------------------------------------------------------------------------------
# Import


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rows: int = 0
    dry_run: bool = False
    index_error: str | None = None
    created_ids: list[str] = field(default_factory=list)
    updated_ids: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


def import_catalogue(source: str | IO[bytes], fmt: str | None = None, *, user: str,
                     org: str | None = None, dry_run: bool = False,
                     progress: Progress | None = None) -> ImportResult:
    """Import a catalogue spreadsheet: validate every row, then create or update the entries
    in one transaction (upsert by 信息资源代码); unchanged entries are not touched.

    :param source: path, or binary file object (then ``fmt`` is needed)
    :param fmt: ``xlsx`` or ``csv``; from the file name when omitted
    :param user: the account that imports (its permissions apply to every row)
    :param org: only entries of this department (name, id or title); rows with an empty
        提供方 belong to it
    :param dry_run: validate and count, write nothing
    :raises CatalogueInvalid: with every row/column problem; nothing was written
    :raises CatalogueError: the file cannot be read as a catalogue
    """
    if isinstance(source, str):
        fmt = fmt or file_format(source)
    table = read_table(source, fmt)
    cols = columns()
    org_id = None
    if org:
        found = _find_org(org)
        if found is None:
            raise CatalogueError(tk._("No department named {name}").format(name=org))
        org_id = found.id
    rows, problems = _parse_rows(table, cols, org_id)
    if problems:  # the header row itself is wrong: rows cannot be read reliably
        raise CatalogueInvalid(problems)
    problems = _plan(rows, cols, user, org_id, progress)
    if problems:
        raise CatalogueInvalid(problems)

    result = ImportResult(rows=len(rows), dry_run=dry_run)
    result.created = sum(r.action == "create" for r in rows)
    result.updated = sum(r.action == "update" for r in rows)
    result.unchanged = sum(r.action == "unchanged" for r in rows)
    if dry_run:
        return result
    result.created_ids = _write(rows, cols, user, progress)
    result.updated_ids = [r.existing_id for r in rows if r.action == "update"]  # type: ignore[misc]
    result.index_error = _index(result.created_ids + result.updated_ids, progress)
    return result
