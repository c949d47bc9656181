# -*- coding: utf-8 -*-
"""The signals of the application workflow (blinker, CKAN's ``tk.signals.ckanext`` namespace).

Each transition of an application emits ``ckanext.govshare.application_<transition>``:

====================================  =========================================================
``application_submitted``             an application was received (its deadline runs)
``application_extension_requested``   the department asked its head for an extension
``application_extended``              the head consented: the deadline moved
``application_extension_declined``    the head declined the request; the deadline stays
``application_forwarded``             the authority forwarded a request to a department
``application_approved``              approved (an open or share approval made a grant)
``application_refused``               refused, with reasons and basis
``application_withdrawn``             the applicant withdrew it
``application_revoked``               the grant the approval made was revoked
``application_due_soon``              the reply is due within the policy's ``due_soon_days``
``application_overdue``               the deadline passed without a reply
====================================  =========================================================

The sender is the application's id; keyword arguments: ``application`` (the
``Application`` row, committed), ``actor_id`` (the user who acted, None for the cron
command) and per signal ``event_id`` and the transition's details (``grant_id`` …).

A signal is sent only after the transaction that made the transition is committed: the
workflow *queues* it on the session (:func:`queue`), :func:`commit` commits and then sends
what was queued; a rollback drops the queue. So a transition that is rolled back (an
illegal move, a lost race, a failed commit) is announced to nobody.

``ckanext.govshare.grant_revoked`` is the access package's: it is sent (by name, sender the
grant id, ``grant`` and ``actor_id``) after a grant is revoked; the applications package
reacts to it (``subscriptions``).
"""
from __future__ import annotations

import logging
from typing import Any, Optional

import sqlalchemy as sa
from blinker import NamedSignal

import ckan.plugins.toolkit as tk
from ckan import model

__all__ = ["TRANSITIONS", "PREFIX", "by_transition", "grant_revoked", "queue", "commit", "send"]

PREFIX = "ckanext.govshare.application_"
TRANSITIONS = ("submitted", "extension_requested", "extended", "extension_declined", "forwarded",
               "approved", "refused", "withdrawn", "revoked", "due_soon", "overdue")

# the signals, one per transition (blinker's namespace hands out one object per name)
by_transition: dict[str, NamedSignal] = {t: tk.signals.ckanext.signal(PREFIX + t) for t in TRANSITIONS}
submitted = by_transition["submitted"]
extension_requested = by_transition["extension_requested"]
extended = by_transition["extended"]
extension_declined = by_transition["extension_declined"]
forwarded = by_transition["forwarded"]
approved = by_transition["approved"]
refused = by_transition["refused"]
withdrawn = by_transition["withdrawn"]
revoked = by_transition["revoked"]
due_soon = by_transition["due_soon"]
overdue = by_transition["overdue"]

#: sent by ``access`` when a grant is revoked (sender: the grant id; ``grant``, ``actor_id``)
grant_revoked = tk.signals.ckanext.signal("ckanext.govshare.grant_revoked")

log = logging.getLogger(__name__)
_QUEUE = "govshare_application_signals"


def queue(transition: str, application: Any, actor_id: Optional[str], **detail: Any) -> None:
    """Announce ``transition`` of ``application`` once the current transaction commits."""
    if transition not in by_transition:
        raise KeyError(f"no signal for the transition {transition!r}")
    model.Session.info.setdefault(_QUEUE, []).append((transition, application, actor_id, detail))


def commit() -> None:
    """Commit the session, then send the signals of the transitions it committed. The
    transition stands whatever its receivers do: one that raises is logged and the others
    still run."""
    model.Session.commit()
    pending = model.Session.info.pop(_QUEUE, [])
    for transition, application, actor_id, detail in pending:
        send(by_transition[transition], application.id, application=application, actor_id=actor_id, **detail)


def send(signal: NamedSignal, sender: Any, **kwargs: Any) -> None:
    """``signal.send`` where a failing receiver is logged instead of stopping the rest."""
    for receiver in signal.receivers_for(sender):
        try:
            receiver(sender, **kwargs)
        except Exception:  # noqa: BLE001 - a receiver's failure must not undo a committed transition
            log.exception("receiver %r of %s failed for %s", receiver, signal.name, sender)


@sa.event.listens_for(model.Session, "after_soft_rollback")
def _rolled_back(session: Any, previous_transaction: Any) -> None:
    # a rollback of the outermost transaction drops what it would have announced
    if previous_transaction.parent is None:
        session.info.pop(_QUEUE, None)
