# -*- coding: utf-8 -*-
"""The setting of the notices tests: the applications' world (department jtj with its head and
clerk, another department ``wjw`` and its clerk, a citizen, a sysadmin and the conditionally
open, conditionally shared entry ``chuzuche``), a member of the data authority's group, a
second citizen who subscribes, an open grant for the citizen and a share grant for ``wjw``."""
from __future__ import annotations

from typing import Any

import pytest

from ckan import model
from ckan.tests import factories
from ckan.tests import helpers as ckan_helpers


class NoticeWorld:
    def __init__(self, base: Any) -> None:
        self.base = base
        self.authority = factories.User(name="authority-staff")
        factories.Group(name="data-authority", users=[{"name": "authority-staff", "capacity": "member"}])
        self.subscriber = factories.User(name="li-si", email="lisi@example.com")
        self.actors = {"anonymous": None, "citizen": base.citizen, "other_department": base.outsider,
                       "department": base.clerk, "head": base.head, "authority": self.authority,
                       "sysadmin": base.sysadmin, "subscriber": self.subscriber}

    def __getattr__(self, name: str) -> Any:
        return getattr(self.base, name)

    def call(self, action: str, actor: str | None, **data: Any) -> Any:
        user = self.actors[actor] if actor else None
        context = {"user": user["name"] if user else "", "ignore_auth": False}
        return ckan_helpers.call_action(action, context=context, **data)

    def grant_both(self) -> None:
        """An open grant to the citizen and a share grant to the other department."""
        admin = {"user": self.sysadmin["name"]}
        ckan_helpers.call_action("govshare_grant_create", context=dict(admin), package_id=self.pkg["id"],
                                 kind="open", user_id=self.citizen["id"])
        ckan_helpers.call_action("govshare_grant_create", context=dict(admin), package_id=self.pkg["id"],
                                 kind="share", organization_id=self.other_org["id"])

    def edit(self, actor: str = "department", **fields: Any) -> dict[str, Any]:
        """package_patch the entry as ``actor`` (the department's clerk by default)."""
        model.Session.remove()
        return self.call("package_patch", actor, id=self.pkg["id"], **fields)


@pytest.fixture
def nw(applications_world) -> NoticeWorld:
    return NoticeWorld(applications_world())
