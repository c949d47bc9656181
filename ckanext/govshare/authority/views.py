# -*- coding: utf-8 -*-
"""The data authority's workspace (``/authority``): entries awaiting review with their due
dates and the approve / reject (with a reason) forms, overdue reviews, every department's
pending and overdue requests, and requests addressed to no department. Only the authority
(``role.is_authority``) may open it; everyone else gets a 403."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, request

import ckan.plugins.toolkit as tk

from ckanext.govshare.authority import workspace
from ckanext.govshare.authority.role import is_authority

authority = Blueprint("govshare_authority", __name__)
_ = tk._


def _context() -> dict[str, Any]:
    return {"user": tk.current_user.name if tk.current_user.is_authenticated else "",
            "auth_user_obj": tk.current_user if tk.current_user.is_authenticated else None}


def _guard() -> Any:
    if not tk.current_user.is_authenticated:
        return tk.redirect_to("user.login", came_from=request.full_path)
    if not is_authority(tk.current_user.name):
        return tk.abort(403, _("Only the data authority can open its workspace"))
    return None


def index() -> Any:
    refused = _guard()
    if refused is not None:
        return refused
    reviews = tk.get_action("govshare_review_list")(_context(), {"status": "pending"})
    return tk.render("govshare/authority/workspace.html", {
        "reviews": reviews, "overdue_reviews": [r for r in reviews if r["overdue"]],
        "requests": workspace.requests()})


def review(id: str) -> Any:
    """One review: the entry as the department submitted it, its history and the decision forms."""
    refused = _guard()
    if refused is not None:
        return refused
    context = _context()
    try:
        row = next((r for r in tk.get_action("govshare_review_list")(context, {"status": "all"})
                    if r["id"] == id), None)
        if row is None:
            return tk.abort(404, _("Review not found"))
        state = tk.get_action("govshare_review_show")(context, {"id": row["package_id"]})
        # the authority reads the entry under review whatever its visibility
        pkg = tk.get_action("package_show")({**context, "ignore_auth": True}, {"id": row["package_id"]})
    except tk.ObjectNotFound:
        return tk.abort(404, _("Review not found"))
    return tk.render("govshare/authority/review.html", {
        "review": row, "history": state["history"], "pkg": pkg,
        "schema": tk.h.scheming_get_dataset_schema(pkg.get("type") or "dataset")})


def decide(id: str, decision: str) -> Any:
    refused = _guard()
    if refused is not None:
        return refused
    if decision not in ("approve", "reject"):
        return tk.abort(404)
    reason = request.form.get("reason", "")
    try:
        tk.get_action(f"govshare_review_{decision}")(_context(), {"id": id, "reason": reason})
    except tk.NotAuthorized:
        return tk.abort(403, _("Only the data authority reviews catalogue entries"))
    except tk.ObjectNotFound:
        return tk.abort(404, _("Review not found"))
    except tk.ValidationError as e:
        for messages in e.error_dict.values():
            for message in messages if isinstance(messages, list) else [messages]:
                tk.h.flash_error(str(message))
        return tk.redirect_to("govshare_authority.index")
    tk.h.flash_success(_("The entry was approved and published.") if decision == "approve"
                       else _("The entry was returned to its department with your reason."))
    return tk.redirect_to("govshare_authority.index")


authority.add_url_rule("/authority", view_func=index, endpoint="index")
authority.add_url_rule("/authority/review/<id>", view_func=review, endpoint="review")
authority.add_url_rule("/authority/review/<id>/<decision>", view_func=decide, methods=["POST"], endpoint="decide")
