# -*- coding: utf-8 -*-
"""A seeded year of records for the statistics, indicators and yearly report tests
(``stats_world``): entries with known levels, update cycles and update times, applications
with known receipt, decision and deadline times (across 春节, 清明 and 国庆 2026), extension
events, and exchange-log rows. The expected figures are worked out by hand in
``tests/oversight/test_statistics.py``."""
from __future__ import annotations

import datetime

import pytest

from ckan import model
from ckan.tests import factories

from ckanext.govshare.applications.model import Application, ApplicationEvent
from ckanext.govshare.oversight import record

from tests.factories import LEVEL_EXTRAS, department, entry


def bj(y: int, m: int, d: int, hour: int = 10) -> datetime.datetime:
    """``hour`` o'clock Beijing time on that day, as stored (naive UTC)."""
    return datetime.datetime(y, m, d, hour) - datetime.timedelta(hours=8)


def eod(y: int, m: int, d: int) -> datetime.datetime:
    """The end of that day in Beijing time (a deadline), as stored."""
    return datetime.datetime(y, m, d, 15, 59, 59)


#: the moment the seeded figures are computed at (naive UTC: 2026-11-20 12:00 Beijing time)
NOW = bj(2026, 11, 20, 12)


class StatsWorld:
    """市交通局 ``jtj`` (clerk ``jtj-clerk``) with entries A (无条件开放/无条件共享, monthly, CSV),
    B (有条件/有条件, weekly, XLSX through an interface), C (不予开放/不予共享, yearly, no
    resource); 市卫健委 ``wjw`` (clerk ``wjw-clerk``) with D (无条件/无条件, irregular, JSON) and
    E (created after 2026); a citizen, a sysadmin and a member of the authority group."""

    def __init__(self) -> None:
        self.sysadmin = factories.Sysadmin(name="stats-admin")
        self.clerk = factories.User(name="jtj-clerk")
        self.other_clerk = factories.User(name="wjw-clerk")
        self.citizen = factories.User(name="stats-citizen")
        self.authority = factories.User(name="stats-authority")
        factories.Group(name="data-authority", users=[{"name": "stats-authority", "capacity": "member"}])
        self.jtj = department(name="jtj", title="市交通局", users=[{"name": "jtj-clerk", "capacity": "editor"}])
        self.wjw = department(name="wjw", title="市卫生健康委员会", provider_code="11500000MB1526732C",
                              users=[{"name": "wjw-clerk", "capacity": "editor"}])
        self.a = entry(self.jtj, name="stats-a", title="公交线路", update_cycle="monthly",
                       resources=[{"url": "https://data.example.gov.cn/a.csv", "format": "CSV"}])
        self.b = entry(self.jtj, name="stats-b", title="出租车轨迹", open_type="conditional", share_type="conditional",
                       update_cycle="weekly", **LEVEL_EXTRAS[("conditional", "conditional")],
                       resources=[{"url": "https://data.example.gov.cn/b.xlsx", "format": "XLSX",
                                   "access_method": "api", "api_description": "按日期查询出租车轨迹",
                                   "api_call": "GET https://data.example.gov.cn/api/b?date=2026-11-01"}])
        self.c = entry(self.jtj, name="stats-c", title="执法记录", open_type="closed", share_type="none",
                       update_cycle="annual", **LEVEL_EXTRAS[("closed", "none")])
        self.d = entry(self.wjw, name="stats-d", title="医疗机构名录", update_cycle="irregular",
                       resources=[{"url": "https://data.example.gov.cn/d.json", "format": "JSON"}])
        self.e = entry(self.wjw, name="stats-e", title="明年的条目", update_cycle="monthly")
        self._times()
        self._applications()
        self._exchanges()
        model.Session.remove()

    def _times(self) -> None:
        s = model.Session
        res = {r.package_id: r for r in s.query(model.Resource).filter(
            model.Resource.package_id.in_([self.a["id"], self.b["id"], self.d["id"]]))}
        res[self.a["id"]].last_modified = bj(2026, 11, 1)   # 19 days before NOW: within a month
        res[self.b["id"]].last_modified = bj(2026, 11, 1)   # more than a week: late
        res[self.d["id"]].last_modified = bj(2026, 1, 15)   # irregular: not counted
        s.query(model.Package).filter(model.Package.id == self.c["id"]).update(
            {"metadata_created": bj(2025, 6, 1)})            # released 2025, never updated: late
        s.query(model.Package).filter(model.Package.id == self.e["id"]).update(
            {"metadata_created": bj(2027, 1, 2)})            # after 2026: not counted in 2026
        s.commit()

    def _app(self, kind: str, status: str, received: datetime.datetime, due: datetime.datetime,
             decided: datetime.datetime | None = None, org: dict | None = None, pkg: dict | None = None,
             reason: str | None = None) -> Application:
        app = Application(kind=kind, status=status, package_id=pkg["id"] if pkg else None,
                          provider_org_id=org["id"] if org else None, applicant_user_id=self.citizen["id"],
                          applicant_name="张三", policy="chongqing-2018", reply_days=15, received_at=received,
                          due_at=due, decided_at=decided, decision_reason=reason, modified_at=received)
        model.Session.add(app)
        model.Session.flush()
        return app

    def _applications(self) -> None:
        jtj, wjw, a, b = self.jtj, self.wjw, self.a, self.b
        # R1 open, received Mon 28 Sep, decided Fri 9 Oct: across 国庆 (1-7 Oct) = 4 working days
        r1 = self._app("open", "approved", bj(2026, 9, 28), eod(2026, 10, 29), bj(2026, 10, 9, 16), jtj, a)
        # R2 share, 2 Mar -> 6 Mar = 4
        self._app("share", "approved", bj(2026, 3, 2), eod(2026, 3, 16), bj(2026, 3, 6), jtj, b)
        # R3 open, 1 Apr -> 29 Apr across 清明 (4-6 Apr) = 19, after its deadline (23 Apr): overdue
        self._app("open", "refused", bj(2026, 4, 1), eod(2026, 4, 23), bj(2026, 4, 29), jtj, b, reason="涉及个人隐私")
        # R4 error report, 1 Jun -> 3 Jun = 2
        self._app("error_report", "approved", bj(2026, 6, 1), eod(2026, 6, 15), bj(2026, 6, 3), jtj, a)
        # R5 open, pending past its deadline (10 Nov < NOW): overdue
        self._app("open", "submitted", bj(2026, 11, 2), eod(2026, 11, 10), None, jtj, a)
        # R6 open, withdrawn
        self._app("open", "withdrawn", bj(2026, 5, 6), eod(2026, 5, 27), bj(2026, 5, 7), jtj, b)
        # R7 open-data demand answered publicly, 1 Jul -> 8 Jul = 5
        self._app("open_demand", "approved", bj(2026, 7, 1), eod(2026, 7, 22), bj(2026, 7, 8), jtj, None,
                  reason="已纳入下季度开放计划")
        # R8 open-data demand to no department, pending, not yet due
        self._app("open_demand", "submitted", bj(2026, 8, 3), eod(2026, 12, 31), None, None, None)
        # R9 share at wjw, 10 Feb -> 26 Feb across 春节 (15-23 Feb, 14 Feb worked) = 7, due 2 Mar
        r9 = self._app("share", "approved", bj(2026, 2, 10), eod(2026, 3, 2), bj(2026, 2, 26), wjw, self.d)
        # R10 received in 2025: not in 2026's requests; its extension (2025) not either
        r10 = self._app("open", "approved", bj(2025, 12, 20), eod(2026, 1, 30), bj(2026, 1, 5), jtj, a)
        for app, at in ((r1, bj(2026, 10, 8)), (r9, bj(2026, 2, 24)), (r10, bj(2025, 12, 30))):
            model.Session.add(ApplicationEvent(application_id=app.id, at=at, action="extend"))
        model.Session.commit()

    def _exchanges(self) -> None:
        with model.meta.engine.begin() as conn:
            record.ensure_partitions(conn, datetime.date(2025, 12, 1), 14)
        a, b, d = self.a, self.b, self.d

        def row(at: datetime.datetime, channel: str, pkg: dict, basis: str) -> None:
            assert record.write_read("exchange", {
                "at": at, "actor_id": self.citizen["id"], "channel": channel, "package_id": pkg["id"],
                "resource_id": None, "organization_id": pkg["owner_org"], "basis": basis})

        # in order of time (the chain keeps times rising)
        row(datetime.datetime(2025, 12, 31, 15, 30), "download", a, "open:unconditional")  # 23:30 BJ 31 Dec 2025
        row(datetime.datetime(2025, 12, 31, 16, 30), "download", a, "open:unconditional")  # 00:30 BJ 1 Jan 2026
        for day in (3, 4, 5):
            row(bj(2026, 3, day), "download", a, "open:unconditional")
        row(bj(2026, 5, 1), "api", a, "open:unconditional")
        row(bj(2026, 5, 2), "api", a, "open:unconditional")
        row(bj(2026, 6, 1), "datastore_search", a, "share:unconditional")
        row(bj(2026, 7, 1), "download", b, "share:grant")
        row(bj(2026, 8, 1), "download", d, "open:unconditional")
        row(bj(2026, 8, 2), "download", d, "open:unconditional")


@pytest.fixture
def stats_world(with_plugins, clean_db, clean_index) -> StatsWorld:
    model.Session.remove()
    return StatsWorld()


@pytest.fixture
def stats_now() -> datetime.datetime:
    return NOW
