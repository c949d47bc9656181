# -*- coding: utf-8 -*-
"""What the last import wrote into each catalogue entry, as a content hash: a re-import
whose row has the same hash, of an entry nobody changed since (same ``metadata_modified``),
is decided *unchanged* without reading, validating or touching the entry.

Only a hint: an entry without a row here, or changed since, is compared in full.
"""
from __future__ import annotations

import datetime
import hashlib
import json
from typing import Any, Iterable

from sqlalchemy import Column, DateTime, ForeignKey, UnicodeText
from sqlalchemy.dialects.postgresql import insert

import ckan.plugins.toolkit as tk
from ckan import model

__all__ = ["ImportFingerprint", "fingerprint", "stored", "store"]

#: part of every hash: raise it when the meaning of a parsed row changes (vocabulary rules …)
VERSION = "1"


class ImportFingerprint(tk.BaseModel):  # type: ignore[misc, valid-type]
    __tablename__ = "govshare_import_fingerprint"

    package_id = Column(UnicodeText, ForeignKey("package.id", ondelete="CASCADE"), primary_key=True)
    fingerprint = Column(UnicodeText, nullable=False)
    metadata_modified = Column(DateTime, nullable=False)


def fingerprint(*parts: Any) -> str:
    """A stable hash of JSON-able parts."""
    text = json.dumps([VERSION, *parts], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def stored(package_ids: Iterable[str]) -> dict[str, tuple[str, datetime.datetime]]:
    """``{package_id: (fingerprint, metadata_modified)}`` in batched queries."""
    ids = sorted(set(package_ids))
    out: dict[str, tuple[str, datetime.datetime]] = {}
    for start in range(0, len(ids), 5000):
        q = (model.Session.query(ImportFingerprint.package_id, ImportFingerprint.fingerprint,
                                 ImportFingerprint.metadata_modified)
             .filter(ImportFingerprint.package_id.in_(ids[start:start + 5000])))
        for pid, fp, modified in q:
            out[pid] = (fp, modified)
    return out


def store(values: dict[str, str]) -> None:
    """Record ``{package_id: fingerprint}`` with each entry's current ``metadata_modified``
    (in the caller's transaction; nothing is committed)."""
    # CKAN's session does not autoflush, and 2.12's package_create sets metadata_modified
    # after its last flush: read what the commit will write
    model.Session.flush()
    ids = sorted(values)
    for start in range(0, len(ids), 2000):
        chunk = ids[start:start + 2000]
        modified = dict(model.Session.query(model.Package.id, model.Package.metadata_modified)
                        .filter(model.Package.id.in_(chunk)))
        rows = [{"package_id": i, "fingerprint": values[i], "metadata_modified": modified[i]}
                for i in chunk if modified.get(i) is not None]
        if not rows:
            continue
        stmt = insert(ImportFingerprint.__table__).values(rows)
        stmt = stmt.on_conflict_do_update(
            index_elements=["package_id"],
            set_={"fingerprint": stmt.excluded.fingerprint,
                  "metadata_modified": stmt.excluded.metadata_modified})
        model.Session.execute(stmt)
