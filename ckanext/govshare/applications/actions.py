# -*- coding: utf-8 -*-
"""``govshare_application_*`` actions: submit, show, list, extend, approve, refuse,
withdraw, events. Re-exported by ``logic/action.py`` (blanket registration).

Every deadline, extension limit and consent rule comes from the policy object
(``deadlines.get_policy()`` when an application is received, ``deadlines.policy_for`` for
the policy it was received under); the state machine is ``applications/workflow.py``.
Each transition is committed with ``signals.commit()``, which then sends its signal
(``applications/signals.py``); mail and other reactions subscribe to those.
"""
from __future__ import annotations

import datetime
from typing import Any, Callable, Optional

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import ActionResult, Context, DataDict

from ckanext.govshare import vocab
from ckanext.govshare.access import rules as access
from ckanext.govshare.access.grants import Grant, utcnow
from ckanext.govshare.applications import deadlines
from ckanext.govshare.applications import identity
from ckanext.govshare.applications import signals
from ckanext.govshare.applications import workdays
from ckanext.govshare.applications import workflow
from ckanext.govshare.applications.model import PENDING, Application, ApplicationEvent
from ckanext.govshare.logic import schema as gs_schema
from ckanext.govshare.logic.validators import govshare_citizen_id, govshare_credit_code, govshare_id
from ckanext.govshare.vocab import identifiers

__all__ = [
    "govshare_application_create",
    "govshare_application_show",
    "govshare_application_list",
    "govshare_application_extend",
    "govshare_application_extension_request",
    "govshare_application_extension_decline",
    "govshare_application_forward",
    "govshare_application_approve",
    "govshare_application_refuse",
    "govshare_application_withdraw",
    "govshare_application_event_list",
    "govshare_deadline_policy_show",
]

_ = tk._


def context_user(context: Context) -> Optional[model.User]:
    """The user an action runs for: ``auth_user_obj``, else the ``user`` name."""
    user = context.get("auth_user_obj")
    if isinstance(user, model.User):
        return user
    name = context.get("user")
    return model.User.get(name) if name else None


def _actor(context: Context) -> model.User:
    user = context_user(context)
    if user is None:
        raise tk.NotAuthorized(_("You must be logged in"))
    return user


def _is_provider(user: model.User, app: Application) -> bool:
    if user.sysadmin:
        return True
    return bool(app.provider_org_id) and authz.has_user_permission_for_group_or_org(
        app.provider_org_id, user.name, "read")


def is_head(user: model.User, org_id: Optional[str], consent: Optional[str] = "provider_head") -> bool:
    """May ``user`` consent, for department ``org_id``, under the policy's ``consent`` rule
    (``deadlines.CONSENTS``)?

    - ``provider_head`` (提供部门负责人, chongqing-2018 §20, §24): an administrator of the
      department or its designated head's account (``head_user``);
    - ``provider_principal_head`` (提供部门主要负责人, chongqing-2019 §19, §32-33): the
      designated head's account only — a department administrator is not its principal head.
    """
    if not org_id or consent not in deadlines.CONSENTS:
        return False
    org = model.Group.get(org_id)
    head = org.extras.get("head_user") if org is not None else None
    if head and head in (user.name, user.id):
        return True
    if consent == "provider_head":
        return bool(authz.has_user_permission_for_group_or_org(org_id, user.name, "admin")) and not user.sysadmin
    return False


def pending_extension_request(app: Application) -> Optional[dict[str, Any]]:
    """The department's request for an extension that its head has not answered yet: the
    last ``extension_request`` event with no ``extend`` or ``extension_decline`` after it."""
    events = (model.Session.query(ApplicationEvent)
              .filter(ApplicationEvent.application_id == app.id,
                      ApplicationEvent.action.in_(("extension_request", "extend", "extension_decline")))
              .order_by(ApplicationEvent.id.desc()).first())
    if events is None or events.action != "extension_request" or not app.pending:
        return None
    detail = events.detail or {}
    return {"requested_by": events.actor_user_id, "requested_at": events.at.isoformat(),
            "days": detail.get("days"), "reason": detail.get("reason"), "event_id": events.id}


def application_dict(app: Application, viewer: Optional[model.User] = None,
                     now: Optional[datetime.datetime] = None) -> dict[str, Any]:
    """The application as ``viewer`` may see it: the ID number in full only for the
    providing department (and sysadmins), masked for everyone else."""
    now = now or utcnow()
    policy = deadlines.policy_for(app.policy)
    provider_view = viewer is not None and _is_provider(viewer, app)
    pkg = model.Package.get(app.package_id) if app.package_id else None
    cal = workdays.get_calendar()
    due_local = workdays.local_date(app.due_at)
    today_local = workdays.local_date(now)
    remaining = cal.working_days_between(today_local, due_local) if app.pending else None
    iso = lambda d: d.isoformat() if d else None  # noqa: E731
    return {
        "id": app.id, "kind": app.kind, "status": app.status, "pending": app.pending,
        "package_id": app.package_id, "package_name": pkg.name if pkg else None,
        "package_title": pkg.title if pkg else None,
        "provider_org_id": app.provider_org_id, "applicant_user_id": app.applicant_user_id,
        "applicant_org_id": app.applicant_org_id, "applicant_type": app.applicant_type,
        "applicant_name": app.applicant_name,
        "id_number": (app.id_number if provider_view else identifiers.mask_citizen_id(app.id_number or ""))
        if app.id_number else None,
        "contact_phone": app.contact_phone, "contact_email": app.contact_email,
        "purpose": app.purpose, "usage_scope": app.usage_scope, "data_items": app.data_items,
        "period_start": iso(app.period_start), "period_end": iso(app.period_end),
        "agreement_accepted": app.agreement_accepted, "description": app.description,
        "policy": app.policy, "reply_days": app.reply_days,
        "received_at": iso(app.received_at), "due_at": iso(app.due_at),
        "due_date_local": due_local.isoformat(),
        "working_days_left": remaining,
        "overdue": app.overdue(now),
        "due_soon": bool(app.pending and not app.overdue(now) and policy.due_soon(remaining)),
        "extension_count": app.extension_count, "extension_days": app.extension_days,
        "extension_reason": app.extension_reason, "extension_consented_by": app.extension_consented_by,
        "extension_request": pending_extension_request(app),
        "decided_at": iso(app.decided_at), "decided_by": app.decided_by,
        "decision_reason": app.decision_reason, "decision_basis": app.decision_basis,
        "conditions": app.conditions, "grant_id": app.grant_id,
        "grant": _grant_dict(app.grant_id, now),
        "modified_at": iso(app.modified_at),
        # operator warnings (they name configuration options): for the platform's operators only
        "calendar_warnings": cal.warnings_for(workdays.local_date(app.received_at), due_local)
        if viewer is not None and viewer.sysadmin else [],
    }


def _grant_dict(grant_id: Optional[str], now: datetime.datetime) -> Optional[dict[str, Any]]:
    """The grant an approval made: its conditions, expiry and whether it still holds
    (``status``: ``valid``, ``expired`` or ``revoked``)."""
    grant = model.Session.query(Grant).get(grant_id) if grant_id else None
    if grant is None:
        return None
    result = grant.as_dict()
    result["status"] = grant_status(grant, now)
    return result


def grant_status(grant: Grant, now: Optional[datetime.datetime] = None) -> str:
    """``valid``, ``expired`` or ``revoked`` (``vocab.GRANT_STATUSES``), by ``Grant.is_valid``."""
    if grant.revoked_at is not None:
        return "revoked"
    return "valid" if grant.is_valid(now) else "expired"


def _get(application_id: Any) -> Application:
    """The application with this id; an id that is not text is a validation error, text
    that cannot be an id (control characters, too long) names no application."""
    if not isinstance(application_id, str):
        raise tk.ValidationError({"id": [_("Must be an id or a name (text)")]})
    try:
        application_id = govshare_id(application_id, {})
    except tk.Invalid:
        application_id = None
    app = model.Session.query(Application).get(application_id) if application_id else None
    if app is None:
        raise tk.ObjectNotFound(_("Application not found"))
    return app


def _check_identity(data: dict[str, Any], errors: dict[str, list[str]]) -> None:
    number = data.get("id_number")
    kind = data.get("applicant_type")
    if not number:
        errors.setdefault("id_number", []).append(
            _("Required: citizen ID number or unified social credit code (chongqing-2019 §16)"))
        return
    try:
        if kind == "citizen":
            data["id_number"] = govshare_citizen_id(number, {})
        else:
            data["id_number"] = govshare_credit_code(number, {})
    except tk.Invalid as e:
        errors.setdefault("id_number", []).append(e.error)


def _require(data: dict[str, Any], errors: dict[str, list[str]], fields: dict[str, str]) -> None:
    for name, message in fields.items():
        if not data.get(name):
            errors.setdefault(name, []).append(message)


@tk.validate(gs_schema.application_create_schema)
def govshare_application_create(context: Context, data_dict: DataDict) -> ActionResult.AnyDict:
    """Submit an application. Submitting the same one twice (double click, retry) returns
    the first: one pending application per applicant, kind and entry, and a repeated
    ``client_token`` returns the application it created.

    :param kind: ``open`` (开放申请), ``share`` (共享申请, from a department),
        ``error_report`` (疑义、错误校核), ``catalogue_correction`` (开放目录更正),
        ``open_demand`` (开放需求, for data not yet in the catalogue)
    :type kind: string
    :param package_id: the catalogue entry (all kinds but ``open_demand``)
    :type package_id: string
    :param organization_id: for ``open_demand``: the department asked (optional)
    :type organization_id: string
    :param applicant_org_id: for ``share``: the applying department (the caller must belong to it)
    :type applicant_org_id: string
    :param applicant_type: for ``open``: ``citizen``, ``legal_person`` or ``other_org``
    :type applicant_type: string
    :param applicant_name: name of the person or organisation
    :type applicant_name: string
    :param id_number: citizen ID number (GB 11643) or unified social credit code (GB 32100)
    :type id_number: string
    :param contact_phone: telephone
    :type contact_phone: string
    :param contact_email: email
    :type contact_email: string
    :param purpose: 用途, what the data is for
    :type purpose: string
    :param usage_scope: scope of use
    :type usage_scope: string
    :param data_items: the data items wanted
    :type data_items: string
    :param period_start: first day of the period of use wanted (YYYY-MM-DD)
    :type period_start: string
    :param period_end: last day of the period of use wanted (YYYY-MM-DD)
    :type period_end: string
    :param agreement_accepted: the usage agreement is accepted (required for ``open``)
    :type agreement_accepted: bool
    :param description: the error, correction or demand (other kinds)
    :type description: string
    :param client_token: a token the client makes once per form, to make retries safe
    :type client_token: string
    :returns: the application, with its statutory deadline
    :rtype: dictionary
    """
    tk.check_access("govshare_application_create", context, data_dict)
    user = _actor(context)
    kind = data_dict["kind"]
    errors: dict[str, list[str]] = {}

    if data_dict.get("client_token"):
        existing = model.Session.query(Application).filter_by(
            applicant_user_id=user.id, client_token=data_dict["client_token"]).one_or_none()
        if existing is not None:
            return application_dict(existing, user)

    pkg = None
    provider_org_id = None
    if kind in vocab.ENTRY_KINDS:
        pkg = model.Package.get(data_dict.get("package_id") or "")
        if pkg is None or pkg.state != "active" or not access.can_see(access.principal_for(user), pkg):
            raise tk.ObjectNotFound(_("Dataset not found"))
        provider_org_id = pkg.owner_org
    elif data_dict.get("organization_id"):
        org = model.Group.get(data_dict["organization_id"])
        if org is None or not org.is_organization:
            errors["organization_id"] = [_("No such department")]
        else:
            provider_org_id = org.id

    if kind in vocab.GRANTING_KINDS and pkg is not None and provider_org_id \
            and provider_org_id in access.principal_for(user).org_ids:
        # the department's own members have its data already, and never decide their own request
        errors["package_id"] = [_("This entry is your own department's: its data is yours already, "
                                  "no application is needed")]
    bound_identity = identity.bound(user) if kind == "open" else None
    if bound_identity is not None:
        # the identity bound to the account is reused; nobody applies in another's name
        for name in identity.mismatch(bound_identity, data_dict.get("applicant_type"),
                                      data_dict.get("applicant_name"), data_dict.get("id_number")):
            errors[name] = [_("Your account's identity is {name} ({number}): applications are made in it").format(
                name=bound_identity["name"], number=identifiers.mask_citizen_id(bound_identity["number"]))]
        data_dict["applicant_type"] = bound_identity["type"]
        data_dict["applicant_name"] = bound_identity["name"]
        data_dict["id_number"] = bound_identity["number"]
    if kind == "open":
        if pkg is not None and access.open_type(pkg) != "conditional":
            errors["package_id"] = [_("Only conditionally open entries are opened on application; "
                                      "this entry's open attribute does not allow it (chongqing-2018 §24)")]
        if not data_dict.get("applicant_type"):
            errors["applicant_type"] = [_("Required: citizen, legal person or other organisation")]
        else:
            _check_identity(data_dict, errors)
        _require(data_dict, errors, {
            "applicant_name": _("Required: the applicant's name"),
            "contact_phone": _("Required: a telephone number to reach the applicant"),
            "purpose": _("Required: what the data will be used for"),
            "usage_scope": _("Required: the scope in which the data will be used"),
            "data_items": _("Required: the data items wanted"),
            "period_end": _("Required: until when the data is needed"),
        })
        if not data_dict.get("agreement_accepted"):
            errors["agreement_accepted"] = [_("The usage agreement must be accepted")]
    elif kind == "share":
        org = model.Group.get(data_dict.get("applicant_org_id") or "")
        if org is None or not org.is_organization or not authz.has_user_permission_for_group_or_org(
                org.id, user.name, "create_dataset"):
            errors["applicant_org_id"] = [_("Share applications come from a department you edit for")]
        elif pkg is not None and org.id == pkg.owner_org:
            errors["applicant_org_id"] = [_("A department does not apply for its own entries")]
        if pkg is not None and access.share_type(pkg) != "conditional":
            errors["package_id"] = [_("Only conditionally shared entries are shared on application "
                                      "(chongqing-2018 §19)")]
        _require(data_dict, errors, {
            "purpose": _("Required: the purpose of use (shenyang-2016 §20, kunming-2019 §25)"),
            "usage_scope": _("Required: the scope of use (shenyang-2016 §20, kunming-2019 §25)"),
            "data_items": _("Required: the data items wanted (shenyang-2016 §20, kunming-2019 §25)"),
        })
        if org is not None and "applicant_org_id" not in errors:
            data_dict.setdefault("applicant_name", org.title)
    else:
        _require(data_dict, errors, {"description": _("Required: describe the error, correction or data wanted")})
    applicant_org = model.Group.get(data_dict["applicant_org_id"]) if data_dict.get("applicant_org_id") else None
    if data_dict.get("applicant_org_id") and "applicant_org_id" not in errors and (
            applicant_org is None or not applicant_org.is_organization
            or not authz.has_user_permission_for_group_or_org(applicant_org.id, user.name, "create_dataset")):
        errors["applicant_org_id"] = [_("The applying department must be a department you edit for")]
    if data_dict.get("period_start") and data_dict.get("period_end") \
            and data_dict["period_end"] < data_dict["period_start"]:
        errors.setdefault("period_end", []).append(_("The period ends before it starts"))
    policy = deadlines.get_policy()
    try:
        kind_policy = policy.kind(kind)
    except ValueError:
        kind_policy = None
        errors.setdefault("kind", []).append(
            _("This kind of request is not handled under the {policy} rules").format(policy=policy.name))
    if errors:
        raise tk.ValidationError(errors)
    assert kind_policy is not None

    received = utcnow()
    app = Application(
        kind=kind, status=workflow.INITIAL, package_id=pkg.id if pkg else None, provider_org_id=provider_org_id,
        applicant_user_id=user.id,
        applicant_org_id=applicant_org.id if applicant_org is not None else None,
        client_token=data_dict.get("client_token"),
        applicant_type=data_dict.get("applicant_type") or ("department" if kind == "share" else None),
        applicant_name=data_dict.get("applicant_name") or user.fullname or user.name,
        id_number=data_dict.get("id_number"), contact_phone=data_dict.get("contact_phone"),
        contact_email=data_dict.get("contact_email") or user.email,
        purpose=data_dict.get("purpose"), usage_scope=data_dict.get("usage_scope"),
        data_items=data_dict.get("data_items"),
        period_start=data_dict.get("period_start") and data_dict["period_start"].date(),
        period_end=data_dict.get("period_end") and data_dict["period_end"].date(),
        agreement_accepted=bool(data_dict.get("agreement_accepted")), description=data_dict.get("description"),
        policy=policy.name, reply_days=kind_policy.reply_days, received_at=received,
        due_at=workdays.naive_utc(kind_policy.reply_deadline(received)), modified_at=received,
    )
    try:
        with model.Session.begin_nested():
            model.Session.add(app)
            model.Session.flush()
            workflow.log(app, "submit", user.id, None, {"article": kind_policy.reply_article})
            if kind == "open" and bound_identity is None:
                identity.bind(user, app.applicant_type, app.applicant_name, app.id_number)
    except IntegrityError:
        # a pending application for this entry, or this client token, exists already
        existing = _existing(user, kind, pkg, data_dict.get("client_token"))
        if existing is None:
            raise
        return application_dict(existing, user)
    signals.commit()
    return application_dict(app, user)


def _existing(user: model.User, kind: str, pkg: Optional[model.Package],
              client_token: Optional[str]) -> Optional[Application]:
    query = model.Session.query(Application).filter(Application.applicant_user_id == user.id)
    if client_token:
        found = query.filter(Application.client_token == client_token).one_or_none()
        if found is not None:
            return found
    if pkg is not None:
        return query.filter(Application.kind == kind, Application.package_id == pkg.id,
                            Application.status.in_(PENDING)).one_or_none()
    return None


@tk.side_effect_free
def govshare_application_show(context: Context, data_dict: DataDict) -> ActionResult.AnyDict:
    """One application, with its deadline and its event log.

    :param id: the application
    :type id: string
    :returns: the application; ``events`` lists who did what, when, from which state
    :rtype: dictionary
    """
    app = _get(tk.get_or_bust(data_dict, "id"))
    tk.check_access("govshare_application_show", context, {"id": app.id})
    viewer = _actor(context)
    result = application_dict(app, viewer)
    result["events"] = [e.as_dict() for e in model.Session.query(ApplicationEvent)
                        .filter_by(application_id=app.id).order_by(ApplicationEvent.id)]
    return result


@tk.side_effect_free
# the schema refuses lists, numbers, NUL bytes and over-long values before the query sees them
@tk.validate(gs_schema.application_list_schema)
def govshare_application_list(context: Context, data_dict: DataDict) -> ActionResult.AnyList:
    """Applications: the caller's own, or a department's inbox sorted by deadline.

    :param organization_id: the department whose inbox to list (its members and sysadmins);
        the caller's own applications when omitted
    :type organization_id: string
    :param status: ``pending`` (submitted or extended), or one status; all when omitted
    :type status: string
    :param kind: only this kind
    :type kind: string
    :param authority: the data authority's inbox (sysadmins): requests addressed to no
        department, to be forwarded (chongqing-2018 §19 ¶3)
    :type authority: bool
    :returns: applications, the nearest deadline first
    :rtype: list of dictionaries
    """
    tk.check_access("govshare_application_list", context, data_dict)
    viewer = _actor(context)
    query = model.Session.query(Application)
    if data_dict.get("organization_id"):
        org = model.Group.get(data_dict["organization_id"])
        query = query.filter(Application.provider_org_id == (org.id if org else None))
    elif data_dict.get("authority"):
        query = query.filter(Application.provider_org_id.is_(None))
    else:
        query = query.filter(Application.applicant_user_id == viewer.id)
    status = data_dict.get("status")
    if status == "pending":
        query = query.filter(Application.status.in_(PENDING))
    elif status:
        query = query.filter(Application.status == status)
    if data_dict.get("kind"):
        query = query.filter(Application.kind == data_dict["kind"])
    pending_first = sa.case((Application.status.in_(PENDING), 0), else_=1)
    now = utcnow()
    return [application_dict(a, viewer, now) for a in
            query.order_by(pending_first, Application.due_at, Application.received_at).limit(1000)]


def _locked(context: Context, data_dict: DataDict, auth: str) -> tuple[model.User, Application]:
    app = _get(data_dict["id"])
    tk.check_access(auth, context, {"id": app.id})
    locked = workflow.lock(app.id)
    assert locked is not None
    return _actor(context), locked


def _commit_step(step: Callable[[], Any]) -> None:
    """Run one workflow transition on the locked application and commit it; an illegal
    transition rolls back (releasing the lock) and becomes a validation error."""
    try:
        step()
    except workflow.IllegalTransition as e:
        model.Session.rollback()
        raise _illegal(e)
    signals.commit()


def _illegal(e: workflow.IllegalTransition) -> tk.ValidationError:

    messages = {
        "extend": _("This application is {status}: its deadline cannot be extended"),
        "approve": _("This application is {status}: it cannot be approved"),
        "refuse": _("This application is {status}: it cannot be refused"),
        "withdraw": _("This application is {status}: it cannot be withdrawn"),
    }
    status = vocab.APPLICATION_STATUSES.label(e.status, "en" if _english() else "zh")
    return tk.ValidationError({"status": [messages[e.action].format(status=status)]})


def _not_own(user: model.User, app: Application) -> None:
    """Separation of duties: whoever decides a request never is the one who made it."""
    if user.id == app.applicant_user_id:
        model.Session.rollback()
        raise tk.NotAuthorized(_("You cannot answer your own application"))


def _extension_errors(app: Application, days: Any, reason: Any) -> tuple[Any, dict[str, list[str]]]:
    """The policy's limits on one extension, and the errors of a request for ``days``."""
    kind_policy = deadlines.policy_for(app.policy).kind(app.kind)
    errors: dict[str, list[str]] = {}
    if not kind_policy.extendable:
        errors["days"] = [_("The rules allow no extension for this kind of request")]
    elif not isinstance(days, int) or not 1 <= days <= kind_policy.extension_days:
        errors["days"] = [_("An extension is at most {max} working days ({article})").format(
            max=kind_policy.extension_days, article=kind_policy.extension_article or "")]
    if not reason:
        errors["reason"] = [_("Required: the reason for the extension (chongqing-2018 §24)")]
    if app.extension_count:
        errors["id"] = [_("The deadline has already been extended once; a second extension is not allowed")]
    elif not workflow.allowed("extend", app.status):
        errors["id"] = [_("Only a pending application's deadline can be extended")]
    return kind_policy, errors


@tk.validate(gs_schema.application_extension_request_schema)
def govshare_application_extension_request(context: Context, data_dict: DataDict) -> ActionResult.AnyDict:
    """The department asks its head to extend the reply deadline (the head consents with
    ``govshare_application_extend`` or declines with ``govshare_application_extension_decline``,
    in their own session; the deadline moves only when the head consents).

    :param id: the application
    :type id: string
    :param days: working days to add (1 … the policy's limit)
    :type days: int
    :param reason: why the department needs longer
    :type reason: string
    :returns: the application; ``extension_request`` holds the request
    :rtype: dictionary
    """
    user, app = _locked(context, data_dict, "govshare_application_extend")
    _not_own(user, app)
    _, errors = _extension_errors(app, data_dict.get("days"), data_dict.get("reason"))
    if not errors and pending_extension_request(app):
        errors["id"] = [_("An extension has been requested already and awaits the head's answer")]
    if errors:
        model.Session.rollback()
        raise tk.ValidationError(errors)
    workflow.log(app, "extension_request", user.id, app.status,
                 {"days": data_dict["days"], "reason": data_dict["reason"]})
    signals.commit()
    return application_dict(app, user)


@tk.validate(gs_schema.application_extend_schema)
def govshare_application_extend(context: Context, data_dict: DataDict) -> ActionResult.AnyDict:
    """The head consents to an extension of the reply deadline, once (chongqing-2018 §24: at
    most 15 working days under the default policy). Consent is the head's own act: the caller
    must be the one the policy's ``consent`` rule names (an administrator or the designated
    head's account for 提供部门负责人; the designated head's account only for 主要负责人).
    With a pending ``extension_request`` its days and reason are taken unless given here.

    :param id: the application
    :type id: string
    :param days: working days to add (1 … the policy's limit); the request's when omitted
    :type days: int
    :param reason: why the department needs longer; the request's when omitted
    :type reason: string
    :param consented_by: the consenting head (optional; when given it must be the caller:
        consent is given in the head's own session, never recorded for someone else)
    :type consented_by: string
    :returns: the application with its new deadline
    :rtype: dictionary
    """
    user, app = _locked(context, data_dict, "govshare_application_extend")
    _not_own(user, app)
    request = pending_extension_request(app)
    days = data_dict.get("days") if data_dict.get("days") is not None else (request or {}).get("days")
    reason = data_dict.get("reason") or (request or {}).get("reason")
    kind_policy, errors = _extension_errors(app, days, reason)
    named = data_dict.get("consented_by")
    if named and named not in (user.name, user.id):
        errors["consented_by"] = [_("Consent is given by the head, in the head's own session; "
                                    "ask for an extension and the head will answer it")]
    elif kind_policy.extendable and not is_head(user, app.provider_org_id, kind_policy.extension_consent):
        errors["consented_by"] = [_("Only {who} can consent to an extension ({article}); "
                                    "ask for one and the head will answer it").format(
            who=kind_policy.consent_label("en" if _english() else "zh") or "",
            article=kind_policy.extension_article or "")]
    if errors:
        model.Session.rollback()
        raise tk.ValidationError(errors)
    new_due = workdays.naive_utc(kind_policy.extended_deadline(app.due_at, days))
    requested_by = (request or {}).get("requested_by") or user.id
    _commit_step(lambda: workflow.extend(app, user.id, days, reason, user.id, new_due, requested_by))
    return application_dict(app, user)


@tk.validate(gs_schema.application_extension_decline_schema)
def govshare_application_extension_decline(context: Context, data_dict: DataDict) -> ActionResult.AnyDict:
    """The head declines the department's request for an extension; the deadline stays.

    :param id: the application
    :type id: string
    :param reason: why (optional)
    :type reason: string
    :returns: the application
    :rtype: dictionary
    """
    user, app = _locked(context, data_dict, "govshare_application_extend")
    kind_policy = deadlines.policy_for(app.policy).kind(app.kind)
    request = pending_extension_request(app)
    errors: dict[str, list[str]] = {}
    if request is None:
        errors["id"] = [_("No extension request awaits an answer")]
    elif not is_head(user, app.provider_org_id, kind_policy.extension_consent):
        errors["id"] = [_("Only the head who must consent can decline an extension request")]
    if errors:
        model.Session.rollback()
        raise tk.ValidationError(errors)
    workflow.log(app, "extension_decline", user.id, app.status,
                 {"reason": data_dict.get("reason"), "requested_by": request["requested_by"]})
    signals.commit()
    return application_dict(app, user)


@tk.validate(gs_schema.application_forward_schema)
def govshare_application_forward(context: Context, data_dict: DataDict) -> ActionResult.AnyDict:
    """The data authority forwards a request addressed to no department (an open-data
    demand "由平台转交") to the department that holds the data (chongqing-2018 §19 ¶3,
    kunming-2019 §25). The deadline keeps running from receipt (shijingshan-2017 §22).

    :param id: the application
    :type id: string
    :param organization_id: the department that answers it
    :type organization_id: string
    :param note: a note for the department (optional)
    :type note: string
    :returns: the application
    :rtype: dictionary
    """
    user, app = _locked(context, data_dict, "govshare_application_forward")
    errors: dict[str, list[str]] = {}
    org = model.Group.get(data_dict["organization_id"])
    if org is None or not org.is_organization or org.state != "active":
        errors["organization_id"] = [_("No such department")]
    if app.provider_org_id:
        errors["id"] = [_("This request is addressed to a department already")]
    elif not app.pending:
        errors["id"] = [_("Only a pending request can be forwarded")]
    if errors:
        model.Session.rollback()
        raise tk.ValidationError(errors)
    assert org is not None
    app.provider_org_id = org.id
    app.modified_at = utcnow()
    workflow.log(app, "forward", user.id, app.status,
                 {"organization_id": org.id, "note": data_dict.get("note")})
    signals.commit()
    return application_dict(app, user)


def _english() -> bool:
    try:
        return (tk.h.lang() or "").startswith("en")
    except (RuntimeError, AttributeError):
        return False


@tk.validate(gs_schema.application_approve_schema)
def govshare_application_approve(context: Context, data_dict: DataDict) -> ActionResult.AnyDict:
    """Approve: an open or share application opens the data to the applicant at once
    (chongqing-2018 §24), for the period granted.

    :param id: the application
    :type id: string
    :param conditions: conditions of use
    :type conditions: string
    :param expires_at: when access ends: an ISO date-time (UTC unless it names a time zone),
        or a date (the end of that day, Beijing time); defaults to the end of the period the
        applicant asked for, if any
    :type expires_at: string
    :param reply: the reply to the applicant
    :type reply: string
    :returns: the application (``grant_id`` names the grant)
    :rtype: dictionary
    """
    user, app = _locked(context, data_dict, "govshare_application_approve")
    _not_own(user, app)
    # naive UTC or None: parsed and checked by the schema (validators.govshare_expiry)
    expires = data_dict.get("expires_at")
    if expires is None and app.period_end:
        expires = workdays.end_of_day_utc(app.period_end)
    _commit_step(lambda: workflow.approve(app, user.id, data_dict.get("conditions"), expires, data_dict.get("reply")))
    access.forget_cached_principals()
    return application_dict(app, user)


@tk.validate(gs_schema.application_refuse_schema)
def govshare_application_refuse(context: Context, data_dict: DataDict) -> ActionResult.AnyDict:
    """Refuse, stating the reasons and the basis (chongqing-2019 §33 "说明理由，并提供依据";
    chongqing-2018 §19 and §24).

    :param id: the application
    :type id: string
    :param reason: why the application is refused
    :type reason: string
    :param basis: the legal or policy basis of the refusal
    :type basis: string
    :returns: the application
    :rtype: dictionary
    """
    user, app = _locked(context, data_dict, "govshare_application_refuse")
    _not_own(user, app)
    errors = {}
    if not data_dict.get("reason"):
        errors["reason"] = [_("A refusal must state its reasons (chongqing-2019 §33)")]
    if not data_dict.get("basis"):
        errors["basis"] = [_("A refusal must state its basis (chongqing-2019 §33)")]
    if errors:
        model.Session.rollback()
        raise tk.ValidationError(errors)
    _commit_step(lambda: workflow.refuse(app, user.id, data_dict["reason"], data_dict["basis"]))
    return application_dict(app, user)


@tk.validate(gs_schema.application_withdraw_schema)
def govshare_application_withdraw(context: Context, data_dict: DataDict) -> ActionResult.AnyDict:
    """The applicant withdraws a pending application.

    :param id: the application
    :type id: string
    :param reason: why (optional)
    :type reason: string
    :returns: the application
    :rtype: dictionary
    """
    user, app = _locked(context, data_dict, "govshare_application_withdraw")
    _commit_step(lambda: workflow.withdraw(app, user.id, data_dict.get("reason")))
    return application_dict(app, user)


@tk.side_effect_free
def govshare_application_event_list(context: Context, data_dict: DataDict) -> ActionResult.AnyList:
    """The event log of an application (read-only: no action changes or removes events).

    :param id: the application
    :type id: string
    :returns: events, oldest first
    :rtype: list of dictionaries
    """
    app = _get(tk.get_or_bust(data_dict, "id"))
    tk.check_access("govshare_application_show", context, {"id": app.id})
    return [e.as_dict() for e in model.Session.query(ApplicationEvent)
            .filter_by(application_id=app.id).order_by(ApplicationEvent.id)]


@tk.side_effect_free
def govshare_deadline_policy_show(context: Context, data_dict: DataDict) -> ActionResult.AnyDict:
    """The statutory deadline policy the platform runs (``ckanext.govshare.deadline_policy``),
    or a bundled one by name: per request kind the reply limit, the one extension and who
    consents, each with its article; when a reply is due soon; the catalogue upkeep
    deadlines. All limits are working days (docs/deadlines.md).

    :param name: a bundled policy (``chongqing-2018``, ``chongqing-2019``, ``kunming-2019``,
        ``shenyang-2016``, ``shijingshan-2017``); the configured policy when omitted
    :type name: string
    :returns: ``name``, ``title``, ``due_soon_days``, ``kinds`` (``kind``, ``label``,
        ``reply_days``, ``reply_article``, ``extension_days``, ``extension_article``,
        ``extension_consent``, ``consent_label``, ``note``, ``inherited_from``) and ``upkeep``
        (``duty``, ``label``, ``days`` or ``period_months``, ``article``, ``note``)
    :rtype: dictionary
    """
    tk.check_access("govshare_deadline_policy_show", context, data_dict)
    name = data_dict.get("name")
    if name is None or name == "":
        policy = deadlines.get_policy()
    elif isinstance(name, str) and name in deadlines.policy_names():
        policy = deadlines.load_policy(name)
    else:
        raise tk.ValidationError({"name": [_("No such deadline policy")]})
    lang = "en" if _english() else "zh"
    return {
        "name": policy.name, "title": policy.title(lang), "due_soon_days": policy.due_soon_days,
        "kinds": [{
            "kind": k.kind, "label": k.label(lang), "reply_days": k.reply_days, "reply_article": k.reply_article,
            "extension_days": k.extension_days, "extension_article": k.extension_article,
            "extension_consent": k.extension_consent, "consent_label": k.consent_label(lang),
            "note": k.note, "inherited_from": k.inherited_from,
        } for k in policy.kinds.values()],
        "upkeep": [{
            "duty": u.duty, "label": u.label_en if lang == "en" else u.label_zh, "days": u.days,
            "period_months": u.period_months, "article": u.article, "note": u.note,
        } for u in policy.upkeep.values()],
    }
