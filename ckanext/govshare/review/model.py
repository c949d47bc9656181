# -*- coding: utf-8 -*-
"""One row per submission of a catalogue entry for the authority's review.

``status``: ``pending`` (waiting, the entry is unpublished), ``approved`` (published),
``rejected`` (returned to the department with ``reason``). A department's save of a returned
entry is a resubmission: a new ``pending`` row. The latest row of an entry is its review
state; at most one row per entry is pending (a partial unique index).
"""
from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, DateTime, ForeignKey, Index, Integer, UnicodeText, text

import ckan.plugins.toolkit as tk
from ckan.model.types import make_uuid

from ckanext.govshare.access.grants import utcnow

KINDS = ("new", "change")
STATUSES = ("pending", "approved", "rejected")


class Review(tk.BaseModel):  # type: ignore[misc, valid-type]
    __tablename__ = "govshare_review"
    __table_args__ = (
        CheckConstraint(f"kind IN {KINDS}", name="govshare_review_kind"),
        CheckConstraint(f"status IN {STATUSES}", name="govshare_review_status"),
        CheckConstraint("status <> 'rejected' OR reason IS NOT NULL", name="govshare_review_reason"),
        Index("govshare_review_package_idx", "package_id", "submitted_at"),
        Index("govshare_review_org_idx", "organization_id", "status", "due_at"),
        Index("govshare_review_one_pending", "package_id", unique=True,
              postgresql_where=text("status = 'pending'")),
    )

    id = Column(UnicodeText, primary_key=True, default=make_uuid)
    package_id = Column(UnicodeText, ForeignKey("package.id", ondelete="CASCADE"), nullable=False)
    organization_id = Column(UnicodeText, nullable=True)
    kind = Column(UnicodeText, nullable=False)
    status = Column(UnicodeText, nullable=False, default="pending")
    submitted_by = Column(UnicodeText, nullable=True)  # user id
    submitted_at = Column(DateTime, nullable=False, default=utcnow)
    review_days = Column(Integer, nullable=False)
    due_at = Column(DateTime, nullable=False)
    decided_by = Column(UnicodeText, nullable=True)  # user id
    decided_at = Column(DateTime, nullable=True)
    reason = Column(UnicodeText, nullable=True)
