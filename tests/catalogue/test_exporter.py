# -*- coding: utf-8 -*-
"""Export of the catalogue: export then import round-trips every field (xlsx and csv), and
text that looks like a formula stays text."""
from __future__ import annotations


import openpyxl
import pytest

import ckan.plugins.toolkit as tk

from ckanext.govshare.catalogue import columns as catalogue_columns
from ckanext.govshare.catalogue import exporter, importer
from tests.catalogue.support import (
    ORG_TITLE, comparable, db_state, department, full_row, read_file, shown, sysadmin, valid_row, write_file)

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


# --------------------------------------------------------------------------------------
# Round trip


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_then_import_round_trips_every_field(tmp_path, fmt):
    user = sysadmin()
    org = department(name="cq-jtj")
    department(title="市卫生健康委员会", name="cq-wjw")
    rows = [full_row(i) for i in range(1, 4)] + [valid_row(10, "市卫生健康委员会")]
    importer.import_catalogue(write_file(tmp_path / f"in.{fmt}", rows, fmt), user=user)
    original = {name: shown(name) for name in db_state()}
    assert original["gongjiao-xianlu-1"]["resources"][0]["url"].startswith("https://")

    exported = str(tmp_path / f"out.{fmt}")
    assert exporter.export_catalogue(exported, user=user) == 4
    table = read_file(exported)
    assert [c.header for c in catalogue_columns.columns()] == list(table[0])
    first = next(r for r in table if r["信息资源代码"] == "203001/000001")
    empty = [h for h, v in first.items() if v == ""]
    assert empty == [], f"columns not exported: {empty}"
    assert first["开放类型"] == "有条件开放" and first["共享方式"] == "接口交换、文件下载"
    assert first["提供方"] == ORG_TITLE and first["是否脱敏"] == "是"
    assert first["信息项"] == "线路编号|字符型|20|线路唯一编号; 首班时间|日期时间型"

    # the same file changes nothing
    assert importer.import_catalogue(exported, user=user).counts()["unchanged"] == 4

    # into an empty catalogue: every field comes back
    for name in original:
        tk.get_action("dataset_purge")({"user": user}, {"id": name})
    assert db_state() == {}
    result = importer.import_catalogue(exported, user=user)
    assert result.counts() == {"created": 4, "updated": 0, "unchanged": 0}
    for name, before in original.items():
        assert comparable(shown(name)) == comparable(before)

    only = str(tmp_path / f"org.{fmt}")
    assert exporter.export_catalogue(only, user=user, org=org["name"]) == 3

@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_text_that_looks_like_a_formula_is_exported_as_text(tmp_path, fmt):
    user = sysadmin()
    department()
    row = dict(valid_row(1), 信息资源名称='=HYPERLINK("http://evil.example","点击")',
               联系电话="+86 23 63881234")
    importer.import_catalogue(write_file(tmp_path / "in.xlsx", [row], "xlsx"), user=user)
    out = str(tmp_path / f"out.{fmt}")
    exporter.export_catalogue(out, user=user)
    if fmt == "xlsx":
        cell = openpyxl.load_workbook(out)["目录"]["A2"]
        assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")
    else:
        raw = open(out, encoding="utf-8-sig").read()
        assert "'=HYPERLINK" in raw and "'+86 23 63881234" in raw
    assert importer.import_catalogue(out, user=user).counts()["unchanged"] == 1
    assert shown("203001-000001")["title"].startswith("=HYPERLINK")
