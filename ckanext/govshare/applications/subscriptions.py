# -*- coding: utf-8 -*-
"""What the applications package does when a signal arrives (as ``ckanext/activity``'s
``subscriptions.py``): mail for the workflow's transitions, and the event log and mail when
the access package revokes a grant that answered an application.

``get_signal_subscriptions()`` is the mapping CKAN's ``ISignal`` wants; the plugin returns it.
"""
from __future__ import annotations

import logging
from typing import Any, Callable, Optional

from ckan import model
from ckan.types import SignalMapping

from ckanext.govshare.access.grants import Grant
from ckanext.govshare.applications import notify
from ckanext.govshare.applications import signals
from ckanext.govshare.applications import workflow
from ckanext.govshare.applications.model import Application

__all__ = ["get_signal_subscriptions"]

log = logging.getLogger(__name__)


def _mail(send: Callable[[Application], Any]) -> Callable[..., None]:
    def receiver(sender: str, application: Application, **kwargs: Any) -> None:
        send(application)
    receiver.__name__ = receiver.__qualname__ = f"mail_{send.__name__}"
    return receiver


# one receiver per signal, kept at module level: blinker holds receivers weakly
mail_submitted = _mail(notify.submitted)
mail_extension_requested = _mail(notify.extension_requested)
mail_extended = _mail(notify.extended)
mail_decided = _mail(notify.decided)
mail_forwarded = _mail(notify.forwarded)
mail_due_soon = _mail(notify.due_soon)
mail_overdue = _mail(notify.overdue)


def mail_revoked(sender: str, application: Application, grant_id: Optional[str] = None, **kwargs: Any) -> None:
    grant = model.Session.query(Grant).get(grant_id) if grant_id else None
    if grant is not None:
        notify.revoked(application, grant)


def record_revocation(sender: str, grant: Grant, actor_id: Optional[str] = None, **kwargs: Any) -> None:
    """A grant was revoked (``ckanext.govshare.grant_revoked``, sent by the access package
    after its commit): when it answered an application, the application's log records the
    revocation — which announces ``application_revoked`` (the applicant's mail)."""
    app = model.Session.query(Application).get(grant.application_id) if grant.application_id else None
    if app is None:
        return
    workflow.log(app, "revoke", actor_id, app.status, {"grant_id": grant.id, "reason": grant.revoke_reason})
    signals.commit()


def get_signal_subscriptions() -> SignalMapping:
    """Receivers by signal, for ``ISignal.get_signal_subscriptions``."""
    return {
        signals.submitted: [mail_submitted],
        signals.extension_requested: [mail_extension_requested],
        signals.extended: [mail_extended],
        signals.approved: [mail_decided],
        signals.refused: [mail_decided],
        signals.forwarded: [mail_forwarded],
        signals.revoked: [mail_revoked],
        signals.due_soon: [mail_due_soon],
        signals.overdue: [mail_overdue],
        signals.grant_revoked: [record_revocation],
    }

