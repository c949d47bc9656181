# -*- coding: utf-8 -*-
"""Catalogue upkeep, tracked like request deadlines (requirements §4):

- **duties with a deadline in working days.** An objection to an entry (a comment saying it is
  wrong or out of date, ``feedback``) opens a duty for the providing department to update it
  within the active policy's ``data_update`` limit (kunming-2019 §18: 5; shenyang-2016 §22: 2),
  else its ``entry_update`` limit (shenyang-2016 §12: 2) — counted by ``workdays.deadline`` like
  a request's reply. A policy with neither figure tracks the duty without a deadline. The next
  change of the entry's data or conditions (``notices/subscriptions.py``) closes it.
- **update cycles.** An entry whose data was last updated longer ago than its 更新周期 allows
  (shenyang-2016 §12, kunming-2019 §18) is overdue; ``irregular`` entries never are.
"""
from __future__ import annotations

import datetime
from typing import Any, Optional

import sqlalchemy as sa

from ckan import model

from ckanext.govshare import compat
from ckanext.govshare.applications import deadlines, workdays
from ckanext.govshare.notices.model import EntryState, Upkeep, utcnow

__all__ = ["DUTIES", "CYCLE_DAYS", "open_for_objection", "close_for", "open_duties", "overdue_entries",
           "last_data_update"]

# the policy duties an objection opens, in order of preference
DUTIES = ("data_update", "entry_update")
# the longest an entry may go without a data update, per 更新周期 (calendar days)
CYCLE_DAYS = {"realtime": 1, "daily": 1, "weekly": 7, "monthly": 31, "quarterly": 92,
              "semiannual": 183, "annual": 366}


def _policy_duty() -> tuple[str, Optional[deadlines.UpkeepPolicy], str]:
    policy = deadlines.get_policy()
    for duty in DUTIES:
        found = policy.upkeep.get(duty)
        if found is not None and found.days is not None:
            return duty, found, policy.name
    return DUTIES[0], None, policy.name


def open_for_objection(pkg: model.Package, feedback_id: Optional[str], at: datetime.datetime) -> Upkeep:
    """Open the department's duty to correct ``pkg`` (not committed)."""
    duty, found, policy = _policy_duty()
    due = workdays.naive_utc(workdays.deadline(at, found.days)) if found is not None and found.days else None
    row = Upkeep(package_id=pkg.id, organization_id=pkg.owner_org, feedback_id=feedback_id, duty=duty,
                 article=found.article if found is not None else None, policy=policy, opened_at=at, due_at=due)
    model.Session.add(row)
    return row


def close_for(package_id: str, at: datetime.datetime) -> int:
    """The entry was updated: its open duties are done (not committed). The number closed."""
    return model.Session.query(Upkeep).filter(
        Upkeep.package_id == package_id, Upkeep.closed_at.is_(None)).update(
        {Upkeep.closed_at: at}, synchronize_session=False)


def open_duties(org_id: str, now: Optional[datetime.datetime] = None) -> list[dict[str, Any]]:
    """The department's open upkeep duties, the overdue first, each with ``overdue`` and the
    due date in Beijing time."""
    now = now or utcnow()
    rows = (model.Session.query(Upkeep, model.Package.title, model.Package.name)
            .join(model.Package, model.Package.id == Upkeep.package_id)
            .filter(Upkeep.organization_id == org_id, Upkeep.closed_at.is_(None), model.Package.state == "active")
            .order_by(Upkeep.due_at.asc().nullslast(), Upkeep.opened_at.asc()))
    out = []
    for row, title, name in rows:
        item = row.as_dict()
        item.update({"package_title": title, "package_name": name,
                     "overdue": row.due_at is not None and row.due_at < now,
                     "due_date_local": workdays.local_date(row.due_at).isoformat() if row.due_at else None,
                     "opened_date_local": workdays.local_date(row.opened_at).isoformat(),
                     "label": deadlines.UPKEEP_DUTIES.get(row.duty, (row.duty, row.duty))})
        out.append(item)
    return out


def last_data_update(package_ids: list[str]) -> dict[str, datetime.datetime]:
    """When each entry's data last changed: the later of the change the notices saw and its
    resources' own times (``last_modified``, else ``created``); the entry's creation when
    it has neither."""
    if not package_ids:
        return {}
    res_time = sa.func.max(sa.func.coalesce(model.Resource.last_modified, model.Resource.created))
    found = dict(model.Session.query(model.Resource.package_id, res_time).filter(
        model.Resource.package_id.in_(package_ids), model.Resource.state == "active")
        .group_by(model.Resource.package_id).all())
    for pid, changed in model.Session.query(EntryState.package_id, EntryState.data_changed_at).filter(
            EntryState.package_id.in_(package_ids), EntryState.data_changed_at.isnot(None)):
        if found.get(pid) is None or changed > found[pid]:
            found[pid] = changed
    for pid, created in model.Session.query(model.Package.id, model.Package.metadata_created).filter(
            model.Package.id.in_(package_ids)):
        if found.get(pid) is None:
            found[pid] = created
    return found


def overdue_entries(org_id: str, now: Optional[datetime.datetime] = None) -> list[dict[str, Any]]:
    """The department's active entries whose data is older than their 更新周期 allows, the
    most overdue first."""
    now = now or utcnow()
    cycles = dict(model.Session.query(model.Package.id, compat.extra_value("update_cycle"))
                  .filter(model.Package.owner_org == org_id, model.Package.state == "active",
                          model.Package.type == "dataset",
                          compat.extra_in("update_cycle", CYCLE_DAYS)).all())
    updated = last_data_update(list(cycles))
    out = []
    for pid, cycle in cycles.items():
        last = updated.get(pid)
        if last is None:
            continue
        due = last + datetime.timedelta(days=CYCLE_DAYS[cycle])
        if due < now:
            pkg = model.Package.get(pid)
            out.append({"package_id": pid, "package_name": pkg.name, "package_title": pkg.title,
                        "update_cycle": cycle, "last_update": last.isoformat(),
                        "last_update_local": workdays.local_date(last).isoformat(),
                        "due_local": workdays.local_date(due).isoformat(),
                        "days_overdue": (now - due).days})
    return sorted(out, key=lambda e: -e["days_overdue"])
