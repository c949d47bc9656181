# -*- coding: utf-8 -*-
"""Notice pages (shenyang-2016 §22): subscribe / unsubscribe on the entry page, the user's
notices (``/dashboard/notices``; the unread count is in the header) and a department's
upkeep tab (``/organization/<id>/upkeep``: entries overdue against their 更新周期 and open
upkeep duties with their working-day deadlines, shenyang-2016 §12, kunming-2019 §18)."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, request

import ckan.plugins.toolkit as tk

from ckanext.govshare.notices.actions import is_subscribed, unread_count

notices = Blueprint("govshare_notices", __name__)
_ = tk._

__all__ = ["notices", "subscribed", "unread"]


def _context() -> dict[str, Any]:
    user = tk.current_user if tk.current_user.is_authenticated else None
    return {"user": user.name if user else "", "auth_user_obj": user}


def _login() -> Any:
    return tk.redirect_to("user.login", came_from=request.full_path)


def subscribe(id: str, action: str) -> Any:
    if action not in ("subscribe", "unsubscribe"):
        return tk.abort(404)
    if not tk.current_user.is_authenticated:
        return _login()
    name = "govshare_subscription_create" if action == "subscribe" else "govshare_subscription_delete"
    try:
        result = tk.get_action(name)(_context(), {"package_id": id})
    except (tk.ObjectNotFound, tk.ValidationError):
        return tk.abort(404, _("Dataset not found"))
    except tk.NotAuthorized:
        return tk.abort(403, _("Log in to receive update notices"))
    tk.h.flash_success(_("You will be notified when this dataset's data or conditions change.")
                       if result["subscribed"] else _("You will no longer be notified about this dataset."))
    return tk.redirect_to(tk.h.url_for("dataset.read", id=id))


def mine() -> Any:
    if not tk.current_user.is_authenticated:
        return _login()
    result = tk.get_action("govshare_notice_list")(_context(), {})
    return tk.render("govshare/notices/list.html", {"result": result})


def mark_read() -> Any:
    if not tk.current_user.is_authenticated:
        return _login()
    data = {"id": request.form["id"]} if request.form.get("id") else {}
    try:
        tk.get_action("govshare_notice_mark_read")(_context(), data)
    except tk.ValidationError:
        return tk.abort(400, _("Not a notice"))
    return tk.redirect_to("govshare_notices.mine")


def upkeep(id: str) -> Any:
    if not tk.current_user.is_authenticated:
        return _login()
    try:
        org = tk.get_action("organization_show")(_context(), {"id": id, "include_datasets": False})
        result = tk.get_action("govshare_upkeep_list")(_context(), {"organization_id": org["id"]})
    except (tk.ObjectNotFound, tk.ValidationError):
        return tk.abort(404, _("Department not found"))
    except tk.NotAuthorized:
        return tk.abort(403, _("Only the department's members and the data authority see its upkeep"))
    return tk.render("govshare/notices/upkeep.html", {
        "result": result, "group_dict": org, "group_type": "organization"})


def subscribed(package_id: str) -> bool:
    """Template helper: is the current user subscribed to the entry?"""
    return is_subscribed(tk.current_user if tk.current_user.is_authenticated else None, package_id)


def unread() -> int:
    """Template helper: the current user's unread notices."""
    return unread_count(tk.current_user if tk.current_user.is_authenticated else None)


notices.add_url_rule("/govshare/dataset/<id>/<action>", view_func=subscribe, methods=["POST"], endpoint="subscribe")
notices.add_url_rule("/dashboard/notices", view_func=mine, endpoint="mine")
notices.add_url_rule("/dashboard/notices/read", view_func=mark_read, methods=["POST"], endpoint="mark_read")
notices.add_url_rule("/organization/<id>/upkeep", view_func=upkeep, endpoint="upkeep")
