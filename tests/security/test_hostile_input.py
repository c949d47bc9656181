# -*- coding: utf-8 -*-
"""Hostile input answered 400/409 with a clear message, never a 500 (issue 11, finding 7).

Each case reproduces one 500 reported against the platform: govshare's own actions (time
zones in expiries, unknown departments, ids of the wrong type, NUL bytes, lone surrogates)
and the defects of CKAN core the platform's routes expose, guarded at the platform's edge
(``ckanext/govshare/edge.py``).
"""
from __future__ import annotations

import datetime
import json
from typing import Any

import pytest

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.tests import helpers

from ckanext.govshare.model import Application, Grant
from tests.factories import entry_data

OK_REFUSALS = (400, 403, 404, 409)


def call(app, method: str, url: str, headers: dict | None = None, **kwargs: Any) -> tuple[int, str]:
    """(status, body) of a request; an exception escaping the app (the test client
    propagates them) counts as the 500 it would be in production."""
    try:
        resp = getattr(app, method)(url, headers=headers or {}, **kwargs)
    except Exception as e:  # noqa: BLE001 - that is the defect looked for
        return 500, f"{type(e).__name__}: {e}"
    return resp.status_code, resp.get_data(as_text=True)


def api(app, actors, action: str, data: Any, who: str | None = "sysadmin") -> tuple[int, Any]:
    status, body = call(app, "post", f"/api/3/action/{action}", actors.headers(who),
                        data=json.dumps(data), content_type="application/json")
    try:
        return status, json.loads(body)
    except ValueError:
        return status, body


# --- govshare's own input ---------------------------------------------------------------------

class TestExpiry:
    def test_one_parser_for_dates_and_time_zones(self):
        from ckanext.govshare.logic.validators import govshare_expiry

        assert govshare_expiry("2099-01-01T00:00:00+08:00", {}) == datetime.datetime(2098, 12, 31, 16, 0)
        assert govshare_expiry("2099-01-01T00:00:00Z", {}) == datetime.datetime(2099, 1, 1)
        assert govshare_expiry("2099-01-01T08:30:00", {}) == datetime.datetime(2099, 1, 1, 8, 30)
        # a date alone: the end of that day in Beijing
        assert govshare_expiry("2099-01-01", {}) == datetime.datetime(2099, 1, 1, 15, 59, 59, 999999)
        for bad in ("2020-01-01", "tomorrow", "2099-13-01", ["2099-01-01"], 20990101, "2099-01-01\x00"):
            with pytest.raises(tk.Invalid):
                govshare_expiry(bad, {})

    def test_approve_with_a_time_zone(self, app, actors):
        status, body = api(app, actors, "govshare_application_approve",
                           {"id": actors.application["id"], "expires_at": "2099-01-01T00:00:00+08:00"},
                           who="clerk")
        assert status == 200, body
        grant = model.Session.query(Grant).get(body["result"]["grant_id"])
        assert grant.expires_at == datetime.datetime(2098, 12, 31, 16, 0)

    def test_approve_with_a_date_means_the_end_of_that_day_in_beijing(self, actors):
        result = helpers.call_action("govshare_application_approve", context=actors.context("clerk"),
                                     id=actors.application["id"], expires_at="2099-01-01")
        grant = model.Session.query(Grant).get(result["grant_id"])
        assert grant.expires_at == datetime.datetime(2099, 1, 1, 15, 59, 59, 999999)

    @pytest.mark.parametrize("value", ["2020-01-01T00:00:00+08:00", "not a date", ["2099-01-01"], 7])
    def test_approve_refuses_bad_expiry_and_changes_nothing(self, app, actors, value):
        status, body = api(app, actors, "govshare_application_approve",
                           {"id": actors.application["id"], "expires_at": value}, who="clerk")
        assert status == 409 and "expires_at" in body["error"], body
        assert model.Session.query(Grant).count() == 0
        assert model.Session.query(Application).get(actors.application["id"]).status == "submitted"

    def test_grant_create_with_a_time_zone(self, app, actors):
        status, body = api(app, actors, "govshare_grant_create", {
            "package_id": actors.pkg["id"], "kind": "share", "organization_id": actors.other_org["id"],
            "expires_at": "2099-01-01T00:00:00+08:00"})
        assert status == 200, body
        assert body["result"]["expires_at"].startswith("2098-12-31T16:00:00")


def test_unknown_applicant_department_is_a_validation_error(app, actors):
    for kind in ("open", "share"):
        status, body = api(app, actors, "govshare_application_create", {
            "kind": kind, "package_id": actors.pkg["id"], "applicant_org_id": "no-such-department",
            "applicant_type": "citizen", "applicant_name": "张三", "id_number": "11010519491231002X",
            "contact_phone": "13800138000", "purpose": "研究", "usage_scope": "内部", "data_items": "全部",
            "period_end": "2027-06-30", "agreement_accepted": True}, who="citizen")
        assert status == 409 and "applicant_org_id" in body["error"], (kind, body)
    assert model.Session.query(Application).count() == 1


# every govshare action with every id parameter, and values of the wrong type
ID_PARAMS = [
    ("govshare_application_show", "id"), ("govshare_application_event_list", "id"),
    ("govshare_application_extend", "id"), ("govshare_application_approve", "id"),
    ("govshare_application_refuse", "id"), ("govshare_application_withdraw", "id"),
    ("govshare_application_create", "package_id"), ("govshare_application_create", "organization_id"),
    ("govshare_application_list", "organization_id"), ("govshare_application_list", "status"),
    ("govshare_application_list", "kind"),
    ("govshare_grant_create", "package_id"), ("govshare_grant_create", "organization_id"),
    ("govshare_grant_create", "user_id"), ("govshare_grant_create", "application_id"),
    ("govshare_grant_revoke", "id"), ("govshare_grant_list", "package_id"),
    ("govshare_vocabulary_list", "name"), ("govshare_application_extend", "consented_by"),
]
WRONG_IDS = [["a", "b"], {"id": "x"}, 12345, 1.5, True, "a\x00b", "x" * 100_000]


@pytest.mark.parametrize("action,param", ID_PARAMS)
def test_ids_of_the_wrong_type(app, actors, action, param):
    for value in WRONG_IDS:
        data = {"id": actors.application["id"], "kind": "open_demand", "description": "需要数据",
                "package_id": actors.pkg["id"], "days": 5, "reason": "原因", "basis": "依据"}
        data[param] = value
        for who in ("sysadmin", "clerk", "citizen"):
            status, body = api(app, actors, action, data, who=who)
            assert status in OK_REFUSALS, (action, param, repr(value)[:40], who, str(body)[:300])


@pytest.mark.parametrize("action,field", [
    ("govshare_application_create", "purpose"), ("govshare_application_create", "applicant_name"),
    ("govshare_application_refuse", "reason"), ("govshare_application_approve", "conditions"),
    ("govshare_grant_revoke", "reason"), ("govshare_grant_create", "conditions")])
def test_lone_surrogate_in_text(app, actors, action, field):
    data = {"id": actors.application["id"], "kind": "open_demand", "description": "需要数据",
            "package_id": actors.pkg["id"], "basis": "依据", field: "研究\ud800"}
    status, body = api(app, actors, action, data, who="clerk" if action != "govshare_application_create"
                       else "citizen")
    assert status in (400, 409), body
    # the action itself refuses it too (a caller inside the process)
    if action == "govshare_application_create":
        with pytest.raises(tk.ValidationError):
            helpers.call_action(action, context=actors.context("citizen"), **data)


# --- CKAN core, reached through the platform's routes -------------------------------------------

def test_surrogates_in_dataset_fields(app, actors):
    for field in ("title", "notes", "tag_string", "contact_name", "url"):
        data = entry_data(actors.org, name=f"sur-{field.replace('_', '-')}", **{field: "公交\ud800"})
        status, body = api(app, actors, "package_create", data)
        assert status in (400, 409), (field, body)
    assert model.Session.query(model.Package).filter(model.Package.name.like("sur-%")).count() == 0


def test_open_type_as_a_list(app, actors):
    status, body = api(app, actors, "package_create",
                       entry_data(actors.org, name="list-open", open_type=["unconditional", "closed"]))
    assert status == 409 and "open_type" in body["error"], body


@pytest.mark.parametrize("field", ["notes_en", "title", "contact_email", "open_basis", "usage_requirements"])
def test_immense_field_value(app, actors, field):
    value = ("x" * 100_000 + "@example.com") if field == "contact_email" else "长" * 100_000
    status, body = api(app, actors, "package_create", entry_data(actors.org, name="immense", **{field: value}))
    assert status == 409 and field in body["error"], str(body)[:500]
    status, body = api(app, actors, "package_create", entry_data(
        actors.org, name="immense-res", resources=[{"url": "https://x.example.com/" + "a" * 100_000}]))
    assert status == 409, str(body)[:500]


@pytest.mark.parametrize("param", ["rows", "start"])
@pytest.mark.parametrize("value", [" ", "x", "-1", "1e9"])
def test_search_paging_parameters(app, actors, param, value):
    for url in ("/api/3/action/package_search", "/api/3/action/resource_search"):
        status, body = call(app, "get", url, query_string={"q": "name:x" if "resource" in url else "*:*",
                                                            param: value})
        assert status in (400, 409), (url, body[:300])


@pytest.mark.parametrize("path", ["/dataset/a%00b", "/application/%00", "/dataset/a%00b/apply",
                                  "/organization/%00/applications", "/dataset/?q=a%00b",
                                  "/api/3/action/package_show?id=a%00b", "/govshare/code/203001%00"])
def test_nul_in_path_or_query(app, actors, path):
    status, body = call(app, "get", path, actors.headers("citizen"))
    assert status == 400, body[:300]


def test_activity_show_without_include_data(app, actors):
    from ckanext.activity.model import Activity

    activity = {"id": model.Session.query(Activity.id).filter(Activity.object_id == actors.pkg["id"]).first()[0]}
    for who in ("sysadmin", "clerk"):
        status, body = call(app, "get", f"/api/3/action/activity_show?id={activity['id']}",
                            actors.headers(who))
        assert status == 200, body[:300]
    status, body = call(app, "get", f"/api/3/action/activity_show?id={activity['id']}")
    assert status == 200 and "data.example.gov.cn/sec.csv" not in body  # the data location withheld
    help_text = helpers.call_action("help_show", name="activity_show")
    assert ":param id: the id of the activity" in help_text


def test_resource_history_with_a_bad_activity(app, actors):
    url = f"/dataset/{actors.pkg['name']}/resources/{actors.resource_id}/history/no-such-activity"
    status, body = call(app, "get", url, actors.headers("sysadmin"))
    assert status == 404, body[:300]


@pytest.mark.parametrize("query", ["", "?new_id=x", "?new_id=x&old_id=y", "?old_id=%00"])
@pytest.mark.parametrize("kind", ["dataset", "organization", "group"])
def test_changes_multiple(app, actors, kind, query):
    status, body = call(app, "get", f"/{kind}/changes_multiple{query}", actors.headers("sysadmin"))
    assert status in (400, 404), body[:300]


@pytest.mark.parametrize("snippet", ["package_item.html", "nothing.html", "follow_button.html",
                                     "../base.html"])
def test_snippet_route(app, actors, snippet):
    status, body = call(app, "get", f"/api/util/snippet/{snippet}")
    assert status in (400, 404), body[:300]


@pytest.mark.parametrize("path", ["/dataset/?q=", "/dataset/?tags=", "/api/3/action/package_search?fq=tags:",
                                  "/api/3/action/package_search?q=", "/dataset/"])
def test_hundred_thousand_character_url(app, actors, path):
    status, body = call(app, "get", path + "x" * 100_000)
    assert status in (400, 404), body[:300]
    assert status != 400 or "too long" in body.lower() or "过长" in body, body[:300]


def test_chained_actions_keep_the_core_docstrings(actors):
    from ckanext.govshare.logic import action

    for name in action.__all__:
        text = helpers.call_action("help_show", name=name)
        assert text and not text.startswith("partial("), name
    assert "Searches for packages" in helpers.call_action("help_show", name="package_search")
    assert helpers.call_action("help_show", name="group_activity_list") != \
        helpers.call_action("help_show", name="package_activity_list")


# --- 500s the fuzzer (test_fuzz.py) found ---------------------------------------------------

@pytest.mark.parametrize("field,value", [
    ("agreement_accepted", 12345), ("agreement_accepted", {"$gt": ""}), ("agreement_accepted", 1.5),
    ("period_end", "2099-01-01T00:00:00+08:00"), ("period_start", "9999-12-31T23:59:59+14:00")])
def test_application_booleans_and_days(app, actors, field, value):
    data = {"kind": "open", "package_id": actors.pkg["id"], "applicant_type": "citizen", "applicant_name": "张三",
            "id_number": "11010519491231002X", "contact_phone": "13800138000", "purpose": "研究",
            "usage_scope": "内部", "data_items": "全部", "period_end": "2099-06-30", "agreement_accepted": True,
            field: value}
    status, body = api(app, actors, "govshare_application_create", data, who="citizen")
    assert status in (200, 409), body


@pytest.mark.parametrize("query", ["include_private=x", "facet.mincount=%20", "facet.limit=x", "sort=score+desc%2C"])
def test_search_parameter_types(app, actors, query):
    for url in ("/api/3/action/package_search", "/dataset/"):
        status, body = call(app, "get", f"{url}?{query}")
        assert status in (200, 400), (url, body[:300])  # the page ignores what it does not use
    status, body = api(app, actors, "package_search", {"start": ""})
    assert status == 400, body


def test_a_single_value_field_sent_twice(app, actors):
    form = {k: v for k, v in entry_data(actors.org, name="twice").items() if isinstance(v, str)}
    form.update({"save": "continue", "release_date": ["2026-01-01", "2026-01-02"]})
    status, body = call(app, "post", "/dataset/new", actors.headers("clerk"), data=form)
    assert status == 400 and "release_date" in body, body[:300]


def test_control_characters_in_the_path(app, actors):
    status, body = call(app, "get", "/application/%1B%5B31m", actors.headers("citizen"))
    assert status == 400, body[:300]
