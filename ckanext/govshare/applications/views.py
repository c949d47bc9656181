# -*- coding: utf-8 -*-
"""Web pages for applications: apply on a dataset, my applications, a department's inbox
(sorted by deadline, overdue and due-soon highlighted), one application with its event
log and the department's decision and extension forms.

Every page goes through the ``govshare_application_*`` actions, so the web and the API
enforce the same rules."""
from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, request

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.govshare import vocab
from ckanext.govshare.access import rules as access
from ckanext.govshare.applications import deadlines
from ckanext.govshare.applications import identity
from ckanext.govshare.applications import workflow
from ckanext.govshare.applications.actions import is_head
from ckanext.govshare.vocab import identifiers

applications = Blueprint("govshare_application", __name__)
_ = tk._

# the kinds filed on a dataset's page (an open-data demand has its own form, /demand)
FORM_KINDS = vocab.ENTRY_KINDS
DEMAND_KIND = "open_demand"
assert DEMAND_KIND in vocab.APPLICATION_KINDS and DEMAND_KIND not in FORM_KINDS


def _context() -> dict[str, Any]:
    return {"user": tk.current_user.name if tk.current_user.is_authenticated else "",
            "auth_user_obj": tk.current_user if tk.current_user.is_authenticated else None}


def _require_login() -> Any:
    if not tk.current_user.is_authenticated:
        return tk.redirect_to("user.login", came_from=request.full_path)
    return None


def _field_labels(kind: str = "") -> dict[str, str]:
    """The labels the forms give the fields, for error summaries and messages (never the
    raw key: "用途：必填", not "purpose: 必填")."""
    return {
        "kind": _("Kind"), "package_id": _("Dataset"), "organization_id": _("Department"),
        "applicant_type": _("Applicant type"), "applicant_name": _("Name"),
        "id_number": _("Citizen ID number or unified social credit code"),
        "contact_phone": _("Telephone"), "contact_email": _("Email"),
        "applicant_org_id": _("Applying department"), "purpose": _("Purpose"),
        "usage_scope": _("Scope of use"), "data_items": _("Data items wanted"),
        "period_start": _("Needed from"), "period_end": _("Needed until"),
        "agreement_accepted": _("Data usage agreement"),
        "description": _("Data wanted") if kind == DEMAND_KIND else _("Description"),
        "conditions": _("Conditions of use"), "expires_at": _("Access until"), "reply": _("Reply"),
        "reason": _("Reason"), "basis": _("Basis"), "days": _("Working days to add"),
    }


def _error_summary(errors: dict[str, Any], kind: str = "") -> dict[str, str]:
    """``{label: first message}`` for CKAN's ``form.errors`` macro."""
    labels = _field_labels(kind)
    summary: dict[str, str] = {}
    for key, messages in errors.items():
        message = messages[0] if isinstance(messages, list) and messages else messages
        summary[labels.get(key) or _("Application")] = str(message)
    return summary


def _dataset(id: str) -> dict[str, Any]:
    try:
        return tk.get_action("package_show")(_context(), {"id": id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, _("Dataset not found"))


def _my_departments() -> list[dict[str, Any]]:
    return tk.get_action("organization_list_for_user")(_context(), {"permission": "create_dataset"})


def _bound_identity() -> dict[str, Any] | None:
    """The identity bound to the logged-in account, with its number masked for display."""
    user = model.User.get(tk.current_user.id) if getattr(tk.current_user, "is_authenticated", False) else None
    found = identity.bound(user) if user is not None else None
    if found is not None:
        found["masked"] = identifiers.mask_citizen_id(found["number"])
    return found


def apply(id: str) -> Any:
    """The application form of a dataset (open, share, error report, correction)."""
    pkg = _dataset(id)  # an entry hidden from the user does not exist for them: 404 first
    redirect = _require_login()
    if redirect:
        return redirect
    kind = request.values.get("kind") or ("open" if access.open_type(pkg) == "conditional" else "error_report")
    if kind not in FORM_KINDS:
        return tk.abort(400, _("Unknown kind of request"))
    data: dict[str, Any] = dict(request.form) if request.method == "POST" else {}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        payload = {k: v for k, v in request.form.items() if k not in ("save", "_csrf_token")}
        payload.update({"kind": kind, "package_id": pkg["id"],
                        "agreement_accepted": request.form.get("agreement_accepted") == "on"})
        try:
            result = tk.get_action("govshare_application_create")(_context(), payload)
        except tk.ValidationError as e:
            errors = e.error_dict
        else:
            tk.h.flash_success(_("Your application was received. The department replies by {date}.").format(
                date=tk.h.govshare_date(result["due_date_local"])))
            return tk.redirect_to("govshare_application.read", id=result["id"])
    data.setdefault("client_token", uuid.uuid4().hex)
    return tk.render("govshare/application_form.html", {
        "pkg": pkg, "kind": kind, "data": data, "errors": errors, "bound_identity": _bound_identity(),
        "error_summary": _error_summary(errors, kind),
        "departments": _my_departments(),
    })


def demand() -> Any:
    """An open-data demand (开放需求) for data not yet in the catalogue."""
    redirect = _require_login()
    if redirect:
        return redirect
    data: dict[str, Any] = dict(request.form) if request.method == "POST" else {}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        payload = {k: v for k, v in request.form.items() if k not in ("save", "_csrf_token") and v}
        payload["kind"] = DEMAND_KIND
        try:
            result = tk.get_action("govshare_application_create")(_context(), payload)
        except tk.ValidationError as e:
            errors = e.error_dict
        else:
            tk.h.flash_success(_("Your request was received."))
            return tk.redirect_to("govshare_application.read", id=result["id"])
    data.setdefault("client_token", uuid.uuid4().hex)
    orgs = tk.get_action("organization_list")({}, {"all_fields": True})
    return tk.render("govshare/demand_form.html", {"data": data, "errors": errors, "organizations": orgs,
                                                   "kind": DEMAND_KIND,
                                                   "error_summary": _error_summary(errors, DEMAND_KIND)})


def read(id: str) -> Any:
    redirect = _require_login()
    if redirect:
        return redirect
    try:
        app = tk.get_action("govshare_application_show")(_context(), {"id": id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, _("Application not found"))
    org_id = app["provider_org_id"]
    user = tk.current_user.name
    can_decide = bool(tk.h.check_access("govshare_application_approve", {"id": id}))
    can_extend = bool(tk.h.check_access("govshare_application_extend", {"id": id}))
    kind_policy = deadlines.policy_for(app["policy"]).kinds.get(app["kind"])
    consent = kind_policy.extension_consent if kind_policy else None
    # the workflow's own rule: only a submitted (never extended) application is extended, once
    extendable = bool(kind_policy and kind_policy.extendable) and workflow.allowed("extend", app["status"]) \
        and not app["extension_count"]

    return tk.render("govshare/application_read.html", {
        "app": app, "can_decide": can_decide and app["pending"],
        "can_extend": can_extend and extendable,
        "max_extension_days": kind_policy.extension_days if kind_policy else 0,
        "consent_label": kind_policy.consent_label(tk.h.lang() or "zh") if kind_policy else None,
        "is_head": bool(org_id) and is_head(model.User.get(user), org_id, consent),
        "is_applicant": tk.current_user.id == app["applicant_user_id"],
        "is_operator": bool(getattr(tk.current_user, "sysadmin", False)),
        "can_forward": not org_id and app["pending"]
        and bool(tk.h.check_access("govshare_application_forward", {"id": id})),
        "can_revoke": bool(app.get("grant") and app["grant"]["status"] == "valid"
                           and tk.h.check_access("govshare_grant_revoke", {"id": app["grant_id"]})),
        "errors": {}, "users": {e["actor_user_id"]: model.User.get(e["actor_user_id"])
                                for e in app["events"] if e["actor_user_id"]},
    })


def decide(id: str, action: str) -> Any:
    redirect = _require_login()
    if redirect:
        return redirect
    if action not in ("approve", "refuse", "extend", "extension_request", "extension_decline", "withdraw",
                      "revoke", "forward"):
        return tk.abort(404)
    payload = {k: v for k, v in request.form.items() if k not in ("save", "_csrf_token") and v != ""}
    payload["id"] = id
    try:
        if action == "revoke":
            shown = tk.get_action("govshare_application_show")(_context(), {"id": id})
            if not shown.get("grant_id"):
                return tk.abort(404, _("This application opened no access"))
            tk.get_action("govshare_grant_revoke")(_context(), {**payload, "id": shown["grant_id"]})
        else:
            tk.get_action(f"govshare_application_{action}")(_context(), payload)
    except tk.NotAuthorized:
        return tk.abort(403, _("You cannot do this with this application"))
    except tk.ObjectNotFound:
        return tk.abort(404, _("Application not found"))
    except tk.ValidationError as e:
        for field, messages in e.error_dict.items():
            for message in messages if isinstance(messages, list) else [messages]:
                label = _field_labels().get(field)
                tk.h.flash_error(_("{label}: {message}").format(label=label, message=message)
                                 if label else str(message))
        return tk.redirect_to("govshare_application.read", id=id)
    messages = {"approve": _("The application was approved; the applicant can use the data now."),
                "refuse": _("The application was refused; the applicant sees your reasons."),
                "extend": _("The deadline was extended."), "withdraw": _("The application was withdrawn."),
                "extension_request": _("The extension was requested; the head will answer it."),
                "extension_decline": _("The extension request was declined; the deadline stays."),
                "revoke": _("Access was revoked; the applicant is told why."),
                "forward": _("The request was forwarded; the department answers it within the same deadline.")}
    tk.h.flash_success(messages[action])
    return tk.redirect_to("govshare_application.read", id=id)


def mine() -> Any:
    redirect = _require_login()
    if redirect:
        return redirect
    apps = tk.get_action("govshare_application_list")(_context(), {})
    return tk.render("govshare/application_list.html", {"apps": apps, "inbox": False, "org": None})


# the status filter of an inbox: pending (the default), every status, or one of them
INBOX_FILTERS = ("pending", "all", *vocab.FINAL_STATUSES)


def _inbox_status() -> tuple[str, Any]:
    status = request.args.get("status") or "pending"
    if status not in INBOX_FILTERS:
        status = "pending"
    return status, (None if status == "all" else status)


def inbox(id: str) -> Any:
    redirect = _require_login()
    if redirect:
        return redirect
    status, wanted = _inbox_status()
    try:
        org = tk.get_action("organization_show")(_context(), {"id": id})
        apps = tk.get_action("govshare_application_list")(
            _context(), {"organization_id": org["id"], "status": wanted})
    except tk.ObjectNotFound:
        return tk.abort(404, _("Department not found"))
    except tk.NotAuthorized:
        return tk.abort(403, _("Only members of the department can see its applications"))
    return tk.render("govshare/application_list.html", {
        "apps": apps, "inbox": True, "org": org, "group_dict": org, "group_type": "organization",
        "status": status, "filters": INBOX_FILTERS,
        "filter_url": lambda s: tk.h.url_for("govshare_application.inbox", id=org["name"], status=s)})


def authority() -> Any:
    """The data authority's inbox: requests addressed to no department (open-data demands
    "由平台转交"), to be forwarded (chongqing-2018 §19 ¶3, kunming-2019 §25)."""
    redirect = _require_login()
    if redirect:
        return redirect
    status, wanted = _inbox_status()
    try:
        apps = tk.get_action("govshare_application_list")(_context(), {"authority": True, "status": wanted})
    except tk.NotAuthorized:
        return tk.abort(403, _("Only the data authority handles requests not addressed to a department"))
    return tk.render("govshare/application_list.html", {
        "apps": apps, "inbox": True, "authority": True, "org": None, "status": status, "filters": INBOX_FILTERS,
        "filter_url": lambda s: tk.h.url_for("govshare_application.authority", status=s)})


applications.add_url_rule("/dataset/<id>/apply", view_func=apply, methods=["GET", "POST"])
applications.add_url_rule("/demand", view_func=demand, methods=["GET", "POST"])
applications.add_url_rule("/application/<id>", view_func=read)
applications.add_url_rule("/application/<id>/<action>", view_func=decide, methods=["POST"])
applications.add_url_rule("/user/applications", view_func=mine, endpoint="mine")
applications.add_url_rule("/organization/<id>/applications", view_func=inbox, endpoint="inbox")
applications.add_url_rule("/govshare/authority", view_func=authority, endpoint="authority")
