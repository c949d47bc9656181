# -*- coding: utf-8 -*-
"""The catalogue review's API: list and show reviews, approve (publish) and reject (return
with a reason) an entry (shenyang-2016 §12, chongqing-2019 §14)."""
from __future__ import annotations

import datetime
from typing import Any, Optional

import sqlalchemy as sa

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import ActionResult, Context, DataDict

from ckanext.govshare.access.grants import utcnow
from ckanext.govshare.applications import workdays
from ckanext.govshare.logic import schema as gs_schema
from ckanext.govshare.review import workflow
from ckanext.govshare.review.model import STATUSES, Review

__all__ = ["govshare_review_list", "govshare_review_show", "govshare_review_approve",
           "govshare_review_reject"]

_ = tk._


def _name(user_id: Optional[str]) -> Optional[str]:
    user = model.User.get(user_id) if user_id else None
    return user.name if user is not None else None


def _display(user_id: Optional[str]) -> Optional[str]:
    user = model.User.get(user_id) if user_id else None
    return (user.fullname or user.name) if user is not None else None


def review_dict(row: Review, now: Optional[datetime.datetime] = None) -> dict[str, Any]:
    """A review as the API and the pages show it."""
    now = now or utcnow()
    pkg = model.Package.get(row.package_id)
    org = model.Group.get(row.organization_id) if row.organization_id else None
    iso = lambda d: d.isoformat() if d else None  # noqa: E731
    pending = row.status == "pending"
    remaining = (workdays.get_calendar().working_days_between(workdays.local_date(now),
                                                              workdays.local_date(row.due_at))
                 if pending else None)
    return {
        "id": row.id, "package_id": row.package_id,
        "package_name": pkg.name if pkg else None, "package_title": pkg.title if pkg else None,
        "organization_id": row.organization_id,
        "organization_name": org.name if org else None,
        "organization_title": (org.title or org.name) if org else None,
        "kind": row.kind, "status": row.status, "pending": pending,
        "submitted_by": _name(row.submitted_by), "submitted_by_display": _display(row.submitted_by),
        "submitted_at": iso(row.submitted_at),
        "review_days": row.review_days, "due_at": iso(row.due_at),
        "due_date_local": workdays.local_date(row.due_at).isoformat(),
        "working_days_left": remaining, "overdue": workflow.is_overdue(row, now),
        "decided_by": _name(row.decided_by), "decided_by_display": _display(row.decided_by),
        "decided_at": iso(row.decided_at), "reason": row.reason,
    }


@tk.side_effect_free
@tk.validate(gs_schema.review_list_schema)
def govshare_review_list(context: Context, data_dict: DataDict) -> ActionResult.AnyList:
    """Catalogue reviews, the nearest deadline first: every department's for the data
    authority, one department's for its members.

    :param organization_id: the department (required unless the caller is the authority)
    :type organization_id: string
    :param status: ``pending``, ``rejected``, ``approved``, ``open`` (pending or rejected: the
        entries still under review) or ``all``; default ``pending``
    :type status: string
    :param overdue: only pending reviews past their deadline
    :type overdue: bool
    :returns: reviews
    :rtype: list of dictionaries
    """
    tk.check_access("govshare_review_list", context, data_dict)
    status = data_dict.get("status") or "pending"
    if status not in (*STATUSES, "open", "all"):
        raise tk.ValidationError({"status": [_("Unknown review status")]})
    query = model.Session.query(Review)
    if data_dict.get("organization_id"):
        org = model.Group.get(data_dict["organization_id"])
        query = query.filter(Review.organization_id == (org.id if org else None))
    if status == "open":
        # the latest review of each entry, when it is pending or rejected
        newest = (model.Session.query(Review.package_id, sa.func.max(Review.submitted_at).label("at"))
                  .group_by(Review.package_id).subquery())
        query = (query.join(newest, sa.and_(newest.c.package_id == Review.package_id,
                                            newest.c.at == Review.submitted_at))
                 .filter(Review.status.in_(("pending", "rejected"))))
    elif status != "all":
        query = query.filter(Review.status == status)
    now = utcnow()
    if data_dict.get("overdue"):
        query = query.filter(Review.status == "pending", Review.due_at < now)
    rows = query.order_by(sa.case((Review.status == "pending", 0), else_=1), Review.due_at).limit(1000)
    return [review_dict(r, now) for r in rows]


@tk.side_effect_free
@tk.validate(gs_schema.review_show_schema)
def govshare_review_show(context: Context, data_dict: DataDict) -> ActionResult.AnyDict:
    """The review state of a catalogue entry: its latest review (``None`` when it was never
    reviewed) and its history, for the authority and the entry's department.

    :param id: the entry's id or name
    :type id: string
    :returns: ``{"current": review or None, "history": [reviews, newest first]}``
    :rtype: dictionary
    """
    # the check first: whether an entry exists is no business of those who may not see it
    tk.check_access("govshare_review_show", context, data_dict)
    pkg = model.Package.get(data_dict["id"])
    if pkg is None:
        raise tk.ObjectNotFound(_("Dataset not found"))
    rows = (model.Session.query(Review).filter(Review.package_id == pkg.id)
            .order_by(Review.submitted_at.desc()).limit(100).all())
    now = utcnow()
    history = [review_dict(r, now) for r in rows]
    return {"current": history[0] if history else None, "history": history}


def _decide(context: Context, data_dict: DataDict, approve: bool) -> dict[str, Any]:
    tk.check_access("govshare_review_approve" if approve else "govshare_review_reject", context, data_dict)
    row = model.Session.get(Review, data_dict["id"])
    if row is None:
        raise tk.ObjectNotFound(_("Review not found"))
    reason = data_dict.get("reason")
    if not approve and not reason:
        raise tk.ValidationError({"reason": [_(
            "A rejection must state its reason: the entry goes back to its department (shenyang-2016 §12)")]})
    if reason and len(reason) > workflow.MAX_REASON:
        raise tk.ValidationError({"reason": [_("Too long: at most {max} characters").format(max=workflow.MAX_REASON)]})
    user = model.User.get(context.get("user") or "")
    try:
        decided = workflow.decide(row.id, approve, user, reason)
    except workflow.Conflict:
        raise tk.ValidationError({"status": [_("This review has been decided already")]})
    return review_dict(decided)


@tk.validate(gs_schema.review_decide_schema)
def govshare_review_approve(context: Context, data_dict: DataDict) -> ActionResult.AnyDict:
    """The authority approves a pending review: the entry is published (shenyang-2016 §12
    "审核通过后发布"). A review decided already (by another reviewer) is a validation error.

    :param id: the review
    :type id: string
    :param reason: a note to the department (optional)
    :type reason: string
    :returns: the review
    :rtype: dictionary
    """
    return _decide(context, data_dict, approve=True)


@tk.validate(gs_schema.review_decide_schema)
def govshare_review_reject(context: Context, data_dict: DataDict) -> ActionResult.AnyDict:
    """The authority returns a pending entry to its department with a reason (shenyang-2016
    §12 "未通过的退回"); the entry stays unpublished until the department resubmits it and
    the authority approves.

    :param id: the review
    :type id: string
    :param reason: why the entry is returned (required)
    :type reason: string
    :returns: the review
    :rtype: dictionary
    """
    return _decide(context, data_dict, approve=False)
