# -*- coding: utf-8 -*-
"""The application state machine: one transition table, one place that changes status.

    submitted ──extend──▶ extended
        │                    │
        ├──approve / refuse / withdraw──▶ approved | refused | withdrawn

- an extension happens once (``extended`` cannot be extended), for at most the policy's
  limit, with the reason and the consenting head recorded (chongqing-2018 §24);
- a refusal states its reasons and basis (chongqing-2019 §33 "说明理由，并提供依据");
- approving an open or share application creates the grant the access layer honours
  (chongqing-2018 §19, §24).

Every transition locks the application row (SELECT … FOR UPDATE), checks the table,
changes the row and appends an event in the same transaction: two reviewers deciding at
once produce exactly one decision; the second gets ``IllegalTransition``.

Every event logged queues its signal (``EVENT_SIGNALS``, ``applications/signals.py``),
sent once the caller commits with ``signals.commit()``; a rollback sends nothing.
"""
from __future__ import annotations

import datetime
from typing import Any, Optional

from ckan import model

from ckanext.govshare import vocab
from ckanext.govshare.access.grants import Grant, utcnow
from ckanext.govshare.applications import signals
from ckanext.govshare.applications.model import PENDING, STATUSES, Application, ApplicationEvent

#: the state of a new application (the model's default: the vocabulary's first status)
INITIAL = "submitted"
assert INITIAL == STATUSES[0]
# action -> (states it may start from, state it leads to)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "extend": ((INITIAL,), "extended"),
    "approve": (PENDING, "approved"),
    "refuse": (PENDING, "refused"),
    "withdraw": (PENDING, "withdrawn"),
}
assert {INITIAL} | {to for _, to in TRANSITIONS.values()} | {s for froms, _ in TRANSITIONS.values() for s in froms} \
    <= set(STATUSES)
# kinds whose approval opens data, and the grant kind it creates
GRANTING_KINDS = {kind: kind for kind in vocab.GRANTING_KINDS}
# the signal (``signals.TRANSITIONS``) each event of the log announces
EVENT_SIGNALS = {
    "submit": "submitted", "extension_request": "extension_requested", "extend": "extended",
    "extension_decline": "extension_declined", "forward": "forwarded", "approve": "approved",
    "refuse": "refused", "withdraw": "withdrawn", "revoke": "revoked", "reminder": "due_soon",
    "overdue": "overdue",
}
assert set(EVENT_SIGNALS) == set(vocab.APPLICATION_EVENTS.values())


class IllegalTransition(Exception):
    def __init__(self, action: str, status: str) -> None:
        super().__init__(f"cannot {action} an application that is {status}")
        self.action = action
        self.status = status


def allowed(action: str, status: str) -> bool:
    return status in TRANSITIONS[action][0]


def log(app: Application, action: str, actor_id: Optional[str], from_status: Optional[str],
        detail: Optional[dict[str, Any]] = None) -> ApplicationEvent:
    """Append ``action`` to the application's event log and queue its signal (sent when
    the caller commits through ``signals.commit()``)."""
    if action not in vocab.APPLICATION_EVENTS:
        raise ValueError(f"unknown application event {action!r}")
    event = ApplicationEvent(application_id=app.id, at=utcnow(), actor_user_id=actor_id, action=action,
                             from_status=from_status, to_status=app.status, detail=detail or {})
    model.Session.add(event)
    model.Session.flush()
    signals.queue(EVENT_SIGNALS[action], app, actor_id, event_id=event.id, **(detail or {}))
    return event


def lock(application_id: str) -> Optional[Application]:
    """The application row, locked until the transaction ends."""
    return (model.Session.query(Application)
            .filter(Application.id == application_id)
            .with_for_update()
            .populate_existing()  # the row as it is now, not as this session saw it before
            .one_or_none())


def transition(app: Application, action: str, actor_id: Optional[str],
               detail: Optional[dict[str, Any]] = None) -> ApplicationEvent:
    """Move a *locked* application along the table and record it."""
    if not allowed(action, app.status):
        raise IllegalTransition(action, app.status)
    before = app.status
    app.status = TRANSITIONS[action][1]
    app.modified_at = utcnow()
    return log(app, action, actor_id, before, detail)


def extend(app: Application, actor_id: str, days: int, reason: str, consented_by: str,
           new_due_at: datetime.datetime, requested_by: Optional[str] = None) -> ApplicationEvent:
    """The head's consent (``consented_by`` is the acting head) to an extension that
    ``requested_by`` asked for (the head themselves when they extend on their own)."""
    if app.extension_count:
        raise IllegalTransition("extend", app.status)
    event = transition(app, "extend", actor_id, {
        "days": days, "reason": reason, "consented_by": consented_by,
        "requested_by": requested_by or actor_id,
        "due_at_before": app.due_at.isoformat(), "due_at": new_due_at.isoformat()})
    app.extension_count = 1
    app.extension_days = days
    app.extension_reason = reason
    app.extension_consented_by = consented_by
    app.due_at = new_due_at
    return event


def approve(app: Application, actor_id: str, conditions: Optional[str],
            expires_at: Optional[datetime.datetime], reply: Optional[str]) -> ApplicationEvent:
    if not allowed("approve", app.status):
        raise IllegalTransition("approve", app.status)
    detail: dict[str, Any] = {"conditions": conditions, "reply": reply,
                              "expires_at": expires_at.isoformat() if expires_at else None}
    grant_kind = GRANTING_KINDS.get(app.kind)
    if grant_kind and app.package_id:
        grant = Grant(package_id=app.package_id, kind=grant_kind, conditions=conditions,
                      application_id=app.id, granted_by=actor_id, granted_at=utcnow(),
                      expires_at=expires_at,
                      user_id=app.applicant_user_id if grant_kind == "open" else None,
                      organization_id=app.applicant_org_id if grant_kind == "share" else None)
        model.Session.add(grant)
        model.Session.flush()
        app.grant_id = grant.id
        detail["grant_id"] = grant.id
    event = transition(app, "approve", actor_id, detail)
    app.decided_at = utcnow()
    app.decided_by = actor_id
    app.conditions = conditions
    app.decision_reason = reply
    return event


def refuse(app: Application, actor_id: str, reason: str, basis: str) -> ApplicationEvent:
    event = transition(app, "refuse", actor_id, {"reason": reason, "basis": basis})
    app.decided_at = utcnow()
    app.decided_by = actor_id
    app.decision_reason = reason
    app.decision_basis = basis
    return event


def withdraw(app: Application, actor_id: str, reason: Optional[str]) -> ApplicationEvent:
    return transition(app, "withdraw", actor_id, {"reason": reason})
