# -*- coding: utf-8 -*-
"""The govshare_feedback table: one row per comment, with its rating (1-5), the
department's one public reply (editable) and its moderation (hidden with a reason)."""
from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo
from typing import Any, Optional

from sqlalchemy import (Boolean, CheckConstraint, Column, DateTime, ForeignKey, Index, Integer,
                        UnicodeText, false)

import ckan.plugins.toolkit as tk
from ckan.model.types import make_uuid

from ckanext.govshare.applications import workdays


def utcnow() -> datetime.datetime:
    return datetime.datetime.utcnow()


class Feedback(tk.BaseModel):  # type: ignore[misc, valid-type]
    __tablename__ = "govshare_feedback"
    __table_args__ = (
        CheckConstraint("rating BETWEEN 1 AND 5", name="govshare_feedback_rating"),
        Index("govshare_feedback_package_idx", "package_id", "created_at"),
        Index("govshare_feedback_user_idx", "user_id", "created_at"),
    )

    id = Column(UnicodeText, primary_key=True, default=make_uuid)
    package_id = Column(UnicodeText, ForeignKey("package.id", ondelete="CASCADE"), nullable=False)
    user_id = Column(UnicodeText, ForeignKey("user.id", ondelete="CASCADE"), nullable=False)
    rating = Column(Integer, nullable=False)
    comment = Column(UnicodeText, nullable=False, default="")
    # the comment says the entry is wrong or out of date: the department must correct it within
    # the upkeep deadline of the active policy (notices/upkeep.py)
    objection = Column(Boolean, nullable=False, default=False, server_default=false())
    created_at = Column(DateTime, nullable=False, default=utcnow)
    reply = Column(UnicodeText, nullable=True)
    reply_by = Column(UnicodeText, ForeignKey("user.id", ondelete="SET NULL"), nullable=True)
    replied_at = Column(DateTime, nullable=True)
    reply_updated_at = Column(DateTime, nullable=True)
    hidden_at = Column(DateTime, nullable=True)
    hidden_by = Column(UnicodeText, ForeignKey("user.id", ondelete="SET NULL"), nullable=True)
    hide_reason = Column(UnicodeText, nullable=True)

    def as_dict(self, moderator: bool = False, author_name: Optional[str] = None) -> dict[str, Any]:
        """The comment as a caller sees it: a hidden comment keeps its text and the reason
        only for moderators."""
        def iso(d: Optional[datetime.datetime]) -> Optional[str]:
            return d.isoformat() if d else None

        def local(d: Optional[datetime.datetime]) -> Optional[str]:
            if d is None:
                return None
            moment = d.replace(tzinfo=datetime.timezone.utc).astimezone(ZoneInfo(workdays.TZ))
            return moment.strftime("%Y-%m-%d %H:%M")

        hidden = self.hidden_at is not None
        out: dict[str, Any] = {
            "id": self.id, "package_id": self.package_id, "rating": self.rating,
            "created_at": iso(self.created_at), "created_local": local(self.created_at),
            "hidden": hidden, "author": author_name, "objection": bool(self.objection),
            "comment": self.comment, "reply": self.reply, "replied_at": iso(self.replied_at),
            "replied_local": local(self.reply_updated_at or self.replied_at),
            "reply_updated_at": iso(self.reply_updated_at),
        }
        if moderator:
            out.update({"user_id": self.user_id, "hidden_at": iso(self.hidden_at), "hidden_by": self.hidden_by,
                        "hide_reason": self.hide_reason})
        return out
