# -*- coding: utf-8 -*-
"""``ckan govshare deadlines``: reminders before a deadline and the overdue mark after it.

Meant for cron, safe to run twice or on two hosts at once: each application is claimed by
a conditional UPDATE (``… WHERE reminded_at IS NULL``), so only one run reminds it and
only one run records it overdue (exceeding the time limit is itself a violation:
chongqing-2019 §50(8), chongqing-2018 §40(7)).
"""
from __future__ import annotations

import datetime
from typing import Any, Callable, Optional

import sqlalchemy as sa

from ckan import model

from ckanext.govshare.applications import notify
from ckanext.govshare.applications import workdays
from ckanext.govshare.applications import workflow
from ckanext.govshare.model import Application
from ckanext.govshare.applications.model import PENDING
from ckanext.govshare.access.grants import utcnow

REMIND_WORKING_DAYS = 2


def _claim(app_id: str, column: str, now: datetime.datetime) -> bool:
    table = Application.__table__
    result = model.Session.execute(
        table.update()
        .where(table.c.id == app_id, getattr(table.c, column).is_(None), table.c.status.in_(PENDING))
        .values({column: now})
    )
    return result.rowcount == 1


def _claim_and_notify(app_id: str, column: str, event: str, send: Callable[[Application], Any],
                      due_at: datetime.datetime, now: datetime.datetime) -> bool:
    """Claim the application's ``column`` (set once: a second run of the command finds it
    taken), log ``event`` and commit, then ``send`` the email. False when it was taken."""
    if not _claim(app_id, column, now):
        model.Session.commit()
        return False
    app = model.Session.query(Application).get(app_id)
    workflow.log(app, event, None, app.status, {"due_at": due_at.isoformat()})
    model.Session.commit()
    send(app)
    return True


def process(now: Optional[datetime.datetime] = None) -> dict[str, int]:
    """Remind departments of applications due within two working days; mark and report
    overdue ones. Returns counts."""
    now = now or utcnow()
    cal = workdays.get_calendar()
    today = workdays.local_date(now)
    counts = {"reminded": 0, "overdue": 0}
    pending = (model.Session.query(Application.id, Application.due_at, Application.reminded_at,
                                   Application.overdue_marked_at)
               .filter(Application.status.in_(PENDING))
               .filter(sa.or_(Application.reminded_at.is_(None), Application.overdue_marked_at.is_(None)))
               .all())
    for app_id, due_at, reminded_at, overdue_marked_at in pending:
        if now > due_at:
            if overdue_marked_at is None and _claim_and_notify(
                    app_id, "overdue_marked_at", "overdue", notify.overdue, due_at, now):
                counts["overdue"] += 1
        elif reminded_at is None and cal.working_days_between(today, workdays.local_date(due_at)) <= REMIND_WORKING_DAYS:
            if _claim_and_notify(app_id, "reminded_at", "reminder", notify.due_soon, due_at, now):
                counts["reminded"] += 1
    notify.requeue_due_retries()  # mail sends that failed earlier and are due for a retry
    return counts
