# -*- coding: utf-8 -*-
"""The catalogue review workflow: a department's new or changed entry is published only after
the data authority approves it; a rejection returns it with a reason; withholding takes
effect at once (shenyang-2016 §12 "逐条审核…审核通过后发布，未通过的退回", chongqing-2019 §14)."""
from __future__ import annotations

import datetime

import pytest

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.govshare.applications import workdays
from ckanext.govshare.catalogue import signals as catalogue_signals
from ckanext.govshare.review.model import Review
from tests.factories import LEVEL_EXTRAS, entry, entry_data


def test_department_entry_waits_for_review(review_world):
    """shenyang-2016 §12, chongqing-2019 §14: unpublished until approved; due in 5 working days."""
    w = review_world
    pkg = w.submit(name="gongjiao")
    assert pkg["private"] is True
    review = w.review_of(pkg)
    assert (review["status"], review["kind"], review["review_days"]) == ("pending", "new", 5)
    submitted = datetime.datetime.fromisoformat(review["submitted_at"])
    assert review["due_date_local"] == workdays.get_calendar().add_working_days(
        workdays.local_date(submitted), 5).isoformat()
    assert "gongjiao" not in w.public_names()
    with pytest.raises(tk.ObjectNotFound):
        w.call("package_show", w.citizen, id="gongjiao")
    with pytest.raises(tk.ObjectNotFound):
        w.call("package_show", w.other, id="gongjiao")
    # the department sees its own entry and its state
    assert w.call("package_show", w.clerk, id="gongjiao")["name"] == "gongjiao"
    assert w.call("govshare_review_show", w.clerk, id="gongjiao")["current"]["status"] == "pending"


def test_reject_with_reason_resubmit_approve_publishes(review_world):
    """shenyang-2016 §12: returned with a reason, fixed, resubmitted, approved, published."""
    w = review_world
    pkg = w.submit(name="gongjiao")
    review = w.review_of(pkg)
    with pytest.raises(tk.ValidationError) as e:
        w.call("govshare_review_reject", w.authority, id=review["id"])
    assert "reason" in e.value.error_dict
    rejected = w.call("govshare_review_reject", w.authority, id=review["id"], reason="数据项说明不完整")
    assert (rejected["status"], rejected["reason"]) == ("rejected", "数据项说明不完整")
    assert w.call("package_show", w.clerk, id="gongjiao")["private"] is True
    assert "gongjiao" not in w.public_names()
    listed = w.call("govshare_review_list", w.clerk, organization_id="jtj", status="open")
    assert [(r["package_name"], r["status"], r["reason"]) for r in listed] == [
        ("gongjiao", "rejected", "数据项说明不完整")]

    # the clerk fixes it: saving resubmits it
    w.call("package_patch", w.clerk, id="gongjiao", notes="全市公交线路：线路编号、起讫站点、首末班时间。")
    again = w.review_of(pkg)
    assert again["status"] == "pending" and again["id"] != review["id"]
    assert "gongjiao" not in w.public_names()

    approved = w.call("govshare_review_approve", w.authority, id=again["id"])
    assert approved["status"] == "approved" and approved["decided_by"] == "rv-authority"
    assert w.call("package_show", w.citizen, id="gongjiao")["private"] is False
    assert "gongjiao" in w.public_names()
    history = w.call("govshare_review_show", w.clerk, id="gongjiao")["history"]
    assert [h["status"] for h in history] == ["approved", "rejected"]


def test_authority_entries_are_published_at_once(review_world):
    """The authority's own entries (sysadmins, factories, the demo loader, the authority group)
    need no review."""
    w = review_world
    by_factory = entry(w.org, name="by-factory")
    by_admin = w.call("package_create", w.sysadmin, **{**_data(w, "by-admin")})
    w.call("member_create", w.sysadmin, id="jtj", object="rv-authority", object_type="user", capacity="editor")
    by_authority = w.call("package_create", w.authority, **_data(w, "by-authority"))
    for pkg in (by_factory, by_admin, by_authority):
        assert pkg["private"] is False
        assert w.review_of(pkg) is None
    assert {"by-factory", "by-admin", "by-authority"} <= w.public_names()


def _data(w, name: str, **extra):
    return entry_data(w.org, name=name, private=False, **extra)


@pytest.mark.ckan_config("ckanext.govshare.catalogue_review", "false")
def test_review_switched_off_publishes_at_once(review_world):
    """A platform may switch the review off (ckanext.govshare.catalogue_review)."""
    w = review_world
    pkg = w.submit(name="gongjiao")
    assert pkg["private"] is False
    assert w.review_of(pkg) is None
    assert "gongjiao" in w.public_names()


def test_department_private_entry_is_not_reviewed(review_world):
    """An entry the department keeps private asks for no publication: nothing to review."""
    w = review_world
    pkg = w.call("package_create", w.clerk, **{**_data(w, "draft-entry"), "private": True})
    assert pkg["private"] is True and w.review_of(pkg) is None


def _published(w, name: str, **extra):
    pkg = w.submit(name=name, **extra)
    w.call("govshare_review_approve", w.authority, id=w.review_of(pkg)["id"])
    return w.call("package_show", w.clerk, id=name)


def test_less_open_change_takes_effect_at_once(review_world):
    """Withholding never waits for review: 无条件开放 → 不予开放 at once, entry stays published
    to the departments it is shared with, no review opened (issue 14 item 2)."""
    w = review_world
    pkg = _published(w, "renkou")
    assert "renkou" in w.public_names()
    w.call("package_patch", w.clerk, id="renkou", open_type="closed", **LEVEL_EXTRAS[("closed", "unconditional")])
    shown = w.call("package_show", w.clerk, id="renkou")
    assert (shown["open_type"], shown["private"]) == ("closed", False)
    assert w.review_of(pkg)["status"] == "approved"  # no new review
    assert "renkou" not in w.public_names()
    with pytest.raises(tk.ObjectNotFound):
        w.call("package_show", w.citizen, id="renkou")
    # still in the share catalogue for other departments (无条件共享)
    assert w.call("package_show", w.other, id="renkou")["open_type"] == "closed"

    # opening it again is a change that waits for review
    w.call("package_patch", w.clerk, id="renkou", open_type="unconditional", open_basis="")
    review = w.review_of(pkg)
    assert (review["status"], review["kind"]) == ("pending", "change")
    assert w.call("package_show", w.clerk, id="renkou")["private"] is True
    assert "renkou" not in w.public_names()


def test_share_tightening_alone_is_not_reviewed(review_world):
    """无条件共享 → 不予共享 (with its basis) takes effect at once (chongqing-2018 §16)."""
    w = review_world
    pkg = _published(w, "jiance", open_type="closed", **LEVEL_EXTRAS[("closed", "unconditional")])
    w.call("package_patch", w.clerk, id="jiance", share_type="none", **LEVEL_EXTRAS[("closed", "none")])
    assert w.review_of(pkg)["status"] == "approved"
    with pytest.raises(tk.ObjectNotFound):
        w.call("package_show", w.other, id="jiance")


def test_change_to_published_entry_waits_and_unpublishes(review_world):
    """A change to a published entry is reviewed before it is published again (the design:
    the entry leaves publication until the change is approved; docs/review.md)."""
    w = review_world
    pkg = _published(w, "gongjiao")
    w.call("package_patch", w.clerk, id="gongjiao", title="公交线路信息（修订）")
    review = w.review_of(pkg)
    assert (review["status"], review["kind"]) == ("pending", "change")
    assert "gongjiao" not in w.public_names()
    w.call("govshare_review_approve", w.sysadmin, id=review["id"])
    assert w.call("package_show", w.citizen, id="gongjiao")["title"] == "公交线路信息（修订）"


def test_data_update_and_no_op_save_stay_published(review_world):
    """Adding a data file (resource) or saving without change is no catalogue change."""
    w = review_world
    pkg = _published(w, "gongjiao")
    w.call("resource_create", w.clerk, package_id=pkg["id"], url="https://data.example.gov.cn/a.csv", name="2026年11月")
    w.call("package_patch", w.clerk, id="gongjiao")
    assert w.review_of(pkg)["status"] == "approved"
    assert "gongjiao" in w.public_names()


def test_edit_while_pending_joins_the_submission(review_world):
    w = review_world
    pkg = w.submit(name="gongjiao")
    first = w.review_of(pkg)
    w.call("package_patch", w.clerk, id="gongjiao", private=False, title="公交线路")
    assert w.review_of(pkg)["id"] == first["id"]
    assert w.call("package_show", w.clerk, id="gongjiao")["private"] is True
    assert model.Session.query(Review).filter(Review.package_id == pkg["id"]).count() == 1


def test_decided_review_cannot_be_decided_again(review_world):
    w = review_world
    review = w.review_of(w.submit(name="gongjiao"))
    w.call("govshare_review_approve", w.authority, id=review["id"])
    with pytest.raises(tk.ValidationError):
        w.call("govshare_review_reject", w.sysadmin, id=review["id"], reason="晚了")
    assert w.review_of({"id": review["package_id"]})["status"] == "approved"


def _bulk_write(package_id: str) -> None:
    """What a bulk writer does to an entry behind the package hooks' back: a new version."""
    model.Package.get(package_id).metadata_modified = datetime.datetime.utcnow()
    model.Session.commit()


def test_imported_entries_wait_for_review(review_world):
    """Entries a department imported in bulk (written without the package hooks) are put
    under review when the importer announces them (catalogue/signals.py)."""
    w = review_world
    bulk = entry(w.org, name="bulk-new")
    _bulk_write(bulk["id"])  # as a bulk writer leaves it: public, written without the hooks
    catalogue_signals.entries_imported.send("rv-clerk", created=[bulk["id"]], changed=[])
    assert w.review_of(bulk)["status"] == "pending"
    assert w.call("package_show", w.clerk, id="bulk-new")["private"] is True
    assert "bulk-new" not in w.public_names()
    # an import by the authority publishes at once
    other = entry(w.org, name="bulk-admin")
    _bulk_write(other["id"])
    catalogue_signals.entries_imported.send("rv-admin", created=[other["id"]], changed=[])
    assert w.review_of(other) is None


def test_imported_entry_saved_through_hooks_is_not_reviewed_twice(review_world):
    w = review_world
    pkg = _published(w, "gongjiao")
    w.call("package_patch", w.clerk, id="gongjiao")  # a no-op change the hooks let through
    catalogue_signals.entries_imported.send("rv-clerk", created=[], changed=[pkg["id"]])
    assert w.review_of(pkg)["status"] == "approved"


def test_overdue_review_is_listed(review_world):
    """chongqing-2019 §14: a review past its 5 working days is overdue."""
    w = review_world
    pkg = w.submit(name="gongjiao")
    row = model.Session.query(Review).filter(Review.package_id == pkg["id"]).one()
    row.due_at = datetime.datetime.utcnow() - datetime.timedelta(days=1)
    model.Session.commit()
    overdue = w.call("govshare_review_list", w.authority, overdue=True)
    assert [r["package_name"] for r in overdue] == ["gongjiao"] and overdue[0]["overdue"] is True
