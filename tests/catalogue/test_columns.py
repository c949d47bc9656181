# -*- coding: utf-8 -*-
"""The columns of the catalogue spreadsheet: the scheming schema's fields, with Chinese headers;
the template explains every column and docs/catalogue-template.md documents it."""
from __future__ import annotations

import os

import openpyxl
import pytest


from ckanext.govshare.catalogue import columns as catalogue_columns
from ckanext.govshare.catalogue import spreadsheet

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


# --------------------------------------------------------------------------------------
# Columns


def test_columns_are_the_schema_fields_with_chinese_headers():
    schema = catalogue_columns.schema()
    cols = catalogue_columns.columns()
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
    cols = spreadsheet.write_template(path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["目录", "填写说明"]
    assert [c.value for c in wb["目录"][1]] == [c.header for c in cols]
    assert wb["目录"].max_row == 1
    explained = {r[0]: r for r in wb["填写说明"].iter_rows(min_row=2, values_only=True)}
    assert set(explained) == {c.header for c in cols}
    assert "无条件开放（unconditional）" in explained["开放类型"][3]
    assert explained["信息资源名称"][1] == "必填"

    doc = open(os.path.join(os.path.dirname(__file__), "..", "..", "docs", "catalogue-template.md"),
               encoding="utf-8").read()
    missing = [c.header for c in cols if f"| {c.header} |" not in doc]
    assert not missing, f"docs/catalogue-template.md does not document {missing}"
