# -*- coding: utf-8 -*-
"""Spreadsheet import and export of the catalogue (issue 3 §6), against the real stack.

- a 500-row file with 3 bad rows writes nothing and names exactly those rows and columns;
  the fixed file imports all 500; importing it again creates and changes nothing;
- export then import round-trips every field; xlsx and csv (UTF-8 and GBK);
- the import is one transaction: a failure in the middle leaves neither the database nor
  the search index half-written;
- the department page is for the department's administrators only.
"""
from __future__ import annotations

import csv
import datetime
import io
from typing import Any
from unittest import mock

import openpyxl
import pytest
import sqlalchemy.exc

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.tests import factories

from ckanext.govshare.catalogue import io as catalogue_io

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

ORG_TITLE = "市交通局"


# --------------------------------------------------------------------------------------
# Spreadsheet writing, independent of the module under test


def valid_row(i: int, org: str = ORG_TITLE) -> dict[str, str]:
    """A valid theme entry; vocabulary cells alternate Chinese labels, English labels and codes."""
    return {
        "信息资源名称": f"公交线路信息{i}",
        "信息资源代码": f"203001/{i:06d}",
        "信息资源分类": ("主题信息资源", "Thematic resource", "theme")[i % 3],
        "提供方": org,
        "摘要": f"全市第{i}组公共交通线路的线路编号、起讫站点和首末班时间。",
        "信息资源格式": ("电子表格", "spreadsheet")[i % 2],
        "信息项": "线路编号|字符型|20|线路唯一编号; 首班时间|T",
        "共享类型": ("无条件共享", "unconditional")[i % 2],
        "共享方式": "接口交换、文件下载",
        "开放类型": ("无条件开放", "Unconditionally open")[i % 2],
        "更新周期": ("每月", "monthly", "Monthly")[i % 3],
        "主题": ("交通出行", "transport")[i % 2],
        "关键词": "公交、线路、公交",
        "资源名称": f"公交线路{i}（CSV）",
        "资源地址": f"https://data.example.gov.cn/files/gongjiao-{i}.csv",
        "资源格式": "CSV",
        "获取方式": "文件下载",
    }


def full_row(i: int, org: str = ORG_TITLE) -> dict[str, str]:
    """An entry with every column filled in."""
    row = valid_row(i, org)
    row.update({
        "英文名称": f"Bus routes {i}",
        "网址名称": f"gongjiao-xianlu-{i}",
        "分类码（类-项-目-细目）": "203001",
        "提供方代码": "11500000MB1526731E",
        "英文摘要": "Route numbers, terminal stops and first and last departures.",
        "格式子类": "CSV",
        "共享类型": "有条件共享",
        "共享条件": "仅向行业主管部门共享",
        "共享依据": "《重庆市政务信息资源共享开放管理办法》第十七条",
        "开放类型": "有条件开放",
        "开放条件": "须实名认证并签署数据使用协议",
        "开放依据": "《重庆市政务数据资源管理暂行办法》第三十一条",
        "发布日期": "2024-03-01",
        "关联资源代码": "203001/000002, 101001/000001",
        "行政区划代码": "500000",
        "联系人": "张三",
        "联系电话": "023-63881234",
        "联系邮箱": "data@example.gov.cn",
        "是否脱敏": "是",
        "保密审查人": "李四",
        "保密审查日期": "2024-02-01",
        "使用要求": "使用时须注明数据来源。",
        "资源说明": "按线路汇总",
        "资源格式": "JSON",
        "获取方式": "接口交换",
        "接口说明": "参数：line（线路编号）；返回：线路、站点、首末班时间；每分钟 60 次。",
        "调用方式": "GET https://api.example.gov.cn/bus/routes?line=101",
    })
    return row


def write_file(path, rows: list[dict[str, Any]], fmt: str, headers: list[str] | None = None,
               encoding: str = "utf-8-sig") -> str:
    headers = headers or list(dict.fromkeys(h for r in rows for h in r))
    path = str(path)
    if fmt == "xlsx":
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(headers)
        for r in rows:
            ws.append([r.get(h, "") for h in headers])
        for cells in ws.iter_rows(min_row=2):
            for cell in cells:
                if cell.data_type == "f":  # typed text, not a formula
                    cell.data_type = "s"
        wb.save(path)
    else:
        with open(path, "w", encoding=encoding, newline="") as f:
            w = csv.writer(f)
            w.writerow(headers)
            for r in rows:
                w.writerow([r.get(h, "") for h in headers])
    return path


def read_file(path: str) -> list[dict[str, str]]:
    table = catalogue_io.read_table(path)
    return [dict(zip(table[0], r)) for r in table[1:]]


# --------------------------------------------------------------------------------------
# State of the database and the index


def sysadmin() -> str:
    return factories.Sysadmin()["name"]


def department(title: str = ORG_TITLE, **extra: Any) -> dict[str, Any]:
    return factories.Organization(title=title, **extra)


def db_state() -> dict[str, Any]:
    """Every entry's name → metadata_modified (deleted ones included)."""
    model.Session.remove()
    return {p.name: p.metadata_modified for p in model.Session.query(model.Package)}


def indexed_count() -> int:
    return tk.get_action("package_search")(
        {"ignore_auth": True}, {"rows": 0, "include_private": True})["count"]


def activity_count() -> int:
    from ckanext.activity.model import Activity

    model.Session.remove()
    return model.Session.query(Activity).count()


def shown(name: str) -> dict[str, Any]:
    """The whole entry (as a sysadmin sees it: data locations included)."""
    site = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    return tk.get_action("package_show")({"user": site, "ignore_auth": True}, {"id": name})


VOLATILE = {"id", "metadata_created", "metadata_modified", "revision_id", "package_id",
            "created", "last_modified", "position", "creator_user_id", "cache_last_updated",
            "cache_url", "datastore_active", "url_type", "mimetype", "size", "hash",
            "state", "num_resources", "num_tags"}


def comparable(pkg: dict[str, Any]) -> Any:
    if isinstance(pkg, dict):
        return {k: comparable(v) for k, v in pkg.items() if k not in VOLATILE}
    if isinstance(pkg, list):
        return [comparable(v) for v in pkg]
    return pkg


# --------------------------------------------------------------------------------------
# Columns


def test_columns_are_the_schema_fields_with_chinese_headers():
    schema = catalogue_io.schema()
    cols = catalogue_io.columns()
    dataset_cols = [c for c in cols if not c.resource]
    assert [c.field for c in dataset_cols] == [f["field_name"] for f in schema["dataset_fields"]]
    assert [c.field for c in cols if c.resource] == [f["field_name"] for f in schema["resource_fields"]]
    headers = [c.header for c in cols]
    assert len(set(headers)) == len(headers)
    assert {"信息资源名称", "信息资源代码", "提供方", "共享方式", "信息项",
            "资源名称", "资源地址", "资源格式", "获取方式"} <= set(headers)
    kinds = {c.field: c.kind for c in dataset_cols}
    assert kinds["share_methods"] == "multi" and kinds["data_items"] == "items"
    assert kinds["owner_org"] == "org" and kinds["open_type"] == "vocab"


def test_template_documents_every_column(tmp_path):
    path = str(tmp_path / "template.xlsx")
    cols = catalogue_io.write_template(path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["目录", "填写说明"]
    assert [c.value for c in wb["目录"][1]] == [c.header for c in cols]
    assert wb["目录"].max_row == 1
    explained = {r[0]: r for r in wb["填写说明"].iter_rows(min_row=2, values_only=True)}
    assert set(explained) == {c.header for c in cols}
    assert "无条件开放（unconditional）" in explained["开放类型"][3]
    assert explained["信息资源名称"][1] == "必填"

    import os
    doc = open(os.path.join(os.path.dirname(__file__), "..", "docs", "catalogue-template.md"),
               encoding="utf-8").read()
    missing = [c.header for c in cols if f"| {c.header} |" not in doc]
    assert not missing, f"docs/catalogue-template.md does not document {missing}"


# --------------------------------------------------------------------------------------
# The 500-row file


def rows_500(org: str = ORG_TITLE) -> list[dict[str, str]]:
    return [valid_row(i, org) for i in range(1, 501)]


def break_three(rows: list[dict[str, str]]) -> dict[int, set[str]]:
    """Spoil 3 rows; returns spreadsheet row number → the columns reported."""
    rows[9]["信息资源名称"] = ""                     # row 11: required value missing
    rows[199]["开放类型"] = "半开放"                  # row 201: not a vocabulary term
    rows[349].update({"共享类型": "有条件共享",       # row 351: conditional share without its
                      "开放类型": "不予开放",         # conditions and basis (chongqing-2018 §17)
                      "开放依据": "涉及个人隐私"})
    return {
        11: {"信息资源名称"},
        201: {"开放类型"},
        351: {"共享条件", "共享依据"},
    }


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_500_rows_bad_rows_write_nothing_then_import_then_reimport_changes_nothing(tmp_path, fmt):
    user = sysadmin()
    department()
    rows = rows_500()
    expected = break_three(rows)
    bad_file = write_file(tmp_path / f"bad.{fmt}", rows, fmt)

    with pytest.raises(catalogue_io.CatalogueInvalid) as failure:
        catalogue_io.import_catalogue(bad_file, user=user)
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
    result = catalogue_io.import_catalogue(good_file, user=user,
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

    again = catalogue_io.import_catalogue(good_file, user=user)
    assert again.counts() == {"created": 0, "updated": 0, "unchanged": 500}
    assert db_state() == before  # metadata_modified untouched, nothing added
    assert activity_count() == activities
    assert indexed_count() == 500


def test_update_by_resource_code_changes_only_that_entry(tmp_path):
    user = sysadmin()
    department()
    rows = [valid_row(i) for i in range(1, 6)]
    catalogue_io.import_catalogue(write_file(tmp_path / "a.xlsx", rows, "xlsx"), user=user)
    before = db_state()

    rows[2]["摘要"] = "新的摘要"
    rows[2]["关键词"] = ""          # a blank cell clears the field
    rows.append(valid_row(9))
    result = catalogue_io.import_catalogue(write_file(tmp_path / "b.xlsx", rows, "xlsx"), user=user)
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
    with pytest.raises(catalogue_io.CatalogueInvalid) as failure:
        catalogue_io.import_catalogue(write_file(tmp_path / "d.csv", rows, "csv"), user=user)
    assert [(e.row, e.column) for e in failure.value.errors] == [(4, "信息资源代码")]
    assert "row 2" in failure.value.errors[0].message or "2" in failure.value.errors[0].message

    rows = [dict(valid_row(1), 备注="x")]
    with pytest.raises(catalogue_io.CatalogueInvalid) as failure:
        catalogue_io.import_catalogue(write_file(tmp_path / "h.csv", rows, "csv"), user=user)
    assert [(e.row, e.column) for e in failure.value.errors] == [(1, "备注")]
    assert db_state() == {}


def test_unknown_department_and_bad_data_item_are_reported(tmp_path):
    user = sysadmin()
    department()
    rows = [valid_row(1, org="不存在的局"), dict(valid_row(2), 信息项="线路编号|文字型|20")]
    with pytest.raises(catalogue_io.CatalogueInvalid) as failure:
        catalogue_io.import_catalogue(write_file(tmp_path / "o.xlsx", rows, "xlsx"), user=user)
    assert {(e.row, e.column) for e in failure.value.errors} == {(2, "提供方"), (3, "信息项")}
    messages = " ".join(e.message for e in failure.value.errors)
    assert "不存在的局" in messages and "文字型" in messages


# --------------------------------------------------------------------------------------
# Round trip


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_then_import_round_trips_every_field(tmp_path, fmt):
    user = sysadmin()
    org = department(name="cq-jtj")
    department(title="市卫生健康委员会", name="cq-wjw")
    rows = [full_row(i) for i in range(1, 4)] + [valid_row(10, "市卫生健康委员会")]
    catalogue_io.import_catalogue(write_file(tmp_path / f"in.{fmt}", rows, fmt), user=user)
    original = {name: shown(name) for name in db_state()}
    assert original["gongjiao-xianlu-1"]["resources"][0]["url"].startswith("https://")

    exported = str(tmp_path / f"out.{fmt}")
    assert catalogue_io.export_catalogue(exported, user=user) == 4
    table = read_file(exported)
    assert [c.header for c in catalogue_io.columns()] == list(table[0])
    first = next(r for r in table if r["信息资源代码"] == "203001/000001")
    empty = [h for h, v in first.items() if v == ""]
    assert empty == [], f"columns not exported: {empty}"
    assert first["开放类型"] == "有条件开放" and first["共享方式"] == "接口交换、文件下载"
    assert first["提供方"] == ORG_TITLE and first["是否脱敏"] == "是"
    assert first["信息项"] == "线路编号|字符型|20|线路唯一编号; 首班时间|日期时间型"

    # the same file changes nothing
    assert catalogue_io.import_catalogue(exported, user=user).counts()["unchanged"] == 4

    # into an empty catalogue: every field comes back
    for name in original:
        tk.get_action("dataset_purge")({"user": user}, {"id": name})
    assert db_state() == {}
    result = catalogue_io.import_catalogue(exported, user=user)
    assert result.counts() == {"created": 4, "updated": 0, "unchanged": 0}
    for name, before in original.items():
        assert comparable(shown(name)) == comparable(before)

    only = str(tmp_path / f"org.{fmt}")
    assert catalogue_io.export_catalogue(only, user=user, org=org["name"]) == 3


def test_gbk_csv_and_excel_dates_and_numbers(tmp_path):
    user = sysadmin()
    department()
    row = full_row(1)
    path = write_file(tmp_path / "gbk.csv", [row], "csv", encoding="gb18030")
    assert catalogue_io.import_catalogue(path, user=user).created == 1
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
    assert catalogue_io.import_catalogue(path, user=user).created == 1
    entry = shown("gongjiao-xianlu-2")
    assert entry["release_date"] == "2024-03-01"
    assert entry["region_code"] == "500000"


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_text_that_looks_like_a_formula_is_exported_as_text(tmp_path, fmt):
    user = sysadmin()
    department()
    row = dict(valid_row(1), 信息资源名称='=HYPERLINK("http://evil.example","点击")',
               联系电话="+86 23 63881234")
    catalogue_io.import_catalogue(write_file(tmp_path / "in.xlsx", [row], "xlsx"), user=user)
    out = str(tmp_path / f"out.{fmt}")
    catalogue_io.export_catalogue(out, user=user)
    if fmt == "xlsx":
        cell = openpyxl.load_workbook(out)["目录"]["A2"]
        assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")
    else:
        raw = open(out, encoding="utf-8-sig").read()
        assert "'=HYPERLINK" in raw and "'+86 23 63881234" in raw
    assert catalogue_io.import_catalogue(out, user=user).counts()["unchanged"] == 1
    assert shown("203001-000001")["title"].startswith("=HYPERLINK")


# --------------------------------------------------------------------------------------
# One transaction


def test_failure_in_the_middle_writes_nothing(tmp_path):
    user = sysadmin()
    department()
    path = write_file(tmp_path / "f.xlsx", [valid_row(i) for i in range(1, 21)], "xlsx")
    real = catalogue_io._write_one
    calls = []

    def flaky(row, user):
        calls.append(row.number)
        if len(calls) == 15:
            raise sqlalchemy.exc.OperationalError("INSERT", {}, Exception("server closed the connection"))
        return real(row, user)

    with mock.patch.object(catalogue_io, "_write_one", flaky):
        with pytest.raises(sqlalchemy.exc.OperationalError):
            catalogue_io.import_catalogue(path, user=user)
    assert len(calls) == 15
    assert db_state() == {}
    assert indexed_count() == 0


def test_two_imports_at_once_wait_for_each_other_instead_of_deadlocking(app, tmp_path):
    """Two spreadsheet imports run at once, their codes crossing the same lock buckets in
    opposite orders: both imports complete (each takes its code locks in ascending order
    before writing), and every code is unique (the national catalogue guide chongqing-2018 §9
    points to: one 信息资源代码 per entry)."""
    import threading

    from ckanext.govshare.logic import validators

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
    real = catalogue_io._write_one
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
                outcomes[path] = catalogue_io.import_catalogue(path, user=user).counts()
            except Exception as e:  # noqa: BLE001 - the outcome is what the test checks
                outcomes[path] = repr(e)
            finally:
                model.Session.remove()

    with mock.patch.object(catalogue_io, "_write_one", write_then_meet):
        threads = [threading.Thread(target=run, args=(f,), name=f) for f in files]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    assert outcomes == {f: {"created": 2, "updated": 0, "unchanged": 0} for f in files}
    codes = [v for (v,) in model.Session.query(model.PackageExtra.value).filter_by(key="resource_code", state="active")]
    assert sorted(codes) == sorted(f"203001/{n:06d}" for n in (x1, x2, y1, y2))


def test_a_commit_by_other_code_mid_import_is_refused_and_rolled_back(tmp_path):
    user = sysadmin()
    department()
    path = write_file(tmp_path / "c.xlsx", [valid_row(i) for i in range(1, 11)], "xlsx")
    real = catalogue_io._write_one
    calls = []

    def committing(row, user):
        result = real(row, user)
        calls.append(row.number)
        if len(calls) == 5:
            model.repo.commit()  # e.g. an action that ignores defer_commit
        return result

    with mock.patch.object(catalogue_io, "_write_one", committing):
        with pytest.raises(Exception, match="commit was attempted"):
            catalogue_io.import_catalogue(path, user=user)
    assert db_state() == {}
    assert indexed_count() == 0


def test_dry_run_writes_nothing(tmp_path):
    user = sysadmin()
    department()
    path = write_file(tmp_path / "d.xlsx", [valid_row(i) for i in range(1, 4)], "xlsx")
    result = catalogue_io.import_catalogue(path, user=user, dry_run=True)
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
    with pytest.raises(catalogue_io.CatalogueInvalid) as failure:
        catalogue_io.import_catalogue(path, user=editor["name"])
    assert [(e.row, e.column) for e in failure.value.errors] == [(2, "提供方")]
    assert db_state() == {}


# --------------------------------------------------------------------------------------
# The department page


def _xlsx_bytes(rows: list[dict[str, str]]) -> bytes:
    headers = list(dict.fromkeys(h for r in rows for h in r))
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(headers)
    for r in rows:
        ws.append([r.get(h, "") for h in headers])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _member(org: dict[str, Any], role: str) -> dict[str, Any]:
    user = factories.UserWithToken()
    tk.get_action("organization_member_create")(
        {"ignore_auth": True}, {"id": org["id"], "username": user["name"], "role": role})
    return user


class TestDepartmentPage:
    def test_admin_imports_and_exports_the_departments_catalogue(self, app):
        org = department(name="cq-jtj")
        admin = _member(org, "admin")
        headers = {"Authorization": admin["token"]}
        url = tk.url_for("govshare.catalogue", id=org["name"])

        page = app.get(url, headers=headers)
        assert page.status_code == 200
        assert 'name="file"' in page.body
        assert tk.url_for("govshare.catalogue_export", id=org["name"], fmt="xlsx") in page.body

        # 提供方 may be left empty on the department's own page
        rows = [{k: v for k, v in valid_row(i).items() if k != "提供方"} for i in range(1, 4)]
        rows[1]["开放类型"] = "半开放"
        refused = app.post(url, headers=headers,
                           data={"file": (io.BytesIO(_xlsx_bytes(rows)), "catalogue.xlsx")})
        assert refused.status_code == 200
        assert 'id="catalogue-errors"' in refused.body
        assert "半开放" in refused.body and "开放类型" in refused.body
        assert db_state() == {}

        rows[1]["开放类型"] = "无条件开放"
        done = app.post(url, headers=headers,
                        data={"file": (io.BytesIO(_xlsx_bytes(rows)), "catalogue.xlsx")})
        assert 'id="catalogue-result"' in done.body
        assert len(db_state()) == 3
        assert shown("203001-000002")["owner_org"] == org["id"]

        download = app.get(tk.url_for("govshare.catalogue_export", id=org["name"], fmt="csv"),
                           headers=headers)
        assert download.status_code == 200
        assert "attachment" in download.headers["Content-Disposition"]
        text = download.get_data().decode("utf-8-sig")
        assert text.splitlines()[0].startswith("信息资源名称,")
        assert len(text.strip().splitlines()) == 4

    def test_rows_of_another_department_are_refused(self, app):
        org = department(name="cq-jtj")
        department(title="市卫生健康委员会", name="cq-wjw")
        admin = _member(org, "admin")
        rows = [valid_row(1), valid_row(2, "市卫生健康委员会")]
        page = app.post(tk.url_for("govshare.catalogue", id=org["name"]),
                        headers={"Authorization": admin["token"]},
                        data={"file": (io.BytesIO(_xlsx_bytes(rows)), "c.xlsx")})
        assert 'id="catalogue-errors"' in page.body
        assert db_state() == {}

    def test_sysadmin_allowed(self, app):
        org = department(name="cq-jtj")
        admin = factories.SysadminWithToken()
        app.get(tk.url_for("govshare.catalogue", id=org["name"]),
                headers={"Authorization": admin["token"]}, status=200)

    @pytest.mark.parametrize("role", ["editor", "member"])
    def test_editor_or_member_of_the_department_refused(self, app, role):
        org = department(name="cq-jtj")
        user = _member(org, role)
        app.get(tk.url_for("govshare.catalogue", id=org["name"]),
                headers={"Authorization": user["token"]}, status=403)

    def test_editor_of_another_department_refused(self, app):
        org = department(name="cq-jtj")
        other = department(title="市卫生健康委员会", name="cq-wjw")
        editor = _member(other, "editor")
        headers = {"Authorization": editor["token"]}
        app.get(tk.url_for("govshare.catalogue", id=org["name"]), headers=headers, status=403)
        app.post(tk.url_for("govshare.catalogue", id=org["name"]), headers=headers,
                 data={"file": (io.BytesIO(_xlsx_bytes([valid_row(1)])), "c.xlsx")}, status=403)
        app.get(tk.url_for("govshare.catalogue_export", id=org["name"], fmt="xlsx"),
                headers=headers, status=403)
        assert db_state() == {}

    def test_anonymous_refused(self, app):
        org = department(name="cq-jtj")
        app.get(tk.url_for("govshare.catalogue", id=org["name"]), status=403)
        app.get(tk.url_for("govshare.catalogue_export", id=org["name"], fmt="csv"), status=403)

    def test_template_download(self, app):
        response = app.get(tk.url_for("govshare.catalogue_template"))
        wb = openpyxl.load_workbook(io.BytesIO(response.get_data()))
        assert wb.sheetnames == ["目录", "填写说明"]
