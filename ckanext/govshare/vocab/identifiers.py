# -*- coding: utf-8 -*-
"""Check characters of the national subject identifiers (pure functions).

- 统一社会信用代码, unified social credit code: GB 32100-2015 (legal persons and other
  organisations; chongqing-2019 §16, shenyang-2016 §15).
- 公民身份号码, citizen ID number: GB 11643-1999 (natural persons; same articles).
"""
from __future__ import annotations

import datetime
import re

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, S, V, Z
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_RE = re.compile(r"^[0-9A-HJ-NP-RTUW-Y]{2}\d{6}[0-9A-HJ-NP-RTUW-Y]{10}$")

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_RE = re.compile(r"^[1-9]\d{16}[0-9X]$")


def uscc_check_char(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters of a credit code."""
    total = sum(USCC_CHARSET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS))
    return USCC_CHARSET[(31 - total % 31) % 31]


def uscc_problem(code: str) -> str | None:
    """None when ``code`` is a valid unified social credit code, else what is wrong:
    ``length``, ``characters`` or ``check``."""
    code = (code or "").strip().upper()
    if len(code) != 18:
        return "length"
    if not _USCC_RE.match(code):
        return "characters"
    if uscc_check_char(code[:17]) != code[17]:
        return "check"
    return None


def id_check_digit(first17: str) -> str:
    """The GB 11643 check digit for the first 17 digits of a citizen ID number."""
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS)) % 11]


def citizen_id_problem(number: str) -> str | None:
    """None when ``number`` is a valid 18-digit citizen ID number, else what is wrong:
    ``length``, ``characters``, ``birth_date`` or ``check``."""
    number = (number or "").strip().upper()
    if len(number) != 18:
        return "length"
    if not _ID_RE.match(number):
        return "characters"
    try:
        born = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return "birth_date"
    if born.year < 1900 or born > datetime.date.today():
        return "birth_date"
    if id_check_digit(number[:17]) != number[17]:
        return "check"
    return None


def mask_citizen_id(number: str) -> str:
    """Show only the first 6 and last 4 characters: 500101********123X."""
    number = (number or "").strip()
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]
