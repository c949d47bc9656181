# -*- coding: utf-8 -*-
"""The working-day calendar (pure unit tests, no database).

Expected dates are counted by hand from the State Council's notices
(国务院办公厅关于2025年部分节假日安排的通知, 国务院办公厅关于2026年部分节假日安排的通知)
and agree with the pinned ``holidays`` library (0.108).

Rule under test (issue 5, item 3): the day of receipt is not counted; the deadline is the
end (23:59:59.999999 Asia/Shanghai) of the n-th working day after the day of receipt.
"""
from __future__ import annotations

import datetime as dt
import logging
import os

import pytest

from ckanext.govshare.applications import workdays
from ckanext.govshare.applications.workdays import Calendar, deadline

D = dt.date
UTC = dt.timezone.utc
CST = dt.timezone(dt.timedelta(hours=8))


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


# The official schedules: days off (放假) and make-up working days (调休上班).
OFFICIAL = {
    2025: {
        "off": (
            [D(2025, 1, 1)]  # 元旦
            + _days(D(2025, 1, 28), D(2025, 2, 4))  # 春节 (除夕 to 初七)
            + _days(D(2025, 4, 4), D(2025, 4, 6))  # 清明节
            + _days(D(2025, 5, 1), D(2025, 5, 5))  # 劳动节
            + _days(D(2025, 5, 31), D(2025, 6, 2))  # 端午节
            + _days(D(2025, 10, 1), D(2025, 10, 8))  # 国庆节、中秋节
        ),
        "work": [D(2025, 1, 26), D(2025, 2, 8), D(2025, 4, 27), D(2025, 9, 28), D(2025, 10, 11)],
    },
    2026: {
        "off": (
            _days(D(2026, 1, 1), D(2026, 1, 3))  # 元旦
            + _days(D(2026, 2, 15), D(2026, 2, 23))  # 春节 (腊月二十八 to 正月初七)
            + _days(D(2026, 4, 4), D(2026, 4, 6))  # 清明节
            + _days(D(2026, 5, 1), D(2026, 5, 5))  # 劳动节
            + _days(D(2026, 6, 19), D(2026, 6, 21))  # 端午节
            + _days(D(2026, 9, 25), D(2026, 9, 27))  # 中秋节
            + _days(D(2026, 10, 1), D(2026, 10, 7))  # 国庆节
        ),
        "work": [D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9), D(2026, 9, 20), D(2026, 10, 10)],
    },
}


def end_of(day: dt.date) -> dt.datetime:
    """23:59:59.999999 Beijing time on ``day``, in UTC."""
    return dt.datetime.combine(day, dt.time.max, tzinfo=CST).astimezone(UTC)


@pytest.mark.parametrize("year", sorted(OFFICIAL))
def test_every_day_of_the_year_matches_the_official_schedule(cal, year):
    off, work = set(OFFICIAL[year]["off"]), set(OFFICIAL[year]["work"])
    assert not off & work
    for day in _days(D(year, 1, 1), D(year, 12, 31)):
        expected = day in work or (day.weekday() < 5 and day not in off)
        assert cal.is_working_day(day) is expected, day


# -- Spring Festival 2025: off 1/28 (除夕)–2/4; make-up Sunday 1/26 and Saturday 2/8 --------
@pytest.mark.parametrize(
    "day, working",
    [
        (D(2025, 1, 25), False),  # Saturday
        (D(2025, 1, 26), True),  # Sunday, make-up working day
        (D(2025, 1, 27), True),
        (D(2025, 1, 28), False),  # 除夕
        (D(2025, 1, 31), False),
        (D(2025, 2, 3), False),  # Monday, day off moved from 1/26
        (D(2025, 2, 4), False),  # Tuesday, day off moved from 2/8
        (D(2025, 2, 5), True),
        (D(2025, 2, 8), True),  # Saturday, make-up working day
        (D(2025, 2, 9), False),
    ],
)
def test_spring_festival_2025(cal, day, working):
    assert cal.is_working_day(day) is working


def test_spring_festival_2025_deadlines(cal):
    # Friday before the festival; the make-up Sunday 1/26 is day 1, Saturday 2/8 day 6
    assert cal.add_working_days(D(2025, 1, 24), 1) == D(2025, 1, 26)
    assert cal.add_working_days(D(2025, 1, 24), 10) == D(2025, 2, 13)
    # received Monday 1/27: 2/5, 2/6, 2/7, 2/8 (Sat), 2/10-14, 2/17-21, 2/24
    assert deadline(dt.datetime(2025, 1, 27, 10, 0, tzinfo=CST), 15, cal) == end_of(D(2025, 2, 24))


def test_received_in_the_middle_of_a_holiday(cal):
    # 1/30 is 正月初二: nothing is counted before 2/5, so 15 working days end on 2/24,
    # the same day as for a receipt on the last working day before the holiday
    assert cal.add_working_days(D(2025, 1, 30), 15) == D(2025, 2, 24)
    assert deadline(dt.datetime(2025, 1, 30, 9, 0, tzinfo=CST), 15, cal) == end_of(D(2025, 2, 24))
    # 2026: received on 正月初二 (2/18): 2/24-28 (Sat 2/28 works), 3/2-6, 3/9-13
    assert deadline(dt.datetime(2026, 2, 18, 12, 0, tzinfo=CST), 15, cal) == end_of(D(2026, 3, 13))


def test_received_on_a_weekend(cal):
    # Saturday 2025-01-25: the day is not counted; the next day is a make-up working day
    assert deadline(dt.datetime(2025, 1, 25, 20, 0, tzinfo=CST), 1, cal) == end_of(D(2025, 1, 26))
    # an ordinary Sunday: Monday is day 1
    assert cal.add_working_days(D(2025, 3, 9), 1) == D(2025, 3, 10)
    # received on the make-up Sunday 2025-09-28 itself: it is not counted either
    assert cal.add_working_days(D(2025, 9, 28), 1) == D(2025, 9, 29)


# -- Spring Festival 2026: off 2/15–2/23; make-up Saturdays 2/14 and 2/28 ---------------------
@pytest.mark.parametrize(
    "day, working",
    [
        (D(2026, 2, 13), True),
        (D(2026, 2, 14), True),  # Saturday, make-up working day
        (D(2026, 2, 15), False),  # Sunday, first day off
        (D(2026, 2, 16), False),  # 除夕
        (D(2026, 2, 20), False),  # Friday, moved from 2/14
        (D(2026, 2, 23), False),  # Monday, moved from 2/28
        (D(2026, 2, 24), True),
        (D(2026, 2, 28), True),  # Saturday, make-up working day
        (D(2026, 3, 1), False),
    ],
)
def test_spring_festival_2026(cal, day, working):
    assert cal.is_working_day(day) is working


def test_spring_festival_2026_deadline(cal):
    # received Friday 2/13: 2/14 (Sat), 2/24-27, 2/28 (Sat), 3/2-5
    assert cal.add_working_days(D(2026, 2, 13), 10) == D(2026, 3, 5)


# -- National Day 2025: off 10/1–10/8; make-up Sunday 9/28 and Saturday 10/11 -----------------
@pytest.mark.parametrize(
    "day, working",
    [
        (D(2025, 9, 27), False),
        (D(2025, 9, 28), True),  # Sunday, make-up working day
        (D(2025, 9, 30), True),
        (D(2025, 10, 1), False),
        (D(2025, 10, 6), False),  # 中秋节
        (D(2025, 10, 7), False),
        (D(2025, 10, 8), False),
        (D(2025, 10, 9), True),
        (D(2025, 10, 11), True),  # Saturday, make-up working day
        (D(2025, 10, 12), False),
    ],
)
def test_national_day_2025(cal, day, working):
    assert cal.is_working_day(day) is working


def test_national_day_2025_deadlines(cal):
    # Friday 9/26: 9/28 (Sun), 9/29, 9/30, 10/9, 10/10, 10/11 (Sat), 10/13-17, 10/20-23
    assert cal.add_working_days(D(2025, 9, 26), 15) == D(2025, 10, 23)
    # 9/30 late evening Beijing time: 10/9, 10/10, 10/11, 10/13-17, 10/20, 10/21
    received = dt.datetime(2025, 9, 30, 23, 30, tzinfo=CST)
    assert deadline(received, 10, cal) == end_of(D(2025, 10, 21))
    # received on a holiday (10/3): 10/9-11, 10/13-17, 10/20-24, 10/27, 10/28
    assert cal.add_working_days(D(2025, 10, 3), 15) == D(2025, 10, 28)


# -- year boundary -------------------------------------------------------------------------
def test_counting_runs_into_the_next_year(cal):
    # 2025-12-30 (Tue): 12/31; 1/1-1/3 off; 1/4 (Sun) works; 1/5-9, 1/12-16, 1/19-21
    assert cal.add_working_days(D(2025, 12, 30), 10) == D(2026, 1, 14)
    assert cal.add_working_days(D(2025, 12, 30), 15) == D(2026, 1, 21)
    assert deadline(dt.datetime(2025, 12, 30, 9, 0, tzinfo=CST), 15, cal) == end_of(D(2026, 1, 21))


def test_the_day_of_receipt_is_the_beijing_date(cal):
    # 2025-12-30 16:30 UTC is 2025-12-31 00:30 in Beijing: counting starts after 12/31
    received = dt.datetime(2025, 12, 30, 16, 30, tzinfo=UTC)
    assert deadline(received, 10, cal) == end_of(D(2026, 1, 15))
    # a naive datetime is UTC (CKAN's convention)
    assert deadline(dt.datetime(2025, 12, 30, 16, 30), 10, cal) == end_of(D(2026, 1, 15))
    assert deadline(dt.datetime(2025, 12, 30, 15, 59), 10, cal) == end_of(D(2026, 1, 14))


def test_deadline_is_the_end_of_the_day_in_utc(cal):
    due = deadline(dt.datetime(2025, 3, 3, 9, 0, tzinfo=CST), 1, cal)
    assert due.tzinfo is not None and due.utcoffset() == dt.timedelta(0)
    assert due == dt.datetime(2025, 3, 4, 15, 59, 59, 999999, tzinfo=UTC)
    assert due.astimezone(CST).time() == dt.time.max


def test_working_days_between(cal):
    assert cal.working_days_between(D(2025, 1, 27), D(2025, 2, 24)) == 15
    assert cal.working_days_between(D(2025, 2, 24), D(2025, 1, 27)) == -15
    assert cal.working_days_between(D(2025, 9, 30), D(2025, 10, 8)) == 0
    assert cal.working_days_between(D(2025, 3, 3), D(2025, 3, 3)) == 0
    assert cal.working_days_between(D(2025, 12, 30), D(2026, 1, 4)) == 2
    for n in (1, 7, 15, 30):
        start = D(2025, 9, 26)
        assert cal.working_days_between(start, cal.add_working_days(start, n)) == n


@pytest.mark.parametrize("n", [0, -1, 1.5, True])
def test_n_must_be_a_positive_whole_number(cal, n):
    with pytest.raises(ValueError):
        cal.add_working_days(D(2025, 3, 3), n)


# -- coverage and unknown years -------------------------------------------------------------
def test_library_coverage():
    # holidays 0.108 knows China's official schedules (with 调休) from 2001 to 2026
    assert workdays.library_years() == range(2001, 2027)
    cal = Calendar()
    assert cal.known(2025) and cal.known(2026)
    assert not cal.known(2027)
    assert cal.warnings_for(D(2025, 5, 1), D(2026, 12, 31)) == []


def test_unknown_year_warning(cal, caplog, monkeypatch):
    # a CKAN CLI test earlier in the run reloads logging.fileConfig, which disables loggers
    # that existed before it; this test is about the warning, so make sure it can be heard
    monkeypatch.setattr(workdays.log, "disabled", False)
    messages = cal.warnings_for(D(2027, 3, 1), D(2026, 12, 1), D(2027, 9, 1))
    assert len(messages) == 1
    assert "2027" in messages[0] and "not known" in messages[0]
    assert "ckanext.govshare.calendar_overrides" in messages[0]

    with caplog.at_level(logging.WARNING, logger=workdays.log.name):
        # 2026-12-28 (Mon) + 10 working days ends in January 2027
        due = deadline(dt.datetime(2026, 12, 28, 9, 0, tzinfo=CST), 10, cal)
    assert due.astimezone(CST).date().year == 2027
    warned = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert warned and "2027" in warned[0].getMessage()

    caplog.clear()
    with caplog.at_level(logging.WARNING, logger=workdays.log.name):
        deadline(dt.datetime(2026, 11, 2, 9, 0, tzinfo=CST), 10, cal)
    assert not [r for r in caplog.records if r.levelno == logging.WARNING]


# -- the override file ------------------------------------------------------------------------
def _write(tmp_path, text: str, name: str = "calendar.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_override_adds_a_holiday_and_a_workday(tmp_path):
    path = _write(
        tmp_path,
        "holidays: [2025-03-03]\n"  # a Monday made a day off
        "workdays: ['2025-03-08']\n",  # a Saturday made a working day (quoted works too)
    )
    cal = Calendar(path)
    assert not cal.is_working_day(D(2025, 3, 3))
    assert cal.is_working_day(D(2025, 3, 8))
    # the rest of 2025 still comes from the library
    assert cal.is_working_day(D(2025, 1, 26)) and not cal.is_working_day(D(2025, 10, 1))
    # Friday 2/28 + 1: Monday 3/3 is now off -> Tuesday 3/4
    assert cal.add_working_days(D(2025, 2, 28), 1) == D(2025, 3, 4)
    # Friday 3/7 + 1: Saturday 3/8 now works
    assert cal.add_working_days(D(2025, 3, 7), 1) == D(2025, 3, 8)
    assert not cal.known(2027)


def test_override_declares_a_year(tmp_path):
    # a made-up 2027 schedule (the real one is published around November 2026)
    path = _write(
        tmp_path,
        "years: [2027]\n"
        "holidays: [2027-01-01, 2027-02-05, 2027-02-08, 2027-02-09, 2027-02-10, 2027-02-11]\n"
        "workdays: [2027-02-20]\n",
    )
    cal = Calendar(path)
    assert cal.known(2027) and cal.known(2026) and not cal.known(2028)
    assert cal.warnings_for(D(2027, 6, 1)) == []
    assert not cal.is_working_day(D(2027, 2, 11))
    assert cal.is_working_day(D(2027, 2, 20))  # Saturday
    # for a declared year the file is the whole schedule: the library's estimate of
    # 2027-04-05 (清明节, Monday) is ignored because the file does not list it
    assert cal.is_working_day(D(2027, 4, 5))
    assert not Calendar().is_working_day(D(2027, 4, 5))
    # 2027-02-04 (Thu) + 3: 2/12 (Fri), 2/15 (Mon), 2/16
    assert cal.add_working_days(D(2027, 2, 4), 3) == D(2027, 2, 16)


def test_empty_override_file(tmp_path):
    cal = Calendar(_write(tmp_path, ""))
    assert cal.is_working_day(D(2025, 1, 26))


@pytest.mark.parametrize(
    "text, key",
    [
        ("holidays: [2025-02-30]\n", "holidays"),
        ("holidays: [not-a-date]\n", "holidays"),
        ("workdays: 2025-03-08\n", "workdays"),
        ("years: [twenty]\n", "years"),
        ("holidays: [2025-03-03]\nworkdays: [2025-03-03]\n", "workdays"),
        ("holiday: [2025-03-03]\n", "holiday"),
        ("- 2025-03-03\n", "mapping"),
        ("holidays: [2025-03-03\n", "YAML"),
    ],
)
def test_bad_override_file(tmp_path, text, key):
    path = _write(tmp_path, text)
    with pytest.raises(ValueError) as err:
        Calendar(path)
    assert path in str(err.value) and key in str(err.value)


def test_missing_override_file(tmp_path):
    path = str(tmp_path / "nope.yaml")
    with pytest.raises(ValueError, match="nope.yaml"):
        Calendar(path)


# -- CKAN configuration -----------------------------------------------------------------------
def test_get_calendar_follows_the_config(tmp_path, monkeypatch):
    from ckan.common import config

    monkeypatch.setitem(config, workdays.CONFIG_KEY, "")
    plain = workdays.get_calendar()
    assert plain.overrides_path is None
    assert workdays.get_calendar() is plain  # cached

    path = _write(tmp_path, "holidays: [2025-03-03]\n")
    monkeypatch.setitem(config, workdays.CONFIG_KEY, path)
    cal = workdays.get_calendar()
    assert cal.overrides_path == path and not cal.is_working_day(D(2025, 3, 3))
    # deadline() without a calendar uses the configured one
    assert deadline(dt.datetime(2025, 2, 28, 9, 0, tzinfo=CST), 1) == end_of(D(2025, 3, 4))

    # an edited file is read again
    with open(path, "w", encoding="utf-8") as f:
        f.write("holidays: [2025-03-04]\n")
    st = os.stat(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    cal2 = workdays.get_calendar()
    assert cal2 is not cal and cal2.is_working_day(D(2025, 3, 3))
    assert not cal2.is_working_day(D(2025, 3, 4))
