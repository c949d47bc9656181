# -*- coding: utf-8 -*-
"""govshare's own tables (created only by the alembic migrations in migration/govshare)."""
from ckanext.govshare.model.application import Application, ApplicationEvent
from ckanext.govshare.model.grant import Grant

__all__ = ["Application", "ApplicationEvent", "Grant"]
