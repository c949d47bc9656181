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
from ckanext.dcat.processors import RDFSerializer
from ckanext.dcat.utils import CONTENT_TYPES

__all__ = [
    "CatalogueError", "RDF_FORMATS", "scope", "is_share", "catalogue_page", "content_type",
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


def catalogue_page(fmt: str, *, page_url: str, share: bool = False, user: str = "",
                   after: Optional[str] = None, modified_since: Optional[str] = None,
                   rows: Optional[int] = None) -> str:
    """One page of the public catalogue (anonymous view) or, with ``share``, of the share
    catalogue as ``user`` (a department user) may see it.

    :param page_url: the URL of the page without paging parameters (hydra links build on it)
    :param after: the cursor of the previous page's last entry
    :param modified_since: only entries modified since (ISO 8601)
    :raises CatalogueError: for parameters that cannot be used
    """
    if fmt not in RDF_FORMATS:
        raise CatalogueError(tk._("Unsupported format {fmt}: use ttl, rdf, xml or jsonld").format(fmt=fmt))
    rows = rows or page_size()
    filters = ["+dataset_type:dataset"]
    if share:
        filters.append("+share_type:(unconditional OR conditional)")
    else:
        filters.append("+open_type:(unconditional OR conditional)")
    if modified_since:
        filters.append(f'+metadata_modified:["{_solr_time(modified_since)}" TO *]')
    total_query = " ".join(filters)
    if after:
        created, pkg_id = decode_cursor(after)
        filters.append(f'+(metadata_created:{{"{created}" TO *] OR '
                       f'(+metadata_created:"{created}" +id:{{"{pkg_id}" TO *]))')
    # the public catalogue is what an anonymous user may see, whoever asks
    context = {"user": user if share else ""}
    search = tk.get_action("package_search")
    result = search(dict(context), {"q": "*:*", "fq": " ".join(filters), "rows": rows,
                                    "sort": "metadata_created asc, id asc", "facet": "false"})
    datasets = result["results"]
    head = search(dict(context), {"q": "*:*", "fq": total_query, "rows": 1,
                                  "sort": "metadata_modified desc", "facet": "false",
                                  "fl": "id,metadata_modified"})
    params = {"modified_since": modified_since} if modified_since else {}

    def link(cursor: Optional[str] = None) -> str:
        query = dict(params, **({"after": cursor} if cursor else {}))
        return f"{page_url}?{urlencode(query)}" if query else page_url

    paging: dict[str, Any] = {"count": head["count"], "items_per_page": rows,
                              "current": link(after), "first": link()}
    if datasets and result["count"] > len(datasets):
        paging["next"] = link(encode_cursor(datasets[-1]["metadata_created"], datasets[-1]["id"]))
    modified = head["results"][0]["metadata_modified"] if head["results"] else None
    catalog = {"modified": modified}
    with scope("share" if share else "public"):
        serializer = RDFSerializer(profiles=profile_names())
        return serializer.serialize_catalog(catalog, datasets, _format=fmt, pagination_info=paging)


def content_type(fmt: str) -> str:
    return CONTENT_TYPES.get(fmt, "text/turtle") + "; charset=utf-8"
