# -*- coding: utf-8 -*-
"""The setting of the feedback tests: the applications' world (department jtj with its head and
clerk, another department's clerk, a citizen, a sysadmin, the conditionally open entry
``chuzuche``), plus a member of the data authority's group and an entry withheld from the
public (不予开放 / 不予共享)."""
from __future__ import annotations

from typing import Any

import pytest

from ckan.tests import factories
from ckan.tests import helpers as ckan_helpers

from tests.factories import LEVEL_EXTRAS, entry


class FeedbackWorld:
    def __init__(self, base: Any) -> None:
        self.base = base
        self.authority = factories.User(name="authority-staff")
        factories.Group(name="data-authority", users=[{"name": "authority-staff", "capacity": "member"}])
        self.withheld = entry(base.org, name="mimi", open_type="closed", share_type="none",
                              **LEVEL_EXTRAS[("closed", "none")])
        self.actors = {"anonymous": None, "citizen": base.citizen, "other_department": base.outsider,
                       "department": base.clerk, "head": base.head, "authority": self.authority,
                       "sysadmin": base.sysadmin}

    def __getattr__(self, name: str) -> Any:
        return getattr(self.base, name)

    def call(self, action: str, actor: str | None, **data: Any) -> Any:
        user = self.actors[actor] if actor else None
        context = {"user": user["name"] if user else "", "ignore_auth": False}
        return ckan_helpers.call_action(action, context=context, **data)

    def comment(self, actor: str = "citizen", **data: Any) -> dict[str, Any]:
        data.setdefault("package_id", self.pkg["id"])
        data.setdefault("rating", 4)
        return self.call("govshare_feedback_create", actor, **data)


@pytest.fixture
def fb(applications_world) -> FeedbackWorld:
    return FeedbackWorld(applications_world())
