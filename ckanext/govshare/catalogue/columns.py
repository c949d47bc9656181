# -*- coding: utf-8 -*-
"""The columns of a catalogue spreadsheet and the formats of their cells.

The columns are derived at run time from the scheming dataset schema (``schemas/dataset.yaml``
through ``scheming_dataset_schema_show``): one column per dataset field, headed by its Chinese
label, followed by the columns of the entry's *first resource*. The schema stays the one
source of truth; ``docs/catalogue-template.md`` documents the cell formats.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.govshare import vocab

__all__ = [
    "Column",
    "schema",
    "columns",
    "header_keys",
    "clean_header",
]

DATASET_TYPE = "dataset"
LANG = "zh_Hans_CN"

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


def header_keys(col: Column) -> list[str]:
    keys = [col.header, col.field if not col.resource else "resource_" + col.field]
    if col.label_en:
        keys.append(("resource " + col.label_en) if col.resource else col.label_en)
    return [k.strip().lower() for k in keys]


def clean_header(text: str) -> str:
    text = re.sub(r"\s+", "", str(text or ""))
    return re.sub(r"^[*＊]|[*＊]$|[（(]必填[)）]$", "", text).strip().lower()

