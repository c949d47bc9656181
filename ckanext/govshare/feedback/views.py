# -*- coding: utf-8 -*-
"""Feedback pages (chongqing-2018 §25, chongqing-2019 §37): the forms on the entry page
(``templates/govshare/feedback/entry.html``) post here; each goes through the
``govshare_feedback_*`` actions, so the page and the API enforce the same rules. The ratings
list (``/govshare/ratings``) shows the average rating of the entries the caller may see."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, request

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.govshare.feedback import rules
from ckanext.govshare.feedback.actions import max_chars, rating_summary
from ckanext.govshare.feedback.model import Feedback

feedback = Blueprint("govshare_feedback", __name__)
_ = tk._

__all__ = ["feedback", "entry_feedback"]


def _context() -> dict[str, Any]:
    user = tk.current_user if tk.current_user.is_authenticated else None
    return {"user": user.name if user else "", "auth_user_obj": user}


def _labels() -> dict[str, str]:
    return {"rating": _("Rating"), "comment": _("Comment"), "reply": _("Answer"), "reason": _("Reason"),
            "package_id": _("Dataset"), "id": _("Comment"), "objection": _("The dataset is wrong or out of date")}


def _flash_errors(e: tk.ValidationError) -> None:
    for field, messages in e.error_dict.items():
        for message in messages if isinstance(messages, list) else [messages]:
            label = _labels().get(field)
            tk.h.flash_error(_("{label}: {message}").format(label=label, message=message) if label else str(message))


def _back(pkg_name: str) -> Any:
    return tk.redirect_to(tk.h.url_for("dataset.read", id=pkg_name) + "#govshare-feedback")


def _form() -> dict[str, Any]:
    return {k: v for k, v in request.form.items() if k not in ("save", "_csrf_token")}


def create(id: str) -> Any:
    if not tk.current_user.is_authenticated:
        return tk.redirect_to("user.login", came_from=tk.h.url_for("dataset.read", id=id))
    data = _form()
    data.pop("id", None)
    try:
        tk.get_action("govshare_feedback_create")(_context(), {**data, "package_id": id})
    except tk.ObjectNotFound:
        return tk.abort(404, _("Dataset not found"))
    except tk.NotAuthorized:
        return tk.abort(403, _("You cannot comment on this dataset"))
    except tk.ValidationError as e:
        _flash_errors(e)
        return _back(id)
    tk.h.flash_success(_("Thank you: your rating and comment were published."))
    return _back(id)


def moderate(fid: str, action: str) -> Any:
    if action not in ("reply", "hide"):
        return tk.abort(404)
    if not tk.current_user.is_authenticated:
        return tk.redirect_to("user.login")
    row = model.Session.get(Feedback, fid)
    pkg = rules.visible_entry(tk.current_user, row.package_id) if row is not None else None
    if pkg is None:
        return tk.abort(404, _("Comment not found"))
    data = _form()
    data["id"] = fid
    try:
        tk.get_action(f"govshare_feedback_{action}")(_context(), data)
    except tk.ObjectNotFound:
        return tk.abort(404, _("Comment not found"))
    except tk.NotAuthorized:
        return tk.abort(403, _("You cannot moderate comments on this dataset"))
    except tk.ValidationError as e:
        _flash_errors(e)
        return _back(pkg.name)
    tk.h.flash_success(_("The answer was published.") if action == "reply"
                       else _("The comment was hidden from the public."))
    return _back(pkg.name)


def ratings() -> Any:
    """The average rating of every rated entry the caller may see, best first."""
    user = tk.current_user if tk.current_user.is_authenticated else None
    ids = [pid for (pid,) in model.Session.query(Feedback.package_id).filter(
        Feedback.hidden_at.is_(None)).distinct()]
    summary = rating_summary(ids)
    rows = []
    for pkg in model.Session.query(model.Package).filter(model.Package.id.in_(ids)) if ids else []:
        if rules.visible_entry(user, pkg.id) is None:
            continue
        rows.append({"name": pkg.name, "title": pkg.title, **summary[pkg.id]})
    rows.sort(key=lambda r: (-r["average"], -r["count"], r["title"] or ""))
    return tk.render("govshare/feedback/ratings.html", {"rows": rows})


def entry_feedback(package_id: str) -> dict[str, Any]:
    """What the entry page's feedback section shows to the current user (template helper)."""
    try:
        result = tk.get_action("govshare_feedback_list")(_context(), {"package_id": package_id})
    except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError):
        result = {"average": None, "count": 0, "comments": [], "moderator": False}
    return {**result, "max_chars": max_chars()}


def can_reply(package_id: str) -> bool:
    """Template helper: may the current user answer comments on the entry?"""
    pkg = model.Package.get(package_id)
    user = tk.current_user if tk.current_user.is_authenticated else None
    return pkg is not None and rules.is_department(user, pkg)


feedback.add_url_rule("/govshare/dataset/<id>/feedback", view_func=create, methods=["POST"], endpoint="create")
feedback.add_url_rule("/govshare/feedback/<fid>/<action>", view_func=moderate, methods=["POST"], endpoint="moderate")
feedback.add_url_rule("/govshare/ratings", view_func=ratings, endpoint="ratings")
