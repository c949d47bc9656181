# -*- coding: utf-8 -*-
"""The department's page of its entries under review: waiting for the authority, or returned
with the authority's reason to be fixed and saved again (shenyang-2016 §12)."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, request

import ckan.plugins.toolkit as tk

from ckanext.govshare.review import workflow

review = Blueprint("govshare_review", __name__)
_ = tk._


def _context() -> dict[str, Any]:
    return {"user": tk.current_user.name if tk.current_user.is_authenticated else "",
            "auth_user_obj": tk.current_user if tk.current_user.is_authenticated else None}


def department(id: str) -> Any:
    """A department's entries under review (pending or returned), the nearest deadline first."""
    if not tk.current_user.is_authenticated:
        return tk.redirect_to("user.login", came_from=request.full_path)
    try:
        org = tk.get_action("organization_show")(_context(), {"id": id})
        reviews = tk.get_action("govshare_review_list")(
            _context(), {"organization_id": org["id"], "status": "open"})
    except tk.ObjectNotFound:
        return tk.abort(404, _("Department not found"))
    except tk.NotAuthorized:
        return tk.abort(403, _("Only the department's members and the data authority can see its reviews"))
    return tk.render("govshare/review/department.html", {
        "reviews": reviews, "org": org, "group_dict": org, "group_type": "organization"})


review.add_url_rule("/organization/<id>/reviews", view_func=department, endpoint="department")


# --- template helpers (registered through helpers.py) ----------------------------------------

def entry_state(package_id: str) -> Any:
    """The entry's latest review for the current user, when they are its department's member or
    the authority; ``None`` for everyone else and for an entry never reviewed."""
    if not tk.current_user.is_authenticated or not package_id:
        return None
    try:
        return tk.get_action("govshare_review_show")(_context(), {"id": package_id})["current"]
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return None


def status_label(status: str) -> str:
    """A review's status in the user's language."""
    return {"pending": _("Awaiting the authority's review"), "approved": _("Approved and published"),
            "rejected": _("Returned to the department")}.get(status, status)


def kind_label(kind: str) -> str:
    """What was submitted: a new entry or a change to a published one."""
    return {"new": _("New entry"), "change": _("Change to a published entry")}.get(kind, kind)


def review_days() -> int:
    """The working days the authority has for a review under the active deadline profile."""
    return workflow.review_days()[0]
