# -*- coding: utf-8 -*-
"""``ckan govshare deadlines``: reminders before a deadline and the overdue mark after it.

"Before" is the policy's ``due_soon_days`` (the same value the inbox highlights with). The
reminder and the overdue mark are events of the application's log; each announces its signal
(``application_due_soon``, ``application_overdue``) once committed, and the mail answers it.

Meant for cron, safe to run twice or on two hosts at once: each application is claimed by
a conditional UPDATE (``… WHERE reminded_at IS NULL``), so only one run reminds it and
only one run records it overdue (exceeding the time limit is itself a violation:
chongqing-2019 §50(8), chongqing-2018 §40(7)).
"""
from __future__ import annotations

import datetime
from typing import Optional

import sqlalchemy as sa

from ckan import model

from ckanext.govshare.access.grants import utcnow
from ckanext.govshare.applications import deadlines
from ckanext.govshare.applications import notify
from ckanext.govshare.applications import signals
from ckanext.govshare.applications import workdays
from ckanext.govshare.applications import workflow
from ckanext.govshare.applications.model import PENDING, Application


def _claim(app_id: str, column: str, now: datetime.datetime) -> bool:
    table = Application.__table__
    result = model.Session.execute(
        table.update()
        .where(table.c.id == app_id, getattr(table.c, column).is_(None), table.c.status.in_(PENDING))
        .values({column: now})
    )
    return result.rowcount == 1


def _claim_and_log(app_id: str, column: str, event: str, due_at: datetime.datetime,
                   now: datetime.datetime) -> bool:
    """Claim the application's ``column`` (set once: a second run of the command finds it
    taken), log ``event`` and commit, which announces it. False when it was taken."""
    if not _claim(app_id, column, now):
        model.Session.commit()
        return False
    app = model.Session.query(Application).get(app_id)
    workflow.log(app, event, None, app.status, {"due_at": due_at.isoformat()})
    signals.commit()
    return True


def process(now: Optional[datetime.datetime] = None) -> dict[str, int]:
    """Remind departments of applications due within their policy's ``due_soon_days``;
    mark and report overdue ones. Returns counts."""
    now = now or utcnow()
    cal = workdays.get_calendar()
    today = workdays.local_date(now)
    counts = {"reminded": 0, "overdue": 0}
    pending = (model.Session.query(Application.id, Application.due_at, Application.reminded_at,
                                   Application.overdue_marked_at, Application.policy)
               .filter(Application.status.in_(PENDING))
               .filter(sa.or_(Application.reminded_at.is_(None), Application.overdue_marked_at.is_(None)))
               .all())
    for app_id, due_at, reminded_at, overdue_marked_at, policy in pending:
        if now > due_at:
            if overdue_marked_at is None and _claim_and_log(app_id, "overdue_marked_at", "overdue", due_at, now):
                counts["overdue"] += 1
        elif reminded_at is None and deadlines.policy_for(policy).due_soon(
                cal.working_days_between(today, workdays.local_date(due_at))):
            if _claim_and_log(app_id, "reminded_at", "reminder", due_at, now):
                counts["reminded"] += 1
    notify.requeue_due_retries()  # mail sends that failed earlier and are due for a retry
    return counts
