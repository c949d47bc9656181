# -*- coding: utf-8 -*-
"""The notice actions for every actor (shenyang-2016 §22): subscribing needs an account and an
entry the caller may see; each account reads and marks only its own notices; a department's
upkeep is for its members and the data authority. Hostile input is a 4xx with nothing written."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.tests import factories

from ckanext.govshare.notices.model import Notice, Subscription
from tests.factories import LEVEL_EXTRAS, entry

ACTORS = ("anonymous", "citizen", "other_department", "department", "head", "authority", "sysadmin")


def _subscriptions() -> int:
    model.Session.remove()
    return model.Session.query(sa.func.count(Subscription.id)).scalar()


@pytest.mark.parametrize("actor", ACTORS)
def test_who_may_subscribe(nw, actor):
    """shenyang-2016 §22: any account may follow an entry it may see."""
    if actor == "anonymous":
        with pytest.raises(tk.NotAuthorized):
            nw.call("govshare_subscription_create", actor, package_id=nw.pkg["id"])
        assert _subscriptions() == 0
        return
    assert nw.call("govshare_subscription_create", actor, package_id=nw.pkg["id"])["subscribed"] is True
    nw.call("govshare_subscription_create", actor, package_id=nw.pkg["id"])  # twice is once
    assert _subscriptions() == 1
    assert nw.call("govshare_subscription_delete", actor, package_id=nw.pkg["id"])["subscribed"] is False
    assert _subscriptions() == 0


@pytest.mark.parametrize("actor", ACTORS)
def test_no_subscription_to_a_withheld_entry(nw, actor):
    """chongqing-2018 §22 ¶2: a 不予开放, 不予共享 entry is known only to its department."""
    withheld = entry(nw.org, name="mimi", open_type="closed", share_type="none", **LEVEL_EXTRAS[("closed", "none")])
    sees = actor in ("department", "head", "sysadmin")
    if actor == "anonymous":
        with pytest.raises(tk.NotAuthorized):
            nw.call("govshare_subscription_create", actor, package_id=withheld["id"])
    elif not sees:
        with pytest.raises(tk.ObjectNotFound):
            nw.call("govshare_subscription_create", actor, package_id=withheld["id"])
    else:
        nw.call("govshare_subscription_create", actor, package_id=withheld["id"])
    assert _subscriptions() == (1 if sees else 0)


def test_each_account_reads_and_marks_only_its_own_notices(nw):
    for user in (nw.citizen, nw.subscriber):
        model.Session.add(Notice(user_id=user["id"], package_id=nw.pkg["id"], kind="data", reason="subscription"))
    model.Session.commit()
    mine = nw.call("govshare_notice_list", "citizen")
    assert mine["unread"] == 1 and len(mine["notices"]) == 1
    assert mine["notices"][0]["package_name"] == "chuzuche"
    other_id = model.Session.query(Notice.id).filter(Notice.user_id == nw.subscriber["id"]).scalar()
    assert nw.call("govshare_notice_mark_read", "citizen", id=other_id)["marked"] == 0
    assert nw.call("govshare_notice_list", "subscriber")["unread"] == 1
    assert nw.call("govshare_notice_mark_read", "citizen")["marked"] == 1
    assert nw.call("govshare_notice_list", "citizen")["unread"] == 0
    assert nw.call("govshare_notice_list", "citizen", unread_only=True)["notices"] == []
    with pytest.raises(tk.NotAuthorized):
        nw.call("govshare_notice_list", None)
    with pytest.raises(tk.NotAuthorized):
        nw.call("govshare_notice_mark_read", None)


@pytest.mark.parametrize("actor", ACTORS)
def test_who_sees_a_departments_upkeep(nw, actor):
    """The department's members and the data authority (shenyang-2016 §12, kunming-2019 §18)."""
    if actor in ("department", "head", "authority", "sysadmin"):
        result = nw.call("govshare_upkeep_list", actor, organization_id=nw.org["name"])
        assert result["organization_id"] == nw.org["id"]
    else:
        with pytest.raises(tk.NotAuthorized):
            nw.call("govshare_upkeep_list", actor, organization_id=nw.org["id"])


@pytest.mark.parametrize("action,data", [
    ("govshare_subscription_create", {"package_id": ["x"]}),
    ("govshare_subscription_create", {"package_id": {"a": 1}}),
    ("govshare_subscription_create", {"package_id": "x" * 500}),
    ("govshare_subscription_create", {}),
    ("govshare_subscription_delete", {"package_id": 5}),
    ("govshare_notice_list", {"unread_only": "perhaps"}),
    ("govshare_notice_list", {"limit": "many"}),
    ("govshare_notice_list", {"limit": [1]}),
    ("govshare_notice_mark_read", {"id": ["a"]}),
    ("govshare_upkeep_list", {"organization_id": ["jtj"]}),
    ("govshare_upkeep_list", {}),
])
def test_hostile_input_is_refused(nw, action, data):
    with pytest.raises(tk.ValidationError):
        nw.call(action, "citizen", **data)
    assert _subscriptions() == 0


def test_api_answers_4xx(app, nw):
    token = factories.APIToken(user=nw.citizen["id"])["token"]
    for body in ({"package_id": ["x"]}, {"package_id": {"$ne": 1}}):
        resp = app.post("/api/3/action/govshare_subscription_create", json=body,
                        headers={"Authorization": token}, status=409)
        assert resp.json["success"] is False
    app.post("/api/3/action/govshare_subscription_create", json={"package_id": nw.pkg["id"]}, status=403)
    app.get("/api/3/action/govshare_notice_list", status=403)
    assert _subscriptions() == 0
