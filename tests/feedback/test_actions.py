# -*- coding: utf-8 -*-
"""Feedback on open entries (chongqing-2018 §25: 对开放数据进行评价; chongqing-2019 §37:
意见建议, 数据提供单位应当及时回复): who may rate and comment, answer and hide, for every
actor; the rate and size limits; hostile input answered 4xx with nothing written."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.tests import factories

from ckanext.govshare.feedback.model import Feedback

ACTORS = ("anonymous", "citizen", "other_department", "department", "head", "authority", "sysadmin")


def _count() -> int:
    model.Session.remove()
    return model.Session.query(sa.func.count(Feedback.id)).scalar()


def test_rating_and_comment_and_average(fb):
    """chongqing-2018 §25: users rate and comment on open entries; the average is published."""
    fb.comment("citizen", rating=5, comment="数据很及时")
    fb.comment("other_department", rating=2, comment="缺少字段说明")
    result = fb.call("govshare_feedback_list", "anonymous", package_id=fb.pkg["name"])
    assert result["average"] == 3.5 and result["count"] == 2
    assert [c["comment"] for c in result["comments"]] == ["缺少字段说明", "数据很及时"]
    assert result["moderator"] is False


@pytest.mark.parametrize("actor", ACTORS)
def test_who_may_comment(fb, actor):
    """chongqing-2018 §25: every logged-in account comments; anonymous visitors do not."""
    if actor == "anonymous":
        with pytest.raises(tk.NotAuthorized):
            fb.comment(actor)
        assert _count() == 0
    else:
        assert fb.comment(actor)["rating"] == 4
        assert _count() == 1


@pytest.mark.parametrize("actor", ACTORS)
def test_no_feedback_on_a_withheld_entry(fb, actor):
    """chongqing-2018 §22 ¶2: a 不予开放 entry is not published, so nobody outside its department
    learns of it through feedback; its department and sysadmins may still see it."""
    sees = actor in ("department", "head", "sysadmin")
    if actor == "anonymous":
        with pytest.raises(tk.NotAuthorized):
            fb.comment(actor, package_id=fb.withheld["id"])
    elif not sees:
        with pytest.raises(tk.ObjectNotFound):
            fb.comment(actor, package_id=fb.withheld["id"])
        with pytest.raises(tk.ObjectNotFound):
            fb.call("govshare_feedback_list", actor, package_id=fb.withheld["id"])
    else:
        fb.comment(actor, package_id=fb.withheld["id"])
    assert _count() == (1 if sees else 0)
    if actor == "anonymous":
        with pytest.raises(tk.ObjectNotFound):
            fb.call("govshare_feedback_list", actor, package_id=fb.withheld["id"])


@pytest.mark.parametrize("actor", ACTORS)
def test_who_may_answer(fb, actor):
    """chongqing-2019 §37: the providing department answers publicly — nobody else."""
    comment = fb.comment("citizen", comment="请补充2025年数据")
    if actor in ("department", "head", "sysadmin"):
        result = fb.call("govshare_feedback_reply", actor, id=comment["id"], reply="已补充，请查看。")
        assert result["reply"] == "已补充，请查看。"
    else:
        with pytest.raises(tk.NotAuthorized):
            fb.call("govshare_feedback_reply", actor, id=comment["id"], reply="冒充部门的回复")
        model.Session.remove()
        assert model.Session.get(Feedback, comment["id"]).reply is None


def test_one_answer_per_comment_editable(fb):
    """chongqing-2019 §37: one public answer per comment; the department edits it."""
    comment = fb.comment("citizen")
    fb.call("govshare_feedback_reply", "department", id=comment["id"], reply="初次回复")
    fb.call("govshare_feedback_reply", "head", id=comment["id"], reply="更正后的回复")
    shown = fb.call("govshare_feedback_list", "anonymous", package_id=fb.pkg["id"])["comments"][0]
    assert shown["reply"] == "更正后的回复" and shown["reply_updated_at"]


@pytest.mark.parametrize("actor", ACTORS)
def test_who_may_hide(fb, actor):
    """Moderation: the providing department or the data authority hides an abusive comment
    with a reason; the public no longer sees it, moderators see it with the reason."""
    comment = fb.comment("citizen", rating=1, comment="辱骂内容")
    if actor in ("department", "head", "authority", "sysadmin"):
        fb.call("govshare_feedback_hide", actor, id=comment["id"], reason="含有辱骂性语言")
        public = fb.call("govshare_feedback_list", "citizen", package_id=fb.pkg["id"])
        assert public["comments"] == [] and public["count"] == 0
        moderator = fb.call("govshare_feedback_list", actor, package_id=fb.pkg["id"])
        assert moderator["moderator"] is True
        [hidden] = moderator["comments"]
        assert hidden["hidden"] and hidden["hide_reason"] == "含有辱骂性语言"
    else:
        with pytest.raises(tk.NotAuthorized):
            fb.call("govshare_feedback_hide", actor, id=comment["id"], reason="不喜欢")
        model.Session.remove()
        assert model.Session.get(Feedback, comment["id"]).hidden_at is None


@pytest.mark.ckan_config("ckanext.govshare.feedback_per_hour", "3")
def test_rate_limit_per_account(fb):
    """The configured number of comments per account and hour; then a clear 409 message."""
    for n in range(3):
        fb.comment("citizen", comment=f"第{n}条")
    with pytest.raises(tk.ValidationError) as err:
        fb.comment("citizen", comment="第4条")
    assert "3" in str(err.value.error_dict["comment"])
    assert _count() == 3
    fb.comment("other_department")  # another account is not limited by the citizen's comments
    assert _count() == 4


@pytest.mark.ckan_config("ckanext.govshare.feedback_max_chars", "50")
def test_size_limit(fb):
    with pytest.raises(tk.ValidationError) as err:
        fb.comment("citizen", comment="长" * 51)
    assert "comment" in err.value.error_dict
    fb.comment("citizen", comment="长" * 50)
    assert _count() == 1


@pytest.mark.parametrize("field,value", [
    ("rating", 0), ("rating", 6), ("rating", "五"), ("rating", 3.5), ("rating", True), ("rating", [4]),
    ("rating", {"a": 1}), ("comment", ["a"]), ("comment", {"x": "y"}), ("comment", 12),
    ("comment", "a\x00b"), ("package_id", ["x"]), ("package_id", "x" * 500), ("objection", "maybe"),
    ("objection", [True]),
])
def test_hostile_input_is_refused_and_nothing_written(fb, field, value):
    with pytest.raises(tk.ValidationError):
        fb.comment("citizen", **{field: value})
    assert _count() == 0


@pytest.mark.parametrize("data", [{"reply": ["x"]}, {"reply": ""}, {"reply": 5}, {"reply": "  "},
                                  {"id": {"a": 1}, "reply": "x"}])
def test_hostile_reply_is_refused(fb, data):
    comment = fb.comment("citizen")
    with pytest.raises(tk.ValidationError):
        fb.call("govshare_feedback_reply", "department", **{"id": comment["id"], **data})
    model.Session.remove()
    assert model.Session.get(Feedback, comment["id"]).reply is None


@pytest.mark.parametrize("data", [{"reason": ""}, {"reason": ["x"]}, {"reason": "r" * 501}])
def test_hostile_hide_is_refused(fb, data):
    comment = fb.comment("citizen")
    with pytest.raises(tk.ValidationError):
        fb.call("govshare_feedback_hide", "authority", id=comment["id"], **data)
    model.Session.remove()
    assert model.Session.get(Feedback, comment["id"]).hidden_at is None


def test_unknown_comment_is_not_found(fb):
    with pytest.raises(tk.ObjectNotFound):
        fb.call("govshare_feedback_reply", "department", id="no-such-comment", reply="x")
    with pytest.raises(tk.ObjectNotFound):
        fb.call("govshare_feedback_hide", "authority", id="no-such-comment", reason="x")


def test_api_answers_4xx(app, fb):
    """Through the HTTP API: a list where text is expected, an over-limit comment, a bad
    rating are 409s; an anonymous call a 403; nothing is written."""
    token = factories.APIToken(user=fb.citizen["id"])["token"]
    for body in ({"package_id": fb.pkg["id"], "rating": "x"},
                 {"package_id": fb.pkg["id"], "rating": 3, "comment": ["<script>"]},
                 {"package_id": [fb.pkg["id"]], "rating": 3}):
        resp = app.post("/api/3/action/govshare_feedback_create", json=body, headers={"Authorization": token},
                        status=409)
        assert resp.json["success"] is False
    app.post("/api/3/action/govshare_feedback_create", json={"package_id": fb.pkg["id"], "rating": 3}, status=403)
    assert _count() == 0
