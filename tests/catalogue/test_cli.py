# -*- coding: utf-8 -*-
"""``ckan govshare catalogue …`` commands, run through CKAN's own CLI entry point."""
from __future__ import annotations

import openpyxl
import pytest

import ckan.plugins.toolkit as tk
from ckan.cli.cli import ckan
from ckan.tests import factories

from ckanext.govshare.catalogue import spreadsheet
from tests.catalogue.support import db_state, indexed_count, valid_row, write_file

# Catalogue spreadsheets ----------------------------------------------------------------


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
class TestCatalogueCommands:
    def test_template(self, cli, tmp_path):
        path = str(tmp_path / "模板.xlsx")
        result = cli.invoke(ckan, ["govshare", "catalogue", "template", path])
        assert result.exit_code == 0, result.output
        wb = openpyxl.load_workbook(path)
        assert [c.value for c in wb["目录"][1]][:4] == ["信息资源名称", "英文名称", "网址名称", "信息资源代码"]
        assert "填写说明" in wb.sheetnames

    def test_import_reports_every_bad_row_and_writes_nothing(self, cli, tmp_path):
        factories.Organization(title="市交通局")
        rows = [valid_row(i) for i in range(1, 31)]
        rows[4]["更新周期"] = "每十年"
        rows[19]["信息资源代码"] = "203001-000020"
        path = write_file(tmp_path / "bad.csv", rows, "csv")
        result = cli.invoke(ckan, ["govshare", "catalogue", "import", path])
        assert result.exit_code == 1
        assert "更新周期" in result.output and "每十年" in result.output
        assert "信息资源代码" in result.output
        lines = [l for l in result.output.splitlines() if "更新周期" in l or "信息资源代码:" in l]
        assert len(lines) == 2
        assert db_state() == {}

    def test_import_export_import(self, cli, tmp_path):
        factories.Organization(title="市交通局", name="cq-jtj")
        factories.Organization(title="市卫生健康委员会", name="cq-wjw")
        rows = [valid_row(i) for i in range(1, 26)] + [valid_row(99, "cq-wjw")]
        path = write_file(tmp_path / "in.xlsx", rows, "xlsx")

        result = cli.invoke(ckan, ["govshare", "catalogue", "import", path, "--every", "10"])
        assert result.exit_code == 0, result.output
        assert "新建：26" in result.output
        # progress (not a terminal): a line every 10 rows and at the end of each stage, with the rate
        lines = result.output.splitlines()
        assert any(l.startswith("校验") and "10/26" in l and "条/秒" in l for l in lines)
        assert any(l.startswith("写入") and "26/26" in l for l in lines)
        assert len(db_state()) == 26 and indexed_count() == 26

        out = str(tmp_path / "out.csv")
        result = cli.invoke(ckan, ["govshare", "catalogue", "export", out, "--org", "市交通局"])
        assert result.exit_code == 0, result.output
        assert "已导出：25" in result.output
        assert len(spreadsheet.read_table(out)) == 26

        before = db_state()
        result = cli.invoke(ckan, ["govshare", "catalogue", "import", out])
        assert result.exit_code == 0, result.output
        assert "新建：0" in result.output and "更新：0" in result.output
        assert "未变：25" in result.output
        assert db_state() == before

    def test_dry_run_and_unknown_department(self, cli, tmp_path):
        factories.Organization(title="市交通局")
        path = write_file(tmp_path / "in.xlsx", [valid_row(1)], "xlsx")
        result = cli.invoke(ckan, ["govshare", "catalogue", "import", path, "--dry-run"])
        assert result.exit_code == 0, result.output
        assert "新建：1" in result.output and db_state() == {}
        result = cli.invoke(ckan, ["govshare", "catalogue", "export", str(tmp_path / "x.xlsx"),
                                   "--org", "没有这个部门"])
        assert result.exit_code == 1
        result = cli.invoke(ckan, ["govshare", "catalogue", "export", str(tmp_path / "x.xls")])
        assert result.exit_code == 1


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
class TestCatalogueCommandsAsAnAccount:
    def test_the_whole_catalogue_is_for_sysadmins(self, cli, tmp_path):
        """Through the actions: a department administrator imports and exports their own
        department, not the whole catalogue; a failed export leaves no file."""
        org = factories.Organization(title="市交通局", name="cq-jtj")
        admin = factories.User()
        factories.Organization(title="市卫生健康委员会", name="cq-wjw")
        tk.get_action("organization_member_create")(
            {"ignore_auth": True}, {"id": org["id"], "username": admin["name"], "role": "admin"})
        path = write_file(tmp_path / "in.xlsx", [valid_row(1)], "xlsx")
        result = cli.invoke(ckan, ["govshare", "catalogue", "import", path, "--user", admin["name"]])
        assert result.exit_code == 1 and db_state() == {}
        result = cli.invoke(ckan, ["govshare", "catalogue", "import", path, "--user", admin["name"],
                                   "--org", "cq-jtj"])
        assert result.exit_code == 0, result.output
        assert "新建：1" in result.output
        out = tmp_path / "out.csv"
        result = cli.invoke(ckan, ["govshare", "catalogue", "export", str(out), "--user", admin["name"],
                                   "--org", "cq-wjw"])
        assert result.exit_code == 1 and not out.exists()
        result = cli.invoke(ckan, ["govshare", "catalogue", "export", str(out), "--user", admin["name"],
                                   "--org", "市交通局"])
        assert result.exit_code == 0, result.output
        assert "已导出：1" in result.output and len(spreadsheet.read_table(str(out))) == 2
