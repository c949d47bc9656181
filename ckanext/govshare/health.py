# -*- coding: utf-8 -*-
"""``/govshare/health``: the load balancer's probe (docs/deployment.md).

Answers 200 with ``{"status": "ok", "db": "ok", "solr": "ok", "redis": "ok"}`` when the
database, the search index and the job queue each answer within two seconds, and 503 with
the failing part's error otherwise. Anonymous, never cached, reads nothing about entries.
"""
from __future__ import annotations

import time
from typing import Any, Callable

import requests
from flask import Blueprint, jsonify, request
from sqlalchemy import text

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib.redis import connect_to_redis

__all__ = ["health", "health_blueprint"]

TIMEOUT = 2.0

health = Blueprint("govshare_health", __name__)


def _db() -> None:
    model.Session.execute(text("SELECT 1")).scalar()


def _solr() -> None:
    url = tk.config.get("solr_url").rstrip("/")
    response = requests.get(url + "/admin/ping", params={"wt": "json"}, timeout=TIMEOUT,
                            auth=_solr_auth())
    response.raise_for_status()
    if response.json().get("status") != "OK":
        raise RuntimeError("ping status %r" % response.json().get("status"))


def _solr_auth() -> Any:
    user, password = tk.config.get("solr_user"), tk.config.get("solr_password")
    return (user, password) if user else None


def _redis() -> None:
    conn = connect_to_redis()
    conn.connection_pool.connection_kwargs.setdefault("socket_timeout", TIMEOUT)
    conn.ping()


CHECKS: dict[str, Callable[[], None]] = {"db": _db, "solr": _solr, "redis": _redis}


def status():
    body: dict[str, Any] = {}
    healthy = True
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            check()
            body[name] = "ok"
        except Exception as error:  # any failure of a dependency is an unhealthy node
            healthy = False
            body[name] = "error: %s" % (str(error).splitlines() or [type(error).__name__])[0][:200]
            if name == "db":
                model.Session.rollback()
        body[name + "_ms"] = round((time.monotonic() - started) * 1000, 1)
    body["status"] = "ok" if healthy else "unavailable"
    response = jsonify(body)
    response.status_code = 200 if healthy else 503
    request.environ["__no_cache__"] = True  # CKAN's after-request hook: private, not public
    response.headers["Cache-Control"] = "no-store"
    return response


health.add_url_rule("/govshare/health", view_func=status, endpoint="status", methods=["GET", "HEAD"])


def health_blueprint() -> Blueprint:
    """The blueprint, for registration by the plugin's blueprint list (views.py)."""
    return health
