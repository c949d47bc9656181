# -*- coding: utf-8 -*-
"""Access grants: what an approved application opens.

- an *open* grant gives one user (citizen or company) the data of a conditionally open
  entry (chongqing-2018 §24: approval opens access promptly);
- a *share* grant gives one department the data of a conditionally shared entry
  (chongqing-2018 §19).

A grant may expire (``expires_at``) and may be revoked (``revoked_at``); neither ever
deletes the row, so the history of who could see what stays on record.
"""
from __future__ import annotations

import datetime
from typing import Optional

from sqlalchemy import CheckConstraint, Column, DateTime, ForeignKey, Index, UnicodeText, or_

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.model.types import make_uuid

GRANT_KINDS = ("open", "share")


def utcnow() -> datetime.datetime:
    return datetime.datetime.utcnow()


class Grant(tk.BaseModel):  # type: ignore[misc, valid-type]
    __tablename__ = "govshare_grant"
    __table_args__ = (
        CheckConstraint(
            "(kind = 'open' AND user_id IS NOT NULL AND organization_id IS NULL) OR "
            "(kind = 'share' AND organization_id IS NOT NULL AND user_id IS NULL)",
            name="govshare_grant_grantee",
        ),
        Index("govshare_grant_package_idx", "package_id"),
        Index("govshare_grant_user_idx", "user_id"),
        Index("govshare_grant_org_idx", "organization_id"),
    )

    id = Column(UnicodeText, primary_key=True, default=make_uuid)
    package_id = Column(UnicodeText, ForeignKey("package.id", ondelete="RESTRICT"), nullable=False)
    kind = Column(UnicodeText, nullable=False)
    user_id = Column(UnicodeText, ForeignKey("user.id", ondelete="RESTRICT"), nullable=True)
    organization_id = Column(UnicodeText, ForeignKey("group.id", ondelete="RESTRICT"), nullable=True)
    conditions = Column(UnicodeText, nullable=True)
    application_id = Column(UnicodeText, nullable=True)
    granted_by = Column(UnicodeText, ForeignKey("user.id", ondelete="RESTRICT"), nullable=False)
    granted_at = Column(DateTime, nullable=False, default=utcnow)
    expires_at = Column(DateTime, nullable=True)
    revoked_at = Column(DateTime, nullable=True)
    revoked_by = Column(UnicodeText, ForeignKey("user.id", ondelete="RESTRICT"), nullable=True)
    revoke_reason = Column(UnicodeText, nullable=True)

    def is_valid(self, now: Optional[datetime.datetime] = None) -> bool:
        now = now or utcnow()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    @classmethod
    def valid_query(cls, now: Optional[datetime.datetime] = None):
        now = now or utcnow()
        return model.Session.query(cls).filter(
            cls.revoked_at.is_(None), or_(cls.expires_at.is_(None), cls.expires_at > now)
        )

    def as_dict(self) -> dict:
        def iso(d: Optional[datetime.datetime]) -> Optional[str]:
            return d.isoformat() if d else None

        return {
            "id": self.id,
            "package_id": self.package_id,
            "kind": self.kind,
            "user_id": self.user_id,
            "organization_id": self.organization_id,
            "conditions": self.conditions,
            "application_id": self.application_id,
            "granted_by": self.granted_by,
            "granted_at": iso(self.granted_at),
            "expires_at": iso(self.expires_at),
            "revoked_at": iso(self.revoked_at),
            "revoked_by": self.revoked_by,
            "revoke_reason": self.revoke_reason,
            "valid": self.is_valid(),
        }
