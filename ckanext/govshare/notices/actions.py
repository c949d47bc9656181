# -*- coding: utf-8 -*-
"""Update notices (shenyang-2016 §22) and catalogue upkeep (shenyang-2016 §12, §22;
kunming-2019 §18):

- ``govshare_subscription_create`` / ``govshare_subscription_delete``: follow an entry you may see;
- ``govshare_notice_list`` / ``govshare_notice_mark_read``: your notices and their unread count;
- ``govshare_upkeep_list``: a department's entries overdue against their 更新周期 and its open
  upkeep duties with their deadlines in working days.
"""
from __future__ import annotations

from typing import Any, Optional

import sqlalchemy as sa

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict, Schema, Validator

from ckanext.govshare.access import rules as access
from ckanext.govshare.applications import deadlines
from ckanext.govshare.notices import changes, upkeep
from ckanext.govshare.notices.model import Notice, Subscription, utcnow

__all__ = ["govshare_subscription_create", "govshare_subscription_delete", "govshare_notice_list",
           "govshare_notice_mark_read", "govshare_upkeep_list"]

_ = tk._
MAX_LIMIT = 200


@tk.validator_args
def subscription_schema(not_empty: Validator, govshare_id: Validator) -> Schema:
    return {"package_id": [not_empty, govshare_id]}


@tk.validator_args
def notice_list_schema(ignore_missing: Validator, govshare_boolean: Validator,
                       govshare_positive_int: Validator) -> Schema:
    return {"unread_only": [ignore_missing, govshare_boolean], "limit": [ignore_missing, govshare_positive_int]}


@tk.validator_args
def notice_mark_read_schema(ignore_missing: Validator, govshare_id: Validator) -> Schema:
    return {"id": [ignore_missing, govshare_id]}


@tk.validator_args
def upkeep_list_schema(not_empty: Validator, govshare_id: Validator) -> Schema:
    return {"organization_id": [not_empty, govshare_id]}


def _user(context: Context) -> Optional[model.User]:
    user = context.get("auth_user_obj")
    if isinstance(user, model.User):
        return user
    name = context.get("user")
    return model.User.get(name) if isinstance(name, str) and name else None


def _visible(user: model.User, package_id: str) -> model.Package:
    pkg = model.Package.get(package_id)
    if pkg is None or pkg.state != "active" or not access.knows_of(access.principal_for(user), pkg):
        raise tk.ObjectNotFound(_("Dataset not found"))
    return pkg


def _commit(context: Context) -> None:
    if not context.get("defer_commit"):
        model.Session.commit()


@tk.validate(subscription_schema)
def govshare_subscription_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Subscribe to a dataset you may see: you are told when its data or conditions change
    (shenyang-2016 §22). Subscribing twice is one subscription.

    :param package_id: the dataset (id or name)
    :type package_id: string
    :returns: ``{"package_id": …, "subscribed": true}``
    :rtype: dictionary
    """
    tk.check_access("govshare_subscription_create", context, data_dict)
    user = _user(context)
    assert user is not None
    pkg = _visible(user, data_dict["package_id"])
    exists = model.Session.query(Subscription.id).filter(
        Subscription.user_id == user.id, Subscription.package_id == pkg.id).first()
    if not exists:
        model.Session.add(Subscription(user_id=user.id, package_id=pkg.id))
        changes.observe(pkg)  # the baseline a later change is measured against
        _commit(context)
    return {"package_id": pkg.id, "subscribed": True}


@tk.validate(subscription_schema)
def govshare_subscription_delete(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Unsubscribe from a dataset.

    :param package_id: the dataset (id or name)
    :type package_id: string
    :returns: ``{"package_id": …, "subscribed": false}``
    :rtype: dictionary
    """
    tk.check_access("govshare_subscription_delete", context, data_dict)
    user = _user(context)
    assert user is not None
    pkg = model.Package.get(data_dict["package_id"])
    if pkg is None:
        raise tk.ObjectNotFound(_("Dataset not found"))
    model.Session.query(Subscription).filter(
        Subscription.user_id == user.id, Subscription.package_id == pkg.id).delete(synchronize_session=False)
    _commit(context)
    return {"package_id": pkg.id, "subscribed": False}


def is_subscribed(user: Optional[model.User], package_id: str) -> bool:
    if user is None:
        return False
    return model.Session.query(Subscription.id).filter(
        Subscription.user_id == user.id, Subscription.package_id == package_id).first() is not None


def unread_count(user: Optional[model.User]) -> int:
    if user is None:
        return 0
    return model.Session.query(sa.func.count(Notice.id)).filter(
        Notice.user_id == user.id, Notice.read_at.is_(None)).scalar() or 0


@tk.side_effect_free
@tk.validate(notice_list_schema)
def govshare_notice_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Your update notices, newest first, and how many are unread. A notice about a dataset
    that has since been withheld from you is left out.

    :param unread_only: only the unread ones
    :type unread_only: bool
    :param limit: at most this many (default and maximum 200)
    :type limit: int
    :returns: ``{"unread": n, "notices": [...]}``, each notice with the dataset's name and title
    :rtype: dictionary
    """
    tk.check_access("govshare_notice_list", context, data_dict)
    user = _user(context)
    assert user is not None
    query = (model.Session.query(Notice, model.Package)
             .join(model.Package, model.Package.id == Notice.package_id)
             .filter(Notice.user_id == user.id))
    if data_dict.get("unread_only"):
        query = query.filter(Notice.read_at.is_(None))
    principal = access.principal_for(user)
    out = []
    for notice, pkg in query.order_by(Notice.created_at.desc()).limit(min(data_dict.get("limit") or MAX_LIMIT,
                                                                           MAX_LIMIT)):
        if pkg.state != "active" or not access.knows_of(principal, pkg):
            continue
        item = notice.as_dict()
        item.update({"package_name": pkg.name, "package_title": pkg.title})
        out.append(item)
    return {"unread": unread_count(user), "notices": out}


@tk.validate(notice_mark_read_schema)
def govshare_notice_mark_read(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Mark one of your notices read, or all of them.

    :param id: the notice; every unread notice of yours when omitted
    :type id: string
    :returns: ``{"marked": n, "unread": n}``
    :rtype: dictionary
    """
    tk.check_access("govshare_notice_mark_read", context, data_dict)
    user = _user(context)
    assert user is not None
    query = model.Session.query(Notice).filter(Notice.user_id == user.id, Notice.read_at.is_(None))
    if data_dict.get("id"):
        query = query.filter(Notice.id == data_dict["id"])
    marked = query.update({Notice.read_at: utcnow()}, synchronize_session=False)
    _commit(context)
    return {"marked": marked, "unread": unread_count(user)}


@tk.side_effect_free
@tk.validate(upkeep_list_schema)
def govshare_upkeep_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """A department's catalogue upkeep: its entries whose data is older than their 更新周期
    allows (shenyang-2016 §12, kunming-2019 §18), and its open upkeep duties (an objection to
    correct) with their deadline in working days under the active policy (shenyang-2016 §12,
    §22: 2; kunming-2019 §18: 5). For the department's members and the data authority.

    :param organization_id: the department (id or name)
    :type organization_id: string
    :returns: ``{"overdue_entries": [...], "duties": [...], "policy": …}``
    :rtype: dictionary
    """
    org = model.Group.get(data_dict["organization_id"])
    if org is None or not org.is_organization or org.state != "active":
        raise tk.ObjectNotFound(_("Department not found"))
    tk.check_access("govshare_upkeep_list", context, {"organization_id": org.id})
    now = utcnow()
    policy = deadlines.get_policy()
    limits = [{"duty": d, "days": u.days, "article": u.article,
               "label": deadlines.UPKEEP_DUTIES.get(d, (u.label_zh, u.label_en))}
              for d, u in policy.upkeep.items() if d in upkeep.DUTIES and u.days is not None]
    return {"organization_id": org.id, "policy": policy.name, "limits": limits,
            "overdue_entries": upkeep.overdue_entries(org.id, now), "duties": upkeep.open_duties(org.id, now)}
