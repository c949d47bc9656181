# -*- coding: utf-8 -*-
"""Who may see and decide catalogue reviews, for every actor: anonymous, a citizen, another
department's member, the entry's department, the authority group's member and a sysadmin
(shenyang-2016 §12: the authority reviews; the department sees its entries' state)."""
from __future__ import annotations

import pytest

import ckan.plugins.toolkit as tk

ACTORS = ("anonymous", "citizen", "other", "clerk", "authority", "sysadmin")
SEES = {"clerk", "authority", "sysadmin"}
DECIDES = {"authority", "sysadmin"}


def _actor(w, name):
    return {"anonymous": None, "citizen": w.citizen, "other": w.other, "clerk": w.clerk,
            "authority": w.authority, "sysadmin": w.sysadmin}[name]


@pytest.mark.parametrize("actor", ACTORS)
def test_show_and_department_list(review_world, actor):
    w = review_world
    pkg = w.submit(name="gongjiao")
    user = _actor(w, actor)
    if actor in SEES:
        assert w.call("govshare_review_show", user, id=pkg["id"])["current"]["status"] == "pending"
        assert [r["package_id"] for r in w.call("govshare_review_list", user, organization_id="jtj")] == [pkg["id"]]
    else:
        with pytest.raises(tk.NotAuthorized):
            w.call("govshare_review_show", user, id=pkg["id"])
        with pytest.raises(tk.NotAuthorized):
            w.call("govshare_review_list", user, organization_id="jtj")


@pytest.mark.parametrize("actor", ACTORS)
def test_platform_wide_list(review_world, actor):
    w = review_world
    w.submit(name="gongjiao")
    user = _actor(w, actor)
    if actor in DECIDES:
        assert [r["package_name"] for r in w.call("govshare_review_list", user)] == ["gongjiao"]
    else:
        with pytest.raises(tk.NotAuthorized):
            w.call("govshare_review_list", user)


@pytest.mark.parametrize("action", ["govshare_review_approve", "govshare_review_reject"])
@pytest.mark.parametrize("actor", ACTORS)
def test_decide(review_world, actor, action):
    w = review_world
    pkg = w.submit(name="gongjiao")
    review = w.review_of(pkg)
    user = _actor(w, actor)
    if actor in DECIDES:
        result = w.call(action, user, id=review["id"], reason="信息项不完整")
        assert result["status"] == ("approved" if action.endswith("approve") else "rejected")
    else:
        with pytest.raises(tk.NotAuthorized):
            w.call(action, user, id=review["id"], reason="信息项不完整")
        assert w.review_of(pkg)["status"] == "pending"


def test_authority_group_member_who_left_cannot_decide(review_world):
    w = review_world
    review = w.review_of(w.submit(name="gongjiao"))
    w.call("member_delete", w.sysadmin, id="data-authority", object="rv-authority", object_type="user")
    with pytest.raises(tk.NotAuthorized):
        w.call("govshare_review_approve", w.authority, id=review["id"])
