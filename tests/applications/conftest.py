# -*- coding: utf-8 -*-
"""Fixtures of the applications tests (the shared setting, ``applications_world``, is in
tests/conftest.py)."""
from __future__ import annotations

import pytest

from ckanext.govshare.applications.workdays import Calendar


@pytest.fixture(scope="session")
def cal() -> Calendar:
    """The working-day calendar of the pinned ``holidays`` release, without overrides."""
    return Calendar()
