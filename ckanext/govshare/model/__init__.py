# -*- coding: utf-8 -*-
"""govshare's own tables (created only by the alembic migrations in migration/govshare)."""
from ckanext.govshare.applications.model import Application, ApplicationEvent
from ckanext.govshare.access.grants import Grant
from ckanext.govshare.oversight.model import CatalogueLog, ExchangeLog, LogArchive, LogHead, QueryLog
from ckanext.govshare.review.model import Review
from ckanext.govshare.catalogue.fingerprints import ImportFingerprint
from ckanext.govshare.feedback.model import Feedback
from ckanext.govshare.notices.model import EntryState, Notice, Subscription, Upkeep

__all__ = ["Application", "ApplicationEvent", "Grant",
           "CatalogueLog", "ExchangeLog", "QueryLog", "LogHead", "LogArchive", "Review",
           "Feedback", "Subscription", "Notice", "EntryState", "Upkeep", "ImportFingerprint"]
