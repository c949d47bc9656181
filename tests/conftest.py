# -*- coding: utf-8 -*-
"""Shared fixtures: CKAN's own (pytest-ckan: app, with_plugins, clean_db, clean_index …)
plus a ``clean_db`` that also applies the migrations of govshare and activity."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from ckan import model
from ckan.lib.redis import connect_to_redis
from ckan.lib import jobs

GOVSHARE_TABLES = ("govshare_application_event", "govshare_application", "govshare_grant")
# the ten-year logs (oversight/): append-only and hash-chained; TRUNCATE empties them and their
# chain heads together, which a database owner can always do — docs/logs.md (threat model)
GOVSHARE_TABLES += ("govshare_log_catalogue", "govshare_log_exchange", "govshare_log_query",
                    "govshare_log_head", "govshare_log_archive")
# the catalogue review (review/): one row per submission of an entry
GOVSHARE_TABLES += ("govshare_review",)
# feedback and update notices (feedback/, notices/)
GOVSHARE_TABLES += ("govshare_notice_upkeep", "govshare_notice_state", "govshare_notice",
                    "govshare_subscription", "govshare_feedback")


def _truncate_govshare_tables() -> None:
    """The application event log is append-only (a trigger refuses DELETE), so the test
    reset empties govshare's tables with TRUNCATE, which row triggers do not see."""
    engine = model.meta.engine
    if engine is None:
        return
    with engine.begin() as conn:
        existing = [t for t in GOVSHARE_TABLES if sa.inspect(conn).has_table(t)]
        if existing:
            conn.execute(sa.text(f"TRUNCATE {', '.join(existing)} CASCADE"))


@pytest.fixture
def clean_db(reset_db, migrate_db_for):
    """Reset the database to CKAN's initial state and apply the plugins' migrations."""
    model.Session.remove()
    _truncate_govshare_tables()
    reset_db()
    migrate_db_for("activity")
    migrate_db_for("govshare")


@pytest.fixture
def run_jobs(clean_redis, with_test_worker):
    """Platform mail is a background job (``ckanext/govshare/notify.py``). This empties the
    test Redis database first (job queues, mail rate counters) and returns a callable that
    runs every queued job in this process, as ``ckan jobs worker --burst`` does on the
    default queue (CKAN's worker, without the fork, so ``mail_server`` sees the mail)."""
    def run() -> None:
        # RQ's current connection is per thread; a queue first made in another thread (the
        # browser tests' live server) leaves this one without: name the connection
        jobs.Worker(connection=connect_to_redis()).work(burst=True)
    return run


# -- applications (tests/applications, tests/security) ------------------------------------------
from typing import Any  # noqa: E402 (this section is appended: the file is shared)

from ckan.tests import factories  # noqa: E402
from ckan.tests import helpers as ckan_helpers  # noqa: E402

from tests.factories import LEVEL_EXTRAS, approve_pending, department, entry, entry_data  # noqa: E402


class ApplicationWorld:
    """The setting of the application tests: department 市交通局 (``jtj``) with its head
    (``jtj-head``, its designated head and an admin) and a clerk (``jtj-clerk``, editor);
    another department (``wjw``) with its clerk (``other-clerk``); a citizen (``zhang-san``)
    and a sysadmin (``app-admin``); and ``chuzuche``, an entry of jtj that is conditionally
    open and conditionally shared (chongqing-2018 §19, §24). ``entry_extra`` overrides the
    entry's fields (resources …); ``creator`` names the world's user who creates it."""

    CITIZEN_ID = "11010519491231002X"

    def __init__(self, creator: str | None = None, **entry_extra: Any) -> None:
        self.sysadmin = factories.Sysadmin(name="app-admin")
        self.head = factories.User(name="jtj-head")
        self.clerk = factories.User(name="jtj-clerk")
        self.outsider = factories.User(name="other-clerk")
        self.citizen = factories.User(name="zhang-san", email="zhangsan@example.com")
        self.org = department(name="jtj", head_user="jtj-head", users=[
            {"name": "jtj-head", "capacity": "admin"}, {"name": "jtj-clerk", "capacity": "editor"}])
        self.other_org = department(name="wjw", users=[{"name": "other-clerk", "capacity": "editor"}])
        fields: dict[str, Any] = {"name": "chuzuche", "open_type": "conditional", "share_type": "conditional",
                                  "resources": [{"url": "https://data.example.gov.cn/chuzuche.csv"}],
                                  **LEVEL_EXTRAS[("conditional", "conditional")]}
        fields.update(entry_extra)
        if creator:
            fields["user"] = getattr(self, creator)
        self.pkg = entry(self.org, **fields)
        if creator and approve_pending(self.pkg["id"]):
            # a department's entry is published once the authority approves it (shenyang-2016 §12)
            self.pkg = ckan_helpers.call_action("package_show", id=self.pkg["id"])

    def as_(self, user: dict[str, Any]) -> dict[str, Any]:
        return {"user": user["name"], "ignore_auth": False}

    def form(self, **extra: Any) -> dict[str, Any]:
        """A complete open application (开放申请) for the entry."""
        data = {
            "kind": "open", "package_id": self.pkg["id"], "applicant_type": "citizen",
            "applicant_name": "张三", "id_number": self.CITIZEN_ID, "contact_phone": "13800138000",
            "purpose": "交通规划研究", "usage_scope": "仅限本单位内部研究", "data_items": "日期、载客里程",
            "period_start": "2026-12-01", "period_end": "2027-06-30", "agreement_accepted": True,
        }
        data.update(extra)
        return data

    def apply(self, user: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
        """Submit the open application (as the citizen unless ``user`` is given)."""
        return ckan_helpers.call_action("govshare_application_create", context=self.as_(user or self.citizen),
                                        **self.form(**extra))

    def act(self, action: str, user: dict[str, Any], **data: Any) -> dict[str, Any]:
        """Call ``govshare_application_<action>`` as ``user``."""
        return ckan_helpers.call_action(f"govshare_application_{action}", context=self.as_(user), **data)


@pytest.fixture
def applications_world(with_plugins, clean_db, clean_index):
    """A factory of the application tests' setting: ``applications_world(creator, **entry_extra)``."""
    def make(creator: str | None = None, **entry_extra: Any) -> ApplicationWorld:
        model.Session.remove()
        return ApplicationWorld(creator, **entry_extra)
    return make


# -- catalogue review (tests/review, tests/authority) ---------------------------------------------
class ReviewWorld:
    """The catalogue review's actors: 市交通局 (``jtj``) with its clerk (``rv-clerk``, editor);
    another department (``wjw``) with its clerk (``rv-other``); a citizen (``rv-citizen``); a
    member of the authority group (``rv-authority``, not a sysadmin) and a sysadmin
    (``rv-admin``)."""

    def __init__(self) -> None:
        self.sysadmin = factories.Sysadmin(name="rv-admin")
        self.clerk = factories.User(name="rv-clerk")
        self.other = factories.User(name="rv-other")
        self.citizen = factories.User(name="rv-citizen")
        self.authority = factories.User(name="rv-authority")
        self.group = factories.Group(name="data-authority", users=[{"name": "rv-authority", "capacity": "member"}])
        self.org = department(name="jtj", users=[{"name": "rv-clerk", "capacity": "editor"}])
        self.other_org = department(name="wjw", title="市卫健委", users=[{"name": "rv-other", "capacity": "editor"}])

    def ctx(self, user: dict[str, Any] | None) -> dict[str, Any]:
        return {"user": user["name"] if user else "", "ignore_auth": False}

    def call(self, action: str, user: dict[str, Any] | None, **data: Any) -> Any:
        return ckan_helpers.call_action(action, context=self.ctx(user), **data)

    def submit(self, **extra: Any) -> dict[str, Any]:
        """The clerk creates an entry asking for publication (CKAN's ``private`` false)."""
        return self.call("package_create", self.clerk, **entry_data(self.org, private=False, **extra))

    def review_of(self, pkg: dict[str, Any]) -> dict[str, Any] | None:
        return self.call("govshare_review_show", self.sysadmin, id=pkg["id"])["current"]

    def public_names(self) -> set[str]:
        """What the public finds in search."""
        found = ckan_helpers.call_action("package_search", context={"user": "", "ignore_auth": False},
                                         q="*:*", rows=1000)
        return {p["name"] for p in found["results"]}


@pytest.fixture
def review_world(with_plugins, clean_db, clean_index) -> ReviewWorld:
    model.Session.remove()
    return ReviewWorld()
