# -*- coding: utf-8 -*-
"""What feeds the ten-year logs: CKAN's signals, never edits in views (kunming-2019 §27).

============================================  ===============================================
signal (sender)                               log row
============================================  ===============================================
``action_succeeded`` (``package_create``,      catalogue change log: created / updated /
``package_update``, ``package_delete``)        deleted, levels before and after, actor
``resource_download`` (uploaded files)         exchange log, channel ``download``
``action_succeeded`` (``resource_show`` in     exchange log, ``download`` (a linked file: the
the download view; through the API)            view redirects to it) or ``api``
``action_succeeded`` (``datastore_search``,    exchange log, ``datastore_search`` /
``datastore_search_sql``) in a web request     ``datastore_search_sql`` (API and previews)
``action_succeeded`` (``package_search``) in   query log (the searcher masked)
the search page or the API
============================================  ===============================================

``package_patch`` and the ``resource_*`` actions save through ``package_update``, which sends
its own signal, so each change is logged once. Calls made by the platform itself outside a
web request (indexing, cron, the import's own reads) are not reads by anyone and are not
logged; searches are logged once per request.
"""
from __future__ import annotations

import re
from typing import Any, Optional

from flask import g, has_request_context, request

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import SignalMapping

from ckanext.govshare import compat
from ckanext.govshare.access import rules as access
from ckanext.govshare.access.grants import Grant
from ckanext.govshare.oversight import record
from ckanext.govshare.oversight.model import CatalogueLog

CHANGES = {"package_create": "created", "package_update": "updated", "package_delete": "deleted"}
DATASTORE = ("datastore_search", "datastore_search_sql")
DOWNLOAD_ENDPOINTS = {"resource.download", "dataset_resource.download"}
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def get_signal_subscriptions() -> SignalMapping:
    return {
        tk.signals.action_succeeded: [
            *({"sender": name, "receiver": catalogue_changed} for name in CHANGES),
            {"sender": "resource_show", "receiver": resource_shown},
            *({"sender": name, "receiver": datastore_read} for name in DATASTORE),
            {"sender": "package_search", "receiver": searched},
        ],
        tk.signals.resource_download: [resource_downloaded],
    }


# --- who --------------------------------------------------------------------------------

def _user(context: Optional[dict[str, Any]]) -> Optional[model.User]:
    context = context or {}
    user = context.get("auth_user_obj")
    if isinstance(user, model.User):
        return user
    name = context.get("user")
    if isinstance(name, str) and name:
        return model.User.get(name)
    if has_request_context():
        current = tk.current_user
        if getattr(current, "is_authenticated", False) and isinstance(current, model.User):
            return current
    return None


def _client_hash() -> Optional[str]:
    if not has_request_context():
        return None
    return record.mask(request.headers.get("X-Forwarded-For", request.remote_addr or "").split(",")[0].strip())


def _endpoint() -> Optional[str]:
    return request.endpoint if has_request_context() else None


def _api_action() -> Optional[str]:
    if _endpoint() != "api.action":
        return None
    return (request.view_args or {}).get("logic_function")


# --- catalogue change log ------------------------------------------------------------------

def _levels_before(package_id: str) -> tuple[Optional[str], Optional[str]]:
    """The levels the entry had: those the log recorded after its last change."""
    row = (model.Session.query(CatalogueLog.open_after, CatalogueLog.share_after)
           .filter(CatalogueLog.package_id == package_id)
           .order_by(CatalogueLog.seq.desc()).limit(1).first())
    return (row[0], row[1]) if row else (None, None)


def catalogue_changed(sender: str, **kwargs: Any) -> None:
    context, result = kwargs.get("context") or {}, kwargs.get("result")
    data_dict = kwargs.get("data_dict") or {}
    package_id = result.get("id") if isinstance(result, dict) else (result if isinstance(result, str) else None)
    package_id = package_id or (data_dict.get("id") if isinstance(data_dict.get("id"), str) else None)
    if not package_id:
        return
    pkg = model.Package.get(package_id)
    if pkg is None:
        return
    open_before, share_before = _levels_before(pkg.id) if sender != "package_create" else (None, None)
    deleted = sender == "package_delete"
    levels = compat.package_extras(pkg) if not deleted else {}
    user = _user(context)
    record.write_change({
        "actor_id": user.id if user else None,
        "action": CHANGES[sender],
        "package_id": pkg.id,
        "package_name": pkg.name,
        "resource_code": levels.get("resource_code") or _extra(pkg, "resource_code"),
        "organization_id": pkg.owner_org,
        "open_before": open_before,
        "share_before": share_before,
        "open_after": None if deleted else levels.get("open_type"),
        "share_after": None if deleted else levels.get("share_type"),
        "detail": record.dumps_detail({"state": pkg.state, "private": bool(pkg.private)}),
    }, deferred=bool(context.get("defer_commit")))


def _extra(pkg: model.Package, key: str) -> Optional[str]:
    return compat.package_extras(pkg).get(key)


# --- exchange log -----------------------------------------------------------------------------

def basis(principal: access.Principal, pkg: model.Package) -> tuple[str, Optional[str], Optional[str]]:
    """What allowed ``principal`` the entry's data, as the access rules decide it
    (``access/rules.py`` ``data_allowed``): (basis, grant id, the department it went to)."""
    if principal.sysadmin:
        return "sysadmin", None, None
    if pkg.owner_org in principal.org_ids:
        return "provider", None, pkg.owner_org
    opened, shared = access.open_type(pkg), access.share_type(pkg)
    if opened == "unconditional":
        return "open:unconditional", None, None
    if opened == "conditional" and pkg.id in principal.open_grants:
        grant = _grant(pkg.id, "open", Grant.user_id == principal.user_id)
        return "open:grant", grant, None
    if principal.department_member and shared == "unconditional":
        return "share:unconditional", None, ",".join(sorted(principal.org_ids))
    if principal.department_member and shared == "conditional" and pkg.id in principal.share_grants:
        grant = model.Session.query(Grant.id, Grant.organization_id).filter(
            Grant.package_id == pkg.id, Grant.kind == "share", Grant.organization_id.in_(principal.org_ids),
            Grant.revoked_at.is_(None)).order_by(Grant.granted_at.desc()).first()
        return "share:grant", grant[0] if grant else None, grant[1] if grant else None
    return "other", None, None


def _grant(package_id: str, kind: str, *where: Any) -> Optional[str]:
    row = model.Session.query(Grant.id).filter(
        Grant.package_id == package_id, Grant.kind == kind, Grant.revoked_at.is_(None), *where
    ).order_by(Grant.granted_at.desc()).first()
    return row[0] if row else None


def _exchange(channel: str, context: Optional[dict[str, Any]], resource_id: Optional[str],
              package_id: Optional[str] = None, detail: Optional[dict[str, Any]] = None) -> None:
    resource = model.Resource.get(resource_id) if resource_id else None
    pkg = model.Package.get(package_id or (resource.package_id if resource else "") or "")
    user = _user(context)
    principal = access.principal_from_context({"auth_user_obj": user}) if user else access.ANONYMOUS
    if pkg is not None:
        why, grant_id, org_id = basis(principal, pkg)
    else:
        why, grant_id, org_id = "other", None, None
    record.write_read("exchange", {
        "actor_id": user.id if user else None,
        "actor_org_id": org_id,
        "channel": channel,
        "package_id": pkg.id if pkg is not None else None,
        "resource_id": resource.id if resource else resource_id,
        "organization_id": pkg.owner_org if pkg is not None else None,
        "basis": why,
        "grant_id": grant_id,
        "client_hash": _client_hash(),
        "detail": record.dumps_detail(detail),
    })


def resource_downloaded(resource_id: str, **kwargs: Any) -> None:
    """An uploaded file was sent (CKAN's download view)."""
    _exchange("download", None, resource_id)


def resource_shown(sender: str, **kwargs: Any) -> None:
    """``resource_show`` in the download view (a linked file: the view redirects to its URL;
    uploads are logged by ``resource_download``) or through the API."""
    result, context = kwargs.get("result"), kwargs.get("context")
    if not isinstance(result, dict) or not result.get("id"):
        return
    if _endpoint() in DOWNLOAD_ENDPOINTS:
        if result.get("url_type") != "upload" and result.get("url"):
            _exchange("download", context, result["id"], result.get("package_id"), {"redirect": True})
    elif _api_action() == "resource_show":
        _exchange("api", context, result["id"], result.get("package_id"))


def datastore_read(sender: str, **kwargs: Any) -> None:
    """A DataStore query in a web request (the API, or a table preview's rows)."""
    if not has_request_context():
        return
    data_dict, result, context = kwargs.get("data_dict") or {}, kwargs.get("result") or {}, kwargs.get("context")
    detail: dict[str, Any] = {"endpoint": _endpoint()}
    if isinstance(result, dict):
        # (``records`` may be a lazy JSON string: the size asked for is ``limit``)
        detail["total"] = result.get("total")
    if sender == "datastore_search_sql":
        sql = data_dict.get("sql") if isinstance(data_dict.get("sql"), str) else ""
        detail["sql"] = sql
        for resource_id in sorted(set(_UUID.findall(sql.lower()))) or [None]:
            _exchange(sender, context, resource_id, detail=detail)
        return
    resource_id = data_dict.get("resource_id") if isinstance(data_dict.get("resource_id"), str) else None
    detail.update({k: data_dict.get(k) for k in ("q", "limit", "offset") if data_dict.get(k) not in (None, "")})
    if isinstance(data_dict.get("filters"), dict):
        detail["filters"] = data_dict["filters"]
    _exchange(sender, context, resource_id, detail=detail)


# --- query log ---------------------------------------------------------------------------------

def _actor_kind(user: Optional[model.User], principal: access.Principal) -> str:
    if user is None:
        return "anonymous"
    if principal.sysadmin:
        return "sysadmin"
    return "department" if principal.department_member else "user"


def searched(sender: str, **kwargs: Any) -> None:
    """A search of the catalogue by someone: the search page or ``package_search`` by API,
    once per request."""
    endpoint = _endpoint()
    if endpoint is None:
        return
    if endpoint.endswith(".search"):
        channel = "web"
    elif _api_action() == "package_search":
        channel = "api"
    else:
        return
    if getattr(g, "_govshare_search_logged", False):
        return
    g._govshare_search_logged = True
    data_dict, result, context = kwargs.get("data_dict") or {}, kwargs.get("result") or {}, kwargs.get("context")
    user = _user(context)
    principal = access.principal_from_context({"auth_user_obj": user}) if user else access.ANONYMOUS
    filters = {k: data_dict.get(k) for k in ("fq", "sort", "start", "rows", "facet.field")
               if data_dict.get(k) not in (None, "", [])}
    if isinstance(data_dict.get("fq_list"), list) and data_dict["fq_list"]:
        filters["fq_list"] = data_dict["fq_list"]
    query = data_dict.get("q") if isinstance(data_dict.get("q"), str) else None
    record.write_read("query", {
        "actor_hash": record.mask(user.id) if user else None,
        "actor_kind": _actor_kind(user, principal),
        "channel": channel,
        "query": query[:2000] if query else None,
        "filters": record.dumps_detail(filters),
        "result_count": result.get("count") if isinstance(result, dict) else None,
    })
