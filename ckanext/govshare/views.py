# -*- coding: utf-8 -*-
"""govshare web pages (registered by the blueprints blanket)."""
from __future__ import annotations

from flask import Blueprint

import ckan.plugins.toolkit as tk

from ckanext.govshare import enforce, vocab
from ckanext.govshare.application_views import applications  # noqa: F401 (blanket-registered)

govshare = Blueprint("govshare", __name__)
# every request for an entry or its data passes the access rules first (enforce.py)
govshare.before_app_request(enforce.guard_request)


def usage_notes() -> str:
    """Usage notes and disclaimer for open data (shijingshan-2017 §23)."""
    return tk.render(
        "govshare/usage_notes.html",
        {"open_types": list(vocab.OPEN_TYPES), "share_types": list(vocab.SHARE_TYPES)},
    )


govshare.add_url_rule("/govshare/usage", view_func=usage_notes, endpoint="usage_notes")


# Catalogue spreadsheets of a department ------------------------------------------------
# Import and export are for the department's administrators (and sysadmins): the same
# permission as editing the department (organization_update).

CATALOGUE_AUTH = "organization_update"


def _catalogue_department(id: str) -> dict:
    """The department, after checking the current user may manage its catalogue."""
    context = {"user": tk.current_user.name}
    try:
        org = tk.get_action("organization_show")(context, {"id": id, "include_datasets": False})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        tk.abort(404, tk._("Department not found"))
    try:
        tk.check_access(CATALOGUE_AUTH, {"user": tk.current_user.name}, {"id": org["id"]})
    except tk.NotAuthorized:
        tk.abort(403, tk._("Only administrators of this department can import or export its catalogue"))
    return org


def catalogue(id: str) -> str:
    """Upload a catalogue spreadsheet for the department; links to its export and the template."""
    from ckanext.govshare import catalogue_io

    org = _catalogue_department(id)
    errors = result = None
    if tk.request.method == "POST":
        upload = tk.request.files.get("file")
        if upload is None or not upload.filename:
            errors = [catalogue_io.RowError(0, "", tk._("Choose an .xlsx or .csv file to import"))]
        else:
            try:
                result = catalogue_io.import_catalogue(
                    upload.stream, catalogue_io.file_format(upload.filename),
                    user=tk.current_user.name, org=org["id"],
                    dry_run=bool(tk.request.form.get("dry_run")))
            except catalogue_io.CatalogueInvalid as e:
                errors = e.errors
            except catalogue_io.CatalogueError as e:
                errors = [catalogue_io.RowError(0, "", str(e))]
    return tk.render("govshare/catalogue_import.html", {
        "group_dict": org,
        "group_type": "organization",
        "errors": errors,
        "result": result,
    })


def catalogue_export(id: str, fmt: str):
    """The department's catalogue entries as an .xlsx or .csv file."""
    import io

    from flask import send_file

    from ckanext.govshare import catalogue_io

    org = _catalogue_department(id)
    if fmt not in catalogue_io.FORMATS:
        tk.abort(404, tk._("Unsupported file type {ext}: use .xlsx or .csv").format(ext=fmt))
    buf = io.BytesIO()
    catalogue_io.export_catalogue(buf, fmt, user=tk.current_user.name, org=org["id"])
    buf.seek(0)
    mimetype = ("text/csv" if fmt == "csv"
                else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return send_file(buf, mimetype=mimetype, as_attachment=True,
                     download_name=f"{org['name']}-catalogue.{fmt}")


def catalogue_template():
    """The empty catalogue template (.xlsx) with its explanation sheet."""
    import io

    from flask import send_file

    from ckanext.govshare import catalogue_io

    buf = io.BytesIO()
    catalogue_io.write_template(buf)
    buf.seek(0)
    return send_file(buf, as_attachment=True, download_name="catalogue-template.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


govshare.add_url_rule("/organization/<id>/catalogue", view_func=catalogue,
                      endpoint="catalogue", methods=["GET", "POST"])
govshare.add_url_rule("/organization/<id>/catalogue/export.<fmt>", view_func=catalogue_export,
                      endpoint="catalogue_export")
govshare.add_url_rule("/govshare/catalogue-template.xlsx", view_func=catalogue_template,
                      endpoint="catalogue_template")
