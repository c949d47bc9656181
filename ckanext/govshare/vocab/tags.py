# -*- coding: utf-8 -*-
"""Tags (关键词) as real catalogues write them, made into tags CKAN accepts.

CKAN's rules (``ckan.logic.validators``): a tag is 2 to 100 characters of letters, digits,
spaces, ``-``, ``_`` and ``.``. Real catalogues write 住房（公积金）, “一网通办”, 教育。 or
several tags in one cell. The rules, applied by the catalogue importer and by the entry form
(``govshare_normalise_tags``), and listed in ``docs/catalogue-template.md``:

1. the cell is split on ``,`` ``，`` ``、`` ``;`` ``；`` and line breaks;
2. full-width letters, digits and spaces become half-width (NFKC);
3. brackets ``（）()【】[]《》<>「」`` and ``/ \\ : ： · • | +`` become a space;
4. every other character CKAN does not allow (quotes “”‘’"', ``。！？`` …) is removed;
5. spaces are collapsed, the tag is trimmed (also of ``-`` and ``.`` at its ends);
6. a tag longer than 100 characters is cut at 100, one shorter than 2 characters is
   dropped, a repeated tag is kept once.
"""
from __future__ import annotations

import re
import unicodedata

__all__ = ["MIN_LENGTH", "MAX_LENGTH", "split_tags", "normalise_tag", "normalise_tags"]

MIN_LENGTH = 2
MAX_LENGTH = 100

_SPLIT_RE = re.compile(r"[,，、;；\n\r]+")
_SPACE_LIKE_RE = re.compile(r"[（）()【】\[\]《》<>「」/\\:：·•|+]")
_NOT_ALLOWED_RE = re.compile(r"[^\w \-.]")
_SPACES_RE = re.compile(r"\s+")


def split_tags(text: str) -> list[str]:
    """The parts of a tag cell, as written."""
    return [p.strip() for p in _SPLIT_RE.split(str(text or "")) if p.strip()]


def normalise_tag(text: str) -> str:
    """One tag made acceptable to CKAN (possibly empty or too short: see normalise_tags)."""
    tag = unicodedata.normalize("NFKC", str(text or ""))
    tag = _SPACE_LIKE_RE.sub(" ", tag)
    tag = _NOT_ALLOWED_RE.sub("", tag)
    tag = _SPACES_RE.sub(" ", tag).strip(" -.")
    return tag[:MAX_LENGTH].strip(" -.")


def normalise_tags(text: str) -> tuple[list[str], list[tuple[str, str]]]:
    """The tags of a cell and what was changed: ``[(as written, as kept)]`` (kept ``""``:
    dropped)."""
    tags: list[str] = []
    changes: list[tuple[str, str]] = []
    for part in split_tags(text):
        tag = normalise_tag(part)
        if len(tag) < MIN_LENGTH:
            changes.append((part, ""))
            continue
        if tag != part:
            changes.append((part, tag))
        if tag not in tags:
            tags.append(tag)
    return tags, changes
