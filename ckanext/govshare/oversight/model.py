# -*- coding: utf-8 -*-
"""The ten-year logs (kunming-2019 §27 变更日志、共享交换日志、信息查询日志, kept ≥ 10 years;
chongqing-2018 §29 audit trail).

Three tables, each partitioned by month on ``at`` (UTC) and created only by migration
``b3e8…``: the database gives each row its ``seq``, ``prev_hash`` and ``hash`` (trigger
``govshare_log_chain``) and refuses UPDATE and DELETE (trigger ``govshare_log_append_only``).
The application only ever INSERTs (``oversight/record.py``) and SELECTs. ``govshare_log_head``
holds each chain's last row (the trigger's lock and a first check against a cut tail);
``govshare_log_archive`` records every month exported and removed (``oversight/archive.py``).

Personal data is kept only where the log needs it: user ids (never names, e-mail addresses or
IP addresses); the exchange log keeps a keyed hash of the client address, the query log a
keyed hash of the user id and the kind of user (docs/logs.md).
"""
from __future__ import annotations

from sqlalchemy import (text, BigInteger, FetchedValue, CheckConstraint, Column, Date, DateTime, Index, Integer,
                        PrimaryKeyConstraint, UnicodeText, UniqueConstraint)
from sqlalchemy.dialects.postgresql import BYTEA, JSONB

import ckan.plugins.toolkit as tk

__all__ = ["CatalogueLog", "ExchangeLog", "QueryLog", "LogHead", "LogArchive", "LOGS", "CHANNELS", "ACTIONS"]

ACTIONS = ("created", "updated", "deleted")
CHANNELS = ("download", "datastore_search", "datastore_search_sql", "api")
_AT_DEFAULT = text("(statement_timestamp() AT TIME ZONE 'UTC')")


def _partitioned(name: str, *args):
    return (PrimaryKeyConstraint("at", "seq", name=f"{name}_pkey"), *args,
            {"postgresql_partition_by": "RANGE (at)"})


class CatalogueLog(tk.BaseModel):  # type: ignore[misc, valid-type]
    """变更日志: an entry created, updated or deleted, with its levels before and after."""
    __tablename__ = "govshare_log_catalogue"
    __table_args__ = _partitioned(
        __tablename__,
        CheckConstraint(f"action IN {ACTIONS}", name="govshare_log_catalogue_action"),
        Index("govshare_log_catalogue_package_idx", "package_id", "seq"),
    )

    seq = Column(BigInteger, nullable=False, server_default=FetchedValue())  # set by the chain trigger
    at = Column(DateTime, nullable=False, server_default=_AT_DEFAULT)
    actor_id = Column(UnicodeText, nullable=True)
    action = Column(UnicodeText, nullable=False)
    package_id = Column(UnicodeText, nullable=False)
    package_name = Column(UnicodeText, nullable=True)
    resource_code = Column(UnicodeText, nullable=True)
    organization_id = Column(UnicodeText, nullable=True)
    open_before = Column(UnicodeText, nullable=True)
    open_after = Column(UnicodeText, nullable=True)
    share_before = Column(UnicodeText, nullable=True)
    share_after = Column(UnicodeText, nullable=True)
    detail = Column(JSONB, nullable=True)
    prev_hash = Column(BYTEA, nullable=False)
    hash = Column(BYTEA, nullable=False)


class ExchangeLog(tk.BaseModel):  # type: ignore[misc, valid-type]
    """共享交换日志: who obtained which resource, when, through what, and what allowed it."""
    __tablename__ = "govshare_log_exchange"
    __table_args__ = _partitioned(
        __tablename__,
        CheckConstraint(f"channel IN {CHANNELS}", name="govshare_log_exchange_channel"),
        Index("govshare_log_exchange_package_idx", "package_id", "at"),
        Index("govshare_log_exchange_actor_idx", "actor_id", "at"),
    )

    seq = Column(BigInteger, nullable=False, server_default=FetchedValue())  # set by the chain trigger
    at = Column(DateTime, nullable=False, server_default=_AT_DEFAULT)
    actor_id = Column(UnicodeText, nullable=True)
    actor_org_id = Column(UnicodeText, nullable=True)
    channel = Column(UnicodeText, nullable=False)
    package_id = Column(UnicodeText, nullable=True)
    resource_id = Column(UnicodeText, nullable=True)
    organization_id = Column(UnicodeText, nullable=True)
    basis = Column(UnicodeText, nullable=False)
    grant_id = Column(UnicodeText, nullable=True)
    client_hash = Column(UnicodeText, nullable=True)
    detail = Column(JSONB, nullable=True)
    prev_hash = Column(BYTEA, nullable=False)
    hash = Column(BYTEA, nullable=False)


class QueryLog(tk.BaseModel):  # type: ignore[misc, valid-type]
    """信息查询日志: a catalogue search, its filters and result count; the searcher masked."""
    __tablename__ = "govshare_log_query"
    __table_args__ = _partitioned(__tablename__)

    seq = Column(BigInteger, nullable=False, server_default=FetchedValue())  # set by the chain trigger
    at = Column(DateTime, nullable=False, server_default=_AT_DEFAULT)
    actor_hash = Column(UnicodeText, nullable=True)
    actor_kind = Column(UnicodeText, nullable=False)
    channel = Column(UnicodeText, nullable=False)
    query = Column(UnicodeText, nullable=True)
    filters = Column(JSONB, nullable=True)
    result_count = Column(Integer, nullable=True)
    prev_hash = Column(BYTEA, nullable=False)
    hash = Column(BYTEA, nullable=False)


class LogHead(tk.BaseModel):  # type: ignore[misc, valid-type]
    """The last row of each chain (written only by the chain trigger)."""
    __tablename__ = "govshare_log_head"

    log = Column(UnicodeText, primary_key=True)
    seq = Column(BigInteger, nullable=False, server_default=FetchedValue())  # set by the chain trigger
    at = Column(DateTime, nullable=False)
    hash = Column(BYTEA, nullable=False)


class LogArchive(tk.BaseModel):  # type: ignore[misc, valid-type]
    """A month of one log exported, verified and removed from the database (append-only)."""
    __tablename__ = "govshare_log_archive"
    __table_args__ = (UniqueConstraint("log", "month", name="govshare_log_archive_month"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    log = Column(UnicodeText, nullable=False)
    month = Column(Date, nullable=False)
    rows = Column(BigInteger, nullable=False)
    first_seq = Column(BigInteger, nullable=True)
    last_seq = Column(BigInteger, nullable=True)
    first_prev_hash = Column(BYTEA, nullable=True)
    last_hash = Column(BYTEA, nullable=True)
    file_name = Column(UnicodeText, nullable=False)
    file_sha256 = Column(UnicodeText, nullable=False)
    archived_at = Column(DateTime, nullable=False)


# the logs by the short name the API, the CLI and the docs use
LOGS = {"catalogue": CatalogueLog, "exchange": ExchangeLog, "query": QueryLog}
