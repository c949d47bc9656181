# -*- coding: utf-8 -*-
"""/govshare/health, the load balancer's probe: 200 when the database, Solr and Redis
answer, 503 naming the part that does not (real sockets: a closed port for the part down)."""
from __future__ import annotations

import socket

import pytest
import redis

from ckanext.govshare import health


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


pytestmark = pytest.mark.usefixtures("with_plugins")


def test_healthy(app):
    resp = app.get("/govshare/health")
    assert resp.status_code == 200
    assert resp.json["status"] == "ok"
    assert (resp.json["db"], resp.json["solr"], resp.json["redis"]) == ("ok", "ok", "ok")
    assert "no-store" in resp.headers["Cache-Control"] and "public" not in resp.headers["Cache-Control"]


def test_solr_down_answers_503(app, monkeypatch):
    monkeypatch.setitem(health.tk.config, "solr_url", f"http://127.0.0.1:{_closed_port()}/solr/ckan")
    resp = app.get("/govshare/health", status=503)
    assert resp.json["status"] == "unavailable"
    assert resp.json["solr"].startswith("error") and resp.json["db"] == "ok" and resp.json["redis"] == "ok"


def test_redis_down_answers_503(app, monkeypatch):
    port = _closed_port()
    monkeypatch.setattr(health, "connect_to_redis", lambda: redis.Redis(port=port, socket_timeout=1))
    resp = app.get("/govshare/health", status=503)
    assert resp.json["redis"].startswith("error") and resp.json["solr"] == "ok"
