# -*- coding: utf-8 -*-
"""Export, retention and archive of the logs (kunming-2019 §27: 保存期限不少于10年).

Months within ten years stay in the database; older ones are exported (with their hashes),
the file is checked, and only then is the month recorded and its partition dropped; the
chain in the database then continues from the archived month's last hash."""
from __future__ import annotations

import datetime
import json

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from ckan import model

from ckanext.govshare.cli import govshare
from ckanext.govshare.oversight import archive, chain, record

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

TODAY = datetime.date(2026, 11, 29)


def _seed(months: list[datetime.date], per_month: int = 3) -> None:
    """Rows in past months (oldest first: the chain's order is time order)."""
    with model.meta.engine.begin() as conn:
        record.ensure_partitions(conn, min(months), 1)
        for m in months:
            record.ensure_partitions(conn, m, 1)
            for i in range(per_month):
                conn.execute(sa.text("INSERT INTO govshare_log_exchange (at, channel, basis, resource_id) "
                                     "VALUES (:at, 'download', 'open:unconditional', :r)"),
                             {"at": datetime.datetime.combine(m, datetime.time(8, i)), "r": f"{m:%Y%m}-{i}"})


def test_retention_is_ten_years():
    assert archive.RETENTION_MONTHS == 120
    assert archive.retention_limit(TODAY) == datetime.date(2016, 11, 1)
    with pytest.raises(archive.ArchiveError, match="ten-year retention"):
        archive.archive(datetime.date(2016, 12, 1), "/nonexistent", today=TODAY)


def test_export_carries_what_is_needed_to_check_the_chain(tmp_path):
    _seed([datetime.date(2015, 1, 1), datetime.date(2015, 2, 1)])
    for fmt in ("jsonl", "csv"):
        path = tmp_path / f"x.{fmt}"
        result = CliRunner().invoke(govshare, ["logs", "export", str(path), "--log", "exchange",
                                               "--since", "2015-01", "--until", "2015-02"])
        assert result.exit_code == 0, result.output
        assert "exported: 3 rows" in result.output
        check = archive.verify_file(str(path), chain.GENESIS.hex())
        assert check["rows"] == 3 and check["broken"] is None
    line = json.loads((tmp_path / "x.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert set(line) == {"log", "seq", "at", "prev_hash", "hash", "canonical"}
    # a changed file no longer verifies
    text = (tmp_path / "x.jsonl").read_text(encoding="utf-8").replace("201501-1", "201501-9")
    (tmp_path / "x.jsonl").write_text(text, encoding="utf-8")
    assert archive.verify_file(str(tmp_path / "x.jsonl"))["broken"]["reason"] == "content changed"


def test_archive_moves_old_months_out_and_the_chain_still_verifies(tmp_path):
    old = [datetime.date(2015, 1, 1), datetime.date(2015, 2, 1), datetime.date(2016, 3, 1)]
    _seed(old)
    assert record.write_read("exchange", {"channel": "api", "basis": "open:unconditional"})  # this month
    assert chain.verify("exchange").ok

    result = CliRunner().invoke(govshare, ["logs", "archive", "--before", "2016-01", "--to", str(tmp_path)])
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in tmp_path.iterdir())
    assert "govshare_log_exchange_2015-01.jsonl" in files and "govshare_log_exchange_2015-02.jsonl" in files
    assert "govshare_log_exchange_2016-03.jsonl" not in files
    manifest = json.loads((tmp_path / "govshare_log_exchange_2015-02.manifest.json").read_text(encoding="utf-8"))
    assert manifest["rows"] == 3 and manifest["sha256"] == archive.file_sha256(
        str(tmp_path / "govshare_log_exchange_2015-02.jsonl"))

    with model.meta.engine.connect() as conn:
        left = conn.execute(sa.text("SELECT count(*) FROM govshare_log_exchange")).scalar()
        recorded = conn.execute(sa.text(
            "SELECT to_char(month, 'YYYY-MM'), rows FROM govshare_log_archive WHERE log = 'govshare_log_exchange' "
            "ORDER BY month")).all()
        parts = conn.execute(sa.text("SELECT count(*) FROM pg_class WHERE relname LIKE 'govshare_log_exchange_2015%'")).scalar()
    assert left == 4 and parts == 0
    assert [tuple(r) for r in recorded] == [("2015-01", 3), ("2015-02", 3)]
    report = chain.verify("exchange")
    assert report.ok and report.rows == 4 and "archived" in report.notes[0]

    # the files continue one another: the second starts where the first ends
    first = archive.verify_file(str(tmp_path / "govshare_log_exchange_2015-01.jsonl"), chain.GENESIS.hex())
    second = archive.verify_file(str(tmp_path / "govshare_log_exchange_2015-02.jsonl"), first["last_hash"])
    assert first["broken"] is None and second["broken"] is None


def test_a_month_that_does_not_verify_is_not_dropped(tmp_path):
    _seed([datetime.date(2015, 1, 1)])
    su = sa.create_engine(model.meta.engine.url.set(username="postgres", password=None))
    with su.begin() as conn:
        conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
        conn.execute(sa.text("UPDATE govshare_log_exchange SET basis = 'x' WHERE resource_id = '201501-0'"))
        conn.execute(sa.text("UPDATE govshare_log_exchange t SET hash = sha256(prev_hash || convert_to("
                             "(to_jsonb(t) - 'prev_hash' - 'hash')::text, 'UTF8')) WHERE resource_id = '201501-0'"))
    su.dispose()
    with pytest.raises(archive.ArchiveError, match="does not verify"):
        archive.archive(datetime.date(2015, 2, 1), str(tmp_path), allow_recent=True, today=TODAY)
    with model.meta.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM govshare_log_exchange")).scalar() == 3
        assert conn.execute(sa.text(
            "SELECT count(*) FROM govshare_log_archive WHERE log = 'govshare_log_exchange'")).scalar() == 0
