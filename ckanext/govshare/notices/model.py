# -*- coding: utf-8 -*-
"""The tables of update notices (shenyang-2016 §22):

- ``govshare_subscription``: a user follows an entry;
- ``govshare_notice``: one notice to one user (shown on the site; mailed through the queue);
- ``govshare_notice_state``: what the platform last saw of an entry's data and conditions (two
  fingerprints), so that a save is told apart from a change;
- ``govshare_notice_upkeep``: a catalogue-upkeep duty with its deadline in working days
  (shenyang-2016 §12, §22; kunming-2019 §18), opened by an objection, closed by the update.
"""
from __future__ import annotations

import datetime
from typing import Any, Optional

from sqlalchemy import Column, DateTime, ForeignKey, Index, UnicodeText, UniqueConstraint

import ckan.plugins.toolkit as tk
from ckan.model.types import make_uuid


def utcnow() -> datetime.datetime:
    return datetime.datetime.utcnow()


def _iso(d: Optional[datetime.datetime]) -> Optional[str]:
    return d.isoformat() if d else None


class Subscription(tk.BaseModel):  # type: ignore[misc, valid-type]
    __tablename__ = "govshare_subscription"
    __table_args__ = (
        UniqueConstraint("user_id", "package_id", name="govshare_subscription_user_package"),
        Index("govshare_subscription_package_idx", "package_id"),
    )

    id = Column(UnicodeText, primary_key=True, default=make_uuid)
    user_id = Column(UnicodeText, ForeignKey("user.id", ondelete="CASCADE"), nullable=False)
    package_id = Column(UnicodeText, ForeignKey("package.id", ondelete="CASCADE"), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class Notice(tk.BaseModel):  # type: ignore[misc, valid-type]
    __tablename__ = "govshare_notice"
    __table_args__ = (Index("govshare_notice_user_idx", "user_id", "created_at"),)

    id = Column(UnicodeText, primary_key=True, default=make_uuid)
    user_id = Column(UnicodeText, ForeignKey("user.id", ondelete="CASCADE"), nullable=False)
    package_id = Column(UnicodeText, ForeignKey("package.id", ondelete="CASCADE"), nullable=False)
    # 'data' (resources changed), 'conditions' (open/share attribute or conditions), or both: 'data,conditions'
    kind = Column(UnicodeText, nullable=False)
    # why this user is told: 'grant' or 'subscription'
    reason = Column(UnicodeText, nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    read_at = Column(DateTime, nullable=True)

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "package_id": self.package_id, "kinds": self.kind.split(","),
                "reason": self.reason, "created_at": _iso(self.created_at), "read_at": _iso(self.read_at),
                "read": self.read_at is not None}


class EntryState(tk.BaseModel):  # type: ignore[misc, valid-type]
    __tablename__ = "govshare_notice_state"

    package_id = Column(UnicodeText, ForeignKey("package.id", ondelete="CASCADE"), primary_key=True)
    data_hash = Column(UnicodeText, nullable=False)
    conditions_hash = Column(UnicodeText, nullable=False)
    seen_at = Column(DateTime, nullable=False, default=utcnow)
    data_changed_at = Column(DateTime, nullable=True)
    conditions_changed_at = Column(DateTime, nullable=True)


class Upkeep(tk.BaseModel):  # type: ignore[misc, valid-type]
    __tablename__ = "govshare_notice_upkeep"
    __table_args__ = (Index("govshare_notice_upkeep_org_idx", "organization_id", "closed_at"),)

    id = Column(UnicodeText, primary_key=True, default=make_uuid)
    package_id = Column(UnicodeText, ForeignKey("package.id", ondelete="CASCADE"), nullable=False)
    organization_id = Column(UnicodeText, ForeignKey("group.id", ondelete="CASCADE"), nullable=True)
    feedback_id = Column(UnicodeText, ForeignKey("govshare_feedback.id", ondelete="SET NULL"), nullable=True)
    duty = Column(UnicodeText, nullable=False)
    article = Column(UnicodeText, nullable=True)
    policy = Column(UnicodeText, nullable=False)
    opened_at = Column(DateTime, nullable=False, default=utcnow)
    due_at = Column(DateTime, nullable=True)
    closed_at = Column(DateTime, nullable=True)

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "package_id": self.package_id, "organization_id": self.organization_id,
                "feedback_id": self.feedback_id, "duty": self.duty, "article": self.article,
                "policy": self.policy, "opened_at": _iso(self.opened_at), "due_at": _iso(self.due_at),
                "closed_at": _iso(self.closed_at)}
