# -*- coding: utf-8 -*-
"""The leaks and forgeries an outside attacker found (issue 11, findings 1-5), each kept as
the request that showed it, through the real web stack (PostgreSQL, Solr, Redis).

Rules: 不予开放 entries are not published to the public (chongqing-2018 §22 ¶2,
chongqing-2019 §32); conditional data only for grant holders (chongqing-2018 §24) and
entitled departments (chongqing-2018 §16, §19); an extension needs the head's consent
(chongqing-2018 §24, chongqing-2019 §33).
"""
from __future__ import annotations

import json

import pytest

from ckan import model
from ckan.tests import factories, helpers

from ckanext.govshare.model import Application, ApplicationEvent
from tests.factories import LEVEL_EXTRAS, approve_pending, department, entry

COND_URL = "https://data.example.gov.cn/MKcondurlQ7.csv"
COND_API = "GET https://api.example.gov.cn/MKcondapiQ7"
CLOSED_URL = "https://data.example.gov.cn/MKclosedurlQ7.csv"
CLOSED_TAG = "MKclosedtagQ7"
CLOSED_CODE = "203001/990001"


class Setting:
    """The applications' shared setting (``applications_world``: departments jtj and wjw, their
    head and clerks, a citizen, a sysadmin) with the entries the findings need: the
    conditional entry carries an API resource, plus a closed and a public entry."""

    def __init__(self, world) -> None:
        self.world = world
        self.sysadmin, self.head, self.clerk = world.sysadmin, world.head, world.clerk
        self.outsider, self.citizen = world.outsider, world.citizen
        self.org, self.other_org = world.org, world.other_org
        self.conditional = world.pkg
        self.closed = entry(self.org, name="jiashiren", open_type="closed", share_type="conditional",
                            resource_code=CLOSED_CODE, tags=[{"name": CLOSED_TAG}],
                            resources=[{"name": "明细", "url": CLOSED_URL}],
                            user=self.clerk, **LEVEL_EXTRAS[("closed", "conditional")])
        self.public = entry(self.org, name="gongjiao", related_codes=f"{CLOSED_CODE}, 203001/990002",
                            resources=[{"name": "线路", "url": "https://data.example.gov.cn/gongjiao.csv"}],
                            tags=[{"name": "公交"}], user=self.clerk)
        # the clerk's entries are published once the authority approves them (shenyang-2016 §12)
        approve_pending(self.closed["id"])
        approve_pending(self.public["id"])
        self.tokens = {u: factories.APIToken(user=getattr(self, u)["id"])["token"]
                       for u in ("sysadmin", "head", "clerk", "outsider", "citizen")}

    def headers(self, who: str | None) -> dict[str, str]:
        return {"Authorization": self.tokens[who]} if who else {}

    def as_(self, user: dict) -> dict:
        return self.world.as_(user)

    def apply(self, user: dict | None = None, **extra) -> dict:
        return self.world.apply(user, **extra)


@pytest.fixture
def s(applications_world):
    return Setting(applications_world(creator="clerk", resources=[
        {"name": "接口", "url": COND_URL, "access_method": "api", "api_call": COND_API, "api_description": "参数"}]))


def _api(app, action: str, who: str | None, s: Setting, status=None, **params):
    """One action API call; ``status``: the status it must answer."""
    return app.post(f"/api/3/action/{action}", json=params, headers=s.headers(who), status=status)


# --- finding 1: whole entries nested in search results ---------------------------------------

@pytest.mark.parametrize("fl", ["id,name,data_dict", "id,name,validated_data_dict", "*",
                                "id,data_dict,validated_data_dict,res_url,urls"])
@pytest.mark.parametrize("who", [None, "citizen", "outsider"])
def test_search_fl_never_carries_withheld_urls(app, s, fl, who):
    """chongqing-2018 §24: conditional data only for grant holders; the other department has
    no share grant for the 有条件共享 entries."""
    for pkg in (s.conditional, s.closed):
        resp = _api(app, "package_search", who, s, q="*:*", fq=f"name:{pkg['name']}", fl=fl, status=200)
        body = resp.get_data(as_text=True)
        if pkg is s.conditional or who == "outsider":
            assert resp.json["result"]["count"] == 1, (who, pkg["name"])
        for secret in (COND_URL, COND_API, CLOSED_URL, "MKcondurl", "MKclosedurl", "MKcondapi"):
            assert secret not in body, (who, fl, pkg["name"])


def test_the_nested_copy_is_not_in_the_index(app, s):
    rows = _api(app, "package_search", "sysadmin", s, q="*:*", fl="id,data_dict", rows=100).json["result"]["results"]
    assert rows and all("validated_data_dict" not in json.loads(r["data_dict"]) for r in rows)


@pytest.mark.parametrize("fl", ["id,x:data_dict", "id,[json]", "id,field(res_url)", "id,[subquery]",
                                "id,{!func}res_url"])
def test_search_fl_takes_field_names_only(app, s, fl):
    resp = _api(app, "package_search", None, s, q="*:*", fl=fl)
    assert resp.status_code in (400, 409)
    assert "MK" not in resp.get_data(as_text=True)


def test_grant_holder_and_department_still_get_the_urls(app, s):
    body = _api(app, "package_search", "clerk", s, q="*:*", fq="name:chuzuche",
                fl="id,data_dict", status=200).get_data(as_text=True)
    assert "MKcondurlQ7" in body


# --- finding 2: resource_search as an oracle --------------------------------------------------

@pytest.mark.parametrize("who", [None, "citizen", "outsider"])
def test_resource_search_by_url_matches_only_data_the_caller_may_have(app, s, who):
    for prefix in ("https://data.example.gov.cn/MKcond", "MKclosed", "MKcondurlQ7"):
        result = _api(app, "resource_search", who, s, query=f"url:{prefix}").json["result"]
        assert result["count"] == 0 and result["results"] == [], (who, prefix)


def test_resource_search_counts_only_what_the_caller_may_see(app, s):
    anonymous = _api(app, "resource_search", None, s, query="name:明细", limit=0).json["result"]
    assert anonymous["count"] == 0  # the closed entry's resource
    department = _api(app, "resource_search", "clerk", s, query="name:明细", limit=0).json["result"]
    assert department["count"] == 1
    everything = _api(app, "resource_search", None, s, query="url:https", limit=0).json["result"]
    assert everything["count"] == 1  # only the public entry's data


def test_resource_search_refuses_to_order_by_url(app, s):
    resp = _api(app, "resource_search", None, s, query="name:线路", order_by="url")
    assert resp.status_code == 409


# --- finding 3: tags, counts, tables and codes of hidden entries ------------------------------

@pytest.mark.parametrize("who", [None, "citizen"])
def test_tags_only_on_closed_entries_stay_hidden(app, s, who):
    assert CLOSED_TAG not in _api(app, "tag_list", who, s).json["result"]
    assert CLOSED_TAG not in _api(app, "tag_list", who, s, query="MKclosed").json["result"]
    assert _api(app, "tag_autocomplete", who, s, q="MKclosed").json["result"] == []
    assert _api(app, "tag_search", who, s, query="MKclosed").json["result"] == {"count": 0, "results": []}
    assert _api(app, "tag_show", who, s, id=CLOSED_TAG).status_code == 404
    assert "公交" in _api(app, "tag_list", who, s).json["result"]


def test_department_sees_its_own_tags(app, s):
    assert CLOSED_TAG in _api(app, "tag_list", "clerk", s).json["result"]
    assert _api(app, "tag_show", "clerk", s, id=CLOSED_TAG).status_code == 200


@pytest.mark.parametrize("who,expected", [(None, 2), ("citizen", 2), ("clerk", 3), ("sysadmin", 3)])
def test_user_counts_leave_out_hidden_entries(app, s, who, expected):
    assert _api(app, "user_show", who, s, id="jtj-clerk").json["result"]["number_created_packages"] == expected
    users = {u["name"]: u for u in _api(app, "user_list", who, s).json["result"]}
    assert users["jtj-clerk"]["number_created_packages"] == expected


def test_department_counts_leave_out_hidden_entries(app, s):
    orgs = {o["name"]: o for o in _api(app, "organization_list", None, s, all_fields=True).json["result"]}
    assert orgs["jtj"]["package_count"] == 2
    orgs = {o["name"]: o for o in _api(app, "organization_list", "clerk", s, all_fields=True).json["result"]}
    assert orgs["jtj"]["package_count"] == 3


def test_datastore_table_list_is_for_sysadmins(app, s):
    resp = _api(app, "datastore_search", None, s, resource_id="_table_metadata")
    assert resp.status_code == 403
    assert _api(app, "datastore_search", "sysadmin", s, resource_id="_table_metadata").status_code == 200


@pytest.mark.parametrize("who", [None, "citizen"])
def test_related_codes_do_not_name_closed_entries(app, s, who):
    shown = _api(app, "package_show", who, s, id="gongjiao").json["result"]
    assert shown["related_codes"] == "203001/990002"  # a code of no entry stays
    resp = _api(app, "package_search", who, s, q="*:*", fq="name:gongjiao",
                fl="id,related_codes,data_dict,validated_data_dict", status=200)
    assert resp.json["result"]["count"] == 1
    body = resp.get_data(as_text=True)
    assert CLOSED_CODE not in body
    assert CLOSED_CODE not in app.get("/dataset/gongjiao.ttl", headers=s.headers(who)).get_data(as_text=True)
    assert CLOSED_CODE not in app.get("/catalog.ttl", headers=s.headers(who)).get_data(as_text=True)
    # not an oracle either: the public index does not match the closed code
    found = _api(app, "package_search", who, s, q=f'related_codes:"{CLOSED_CODE}"').json["result"]
    assert found["count"] == 0
    # the providing department still sees its own code
    assert CLOSED_CODE in _api(app, "package_show", "clerk", s, id="gongjiao").json["result"]["related_codes"]


# --- finding 4: the download guard and the entry named in the URL ----------------------------

@pytest.mark.parametrize("who", [None, "citizen", "outsider"])
@pytest.mark.parametrize("route", ["/download", "", "/download/x.csv"])
def test_resource_routes_under_another_entry_answer_404(app, s, who, route):
    rid = s.conditional["resources"][0]["id"]
    resp = app.get(f"/dataset/gongjiao/resource/{rid}{route}", headers=s.headers(who), status=None,
                   follow_redirects=False)
    assert resp.status_code == 404
    assert "MKcondurl" not in resp.get_data(as_text=True) and "MKcondurl" not in resp.headers.get("Location", "")


# --- finding 5: forged consent, deciding one's own application --------------------------------

def test_clerk_cannot_record_the_heads_consent(app, s):
    application = s.apply()
    resp = _api(app, "govshare_application_extend", "clerk", s, id=application["id"], days=10,
                reason="需脱敏", consented_by="jtj-head")
    assert resp.status_code == 409 and "consented_by" in resp.json["error"]
    row = model.Session.query(Application).get(application["id"])
    model.Session.refresh(row)
    assert row.status == "submitted" and row.extension_count == 0 and row.extension_consented_by is None


def test_extension_is_requested_by_the_clerk_and_consented_by_the_head(app, s):
    """chongqing-2018 §24: 经提供部门负责人同意 — the head acts in the head's own session."""
    application = s.apply()
    asked = _api(app, "govshare_application_extension_request", "clerk", s, id=application["id"],
                 days=10, reason="数据需脱敏处理").json["result"]
    assert asked["status"] == "submitted" and asked["due_at"] == application["due_at"]
    assert asked["extension_request"]["requested_by"] == s.clerk["id"]
    consented = _api(app, "govshare_application_extend", "head", s, id=application["id"]).json["result"]
    assert consented["status"] == "extended" and consented["extension_days"] == 10
    assert consented["extension_consented_by"] == s.head["id"]
    event = model.Session.query(ApplicationEvent).filter_by(application_id=application["id"],
                                                            action="extend").one()
    assert event.actor_user_id == s.head["id"]
    assert event.detail["requested_by"] == s.clerk["id"] and event.detail["consented_by"] == s.head["id"]


def test_head_declines_and_the_deadline_stays(app, s):
    application = s.apply()
    _api(app, "govshare_application_extension_request", "clerk", s, id=application["id"], days=5, reason="需核实")
    assert _api(app, "govshare_application_extension_decline", "clerk", s,
                id=application["id"]).status_code == 409
    declined = _api(app, "govshare_application_extension_decline", "head", s, id=application["id"],
                    reason="按期答复").json["result"]
    assert declined["status"] == "submitted" and declined["due_at"] == application["due_at"]
    assert declined["extension_request"] is None


@pytest.mark.ckan_config("ckanext.govshare.deadline_policy", "chongqing-2019")
def test_the_policys_consent_rule_decides_who_consents(app, s):
    """chongqing-2019 §33: 经政务数据提供部门主要负责人同意 — the designated principal head,
    not any administrator of the department."""
    other_admin = factories.User(name="jtj-admin2")
    helpers.call_action("organization_member_create", context={"user": s.sysadmin["name"]},
                        id=s.org["id"], username=other_admin["name"], role="admin")
    token = factories.APIToken(user=other_admin["id"])["token"]
    application = s.apply()
    resp = app.post("/api/3/action/govshare_application_extend", json={"id": application["id"], "days": 5,
                    "reason": "需核实"}, headers={"Authorization": token})
    assert resp.status_code == 409
    assert _api(app, "govshare_application_extend", "head", s, id=application["id"], days=5,
                reason="需核实").json["result"]["status"] == "extended"


def test_department_members_do_not_apply_for_their_own_data(app, s):
    resp = _api(app, "govshare_application_create", "clerk", s, kind="open", package_id="chuzuche",
                applicant_type="citizen", applicant_name="李四", id_number=s.world.CITIZEN_ID,
                contact_phone="13800138000", purpose="x", usage_scope="x", data_items="x",
                period_end="2027-06-30", agreement_accepted=True)
    assert resp.status_code == 409 and "package_id" in resp.json["error"]
    assert model.Session.query(Application).count() == 0


def test_nobody_decides_their_own_application(app, s):
    application = s.apply()
    # the applicant later joins the providing department as an editor
    helpers.call_action("organization_member_create", context={"user": s.sysadmin["name"]},
                        id=s.org["id"], username=s.citizen["name"], role="editor")
    for action in ("govshare_application_approve", "govshare_application_refuse"):
        resp = _api(app, action, "citizen", s, id=application["id"], reason="x", basis="x")
        assert resp.status_code == 403, action
    assert model.Session.query(Application).get(application["id"]).status == "submitted"
