# -*- coding: utf-8 -*-
"""Every transition of an application emits its ``ckanext.govshare.application_<transition>``
signal (issue 13), after the transaction that made it is committed; a transition that is
rolled back emits nothing. The grant-revoke path of the access package emits
``ckanext.govshare.grant_revoked``, to which the applications package answers (event log,
``application_revoked``). Deadlines: chongqing-2018 §24 (reply within 15 working days, one
extension with the head's consent); refusals with reasons and basis: chongqing-2019 §33."""
from __future__ import annotations

import datetime
from typing import Any

import pytest
import sqlalchemy as sa

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.govshare.applications import reminders, signals, subscriptions, workflow
from ckanext.govshare.model import Application, ApplicationEvent


class Recorder:
    """Connected to every application signal and to ``grant_revoked``: what was sent, in
    order, with the application's status as *another* database connection sees it (so as
    committed, not as the sending session holds it)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, dict[str, Any]]] = []
        self.committed_status: list[str | None] = []

    def __call__(self, sender: str, **kwargs: Any) -> None:
        name = kwargs.pop("_name")
        self.sent.append((name, sender, kwargs))
        with model.meta.engine.connect() as conn:
            self.committed_status.append(conn.execute(
                sa.text("SELECT status FROM govshare_application WHERE id = :id"),
                {"id": kwargs["application"].id if "application" in kwargs else ""}).scalar())

    def names(self) -> list[str]:
        return [n for n, _, _ in self.sent]


@pytest.fixture
def recorder():
    rec = Recorder()
    receivers = []
    for signal in [*signals.by_transition.values(), signals.grant_revoked]:
        def receiver(sender: str, _signal=signal, **kwargs: Any) -> None:
            rec(sender, _name=_signal.name, **kwargs)
        signal.connect(receiver)
        receivers.append((signal, receiver))
    yield rec
    for signal, receiver in receivers:
        signal.disconnect(receiver)


@pytest.fixture
def w(applications_world):
    return applications_world()


def test_one_signal_per_transition_with_the_documented_names():
    assert list(signals.by_transition) == list(signals.TRANSITIONS)
    assert [s.name for s in signals.by_transition.values()] == [
        "ckanext.govshare.application_" + t for t in (
            "submitted", "extension_requested", "extended", "extension_declined", "forwarded",
            "approved", "refused", "withdrawn", "revoked", "due_soon", "overdue")]
    # the same objects CKAN's namespace hands out by name
    assert all(tk.signals.ckanext.signal(s.name) is s for s in signals.by_transition.values())
    assert signals.grant_revoked.name == "ckanext.govshare.grant_revoked"
    # every event the log records announces one of them
    assert set(workflow.EVENT_SIGNALS.values()) == set(signals.TRANSITIONS)


def test_the_mail_subscribes_to_the_signals():
    mapping = subscriptions.get_signal_subscriptions()
    assert signals.grant_revoked in mapping
    for transition in ("submitted", "extension_requested", "extended", "forwarded", "approved",
                       "refused", "revoked", "due_soon", "overdue"):
        assert signals.by_transition[transition] in mapping, transition


def _set_due(app_id: str, due_at: datetime.datetime) -> None:
    model.Session.query(Application).filter_by(id=app_id).update({"due_at": due_at})
    model.Session.commit()


def _today_end_utc() -> datetime.datetime:
    # a deadline later today (Beijing): 0 working days left, due soon under every policy
    return datetime.datetime.utcnow() + datetime.timedelta(minutes=30)


def _submitted(w, rec) -> dict[str, Any]:
    return w.apply()


def _extension_requested(w, rec) -> dict[str, Any]:
    app = w.apply()
    w.act("extension_request", w.clerk, id=app["id"], days=5, reason="数据需脱敏处理")
    return app


def _extended(w, rec) -> dict[str, Any]:
    app = w.apply()
    w.act("extend", w.head, id=app["id"], days=15, reason="数据需脱敏处理")
    return app


def _extension_declined(w, rec) -> dict[str, Any]:
    app = w.apply()
    w.act("extension_request", w.clerk, id=app["id"], days=5, reason="需核实")
    w.act("extension_decline", w.head, id=app["id"], reason="按期答复")
    return app


def _forwarded(w, rec) -> dict[str, Any]:
    app = w.act("create", w.citizen, kind="open_demand", description="全市公共充电桩的位置和空闲状态")
    w.act("forward", w.sysadmin, id=app["id"], organization_id=w.org["id"], note="请答复")
    return app


def _approved(w, rec) -> dict[str, Any]:
    app = w.apply()
    w.act("approve", w.clerk, id=app["id"], conditions="仅限研究", reply="同意")
    return app


def _refused(w, rec) -> dict[str, Any]:
    app = w.apply()
    w.act("refuse", w.clerk, id=app["id"], reason="涉及个人信息", basis="chongqing-2019 §33")
    return app


def _withdrawn(w, rec) -> dict[str, Any]:
    app = w.apply()
    w.act("withdraw", w.citizen, id=app["id"], reason="不再需要")
    return app


def _revoked(w, rec) -> dict[str, Any]:
    app = w.apply()
    approved = w.act("approve", w.clerk, id=app["id"], conditions="仅限研究", reply="同意")
    # the access package revokes the grant; the applications package answers its signal
    tk.get_action("govshare_grant_revoke")(w.as_(w.head), {"id": approved["grant_id"],
                                                          "reason": "超出约定用途使用"})
    return app


def _due_soon(w, rec) -> dict[str, Any]:
    app = w.apply()
    _set_due(app["id"], _today_end_utc())
    assert reminders.process()["reminded"] == 1
    return app


def _overdue(w, rec) -> dict[str, Any]:
    app = w.apply()
    _set_due(app["id"], datetime.datetime.utcnow() - datetime.timedelta(hours=1))
    assert reminders.process()["overdue"] == 1
    return app


SCENARIOS = {
    "submitted": (_submitted, "submit"), "extension_requested": (_extension_requested, "extension_request"),
    "extended": (_extended, "extend"), "extension_declined": (_extension_declined, "extension_decline"),
    "forwarded": (_forwarded, "forward"), "approved": (_approved, "approve"), "refused": (_refused, "refuse"),
    "withdrawn": (_withdrawn, "withdraw"), "revoked": (_revoked, "revoke"), "due_soon": (_due_soon, "reminder"),
    "overdue": (_overdue, "overdue"),
}


@pytest.mark.parametrize("transition", signals.TRANSITIONS)
def test_each_transition_emits_its_signal_after_the_commit(w, recorder, transition):
    scenario, event = SCENARIOS[transition]
    app = scenario(w, recorder)
    name = signals.PREFIX + transition
    assert recorder.names().count(name) == 1, recorder.names()
    i = recorder.names().index(name)
    _, sender, kwargs = recorder.sent[i]
    assert sender == app["id"] and kwargs["application"].id == app["id"]
    # the event it announces is in the log, and the signal carries its id
    logged = model.Session.query(ApplicationEvent).get(kwargs["event_id"])
    assert logged is not None and logged.action == event and logged.application_id == app["id"]
    # sent after the commit: another connection sees the transition's status already
    assert recorder.committed_status[i] == kwargs["application"].status
    if transition == "revoked":
        assert recorder.names().count("ckanext.govshare.grant_revoked") == 1
        assert kwargs["grant_id"] == kwargs["application"].grant_id


def test_a_transition_that_is_rolled_back_emits_nothing(w, recorder):
    app = w.apply()
    w.act("refuse", w.clerk, id=app["id"], reason="理由", basis="依据")
    before = recorder.names()
    # an illegal move: refused cannot be approved (IllegalTransition, rolled back)
    with pytest.raises(tk.ValidationError):
        w.act("approve", w.clerk, id=app["id"], reply="同意")
    # a share application has no extension (chongqing-2018 §19): refused, nothing committed
    other = w.apply(kind="share", applicant_org_id=w.other_org["id"], user=w.outsider)
    with pytest.raises(tk.ValidationError):
        w.act("extend", w.head, id=other["id"], days=5, reason="x")
    assert recorder.names() == before + ["ckanext.govshare.application_submitted"]


def test_a_queued_signal_is_dropped_by_a_rollback(w, recorder):
    app = w.apply()
    recorder.sent.clear()
    row = workflow.lock(app["id"])
    workflow.withdraw(row, w.citizen["id"], "x")  # queued, not committed
    model.Session.rollback()
    signals.commit()  # a later commit in the same session announces nothing of it
    assert recorder.sent == []
    assert model.Session.query(Application).get(app["id"]).status == "submitted"


def test_a_failing_receiver_does_not_undo_the_transition(w, recorder, caplog, monkeypatch):
    # clean_db's alembic run (logging.fileConfig) disables existing loggers: hear this one
    monkeypatch.setattr(signals.log, "disabled", False)

    def broken(sender: str, **kwargs: Any) -> None:
        raise RuntimeError("receiver down")
    signals.refused.connect(broken)
    try:
        app = w.apply()
        result = w.act("refuse", w.clerk, id=app["id"], reason="理由", basis="依据")
    finally:
        signals.refused.disconnect(broken)
    assert result["status"] == "refused"
    assert "ckanext.govshare.application_refused" in recorder.names()
    assert "receiver down" in caplog.text
