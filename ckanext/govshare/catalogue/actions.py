# -*- coding: utf-8 -*-
"""The catalogue spreadsheets as actions: ``govshare_catalogue_import``,
``govshare_catalogue_export`` and ``govshare_catalogue_template``.

The department page (``views.py``), the CLI (``ckan govshare catalogue …``) and API clients
all go through these actions, so the same auth functions (``auth.py``) apply everywhere.

Files travel as file objects, never as paths: the import takes the upload (a multipart
``FileStorage`` through the API and the web page; the CLI opens the file itself and hands
over the open file), and the export and the template are written to ``target`` (a writable
binary file object, for Python callers: the web page and the CLI) or returned base64-encoded
(API callers). No caller can make the platform read or write a file of its choosing.
"""
from __future__ import annotations

import base64
import io
from typing import IO, Any, Callable, Optional, cast

import ckan.plugins.toolkit as tk
from ckan.types import ActionResult, Context, DataDict, Schema

from ckanext.govshare.catalogue import departments, exporter, importer, registry, spreadsheet
from ckanext.govshare.catalogue.errors import CatalogueError, CatalogueInvalid

__all__ = [
    "govshare_catalogue_import",
    "govshare_catalogue_export",
    "govshare_catalogue_template",
    "govshare_department_import",
    "govshare_department_export",
    "govshare_department_template",
]

_ = tk._

# context key of an optional progress callback ``(stage, done, total)`` (the CLI's)
PROGRESS = "govshare_progress"


@tk.validator_args
def catalogue_import_schema(ignore_missing: Any, unicode_safe: Any, govshare_boolean: Any,
                            one_of: Any) -> Schema:
    return {
        "id": [ignore_missing, unicode_safe],
        "upload": [ignore_missing],
        "format": [ignore_missing, unicode_safe, one_of(list(spreadsheet.FORMATS))],
        "dry_run": [ignore_missing, govshare_boolean],
        "skip_invalid": [ignore_missing, govshare_boolean],
    }


@tk.validator_args
def department_import_schema(ignore_missing: Any, unicode_safe: Any, govshare_boolean: Any,
                             one_of: Any) -> Schema:
    return {
        "upload": [ignore_missing],
        "format": [ignore_missing, unicode_safe, one_of(list(spreadsheet.FORMATS))],
        "dry_run": [ignore_missing, govshare_boolean],
    }


@tk.validator_args
def catalogue_export_schema(ignore_missing: Any, unicode_safe: Any, one_of: Any) -> Schema:
    return {
        "id": [ignore_missing, unicode_safe],
        "format": [ignore_missing, unicode_safe, one_of(list(spreadsheet.FORMATS))],
        "target": [ignore_missing],
    }


@tk.validator_args
def catalogue_template_schema(ignore_missing: Any) -> Schema:
    return {"target": [ignore_missing]}


def _department(context: Context, data_dict: DataDict, auth: str) -> Optional[str]:
    """The id of the department ``id`` names (id, URL name or title), after the auth check;
    None for the whole catalogue (sysadmins)."""
    name = data_dict.get("id")
    org_id = None
    if name:
        found = departments.find_department(name)
        if found is None:
            raise tk.ObjectNotFound(_("No department named {name}").format(name=name))
        org_id = found.id
    tk.check_access(auth, context, {"id": org_id})
    return org_id


def _progress(context: Context) -> Optional[Callable[[str, int, int], None]]:
    return cast("dict[str, Any]", context).get(PROGRESS)


def _deliver(write: Callable[[IO[bytes]], Any], target: Any, fmt: str,
             filename: str) -> dict[str, Any]:
    """Write the file to ``target``, or return it base64-encoded when there is none."""
    out: dict[str, Any] = {"format": fmt, "filename": filename, "mimetype": spreadsheet.MIMETYPES[fmt]}
    if target is not None:
        if not hasattr(target, "write"):
            raise tk.ValidationError({"target": [_("Not a writable file")]})
        write(target)
        return out
    buf = io.BytesIO()
    write(buf)
    out["content"] = base64.b64encode(buf.getvalue()).decode("ascii")
    return out


def _upload(data_dict: DataDict) -> tuple[Any, str]:
    """The uploaded file's stream and name (a multipart upload or an open binary file)."""
    upload = data_dict.get("upload")
    if upload is None or isinstance(upload, str) or not (
            hasattr(upload, "read") or hasattr(upload, "stream") or hasattr(upload, "file")):
        raise tk.ValidationError({"upload": [_("Choose an .xlsx or .csv file to import")]})
    # FileStorage (werkzeug) has .stream, cgi.FieldStorage .file, an open file neither
    stream = getattr(upload, "stream", None) or getattr(upload, "file", None) or upload
    name = getattr(upload, "filename", None) or getattr(upload, "name", None) or ""
    return stream, str(name)


@tk.validate(catalogue_import_schema)
def govshare_catalogue_import(context: Context, data_dict: DataDict) -> ActionResult.AnyDict:
    """Import a catalogue spreadsheet (.xlsx or .csv, docs/catalogue-template.md): every row
    is validated first; then the entries are created or updated by 信息资源代码 in one
    transaction, or, if any row has a problem, nothing is written. Unchanged entries are
    not touched, so importing the same file again changes nothing.

    Department administrators import their department's catalogue; only sysadmins import
    without ``id`` (rows of any department).

    :param id: the department (id, URL name or title) whose catalogue is imported: rows
        with an empty 提供方 belong to it, rows of other departments are refused
    :type id: string
    :param upload: the spreadsheet (a multipart file upload; Python callers may pass any
        binary file object)
    :type upload: file
    :param format: ``xlsx`` or ``csv`` (default: from the upload's file name)
    :type format: string
    :param dry_run: only check the file and count, write nothing (default: false)
    :type dry_run: bool
    :param skip_invalid: import the valid rows and skip those with problems, which are
        returned in ``problems`` (default: false: any problem imports nothing)
    :type skip_invalid: bool
    :returns: ``created``, ``updated``, ``unchanged``, ``skipped`` (counts), ``rows``,
        ``dry_run``, ``created_ids``, ``updated_ids``, ``index_error`` (the entries were
        written but the search index was not updated: run ``ckan search-index rebuild``),
        ``normalised`` (``[{"column", "from", "to", "rows"}]``: cells written otherwise than
        stored, e.g. 每天 → 每日), ``notices`` (e.g. providers matched by name) and
        ``problems`` (the skipped rows' problems, ``{"row", "column", "message"}``; row 0:
        a problem of several rows, such as unknown departments)
    :rtype: dictionary
    :raises ValidationError: ``{"upload": [message]}`` when the file cannot be read as a
        catalogue spreadsheet; ``{"rows": [{"row", "column", "message"}, …]}`` with every
        problem of every row (row numbers as the spreadsheet program shows them, header
        row 1) — nothing was written
    """
    org_id = _department(context, data_dict, "govshare_catalogue_import")
    stream, name = _upload(data_dict)
    try:
        fmt = data_dict.get("format") or spreadsheet.file_format(str(name))
        result = importer.import_catalogue(
            stream, fmt, user=context.get("user") or "", org=org_id,
            dry_run=bool(data_dict.get("dry_run")), skip_invalid=bool(data_dict.get("skip_invalid")),
            progress=_progress(context))
    except CatalogueInvalid as e:
        raise tk.ValidationError({"rows": [error.as_dict() for error in e.errors]},
                                 error_summary={_("File"): str(e)})
    except CatalogueError as e:
        raise tk.ValidationError({"upload": [str(e)]})
    return {**result.counts(), "skipped": result.skipped, "rows": result.rows, "dry_run": result.dry_run,
            "created_ids": result.created_ids, "updated_ids": result.updated_ids,
            "index_error": result.index_error, "normalised": result.normalised_list(),
            "notices": result.notices, "problems": [p.as_dict() for p in result.problems]}


@tk.side_effect_free
@tk.validate(catalogue_export_schema)
def govshare_catalogue_export(context: Context, data_dict: DataDict) -> ActionResult.AnyDict:
    """Export the catalogue as a spreadsheet in the import format (importing it again
    changes nothing): the entries of one department, or, for sysadmins, of every department.
    Only entries the caller may see are exported.

    :param id: the department (id, URL name or title); omitted: every department (sysadmins)
    :type id: string
    :param format: ``xlsx`` (default) or ``csv``
    :type format: string
    :param target: Python callers only: a writable binary file object the file is written
        to instead of being returned (over HTTP a file object cannot be given)
    :type target: file object
    :returns: ``count`` (entries exported), ``format``, ``filename``, ``mimetype`` and
        ``content``: the file, base64-encoded (absent when ``target`` was given)
    :rtype: dictionary
    """
    org_id = _department(context, data_dict, "govshare_catalogue_export")
    fmt = data_dict.get("format") or "xlsx"
    count = []

    def write(target: IO[bytes]) -> None:
        count.append(exporter.export_catalogue(target, fmt, user=context.get("user") or "",
                                               org=org_id, progress=_progress(context)))

    try:
        out = _deliver(write, data_dict.get("target"), fmt, f"catalogue.{fmt}")
    except CatalogueError as e:
        raise tk.ValidationError({"id": [str(e)]})
    return dict(out, count=count[0])


@tk.side_effect_free
@tk.validate(catalogue_template_schema)
def govshare_catalogue_template(context: Context, data_dict: DataDict) -> ActionResult.AnyDict:
    """The empty catalogue template (.xlsx): the header row, drop-down lists of the allowed
    values and a sheet explaining every column. Anyone may have it.

    :param target: Python callers only: a writable binary file object the file is written
        to instead of being returned (over HTTP a file object cannot be given)
    :type target: file object
    :returns: ``columns`` (the Chinese headers, in order), ``format``, ``filename``,
        ``mimetype`` and ``content``: the file, base64-encoded (absent when ``target`` was
        given)
    :rtype: dictionary
    """
    tk.check_access("govshare_catalogue_template", context, data_dict)
    headers: list[str] = []

    def write(target: IO[bytes]) -> None:
        headers.extend(c.header for c in spreadsheet.write_template(target))

    out = _deliver(write, data_dict.get("target"), "xlsx", "catalogue-template.xlsx")
    return dict(out, columns=headers)


# --- the department registry ------------------------------------------------------------------


@tk.validate(department_import_schema)
def govshare_department_import(context: Context, data_dict: DataDict) -> ActionResult.AnyDict:
    """Import the department registry spreadsheet (名称, 简称, 提供方代码, 统一社会信用代码,
    上级部门, 层级, 行政区划, 负责人; docs/catalogue-template.md): a row updates the department
    with its 统一社会信用代码 or 提供方代码 and creates one otherwise; 上级部门 is kept as the
    group hierarchy. All or nothing; unchanged departments are not written. The authority only.

    :param upload: the spreadsheet (a multipart file upload; Python callers may pass any
        binary file object)
    :type upload: file
    :param format: ``xlsx`` or ``csv`` (default: from the upload's file name)
    :type format: string
    :param dry_run: only check the file and count, write nothing (default: false)
    :type dry_run: bool
    :returns: ``created``, ``updated``, ``unchanged`` (counts), ``rows``, ``dry_run``,
        ``created_ids``, ``updated_ids`` and ``normalised`` (``[{"column", "from", "to",
        "rows"}]``, e.g. a province name written for its 行政区划代码)
    :rtype: dictionary
    :raises ValidationError: ``{"upload": [message]}`` or ``{"rows": [{"row", "column",
        "message"}, …]}``; nothing was written
    """
    tk.check_access("govshare_department_import", context, data_dict)
    stream, name = _upload(data_dict)
    try:
        fmt = data_dict.get("format") or spreadsheet.file_format(name)
        result, normalised = registry.import_departments(
            stream, fmt, user=context.get("user") or "", dry_run=bool(data_dict.get("dry_run")))
    except CatalogueInvalid as e:
        raise tk.ValidationError({"rows": [error.as_dict() for error in e.errors]},
                                 error_summary={_("File"): str(e)})
    except CatalogueError as e:
        raise tk.ValidationError({"upload": [str(e)]})
    return {**result.counts(), "rows": result.rows, "dry_run": result.dry_run,
            "created_ids": result.created_ids, "updated_ids": result.updated_ids,
            "normalised": [{"column": c, "from": a, "to": b, "rows": n}
                           for (c, a, b), n in sorted(normalised.items())]}


@tk.side_effect_free
@tk.validate(catalogue_export_schema)
def govshare_department_export(context: Context, data_dict: DataDict) -> ActionResult.AnyDict:
    """Export the department registry in the import format (importing it again changes
    nothing). The authority only.

    :param id: ignored (the whole registry is exported)
    :type id: string
    :param format: ``xlsx`` (default) or ``csv``
    :type format: string
    :param target: Python callers only: a writable binary file object the file is written
        to instead of being returned
    :type target: file object
    :returns: ``count``, ``format``, ``filename``, ``mimetype`` and ``content`` (base64;
        absent when ``target`` was given)
    :rtype: dictionary
    """
    tk.check_access("govshare_department_export", context, data_dict)
    fmt = data_dict.get("format") or "xlsx"
    count: list[int] = []

    def write(target: IO[bytes]) -> None:
        count.append(registry.export_departments(target, fmt))

    out = _deliver(write, data_dict.get("target"), fmt, f"departments.{fmt}")
    return dict(out, count=count[0])


@tk.side_effect_free
@tk.validate(catalogue_template_schema)
def govshare_department_template(context: Context, data_dict: DataDict) -> ActionResult.AnyDict:
    """The empty department registry template (.xlsx). Anyone may have it.

    :param target: Python callers only: a writable binary file object the file is written
        to instead of being returned
    :type target: file object
    :returns: ``columns``, ``format``, ``filename``, ``mimetype`` and ``content`` (base64;
        absent when ``target`` was given)
    :rtype: dictionary
    """
    tk.check_access("govshare_department_template", context, data_dict)
    headers: list[str] = []

    def write(target: IO[bytes]) -> None:
        headers.extend(c.header for c in registry.write_department_template(target))

    out = _deliver(write, data_dict.get("target"), "xlsx", "departments-template.xlsx")
    return dict(out, columns=headers)
