# -*- coding: utf-8 -*-
"""A department's catalogue spreadsheet pages (blueprint ``govshare_catalogue``): upload to
import, download the department's catalogue, the empty template. Everything goes through
the actions (``actions.py``) and their auth functions: import and export are for the
department's administrators (and sysadmins), the template for anyone."""
from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, send_file

import ckan.plugins.toolkit as tk

from ckanext.govshare.catalogue import spreadsheet

__all__ = ["catalogue"]

catalogue = Blueprint("govshare_catalogue", __name__)


def _context() -> dict[str, Any]:
    return {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}


def _department(id: str) -> dict[str, Any]:
    """The department, after checking the current user may manage its catalogue."""
    try:
        org = tk.get_action("organization_show")(_context(), {"id": id, "include_datasets": False})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("Department not found"))
    try:
        tk.check_access("govshare_catalogue_import", _context(), {"id": org["id"]})
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only administrators of this department can import or export its catalogue"))
    return org


def _problems(error: tk.ValidationError) -> list[dict[str, Any]]:
    """The import action's problems as rows of the error table (row 0: the whole file)."""
    rows = error.error_dict.get("rows")
    if rows:
        return list(rows)
    return [{"row": 0, "column": "", "message": message}
            for messages in error.error_dict.values() for message in messages]


def page(id: str) -> str:
    """Upload a catalogue spreadsheet for the department; links to its export and the template."""
    org = _department(id)
    errors = result = None
    if tk.request.method == "POST":
        try:
            result = tk.get_action("govshare_catalogue_import")(_context(), {
                "id": org["id"],
                "upload": tk.request.files.get("file"),
                "dry_run": bool(tk.request.form.get("dry_run")),
            })
        except tk.ValidationError as e:
            errors = _problems(e)
    return tk.render("govshare/catalogue_import.html", {
        "group_dict": org,
        "group_type": "organization",
        "errors": errors,
        "result": result,
    })


def export(id: str, fmt: str) -> Any:
    """The department's catalogue entries as an .xlsx or .csv file."""
    org = _department(id)
    if fmt not in spreadsheet.FORMATS:
        return tk.abort(404, tk._("Unsupported file type {ext}: use .xlsx or .csv").format(ext=fmt))
    buf = io.BytesIO()
    out = tk.get_action("govshare_catalogue_export")(
        _context(), {"id": org["id"], "format": fmt, "target": buf})
    buf.seek(0)
    return send_file(buf, mimetype=out["mimetype"], as_attachment=True,
                     download_name=f"{org['name']}-catalogue.{fmt}")


def template() -> Any:
    """The empty catalogue template (.xlsx) with its explanation sheet."""
    buf = io.BytesIO()
    out = tk.get_action("govshare_catalogue_template")(_context(), {"target": buf})
    buf.seek(0)
    return send_file(buf, mimetype=out["mimetype"], as_attachment=True, download_name=out["filename"])


catalogue.add_url_rule("/organization/<id>/catalogue", view_func=page,
                       endpoint="page", methods=["GET", "POST"])
catalogue.add_url_rule("/organization/<id>/catalogue/export.<fmt>", view_func=export, endpoint="export")
catalogue.add_url_rule("/govshare/catalogue-template.xlsx", view_func=template, endpoint="template")
