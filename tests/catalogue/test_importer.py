# -*- coding: utf-8 -*-
"""Spreadsheet import of the catalogue (issue 3 §6), against the real stack.

- a 500-row file with 3 bad rows writes nothing and names exactly those rows and columns;
  the fixed file imports all 500; importing it again creates and changes nothing;
- xlsx and csv (UTF-8 and GBK), Excel's dates and numbers;
- the import is one transaction: a failure in the middle leaves neither the database nor
  the search index half-written; two imports at once wait for each other;
- every row is checked against the importing account's permissions.
"""
from __future__ import annotations

import datetime
import threading
from typing import Any
from unittest import mock

import openpyxl
import pytest
import sqlalchemy.exc

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.tests import factories

from ckanext.govshare import compat
from ckanext.govshare.catalogue import importer
from ckanext.govshare.catalogue.errors import CatalogueInvalid
from ckanext.govshare.logic import validators
from tests.catalogue.support import (
    activity_count, break_three, db_state, department, full_row, indexed_count, rows_500, shown, sysadmin,
    valid_row, write_file)

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


# --------------------------------------------------------------------------------------
# The 500-row file

@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_500_rows_bad_rows_write_nothing_then_import_then_reimport_changes_nothing(tmp_path, fmt):
    user = sysadmin()
    department()
    rows = rows_500()
    expected = break_three(rows)
    bad_file = write_file(tmp_path / f"bad.{fmt}", rows, fmt)

    with pytest.raises(CatalogueInvalid) as failure:
        importer.import_catalogue(bad_file, user=user)
    reported: dict[int, set[str]] = {}
    for error in failure.value.errors:
        reported.setdefault(error.row, set()).add(error.column)
        assert error.message
    assert reported == expected
    assert db_state() == {}
    assert indexed_count() == 0

    fixed = rows_500()
    good_file = write_file(tmp_path / f"good.{fmt}", fixed, fmt)
    steps: list[tuple[str, int, int]] = []
    result = importer.import_catalogue(good_file, user=user,
                                           progress=lambda *a: steps.append(a))
    assert result.counts() == {"created": 500, "updated": 0, "unchanged": 0}
    assert result.index_error is None
    assert ("validate", 500, 500) in steps and ("write", 500, 500) in steps
    assert ("index", 500, 500) in steps
    before = db_state()
    assert len(before) == 500
    assert indexed_count() == 500
    entry = shown("203001-000007")  # name generated from the resource code
    assert entry["resource_code"] == "203001/000007"
    assert entry["open_type"] == "unconditional" and entry["theme"] == "transport"
    assert entry["share_methods"] == ["api", "download"]
    assert entry["data_items"][0]["item_name"] == "线路编号"
    assert entry["resources"][0]["access_method"] == "download"
    activities = activity_count()

    again = importer.import_catalogue(good_file, user=user)
    assert again.counts() == {"created": 0, "updated": 0, "unchanged": 500}
    assert db_state() == before  # metadata_modified untouched, nothing added
    assert activity_count() == activities
    assert indexed_count() == 500


def test_update_by_resource_code_changes_only_that_entry(tmp_path):
    user = sysadmin()
    department()
    rows = [valid_row(i) for i in range(1, 6)]
    importer.import_catalogue(write_file(tmp_path / "a.xlsx", rows, "xlsx"), user=user)
    before = db_state()

    rows[2]["摘要"] = "新的摘要"
    rows[2]["关键词"] = ""          # a blank cell clears the field
    rows.append(valid_row(9))
    result = importer.import_catalogue(write_file(tmp_path / "b.xlsx", rows, "xlsx"), user=user)
    assert result.counts() == {"created": 1, "updated": 1, "unchanged": 4}
    after = db_state()
    changed = {n for n in before if before[n] != after[n]}
    assert changed == {"203001-000003"}
    entry = shown("203001-000003")
    assert entry["notes"] == "新的摘要"
    assert entry["tags"] == []
    assert entry["name"] == "203001-000003"  # blank 网址名称 keeps the name
    # found in the index with the new summary
    found = tk.get_action("package_search")({"ignore_auth": True}, {"q": "新的摘要"})
    assert [d["name"] for d in found["results"]] == ["203001-000003"]


def test_duplicate_codes_and_unknown_headers_are_reported(tmp_path):
    user = sysadmin()
    department()
    rows = [valid_row(1), valid_row(2), valid_row(1)]
    with pytest.raises(CatalogueInvalid) as failure:
        importer.import_catalogue(write_file(tmp_path / "d.csv", rows, "csv"), user=user)
    assert [(e.row, e.column) for e in failure.value.errors] == [(4, "信息资源代码")]
    assert "row 2" in failure.value.errors[0].message or "2" in failure.value.errors[0].message

    rows = [dict(valid_row(1), 备注="x")]
    with pytest.raises(CatalogueInvalid) as failure:
        importer.import_catalogue(write_file(tmp_path / "h.csv", rows, "csv"), user=user)
    assert [(e.row, e.column) for e in failure.value.errors] == [(1, "备注")]
    assert db_state() == {}


def test_unknown_department_and_bad_data_item_are_reported(tmp_path):
    user = sysadmin()
    department()
    rows = [valid_row(1, org="不存在的局"), dict(valid_row(2), 信息项="线路编号|文字型|20")]
    with pytest.raises(CatalogueInvalid) as failure:
        importer.import_catalogue(write_file(tmp_path / "o.xlsx", rows, "xlsx"), user=user)
    # an unknown department is reported once for the whole file (row 0), with the rows it
    # concerns and the command that registers it
    assert {(e.row, e.column) for e in failure.value.errors} == {(0, "提供方"), (3, "信息项")}
    messages = " ".join(e.message for e in failure.value.errors)
    assert "不存在的局" in messages and "文字型" in messages
    assert "departments import" in messages

def test_gbk_csv_and_excel_dates_and_numbers(tmp_path):
    user = sysadmin()
    department()
    row = full_row(1)
    path = write_file(tmp_path / "gbk.csv", [row], "csv", encoding="gb18030")
    assert importer.import_catalogue(path, user=user).created == 1
    assert shown("gongjiao-xianlu-1")["title"] == "公交线路信息1"

    # Excel turns typed dates into dates and codes into numbers
    row = full_row(2)
    headers = list(row)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(headers)
    values = dict(row, **{"发布日期": datetime.datetime(2024, 3, 1), "行政区划代码": 500000,
                          "分类码（类-项-目-细目）": 203001.0})
    ws.append([values[h] for h in headers])
    path = str(tmp_path / "typed.xlsx")
    wb.save(path)
    assert importer.import_catalogue(path, user=user).created == 1
    entry = shown("gongjiao-xianlu-2")
    assert entry["release_date"] == "2024-03-01"
    assert entry["region_code"] == "500000"

# --------------------------------------------------------------------------------------
# One transaction


def test_failure_in_the_middle_writes_nothing(tmp_path):
    user = sysadmin()
    department()
    path = write_file(tmp_path / "f.xlsx", [valid_row(i) for i in range(1, 21)], "xlsx")
    real = importer._write_one
    calls = []

    def flaky(row, user):
        calls.append(row.number)
        if len(calls) == 15:
            raise sqlalchemy.exc.OperationalError("INSERT", {}, Exception("server closed the connection"))
        return real(row, user)

    with mock.patch.object(importer, "_write_one", flaky):
        with pytest.raises(sqlalchemy.exc.OperationalError):
            importer.import_catalogue(path, user=user)
    assert len(calls) == 15
    assert db_state() == {}
    assert indexed_count() == 0


def test_two_imports_at_once_wait_for_each_other_instead_of_deadlocking(app, tmp_path):
    """Two spreadsheet imports run at once, their codes crossing the same lock buckets in
    opposite orders: both imports complete (each takes its code locks in ascending order
    before writing), and every code is unique (the national catalogue guide chongqing-2018 §9
    points to: one 信息资源代码 per entry)."""
    user = sysadmin()
    department()
    by_bucket: dict[int, list[int]] = {}
    i = 0
    while sum(len(v) >= 2 for v in by_bucket.values()) < 2:  # two buckets holding two codes each
        i += 1
        by_bucket.setdefault(validators._bucket(f"resource_code:203001/{i:06d}"), []).append(i)
    (x1, x2), (y1, y2) = [v[:2] for v in by_bucket.values() if len(v) >= 2][:2]
    files = [write_file(tmp_path / "a.xlsx", [valid_row(x1), valid_row(y1)], "xlsx"),
             write_file(tmp_path / "b.xlsx", [valid_row(y2), valid_row(x2)], "xlsx")]
    # each import writes its first row, then waits (up to 3 s) for the other to have written
    # its own: without ordered locking both would then want the other's bucket
    barrier = threading.Barrier(2)
    real = importer._write_one
    written: dict[str, int] = {}

    def write_then_meet(row, user):
        result = real(row, user)
        name = threading.current_thread().name
        written[name] = written.get(name, 0) + 1
        if written[name] == 1:
            try:
                barrier.wait(timeout=3)
            except threading.BrokenBarrierError:
                pass
        return result

    outcomes: dict[str, Any] = {}

    def run(path: str) -> None:
        with app.flask_app.test_request_context():
            try:
                outcomes[path] = importer.import_catalogue(path, user=user).counts()
            except Exception as e:  # noqa: BLE001 - the outcome is what the test checks
                outcomes[path] = repr(e)
            finally:
                model.Session.remove()

    with mock.patch.object(importer, "_write_one", write_then_meet):
        threads = [threading.Thread(target=run, args=(f,), name=f) for f in files]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    assert outcomes == {f: {"created": 2, "updated": 0, "unchanged": 0} for f in files}
    ids = [i for (i,) in model.Session.query(model.Package.id)]
    codes = [e["resource_code"] for e in compat.extras_of(ids, ["resource_code"]).values()]
    assert sorted(codes) == sorted(f"203001/{n:06d}" for n in (x1, x2, y1, y2))


def test_a_commit_by_other_code_mid_import_is_refused_and_rolled_back(tmp_path):
    user = sysadmin()
    department()
    path = write_file(tmp_path / "c.xlsx", [valid_row(i) for i in range(1, 11)], "xlsx")
    real = importer._write_one
    calls = []

    def committing(row, user):
        result = real(row, user)
        calls.append(row.number)
        if len(calls) == 5:
            model.repo.commit()  # e.g. an action that ignores defer_commit
        return result

    with mock.patch.object(importer, "_write_one", committing):
        with pytest.raises(Exception, match="commit was attempted"):
            importer.import_catalogue(path, user=user)
    assert db_state() == {}
    assert indexed_count() == 0


def test_dry_run_writes_nothing(tmp_path):
    user = sysadmin()
    department()
    path = write_file(tmp_path / "d.xlsx", [valid_row(i) for i in range(1, 4)], "xlsx")
    result = importer.import_catalogue(path, user=user, dry_run=True)
    assert result.counts() == {"created": 3, "updated": 0, "unchanged": 0}
    assert db_state() == {}


# --------------------------------------------------------------------------------------
# Permissions of the importing account


def test_editor_cannot_import_into_another_department(tmp_path):
    department()
    other = department(title="市卫生健康委员会")
    editor = factories.User()
    tk.get_action("organization_member_create")(
        {"ignore_auth": True}, {"id": other["id"], "username": editor["name"], "role": "editor"})
    path = write_file(tmp_path / "p.xlsx", [valid_row(1), valid_row(2, "市卫生健康委员会")], "xlsx")
    with pytest.raises(CatalogueInvalid) as failure:
        importer.import_catalogue(path, user=editor["name"])
    assert [(e.row, e.column) for e in failure.value.errors] == [(2, "提供方")]
    assert db_state() == {}
