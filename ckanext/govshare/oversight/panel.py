# -*- coding: utf-8 -*-
"""The yearly report's due date and reminder, and the oversight panel of the authority's
workspace (``templates/govshare/authority/_oversight_panel.html``, included by ``/authority``).

The due dates come from the active deadline policy (``yearly_report`` in
``applications/policies/*.yaml``: chongqing-2018 §37, chongqing-2019 §47, kunming-2019 §39,
shenyang-2016 §26, shijingshan-2017 §34); the reminder shows ``remind_days`` before it."""
from __future__ import annotations

import datetime
from typing import Any, Optional

from flask import has_request_context

import ckan.plugins.toolkit as tk

from ckanext.govshare.applications import deadlines, workdays
from ckanext.govshare.authority.role import is_authority
from ckanext.govshare.oversight import indicators, statistics

__all__ = ["today", "report_reminder", "panel", "article_zh"]


_PLACES = {"chongqing": "重庆市", "kunming": "昆明市", "shenyang": "沈阳市", "shijingshan": "石景山区"}
_DIGITS = "零一二三四五六七八九"


def _zh_number(n: int) -> str:
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


def article_zh(code: str) -> str:
    """``chongqing-2018 §37`` as a Chinese reader cites it: 重庆市办法2018第三十七条 (the code
    unchanged when it is not of that form)."""
    text, sep, number = (code or "").partition(" §")
    place, _dash, year = text.partition("-")
    if not sep or place not in _PLACES or not number.isdigit() or not 0 < int(number) < 100:
        return code
    return f"{_PLACES[place]}办法{year}第{_zh_number(int(number))}条"


def today() -> datetime.date:
    """Today in Beijing time."""
    return workdays.local_date(datetime.datetime.utcnow())


def report_reminder(now: Optional[datetime.date] = None) -> Optional[dict[str, Any]]:
    """The city's next yearly report under the active policy: the year it reports on, its due
    date, the departments' due date, days left, the article, and whether to remind now."""
    due_policy = deadlines.get_policy().yearly_report
    if due_policy is None:
        return None
    day = now or today()
    year, due = due_policy.next_due(day)
    left = (due - day).days
    lang = (tk.h.lang() if has_request_context() else "") or "zh_Hans_CN"
    article = article_zh(due_policy.article) if lang.startswith("zh") else due_policy.article
    return {"year": year, "due": due.isoformat(), "days_left": left, "article": article,
            "department_due": due_policy.due(year, city=False).isoformat(),
            "remind": left <= due_policy.remind_days}


def panel() -> Optional[dict[str, Any]]:
    """This year's key figures of the platform and the next report, for the data authority
    (None for anyone else: the panel shows nothing)."""
    user = tk.current_user.name if tk.current_user and tk.current_user.is_authenticated else None
    if not is_authority(user):
        return None
    year = today().year
    stats = statistics.compute(statistics.Period.year(year))
    stats["indicators"] = indicators.score(stats)
    reminder = report_reminder()
    return {"year": year, "stats": stats, "reminder": reminder,
            "report_year": reminder["year"] if reminder else year - 1}
