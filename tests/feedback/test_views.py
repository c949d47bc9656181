# -*- coding: utf-8 -*-
"""Feedback on the entry page (chongqing-2018 §25, chongqing-2019 §37): the average rating and
the comments show on the page, the forms post through the actions, and every text a user typed
is shown escaped — no HTML, script or markdown link of a commenter ever reaches the page as
markup. The ratings list shows only entries the caller may see."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from ckan import model
from ckan.tests import factories

from ckanext.govshare.feedback.model import Feedback

PAYLOADS = ['<script>alert("xss")</script>', '<img src=x onerror=alert(1)>',
            '[点我](javascript:alert(1))', '**粗体** <a href="https://evil.example">链接</a>',
            '{{ 7*7 }}']


@pytest.fixture
def tokens(fb):
    return {name: {"Authorization": factories.APIToken(user=user["id"])["token"]}
            for name, user in fb.actors.items() if user is not None}


def _page(app, fb, headers=None) -> str:
    return app.get(f"/dataset/{fb.pkg['name']}", headers=headers or {}).get_data(as_text=True)


def test_citizen_rates_and_the_department_answers_on_the_page(app, fb, tokens):
    """chongqing-2018 §25 (rating, comment), chongqing-2019 §37 (the department's public answer)."""
    resp = app.post(f"/govshare/dataset/{fb.pkg['name']}/feedback", data={"rating": "4", "comment": "数据很好用"},
                    headers=tokens["citizen"], follow_redirects=False)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("#govshare-feedback")
    row = model.Session.query(Feedback).one()
    app.post(f"/govshare/feedback/{row.id}/reply", data={"reply": "感谢反馈"}, headers=tokens["department"])
    page = _page(app, fb)
    soup = BeautifulSoup(page, "html.parser")
    assert "平均评分 4.0" in soup.find(id="govshare-rating-summary").get_text()
    comment = soup.find(id=f"govshare-comment-{row.id}")
    assert "数据很好用" in comment.get_text() and "感谢反馈" in comment.get_text()
    # the public sees no moderation form; the department does
    assert not soup.select(".govshare-reply-form, .govshare-hide-form")
    clerk = BeautifulSoup(_page(app, fb, tokens["department"]), "html.parser")
    assert clerk.select(".govshare-reply-form") and clerk.select(".govshare-hide-form")
    authority = BeautifulSoup(_page(app, fb, tokens["authority"]), "html.parser")
    assert authority.select(".govshare-hide-form") and not authority.select(".govshare-reply-form")


def test_the_form_needs_login(app, fb):
    page = BeautifulSoup(_page(app, fb), "html.parser")
    assert page.find(id="govshare-feedback-form") is None
    resp = app.post(f"/govshare/dataset/{fb.pkg['name']}/feedback", data={"rating": "4"}, follow_redirects=False)
    assert resp.status_code == 302 and "/user/login" in resp.headers["Location"]
    assert model.Session.query(Feedback).count() == 0


@pytest.mark.parametrize("payload", PAYLOADS)
def test_script_and_markdown_payloads_are_escaped(app, fb, tokens, payload):
    fb.comment("citizen", comment=payload)
    row = model.Session.query(Feedback).one()
    fb.call("govshare_feedback_reply", "department", id=row.id, reply=payload)
    page = _page(app, fb)
    soup = BeautifulSoup(page, "html.parser")
    comment = soup.find(id=f"govshare-comment-{row.id}")
    # the text is shown as typed, and nothing of it became an element
    assert comment.find(class_="govshare-comment-text").get_text() == payload
    assert comment.find(class_="govshare-reply-text").get_text() == payload
    assert not comment.find(class_="govshare-comment-text").find_all(True)
    assert not comment.find(class_="govshare-reply-text").find_all(True)
    assert not soup.find_all("img", onerror=True) and "alert" not in "".join(s.get_text() for s in soup.find_all("script"))
    assert not [a for a in comment.find_all("a") if "evil" in (a.get("href") or "") or "javascript" in (a.get("href") or "")]
    assert "49" not in comment.get_text()


def test_hidden_comment_leaves_the_public_page(app, fb, tokens):
    """Moderation: hidden with a reason; the public no longer sees it, the department sees it
    with the reason."""
    fb.comment("citizen", rating=1, comment="侮辱性言论")
    row = model.Session.query(Feedback).one()
    app.post(f"/govshare/feedback/{row.id}/hide", data={"reason": "含有侮辱性语言"}, headers=tokens["department"])
    assert "侮辱性言论" not in _page(app, fb) and "侮辱性言论" not in _page(app, fb, tokens["citizen"])
    clerk = _page(app, fb, tokens["department"])
    assert "侮辱性言论" in clerk and "含有侮辱性语言" in clerk


def test_moderation_routes_refuse_others(app, fb, tokens):
    fb.comment("citizen", comment="正常评论")
    row = model.Session.query(Feedback).one()
    for actor in ("citizen", "other_department"):
        assert app.post(f"/govshare/feedback/{row.id}/hide", data={"reason": "x"}, headers=tokens[actor]).status_code == 403
        assert app.post(f"/govshare/feedback/{row.id}/reply", data={"reply": "x"}, headers=tokens[actor]).status_code == 403
    assert app.post("/govshare/feedback/nope/hide", data={"reason": "x"}, headers=tokens["department"]).status_code == 404
    assert app.post(f"/govshare/feedback/{row.id}/delete", headers=tokens["department"]).status_code == 404
    model.Session.remove()
    row = model.Session.get(Feedback, row.id)
    assert row.hidden_at is None and row.reply is None


def test_withheld_entry_has_no_feedback_route(app, fb, tokens):
    resp = app.post(f"/govshare/dataset/{fb.withheld['name']}/feedback", data={"rating": "5"},
                    headers=tokens["citizen"])
    assert resp.status_code == 404
    assert model.Session.query(Feedback).count() == 0


def test_ratings_list_shows_only_visible_entries(app, fb, tokens):
    """The simple list of average ratings never names an entry withheld from the caller."""
    fb.comment("citizen", rating=5)
    fb.comment("department", rating=3, package_id=fb.withheld["id"])
    public = BeautifulSoup(app.get("/govshare/ratings").get_data(as_text=True), "html.parser")
    table = public.find(id="govshare-ratings").get_text()
    assert fb.pkg["title"] in table and fb.withheld["title"] not in table and "5.0" in table
    clerk = app.get("/govshare/ratings", headers=tokens["department"]).get_data(as_text=True)
    assert fb.withheld["title"] in clerk


def test_bad_form_input_is_a_message_not_a_500(app, fb, tokens):
    resp = app.post(f"/govshare/dataset/{fb.pkg['name']}/feedback", data={"rating": "9", "comment": "x"},
                    headers=tokens["citizen"])
    assert resp.status_code == 200 and "评分" in resp.get_data(as_text=True)
    assert model.Session.query(Feedback).count() == 0
