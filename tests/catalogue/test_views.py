# -*- coding: utf-8 -*-
"""The department's catalogue spreadsheet page: for the department's administrators (and
sysadmins) only; the template for anyone."""
from __future__ import annotations

import io

import openpyxl
import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories

from tests.catalogue.support import db_state, department, member, shown, valid_row, xlsx_bytes

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


# --------------------------------------------------------------------------------------
# The department page

class TestDepartmentPage:
    def test_admin_imports_and_exports_the_departments_catalogue(self, app):
        org = department(name="cq-jtj")
        admin = member(org, "admin")
        headers = {"Authorization": admin["token"]}
        url = tk.url_for("govshare_catalogue.page", id=org["name"])

        page = app.get(url, headers=headers)
        assert page.status_code == 200
        assert 'name="file"' in page.body
        assert tk.url_for("govshare_catalogue.export", id=org["name"], fmt="xlsx") in page.body

        # 提供方 may be left empty on the department's own page
        rows = [{k: v for k, v in valid_row(i).items() if k != "提供方"} for i in range(1, 4)]
        rows[1]["开放类型"] = "半开放"
        refused = app.post(url, headers=headers,
                           data={"file": (io.BytesIO(xlsx_bytes(rows)), "catalogue.xlsx")})
        assert refused.status_code == 200
        assert 'id="catalogue-errors"' in refused.body
        assert "半开放" in refused.body and "开放类型" in refused.body
        assert db_state() == {}

        rows[1]["开放类型"] = "无条件开放"
        done = app.post(url, headers=headers,
                        data={"file": (io.BytesIO(xlsx_bytes(rows)), "catalogue.xlsx")})
        assert 'id="catalogue-result"' in done.body
        assert len(db_state()) == 3
        assert shown("203001-000002")["owner_org"] == org["id"]

        download = app.get(tk.url_for("govshare_catalogue.export", id=org["name"], fmt="csv"),
                           headers=headers)
        assert download.status_code == 200
        assert "attachment" in download.headers["Content-Disposition"]
        text = download.get_data().decode("utf-8-sig")
        assert text.splitlines()[0].startswith("信息资源名称,")
        assert len(text.strip().splitlines()) == 4

    def test_rows_of_another_department_are_refused(self, app):
        org = department(name="cq-jtj")
        department(title="市卫生健康委员会", name="cq-wjw")
        admin = member(org, "admin")
        rows = [valid_row(1), valid_row(2, "市卫生健康委员会")]
        page = app.post(tk.url_for("govshare_catalogue.page", id=org["name"]),
                        headers={"Authorization": admin["token"]},
                        data={"file": (io.BytesIO(xlsx_bytes(rows)), "c.xlsx")})
        assert 'id="catalogue-errors"' in page.body
        assert db_state() == {}

    def test_sysadmin_allowed(self, app):
        org = department(name="cq-jtj")
        admin = factories.SysadminWithToken()
        app.get(tk.url_for("govshare_catalogue.page", id=org["name"]),
                headers={"Authorization": admin["token"]}, status=200)

    @pytest.mark.parametrize("role", ["editor", "member"])
    def test_editor_or_member_of_the_department_refused(self, app, role):
        org = department(name="cq-jtj")
        user = member(org, role)
        app.get(tk.url_for("govshare_catalogue.page", id=org["name"]),
                headers={"Authorization": user["token"]}, status=403)

    def test_editor_of_another_department_refused(self, app):
        org = department(name="cq-jtj")
        other = department(title="市卫生健康委员会", name="cq-wjw")
        editor = member(other, "editor")
        headers = {"Authorization": editor["token"]}
        app.get(tk.url_for("govshare_catalogue.page", id=org["name"]), headers=headers, status=403)
        app.post(tk.url_for("govshare_catalogue.page", id=org["name"]), headers=headers,
                 data={"file": (io.BytesIO(xlsx_bytes([valid_row(1)])), "c.xlsx")}, status=403)
        app.get(tk.url_for("govshare_catalogue.export", id=org["name"], fmt="xlsx"),
                headers=headers, status=403)
        assert db_state() == {}

    def test_anonymous_refused(self, app):
        org = department(name="cq-jtj")
        app.get(tk.url_for("govshare_catalogue.page", id=org["name"]), status=403)
        app.get(tk.url_for("govshare_catalogue.export", id=org["name"], fmt="csv"), status=403)

    def test_template_download(self, app):
        response = app.get(tk.url_for("govshare_catalogue.template"))
        wb = openpyxl.load_workbook(io.BytesIO(response.get_data()))
        assert wb.sheetnames == ["目录", "填写说明"]
