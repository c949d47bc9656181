# -*- coding: utf-8 -*-
"""Per-entry RDF, built once per version of an entry, and the documents assembled from it.

A catalogue page used to be one rdflib graph of every entry on it, serialised as a whole
(rdflib's Turtle and RDF/XML writers are the larger part of the cost). Here each entry's
triples are built and serialised *alone*, once per version of the entry, and kept in Redis;
a page (and the streamed full catalogue) is the catalogue's own small graph followed by the
entries' serialised triples, concatenated:

- Turtle: one prefix block (:data:`NAMESPACES`, every prefix the profiles bind), then the
  catalogue, then each entry's statements (an entry whose triples need a prefix outside the
  block is kept as N-Triples, which is Turtle without prefixes);
- RDF/XML: one ``rdf:RDF`` root declaring the same namespaces, each entry's
  ``rdf:Description`` elements inside it (a namespace outside the block is declared on the
  entry's own elements);
- JSON-LD: one expanded JSON-LD array, each entry's node objects in it.

Blank nodes keep the labels rdflib gave them when the entry was built (unique per build),
so the entries' blank nodes never merge; nodes with a URI said about by several entries
(a department, a concept) merge, as in one graph.

What an entry version is (the cache key). The key is the entry's id and a digest of
everything its triples are made from: the dataset dict exactly as the catalogue hands it to
the profiles (``package_search`` *as the actor*: its ``metadata_modified``, its levels, and
the fields the access rules withheld from that actor), the department's current name and
title (read from the database per page: CKAN does not re-index entries when their
organisation is renamed), the public/share scope, the format, the profiles, the settings
the profiles read and the source of the profile code. So:

- an actor can only ever get a cached entry built from the very dict it was handed itself
  (the digest covers the withheld fields: an anonymous user and a department member who
  sees more can never share a cached text; two anonymous users do);
- a changed entry, a renamed department, another setting or a new release of the profile
  is a new key: a stale triple cannot be served, whatever happens to the signals.

The signals (``subscriptions.py``) only remove the superseded versions: every key of an
entry is listed in a per-entry set, dropped on each change of the entry (update, patch,
resource changes, level changes, delete, purge, bulk changes) and of its department
(rename, delete). Keys also expire after ``ckanext.govshare.dcat.cache_ttl`` seconds
(0 switches the cache off: every entry is built for every request, same output).
Values are zlib-compressed (about a fifth of the text).
"""
from __future__ import annotations

import collections
import dataclasses
import hashlib
import json
import logging
import os
import re
import threading
import zlib
from importlib import metadata
from typing import Any, Iterable, Iterator, Optional
from xml.sax.saxutils import quoteattr

import rdflib
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, XSD

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib.redis import connect_to_redis
from ckanext.dcat.processors import RDFSerializer
from ckanext.dcat.profiles import DCAT
from ckanext.dcat.profiles.base import namespaces as DCAT_NAMESPACES
from ckanext.dcat.utils import catalog_uri

from ckanext.govshare.dcat.uris import CSVW, ELI, GOVSHARE

__all__ = [
    "NAMESPACES", "FORMATS", "Entry", "Stats", "entries", "header", "serializer", "prologue", "epilogue",
    "dataset_links", "join", "forget", "forget_department", "key_prefix", "enabled", "stats",
]

log = logging.getLogger(__name__)

HYDRA = "http://www.w3.org/ns/hydra/core#"
# Every prefix a catalogue document declares: ckanext-dcat's, the platform's, and RDF's own.
NAMESPACES: dict[str, str] = {
    "rdf": str(RDF), "rdfs": str(RDFS), "xsd": str(XSD), "skos": str(SKOS), "hydra": HYDRA,
    **{prefix: str(ns) for prefix, ns in DCAT_NAMESPACES.items()},
    "govshare": str(GOVSHARE), "csvw": str(CSVW), "eli": str(ELI),
}
# the catalogue's formats -> rdflib's writers (RDF/XML: the flat writer; its output is
# concatenable, the "pretty" one nests and is several times slower)
FORMATS = {"ttl": "turtle", "rdf": "xml", "xml": "xml", "jsonld": "json-ld"}
_PREFIX_LINE = re.compile(r"^@prefix (?P<prefix>[\w\-]*): <(?P<iri>[^>]*)> \.\s*$")
_XMLNS = re.compile(r'xmlns:(?P<prefix>[\w\-.]+)="(?P<iri>[^"]*)"')
_XML_ROOT = re.compile(r"<rdf:RDF\b[^>]*>", re.S)

# What the profiles' output is made of besides the dict: the code (these packages' sources)
_CODE_DIRS = ("dcat", "vocab")


def _code_version() -> str:
    digest = hashlib.blake2b(digest_size=8)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for folder in _CODE_DIRS:
        base = os.path.join(root, folder)
        for dirpath, _dirs, files in sorted(os.walk(base)):
            for name in sorted(files):
                if name.endswith((".py", ".yaml", ".yml", ".json")):
                    with open(os.path.join(dirpath, name), "rb") as f:
                        digest.update(name.encode() + b"\0" + f.read())
    digest.update(metadata.version("ckanext-dcat").encode() + rdflib.__version__.encode())
    return digest.hexdigest()


CODE_VERSION = _code_version()


@dataclasses.dataclass
class Entry:
    """One entry's serialised triples: ``ref`` (its dataset URI) and ``body`` (statements
    that need only :data:`NAMESPACES`)."""
    ref: str
    body: str


@dataclasses.dataclass
class Stats:
    hits: int = 0
    misses: int = 0


_STATS = Stats()


def stats() -> Stats:
    """Hits and misses since the process started (the bench and the tests read them)."""
    return _STATS


def enabled() -> bool:
    return ttl() > 0


def ttl() -> int:
    return max(0, int(tk.config.get("ckanext.govshare.dcat.cache_ttl") or 0))


def key_prefix() -> str:
    return f"govshare:dcat:{tk.config.get('ckan.site_id') or 'default'}"


def _index_key(package_id: str) -> str:
    return f"{key_prefix()}:ids:{package_id}"


def _settings() -> dict[str, Any]:
    """The settings the profiles read (URIs, portal, titles, ckanext-dcat's options)."""
    keys = ("ckan.root_path", "ckan.locale_default")
    return {k: str(v) for k, v in tk.config.items()
            if k in keys or k.startswith(("ckan.site_", "ckanext.dcat.", "ckanext.govshare."))}


def _empty_graph() -> Graph:
    g = Graph(bind_namespaces="none")
    for prefix, iri in NAMESPACES.items():
        g.bind(prefix, iri, override=True, replace=True)
    return g


# --- splitting rdflib's output into a head and statements ------------------------------------

def _split_turtle(text: str) -> tuple[dict[str, str], str]:
    prefixes: dict[str, str] = {}
    lines = text.splitlines()
    k = 0
    while k < len(lines):
        match = _PREFIX_LINE.match(lines[k])
        if match:
            prefixes[match.group("prefix")] = match.group("iri")
        elif lines[k].strip():
            break
        k += 1
    return prefixes, "\n".join(lines[k:]).strip()


def _split_xml(text: str) -> tuple[dict[str, str], str]:
    root = _XML_ROOT.search(text)
    if root is None:
        return {}, ""
    prefixes = {m.group("prefix"): m.group("iri") for m in _XMLNS.finditer(root.group(0))}
    end = text.rfind("</rdf:RDF>")
    return prefixes, text[root.end():end if end > 0 else len(text)].strip()


def _split_jsonld(text: str) -> str:
    body = text.strip()
    if body.startswith("["):
        body = body[1:-1].strip()
    elif body.startswith("{"):  # a single node object
        pass
    return body


def _foreign(prefixes: dict[str, str]) -> dict[str, str]:
    """The prefixes of ``prefixes`` that the document's prefix block does not declare."""
    return {p: iri for p, iri in prefixes.items() if NAMESPACES.get(p) != iri}


def _body(graph: Graph, fmt: str) -> str:
    """``graph``'s statements in ``fmt``, needing no prefix outside :data:`NAMESPACES`."""
    text = graph.serialize(format=FORMATS[fmt])
    if fmt == "ttl":
        prefixes, body = _split_turtle(text)
        if _foreign(prefixes):
            body = graph.serialize(format="nt").strip()
        return body
    if fmt in ("rdf", "xml"):
        prefixes, body = _split_xml(text)
        extra = _foreign(prefixes)
        if extra:
            decl = " ".join(f"xmlns:{p}={quoteattr(iri)}" for p, iri in extra.items())
            body = re.sub(r"(?m)^(\s*<rdf:Description)\b", lambda m: f"{m.group(1)} {decl}", body)
        return body
    return _split_jsonld(text)


# --- the entries ------------------------------------------------------------------------------

def _departments(datasets: list[dict[str, Any]]) -> dict[str, tuple[str, str]]:
    ids = {str((d.get("organization") or {}).get("id") or d.get("owner_org") or "") for d in datasets}
    ids.discard("")
    if not ids:
        return {}
    rows = model.Session.query(model.Group.id, model.Group.name, model.Group.title).filter(
        model.Group.id.in_(sorted(ids)))
    return {row[0]: (row[1], row[2]) for row in rows}


def _current(dataset: dict[str, Any], departments: dict[str, tuple[str, str]]) -> dict[str, Any]:
    """The dict with its department's current name and title (the index keeps those the
    department had when the entry was last indexed)."""
    org = dataset.get("organization")
    if not isinstance(org, dict) or org.get("id") not in departments:
        return dataset
    name, title = departments[org["id"]]
    if org.get("name") == name and org.get("title") == title:
        return dataset
    return dict(dataset, organization=dict(org, name=name, title=title))


def _digest(dataset: dict[str, Any], context: str) -> str:
    payload = json.dumps(dataset, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.blake2b((context + "\0" + payload).encode("utf-8"), digest_size=20).hexdigest()


def _build(serializer: RDFSerializer, dataset: dict[str, Any], fmt: str) -> Entry:
    serializer.g = _empty_graph()
    ref = serializer.graph_from_dataset(dataset)
    return Entry(str(ref), _body(serializer.g, fmt))


def entries(serializer: RDFSerializer, datasets: list[dict[str, Any]], fmt: str, scope: str,
            profiles: list[str]) -> list[Entry]:
    """The serialised triples of each of ``datasets`` (dicts as the actor was handed them),
    from the cache where this version was built before, built (and cached) otherwise."""
    departments = _departments(datasets)
    current = [_current(d, departments) for d in datasets]
    if not enabled():
        _STATS.misses += len(current)
        return [_build(serializer, d, fmt) for d in current]
    context = json.dumps([CODE_VERSION, scope, fmt, profiles, _settings()], sort_keys=True)
    keys = [f"{key_prefix()}:e:{d.get('id')}:{_digest(d, context)}" for d in current]
    redis = connect_to_redis()
    try:
        cached = redis.mget(keys) if keys else []
    except Exception as e:  # Redis down: build, as without the cache
        log.warning("DCAT cache unavailable: %s", e)
        _STATS.misses += len(current)
        return [_build(serializer, d, fmt) for d in current]
    out: list[Entry] = []
    pipe = redis.pipeline(transaction=False)
    seconds = ttl()
    for dataset, key, value in zip(current, keys, cached):
        if value is not None:
            try:
                ref, body = json.loads(zlib.decompress(value).decode("utf-8"))
                out.append(Entry(ref, body))
                _STATS.hits += 1
                continue
            except (ValueError, zlib.error):
                pass
        entry = _build(serializer, dataset, fmt)
        _STATS.misses += 1
        out.append(entry)
        blob = zlib.compress(json.dumps([entry.ref, entry.body], ensure_ascii=False).encode("utf-8"), 3)
        pipe.set(key, blob, ex=seconds)
        index = _index_key(str(dataset.get("id")))
        pipe.sadd(index, key)
        pipe.expire(index, seconds)
    if len(pipe):
        try:
            pipe.execute()
        except Exception as e:
            log.warning("DCAT cache not written: %s", e)
    return out


def forget(package_ids: Iterable[str]) -> int:
    """Drop every cached version of these entries; returns the number of keys dropped."""
    ids = [i for i in package_ids if isinstance(i, str) and i]
    if not ids:
        return 0
    redis = connect_to_redis()
    dropped = 0
    for first in range(0, len(ids), 500):
        chunk = ids[first:first + 500]
        pipe = redis.pipeline(transaction=False)
        for package_id in chunk:
            pipe.smembers(_index_key(package_id))
        members = pipe.execute()
        pipe = redis.pipeline(transaction=False)
        for package_id, keys in zip(chunk, members):
            if keys:
                pipe.delete(*keys)
                dropped += len(keys)
            pipe.delete(_index_key(package_id))
        pipe.execute()
    return dropped


def forget_department(org_id: str) -> int:
    """Drop the cached versions of every entry of a department (renamed or deleted)."""
    rows = model.Session.query(model.Package.id).filter(model.Package.owner_org == org_id)
    return forget([row[0] for row in rows])


# --- documents ----------------------------------------------------------------------------------

_HEADS: "collections.OrderedDict[str, tuple[URIRef, str]]" = collections.OrderedDict()
_HEADS_LOCK = threading.Lock()
PAGING = (("next", ("nextPage", "next")), ("previous", ("previousPage", "previous")),
          ("first", ("firstPage", "first")), ("last", ("lastPage", "last")),
          ("count", ("totalItems",)), ("items_per_page", ("itemsPerPage",)))


def header(serializer: RDFSerializer, fmt: str, catalog: dict[str, Any], scope: str,
           paging: Optional[dict[str, Any]] = None) -> tuple[URIRef, str]:
    """The catalogue's own description through the profiles (kept in the process per
    format, scope, modification time and settings: it is the same for every page) and the
    hydra paging of this page: the catalogue's URI and the statements."""
    key = json.dumps([CODE_VERSION, fmt, scope, catalog, _settings()], sort_keys=True, default=str)
    with _HEADS_LOCK:
        cached = _HEADS.get(key)
    if cached is None:
        serializer.g = _empty_graph()
        # ckanext-dcat's catalogue description; its own serialisation is discarded
        serializer.serialize_catalog(catalog, None, _format="nt")
        cached = (URIRef(catalog_uri()), _body(serializer.g, fmt))
        with _HEADS_LOCK:
            _HEADS[key] = cached
            while len(_HEADS) > 64:
                _HEADS.popitem(last=False)
    ref, body = cached
    if not paging:
        return ref, body
    # the hydra:PagedCollection ckanext-dcat writes for a page (its deprecated terms too)
    g = _empty_graph()
    node: Any = URIRef(paging["current"]) if paging.get("current") else BNode()
    g.add((node, RDF.type, URIRef(HYDRA + "PagedCollection")))
    for key_, names in PAGING:
        if paging.get(key_):
            for name in names:
                g.add((node, URIRef(HYDRA + name), Literal(paging[key_])))
    return ref, body + "\n" + _body(g, fmt) if fmt != "jsonld" else body + ",\n" + _body(g, fmt)


_SERIALIZERS = threading.local()


def serializer(profiles: list[str]) -> RDFSerializer:
    """An RDFSerializer for ``profiles``, one per thread and settings (loading the profiles
    scans every installed package's entry points: a tenth of a second per page)."""
    key = json.dumps([profiles, _settings()], sort_keys=True)
    cache_ = getattr(_SERIALIZERS, "by_key", None)
    if cache_ is None or cache_[0] != key:
        _SERIALIZERS.by_key = (key, RDFSerializer(profiles=profiles))
    return _SERIALIZERS.by_key[1]


def prologue(fmt: str) -> str:
    """What a document starts with (the prefixes)."""
    if fmt == "ttl":
        return "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in NAMESPACES.items()) + "\n"
    if fmt in ("rdf", "xml"):
        decls = "\n".join(f"   xmlns:{p}={quoteattr(iri)}" for p, iri in NAMESPACES.items())
        return f'<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF\n{decls}\n>\n'
    return "[\n"


def epilogue(fmt: str) -> str:
    if fmt in ("rdf", "xml"):
        return "\n</rdf:RDF>\n"
    if fmt == "jsonld":
        return "\n]\n"
    return "\n"


def dataset_links(fmt: str, catalog_ref: URIRef, refs: list[str]) -> str:
    """``catalog dcat:dataset ref`` for each entry, as statements of ``fmt``."""
    if not refs:
        return ""
    if fmt == "ttl":
        return f"{catalog_ref.n3()} dcat:dataset " + " ,\n    ".join(URIRef(r).n3() for r in refs) + " ."
    if fmt in ("rdf", "xml"):
        inner = "".join(f"\n    <dcat:dataset rdf:resource={quoteattr(r)}/>" for r in refs)
        return f"  <rdf:Description rdf:about={quoteattr(str(catalog_ref))}>{inner}\n  </rdf:Description>"
    return json.dumps({"@id": str(catalog_ref), str(DCAT.dataset): [{"@id": r} for r in refs]},
                      ensure_ascii=False)


def join(fmt: str, parts: Iterable[str], first: bool = True) -> Iterator[str]:
    """The statements ``parts`` as one run of a document (JSON-LD: comma separated; a run
    that continues an earlier one, ``first=False``, starts with a comma)."""
    separator = ",\n" if fmt == "jsonld" else "\n"
    for part in parts:
        if not part:
            continue
        yield (separator if not first else "") + part
        first = False
