# -*- coding: utf-8 -*-
"""The DCAT routes (blueprint ``govshare_dcat``) and RDF content negotiation.

The platform serves every RDF route itself; ckanext-dcat's own routes are switched off by
its documented option ``ckanext.dcat.enable_rdf_endpoints = false``, and its content
negotiation (``ckanext.dcat.enable_content_negotiation``) stays off: it would replace CKAN's
``/`` and ``/dataset/<id>`` routes by its own (the offset-paged catalogue, another endpoint
for every dataset page). ckanext-dcat is used through its public API only: the profile
machinery (``RDFSerializer``), the ``dcat_dataset_show`` action and its Accept-header parser.
:func:`check_ckanext_dcat_config` refuses a configuration that would let ckanext-dcat
answer in the platform's place.

- ``/catalog.<fmt>``: the public catalogue, keyset-paged (``catalogue.py``);
- ``/share-catalog.<fmt>``: the share catalogue, department users only;
- ``/catalog/full.<fmt>``, ``/share-catalog/full.<fmt>``: the whole catalogue in one document,
  streamed a page of entries at a time (memory does not grow with the catalogue);
- ``/dataset/<id>.<fmt>``: one entry (404 where the entry's page is 404: ``access/rules.py``);
- ``/`` and ``/dataset/<id>`` with an RDF ``Accept`` header: the same documents
  (:func:`negotiate`, a before-request hook on CKAN's own ``home.index`` and ``dataset.read``
  endpoints, registered by the ``views.py`` registry after the access guards);
- ``/govshare/vocabulary/<name>``: a vocabulary as SKOS; ``/govshare/code/<code>``: the entry
  with that resource code.
"""
from __future__ import annotations

import logging
from typing import Any, Optional

from flask import Blueprint, Response, make_response, stream_with_context

import ckan.plugins.toolkit as tk
from ckan import model
from ckanext.dcat.exceptions import RDFProfileException
from ckanext.dcat.utils import CONTENT_TYPES, check_access_header

from ckanext.govshare.access import rules as access
from ckanext.govshare.dcat import catalogue, skos
from ckanext.govshare.dcat.uris import site_url

log = logging.getLogger(__name__)

__all__ = ["dcat", "negotiate", "vary_accept", "check_ckanext_dcat_config"]

dcat = Blueprint("govshare_dcat", __name__)

# CKAN's own pages that answer RDF to an RDF Accept header, and the catalogue route
NEGOTIATED = {"home.index", "dataset.read", "govshare_dcat.catalog"}
RDFLIB_FORMATS = {"ttl": "turtle", "rdf": "pretty-xml", "xml": "pretty-xml", "jsonld": "json-ld", "n3": "n3"}


def check_ckanext_dcat_config(state: Any = None) -> None:
    """When the blueprint is registered: ckanext-dcat must not answer the platform's URLs."""
    if tk.asbool(tk.config.get("ckanext.dcat.enable_content_negotiation")):
        raise RuntimeError(
            "ckanext.dcat.enable_content_negotiation must be false with the govshare plugin: "
            "ckanext-dcat's negotiation would serve its own offset-paged catalogue on / and "
            "replace the dataset page's endpoint (docs/dcat.md, Endpoints)")
    if tk.asbool(tk.config.get("ckanext.dcat.enable_rdf_endpoints", True)):
        # the platform's routes are registered first and win; ckanext-dcat's stay reachable
        # only where the platform has none (/dataset_series/<id>.<fmt>)
        log.warning("set ckanext.dcat.enable_rdf_endpoints = false: the govshare plugin serves "
                    "the DCAT routes itself (docs/dcat.md, Endpoints)")


dcat.record_once(check_ckanext_dcat_config)


def _user() -> str:
    return tk.current_user.name if tk.current_user.is_authenticated else ""


def _rdf_response(body: str, fmt: str, status: int = 200, private: bool = False) -> Any:
    response = make_response(body, status)
    response.headers["Content-Type"] = catalogue.content_type(fmt)
    response.headers["Vary"] = "Accept, Authorization, Cookie" if private else "Accept"
    if private:
        response.headers["Cache-Control"] = "private, no-store"
    return response


def _text_response(message: str, status: int, headers: Optional[dict[str, str]] = None) -> Any:
    response = make_response(message + "\n", status)
    response.headers["Content-Type"] = "text/plain; charset=utf-8"
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _catalogue_response(fmt: str, share: bool = False) -> Any:
    args = tk.request.args
    if args.get("page") not in (None, "", "1"):
        return _text_response(tk._("This catalogue is paged with cursors: follow the hydra:next link "
                                   "of each page instead of page numbers"), 400)
    try:
        body = catalogue.catalogue_page(
            fmt, page_url=f"{site_url()}{tk.request.path}", share=share,
            user=_user() if share else "",
            after=args.get("after") or None, modified_since=args.get("modified_since") or None)
    except (catalogue.CatalogueError, RDFProfileException) as e:
        return _text_response(str(e), 400)
    return _rdf_response(body, fmt, private=share)


def _full_response(fmt: str, share: bool = False) -> Any:
    """The whole catalogue as one document, streamed (``catalogue.stream_catalogue``)."""
    try:
        chunks = catalogue.stream_catalogue(fmt, share=share, user=_user() if share else "",
                                            modified_since=tk.request.args.get("modified_since") or None)
    except catalogue.CatalogueError as e:
        return _text_response(str(e), 400)
    response = Response(stream_with_context(chunks), 200)
    response.headers["Content-Type"] = catalogue.content_type(fmt)
    response.headers["Vary"] = "Accept, Authorization, Cookie" if share else "Accept"
    if share:
        response.headers["Cache-Control"] = "private, no-store"
    return response


def _dataset_response(id: str, fmt: str) -> Any:
    """One entry as RDF, for those who may know of it (404 otherwise, as its page)."""
    pkg = model.Package.get(id) if id else None
    if pkg is None or not access.knows_of(access.current_principal(), pkg):
        return tk.abort(404, tk._("Dataset not found"))
    if fmt not in CONTENT_TYPES:
        return _text_response(tk._("Unsupported format {fmt}: use ttl, rdf, xml or jsonld").format(fmt=fmt), 400)
    try:
        body = tk.get_action("dcat_dataset_show")(
            {"user": _user()}, {"id": pkg.id, "format": fmt, "profiles": catalogue.profile_names()})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("Dataset not found"))
    except (tk.ValidationError, RDFProfileException) as e:
        return _text_response(str(e), 409)
    response = make_response(body)
    response.headers["Content-Type"] = catalogue.content_type(fmt)
    return response


def catalog(_format: str) -> Any:
    """The public catalogue (DCAT-AP 3, keyset-paged): what an anonymous user may see,
    whoever asks (chongqing-2018 §22 ¶2, chongqing-2019 §32)."""
    return _catalogue_response(_format)


def share_catalogue(_format: str) -> Any:
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


def catalog_full(_format: str) -> Any:
    """The whole public catalogue in one streamed document (no paging), for harvesters that
    take it at once: the same entries and triples as the pages (chongqing-2018 §22 ¶2)."""
    return _full_response(_format)


def share_catalogue_full(_format: str) -> Any:
    """The whole share catalogue in one streamed document, department users only
    (chongqing-2018 §16, §19)."""
    principal = access.current_principal()
    if not principal.authenticated:
        return _text_response(tk._("Log in with a department account (or send its API token) "
                                   "to read the share catalogue"), 401,
                              {"WWW-Authenticate": 'Token realm="share-catalog"'})
    if not (principal.department_member or principal.sysadmin):
        return _text_response(tk._("The share catalogue is for users of government departments"), 403)
    return _full_response(_format, share=True)


def dataset(_id: str, _format: str) -> Any:
    """One entry as RDF (the profile, ``package_show`` as the user)."""
    return _dataset_response(_id, _format)


def vocabulary(name: str) -> Any:
    """A controlled vocabulary as a SKOS concept scheme (the concept URIs of the DCAT output)."""
    try:
        graph = skos.vocabulary_graph(name)
    except KeyError:
        return tk.abort(404, tk._("Unknown vocabulary: {name}").format(name=name))
    fmt = check_access_header() or "ttl"
    return _rdf_response(graph.serialize(format=RDFLIB_FORMATS.get(fmt, "turtle")), fmt)


def resource_code(code: str) -> Any:
    """The entry with this resource code (信息资源代码), if the user may see it: the target of
    dct:relation in the DCAT output."""
    value = code.replace("\\", "\\\\").replace('"', '\\"')
    result = tk.get_action("package_search")({"user": _user()}, {
        "q": "*:*", "fq": f'+resource_code:"{value}"', "rows": 1, "fl": "name", "facet": "false"})
    if not result["results"]:
        return tk.abort(404, tk._("Dataset not found"))
    return tk.redirect_to("dataset.read", id=result["results"][0]["name"])


dcat.add_url_rule("/catalog.<_format>", view_func=catalog, endpoint="catalog")
dcat.add_url_rule("/share-catalog.<_format>", view_func=share_catalogue, endpoint="share_catalog")
dcat.add_url_rule("/catalog/full.<_format>", view_func=catalog_full, endpoint="catalog_full")
dcat.add_url_rule("/share-catalog/full.<_format>", view_func=share_catalogue_full, endpoint="share_catalog_full")
dcat.add_url_rule("/dataset/<_id>.<_format>", view_func=dataset, endpoint="dataset")
dcat.add_url_rule("/govshare/vocabulary/<name>", view_func=vocabulary, endpoint="vocabulary")
dcat.add_url_rule("/govshare/code/<path:code>", view_func=resource_code, endpoint="resource_code")


# Content negotiation on CKAN's own pages ---------------------------------------------------

def negotiate() -> Any:
    """before_app_request: ``/`` and ``/dataset/<id>`` answer RDF to an RDF Accept header
    (the first catalogue page, the entry's document); HTML otherwise."""
    endpoint = tk.request.endpoint
    if endpoint not in ("home.index", "dataset.read"):
        return None
    fmt = check_access_header()
    if not fmt:
        return None
    if endpoint == "home.index":
        return _catalogue_response(fmt)
    return _dataset_response((tk.request.view_args or {}).get("id") or "", fmt)


def vary_accept(response: Any) -> Any:
    """after_app_request: the negotiated pages vary with the Accept header."""
    if tk.request.endpoint in NEGOTIATED and "Accept" not in response.headers.get("Vary", ""):
        response.headers.add("Vary", "Accept")
    return response
