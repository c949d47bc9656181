# -*- coding: utf-8 -*-
"""govshare's own tables (created only by the alembic migrations in migration/govshare)."""
from ckanext.govshare.applications.model import Application, ApplicationEvent
from ckanext.govshare.access.grants import Grant
from ckanext.govshare.oversight.model import CatalogueLog, ExchangeLog, LogArchive, LogHead, QueryLog

__all__ = ["Application", "ApplicationEvent", "Grant",
           "CatalogueLog", "ExchangeLog", "QueryLog", "LogHead", "LogArchive"]
