# -*- coding: utf-8 -*-
"""The review actions under concurrency and hostile input: two reviewers deciding at once do
not both win; malformed input is a 4xx, never a 500 or half a write (shenyang-2016 §12)."""
from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.tests import helpers


def test_two_reviewers_at_once_only_one_wins(review_world):
    """Reviewer A holds the row (its decision not yet committed) while reviewer B decides:
    B waits for A and then finds the review decided (a 409-like validation error)."""
    w = review_world
    pkg = w.submit(name="gongjiao")
    review = w.review_of(pkg)
    model.Session.remove()

    conn = model.meta.engine.connect()
    tx = conn.begin()
    # reviewer A's conditional update, as the approve action runs it, not committed yet
    assert conn.execute(sa.text(
        "UPDATE govshare_review SET status = 'rejected', reason = 'A' WHERE id = :id AND status = 'pending'"),
        {"id": review["id"]}).rowcount == 1
    outcome: dict[str, object] = {}

    def reviewer_b() -> None:
        try:
            outcome["result"] = helpers.call_action("govshare_review_approve", context={"user": "rv-admin"},
                                                    id=review["id"])
        except Exception as e:  # noqa: BLE001 - the test reports what B got
            outcome["error"] = e
        finally:
            model.Session.remove()

    b = threading.Thread(target=reviewer_b)
    b.start()
    b.join(timeout=2)
    assert b.is_alive(), "B must wait for A's row lock"
    tx.commit()
    conn.close()
    b.join(timeout=30)
    assert isinstance(outcome.get("error"), tk.ValidationError), outcome
    model.Session.remove()
    assert w.review_of(pkg)["status"] == "rejected"
    assert w.call("package_show", w.clerk, id="gongjiao")["private"] is True  # B published nothing


def test_concurrent_approve_and_reject_one_wins(review_world):
    w = review_world
    review = w.review_of(w.submit(name="gongjiao"))
    model.Session.remove()
    barrier = threading.Barrier(2)
    results: list[str] = []

    def decide(action: str, **extra) -> None:
        barrier.wait()
        try:
            helpers.call_action(action, context={"user": "rv-authority"}, id=review["id"], **extra)
            results.append("won")
        except tk.ValidationError:
            results.append("lost")
        finally:
            model.Session.remove()

    threads = [threading.Thread(target=decide, args=("govshare_review_approve",)),
               threading.Thread(target=decide, args=("govshare_review_reject",), kwargs={"reason": "不完整"})]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(results) == ["lost", "won"]


@pytest.mark.parametrize("payload", [
    {"id": ["x"]}, {"id": {"a": 1}}, {"id": 5}, {"id": "a\x00b"}, {"id": "x" * 5000},
    {"reason": ["a"]},
])
def test_hostile_input_is_a_validation_error(review_world, payload):
    w = review_world
    review = w.review_of(w.submit(name="gongjiao"))
    data = {"id": review["id"], "reason": "不完整", **payload}
    with pytest.raises((tk.ValidationError, tk.ObjectNotFound)):
        w.call("govshare_review_reject", w.sysadmin, **data)
    if "id" not in payload:
        assert w.review_of({"id": review["package_id"]})["status"] in ("pending", "rejected")


def test_overlong_reason_is_refused_without_a_write(review_world):
    w = review_world
    review = w.review_of(w.submit(name="gongjiao"))
    with pytest.raises(tk.ValidationError):
        w.call("govshare_review_reject", w.authority, id=review["id"], reason="长" * 2001)
    assert w.review_of({"id": review["package_id"]})["status"] == "pending"


@pytest.mark.parametrize("payload", [{"status": "bogus"}, {"status": ["pending"]}, {"overdue": "maybe"},
                                     {"overdue": [1]}, {"organization_id": {"a": 1}}])
def test_list_refuses_malformed_filters(review_world, payload):
    with pytest.raises(tk.ValidationError):
        review_world.call("govshare_review_list", review_world.sysadmin, **payload)


def test_unknown_review_is_not_found(review_world):
    with pytest.raises(tk.ObjectNotFound):
        review_world.call("govshare_review_approve", review_world.authority, id="no-such-review")
