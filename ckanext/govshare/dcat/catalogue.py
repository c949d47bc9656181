# -*- coding: utf-8 -*-
"""The catalogue documents a harvester reads: the public catalogue (what an anonymous user
may see) and the share catalogue (for a department user), in keyset-paged pages.

The public/share switch is :func:`scope`: the profile writes the share attributes only
inside ``scope("share")``, which only :func:`catalogue_page` sets; a dataset dict cannot
switch it.

Keyset paging: entries in (metadata_created, id) order; a page ends with a cursor naming
its last entry, and the next page starts after it. An entry added while a harvester
pages is created later than every entry already paged, so it comes at the end; an entry
removed does not shift the others, so none is skipped or served twice (offset paging,
ckanext-dcat's default, does both). ``modified_since`` filters on metadata_modified;
since an entry keeps its place when modified, it is still served once.
"""
from __future__ import annotations

import base64
import contextlib
import contextvars
import datetime
import re
from typing import Any, Iterator, Optional
from urllib.parse import urlencode

from dateutil.parser import parse as parse_date

import ckan.plugins.toolkit as tk
from ckanext.dcat.utils import CONTENT_TYPES

from ckanext.govshare.dcat import cache

__all__ = [
    "CatalogueError", "RDF_FORMATS", "scope", "is_share", "catalogue_page", "stream_catalogue", "content_type",
    "encode_cursor", "decode_cursor", "page_size", "profile_names",
]

# What the catalogue says about itself when the site has no description.
DEFAULT_DESCRIPTION = {
    "zh": "政务信息资源开放目录：无条件开放和有条件开放的政务信息资源（重庆市政务信息资源共享开放管理办法第二十二条）。",
    "en": "Open catalogue of government information resources: unconditionally and conditionally open resources.",
}
SHARE_DESCRIPTION = {
    "zh": "政务信息资源共享目录：向政务部门无条件共享和有条件共享的政务信息资源，含共享类型、条件和方式。",
    "en": "Share catalogue of government information resources for government departments, with their share attributes.",
}

# Which catalogue the profile writes: "public" (the open catalogue) or "share" (for a
# department user). Set by :func:`catalogue_page` only; dataset dicts cannot switch it.
_SCOPE: contextvars.ContextVar[str] = contextvars.ContextVar("govshare_dcat_scope", default="public")


@contextlib.contextmanager
def scope(name: str) -> Iterator[None]:
    """Write the ``public`` or the ``share`` catalogue inside this block."""
    token = _SCOPE.set(name)
    try:
        yield
    finally:
        _SCOPE.reset(token)


def is_share() -> bool:
    """Whether the share catalogue is being written (else the public one)."""
    return _SCOPE.get() == "share"


class CatalogueError(ValueError):
    """A request parameter a catalogue page cannot use (HTTP 400)."""


_CURSOR_RE = re.compile(r"^(?P<created>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)\|(?P<id>[A-Za-z0-9_\-]{1,100})$")
RDF_FORMATS = ("ttl", "rdf", "xml", "jsonld")


def encode_cursor(metadata_created: str, package_id: str) -> str:
    """The cursor after an entry: its creation time at Solr's millisecond precision, and id."""
    created = parse_date(metadata_created)
    if created.tzinfo is not None:
        created = created.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    text = f"{created.isoformat(timespec='milliseconds')}Z|{package_id}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(token: str) -> tuple[str, str]:
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        text = ""
    match = _CURSOR_RE.match(text)
    if not match:
        raise CatalogueError(tk._("Invalid cursor: follow the hydra:next link of the previous page"))
    return match.group("created"), match.group("id")


def _solr_time(value: str) -> str:
    try:
        moment = parse_date(value)
    except (ValueError, OverflowError, TypeError):
        raise CatalogueError(tk._("modified_since must be an ISO 8601 date or date and time"))
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return moment.isoformat(timespec="milliseconds") + "Z"


def page_size() -> int:
    return max(1, min(int(tk.config.get("ckanext.dcat.datasets_per_page") or 100), 1000))


def profile_names() -> list[str]:
    """The configured RDF profiles. Since the govshare profile contains DCAT-AP 3, a
    configured ``euro_dcat_ap_3`` before it is not run a second time for catalogue pages
    (same output, one pass fewer)."""
    names = (tk.config.get("ckanext.dcat.rdf.profiles") or "euro_dcat_ap_3").split()
    if "govshare" in names:
        names = [n for n in names if n != "euro_dcat_ap_3"]
    return names


def _filters(share: bool, modified_since: Optional[str]) -> list[str]:
    filters = ["+dataset_type:dataset"]
    if share:
        filters.append("+share_type:(unconditional OR conditional)")
    else:
        filters.append("+open_type:(unconditional OR conditional)")
    if modified_since:
        filters.append(f'+metadata_modified:["{_solr_time(modified_since)}" TO *]')
    return filters


def _after(filters: list[str], after: Optional[tuple[str, str]]) -> list[str]:
    if not after:
        return filters
    created, pkg_id = after
    return [*filters, f'+(metadata_created:{{"{created}" TO *] OR '
                      f'(+metadata_created:"{created}" +id:{{"{pkg_id}" TO *]))']


def _search(context: dict[str, Any], filters: list[str], rows: int) -> dict[str, Any]:
    return tk.get_action("package_search")(dict(context), {
        "q": "*:*", "fq": " ".join(filters), "rows": rows, "sort": "metadata_created asc, id asc",
        "facet": "false"})


def _head(context: dict[str, Any], filters: list[str]) -> tuple[int, Optional[str]]:
    """How many entries the catalogue has, and when the latest was modified."""
    head = tk.get_action("package_search")(dict(context), {
        "q": "*:*", "fq": " ".join(filters), "rows": 1, "sort": "metadata_modified desc",
        "facet": "false", "fl": "id,metadata_modified"})
    return head["count"], (head["results"][0]["metadata_modified"] if head["results"] else None)


def _check_format(fmt: str) -> None:
    if fmt not in RDF_FORMATS:
        raise CatalogueError(tk._("Unsupported format {fmt}: use ttl, rdf, xml or jsonld").format(fmt=fmt))


def catalogue_page(fmt: str, *, page_url: str, share: bool = False, user: str = "",
                   after: Optional[str] = None, modified_since: Optional[str] = None,
                   rows: Optional[int] = None) -> str:
    """One page of the public catalogue (anonymous view) or, with ``share``, of the share
    catalogue as ``user`` (a department user) may see it. The entries' triples come from
    the per-entry cache (``cache.py``), built where this version of an entry was not yet.

    :param page_url: the URL of the page without paging parameters (hydra links build on it)
    :param after: the cursor of the previous page's last entry
    :param modified_since: only entries modified since (ISO 8601)
    :raises CatalogueError: for parameters that cannot be used
    """
    _check_format(fmt)
    rows = rows or page_size()
    filters = _filters(share, modified_since)
    cursor = decode_cursor(after) if after else None
    # the public catalogue is what an anonymous user may see, whoever asks
    context = {"user": user if share else ""}
    result = _search(context, _after(filters, cursor), rows)
    datasets = result["results"]
    count, modified = _head(context, filters)
    params = {"modified_since": modified_since} if modified_since else {}

    def link(token: Optional[str] = None) -> str:
        query = dict(params, **({"after": token} if token else {}))
        return f"{page_url}?{urlencode(query)}" if query else page_url

    paging: dict[str, Any] = {"count": count, "items_per_page": rows, "current": link(after), "first": link()}
    if datasets and result["count"] > len(datasets):
        paging["next"] = link(encode_cursor(datasets[-1]["metadata_created"], datasets[-1]["id"]))
    name = "share" if share else "public"
    profiles = profile_names()
    with scope(name):
        serializer = cache.serializer(profiles)
        catalog_ref, head = cache.header(serializer, fmt, {"modified": modified}, name, paging)
        entries = cache.entries(serializer, datasets, fmt, name, profiles)
    links = cache.dataset_links(fmt, catalog_ref, [e.ref for e in entries])
    return "".join([cache.prologue(fmt), *cache.join(fmt, [head, links, *(e.body for e in entries)]),
                    cache.epilogue(fmt)])


def stream_catalogue(fmt: str, *, share: bool = False, user: str = "",
                     modified_since: Optional[str] = None, limit: Optional[int] = None) -> Iterator[str]:
    """The whole public (or share) catalogue as one document, written a page of entries at
    a time: the entries are read in keyset pages and each page's text is handed on before
    the next is read, so the memory used does not grow with the catalogue. No hydra paging.

    :param limit: stop after this many entries (the bench measures memory at two sizes)
    :raises CatalogueError: for parameters that cannot be used (before anything is written)
    """
    _check_format(fmt)
    filters = _filters(share, modified_since)
    context = {"user": user if share else ""}
    _count, modified = _head(context, filters)
    rows = page_size()
    name = "share" if share else "public"
    profiles = profile_names()

    def generate() -> Iterator[str]:
        with scope(name):
            serializer = cache.serializer(profiles)
            catalog_ref, head = cache.header(serializer, fmt, {"modified": modified}, name)
        yield cache.prologue(fmt)
        yield from cache.join(fmt, [head])
        cursor: Optional[tuple[str, str]] = None
        written = 0
        while limit is None or written < limit:
            batch = rows if limit is None else min(rows, limit - written)
            datasets = _search(context, _after(filters, cursor), batch)["results"]
            if not datasets:
                break
            with scope(name):
                entries = cache.entries(serializer, datasets, fmt, name, profiles)
            links = cache.dataset_links(fmt, catalog_ref, [e.ref for e in entries])
            yield "".join(cache.join(fmt, [links, *(e.body for e in entries)], first=False))
            written += len(datasets)
            last = datasets[-1]
            cursor = decode_cursor(encode_cursor(last["metadata_created"], last["id"]))
            del datasets, entries, links
        yield cache.epilogue(fmt)

    return generate()


def content_type(fmt: str) -> str:
    return CONTENT_TYPES.get(fmt, "text/turtle") + "; charset=utf-8"
