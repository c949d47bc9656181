# -*- coding: utf-8 -*-
"""Every statistic computed on a seeded year (tests/oversight/conftest.py) and compared with
figures worked out by hand (kunming-2019 §27 "定期公布", §35; shenyang-2016 §12; kunming-2019 §18).

The seeded history, 2026 (Beijing time):

==== ===== ============ ========== ========== ======================= ======= ===========
app  dept  kind         received   decided    working days            due     outcome
==== ===== ============ ========== ========== ======================= ======= ===========
R1   jtj   open         28 Sep     9 Oct      29, 30 Sep, 8, 9 Oct = 4 29 Oct  approved (国庆 1-7 Oct)
R2   jtj   share        2 Mar      6 Mar      4                       16 Mar  approved
R3   jtj   open         1 Apr      29 Apr     19 (清明 4-6 Apr)       23 Apr  refused, late
R4   jtj   error_report 1 Jun      3 Jun      2                       15 Jun  approved
R5   jtj   open         2 Nov      —          —                       10 Nov  pending, overdue
R6   jtj   open         6 May      (withdrawn)                                withdrawn
R7   jtj   open_demand  1 Jul      8 Jul      5                       22 Jul  approved, reply published
R8   —     open_demand  3 Aug      —                                  31 Dec  pending
R9   wjw   share        10 Feb     26 Feb     11-13, 14 (调休), 24-26 = 7 2 Mar  approved (春节 15-23 Feb)
R10  jtj   open         20 Dec 2025 (not in 2026)
==== ===== ============ ========== ========== ======================= ======= ===========
"""
from __future__ import annotations

import datetime

import pytest

from ckanext.govshare.oversight import indicators, statistics
from ckanext.govshare.oversight.statistics import Period, median, percentile

YEAR = Period.year(2026)


def test_median_and_nearest_rank_percentile():
    """The reply-time figures' definitions (kunming-2019 §35): median, 90th percentile by
    nearest rank."""
    assert median([]) is None and percentile([], 90) is None
    assert median([5, 1, 3]) == 3
    assert median([2, 4, 4, 5, 7, 19]) == 4.5
    assert percentile([2, 4, 4, 5, 7, 19], 90) == 19      # rank ceil(5.4) = 6
    assert percentile(list(range(1, 11)), 90) == 9         # rank 9 of 10
    assert percentile([3], 90) == 3


def test_period_is_whole_days_in_beijing_time():
    assert YEAR.start_utc.isoformat() == "2025-12-31T16:00:00"
    assert YEAR.end_utc.isoformat().startswith("2026-12-31T15:59:59")


def test_entries_by_level_overall_and_per_department(stats_world, stats_now):
    """Entries by open and share attribute (kunming-2019 §27): E, created in 2027, is not
    counted in 2026."""
    w = stats_world
    overall = statistics.compute(YEAR, now=stats_now)["entries"]
    assert overall["total"] == 4
    assert overall["open"] == {"unconditional": 2, "conditional": 1, "closed": 1}
    assert overall["share"] == {"unconditional": 2, "conditional": 1, "none": 1}
    jtj = statistics.compute(YEAR, w.jtj["id"], now=stats_now)["entries"]
    assert (jtj["total"], jtj["open"], jtj["share"]) == (
        3, {"unconditional": 1, "conditional": 1, "closed": 1}, {"unconditional": 1, "conditional": 1, "none": 1})
    wjw = statistics.compute(YEAR, w.wjw["id"], now=stats_now)["entries"]
    assert (wjw["total"], wjw["open"]["unconditional"]) == (1, 1)


def test_updates_against_the_update_cycle(stats_world, stats_now):
    """shenyang-2016 §12, kunming-2019 §18: A (monthly, updated 19 days before) is on time; B
    (weekly, same day) and C (yearly, released June 2025, never updated) are late; D
    (irregular) is not counted."""
    w = stats_world
    u = statistics.compute(YEAR, now=stats_now)["updates"]
    assert (u["regular"], u["on_time"], u["late"], u["irregular"], u["on_time_pct"]) == (3, 1, 2, 1, 33.3)
    assert [e["name"] for e in u["late_entries"]] == ["stats-c", "stats-b"]  # the longest late first
    assert u["late_entries"][0]["last_update"] == "2025-06-01"
    assert u["as_of"] == "2026-11-20"
    wjw = statistics.compute(YEAR, w.wjw["id"], now=stats_now)["updates"]
    assert (wjw["regular"], wjw["on_time_pct"], wjw["irregular"]) == (0, None, 1)


def test_requests_by_kind_and_outcome(stats_world, stats_now):
    """Requests received in 2026 by kind and outcome (kunming-2019 §35); R10 (2025) is not."""
    r = statistics.compute(YEAR, now=stats_now)["requests"]
    assert r["total"] == 9
    assert r["by_kind"]["open"] == {"approved": 1, "refused": 1, "withdrawn": 1, "pending": 1, "total": 4}
    assert r["by_kind"]["share"] == {"approved": 2, "refused": 0, "withdrawn": 0, "pending": 0, "total": 2}
    assert r["by_kind"]["error_report"]["approved"] == 1
    assert r["by_kind"]["catalogue_correction"]["total"] == 0
    assert r["by_kind"]["open_demand"] == {"approved": 1, "refused": 0, "withdrawn": 0, "pending": 1, "total": 2}
    assert r["by_outcome"] == {"approved": 5, "refused": 1, "withdrawn": 1, "pending": 2}


def test_reply_time_in_working_days_across_holidays(stats_world, stats_now):
    """Reply time in working days, holidays and make-up days included (chongqing-2018 §19,
    §24 count in 工作日): replies took 2, 4, 4, 5, 7 (春节, with the make-up Saturday 14 Feb)
    and 19 (清明) working days; R1 took 4 across 国庆 2026 (11 calendar days). Median 4.5,
    90th percentile 19."""
    w = stats_world
    r = statistics.compute(YEAR, now=stats_now)["requests"]
    assert r["reply_days"] == {"count": 6, "median": 4.5, "p90": 19}
    assert (r["decided"], r["on_time"], r["on_time_pct"]) == (6, 5, 83.3)
    jtj = statistics.compute(YEAR, w.jtj["id"], now=stats_now)["requests"]
    assert jtj["reply_days"] == {"count": 5, "median": 4, "p90": 19}
    assert (jtj["total"], jtj["decided"], jtj["on_time"], jtj["on_time_pct"]) == (7, 5, 4, 80.0)
    wjw = statistics.compute(YEAR, w.wjw["id"], now=stats_now)["requests"]
    assert wjw["reply_days"] == {"count": 1, "median": 7, "p90": 7}


def test_overdue_and_extensions(stats_world, stats_now):
    """Overdue: R3 answered after its deadline, R5 pending past it; extensions consented in
    2026 (events ``extend``): R1's and R9's, not R10's of 2025 (chongqing-2018 §24 ¶2)."""
    w = stats_world
    r = statistics.compute(YEAR, now=stats_now)["requests"]
    assert (r["overdue"], r["extensions"]) == (2, 2)
    jtj = statistics.compute(YEAR, w.jtj["id"], now=stats_now)["requests"]
    assert (jtj["overdue"], jtj["extensions"]) == (2, 1)
    wjw = statistics.compute(YEAR, w.wjw["id"], now=stats_now)["requests"]
    assert (wjw["overdue"], wjw["extensions"]) == (0, 1)
    # on 5 Nov, before R5's deadline, it was not overdue yet
    early = statistics.compute(YEAR, now=datetime.datetime(2026, 11, 5, 2, 0))
    assert early["requests"]["overdue"] == 1


def test_downloads_api_calls_and_share_exchanges(stats_world, stats_now):
    """From the exchange log (kunming-2019 §27 共享交换日志, §35): the download at 23:30 on
    31 Dec 2025 Beijing time is outside 2026, the one at 00:30 on 1 Jan inside."""
    w = stats_world
    use = statistics.compute(YEAR, now=stats_now)["usage"]
    assert (use["downloads"], use["api_calls"], use["share_exchanges"], use["entries_used"]) == (7, 3, 2, 3)
    assert [(e["name"], e["downloads"], e["api_calls"], e["share_exchanges"]) for e in use["per_entry"]] == [
        ("stats-a", 4, 3, 1), ("stats-d", 2, 0, 0), ("stats-b", 1, 0, 1)]
    jtj = statistics.compute(YEAR, w.jtj["id"], now=stats_now)["usage"]
    assert (jtj["downloads"], jtj["api_calls"], jtj["share_exchanges"], jtj["entries_used"]) == (5, 3, 2, 2)
    assert statistics.compute(Period.year(2025), now=stats_now)["usage"]["downloads"] == 1


def test_evaluation_indicators(stats_world, stats_now):
    """The indicators open-data portals are evaluated by (kunming-2019 §34, shenyang-2016 §26
    evaluation): open entries A, B, D — machine-readable A (CSV) and D (JSON): 66.7; through an
    interface B: 33.3; updated on time 1 of 3: 33.3; answered in time 5 of 6: 83.3; demands
    answered publicly 1 of 2: 50.0; mean 53.3."""
    scores = indicators.score(statistics.compute(YEAR, now=stats_now))
    got = {i["code"]: (i["part"], i["whole"], i["score"]) for i in scores["indicators"]}
    assert got == {"machine_readable": (2, 3, 66.7), "api_access": (1, 3, 33.3),
                   "update_timeliness": (1, 3, 33.3), "reply_timeliness": (5, 6, 83.3),
                   "demands_answered": (1, 2, 50.0)}
    assert scores["overall"] == 53.3
    assert all(i["definition"] and i["label"] for i in scores["indicators"])


def test_an_indicator_with_nothing_to_measure_has_no_score(stats_world, stats_now):
    """wjw has no entry with a regular cycle and no demand: those are not scored, and not in the mean."""
    scores = indicators.score(statistics.compute(YEAR, stats_world.wjw["id"], now=stats_now))
    got = {i["code"]: i["score"] for i in scores["indicators"]}
    assert got["update_timeliness"] is None and got["demands_answered"] is None
    assert got["reply_timeliness"] == 100.0
    assert scores["overall"] == pytest.approx(round((100.0 + 0.0 + 100.0) / 3, 1))


def test_all_departments_at_once_equal_one_by_one(stats_world, stats_now):
    """``compute_all`` (the authority's page and the city's report: the exchange log read once)
    gives the same figures as asking for each department."""
    overall, departments = statistics.compute_all(YEAR, now=stats_now)
    strip = lambda s: {k: v for k, v in s.items() if k != "computed_at"}  # noqa: E731
    assert strip(overall) == strip(statistics.compute(YEAR, now=stats_now))
    assert [name for _id, name, _title, _s in departments] == ["jtj", "wjw"]  # by title: 市交通局, 市卫生…
    for org_id, _name, _title, figures in departments:
        assert strip(figures) == strip(statistics.compute(YEAR, org_id, now=stats_now))
