# -*- coding: utf-8 -*-
"""Reading the logs: ``govshare_log_list`` for the data authority only, by period and kind,
paged; nothing in the API can change or delete a row (kunming-2019 §27; chongqing-2018 §29
"授权管理 … 安全体系"; kunming-2019 §29 "防止越权存取数据，确保数据可追溯")."""
from __future__ import annotations

import datetime

import pytest

import ckan.logic as logic
import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.govshare.oversight import record

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def _searches(n: int) -> None:
    for i in range(n):
        assert record.write_read("query", {"actor_kind": "anonymous", "channel": "web" if i % 2 else "api",
                                           "query": f"查询{i}", "result_count": i})


def test_the_authority_pages_through_a_period():
    _searches(7)
    admin = factories.Sysadmin()
    ctx = {"user": admin["name"]}
    today = datetime.date.today()
    page = helpers.call_action("govshare_log_list", context=dict(ctx), log="query", limit=3, count=True,
                               since=(today - datetime.timedelta(days=1)).isoformat())
    assert [r["query"] for r in page["rows"]] == ["查询0", "查询1", "查询2"] and page["count"] == 7
    assert len(page["rows"][0]["hash"]) == 64
    seen = page["rows"]
    while page["next"]:
        page = helpers.call_action("govshare_log_list", context=dict(ctx), log="query", limit=3, after=page["next"])
        seen += page["rows"]
    assert [r["query"] for r in seen] == [f"查询{i}" for i in range(7)]
    web = helpers.call_action("govshare_log_list", context=dict(ctx), log="query", channel="web")
    assert {r["channel"] for r in web["rows"]} == {"web"} and len(web["rows"]) == 3
    later = helpers.call_action("govshare_log_list", context=dict(ctx), log="query",
                                since=(today + datetime.timedelta(days=1)).isoformat())
    assert later["rows"] == []


def test_a_filter_the_log_does_not_have_is_refused():
    with pytest.raises(tk.ValidationError):
        helpers.call_action("govshare_log_list", context={"user": factories.Sysadmin()["name"]},
                            log="query", package_id="x")
    with pytest.raises(tk.ValidationError):
        helpers.call_action("govshare_log_list", context={"user": factories.Sysadmin()["name"]}, log="nope")


@pytest.mark.parametrize("who", ["anonymous", "user", "department"])
def test_nobody_else_reads_the_logs(who):
    user = None
    if who != "anonymous":
        user = factories.User()
        if who == "department":
            factories.Organization(users=[{"name": user["name"], "capacity": "admin"}])
    with pytest.raises(tk.NotAuthorized):
        helpers.call_action("govshare_log_list", context={"user": user["name"] if user else "",
                                                          "ignore_auth": False}, log="exchange")


def test_the_web_api_refuses_the_public(app):
    resp = app.get("/api/3/action/govshare_log_list", query_string={"log": "query"})
    assert resp.status_code == 403


def test_no_action_writes_changes_or_deletes_a_log_row():
    """The only log action reads; every other govshare action is about something else."""
    names = [n for n in logic._actions if "log" in n.split("_") and n.startswith("govshare")]
    assert names == ["govshare_log_list"]
    assert getattr(logic.get_action("govshare_log_list"), "side_effect_free", False)


def test_help_show_documents_the_action():
    doc = helpers.call_action("help_show", name="govshare_log_list")
    for param in ("log", "since", "until", "package_id", "actor_id", "channel", "after", "limit"):
        assert f":param {param}:" in doc
