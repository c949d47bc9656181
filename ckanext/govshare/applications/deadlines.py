# -*- coding: utf-8 -*-
"""Deadline policies: the statutory reply limits of each request kind, per regulation.

One YAML profile per regulation lives in ``policies/`` (``chongqing-2018`` is the default);
a portal may point the config option ``ckanext.govshare.deadline_policy`` at its own file.
Every value carries the article it comes from. All limits are in working days (工作日),
counted with :mod:`ckanext.govshare.workdays`.

Profile format (see docs/deadlines.md)::

    name: my-portal
    title_zh: …
    title_en: …
    extends: chongqing-2019        # optional: kinds not listed come from this bundled profile
    kinds:
      open:
        reply_days: 10
        reply_article: chongqing-2019 §33
        extension: {days: 10, article: chongqing-2019 §33, consent: provider_principal_head}
        note: …                    # optional
      share:
        inherit: chongqing-2018    # take this kind from a bundled profile (note recommended)
        note: …
      open_demand:
        available: false           # this portal does not take the kind
    upkeep:                         # optional catalogue upkeep deadlines
      catalogue_update: {days: 15, article: chongqing-2018 §9}
      catalogue_review: {period_months: 6, article: shenyang-2016 §12}
    due_soon_days: 3                # optional: a reply is "due soon" this many working days ahead

The actions ask the policy for everything: ``Policy.kind(code)`` for a kind's limits,
``KindPolicy.reply_deadline`` when an application is received, ``KindPolicy.extended_deadline``
when the head consents, ``KindPolicy.extension_consent`` for who consents,
``Policy.due_soon`` for the inbox highlight and the reminder mail. An application keeps the
name of the policy it was received under; :func:`policy_for` finds it again.
"""
from __future__ import annotations

import dataclasses
import datetime
import functools
import logging
import os
import threading
from dataclasses import dataclass, field
from typing import Any, Mapping

import yaml

from ckan.common import config

from ckanext.govshare import vocab
from ckanext.govshare.applications import workdays

__all__ = [
    "CONFIG_KEY",
    "CONSENTS",
    "DEFAULT_DUE_SOON_DAYS",
    "DEFAULT_POLICY",
    "KINDS",
    "KindPolicy",
    "Policy",
    "ReportDue",
    "UPKEEP_DUTIES",
    "UpkeepPolicy",
    "get_policy",
    "load_policy",
    "policy_for",
    "policy_names",
]

log = logging.getLogger(__name__)

CONFIG_KEY = "ckanext.govshare.deadline_policy"
DEFAULT_POLICY = "chongqing-2018"
POLICY_DIR = os.path.join(os.path.dirname(__file__), "policies")

#: Request kinds: code -> (label_zh, label_en), from the vocabulary. requirements.md §3.
KINDS: dict[str, tuple[str, str]] = {t.value: (t.zh, t.en) for t in vocab.APPLICATION_KINDS}
#: "due soon" when a policy file does not say: the reply is due within this many working days
DEFAULT_DUE_SOON_DAYS = 3

#: Who must consent to an extension: code -> (label_zh, label_en).
CONSENTS: dict[str, tuple[str, str]] = {
    # chongqing-2018 §20, §24: 提供部门负责人
    "provider_head": ("提供部门负责人", "Head of the providing department"),
    # chongqing-2019 §19, §32, §33: 政务数据提供部门主要负责人
    "provider_principal_head": (
        "提供部门主要负责人",
        "Principal head of the providing department",
    ),
}

#: Catalogue upkeep duties (requirements.md §4): code -> (label_zh, label_en).
UPKEEP_DUTIES: dict[str, tuple[str, str]] = {
    "catalogue_update": (
        "法律法规或职能变化后更新目录",
        "Update the catalogue after a law or mandate changes",
    ),
    "catalogue_update_request": (
        "法律法规或职能变化后申请更新目录",
        "Request a catalogue update after a law or mandate changes",
    ),
    "catalogue_update_review": (
        "主管部门审核、更新目录",
        "The authority reviews and applies a catalogue update",
    ),
    "catalogue_report": ("上报新建或更新的目录", "Report a new or updated catalogue upward"),
    "entry_update": ("资源变化后更新目录条目", "Update the entry when the resource changes"),
    "data_update": ("数据变化后更新共享数据", "Update the data after it changes"),
    "catalogue_review": ("目录全面维护", "Full catalogue maintenance"),
}

_TOP_KEYS = ("name", "title_zh", "title_en", "extends", "kinds", "upkeep", "description", "due_soon_days",
             "yearly_report")
_REPORT_KEYS = ("department_due", "city_due", "article", "remind_days", "note", "same_year")
_KIND_KEYS = (
    "reply_days",
    "reply_article",
    "extension",
    "note",
    "label_zh",
    "label_en",
    "inherit",
    "available",
)
_EXT_KEYS = ("days", "article", "consent")
_UPKEEP_KEYS = ("days", "period_months", "article", "note", "label_zh", "label_en")
_MAX_DAYS = 365


@dataclass(frozen=True)
class KindPolicy:
    """The limits of one request kind under one policy (all in working days)."""

    kind: str
    reply_days: int
    reply_article: str
    extension_days: int  # 0 = no extension; otherwise one extension of at most this many days
    extension_article: str | None
    label_zh: str
    label_en: str
    extension_consent: str | None = None  # a CONSENTS code; None when no extension
    note: str | None = None
    inherited_from: str | None = None  # the bundled profile the values were taken from

    @property
    def extendable(self) -> bool:
        return self.extension_days > 0

    def label(self, lang: str = "zh") -> str:
        return self.label_en if lang.startswith("en") else self.label_zh

    def consent_label(self, lang: str = "zh") -> str | None:
        if not self.extension_consent:
            return None
        zh, en = CONSENTS[self.extension_consent]
        return en if lang.startswith("en") else zh

    def reply_deadline(
        self,
        received: datetime.datetime,
        calendar: workdays.Calendar | None = None,
    ) -> datetime.datetime:
        """End of the ``reply_days``-th working day after the day of receipt (aware UTC)."""
        return workdays.deadline(received, self.reply_days, calendar)

    def extended_deadline(
        self,
        current: datetime.datetime,
        days: int | None = None,
        calendar: workdays.Calendar | None = None,
    ) -> datetime.datetime:
        """The deadline after the one extension of ``days`` working days (default: the
        maximum), counted from the day of the current deadline. ValueError when the kind
        has no extension or ``days`` exceeds the limit."""
        if not self.extendable:
            raise ValueError(
                f"{self.kind}: no extension is provided for ({self.reply_article})"
            )
        if days is None:
            days = self.extension_days
        if isinstance(days, bool) or not isinstance(days, int) or days < 1:
            raise ValueError(f"{self.kind}: the extension must be at least 1 working day")
        if days > self.extension_days:
            raise ValueError(
                f"{self.kind}: an extension of {days} working days exceeds the limit of "
                f"{self.extension_days} ({self.extension_article})"
            )
        return workdays.deadline(current, days, calendar)


@dataclass(frozen=True)
class UpkeepPolicy:
    """A catalogue upkeep deadline: ``days`` working days, or every ``period_months``."""

    duty: str
    article: str
    label_zh: str
    label_en: str
    days: int | None = None
    period_months: int | None = None
    note: str | None = None


@dataclass(frozen=True)
class ReportDue:
    """When the yearly report on sharing and opening is due (chongqing-2018 §37 …): each
    department's to the authority (``department_due``) and the authority's for the city
    (``city_due``), as (month, day) of the year after the one reported on; day 0 means the
    month's last day ("2月底"). Reminded ``remind_days`` calendar days ahead."""

    article: str
    department_due: tuple[int, int]
    city_due: tuple[int, int]
    remind_days: int = 30
    note: str | None = None
    # due in the reported year itself (shijingshan-2017 §34: 每年10月底前), not the year after
    same_year: bool = False

    @staticmethod
    def _date(year: int, month_day: tuple[int, int]) -> datetime.date:
        month, day = month_day
        if day == 0:
            following = datetime.date(year + (month == 12), month % 12 + 1, 1)
            return following - datetime.timedelta(days=1)
        return datetime.date(year, month, day)

    def due(self, reported_year: int, city: bool = True) -> datetime.date:
        """The date the report on ``reported_year`` is due (Beijing time, the whole day)."""
        year = reported_year if self.same_year else reported_year + 1
        return self._date(year, self.city_due if city else self.department_due)

    def next_due(self, today: datetime.date, city: bool = True) -> tuple[int, datetime.date]:
        """(reported year, due date) of the next report not yet past due on ``today``."""
        year = today.year - 1
        while self.due(year, city) < today:
            year += 1
        return year, self.due(year, city)


@dataclass(frozen=True)
class Policy:
    name: str
    title_zh: str
    title_en: str
    kinds: dict[str, KindPolicy]
    upkeep: dict[str, UpkeepPolicy] = field(default_factory=dict)
    source: str = ""  # the YAML file it was read from
    # a pending reply is "due soon" (highlighted, reminded by mail) this many working days ahead
    due_soon_days: int = DEFAULT_DUE_SOON_DAYS
    # the yearly report's due dates (None: the profile sets none)
    yearly_report: ReportDue | None = None

    def due_soon(self, working_days_left: int | None) -> bool:
        """Is a reply with ``working_days_left`` (0 = due today) due soon? Not when overdue."""
        return working_days_left is not None and 0 <= working_days_left <= self.due_soon_days

    def kind(self, code: str) -> KindPolicy:
        """The kind's limits; ValueError when the policy does not take that kind."""
        try:
            return self.kinds[code]
        except KeyError:
            raise ValueError(
                f"request kind '{code}' is not available under the deadline policy "
                f"'{self.name}' (available: {', '.join(self.kinds) or 'none'})"
            ) from None

    def title(self, lang: str = "zh") -> str:
        return self.title_en if lang.startswith("en") else self.title_zh


# -- loading ----------------------------------------------------------------------------
class _Err:
    def __init__(self, path: str) -> None:
        self.path = path

    def __call__(self, key: str, message: str) -> ValueError:
        return ValueError(f"{self.path}: key '{key}': {message}")


def _text(data: Mapping[str, Any], key: str, where: str, err: _Err, required: bool) -> str | None:
    value = data.get(key)
    if value is None:
        if required:
            raise err(f"{where}{key}", "is required")
        return None
    if not isinstance(value, str) or not value.strip():
        raise err(f"{where}{key}", f"must be a non-empty text, not {value!r}")
    return value.strip()


def _days(value: Any, key: str, err: _Err) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= _MAX_DAYS:
        raise err(key, f"must be a whole number of working days from 1 to {_MAX_DAYS}, not {value!r}")
    return int(value)


def _check_keys(data: Any, allowed: tuple[str, ...], key: str, err: _Err) -> Mapping[str, Any]:
    if not isinstance(data, dict):
        raise err(key, f"must be a mapping with the keys {', '.join(allowed)}")
    for k in data:
        if k not in allowed:
            raise err(f"{key}.{k}" if key else str(k), f"unknown key (allowed: {', '.join(allowed)})")
    return data


def _kind(
    code: str, data: Any, err: _Err, stack: tuple[tuple[str, str], ...]
) -> KindPolicy | None:
    where = f"kinds.{code}"
    data = _check_keys(data, _KIND_KEYS, where, err)
    label_zh = _text(data, "label_zh", f"{where}.", err, False) or KINDS[code][0]
    label_en = _text(data, "label_en", f"{where}.", err, False) or KINDS[code][1]
    note = _text(data, "note", f"{where}.", err, False)
    available = data.get("available", True)
    if not isinstance(available, bool):
        raise err(f"{where}.available", f"must be true or false, not {available!r}")
    if not available:
        extra = sorted(k for k in data if k not in ("available", "note"))
        if extra:
            raise err(f"{where}.{extra[0]}", "makes no sense for an unavailable kind")
        return None
    if "inherit" in data:
        parent = data["inherit"]
        if not isinstance(parent, str) or parent not in policy_names():
            raise err(
                f"{where}.inherit",
                f"must name a bundled profile ({', '.join(policy_names())}), not {parent!r}",
            )
        extra = sorted(k for k in data if k in ("reply_days", "reply_article", "extension"))
        if extra:
            raise err(f"{where}.{extra[0]}", "cannot be combined with 'inherit'")
        try:
            base = _bundled_kind(parent, code, stack)
        except _Circular as e:
            raise err(f"{where}.inherit", f"circular inheritance: {e}") from None
        if base is None:
            raise err(f"{where}.inherit", f"kind '{code}' is not available in '{parent}'")
        return dataclasses.replace(
            base,
            label_zh=label_zh,
            label_en=label_en,
            note=note or base.note,
            inherited_from=parent,
        )
    if "reply_days" not in data:
        raise err(f"{where}.reply_days", "is required (or 'inherit', or 'available: false')")
    reply_days = _days(data["reply_days"], f"{where}.reply_days", err)
    reply_article = _text(data, "reply_article", f"{where}.", err, True)
    ext = data.get("extension")
    if ext is None or ext is False:
        ext_days, ext_article, consent = 0, None, None
    else:
        ext = _check_keys(ext, _EXT_KEYS, f"{where}.extension", err)
        if "days" not in ext:
            raise err(f"{where}.extension.days", "is required (or 'extension: null')")
        ext_days = _days(ext["days"], f"{where}.extension.days", err)
        ext_article = _text(ext, "article", f"{where}.extension.", err, True)
        consent = ext.get("consent")
        if consent not in CONSENTS:
            raise err(
                f"{where}.extension.consent",
                f"must be one of {', '.join(CONSENTS)}, not {consent!r}",
            )
    assert reply_article is not None
    return KindPolicy(
        kind=code,
        reply_days=reply_days,
        reply_article=reply_article,
        extension_days=ext_days,
        extension_article=ext_article,
        label_zh=label_zh,
        label_en=label_en,
        extension_consent=consent,
        note=note,
    )


class _Circular(ValueError):
    pass


def _read(path: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as f:
            data = yaml.safe_load(f)
    except OSError as e:
        raise ValueError(f"{path}: cannot read the deadline policy: {e.strerror or e}") from e
    except (yaml.YAMLError, ValueError) as e:  # PyYAML raises ValueError for 2025-02-30
        raise ValueError(f"{path}: not valid YAML: {e}") from e
    if not isinstance(data, dict):
        raise ValueError(
            f"{path}: a deadline policy must be a mapping with the keys {', '.join(_TOP_KEYS)}"
        )
    _check_keys(data, _TOP_KEYS, "", _Err(path))
    return data


@functools.lru_cache(maxsize=None)
def _bundled_raw(name: str) -> tuple[str, dict[str, Any]]:
    path = os.path.join(POLICY_DIR, f"{name}.yaml")
    return path, _read(path)


def _bundled_kind(
    name: str, code: str, stack: tuple[tuple[str, str], ...]
) -> KindPolicy | None:
    """Kind ``code`` as bundled profile ``name`` defines it (following its own 'inherit'
    and 'extends'); None when unavailable there. Cycles are detected per (file, kind)."""
    path, data = _bundled_raw(name)
    if (path, code) in stack:
        chain = [f"{os.path.basename(p)}:{c}" for p, c in stack] + [f"{os.path.basename(path)}:{code}"]
        raise _Circular(" -> ".join(chain))
    stack = stack + ((path, code),)
    kinds_data = data.get("kinds") or {}
    if isinstance(kinds_data, dict) and code in kinds_data:
        return _kind(code, kinds_data[code], _Err(path), stack)
    extends = data.get("extends")
    if isinstance(extends, str) and extends in policy_names():
        base = _bundled_kind(extends, code, stack)
        if base is not None:
            return dataclasses.replace(base, inherited_from=base.inherited_from or extends)
    return None


def _upkeep(duty: str, data: Any, err: _Err) -> UpkeepPolicy:
    where = f"upkeep.{duty}"
    if duty not in UPKEEP_DUTIES and not ("label_zh" in (data or {}) and "label_en" in (data or {})):
        raise err(
            where,
            f"unknown duty (known: {', '.join(UPKEEP_DUTIES)}; another needs label_zh and label_en)",
        )
    data = _check_keys(data, _UPKEEP_KEYS, where, err)
    zh, en = UPKEEP_DUTIES.get(duty, ("", ""))
    days = data.get("days")
    months = data.get("period_months")
    if (days is None) == (months is None):
        raise err(where, "needs exactly one of 'days' and 'period_months'")
    if days is not None:
        days = _days(days, f"{where}.days", err)
    if months is not None and (
        isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= 120
    ):
        raise err(f"{where}.period_months", f"must be a whole number of months, not {months!r}")
    article = _text(data, "article", f"{where}.", err, True)
    assert article is not None
    return UpkeepPolicy(
        duty=duty,
        article=article,
        label_zh=_text(data, "label_zh", f"{where}.", err, False) or zh,
        label_en=_text(data, "label_en", f"{where}.", err, False) or en,
        days=days,
        period_months=months,
        note=_text(data, "note", f"{where}.", err, False),
    )


def _month_day(value: Any, key: str, err: _Err) -> tuple[int, int]:
    """'MM-DD', or 'MM-end' for the month's last day."""
    text_value = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
    month, _sep, day = text_value.partition("-")
    try:
        m = int(month)
        d = 0 if day == "end" else int(day)
        if not 1 <= m <= 12 or not 0 <= d <= 31:
            raise ValueError
        if d:
            datetime.date(2028, m, d)  # a leap year: 02-29 would be allowed
    except ValueError:
        raise err(key, f"must be a date of the year as MM-DD or MM-end, not {value!r}") from None
    return m, d


def _yearly_report(data: Any, err: _Err) -> ReportDue:
    data = _check_keys(data, _REPORT_KEYS, "yearly_report", err)
    article = _text(data, "article", "yearly_report.", err, True)
    assert article is not None
    for key in ("department_due", "city_due"):
        if key not in data:
            raise err(f"yearly_report.{key}", "is required (MM-DD or MM-end)")
    remind = data.get("remind_days", 30)
    if isinstance(remind, bool) or not isinstance(remind, int) or not 0 <= remind <= 366:
        raise err("yearly_report.remind_days", f"must be a whole number of days, not {remind!r}")
    return ReportDue(article=article,
                     department_due=_month_day(data["department_due"], "yearly_report.department_due", err),
                     city_due=_month_day(data["city_due"], "yearly_report.city_due", err),
                     remind_days=remind, note=_text(data, "note", "yearly_report.", err, False),
                     same_year=_flag(data.get("same_year", False), "yearly_report.same_year", err))


def _flag(value: Any, key: str, err: _Err) -> bool:
    if not isinstance(value, bool):
        raise err(key, f"must be true or false, not {value!r}")
    return value


def _parse(path: str) -> Policy:
    err = _Err(path)
    data = _read(path)
    name = _text(data, "name", "", err, True)
    title_zh = _text(data, "title_zh", "", err, True)
    title_en = _text(data, "title_en", "", err, True)
    assert name is not None and title_zh is not None and title_en is not None

    kinds_data = data.get("kinds") or {}
    if not isinstance(kinds_data, dict):
        raise err("kinds", "must be a mapping from request kind to its limits")
    for code in kinds_data:
        if code not in KINDS:
            raise err(f"kinds.{code}", f"unknown request kind (known: {', '.join(KINDS)})")

    kinds: dict[str, KindPolicy] = {}
    extends = data.get("extends")
    if extends is not None:
        if not isinstance(extends, str) or extends not in policy_names():
            raise err("extends", f"must name a bundled profile ({', '.join(policy_names())}), not {extends!r}")
        for code in KINDS:
            if code in kinds_data:
                continue
            try:
                kp = _bundled_kind(extends, code, ((path, code),))
            except _Circular as e:
                raise err("extends", f"circular inheritance: {e}") from None
            if kp is not None:
                kinds[code] = dataclasses.replace(
                    kp, inherited_from=kp.inherited_from or extends
                )
    elif not kinds_data:
        raise err("kinds", "is required (at least one request kind, or 'extends')")

    for code in KINDS:  # keep a stable order
        if code in kinds_data:
            kp_or_none = _kind(code, kinds_data[code], err, ((path, code),))
            if kp_or_none is not None:
                kinds[code] = kp_or_none
    kinds = {code: kinds[code] for code in KINDS if code in kinds}

    upkeep_data = data.get("upkeep") or {}
    if not isinstance(upkeep_data, dict):
        raise err("upkeep", "must be a mapping from duty to its deadline")
    upkeep = {str(duty): _upkeep(str(duty), v, err) for duty, v in upkeep_data.items()}

    if "due_soon_days" in data:
        due_soon_days = _days(data["due_soon_days"], "due_soon_days", err)
    elif isinstance(extends, str):
        due_soon_days = _bundled(extends).due_soon_days
    else:
        due_soon_days = DEFAULT_DUE_SOON_DAYS

    if data.get("yearly_report") is not None:
        yearly_report: ReportDue | None = _yearly_report(data["yearly_report"], err)
    elif isinstance(extends, str):
        yearly_report = _bundled(extends).yearly_report
    else:
        yearly_report = None

    return Policy(
        name=name,
        title_zh=title_zh,
        title_en=title_en,
        kinds=kinds,
        upkeep=upkeep,
        source=path,
        due_soon_days=due_soon_days,
        yearly_report=yearly_report,
    )


@functools.lru_cache(maxsize=None)
def _bundled(name: str) -> Policy:
    return _parse(_bundled_raw(name)[0])


def policy_names() -> list[str]:
    """The bundled profiles (file names in ``policies/`` without ``.yaml``)."""
    return sorted(
        f[: -len(".yaml")]
        for f in os.listdir(POLICY_DIR)
        if f.endswith(".yaml") and not f.startswith(".")
    )


def load_policy(name_or_path: str) -> Policy:
    """A bundled profile by name (``chongqing-2018`` …) or a portal's own YAML file.
    ValueError naming the file and the key when the input is not valid."""
    value = (name_or_path or "").strip()
    if value in policy_names():
        return _bundled(value)
    if os.path.isfile(value):
        return _parse(os.path.abspath(value))
    raise ValueError(
        f"unknown deadline policy {name_or_path!r}: neither a bundled profile "
        f"({', '.join(policy_names())}) nor an existing YAML file"
    )


def policy_for(name: str) -> Policy:
    """The policy an application was received under (it stores the policy's ``name``): the
    configured one when the names agree (a portal's own file has no bundled name), else the
    bundled profile of that name. A portal file no longer configured cannot be found again:
    then the configured policy, with a warning."""
    configured = get_policy()
    if name == configured.name:
        return configured
    if name in policy_names():
        return load_policy(name)
    log.warning("deadline policy %r of an application is neither configured (%s) nor bundled; "
                "the configured policy %r applies", name, CONFIG_KEY, configured.name)
    return configured


# -- CKAN glue --------------------------------------------------------------------------
_cached: tuple[tuple[str, int], Policy] | None = None
_cache_lock = threading.Lock()


def _configured() -> str:
    try:
        value = config.get(CONFIG_KEY)
    except Exception:  # no CKAN, or no configuration loaded
        return DEFAULT_POLICY
    return str(value or "").strip() or DEFAULT_POLICY


def get_policy() -> Policy:
    """The policy selected by ``ckanext.govshare.deadline_policy`` (default
    ``chongqing-2018``). Cached; a portal's own file is read again when it changes."""
    global _cached
    value = _configured()
    try:
        stamp = os.stat(value).st_mtime_ns if value not in policy_names() else 0
    except OSError:
        stamp = -1
    key = (value, stamp)
    with _cache_lock:
        if _cached is not None and _cached[0] == key:
            return _cached[1]
        policy = load_policy(value)
        _cached = (key, policy)
        return policy
