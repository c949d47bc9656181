# -*- coding: utf-8 -*-
"""govshare validators, registered by the validators blanket (names in ``__all__``) so the
scheming schemas in ``schemas/`` can name them.

Each error message names what is wrong and, where a regulation imposes the rule, the
article; messages are translatable (English source, Chinese in i18n/) and attached to the
field they concern, so the web form shows them beside that field.
"""
from __future__ import annotations

import datetime
import re
import zlib
from typing import Any, Iterable

import sqlalchemy as sa

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib.navl.dictization_functions import StopOnError, missing
from ckan.types import Context, FlattenDataDict, FlattenErrorDict, FlattenKey

from ckanext.govshare import compat, vocab
from ckanext.govshare.vocab import identifiers
from ckanext.govshare.vocab.validators import govshare_normalise_tags, govshare_vocab_alias
from ckanext.govshare.helpers import current_lang
from ckanext.govshare.access.grants import utcnow
from ckanext.govshare.applications import workdays
from ckanext.govshare.review import workflow as review

__all__ = [
    "govshare_clean_text",
    "govshare_resource_code",
    "govshare_unique_resource_code",
    "govshare_classification_code",
    "govshare_provider_code",
    "govshare_format_subtype",
    "govshare_positive_int",
    "govshare_related_codes",
    "govshare_region_code",
    "govshare_phone",
    "govshare_not_future",
    "govshare_api_required",
    "govshare_download_needs_file",
    "govshare_credit_code",
    "govshare_citizen_id",
    "govshare_user_name",
    "govshare_catalogue_rules",
    "govshare_id",
    "govshare_expiry",
    "govshare_bounded_input",
    "govshare_boolean",
    "govshare_day",
    "govshare_review_capture",
    "govshare_text",
    "govshare_vocab_alias",
    "govshare_normalise_tags",
]

Invalid = tk.Invalid
_ = tk._

# 类 (1 digit: 1 base, 2 theme, 3 department) 项 (2) 目 (3) 细目 (optional digits)
CLASSIFICATION_RE = re.compile(r"^[1-3]\d{2}\d{3}\d{0,6}$")
RESOURCE_CODE_RE = re.compile(r"^(?P<classification>[1-3]\d{2}\d{3}\d{0,6})/(?P<sequence>\d{1,12})$")
CATEGORY_DIGIT = {"base": "1", "theme": "2", "department": "3"}
# Province-level prefixes of GB/T 2260 administrative division codes
_PROVINCES = set(vocab.PROVINCES.values())
# C0 and C1 control characters other than tab, line feed and carriage return
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff]")
_PHONE_RE = re.compile(r"^\+?[0-9][0-9\- ()]{3,22}[0-9]$")
_CODE_SPLIT_RE = re.compile(r"[\s,，、;；]+")
# UTF-16 surrogate code points: a lone one ("\ud800" in JSON) is not text and cannot be
# stored (PostgreSQL) or indexed (Solr)
_SURROGATE_RE = re.compile(r"[\ud800-\udfff]")
MAX_TEXT = 20000
# Solr refuses a term above 32766 bytes ("immense term"), and govshare's fields are indexed
# whole as string fields: a text may have MAX_TEXT characters but no more than this in UTF-8
MAX_TEXT_BYTES = 32000
# ids and names: CKAN's names have at most 100 characters, uuids 36
MAX_ID = 200


def _empty(value: Any) -> bool:
    return value is missing or value is None or (isinstance(value, str) and not value.strip())


def _too_long() -> str:
    return _("Too long: at most {max} characters, or {zh} Chinese characters").format(
        max=MAX_TEXT, zh=MAX_TEXT_BYTES // 3)


def _text_problem(value: str) -> str | None:
    """What makes ``value`` unfit to store and index, if anything."""
    if _SURROGATE_RE.search(value):
        return _("Contains characters that are not valid Unicode text; remove them and try again")
    if _CONTROL_RE.search(value):
        return _("Contains control characters; remove them and try again")
    if len(value) > MAX_TEXT or len(value.encode("utf-8")) > MAX_TEXT_BYTES:
        return _too_long()
    return None


def govshare_clean_text(value: Any, context: Context) -> Any:
    """Refuse control characters (hostile or pasted binary), lone surrogates and over-long
    text."""
    if not isinstance(value, str):
        return value
    problem = _text_problem(value)
    if problem:
        raise Invalid(problem)
    return value


def govshare_id(value: Any, context: Context) -> Any:
    """An id or name given to an action: text without control characters, at most MAX_ID
    characters (a list, a number or a NUL byte is refused here rather than reaching the
    database)."""
    if value is missing or value is None:
        return value
    if not isinstance(value, str):
        raise Invalid(_("Must be an id or a name (text)"))
    if _SURROGATE_RE.search(value) or _CONTROL_RE.search(value):
        raise Invalid(_("Contains control characters; remove them and try again"))
    if len(value) > MAX_ID:
        raise Invalid(_("Too long for an id or a name: at most {max} characters").format(max=MAX_ID))
    return value


def govshare_boolean(value: Any, context: Context) -> Any:
    """A yes/no answer: a JSON boolean, or true/false, yes/no, on/off, 1/0 as text or
    number (CKAN's boolean_validator fails on a number, a list or a dict)."""
    if value is missing or value is None or value == "":
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "yes", "on", "1", "t", "y"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("false", "no", "off", "0", "f", "n"):
        return False
    raise Invalid(_("Must be true or false"))


def govshare_day(value: Any, context: Context) -> Any:
    """A calendar day (YYYY-MM-DD), as a naive datetime at midnight; a date-time is taken as
    its day in Beijing (CKAN's isodate keeps a time zone, which then cannot be compared with
    a day without one)."""

    if value is missing or value is None or value == "":
        return None
    try:
        if isinstance(value, datetime.datetime):
            moment = value
        elif isinstance(value, datetime.date):
            return datetime.datetime.combine(value, datetime.time())
        else:
            text = value.strip() if isinstance(value, str) else ""
            moment = datetime.datetime.fromisoformat(
                text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
        day = workdays.local_date(moment) if moment.tzinfo is not None else moment.date()
    except (ValueError, OverflowError, TypeError):
        raise Invalid(_("Not a date, e.g. 2027-06-30"))
    return datetime.datetime.combine(day, datetime.time())


def govshare_expiry(value: Any, context: Context) -> Any:
    """When access ends, as a naive UTC datetime (how CKAN stores times).

    An ISO date-time with a time zone is converted to UTC; one without is taken as UTC; a
    date alone means the end of that day in Beijing (23:59:59.999999 Asia/Shanghai). The
    expiry must lie in the future."""

    if value is missing or value is None or value == "":
        return None
    try:
        if isinstance(value, datetime.datetime):
            expiry = workdays.naive_utc(value)
        elif isinstance(value, datetime.date):
            expiry = workdays.end_of_day_utc(value)
        else:
            text = value.strip() if isinstance(value, str) else ""
            if len(text) == 10:
                expiry = workdays.end_of_day_utc(datetime.date.fromisoformat(text))
            else:
                expiry = workdays.naive_utc(datetime.datetime.fromisoformat(
                    text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text))
    except (ValueError, OverflowError):
        raise Invalid(_("Not a date and time, e.g. 2027-06-30T23:59:59"))
    if expiry <= utcnow():
        raise Invalid(_("The expiry must be in the future"))
    return expiry


def govshare_resource_code(value: Any, context: Context) -> Any:
    """信息资源代码: classification code (class-item-heading-subheading) '/' sequence number."""
    if not isinstance(value, str) or not RESOURCE_CODE_RE.match(value):
        raise Invalid(_(
            "Resource code must be the classification code (class 1 digit 1-3, item 2 digits, "
            "heading 3 digits, optional sub-heading digits), '/' and a sequence number of "
            "1-12 digits, e.g. 203001/000001"
        ))
    return value


LOCK_BUCKETS = 4096
_LOCK_BASE = 0x6F5E0000  # govshare's range of advisory lock keys


def _bucket(key: str) -> int:
    return _LOCK_BASE + zlib.crc32(("govshare:" + key).encode("utf-8")) % LOCK_BUCKETS


def _lock(key: str) -> None:
    """Serialise writers of the same key until the transaction ends (PostgreSQL advisory
    lock). Keys fall into a fixed number of buckets, so a transaction that writes
    thousands of entries (a spreadsheet import) holds at most LOCK_BUCKETS locks."""
    model.Session.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _bucket(key)})


def lock_resource_codes(codes: Iterable[str]) -> None:
    """Take the locks of many resource codes at once, in ascending order, before writing
    them one by one: two transactions that each write many entries (two spreadsheet imports)
    then wait for each other instead of deadlocking. The validator's own lock on each code
    is then already held (advisory locks are re-entrant within a session)."""
    for bucket in sorted({_bucket("resource_code:" + c) for c in codes if c}):
        model.Session.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": bucket})


def _current_package_id(data: FlattenDataDict, context: Context) -> str | None:
    package = context.get("package")
    if package is not None:
        return package.id
    value = data.get(("id",))
    return value if isinstance(value, str) and value else None


def govshare_unique_resource_code(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """No other catalogue entry (not deleted) carries the same resource code.

    An advisory lock on the code is held until the writing transaction commits, so two
    clerks saving the same code at once cannot both succeed."""
    code = data.get(key)
    if _empty(code) or errors.get(key):
        return
    if not context.get("govshare_validate_only"):  # a check before a write (the importer's)
        _lock("resource_code:" + code)  # lock_resource_codes takes the same key
    query = (
        model.Session.query(model.Package.name)
        .filter(compat.extra_in("resource_code", [code]))
        .filter(model.Package.state != "deleted")
    )
    current = _current_package_id(data, context)
    if current:
        query = query.filter(model.Package.id != current)
    other = query.first()
    if other is not None:
        errors[key].append(
            _("Resource code {code} is already used by the catalogue entry {name}").format(
                code=code, name=other[0]
            )
        )


def govshare_classification_code(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """分类码: when empty, taken from the resource code; when given, must head it."""
    value = data.get(key)
    code = data.get(("resource_code",))
    code = code.strip() if isinstance(code, str) else ""
    match = RESOURCE_CODE_RE.match(code)
    if _empty(value):
        if match:
            data[key] = match.group("classification")
            return
        data.pop(key, None)
        raise StopOnError
    value = str(value).strip()
    if not CLASSIFICATION_RE.match(value):
        errors[key].append(_(
            "Classification code must be class (1 digit 1-3), item (2 digits), heading "
            "(3 digits) and optional sub-heading digits, e.g. 203001"
        ))
    elif match and match.group("classification") != value:
        errors[key].append(
            _("Classification code {value} does not match the resource code {code}").format(
                value=value, code=code
            )
        )
    data[key] = value


def _organization(value: Any) -> model.Group | None:
    if not isinstance(value, str) or not value:
        return None
    org = model.Group.get(value)
    return org if org is not None and org.is_organization else None


def govshare_provider_code(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """提供方代码: on a dataset, when empty, the providing department's code."""
    value = data.get(key)
    if _empty(value):
        org = _organization(data.get(("owner_org",))) if key == ("provider_code",) else None
        code = org.extras.get("provider_code") if org is not None else None
        if code:
            data[key] = code
            return
        data.pop(key, None)
        raise StopOnError
    value = str(value).strip()
    if not re.match(r"^[0-9A-Za-z\-]{2,32}$", value):
        errors[key].append(_("Provider code may only contain letters, digits and '-' (2-32 characters)"))
    data[key] = value


def govshare_format_subtype(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """格式子类: one of the sub-types of the chosen resource format (catalogue guide)."""
    value = data.get(key)
    if _empty(value):
        return
    fmt = data.get(("resource_format",))
    allowed = vocab.FORMAT_SUBTYPES.get(fmt) if isinstance(fmt, str) else None
    if not allowed:
        return  # the format itself is reported by its own validator
    canonical = {a.lower(): a for a in allowed}.get(str(value).strip().lower())
    if canonical is None:
        errors[key].append(
            _("Not a sub-type of {format}: choose one of {allowed}").format(
                format=vocab.RESOURCE_FORMATS.label(fmt, current_lang()),
                allowed=", ".join(allowed),
            )
        )
    else:
        data[key] = canonical


def govshare_positive_int(value: Any, context: Context) -> Any:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise Invalid(_("Must be a whole number"))
    if number < 1 or number > 1_000_000:
        raise Invalid(_("Must be between 1 and 1000000"))
    return number


def govshare_related_codes(value: Any, context: Context) -> Any:
    """关联资源代码: resource codes separated by commas, '、' or spaces; stored as 'a, b'."""
    if isinstance(value, list):
        parts = [str(v).strip() for v in value]
    else:
        parts = _CODE_SPLIT_RE.split(str(value or ""))
    codes = [p for p in parts if p]
    bad = [c for c in codes if not RESOURCE_CODE_RE.match(c)]
    if bad:
        raise Invalid(_("Not a resource code: {codes}").format(codes=", ".join(bad[:5])))
    return ", ".join(dict.fromkeys(codes))


def govshare_region_code(value: Any, context: Context) -> Any:
    """行政区划代码 (GB/T 2260): six digits starting with a province code."""
    value = str(value or "").strip()
    if not re.match(r"^\d{6}$", value) or value[:2] not in _PROVINCES:
        raise Invalid(_("Administrative division code must be 6 digits (GB/T 2260), e.g. 500000"))
    return value


def govshare_phone(value: Any, context: Context) -> Any:
    value = str(value or "").strip()
    if not _PHONE_RE.match(value) or sum(c.isdigit() for c in value) < 5:
        raise Invalid(_("Not a telephone number, e.g. 023-63881234 or 13800138000"))
    return value


def govshare_not_future(value: Any, context: Context) -> Any:
    day = value.date() if isinstance(value, datetime.datetime) else value
    if isinstance(day, datetime.date) and day > datetime.date.today():
        raise Invalid(_("Date cannot be in the future"))
    return value


def govshare_api_required(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """Interface description and how to call it are required for an API resource
    (shenyang-2016 §21); optional otherwise."""
    value = data.get(key)
    method = data.get(key[:-1] + ("access_method",))
    if _empty(value):
        if method == "api":
            errors[key].append(_(
                "Required for a resource accessed through an API: describe the interface "
                "and how to call it (shenyang-2016 §21)"
            ))
        data.pop(key, None)
        raise StopOnError


def govshare_download_needs_file(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """A resource obtained by 文件下载 (file download) must have its file: a URL or an upload
    (an upload arrives here as its file name, with ``url_type`` 'upload'). Runs on the URL
    field, before ``ignore_missing``."""
    method = data.get(key[:-1] + ("access_method",))
    term = vocab.SHARE_METHODS.lookup(method) if isinstance(method, str) else None
    if term is not None and term.value == "download" and _empty(data.get(key)):
        errors.setdefault(key, []).append(_(
            "A resource obtained by file download needs its file: upload the file or give "
            "the address it can be downloaded from"))


def govshare_credit_code(value: Any, context: Context) -> Any:
    """统一社会信用代码 with its GB 32100 check character."""
    code = str(value or "").strip().upper()
    problem = identifiers.uscc_problem(code)
    if problem == "length":
        raise Invalid(_("Unified social credit code must have 18 characters"))
    if problem == "characters":
        raise Invalid(_("Unified social credit code contains characters not allowed by GB 32100"))
    if problem == "check":
        raise Invalid(_("Unified social credit code check character is wrong (GB 32100)"))
    return code


def govshare_citizen_id(value: Any, context: Context) -> Any:
    """公民身份号码 with its GB 11643 check digit."""
    number = str(value or "").strip().upper()
    problem = identifiers.citizen_id_problem(number)
    if problem == "length":
        raise Invalid(_("Citizen ID number must have 18 characters"))
    if problem == "characters":
        raise Invalid(_("Citizen ID number may only contain digits and a final X"))
    if problem == "birth_date":
        raise Invalid(_("Citizen ID number contains an impossible date of birth"))
    if problem == "check":
        raise Invalid(_("Citizen ID number check digit is wrong (GB 11643)"))
    return number


def govshare_user_name(value: Any, context: Context) -> Any:
    value = str(value or "").strip()
    if model.User.get(value) is None:
        raise Invalid(_("No user account named {name}").format(name=value))
    return value


def _value(data: FlattenDataDict, name: str) -> Any:
    value = data.get((name,))
    # a list or a dict where a term is expected is reported by the field's own validator
    return None if _empty(value) or not isinstance(value, (str, int, float)) else value


def _require(data: FlattenDataDict, errors: FlattenErrorDict, field: str, message: str) -> None:
    if _value(data, field) is None:
        errors.setdefault((field,), []).append(message)


def govshare_catalogue_rules(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """Cross-field rules of a catalogue entry (run after the field validators).

    - conditional share needs conditions and a basis; no share needs a basis
      (chongqing-2018 §17(1), chongqing-2019 §25(1), kunming-2019 §12);
    - conditional open needs conditions and a basis; no opening needs a basis
      (chongqing-2019 §31);
    - base resources are shared unconditionally (chongqing-2018 §17(2), kunming-2019 §13(2));
    - an entry is not more open to the public than to departments;
    - the resource category matches the class digit of the resource code.
    """
    share = _value(data, "share_type")
    open_ = _value(data, "open_type")
    category = _value(data, "resource_category")

    if share == "conditional":
        _require(data, errors, "share_condition", _(
            "Required when the share attribute is conditional: state the share conditions "
            "(chongqing-2018 §17, kunming-2019 §12)"))
    if share in ("conditional", "none"):
        _require(data, errors, "share_basis", _(
            "Required when sharing is conditional or withheld: state the legal or policy basis "
            "(chongqing-2018 §17, chongqing-2019 §25, kunming-2019 §12)"))
    if open_ == "conditional":
        _require(data, errors, "open_condition", _(
            "Required when the open attribute is conditional: state the open conditions "
            "(chongqing-2019 §31)"))
    if open_ in ("conditional", "closed"):
        _require(data, errors, "open_basis", _(
            "Required when opening is conditional or withheld: state the legal basis "
            "(chongqing-2019 §31)"))

    if category == "base" and share not in (None, "unconditional"):
        errors.setdefault(("share_type",), []).append(_(
            "A base information resource must be shared unconditionally "
            "(chongqing-2018 §17(2), kunming-2019 §13(2))"))

    if (share in vocab.SHARE_RANK and open_ in vocab.OPEN_RANK
            and vocab.OPEN_RANK[open_] > vocab.SHARE_RANK[share]):
        errors.setdefault(("open_type",), []).append(_(
            "The open attribute cannot be more open to the public than the share attribute "
            "is to departments (e.g. not shared but unconditionally open)"))

    code = _value(data, "resource_code")
    match = RESOURCE_CODE_RE.match(code) if isinstance(code, str) else None
    if match and category in CATEGORY_DIGIT and code[0] != CATEGORY_DIGIT[category]:
        errors.setdefault(("resource_category",), []).append(
            _("Resource category does not match the resource code: codes of this category "
              "start with {digit}").format(digit=CATEGORY_DIGIT[category]))


def govshare_bounded_input(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """Before every field validator of an entry or a department: no value anywhere (fields,
    resources, extras) holds NUL or other control characters, lone surrogates
    or more text than Solr can index (CKAN core would answer those with a 500: the database
    refuses NUL and surrogates, Solr an "immense term"). The offending value is dropped, so
    no later validator or lookup sees it, and the error is attached to its field."""
    for field, value in list(data.items()):
        if not field or field[-1] in ("__before", "__after"):
            continue
        if field[-1] == "__extras" and isinstance(value, dict):
            for name, extra in list(value.items()):
                problem = _value_problem(name) or _value_problem(extra)
                if problem:
                    errors.setdefault(field[:-1] + (str(name)[:MAX_ID],), []).append(problem)
                    value.pop(name)
            continue
        problem = _value_problem(value)
        if problem:
            errors.setdefault(field, []).append(problem)
            data[field] = missing


def _value_problem(value: Any, depth: int = 0) -> str | None:
    """The problem of a submitted value, looking into lists and dicts (a few levels)."""
    if isinstance(value, str):
        return _text_problem(value)
    if depth < 4 and isinstance(value, (list, tuple)):
        return next(filter(None, (_value_problem(v, depth + 1) for v in value)), None)
    if depth < 4 and isinstance(value, dict):
        return next(filter(None, (_value_problem(v, depth + 1) for v in [*value.keys(), *value.values()])), None)
    return None


def govshare_review_capture(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """Remember the entry as it was before an update, for the catalogue review (an
    after-validator: it runs before the save; shenyang-2016 §12)."""
    review.capture(context)


def govshare_text(value: Any, context: Context) -> Any:
    """Free text given to an action must be text: a list, a dict or a number is refused
    (CKAN's unicode_safe would turn it into its JSON)."""
    if value is missing or value is None or isinstance(value, str):
        return value
    raise Invalid(_("Must be text"))
