# -*- coding: utf-8 -*-
"""govshare web pages (registered by the blueprints blanket)."""
from __future__ import annotations

from flask import Blueprint

import ckan.plugins.toolkit as tk

from ckanext.govshare import vocab
from ckanext.govshare.access import hostile_input
from ckanext.govshare.access import doors
from ckanext.govshare.ui import locale
from ckanext.govshare.applications.views import applications  # noqa: F401 (blanket-registered)
from ckanext.dcat.exceptions import RDFProfileException
from ckanext.dcat.utils import check_access_header
from ckanext.dcat.utils import read_dataset_page
from ckanext.govshare.access import rules as access
from ckanext.govshare.catalogue import io as catalogue_io
from ckanext.govshare.dcat import profile as profiles
from flask import make_response
from flask import send_file
import io

govshare = Blueprint("govshare", __name__)
# input CKAN core would answer with a 500 is refused before anything else (edge.py)
govshare.before_app_request(hostile_input.guard_input)
# every request for an entry or its data passes the access rules first (doors.py)
govshare.before_app_request(doors.guard_request)
# a hidden entry's 404 reads as a missing one's (doors.py)
govshare.after_app_request(doors.uniform_not_found)
# CKAN's client asks /api/i18n/zh_Hans-CN for zh_Hans_CN (locale.py)
govshare.before_app_request(locale.answer_js_locale)


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

CATALOGUE_AUTH = "govshare_catalogue_import"


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


# DCAT catalogues for harvesters (ckanext/govshare/profiles.py) ---------------------------
# The public catalogue /catalog.{ttl,rdf,xml,jsonld} (ckanext-dcat's route, served here with
# stable paging), the share catalogue for department users, content negotiation on / and
# /dataset/<id>, and the URIs the RDF uses (vocabularies, resource codes).

RDF_NEGOTIATED = {"home.index", "dataset.read", "dcat.read_catalog"}


def _rdf_format_from_accept() -> str | None:

    return check_access_header()


def _rdf_response(body: str, fmt: str, status: int = 200, private: bool = False):


    response = make_response(body, status)
    response.headers["Content-Type"] = profiles.content_type(fmt)
    response.headers["Vary"] = "Accept, Authorization, Cookie" if private else "Accept"
    if private:
        response.headers["Cache-Control"] = "private, no-store"
    return response


def _text_response(message: str, status: int, headers: dict | None = None):

    response = make_response(message + "\n", status)
    response.headers["Content-Type"] = "text/plain; charset=utf-8"
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _catalogue_response(fmt: str, share: bool = False):


    args = tk.request.args
    if args.get("page") not in (None, "", "1"):
        return _text_response(tk._("This catalogue is paged with cursors: follow the hydra:next link "
                                   "of each page instead of page numbers"), 400)
    path = tk.request.path
    try:
        body = profiles.catalogue_page(
            fmt, page_url=f"{tk.config.get('ckan.site_url', '').rstrip('/')}{path}", share=share,
            user=tk.current_user.name if share else "",
            after=args.get("after") or None, modified_since=args.get("modified_since") or None)
    except (profiles.CatalogueError, RDFProfileException) as e:
        return _text_response(str(e), 400)
    return _rdf_response(body, fmt, private=share)


def _dcat_negotiation():
    """before_app_request: the catalogue routes and RDF content negotiation."""
    endpoint = tk.request.endpoint
    if endpoint not in RDF_NEGOTIATED:
        return None
    args = tk.request.view_args or {}
    if endpoint == "dcat.read_catalog":
        fmt = args.get("_format") or _rdf_format_from_accept()
        if not fmt:
            return None  # ckanext-dcat's own "/" rule asked for HTML: the home page
        return _catalogue_response(fmt)
    fmt = _rdf_format_from_accept()
    if not fmt:
        return None
    if endpoint == "home.index":
        return _catalogue_response(fmt)
    # dataset.read: ckanext-dcat's dataset RDF (package_show as the user, our profile);
    # the access guard (doors.guard_request) has already run for this endpoint.

    return read_dataset_page(args.get("id"), fmt)


def _vary_accept(response):
    if tk.request.endpoint in RDF_NEGOTIATED and "Accept" not in response.headers.get("Vary", ""):
        response.headers.add("Vary", "Accept")
    return response


govshare.before_app_request(_dcat_negotiation)
govshare.after_app_request(_vary_accept)


def share_catalogue(_format: str):
    """The share catalogue (共享目录) for department users: every entry shared with
    departments (无条件共享 / 有条件共享), including those not open to the public (不予开放),
    with their share type, conditions and methods (chongqing-2018 §16, §19)."""

    principal = access.current_principal()
    if not principal.authenticated:
        return _text_response(tk._("Log in with a department account (or send its API token) "
                                   "to read the share catalogue"), 401,
                              {"WWW-Authenticate": 'Token realm="share-catalog"'})
    if not (principal.department_member or principal.sysadmin):
        return _text_response(tk._("The share catalogue is for users of government departments"), 403)
    return _catalogue_response(_format, share=True)


def vocabulary(name: str):
    """A controlled vocabulary as a SKOS concept scheme (the concept URIs of the DCAT output)."""

    try:
        graph = profiles.vocabulary_graph(name)
    except KeyError:
        return tk.abort(404, tk._("Unknown vocabulary: {name}").format(name=name))
    fmt = _rdf_format_from_accept() or "ttl"
    rdflib_format = {"ttl": "turtle", "rdf": "pretty-xml", "jsonld": "json-ld"}.get(fmt, "turtle")
    return _rdf_response(graph.serialize(format=rdflib_format), fmt)


def resource_code(code: str):
    """The entry with this resource code (信息资源代码), if the user may see it: the target of
    dct:relation in the DCAT output."""
    context = {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}
    value = code.replace("\\", "\\\\").replace('"', '\\"')
    result = tk.get_action("package_search")(context, {
        "q": "*:*", "fq": f'+resource_code:"{value}"', "rows": 1, "fl": "name", "facet": "false"})
    if not result["results"]:
        return tk.abort(404, tk._("Dataset not found"))
    return tk.redirect_to("dataset.read", id=result["results"][0]["name"])


govshare.add_url_rule("/share-catalog.<_format>", view_func=share_catalogue, endpoint="share_catalog")
govshare.add_url_rule("/govshare/vocabulary/<name>", view_func=vocabulary, endpoint="vocabulary")
govshare.add_url_rule("/govshare/code/<path:code>", view_func=resource_code, endpoint="resource_code")
