# -*- coding: utf-8 -*-
"""Emails about applications, through CKAN's mailer: on submission (to the applicant and
the providing department), on extension and decision (to the applicant), and when a
deadline approaches (to the department). A mail server that is down never loses an
application: failures are logged, the application stands."""
from __future__ import annotations

import logging
from typing import Iterable

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib import mailer

from ckanext.govshare import workdays
from ckanext.govshare.model import Application

log = logging.getLogger(__name__)
_ = tk._

KIND_LABELS = {
    "open": ("开放申请", "open application"),
    "share": ("共享申请", "share application"),
    "error_report": ("疑义、错误校核", "error report"),
    "catalogue_correction": ("开放目录更正", "catalogue correction"),
    "open_demand": ("开放需求", "open-data demand"),
}


def _send(recipients: Iterable[tuple[str, str]], subject: str, body: str) -> int:
    sent = 0
    for name, email in recipients:
        if not email:
            continue
        try:
            mailer.mail_recipient(name, email, subject, body)
            sent += 1
        except mailer.MailerException as e:  # the application stands; the failure is logged
            log.warning("could not email %s: %s", email, e)
    return sent


def _applicant(app: Application) -> list[tuple[str, str]]:
    user = model.User.get(app.applicant_user_id)
    email = app.contact_email or (user.email if user else None)
    return [(app.applicant_name, email or "")]


def department_staff(org_id: str | None) -> list[tuple[str, str]]:
    """Editors and admins of the department (sysadmins when no department is named)."""
    if not org_id:
        users = model.Session.query(model.User).filter(model.User.sysadmin.is_(True), model.User.state == "active")
        return [(u.fullname or u.name, u.email or "") for u in users]
    rows = (model.Session.query(model.User)
            .join(model.Member, model.Member.table_id == model.User.id)
            .filter(model.Member.group_id == org_id, model.Member.table_name == "user",
                    model.Member.state == "active", model.Member.capacity.in_(("editor", "admin")),
                    model.User.state == "active"))
    return [(u.fullname or u.name, u.email or "") for u in rows]


def _summary(app: Application) -> str:
    pkg = model.Package.get(app.package_id) if app.package_id else None
    due = workdays.local_date(app.due_at)
    kind_zh, kind_en = KIND_LABELS[app.kind]
    lines = [
        f"{kind_zh} / {kind_en}",
        _("Dataset: {title}").format(title=pkg.title if pkg else "-"),
        _("Applicant: {name}").format(name=app.applicant_name),
        _("Reply due by: {date}").format(date=due.isoformat()),
        tk.h.url_for("govshare_application.read", id=app.id, _external=True)
        if _has_request() else f"/application/{app.id}",
    ]
    return "\n".join(lines)


def _has_request() -> bool:
    from flask import has_request_context

    return has_request_context()


def submitted(app: Application) -> int:
    body = _summary(app)
    return (_send(_applicant(app), _("Your application was received"), body)
            + _send(department_staff(app.provider_org_id), _("New application to answer"), body))


def extended(app: Application) -> int:
    body = _summary(app) + "\n" + _("Reason for the extension: {reason}").format(reason=app.extension_reason)
    return _send(_applicant(app), _("The reply deadline of your application was extended"), body)


def decided(app: Application) -> int:
    if app.status == "approved":
        subject = _("Your application was approved")
        extra = _("Conditions: {conditions}").format(conditions=app.conditions or "-")
    else:
        subject = _("Your application was refused")
        extra = _("Reasons: {reason}\nBasis: {basis}").format(reason=app.decision_reason, basis=app.decision_basis)
    return _send(_applicant(app), subject, _summary(app) + "\n" + extra)


def due_soon(app: Application) -> int:
    return _send(department_staff(app.provider_org_id), _("An application is due soon"), _summary(app))


def overdue(app: Application) -> int:
    return _send(department_staff(app.provider_org_id), _("An application is overdue"), _summary(app))

