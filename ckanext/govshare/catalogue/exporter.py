# -*- coding: utf-8 -*-
"""Export of the catalogue to a spreadsheet: one row per entry the exporting account may
see (``package_show`` as that account), ordered by 信息资源代码, vocabulary values as their
Chinese labels; importing the file again changes nothing."""
from __future__ import annotations

from typing import IO, Any, Callable, Sequence

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.govshare import compat
from ckanext.govshare.catalogue import departments, registry
from ckanext.govshare.catalogue.columns import (
    DATASET_TYPE, ITEM_SEP, MULTI_SEP, PART_SEP, TAG_SEP, Column, columns)
from ckanext.govshare.catalogue.errors import CatalogueError
from ckanext.govshare.catalogue.spreadsheet import FORMATS, cell_text, file_format, write_csv, write_xlsx

__all__ = ["export_row", "export_catalogue"]

Progress = Callable[[str, int, int], None]


def _org_cell(pkg: dict[str, Any], directory: registry.Directory | None) -> str:
    """The 提供方 cell: what finds the department again on import (its 提供方代码, else its
    name when no other department has it, else its URL name)."""
    if directory is not None and pkg.get("owner_org"):
        return directory.cell(pkg["owner_org"])
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


def _export_cell(col: Column, source: dict[str, Any], pkg: dict[str, Any],
                 directory: registry.Directory | None = None) -> str:
    if col.kind == "org":
        return _org_cell(pkg, directory)
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
                      else cell_text(item.get(s.field))) for s in col.subfields]
            while parts and parts[-1] == "":
                parts.pop()
            items.append(PART_SEP.join(parts))
        return ITEM_SEP.join(items)
    return cell_text(value)


def export_row(cols: Sequence[Column], pkg: dict[str, Any],
               directory: registry.Directory | None = None) -> list[str]:
    """The cells of one catalogue entry (a ``package_show`` dict)."""
    first = (pkg.get("resources") or [{}])[0]
    return [_export_cell(c, first if c.resource else pkg, pkg, directory) for c in cols]


def _package_ids(org_id: str | None) -> list[str]:
    code = compat.extra_value("resource_code")
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
    org_id = departments.department_id(org)
    cols = columns()
    ids = _package_ids(org_id)
    directory = registry.Directory()
    rows = []
    show = tk.get_action("package_show")
    for n, pkg_id in enumerate(ids, start=1):
        try:
            pkg = show({"user": user}, {"id": pkg_id})
        except tk.NotAuthorized:
            continue
        rows.append(export_row(cols, pkg, directory))
        if progress is not None:
            progress("export", n, len(ids))
    if fmt == "xlsx":
        write_xlsx(target, cols, rows, with_help=True)
    else:
        write_csv(target, cols, rows)
    return len(rows)

