# -*- coding: utf-8 -*-
"""Shared fixtures: CKAN's own (pytest-ckan: app, with_plugins, clean_db, clean_index …)
plus a ``clean_db`` that also applies the migrations of govshare and activity."""
from __future__ import annotations

import pytest


@pytest.fixture
def clean_db(reset_db, migrate_db_for):
    """Reset the database to CKAN's initial state and apply the plugins' migrations."""
    reset_db()
    migrate_db_for("activity")
    migrate_db_for("govshare")
