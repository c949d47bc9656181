# -*- coding: utf-8 -*-
"""Notices' receivers of CKAN's signals (shenyang-2016 §22): after ``package_create`` the
entry's fingerprints are the baseline; after ``package_update`` (which ``package_patch`` and
the ``resource_*`` actions go through) a change of its data or conditions closes its open
upkeep duties (``upkeep.py``) and queues the notices (``jobs.entry_changed``). No core action
is wrapped."""
from __future__ import annotations

import logging
from typing import Any, Optional

from flask import has_request_context
from redis.exceptions import RedisError

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import SignalMapping

from ckanext.govshare.notices import changes, jobs, upkeep
from ckanext.govshare.notices.model import utcnow

__all__ = ["get_signal_subscriptions", "entry_saved", "message"]

log = logging.getLogger(__name__)
_ = tk._


def get_signal_subscriptions() -> SignalMapping:
    return {tk.signals.action_succeeded: [
        {"sender": "package_create", "receiver": entry_saved},
        {"sender": "package_update", "receiver": entry_saved},
    ]}


def _package_id(kwargs: dict[str, Any]) -> Optional[str]:
    result, data_dict = kwargs.get("result"), kwargs.get("data_dict") or {}
    if isinstance(result, dict) and isinstance(result.get("id"), str):
        return result["id"]
    if isinstance(result, str) and result:
        return result
    return data_dict.get("id") if isinstance(data_dict.get("id"), str) else None


def _actor_id(context: dict[str, Any]) -> Optional[str]:
    user = context.get("auth_user_obj")
    if isinstance(user, model.User):
        return user.id
    name = context.get("user")
    found = model.User.get(name) if isinstance(name, str) and name else None
    return found.id if found else None


def _link(pkg: model.Package) -> str:
    if has_request_context():
        return tk.h.url_for("dataset.read", id=pkg.name, _external=True)
    return f"{(tk.config.get('ckan.site_url') or '').rstrip('/')}/dataset/{pkg.name}"


def message(pkg: model.Package, kinds: list[str]) -> tuple[str, str]:
    """The mail's subject and body, rendered in the request (the worker has no locale)."""
    what = {"data": _("its data (resources) changed"),
            "conditions": _("its open or share attribute or its conditions changed")}
    subject = _("Update notice: {title}").format(title=pkg.title or pkg.name)
    lines = [_("The dataset {title} was updated:").format(title=pkg.title or pkg.name)]
    lines += [f"- {what[k]}" for k in kinds]
    lines += ["", _link(pkg), "",
              _("You receive this notice because you hold access to the dataset or subscribed to it.")]
    return subject, "\n".join(lines)


def entry_saved(sender: str, **kwargs: Any) -> None:
    context = kwargs.get("context") or {}
    package_id = _package_id(kwargs)
    pkg = model.Package.get(package_id) if package_id else None
    if pkg is None or pkg.type != "dataset":
        return
    now = utcnow()
    changed = changes.observe(pkg, now) if pkg.state == "active" else []
    if changed:
        upkeep.close_for(pkg.id, now)
    if not context.get("defer_commit"):
        model.Session.commit()
    if not changed:
        return
    subject, body = message(pkg, changed)
    args = [pkg.id, changed, _actor_id(context), subject, body]
    try:
        tk.enqueue_job(jobs.entry_changed, args, title=f"govshare notices: entry {pkg.id} changed")
    except (RedisError, OSError) as e:
        # the job queue is down: the site notices are written now; the mail cannot be queued
        log.error("update notices of entry %s not queued (job queue unreachable): %s; writing them now", pkg.id, e)
        jobs.entry_changed(*args)
