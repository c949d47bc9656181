# -*- coding: utf-8 -*-
"""The logs are append-only and tamper-evident (kunming-2019 §27 records kept ten years;
chongqing-2018 §29 and kunming-2019 §29 "确保数据可追溯"): the database refuses UPDATE and
DELETE, also to the application's own role; an edit by a superuser who switched the
trigger off is found by ``logs verify`` (the first broken row); a cut tail is found by the
chain head, and a tail rewritten together with the head by an anchor kept outside; two
writers never fork a chain; a missing month's partition is created on demand."""
from __future__ import annotations

import datetime
import threading

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from ckan import model

from ckanext.govshare.cli import govshare
from ckanext.govshare.oversight import chain, record

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def _query_row(text: str = "公交", **extra) -> dict:
    return {"actor_kind": "anonymous", "channel": "web", "query": text, **extra}


def _write(n: int, kind: str = "query") -> None:
    for i in range(n):
        values = _query_row(f"查询{i}") if kind == "query" else {"channel": "api", "basis": "open:unconditional",
                                                                  "resource_id": f"r{i}"}
        assert record.write_read(kind, values)


def _superuser() -> sa.engine.Engine:
    """The cluster's superuser on the test database (the stack's cluster trusts local TCP)."""
    return sa.create_engine(model.meta.engine.url.set(username="postgres", password=None))


@pytest.mark.parametrize("kind", ["catalogue", "exchange", "query"])
def test_the_application_role_cannot_update_or_delete(kind):
    """SQL as the application's own role (the tables' owner) is refused: append-only."""
    if kind == "catalogue":
        with model.meta.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO govshare_log_catalogue (action, package_id) VALUES ('created', 'p1')"))
    else:
        _write(1, kind)
    table = chain.table(kind)
    for statement in (f"UPDATE {table} SET at = at", f"DELETE FROM {table}"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            with model.meta.engine.begin() as conn:
                assert conn.execute(sa.text("SELECT current_user")).scalar() == "govshare"
                conn.execute(sa.text(statement))
    with model.meta.engine.connect() as conn:
        assert conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar() == 1


def test_the_archive_record_is_append_only_too():
    with model.meta.engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO govshare_log_archive (log, month, rows, file_name, file_sha256, archived_at) "
                             "VALUES ('govshare_log_query', '2010-01-01', 0, 'f', 'x', now())"))
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        with model.meta.engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM govshare_log_archive"))


def test_rows_are_chained_with_the_documented_serialisation():
    _write(3)
    with model.meta.engine.connect() as conn:
        rows = list(chain.rows(conn, "query"))
    assert [r.seq for r in rows] == sorted(r.seq for r in rows)
    assert bytes(rows[0].prev_hash) == chain.GENESIS
    for before, row in zip([None] + rows, rows):
        if before is not None:
            assert bytes(row.prev_hash) == bytes(before.hash)
        assert chain.row_hash(bytes(row.prev_hash), row.canonical) == bytes(row.hash)
    report = chain.verify("query")
    assert report.ok and report.rows == 3


def test_an_edit_by_a_superuser_with_the_trigger_off_is_detected():
    """Even a database administrator's edit is detected (the issue's "even an edit by a
    database administrator"): the row's content no longer matches its hash."""
    _write(5, "exchange")
    with model.meta.engine.connect() as conn:
        third = conn.execute(sa.text("SELECT seq FROM govshare_log_exchange ORDER BY seq OFFSET 2 LIMIT 1")).scalar()
    su = _superuser()
    with su.begin() as conn:
        conn.execute(sa.text("SET LOCAL session_replication_role = replica"))  # row triggers off
        conn.execute(sa.text("UPDATE govshare_log_exchange SET actor_id = 'someone-else' WHERE seq = :s"), {"s": third})
    report = chain.verify("exchange")
    assert not report.ok
    assert report.broken["seq"] == third and "content changed" in report.broken["reason"]

    # the editor recomputes that row's hash as the trigger would: the next row's link breaks
    with su.begin() as conn:
        conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
        conn.execute(sa.text(
            "UPDATE govshare_log_exchange t SET hash = sha256(prev_hash || convert_to("
            "(to_jsonb(t) - 'prev_hash' - 'hash')::text, 'UTF8')) WHERE seq = :s"), {"s": third})
    report = chain.verify("exchange")
    assert report.broken["seq"] == third + 1 and "link broken" in report.broken["reason"]
    su.dispose()

    # the command says the same, and fails
    result = CliRunner().invoke(govshare, ["logs", "verify", "--log", "exchange"])
    assert result.exit_code == 1
    assert f"first broken row: seq {third + 1}" in result.output


def test_a_cut_tail_is_detected_by_the_head_and_a_rewritten_one_by_an_anchor(tmp_path):
    """Deleting the last rows leaves a chain that is internally sound: the head (kept by the
    trigger) sees it; if the head is rewritten too, only an anchor kept outside the
    database can — ``logs anchor`` writes one, ``logs verify --anchor`` checks it."""
    _write(4)
    runner = CliRunner()
    anchor = runner.invoke(govshare, ["logs", "anchor"])
    assert anchor.exit_code == 0, anchor.output
    anchor_file = tmp_path / "anchor.json"
    anchor_file.write_text(anchor.output, encoding="utf-8")

    su = _superuser()
    with su.begin() as conn:
        conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
        last = conn.execute(sa.text("DELETE FROM govshare_log_query WHERE seq = (SELECT max(seq) FROM "
                                    "govshare_log_query) RETURNING seq")).scalar()
    report = chain.verify("query")
    assert not report.ok and "tail cut" in report.broken["reason"]

    # the head moved back as well: the chain and the head agree, the anchor does not
    with su.begin() as conn:
        conn.execute(sa.text("UPDATE govshare_log_head h SET seq = q.seq, hash = q.hash FROM "
                             "(SELECT seq, hash FROM govshare_log_query ORDER BY seq DESC LIMIT 1) q "
                             "WHERE h.log = 'govshare_log_query'"))
    su.dispose()
    assert chain.verify("query").ok
    result = runner.invoke(govshare, ["logs", "verify", "--log", "query", "--anchor", str(anchor_file)])
    assert result.exit_code == 1
    assert f"seq {last}" in result.output and "missing" in result.output


def test_two_writers_do_not_fork_the_chain():
    """Concurrent writers are serialised on the chain head: one chain, no two rows with the
    same predecessor."""
    errors = []

    def writer():
        try:
            _write(25)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with model.meta.engine.connect() as conn:
        total, links = conn.execute(sa.text(
            "SELECT count(*), count(DISTINCT prev_hash) FROM govshare_log_query")).one()
    assert total == links == 100
    assert chain.verify("query").ok


def test_verify_since_starts_at_a_day(monkeypatch):
    _write(3)
    report = chain.verify("query", since=datetime.datetime.utcnow() - datetime.timedelta(days=1))
    assert report.ok and report.rows == 3 and report.notes


def test_a_missing_month_is_created_on_demand():
    """Partitions are made ahead by ``logs partitions`` (cron); if one is missing, the writer
    creates it and writes the row."""
    month = record.month_start(datetime.datetime.utcnow())
    name = f"govshare_log_partitions.govshare_log_query_{month:%Y_%m}"
    with model.meta.engine.begin() as conn:
        conn.execute(sa.text(f"DROP TABLE {name}"))
    assert record.write_read("query", _query_row())
    with model.meta.engine.connect() as conn:
        assert conn.execute(sa.text(f"SELECT count(*) FROM {name}")).scalar() == 1
    result = CliRunner().invoke(govshare, ["logs", "partitions", "--months", "2"])
    assert result.exit_code == 0 and "partitions created" in result.output
    result = CliRunner().invoke(govshare, ["logs", "partitions", "--months", "2"])
    assert "partitions created: 0" in result.output


def test_a_row_that_cannot_be_written_is_counted_and_reported(caplog, monkeypatch):
    """A read is never refused for its log row, but the loss is not silent: counted and logged
    at ERROR with the row (docs/logs.md)."""
    before = record.FAILURES["query"]
    # (the test configuration's logging setup disables loggers made before it, and its
    # ckanext logger does not propagate to pytest's handler)
    monkeypatch.setattr(record.log, "disabled", False)
    record.log.addHandler(caplog.handler)
    try:
        assert record.write_read("query", {"actor_kind": None, "channel": "web"}) is False  # NOT NULL violated
    finally:
        record.log.removeHandler(caplog.handler)
    assert record.FAILURES["query"] == before + 1
    assert record.LOG_FAILED in caplog.text and '"channel": "web"' in caplog.text
