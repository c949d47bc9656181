# -*- coding: utf-8 -*-
"""Feedback on catalogue entries (chongqing-2018 §25: 对开放数据的质量、服务进行评价;
chongqing-2019 §37: 评价、意见建议，数据提供单位应当及时回复):

- ``govshare_feedback_create``: a logged-in account rates (1-5) and comments on an entry it
  may see; rate-limited per account (``ckanext.govshare.feedback_per_hour``) and size-limited
  (``ckanext.govshare.feedback_max_chars``); an *objection* opens a catalogue-upkeep duty
  with its deadline (``notices/upkeep.py``);
- ``govshare_feedback_list``: the comments on an entry and its average rating (hidden comments
  only for moderators, with the reason);
- ``govshare_feedback_reply``: the department's one public answer per comment (editable);
- ``govshare_feedback_hide``: the department or the authority hides an abusive comment with a reason.

Text is stored as typed and always shown escaped (never as HTML or markdown).
"""
from __future__ import annotations

import datetime
from typing import Any, Optional

import sqlalchemy as sa

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib.navl.dictization_functions import Invalid
from ckan.types import Context, DataDict, Schema, Validator

from ckanext.govshare.feedback import rules
from ckanext.govshare.feedback.model import Feedback, utcnow
from ckanext.govshare.notices import upkeep

__all__ = ["govshare_feedback_create", "govshare_feedback_list", "govshare_feedback_reply",
           "govshare_feedback_hide"]

_ = tk._
PER_HOUR_KEY = "ckanext.govshare.feedback_per_hour"
MAX_CHARS_KEY = "ckanext.govshare.feedback_max_chars"
REASON_MAX = 500
MAX_LIMIT = 200


# --- validators (strict: a list, a number or a dict where text is expected is a 4xx) --------

def max_chars() -> int:
    return int(tk.config.get(MAX_CHARS_KEY))


def _text(limit: Optional[int] = None) -> Validator:
    def validator(value: Any, context: Context) -> Any:
        if value is None:
            return ""
        if not isinstance(value, str):
            raise Invalid(_("Must be text"))
        value = value.strip()
        most = limit if limit is not None else max_chars()
        if len(value) > most:
            raise Invalid(_("Too long: at most {max} characters").format(max=most))
        return value
    return validator


def _rating(value: Any, context: Context) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise Invalid(_("The rating must be a whole number from 1 to 5"))
    try:
        number = int(value.strip()) if isinstance(value, str) else value
    except ValueError:
        raise Invalid(_("The rating must be a whole number from 1 to 5"))
    if not 1 <= number <= 5:
        raise Invalid(_("The rating must be a whole number from 1 to 5"))
    return number


@tk.validator_args
def feedback_create_schema(not_empty: Validator, ignore_missing: Validator, govshare_id: Validator,
                           govshare_clean_text: Validator, govshare_boolean: Validator) -> Schema:
    return {
        "package_id": [not_empty, govshare_id],
        "rating": [not_empty, _rating],
        "comment": [ignore_missing, _text(), govshare_clean_text],
        "objection": [ignore_missing, govshare_boolean],
    }


@tk.validator_args
def feedback_list_schema(not_empty: Validator, ignore_missing: Validator, govshare_id: Validator,
                         govshare_positive_int: Validator) -> Schema:
    return {
        "package_id": [not_empty, govshare_id],
        "limit": [ignore_missing, govshare_positive_int],
    }


@tk.validator_args
def feedback_reply_schema(not_empty: Validator, govshare_id: Validator, govshare_clean_text: Validator) -> Schema:
    return {
        "id": [not_empty, govshare_id],
        "reply": [not_empty, _text(), govshare_clean_text, not_empty],
    }


@tk.validator_args
def feedback_hide_schema(not_empty: Validator, govshare_id: Validator, govshare_clean_text: Validator) -> Schema:
    return {
        "id": [not_empty, govshare_id],
        "reason": [not_empty, _text(REASON_MAX), govshare_clean_text, not_empty],
    }


# --- helpers -----------------------------------------------------------------------------

def _user(context: Context) -> Optional[model.User]:
    user = context.get("auth_user_obj")
    if isinstance(user, model.User):
        return user
    name = context.get("user")
    return model.User.get(name) if isinstance(name, str) and name else None


def _commit(context: Context) -> None:
    if not context.get("defer_commit"):
        model.Session.commit()


def _comment(context: Context, data_dict: DataDict) -> tuple[Feedback, model.Package]:
    """The comment ``id`` on an entry the caller may see (else not found)."""
    row = model.Session.get(Feedback, data_dict["id"])
    pkg = rules.visible_entry(_user(context), row.package_id) if row is not None else None
    if row is None or pkg is None:
        raise tk.ObjectNotFound(_("Comment not found"))
    return row, pkg


def _author_names(rows: list[Feedback]) -> dict[str, str]:
    ids = {r.user_id for r in rows}
    if not ids:
        return {}
    return {u.id: (u.fullname or u.name) for u in model.Session.query(model.User).filter(model.User.id.in_(ids))}


def rating_summary(package_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Average rating and number of visible (not hidden) ratings per entry, in one query."""
    if not package_ids:
        return {}
    rows = (model.Session.query(Feedback.package_id, sa.func.avg(Feedback.rating), sa.func.count(Feedback.id))
            .filter(Feedback.package_id.in_(package_ids), Feedback.hidden_at.is_(None))
            .group_by(Feedback.package_id))
    return {pid: {"average": round(float(avg), 1), "count": int(count)} for pid, avg, count in rows}


# --- actions -------------------------------------------------------------------------------

@tk.validate(feedback_create_schema)
def govshare_feedback_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Rate (1-5) and comment on a dataset you may see (chongqing-2018 §25, chongqing-2019 §37).

    At most ``ckanext.govshare.feedback_per_hour`` comments per account an hour (a 409
    "Validation Error" beyond), each at most ``ckanext.govshare.feedback_max_chars`` characters.

    :param package_id: the dataset (id or name)
    :type package_id: string
    :param rating: 1 (poor) to 5 (excellent)
    :type rating: int
    :param comment: the comment (plain text; shown escaped)
    :type comment: string
    :param objection: the comment says the entry is wrong or out of date; the department must
        correct it within the upkeep deadline of the active policy (shenyang-2016 §12, kunming-2019 §18)
    :type objection: bool
    :returns: the comment
    :rtype: dictionary
    """
    tk.check_access("govshare_feedback_create", context, data_dict)
    user = _user(context)
    assert user is not None  # the auth function refuses anonymous callers
    pkg = rules.visible_entry(user, data_dict["package_id"])
    if pkg is None:
        raise tk.ObjectNotFound(_("Dataset not found"))
    per_hour = int(tk.config.get(PER_HOUR_KEY))
    since = utcnow() - datetime.timedelta(hours=1)
    recent = model.Session.query(sa.func.count(Feedback.id)).filter(
        Feedback.user_id == user.id, Feedback.created_at > since).scalar() or 0
    if recent >= per_hour:
        raise tk.ValidationError({"comment": [_(
            "You have commented {count} times within the last hour, the most allowed; "
            "please try again later").format(count=recent)]})
    row = Feedback(package_id=pkg.id, user_id=user.id, rating=data_dict["rating"],
                   comment=data_dict.get("comment") or "", objection=bool(data_dict.get("objection")))
    model.Session.add(row)
    model.Session.flush()
    if row.objection:
        upkeep.open_for_objection(pkg, row.id, row.created_at)
    _commit(context)
    return row.as_dict(moderator=rules.is_moderator(user, pkg), author_name=user.fullname or user.name)


@tk.side_effect_free
@tk.validate(feedback_list_schema)
def govshare_feedback_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The comments on a dataset you may see, newest first, and its average rating.

    Hidden comments are left out, except for the providing department and the data
    authority, who see them with the reason.

    :param package_id: the dataset (id or name)
    :type package_id: string
    :param limit: at most this many comments (default and maximum 200)
    :type limit: int
    :returns: ``{"average": …, "count": …, "comments": [...], "moderator": bool}``
    :rtype: dictionary
    """
    tk.check_access("govshare_feedback_list", context, data_dict)
    user = _user(context)
    pkg = rules.visible_entry(user, data_dict["package_id"])
    if pkg is None:
        raise tk.ObjectNotFound(_("Dataset not found"))
    moderator = rules.is_moderator(user, pkg)
    query = model.Session.query(Feedback).filter(Feedback.package_id == pkg.id)
    if not moderator:
        query = query.filter(Feedback.hidden_at.is_(None))
    rows = query.order_by(Feedback.created_at.desc()).limit(min(data_dict.get("limit") or MAX_LIMIT, MAX_LIMIT)).all()
    names = _author_names(rows)
    summary = rating_summary([pkg.id]).get(pkg.id, {"average": None, "count": 0})
    return {**summary, "package_id": pkg.id, "moderator": moderator,
            "comments": [r.as_dict(moderator=moderator, author_name=names.get(r.user_id)) for r in rows]}


@tk.validate(feedback_reply_schema)
def govshare_feedback_reply(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The providing department's public answer to a comment (one per comment; calling again
    edits it) (chongqing-2019 §37).

    :param id: the comment
    :type id: string
    :param reply: the answer (plain text; shown escaped)
    :type reply: string
    :returns: the comment with its answer
    :rtype: dictionary
    """
    row, pkg = _comment(context, data_dict)
    tk.check_access("govshare_feedback_reply", context, data_dict)
    user = _user(context)
    now = utcnow()
    if row.reply is None:
        row.replied_at = now
    else:
        row.reply_updated_at = now
    row.reply = data_dict["reply"]
    row.reply_by = user.id if user else None
    _commit(context)
    return row.as_dict(moderator=True)


@tk.validate(feedback_hide_schema)
def govshare_feedback_hide(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Hide an abusive comment, with the reason: the public no longer sees it; the department
    and the data authority still do, with the reason.

    :param id: the comment
    :type id: string
    :param reason: why it is hidden
    :type reason: string
    :returns: the comment
    :rtype: dictionary
    """
    row, pkg = _comment(context, data_dict)
    tk.check_access("govshare_feedback_hide", context, data_dict)
    user = _user(context)
    row.hidden_at = utcnow()
    row.hidden_by = user.id if user else None
    row.hide_reason = data_dict["reason"]
    _commit(context)
    return row.as_dict(moderator=True)
