# -*- coding: utf-8 -*-
"""Security tests: the actors of the platform (anonymous, a citizen, a department clerk and
its head, a sysadmin) around one conditionally open and shared entry, and the coverage
summary the hostile-input fuzzer prints at the end of the run."""
from __future__ import annotations

from typing import Any

import pytest

from ckan import model
from ckan.tests import factories, helpers

from tests.factories import LEVEL_EXTRAS, department, entry

CITIZEN_ID = "11010519491231002X"

# Filled by tests/security/test_fuzz.py; printed by pytest_terminal_summary below.
FUZZ_COVERAGE: dict[str, Any] = {}


class Actors:
    """Users with API tokens, two departments, a conditional entry with a resource and a
    pending open application by the citizen."""

    NAMES = ("citizen", "clerk", "head", "sysadmin", "outsider")

    def __init__(self) -> None:
        self.sysadmin = factories.Sysadmin(name="sec-admin")
        self.head = factories.User(name="sec-head")
        self.clerk = factories.User(name="sec-clerk")
        self.citizen = factories.User(name="sec-citizen", email="citizen@example.com")
        self.outsider = factories.User(name="sec-outsider")
        self.org = department(name="sec-jtj", head_user="sec-head", users=[
            {"name": "sec-head", "capacity": "admin"}, {"name": "sec-clerk", "capacity": "editor"}])
        self.other_org = department(name="sec-wjw", title="市卫健委", users=[
            {"name": "sec-outsider", "capacity": "editor"}])
        self.pkg = entry(self.org, name="sec-chuzuche", open_type="conditional", share_type="conditional",
                         resources=[{"url": "https://data.example.gov.cn/sec.csv", "name": "运营数据"}],
                         **LEVEL_EXTRAS[("conditional", "conditional")])
        self.resource_id = self.pkg["resources"][0]["id"]
        self.application = helpers.call_action(
            "govshare_application_create", context={"user": self.citizen["name"], "ignore_auth": False},
            kind="open", package_id=self.pkg["id"], applicant_type="citizen", applicant_name="张三",
            id_number=CITIZEN_ID, contact_phone="13800138000", purpose="交通规划研究",
            usage_scope="内部研究", data_items="日期、里程", period_start="2026-12-01",
            period_end="2027-06-30", agreement_accepted=True)
        self.tokens = {name: factories.APIToken(user=getattr(self, name)["id"])["token"]
                       for name in self.NAMES}

    def headers(self, who: str | None) -> dict[str, str]:
        """Request headers of an actor (None: anonymous)."""
        return {"Authorization": self.tokens[who]} if who else {}

    def context(self, who: str) -> dict[str, Any]:
        return {"user": getattr(self, who)["name"], "ignore_auth": False}


@pytest.fixture
def actors(with_plugins, clean_db, clean_index) -> Actors:
    model.Session.remove()
    return Actors()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not FUZZ_COVERAGE:
        return
    tr = terminalreporter
    tr.section("hostile-input fuzzer coverage")
    for key, value in FUZZ_COVERAGE.items():
        if isinstance(value, dict):
            tr.write_line(f"{key}: " + ", ".join(f"{k}={v}" for k, v in sorted(value.items())))
        elif isinstance(value, (list, tuple, set)):
            tr.write_line(f"{key} ({len(value)}): " + ", ".join(sorted(map(str, value))))
        else:
            tr.write_line(f"{key}: {value}")


# --- leak scanner coverage (tests/security/test_leak_scanner.py) -------------------------------
# Self-contained block: the scanner fills LEAK_SCAN_COVERAGE; the summary below chains to any
# pytest_terminal_summary defined above it (keep this block last, or chain the same way).
LEAK_SCAN_COVERAGE: dict[str, Any] = {}


def _leak_scan_summary(terminalreporter) -> None:
    if not LEAK_SCAN_COVERAGE:
        return
    tr = terminalreporter
    tr.section("leak scanner coverage")
    for key, value in LEAK_SCAN_COVERAGE.items():
        if isinstance(value, dict):
            tr.write_line(f"{key} ({len(value)}): " + ", ".join(f"{k}={v}" for k, v in sorted(value.items())))
        elif isinstance(value, (list, tuple, set, frozenset)):
            items = sorted(map(str, value))
            shown = ", ".join(items[:60]) + (f", … (+{len(items) - 60})" if len(items) > 60 else "")
            tr.write_line(f"{key} ({len(items)}): {shown}")
        else:
            tr.write_line(f"{key}: {value}")


def _chain_leak_scan_summary(previous):
    def pytest_terminal_summary(terminalreporter, exitstatus, config):
        if previous is not None:
            previous(terminalreporter, exitstatus, config)
        _leak_scan_summary(terminalreporter)
    return pytest_terminal_summary


pytest_terminal_summary = _chain_leak_scan_summary(globals().get("pytest_terminal_summary"))
