# -*- coding: utf-8 -*-
"""The department registry: departments (CKAN organisations) imported and exported as a
spreadsheet, and the directory the catalogue importer finds providers in.

Columns (``docs/catalogue-template.md``): 名称, 简称, 提供方代码, 统一社会信用代码, 上级部门,
层级, 行政区划, 负责人. A row updates the department with its 统一社会信用代码, else the one
with its 提供方代码 (else, with neither code, the only department of that name) and creates a
new department otherwise; a blank cell keeps what the department has. 上级部门 names another department (by code, or by name when the name
is unique) and is kept as CKAN's group hierarchy (a ``member`` row with capacity ``parent``).
All or nothing; an unchanged department is not written, so re-importing an export changes
nothing. The department's fields are those of the organisation schema
(``schemas/organization.yaml``) and are written through ``organization_create`` /
``organization_patch``, so the schema's validators apply.

:class:`Directory` finds a department from what a catalogue cell holds: an id, a URL name,
a 提供方代码 or 统一社会信用代码, or a name (only when no other active department has it).
"""
from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import IO, Any, Optional

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib import plugins as lib_plugins

from ckanext.govshare import compat, vocab
from ckanext.govshare.catalogue.columns import Column, clean_header
from ckanext.govshare.catalogue.errors import CatalogueError, CatalogueInvalid, RowError
from ckanext.govshare.catalogue.spreadsheet import read_table, write_csv, write_xlsx

__all__ = [
    "COLUMNS",
    "Directory",
    "DepartmentResult",
    "import_departments",
    "export_departments",
    "write_department_template",
]

# (header, organisation field or "parent", required)
_SPEC = (
    ("名称", "title", True),
    ("简称", "short_name", False),
    ("提供方代码", "provider_code", False),
    ("统一社会信用代码", "credit_code", False),
    ("上级部门", "parent", False),
    ("层级", "org_level", False),
    ("行政区划", "region_code", False),
    ("负责人", "head_name", False),
)
COLUMNS: tuple[Column, ...] = tuple(
    Column(header=h, field=f, kind="vocab" if f == "org_level" else "text", required=r,
           vocabulary=vocab.ORG_LEVELS if f == "org_level" else None)
    for h, f, r in _SPEC)
_EXTRA_FIELDS = ("short_name", "provider_code", "credit_code", "org_level", "region_code", "head_name")
_HEADER_KEYS = {
    **{clean_header(h): f for h, f, _r in _SPEC},
    **{clean_header(f): f for _h, f, _r in _SPEC},
    "部门名称": "title", "行政区划代码": "region_code", "上级": "parent", "上级部门代码": "parent",
    "代码": "provider_code", "信用代码": "credit_code", "负责人姓名": "head_name",
}


# --------------------------------------------------------------------------------------
# The directory of departments


@dataclass
class _Dept:
    id: str
    name: str
    title: str
    extras: dict[str, str] = field(default_factory=dict)
    parent_id: Optional[str] = None


class Directory:
    """Every active department, loaded in three queries, found by what a cell holds."""

    def __init__(self) -> None:
        self.by_id: dict[str, _Dept] = {}
        q = (model.Session.query(model.Group.id, model.Group.name, model.Group.title)
             .filter(model.Group.is_organization.is_(True))
             .filter(model.Group.state == "active"))
        for gid, name, title in q:
            self.by_id[gid] = _Dept(gid, name, title or name)
        for gid, extras in compat.group_extras_of(None, _EXTRA_FIELDS).items():
            for key, value in extras.items():
                if gid in self.by_id and value not in (None, ""):
                    self.by_id[gid].extras[key] = value
        # CKAN's group hierarchy: member.group_id is the child, member.table_id the parent
        for child_id, parent_id in (model.Session.query(model.Member.group_id, model.Member.table_id)
                                    .filter(model.Member.table_name == "group")
                                    .filter(model.Member.capacity == "parent")
                                    .filter(model.Member.state == "active")):
            if child_id in self.by_id:
                self.by_id[child_id].parent_id = parent_id
        self.by_name = {d.name: d for d in self.by_id.values()}
        self.by_code: dict[str, _Dept] = {}
        self.by_title: dict[str, list[_Dept]] = defaultdict(list)
        for d in sorted(self.by_id.values(), key=lambda d: d.name):
            for key in ("provider_code", "credit_code"):
                code = d.extras.get(key)
                if code:
                    self.by_code.setdefault(code.upper(), d)
            self.by_title[d.title].append(d)

    def find(self, text: str) -> tuple[Optional[_Dept], str]:
        """``(department, how)``; how is ``id``, ``name``, ``code`` or ``title`` when found,
        ``unknown`` or ``ambiguous`` (a name several departments have) when not."""
        text = str(text or "").strip()
        if text in self.by_id:
            return self.by_id[text], "id"
        if text.upper() in self.by_code:
            return self.by_code[text.upper()], "code"
        if text in self.by_name:
            return self.by_name[text], "name"
        titled = self.by_title.get(text) or []
        if len(titled) == 1:
            return titled[0], "title"
        return None, ("ambiguous" if titled else "unknown")

    def cell(self, org_id: str) -> str:
        """What a spreadsheet names the department by: its 提供方代码, else its 统一社会信用代码,
        else its name when unique, else its URL name (always found again by :meth:`find`)."""
        d = self.by_id.get(org_id)
        if d is None:
            return org_id
        for key in ("provider_code", "credit_code"):
            code = d.extras.get(key)
            if code and self.by_code.get(code.upper()) is d:
                return code
        if len(self.by_title.get(d.title) or []) == 1 and d.title not in self.by_name \
                and d.title.upper() not in self.by_code:
            return d.title
        return d.name

    def region(self, org_id: str) -> str:
        d = self.by_id.get(org_id)
        return (d.extras.get("region_code") or "") if d else ""


# --------------------------------------------------------------------------------------
# Import


@dataclass
class DepartmentResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rows: int = 0
    dry_run: bool = False
    created_ids: list[str] = field(default_factory=list)
    updated_ids: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


@dataclass
class _DeptRow:
    number: int
    values: dict[str, str]
    target: Optional[_Dept] = None
    action: str = ""
    name: str = ""
    parent_text: str = ""


def _region(text: str) -> tuple[str, bool]:
    """A 行政区划 cell as a 6-digit code: the code itself, or the province it names
    (``浙江省``, ``浙江省杭州市`` → 330000). ``(code, changed)``."""
    text = str(text or "").strip()
    if re.fullmatch(r"\d{6}", text) or not text:
        return text, False
    for term in vocab.PROVINCES:
        short = re.sub(r"(省|市|自治区|壮族自治区|回族自治区|维吾尔自治区|特别行政区)$", "", term.zh)
        if text.startswith(term.zh) or text.startswith(short):
            return term.value + "0000", True
    return text, False


def _slug(row: _DeptRow) -> str:
    code = row.values.get("provider_code") or row.values.get("credit_code")
    if code:
        return "dept-" + re.sub(r"[^a-z0-9_-]+", "-", code.lower()).strip("-")
    digest = hashlib.sha1("|".join((row.values.get("title", ""), row.values.get("region_code", ""),
                                    row.values.get("parent", ""))).encode("utf-8")).hexdigest()
    return "dept-" + digest[:12]


def _parse(table: list[list[str]]) -> tuple[list[_DeptRow], list[RowError], dict[tuple[str, str, str], int]]:
    if not table or not any(table[0]):
        raise CatalogueError(tk._("The file is empty: the first row must hold the column headers"))
    problems: list[RowError] = []
    present: dict[int, str] = {}
    for i, header in enumerate(table[0]):
        if not header:
            continue
        key = _HEADER_KEYS.get(clean_header(header))
        if key is None:
            problems.append(RowError(1, header, tk._("Unknown column")))
        elif key in present.values():
            problems.append(RowError(1, header, tk._("Column appears twice")))
        else:
            present[i] = key
    if "title" not in present.values():
        problems.append(RowError(1, "名称", tk._("Required column is missing")))
    rows: list[_DeptRow] = []
    normalised: dict[tuple[str, str, str], int] = defaultdict(int)
    headers = {f: h for h, f, _r in _SPEC}
    for number, cells in enumerate(table[1:], start=2):
        if not any(cells):
            continue
        values: dict[str, str] = {}
        for i, key in present.items():
            text = (cells[i] if i < len(cells) else "").strip()
            if text.lower() in vocab.BLANK_WORDS:
                text = ""
            if key == "region_code" and text:
                code, changed = _region(text)
                if changed:
                    normalised[(headers[key], text, code)] += 1
                text = code
            if key == "org_level" and text:
                term = vocab.ORG_LEVELS.lookup(text)
                if term is None:
                    problems.append(RowError(number, headers[key], tk._(
                        "{value} is not an allowed value; use one of: {allowed}").format(
                            value=text, allowed="、".join(t.zh for t in vocab.ORG_LEVELS))))
                else:
                    if text not in (term.zh, term.value):
                        normalised[(headers[key], text, term.zh)] += 1
                    text = term.value
            if key in ("provider_code", "credit_code"):
                text = text.upper() if key == "credit_code" else text
            values[key] = text
        row = _DeptRow(number, values, parent_text=values.pop("parent", ""))
        if not values.get("title"):
            problems.append(RowError(number, "名称", tk._("Missing value")))
        rows.append(row)
    return rows, problems, dict(normalised)


def _match(rows: list[_DeptRow], directory: Directory) -> list[RowError]:
    problems: list[RowError] = []
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        found: dict[str, _Dept] = {}
        for key, header in (("credit_code", "统一社会信用代码"), ("provider_code", "提供方代码")):
            code = row.values.get(key)
            if not code:
                continue
            if (key, code.upper()) in seen:
                problems.append(RowError(row.number, header, tk._(
                    "{code} also appears in row {row}").format(code=code, row=seen[(key, code.upper())])))
            seen.setdefault((key, code.upper()), row.number)
            dept = directory.by_code.get(code.upper())
            if dept is not None and dept.extras.get(key, "").upper() == code.upper():
                found[key] = dept
        if found.get("credit_code") and found.get("provider_code") \
                and found["credit_code"].id != found["provider_code"].id:
            problems.append(RowError(row.number, "提供方代码", tk._(
                "The unified social credit code and the provider code belong to two different "
                "departments ({a}, {b})").format(a=found["credit_code"].title,
                                                  b=found["provider_code"].title)))
            continue
        target = found.get("credit_code") or found.get("provider_code")
        if target is None and not row.values.get("credit_code") and not row.values.get("provider_code"):
            titled = directory.by_title.get(row.values.get("title", "")) or []
            if len(titled) == 1:
                target = titled[0]
            elif len(titled) > 1:
                problems.append(RowError(row.number, "名称", tk._(
                    "{n} departments are named {name}: give the provider code or the unified "
                    "social credit code").format(n=len(titled), name=row.values.get("title"))))
                continue
        row.target = target
        row.name = target.name if target is not None else _slug(row)
        if target is None and row.name in directory.by_name:
            problems.append(RowError(row.number, "名称", tk._(
                "The URL name {name} is taken by another department").format(name=row.name)))
    return problems


def _resolve_parents(rows: list[_DeptRow], directory: Directory) -> tuple[dict[int, Optional[str]], list[RowError]]:
    """The parent of each row: the URL name of a department (new or existing)."""
    by_code: dict[str, str] = {}
    by_title: dict[str, set[str]] = defaultdict(set)
    for d in directory.by_id.values():
        by_title[d.title].add(d.name)
    for row in rows:
        for key in ("provider_code", "credit_code"):
            if row.values.get(key):
                by_code[row.values[key].upper()] = row.name
        by_title[row.values.get("title", "")].add(row.name)
    parents: dict[int, Optional[str]] = {}
    problems: list[RowError] = []
    for row in rows:
        text = row.parent_text
        if not text:
            parents[row.number] = None
            continue
        name = by_code.get(text.upper())
        if name is None:
            dept, _how = directory.find(text)
            if dept is not None and _how != "title":
                name = dept.name
        if name is None:
            titled = by_title.get(text) or set()
            if len(titled) == 1:
                name = next(iter(titled))
            elif len(titled) > 1:
                problems.append(RowError(row.number, "上级部门", tk._(
                    "{n} departments are named {name}: give the provider code or the unified "
                    "social credit code").format(n=len(titled), name=text)))
                continue
        if name is None:
            problems.append(RowError(row.number, "上级部门", tk._(
                "No department {name} in the file or on the platform").format(name=text)))
        elif name == row.name:
            problems.append(RowError(row.number, "上级部门", tk._("A department cannot be its own parent")))
        else:
            parents[row.number] = name
    return parents, problems


def _validate(rows: list[_DeptRow], user: str) -> list[RowError]:
    """The organisation schema's validators on every row (nothing written)."""
    problems: list[RowError] = []
    schema_ = tk.get_action("scheming_organization_schema_show")(
        {"ignore_auth": True}, {"type": "organization", "expanded": True})
    labels = {f["field_name"]: (f.get("label") or {}).get("zh_Hans_CN", f["field_name"])
              for f in schema_["fields"]}
    headers = {f: h for h, f, _r in _SPEC}
    plugin = lib_plugins.lookup_group_plugin("organization")
    for row in rows:
        data = _data(row)
        context = {"model": model, "session": model.Session, "user": user, "schema_keys": None}
        if row.target is not None:
            context["group"] = model.Group.get(row.target.id)
            data["id"] = row.target.id
        schema = compat.group_form_schema(plugin, update=row.target is not None, context=context)
        _data_out, errors = plugin.validate(context, data, schema,
                                            "organization_update" if row.target else "organization_create")
        for key, messages in (errors or {}).items():
            header = headers.get(key) or labels.get(key) or key
            for m in (messages if isinstance(messages, list) else [messages]):
                problems.append(RowError(row.number, header, str(m)))
    model.Session.rollback()
    return problems


def _data(row: _DeptRow) -> dict[str, Any]:
    data: dict[str, Any] = {"name": row.name, "title": row.values.get("title", "")}
    for key in _EXTRA_FIELDS:
        if row.values.get(key):  # a blank cell keeps what the department has
            data[key] = row.values[key]
    return data


def _same(row: _DeptRow, parent: Optional[str], directory: Directory) -> bool:
    d = row.target
    assert d is not None
    if d.title != row.values.get("title"):
        return False
    for key in _EXTRA_FIELDS:
        if row.values.get(key) and (d.extras.get(key) or "") != row.values[key]:
            return False
    current = directory.by_id.get(d.parent_id or "")
    return (current.name if current else None) == parent


def _set_parent(child_id: str, parent_id: Optional[str]) -> None:
    """CKAN's group hierarchy (``Group.get_parent_groups``): a member row of the child
    (``group_id``) naming the parent (``table_id``), capacity ``parent``."""
    members = (model.Session.query(model.Member)
               .filter(model.Member.table_name == "group")
               .filter(model.Member.group_id == child_id)
               .filter(model.Member.capacity == "parent")
               .filter(model.Member.state == "active").all())
    keep = False
    for m in members:
        if m.table_id == parent_id and not keep:
            keep = True
        else:
            m.state = "deleted"
    if parent_id and not keep:
        # (Member's constructor sets the group relationship, which wins over group_id)
        model.Session.add(model.Member(group=model.Group.get(child_id), table_id=parent_id,
                                       table_name="group", capacity="parent", state="active"))


def import_departments(source: str | IO[bytes], fmt: Optional[str] = None, *, user: str,
                       dry_run: bool = False) -> tuple[DepartmentResult, dict[tuple[str, str, str], int]]:
    """Import the department spreadsheet (all or nothing). Returns the counts and the cells
    normalised (``{(column, as written, as stored): rows}``).

    :raises CatalogueInvalid: with every problem; nothing was written
    """
    table = read_table(source, fmt)
    rows, problems, normalised = _parse(table)
    if problems:
        raise CatalogueInvalid(problems)
    directory = Directory()
    problems = _match(rows, directory)
    parents, parent_problems = _resolve_parents(rows, directory)
    problems += parent_problems
    if problems:
        raise CatalogueInvalid(problems)
    problems = _validate(rows, user)
    if problems:
        raise CatalogueInvalid(problems)
    result = DepartmentResult(rows=len(rows), dry_run=dry_run)
    for row in rows:
        if row.target is None:
            row.action = "create"
        elif _same(row, parents.get(row.number), directory):
            row.action = "unchanged"
        else:
            row.action = "update"
    result.created = sum(r.action == "create" for r in rows)
    result.updated = sum(r.action == "update" for r in rows)
    result.unchanged = sum(r.action == "unchanged" for r in rows)
    if dry_run:
        return result, normalised
    _write(rows, parents, directory, result)
    return result, normalised


def _write(rows: list[_DeptRow], parents: dict[int, Optional[str]], directory: Directory,
           result: DepartmentResult) -> None:
    # written as the site user: the caller's authority was checked by the action; the
    # creator of an organisation becomes its administrator, which must not be the caller
    site = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    ids: dict[str, str] = {d.name: d.id for d in directory.by_id.values()}
    try:
        for row in rows:
            context = {"user": site, "ignore_auth": True, "defer_commit": True}
            if row.action == "create":
                out = tk.get_action("organization_create")(context, _data(row))
                ids[row.name] = out["id"]
                result.created_ids.append(out["id"])
            elif row.action == "update":
                assert row.target is not None
                data = _data(row)
                data.pop("name", None)
                tk.get_action("organization_patch")(context, dict(data, id=row.target.id))
                result.updated_ids.append(row.target.id)
        for row in rows:
            if row.action == "unchanged":
                continue
            parent = parents.get(row.number)
            _set_parent(ids[row.name], ids.get(parent) if parent else None)
        model.Session.commit()
    except Exception:
        model.Session.rollback()
        raise


# --------------------------------------------------------------------------------------
# Export and template


def _rows(directory: Directory) -> list[list[str]]:
    out = []
    for d in sorted(directory.by_id.values(), key=lambda d: (d.extras.get("region_code") or "",
                                                             d.extras.get("provider_code") or "",
                                                             d.title, d.name)):
        parent = directory.cell(d.parent_id) if d.parent_id in directory.by_id else ""
        level = vocab.ORG_LEVELS.get(d.extras.get("org_level"))
        out.append([d.title, d.extras.get("short_name", ""), d.extras.get("provider_code", ""),
                    d.extras.get("credit_code", ""), parent, level.zh if level else "",
                    d.extras.get("region_code", ""), d.extras.get("head_name", "")])
    return out


def export_departments(target: str | IO[bytes], fmt: str) -> int:
    """Write every active department to ``target``; returns how many."""
    rows = _rows(Directory())
    if fmt == "xlsx":
        write_xlsx(target, COLUMNS, rows, with_help=False)
    elif fmt == "csv":
        write_csv(target, COLUMNS, rows)
    else:
        raise CatalogueError(tk._("Unsupported file type {ext}: use .xlsx or .csv").format(ext=fmt))
    return len(rows)


def write_department_template(target: str | IO[bytes]) -> list[Column]:
    write_xlsx(target, COLUMNS, [], with_help=True)
    return list(COLUMNS)
