# -*- coding: utf-8 -*-
"""Fixtures of the DCAT tests."""
from __future__ import annotations

from typing import Any

import pytest

from tests.factories import department


@pytest.fixture
def org() -> dict[str, Any]:
    """The providing department of the DCAT tests' entries."""
    return department(name="cq-jtj", title="市交通局", provider_code="11500000MB1526731E")
