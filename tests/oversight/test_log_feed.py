# -*- coding: utf-8 -*-
"""The ten-year logs are fed by signals (kunming-2019 §27: 变更日志、共享交换日志、信息查询日志;
chongqing-2018 §29 audit trail; kunming-2019 §29 "确保数据可追溯"): an entry created, updated,
deleted; a download, an API read, a DataStore query; a search — each leaves one row, with what
allowed the access, and without personal data that is not needed."""
from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from ckan import model
from ckan.tests import factories, helpers

from ckanext.govshare.access.grants import Grant, utcnow
from ckanext.govshare.oversight import chain, record
from tests.factories import LEVEL_EXTRAS, department, entry, entry_data


def _rows(table: str) -> list[dict]:
    model.Session.remove()
    with model.meta.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(sa.text(f"SELECT * FROM {table} ORDER BY seq"))]


@pytest.fixture
def world(with_plugins, clean_db, clean_index):
    class W:
        admin = factories.Sysadmin()
        clerk = factories.User(email="clerk@example.com")
        other = factories.User(email="other@example.com")
        citizen = factories.User(email="citizen@example.com")
        org = department(users=[{"name": clerk["name"], "capacity": "editor"}])
        other_org = department(users=[{"name": other["name"], "capacity": "editor"}])
    return W


def test_catalogue_changes_are_logged_with_levels_before_and_after(world):
    """kunming-2019 §27 变更日志: created / updated / deleted, levels before and after, actor."""
    ctx = {"user": world.clerk["name"]}
    pkg = helpers.call_action("package_create", context=dict(ctx), **entry_data(world.org))
    helpers.call_action("package_patch", context=dict(ctx), id=pkg["id"], open_type="closed",
                        **LEVEL_EXTRAS[("closed", "unconditional")])
    helpers.call_action("package_delete", context=dict(ctx), id=pkg["id"])

    rows = [r for r in _rows("govshare_log_catalogue") if r["package_id"] == pkg["id"]]
    assert [r["action"] for r in rows] == ["created", "updated", "deleted"]
    created, updated, deleted = rows
    assert created["actor_id"] == world.clerk["id"]
    assert (created["open_before"], created["open_after"]) == (None, "unconditional")
    assert (updated["open_before"], updated["open_after"]) == ("unconditional", "closed")
    assert (updated["share_before"], updated["share_after"]) == ("unconditional", "unconditional")
    assert (deleted["open_before"], deleted["open_after"]) == ("closed", None)
    assert created["resource_code"] == pkg["resource_code"]
    assert created["organization_id"] == world.org["id"]
    assert chain.verify("catalogue").ok



def test_a_deferred_change_is_logged_in_its_transaction(world):
    """An import defers its commit (all-or-nothing): a change rolled back leaves no log row,
    so the change log never records what did not happen."""
    ctx = {"user": world.clerk["name"], "defer_commit": True}
    helpers.call_action("package_create", context=ctx, **entry_data(world.org, name="rolled-back"))
    model.Session.rollback()
    assert [r for r in _rows("govshare_log_catalogue") if r["package_name"] == "rolled-back"] == []
    assert model.Package.get("rolled-back") is None


def _upload_entry(world, tmp_path, ckan_config, monkeypatch, levels=("unconditional", "unconditional")):
    monkeypatch.setitem(ckan_config, "ckan.storage_path", str(tmp_path))
    pkg = entry(world.org, open_type=levels[0], share_type=levels[1], **LEVEL_EXTRAS[levels])
    upload = FileStorage(stream=io.BytesIO("线路编号\r\nCQBUS0100\r\n".encode("utf-8")),
                         filename="lines.csv", content_type="text/csv")
    res = helpers.call_action("resource_create", context={"user": world.admin["name"]}, package_id=pkg["id"],
                              name="线路表", access_method="download", upload=upload)
    return pkg, res


def test_a_download_is_logged_with_its_basis(world, app, tmp_path, ckan_config, monkeypatch):
    """kunming-2019 §27 共享交换日志: who obtained which resource, when, through what, and what
    allowed it — here the entry's 无条件开放 attribute; no e-mail or IP address is kept."""
    pkg, res = _upload_entry(world, tmp_path, ckan_config, monkeypatch)
    url = f"/dataset/{pkg['id']}/resource/{res['id']}/download/lines.csv"
    resp = app.get(url, headers={"Authorization": world.citizen["apikey"]} if world.citizen.get("apikey") else {},
                   environ_overrides={"REMOTE_ADDR": "203.0.113.7"})
    assert resp.status_code == 200
    rows = _rows("govshare_log_exchange")
    assert len(rows) == 1
    row = rows[0]
    assert (row["channel"], row["resource_id"], row["package_id"]) == ("download", res["id"], pkg["id"])
    assert row["basis"] == "open:unconditional" and row["organization_id"] == world.org["id"]
    assert row["client_hash"] == record.mask("203.0.113.7")
    text = str(row)
    assert "203.0.113.7" not in text and "@example.com" not in text


def test_a_department_download_through_a_share_grant_names_the_grant(world, app, tmp_path, ckan_config, monkeypatch):
    """The share/exchange log names the grant (有条件共享, chongqing-2018 §19) that allowed it."""
    pkg, res = _upload_entry(world, tmp_path, ckan_config, monkeypatch, ("closed", "conditional"))
    grant = Grant(package_id=pkg["id"], kind="share", organization_id=world.other_org["id"],
                  granted_by=world.admin["id"], granted_at=utcnow())
    model.Session.add(grant)
    model.Session.commit()
    grant_id = grant.id
    token = helpers.call_action("api_token_create", context={"user": world.other["name"]},
                                user=world.other["name"], name="t")["token"]
    resp = app.get(f"/dataset/{pkg['id']}/resource/{res['id']}/download/lines.csv",
                   headers={"Authorization": token})
    assert resp.status_code == 200
    row = _rows("govshare_log_exchange")[-1]
    assert (row["actor_id"], row["basis"], row["grant_id"]) == (world.other["id"], "share:grant", grant_id)
    assert row["actor_org_id"] == world.other_org["id"]


def test_api_reads_and_datastore_queries_are_logged(world, app):
    """Through what: an API call (resource_show) and a DataStore query are exchanges too."""
    pkg = entry(world.org, resources=[{"url": "https://data.example.gov.cn/a.csv", "access_method": "download"}])
    res = pkg["resources"][0]
    helpers.call_action("datastore_create", context={"user": world.admin["name"]}, resource_id=res["id"],
                        force=True, fields=[{"id": "线路", "type": "text"}], records=[{"线路": "101"}, {"线路": "102"}])
    app.get("/api/3/action/resource_show", query_string={"id": res["id"]})
    app.get("/api/3/action/datastore_search", query_string={"resource_id": res["id"], "limit": 1})
    # a read by the platform itself (no web request) is nobody's exchange
    helpers.call_action("datastore_search", context={"user": world.admin["name"]}, resource_id=res["id"])
    rows = _rows("govshare_log_exchange")
    assert [(r["channel"], r["resource_id"]) for r in rows] == [("api", res["id"]), ("datastore_search", res["id"])]
    assert rows[0]["actor_id"] is None and rows[0]["basis"] == "open:unconditional"
    assert rows[1]["detail"]["limit"] == "1" and rows[1]["detail"]["total"] == 2


def test_searches_are_logged_with_the_searcher_masked(world, app):
    """kunming-2019 §27 信息查询日志: query text, filters, result count; the searcher only as a
    keyed hash and a kind (no user id, name or e-mail)."""
    entry(world.org, title="出租车运营数据")
    token = helpers.call_action("api_token_create", context={"user": world.citizen["name"]},
                                user=world.citizen["name"], name="t")["token"]
    app.get("/dataset/", query_string={"q": "出租车"})
    app.get("/api/3/action/package_search", query_string={"q": "公交", "fq": "theme:transport"},
            headers={"Authorization": token})
    rows = _rows("govshare_log_query")
    assert [(r["channel"], r["query"]) for r in rows] == [("web", "出租车"), ("api", "公交")]
    web, api = rows
    assert web["actor_kind"] == "anonymous" and web["actor_hash"] is None
    assert api["actor_kind"] == "user" and api["actor_hash"] == record.mask(world.citizen["id"])
    assert api["filters"]["fq"] == "theme:transport"
    assert isinstance(web["result_count"], int)
    assert world.citizen["id"] not in str(rows) and world.citizen["name"] not in str(rows)
    assert chain.verify("query").ok


def test_a_linked_file_download_is_logged_once(world, app):
    """A linked file: CKAN's download view redirects to its URL (no ``resource_download``
    signal); the view's ``resource_show`` is the exchange, logged once, as a download."""
    pkg = entry(world.org, resources=[{"url": "https://data.example.gov.cn/a.csv", "access_method": "download"}])
    res = pkg["resources"][0]
    resp = app.get(f"/dataset/{pkg['id']}/resource/{res['id']}/download", follow_redirects=False)
    assert resp.status_code == 302
    rows = _rows("govshare_log_exchange")
    assert [(r["channel"], r["resource_id"], r["detail"]) for r in rows] == [("download", res["id"], {"redirect": True})]


@pytest.mark.ckan_config("ckan.datastore.sqlsearch.enabled", True)
def test_sql_queries_name_every_resource_they_read(world, app):
    """``datastore_search_sql``: one exchange row per resource the SQL reads."""
    pkg = entry(world.org, resources=[{"url": "https://data.example.gov.cn/a.csv", "access_method": "download"},
                                      {"url": "https://data.example.gov.cn/b.csv", "access_method": "download"}])
    ids = [r["id"] for r in pkg["resources"]]
    for rid in ids:
        helpers.call_action("datastore_create", context={"user": world.admin["name"]}, resource_id=rid,
                            force=True, fields=[{"id": "n", "type": "int"}], records=[{"n": 1}])
    sql = f'SELECT * FROM "{ids[0]}" a JOIN "{ids[1]}" b ON a.n = b.n'
    resp = app.get("/api/3/action/datastore_search_sql", query_string={"sql": sql})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    rows = _rows("govshare_log_exchange")
    assert sorted(r["resource_id"] for r in rows) == sorted(ids)
    assert {r["channel"] for r in rows} == {"datastore_search_sql"} and rows[0]["detail"]["sql"] == sql
