# -*- coding: utf-8 -*-
"""Emails about applications: on submission (to the applicant and the providing
department), on extension and decision (to the applicant, chongqing-2018 §24), and when
a deadline approaches (to the department).

Nothing calls these functions from the workflow: they answer the workflow's signals
(``applications/signals.py``; the wiring is ``subscriptions.get_signal_subscriptions``), which
are sent after the transition is committed.

No mail is sent inside a request. The request renders the message (in the caller's
language) and writes one background job per recipient to CKAN's job queue
(``tk.enqueue_job``, a Redis write); a worker (``ckan jobs worker``) sends it:

* the job gets plain ids and strings, re-reads the recipient's account by id and sends only
  while the address is still that account's;
* the SMTP conversation has a socket timeout (``ckanext.govshare.smtp_timeout``), so a mail
  server that accepts connections and never answers holds the worker for seconds, not the
  applicant's request for minutes;
* a failed send raises, so RQ retries it after ``RETRY_INTERVALS`` (each failure logged);
  after the last retry the job stays in the failed-job registry (``ckan jobs list``) —
  never dropped silently. CKAN's worker runs no RQ scheduler, so retries that fall due are
  put back on the queue by :func:`requeue_due_retries`, called on every new mail and by
  the deadlines cron command;
* Redis down when enqueuing: the failure is logged and the application stands.

Platform mail goes only to the address of a CKAN account (the applicant's, the department
staff's) — never to an address typed into a form. A free-typed ``contact_email`` is stored
for the department to read and receives nothing, unless it is the account's own address.
Each address receives at most ``ckanext.govshare.mail_rate_limit_per_hour`` mails an hour
(a sliding window counted in Redis); excess mail is dropped with a warning.
"""
from __future__ import annotations

import hashlib
import logging
import socket
import time
import uuid
from typing import Iterable, NamedTuple, Optional

import rq
from flask import has_request_context
from redis.exceptions import RedisError
from rq.exceptions import NoSuchJobError
from rq.job import Job

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib import jobs, mailer
from ckan.lib.redis import connect_to_redis

from ckanext.govshare import vocab
from ckanext.govshare.access.grants import Grant
from ckanext.govshare.applications import workdays
from ckanext.govshare.applications.model import Application

__all__ = ["RETRY_INTERVALS", "SMTP_TIMEOUT_KEY", "RATE_LIMIT_KEY", "Recipient",
           "department_staff", "deliver", "queue_mail", "requeue_due_retries", "submitted", "extended", "decided",
           "due_soon", "overdue", "department_head", "extension_requested", "revoked", "forwarded"]

log = logging.getLogger(__name__)
_ = tk._

SMTP_TIMEOUT_KEY = "ckanext.govshare.smtp_timeout"
RATE_LIMIT_KEY = "ckanext.govshare.mail_rate_limit_per_hour"
# seconds before the 1st, 2nd, 3rd and 4th retry of a failed send (about 2.6 hours in all)
RETRY_INTERVALS = [60, 300, 1800, 7200]
RATE_WINDOW = 3600


class Recipient(NamedTuple):
    user_id: str
    name: str
    email: str


def _normal(address: Optional[str]) -> str:
    return (address or "").strip().lower()


def _recipient(user: Optional[model.User]) -> list[Recipient]:
    if user is None or user.state != "active" or not _normal(user.email):
        return []
    return [Recipient(user.id, user.fullname or user.name, user.email.strip())]


# -- the request side: enqueue ------------------------------------------------------------

def _rate_key(address: str) -> str:
    digest = hashlib.sha256(_normal(address).encode("utf-8")).hexdigest()
    return f"ckan:{tk.config.get('ckan.site_id')}:govshare:mail-rate:{digest}"


def _take_slot(address: str) -> Optional[str]:
    """Count one mail to ``address`` in the sliding hour; the slot's member when within
    ``ckanext.govshare.mail_rate_limit_per_hour``, None when over it."""
    limit = tk.config.get(RATE_LIMIT_KEY)
    conn = connect_to_redis()
    key, now = _rate_key(address), time.time()
    member = f"{now:.6f}:{uuid.uuid4().hex}"
    pipe = conn.pipeline()
    pipe.zremrangebyscore(key, 0, now - RATE_WINDOW)
    pipe.zadd(key, {member: now})
    pipe.zcard(key)
    pipe.expire(key, RATE_WINDOW)
    count = pipe.execute()[2]
    if count > limit:
        conn.zrem(key, member)
        return None
    return member


def _enqueue(recipient: Recipient, subject: str, body: str, application_id: str) -> bool:
    """Queue one mail; False (logged) when rate-limited or when Redis cannot be reached —
    the caller's work (the application) stands either way."""
    member = None
    try:
        member = _take_slot(recipient.email)
        if member is None:
            log.warning("mail about application %s to user %s dropped: more than %s mails to the "
                        "address within an hour (%s)", application_id, recipient.user_id,
                        tk.config.get(RATE_LIMIT_KEY), RATE_LIMIT_KEY)
            return False
        tk.enqueue_job(deliver, [recipient.user_id, recipient.email, subject, body, application_id],
                       title=f"govshare mail: application {application_id} to user {recipient.user_id}",
                       rq_kwargs={"retry": rq.Retry(max=len(RETRY_INTERVALS), interval=RETRY_INTERVALS)})
    except (RedisError, OSError) as e:
        log.error("mail about application %s to user %s not queued (job queue unreachable): %s",
                  application_id, recipient.user_id, e)
        if member is not None:
            try:
                connect_to_redis().zrem(_rate_key(recipient.email), member)
            except (RedisError, OSError):
                pass
        return False
    requeue_due_retries()
    return True


def _send(recipients: Iterable[Recipient], subject: str, body: str, application_id: str) -> int:
    """Queue the mail for each recipient; the number queued."""
    return sum(_enqueue(r, subject, body, application_id) for r in recipients)


def queue_mail(recipients: Iterable[Recipient], subject: str, body: str, ref: str) -> int:
    """Queue a platform mail (already rendered) to each recipient, with the same rate limit,
    timeout and retries as the application mail; ``ref`` names what it is about in the logs
    (other domains' notices: ``notices/jobs.py``). The number queued."""
    return _send(recipients, subject, body, ref)


def requeue_due_retries(now: Optional[float] = None) -> int:
    """Put failed sends whose retry time has come back on the queue (what an RQ scheduler
    would do; ``ckan jobs worker`` runs none). Safe to run concurrently: each job is taken
    out of the scheduled registry by one atomic ZREM, and only the caller whose ZREM removed
    it enqueues it. Returns the number requeued (0, logged, when Redis is unreachable)."""
    requeued = 0
    try:
        queue = jobs.get_queue()
        registry = queue.scheduled_job_registry
        for job_id in registry.get_jobs_to_schedule(int(now if now is not None else time.time())):
            if not queue.connection.zrem(registry.key, job_id):
                continue  # another process took it
            try:
                job = Job.fetch(job_id, connection=queue.connection, serializer=queue.serializer)
            except NoSuchJobError:
                continue
            queue.enqueue_job(job)
            requeued += 1
    except (RedisError, OSError) as e:
        log.warning("could not requeue due mail retries: %s", e)
    return requeued


# -- the worker side: send ----------------------------------------------------------------

def deliver(user_id: str, address: str, subject: str, body: str, application_id: Optional[str] = None) -> bool:
    """Background job: send one mail to the account ``user_id`` if ``address`` is still its
    email. Any failure raises, so that RQ retries the job (see ``RETRY_INTERVALS``)."""
    user = model.User.get(user_id)
    if user is None or user.state != "active" or _normal(user.email) != _normal(address):
        log.warning("mail about application %s not sent: the address is no longer the email of "
                    "active user %s", application_id, user_id)
        return False
    timeout = tk.config.get(SMTP_TIMEOUT_KEY)
    previous = socket.getdefaulttimeout()
    # CKAN's mailer opens smtplib.SMTP(host, port) without a timeout; such sockets take the
    # process default. The job runs alone in its work horse, so the default is ours to set.
    socket.setdefaulttimeout(timeout)
    try:
        mailer.mail_recipient(user.fullname or user.name, user.email.strip(), subject, body)
    except Exception as e:
        job = rq.get_current_job()
        log.warning("could not email user %s about application %s: %s (retries left: %s)", user_id,
                    application_id, e, job.retries_left if job is not None else "-")
        raise
    finally:
        socket.setdefaulttimeout(previous)
    log.info("emailed user %s about application %s", user_id, application_id)
    return True


# -- who receives what --------------------------------------------------------------------

def _applicant(app: Application) -> list[Recipient]:
    """The applicant's account address — the one CKAN's registration holds. The form's
    ``contact_email`` is contact information for the department, not a mail target."""
    user = model.User.get(app.applicant_user_id)
    recipients = _recipient(user)
    if app.contact_email and _normal(app.contact_email) not in {_normal(r.email) for r in recipients}:
        log.info("application %s: contact_email differs from the account's email; platform mail goes "
                 "to the account only", app.id)
    return recipients


def department_staff(org_id: str | None) -> list[Recipient]:
    """Editors and admins of the department (sysadmins when no department is named)."""
    if not org_id:
        users = model.Session.query(model.User).filter(model.User.sysadmin.is_(True), model.User.state == "active")
    else:
        users = (model.Session.query(model.User)
                 .join(model.Member, model.Member.table_id == model.User.id)
                 .filter(model.Member.group_id == org_id, model.Member.table_name == "user",
                         model.Member.state == "active", model.Member.capacity.in_(("editor", "admin")),
                         model.User.state == "active"))
    return [r for u in users for r in _recipient(u)]


def _summary(app: Application) -> str:
    pkg = model.Package.get(app.package_id) if app.package_id else None
    due = workdays.local_date(app.due_at)
    kind = vocab.APPLICATION_KINDS.get(app.kind)
    lines = [
        f"{kind.zh} / {kind.en}" if kind else app.kind,
        _("Dataset: {title}").format(title=pkg.title if pkg else "-"),
        _("Applicant: {name}").format(name=app.applicant_name),
        _("Reply due by: {date}").format(date=due.isoformat()),
        tk.h.url_for("govshare_application.read", id=app.id, _external=True)
        if has_request_context() else f"/application/{app.id}",
    ]
    return "\n".join(lines)


def submitted(app: Application) -> int:
    body = _summary(app)
    return (_send(_applicant(app), _("Your application was received"), body, app.id)
            + _send(department_staff(app.provider_org_id), _("New application to answer"), body, app.id))


def extended(app: Application) -> int:
    body = _summary(app) + "\n" + _("Reason for the extension: {reason}").format(reason=app.extension_reason)
    return _send(_applicant(app), _("The reply deadline of your application was extended"), body, app.id)


def decided(app: Application) -> int:
    """The reply to the applicant (chongqing-2018 §24)."""
    if app.status == "approved":
        subject = _("Your application was approved")
        extra = _("Conditions: {conditions}").format(conditions=app.conditions or "-")
    else:
        subject = _("Your application was refused")
        extra = _("Reasons: {reason}\nBasis: {basis}").format(reason=app.decision_reason, basis=app.decision_basis)
    return _send(_applicant(app), subject, _summary(app) + "\n" + extra, app.id)


def due_soon(app: Application) -> int:
    return _send(department_staff(app.provider_org_id), _("An application is due soon"), _summary(app), app.id)


def overdue(app: Application) -> int:
    return _send(department_staff(app.provider_org_id), _("An application is overdue"), _summary(app), app.id)


def department_head(org_id: str | None) -> list[Recipient]:
    """The department's designated head (``head_user``), else its administrators."""
    org = model.Group.get(org_id) if org_id else None
    head = model.User.get(org.extras.get("head_user") or "") if org is not None else None
    if head is not None and head.state == "active":
        return _recipient(head)
    admins = (model.Session.query(model.User)
              .join(model.Member, model.Member.table_id == model.User.id)
              .filter(model.Member.group_id == org_id, model.Member.table_name == "user",
                      model.Member.state == "active", model.Member.capacity == "admin",
                      model.User.state == "active")) if org is not None else []
    return [r for u in admins for r in _recipient(u)]


def extension_requested(app: Application) -> int:
    """The head is asked to consent to an extension (chongqing-2018 §24)."""
    return _send(department_head(app.provider_org_id), _("An extension awaits your consent"),
                 _summary(app), app.id)


def revoked(app: Application, grant: Grant) -> int:
    """The applicant learns that access ended, and why."""
    body = _summary(app) + "\n" + _("Reason for the revocation: {reason}").format(reason=grant.revoke_reason or "-")
    return _send(_applicant(app), _("Your access to the data was revoked"), body, app.id)


def forwarded(app: Application) -> int:
    """The department receives a request the authority forwarded to it."""
    return _send(department_staff(app.provider_org_id), _("A request was forwarded to your department"),
                 _summary(app), app.id)
