# -*- coding: utf-8 -*-
"""Chinese working-day calendar (工作日) for statutory deadlines (pure functions).

A day is a working day when it is Monday to Friday and not a statutory holiday, or when it
is a make-up working day (调休上班) on a weekend. The schedule comes from the pinned
``holidays`` library (the State Council's yearly notices, 国务院办公厅关于部分节假日安排的通知)
plus an optional operator override file for years published after the library release::

    holidays: [2027-02-08, ...]   # extra days off
    workdays: [2027-02-20, ...]   # extra working days (make-up Saturdays/Sundays)
    years: [2027]                 # years the file covers completely (optional)

For a year listed under ``years`` the file is the whole schedule of that year: the
library's holidays and make-up days of that year are ignored. For the other years the
file's days patch the library's schedule.

Counting rule (see :func:`deadline`): the day of receipt is not counted; the deadline is
the end (23:59:59.999999 Asia/Shanghai) of the n-th working day after it.
"""
from __future__ import annotations

import datetime
import logging
import os
import threading
from dataclasses import dataclass
from typing import Any, Iterable
from zoneinfo import ZoneInfo

import holidays as holidays_lib
import yaml

from ckan.common import config

log = logging.getLogger(__name__)

__all__ = [
    "Calendar",
    "CONFIG_KEY",
    "TZ",
    "deadline",
    "end_of_day",
    "end_of_day_utc",
    "get_calendar",
    "library_years",
    "local_date",
    "naive_utc",
]

CONFIG_KEY = "ckanext.govshare.calendar_overrides"
TZ = "Asia/Shanghai"
#: Safety cap for scanning: no real schedule has a year without working days.
_MAX_SCAN_DAYS = 3 * 366
_OVERRIDE_KEYS = ("holidays", "workdays", "years")
_LIB_VERSION: str = getattr(holidays_lib, "__version__", "?")


def library_years() -> range:
    """Years whose official schedule (holidays *and* make-up working days) the installed
    ``holidays`` release knows for China: 2001-2026 for holidays 0.108.

    The library computes statutory holidays for later years too (lunar dates, weekend
    rules), but without the State Council's make-up working days, so such a year is not
    known."""
    try:
        from holidays.countries.china import ChinaStaticHolidays

        years = ChinaStaticHolidays.special_public_holidays.keys()
        return range(min(years), max(years) + 1)
    except (ImportError, AttributeError, ValueError):  # pragma: no cover - other releases
        return range(2001, 2027)


def _as_date(value: Any, path: str, key: str) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(
        f"{path}: key '{key}': {value!r} is not a date in the form YYYY-MM-DD"
    )


class _Loader(yaml.SafeLoader):  # type: ignore[misc,unused-ignore]
    """SafeLoader that leaves dates as text, so that a bad date is reported with its key."""


_Loader.add_constructor(
    "tag:yaml.org,2002:timestamp",
    lambda loader, node: loader.construct_scalar(node),
)


@dataclass(frozen=True)
class _Overrides:
    path: str
    holidays: frozenset[datetime.date]
    workdays: frozenset[datetime.date]
    years: frozenset[int]


def _read_overrides(path: str) -> _Overrides:
    try:
        with open(path, encoding="utf-8") as f:
            data = yaml.load(f, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except OSError as e:
        raise ValueError(f"{path}: cannot read the calendar override file: {e.strerror or e}") from e
    except (yaml.YAMLError, ValueError) as e:
        raise ValueError(f"{path}: not valid YAML: {e}") from e
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ValueError(
            f"{path}: the calendar override file must be a mapping with the keys "
            f"{', '.join(_OVERRIDE_KEYS)}"
        )
    unknown = sorted(str(k) for k in data if k not in _OVERRIDE_KEYS)
    if unknown:
        raise ValueError(
            f"{path}: unknown key '{unknown[0]}' (allowed: {', '.join(_OVERRIDE_KEYS)})"
        )
    lists: dict[str, list[Any]] = {}
    for key in _OVERRIDE_KEYS:
        value = data.get(key) or []
        if not isinstance(value, list):
            raise ValueError(f"{path}: key '{key}' must be a list")
        lists[key] = value
    days_off = frozenset(_as_date(v, path, "holidays") for v in lists["holidays"])
    days_on = frozenset(_as_date(v, path, "workdays") for v in lists["workdays"])
    both = sorted(days_off & days_on)
    if both:
        raise ValueError(
            f"{path}: key 'workdays': {both[0].isoformat()} is also listed under 'holidays'"
        )
    years: set[int] = set()
    for v in lists["years"]:
        if isinstance(v, bool) or not isinstance(v, int) or not 1900 <= v <= 2200:
            raise ValueError(f"{path}: key 'years': {v!r} is not a year such as 2027")
        years.add(v)
    return _Overrides(path, days_off, days_on, frozenset(years))


class Calendar:
    """Working days in mainland China: the ``holidays`` library plus an override file."""

    def __init__(self, overrides: str | None = None) -> None:
        self.overrides_path = overrides or None
        self._ov = _read_overrides(overrides) if overrides else None
        self._library_years = library_years()
        self._years: dict[int, tuple[frozenset[datetime.date], frozenset[datetime.date]]] = {}
        self._lock = threading.Lock()

    # -- schedule -----------------------------------------------------------------------
    def _library_schedule(
        self, year: int
    ) -> tuple[frozenset[datetime.date], frozenset[datetime.date]]:
        """(days off on weekdays or weekends, make-up working days) of ``year``."""
        cached = self._years.get(year)
        if cached is not None:
            return cached
        # make-up days of one year may be declared with the neighbouring year's holidays
        lib = holidays_lib.country_holidays("CN", years=range(year - 1, year + 2))
        off = frozenset(d for d in lib.keys() if d.year == year)
        on = frozenset(d for d in lib.weekend_workdays if d.year == year)
        with self._lock:
            self._years[year] = (off, on)
        return off, on

    def _schedule(self, year: int) -> tuple[frozenset[datetime.date], frozenset[datetime.date]]:
        ov = self._ov
        if ov is not None and year in ov.years:
            return (
                frozenset(d for d in ov.holidays if d.year == year),
                frozenset(d for d in ov.workdays if d.year == year),
            )
        return self._library_schedule(year)

    def is_working_day(self, day: datetime.date) -> bool:
        if isinstance(day, datetime.datetime):
            day = day.date()
        ov = self._ov
        if ov is not None:
            if day in ov.workdays:
                return True
            if day in ov.holidays:
                return False
        off, on = self._schedule(day.year)
        if day.weekday() >= 5:
            return day in on
        return day not in off

    # -- arithmetic ---------------------------------------------------------------------
    def add_working_days(self, start: datetime.date, n: int) -> datetime.date:
        """The n-th working day after ``start`` (``start`` itself is not counted), n >= 1."""
        if isinstance(start, datetime.datetime):
            start = start.date()
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError(f"n must be a whole number of working days >= 1, not {n!r}")
        day, left, scanned = start, n, 0
        while left:
            day += datetime.timedelta(days=1)
            scanned += 1
            if scanned > _MAX_SCAN_DAYS * max(1, n // 200 + 1):
                raise ValueError(f"no working days found after {start.isoformat()}")
            if self.is_working_day(day):
                left -= 1
        return day

    def working_days_between(self, start: datetime.date, end: datetime.date) -> int:
        """Working days in (start, end]; negative (minus those in (end, start]) if end < start."""
        if isinstance(start, datetime.datetime):
            start = start.date()
        if isinstance(end, datetime.datetime):
            end = end.date()
        if end < start:
            return -self.working_days_between(end, start)
        count, day = 0, start
        while day < end:
            day += datetime.timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count

    # -- coverage -----------------------------------------------------------------------
    def known(self, year: int) -> bool:
        """True when the official schedule of ``year`` is known (library or override file)."""
        if self._ov is not None and year in self._ov.years:
            return True
        return year in self._library_years

    def warnings_for(self, *days: datetime.date) -> list[str]:
        """One English message per year of ``days`` whose schedule is not known."""
        years = sorted({d.year for d in days if not self.known(d.year)})
        lib = self._library_years
        where = (
            f"the override file {self.overrides_path}"
            if self.overrides_path
            else f"an override file (config option {CONFIG_KEY})"
        )
        return [
            f"The official holiday schedule for {y} is not known to the working-day calendar "
            f"(holidays {_LIB_VERSION} covers China {lib.start}-{lib.stop - 1}): "
            f"dates in {y} are counted with weekends and estimated statutory holidays only, "
            f"without make-up working days (调休). Add the State Council schedule for {y} to "
            f"{where} and declare it under 'years'."
            for y in years
        ]

    def __repr__(self) -> str:
        return f"Calendar(overrides={self.overrides_path!r})"


def end_of_day(day: datetime.date, tz: str = TZ) -> datetime.datetime:
    """23:59:59.999999 local time on ``day``, as an aware datetime in UTC."""
    local = datetime.datetime.combine(day, datetime.time.max, tzinfo=ZoneInfo(tz))
    return local.astimezone(datetime.timezone.utc)


def naive_utc(moment: datetime.datetime) -> datetime.datetime:
    """``moment`` as CKAN stores times: naive UTC (an aware time is converted; a naive one
    is taken as UTC already)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return moment


def end_of_day_utc(day: datetime.date, tz: str = TZ) -> datetime.datetime:
    """The end of ``day`` local time, as stored: naive UTC (an expiry given as a date)."""
    return naive_utc(end_of_day(day, tz))


def local_date(moment: datetime.datetime, tz: str = TZ) -> datetime.date:
    """The local calendar date of ``moment``; a naive datetime is taken as UTC (CKAN stores
    naive UTC timestamps)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.astimezone(ZoneInfo(tz)).date()


def deadline(
    received: datetime.datetime,
    n: int,
    calendar: Calendar | None = None,
    tz: str = TZ,
) -> datetime.datetime:
    """End of the n-th working day after the day of receipt, as an aware UTC datetime.

    The day of receipt (its local date in ``tz``) is not counted, whether or not it is a
    working day. A naive ``received`` is taken as UTC. Logs a warning when the receipt day
    or any day counted lies in a year whose schedule the calendar does not know.
    """
    cal = calendar if calendar is not None else get_calendar()
    start = local_date(received, tz)
    due = cal.add_working_days(start, n)
    for message in cal.warnings_for(*_years_span(start, due)):
        log.warning("deadline of %s working days from %s: %s", n, start.isoformat(), message)
    return end_of_day(due, tz)


def _years_span(start: datetime.date, end: datetime.date) -> Iterable[datetime.date]:
    return [datetime.date(y, 1, 1) for y in range(start.year, end.year + 1)]


# -- CKAN glue --------------------------------------------------------------------------
_cached: tuple[tuple[str, int], Calendar] | None = None
_cache_lock = threading.Lock()


def _configured_path() -> str:
    try:
        value = config.get(CONFIG_KEY)
    except Exception:  # no CKAN, or no configuration loaded
        return ""
    return str(value or "").strip()


def get_calendar() -> Calendar:
    """The calendar built from ``ckanext.govshare.calendar_overrides`` (a path; empty for
    none) when CKAN's configuration is loaded, else one without overrides. Cached; an
    edited override file (new modification time) is read again."""
    global _cached
    path = _configured_path()
    try:
        stamp = os.stat(path).st_mtime_ns if path else 0
    except OSError:
        stamp = -1  # Calendar() below raises the clear error
    key = (path, stamp)
    with _cache_lock:
        if _cached is not None and _cached[0] == key:
            return _cached[1]
        cal = Calendar(path or None)
        _cached = (key, cal)
        return cal
