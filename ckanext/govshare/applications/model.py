# -*- coding: utf-8 -*-
"""Applications (申请) and their append-only event log.

One table for every request kind (open, share, error report, catalogue correction, open
demand: ``vocab.APPLICATION_KINDS``); the status column (``vocab.APPLICATION_STATUSES``)
and the transition table in ``applications/workflow.py`` are the state machine. Every change
appends a row to ``govshare_application_event``;
a database trigger (migration 7c2e…) refuses UPDATE and DELETE on that table, so the
record of who did what, when and from which state cannot be edited by anyone.
Nothing is deleted by cascade: foreign keys RESTRICT.
"""
from __future__ import annotations

import datetime
from typing import Any, Optional

from sqlalchemy import (text, Boolean, CheckConstraint, Column, Date, DateTime, ForeignKey, Index,
                        Integer, UnicodeText, UniqueConstraint)
from sqlalchemy.dialects.postgresql import JSONB

import ckan.plugins.toolkit as tk
from ckan.model.types import make_uuid

from ckanext.govshare import vocab
from ckanext.govshare.access.grants import utcnow

# the vocabularies (their stored codes) are the allowed values of the kind and status columns
KINDS = tuple(vocab.APPLICATION_KINDS.values())
STATUSES = tuple(vocab.APPLICATION_STATUSES.values())
PENDING = vocab.PENDING_STATUSES


class Application(tk.BaseModel):  # type: ignore[misc, valid-type]
    __tablename__ = "govshare_application"
    __table_args__ = (
        CheckConstraint(f"kind IN {KINDS}", name="govshare_application_kind"),
        CheckConstraint(f"status IN {STATUSES}", name="govshare_application_status"),
        CheckConstraint("extension_count <= 1", name="govshare_application_one_extension"),
        UniqueConstraint("applicant_user_id", "client_token", name="govshare_application_client_token"),
        Index("govshare_application_provider_idx", "provider_org_id", "status", "due_at"),
        Index("govshare_application_applicant_idx", "applicant_user_id"),
        Index("govshare_application_package_idx", "package_id"),
        # one pending application per applicant, kind and entry: a double click or a retry
        # cannot create a second one
        Index("govshare_application_one_pending", "applicant_user_id", "kind", "package_id", unique=True,
              postgresql_where=text(f"status IN {PENDING} AND package_id IS NOT NULL")),
    )

    id = Column(UnicodeText, primary_key=True, default=make_uuid)
    kind = Column(UnicodeText, nullable=False)
    status = Column(UnicodeText, nullable=False, default=STATUSES[0])
    package_id = Column(UnicodeText, ForeignKey("package.id", ondelete="RESTRICT"), nullable=True)
    provider_org_id = Column(UnicodeText, ForeignKey("group.id", ondelete="RESTRICT"), nullable=True)
    applicant_user_id = Column(UnicodeText, ForeignKey("user.id", ondelete="RESTRICT"), nullable=False)
    applicant_org_id = Column(UnicodeText, ForeignKey("group.id", ondelete="RESTRICT"), nullable=True)
    client_token = Column(UnicodeText, nullable=True)

    applicant_type = Column(UnicodeText, nullable=True)  # citizen / legal_person / other_org / department
    applicant_name = Column(UnicodeText, nullable=False)
    id_number = Column(UnicodeText, nullable=True)  # citizen ID (GB 11643) or credit code (GB 32100)
    contact_phone = Column(UnicodeText, nullable=True)
    contact_email = Column(UnicodeText, nullable=True)
    purpose = Column(UnicodeText, nullable=True)
    usage_scope = Column(UnicodeText, nullable=True)
    data_items = Column(UnicodeText, nullable=True)
    period_start = Column(Date, nullable=True)
    period_end = Column(Date, nullable=True)
    agreement_accepted = Column(Boolean, nullable=False, default=False)
    description = Column(UnicodeText, nullable=True)

    policy = Column(UnicodeText, nullable=False)
    reply_days = Column(Integer, nullable=False)
    received_at = Column(DateTime, nullable=False, default=utcnow)
    due_at = Column(DateTime, nullable=False)

    extension_count = Column(Integer, nullable=False, default=0)
    extension_days = Column(Integer, nullable=True)
    extension_reason = Column(UnicodeText, nullable=True)
    extension_consented_by = Column(UnicodeText, ForeignKey("user.id", ondelete="RESTRICT"), nullable=True)

    decided_at = Column(DateTime, nullable=True)
    decided_by = Column(UnicodeText, ForeignKey("user.id", ondelete="RESTRICT"), nullable=True)
    decision_reason = Column(UnicodeText, nullable=True)
    decision_basis = Column(UnicodeText, nullable=True)
    conditions = Column(UnicodeText, nullable=True)
    grant_id = Column(UnicodeText, ForeignKey("govshare_grant.id", ondelete="RESTRICT"), nullable=True)

    reminded_at = Column(DateTime, nullable=True)
    overdue_marked_at = Column(DateTime, nullable=True)
    modified_at = Column(DateTime, nullable=False, default=utcnow)

    @property
    def pending(self) -> bool:
        return self.status in PENDING

    def overdue(self, now: Optional[datetime.datetime] = None) -> bool:
        return self.pending and (now or utcnow()) > self.due_at


class ApplicationEvent(tk.BaseModel):  # type: ignore[misc, valid-type]
    __tablename__ = "govshare_application_event"
    __table_args__ = (Index("govshare_application_event_app_idx", "application_id", "id"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    application_id = Column(UnicodeText, ForeignKey("govshare_application.id", ondelete="RESTRICT"),
                            nullable=False)
    at = Column(DateTime, nullable=False, default=utcnow)
    actor_user_id = Column(UnicodeText, ForeignKey("user.id", ondelete="RESTRICT"), nullable=True)
    action = Column(UnicodeText, nullable=False)
    from_status = Column(UnicodeText, nullable=True)
    to_status = Column(UnicodeText, nullable=True)
    detail = Column(JSONB, nullable=True)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "application_id": self.application_id, "at": self.at.isoformat(),
            "actor_user_id": self.actor_user_id, "action": self.action,
            "from_status": self.from_status, "to_status": self.to_status, "detail": self.detail or {},
        }
