# -*- coding: utf-8 -*-
"""Catalogue upkeep tracked like request deadlines (requirements §4): an objection obliges the
department to update the entry within the active policy's working days — 2 under shenyang-2016
(§12 entry update, §22 data update), 5 under kunming-2019 (§18) — and the next change of its
data or conditions closes the duty; entries older than their 更新周期 allows are overdue
(shenyang-2016 §12, kunming-2019 §18)."""
from __future__ import annotations

import datetime

import pytest
import sqlalchemy as sa

from ckan import model
from ckan.tests import helpers as ckan_helpers

from ckanext.govshare.applications import deadlines, workdays
from ckanext.govshare.notices import upkeep
from ckanext.govshare.notices.model import Upkeep
from tests.factories import entry

# Friday 27 November 2026, 10:00 Beijing time; no holiday in the following two weeks
FRIDAY = datetime.datetime(2026, 11, 27, 2, 0)


def _end_of(day: datetime.date) -> datetime.datetime:
    """The end of ``day`` in Beijing, as stored (naive UTC): 15:59:59.999999 UTC."""
    return datetime.datetime.combine(day, datetime.time(15, 59, 59, 999999))


@pytest.mark.parametrize("policy,days,article,due", [
    ("shenyang-2016", 2, "shenyang-2016 §22", datetime.date(2026, 12, 1)),   # Mon 30, Tue 1
    ("kunming-2019", 5, "kunming-2019 §18", datetime.date(2026, 12, 4)),     # Mon 30 … Fri 4
])
def test_the_policy_figures(policy, days, article, due):
    """shenyang-2016 §22 (2 working days) and kunming-2019 §18 (5), counted from the day after
    receipt as request deadlines are (hand-counted: the weekend is skipped)."""
    found = deadlines.policy_for(policy).upkeep["data_update"]
    assert (found.days, found.article) == (days, article)
    assert workdays.naive_utc(workdays.deadline(FRIDAY, found.days)) == _end_of(due)


@pytest.mark.ckan_config("ckanext.govshare.deadline_policy", "kunming-2019")
def test_an_objection_opens_a_duty_with_its_deadline(nw):
    """kunming-2019 §18: an objection gives the department 5 working days to update the entry."""
    comment = nw.call("govshare_feedback_create", "citizen", package_id=nw.pkg["id"], rating=2,
                      comment="线路数据已过时", objection=True)
    model.Session.remove()
    row = model.Session.query(Upkeep).one()
    assert (row.feedback_id, row.duty, row.article, row.policy) == (comment["id"], "data_update",
                                                                   "kunming-2019 §18", "kunming-2019")
    assert row.due_at == workdays.naive_utc(workdays.deadline(row.opened_at, 5))
    duties = nw.call("govshare_upkeep_list", "department", organization_id=nw.org["id"])["duties"]
    assert [d["id"] for d in duties] == [row.id] and duties[0]["overdue"] is False


@pytest.mark.ckan_config("ckanext.govshare.deadline_policy", "shenyang-2016")
def test_a_late_duty_is_overdue_and_the_update_closes_it(nw):
    """shenyang-2016 §12, §22: 2 working days; once past, the duty shows as overdue until the
    entry is updated."""
    pkg = model.Package.get(nw.pkg["id"])
    row = upkeep.open_for_objection(pkg, None, FRIDAY)
    model.Session.commit()
    assert row.due_at == _end_of(datetime.date(2026, 12, 1))
    on_time = upkeep.open_duties(nw.org["id"], now=_end_of(datetime.date(2026, 12, 1)) - datetime.timedelta(hours=1))
    late = upkeep.open_duties(nw.org["id"], now=_end_of(datetime.date(2026, 12, 1)) + datetime.timedelta(minutes=1))
    assert on_time[0]["overdue"] is False and late[0]["overdue"] is True
    assert late[0]["due_date_local"] == "2026-12-01"

    nw.edit(resources=[{"url": "https://data.example.gov.cn/corrected.csv"}])
    assert upkeep.open_duties(nw.org["id"]) == []
    model.Session.remove()
    assert model.Session.query(Upkeep).one().closed_at is not None


def test_a_policy_without_a_figure_tracks_without_deadline(nw):
    """chongqing-2018 (the default) sets no working-day limit for updating an entry: the duty is
    tracked, never called overdue."""
    comment = nw.call("govshare_feedback_create", "citizen", package_id=nw.pkg["id"], rating=1, objection=True)
    model.Session.remove()
    row = model.Session.query(Upkeep).one()
    assert row.feedback_id == comment["id"] and row.due_at is None and row.policy == "chongqing-2018"


def test_overdue_against_the_update_cycle(nw):
    """shenyang-2016 §12, kunming-2019 §18: data older than its 更新周期 allows is overdue."""
    old = datetime.datetime.utcnow() - datetime.timedelta(days=40)
    monthly = entry(nw.org, name="yuedu", update_cycle="monthly", resources=[{"url": "https://e.gov.cn/a.csv"}])
    weekly = entry(nw.org, name="meizhou", update_cycle="weekly", resources=[{"url": "https://e.gov.cn/b.csv"}])
    irregular = entry(nw.org, name="buding", update_cycle="irregular", resources=[{"url": "https://e.gov.cn/c.csv"}])
    for pkg in (monthly, irregular):
        model.Session.execute(sa.update(model.Resource).where(model.Resource.package_id == pkg["id"])
                              .values(created=old, last_modified=None))
        model.Session.execute(sa.update(model.Package).where(model.Package.id == pkg["id"])
                              .values(metadata_created=old))
    model.Session.commit()
    result = nw.call("govshare_upkeep_list", "head", organization_id=nw.org["id"])
    overdue = {e["package_name"]: e for e in result["overdue_entries"]}
    assert set(overdue) == {"yuedu"}  # weekly was updated today; irregular never falls due
    assert overdue["yuedu"]["days_overdue"] == 40 - 31
    assert weekly["name"] not in overdue

    # a data update brings it up to date
    ckan_helpers.call_action("resource_patch", context={"user": nw.clerk["name"]},
                             id=model.Session.query(model.Resource.id).filter(
                                 model.Resource.package_id == monthly["id"]).scalar(),
                             url="https://e.gov.cn/a-2027.csv")
    result = nw.call("govshare_upkeep_list", "head", organization_id=nw.org["id"])
    assert result["overdue_entries"] == []
