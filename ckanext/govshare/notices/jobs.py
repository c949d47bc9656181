# -*- coding: utf-8 -*-
"""The background side of update notices (shenyang-2016 §22: 在共享信息产生或者变更之后…
通知该共享信息的获取方): the request that changed an entry only queues :func:`entry_changed`
(``tk.enqueue_job``); the worker writes one site notice per recipient and queues one mail per
recipient (``applications/notify.py``: rate limit, SMTP timeout, retries).

Recipients: holders of a valid grant for the entry (an open grant's user; every member of a
share grant's department) and its subscribers — each only while the entry is visible to them
(``access/rules.py``), never the person who made the change."""
from __future__ import annotations

import logging
from typing import Optional

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.govshare.access import rules as access
from ckanext.govshare.access.grants import Grant
from ckanext.govshare.applications import notify
from ckanext.govshare.notices.model import Notice, Subscription, utcnow

__all__ = ["recipients", "entry_changed"]

log = logging.getLogger(__name__)


def recipients(pkg: model.Package, actor_id: Optional[str] = None) -> dict[str, str]:
    """user id -> why they are told (``grant`` before ``subscription``)."""
    found: dict[str, str] = {}
    for grant in Grant.valid_query().filter(Grant.package_id == pkg.id):
        if grant.kind == "open" and grant.user_id:
            found[grant.user_id] = "grant"
        elif grant.kind == "share" and grant.organization_id:
            for (user_id,) in model.Session.query(model.Member.table_id).filter(
                    model.Member.group_id == grant.organization_id, model.Member.table_name == "user",
                    model.Member.state == "active"):
                found[user_id] = "grant"
    for (user_id,) in model.Session.query(Subscription.user_id).filter(Subscription.package_id == pkg.id):
        found.setdefault(user_id, "subscription")
    found.pop(actor_id or "", None)
    site_user = tk.config.get("ckan.site_id")  # the platform's own account is nobody to tell
    users = {u.id: u for u in model.Session.query(model.User).filter(
        model.User.id.in_(list(found)), model.User.state == "active", model.User.name != site_user)} if found else {}
    return {uid: why for uid, why in found.items()
            if uid in users and access.knows_of(access.principal_for(users[uid]), pkg)}


def entry_changed(package_id: str, kinds: list[str], actor_id: Optional[str], subject: str, body: str) -> int:
    """Background job: notify the entry's grant holders and subscribers that its ``kinds``
    (``data``, ``conditions``) changed. The number of notices written."""
    pkg = model.Package.get(package_id)
    if pkg is None or pkg.state != "active":
        return 0
    told = recipients(pkg, actor_id)
    now = utcnow()
    for user_id, why in told.items():
        model.Session.add(Notice(user_id=user_id, package_id=pkg.id, kind=",".join(kinds), reason=why,
                                 created_at=now))
    model.Session.commit()
    users = model.Session.query(model.User).filter(model.User.id.in_(list(told))).all() if told else []
    mails = [notify.Recipient(u.id, u.fullname or u.name, u.email.strip()) for u in users if (u.email or "").strip()]
    queued = notify.queue_mail(mails, subject, body, f"entry {pkg.id}")
    log.info("entry %s changed (%s): %s notices, %s mails queued", pkg.id, ",".join(kinds), len(told), queued)
    return len(told)
