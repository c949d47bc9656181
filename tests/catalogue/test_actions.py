# -*- coding: utf-8 -*-
"""The catalogue spreadsheet actions: ``govshare_catalogue_import``, ``_export`` and
``_template``: documented, the same auth functions as the department page, files as uploads
or file objects and never as paths, reachable through the API."""
from __future__ import annotations

import base64
import io

import openpyxl
import pytest
from werkzeug.datastructures import FileStorage

import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from tests.catalogue.support import db_state, department, member, shown, valid_row, xlsx_bytes

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


def _rows(n: int = 3) -> list[dict[str, str]]:
    """Rows of the department's own page: 提供方 left empty."""
    return [{k: v for k, v in valid_row(i).items() if k != "提供方"} for i in range(1, n + 1)]


def _upload(rows: list[dict[str, str]], name: str = "catalogue.xlsx") -> FileStorage:
    return FileStorage(stream=io.BytesIO(xlsx_bytes(rows)), filename=name)


def test_help_show_documents_the_parameters():
    for name, params in (("govshare_catalogue_import", ("id", "upload", "format", "dry_run")),
                         ("govshare_catalogue_export", ("id", "format")),
                         ("govshare_catalogue_template", ())):
        text = helpers.call_action("help_show", name=name)
        for param in params:
            assert f":param {param}:" in text, (name, param)
        assert ":returns:" in text, name


def test_department_admin_imports_and_exports_their_department():
    org = department(name="cq-jtj")
    admin = member(org, "admin")
    context = {"user": admin["name"], "ignore_auth": False}
    result = helpers.call_action("govshare_catalogue_import", context=dict(context), id="cq-jtj",
                                 upload=_upload(_rows()), dry_run=True)
    assert (result["created"], result["dry_run"]) == (3, True) and db_state() == {}
    result = helpers.call_action("govshare_catalogue_import", context=dict(context), id=org["id"],
                                 upload=_upload(_rows()))
    assert result["created"] == 3 and result["index_error"] is None
    assert shown("203001-000002")["owner_org"] == org["id"]

    out = helpers.call_action("govshare_catalogue_export", context=dict(context), id="cq-jtj", format="csv")
    assert out["count"] == 3 and out["mimetype"] == "text/csv"
    text = base64.b64decode(out["content"]).decode("utf-8-sig")
    assert text.splitlines()[0].startswith("信息资源名称,") and len(text.strip().splitlines()) == 4


def test_problems_are_a_validation_error_with_every_row():
    org = department(name="cq-jtj")
    rows = _rows()
    rows[1]["开放类型"] = "半开放"
    with pytest.raises(tk.ValidationError) as failure:
        helpers.call_action("govshare_catalogue_import", context={"user": factories.Sysadmin()["name"]},
                            id=org["id"], upload=_upload(rows))
    assert failure.value.error_dict["rows"] == [
        {"row": 3, "column": "开放类型", "message": failure.value.error_dict["rows"][0]["message"]}]
    assert "半开放" in failure.value.error_dict["rows"][0]["message"]
    assert db_state() == {}


def test_refused_callers():
    org = department(name="cq-jtj")
    department(title="市卫生健康委员会", name="cq-wjw")
    admin = member(org, "admin")
    editor = member(org, "editor")
    for user, kwargs in ((editor, {"id": org["id"]}),            # not an administrator
                         (admin, {"id": "cq-wjw"}),              # another department
                         (admin, {}),                            # the whole catalogue
                         (None, {"id": org["id"]})):             # anonymous
        context = {"user": user["name"] if user else "", "ignore_auth": False}
        with pytest.raises(tk.NotAuthorized):
            helpers.call_action("govshare_catalogue_import", context=dict(context),
                                upload=_upload(_rows()), **kwargs)
        with pytest.raises(tk.NotAuthorized):
            helpers.call_action("govshare_catalogue_export", context=dict(context), **kwargs)
    with pytest.raises(tk.ObjectNotFound):
        helpers.call_action("govshare_catalogue_export", context={"user": admin["name"]}, id="没有这个部门")
    assert db_state() == {}


def test_a_path_is_not_a_file():
    """No caller makes the platform open a file of its choosing."""
    org = department(name="cq-jtj")
    sysadmin = factories.Sysadmin()["name"]
    for upload in ("/etc/passwd", "catalogue.csv", None):
        with pytest.raises(tk.ValidationError) as failure:
            helpers.call_action("govshare_catalogue_import", context={"user": sysadmin},
                                id=org["id"], upload=upload)
        assert "upload" in failure.value.error_dict
    with pytest.raises(tk.ValidationError):
        helpers.call_action("govshare_catalogue_export", context={"user": sysadmin}, id=org["id"],
                            target="/tmp/govshare-export.xlsx")


def test_template_for_anyone():
    out = helpers.call_action("govshare_catalogue_template", context={"user": "", "ignore_auth": False})
    wb = openpyxl.load_workbook(io.BytesIO(base64.b64decode(out["content"])))
    assert wb.sheetnames == ["目录", "填写说明"]
    assert [c.value for c in wb["目录"][1]] == out["columns"]
    assert out["filename"] == "catalogue-template.xlsx"


def test_import_through_the_api(app):
    """A multipart upload to the action API."""
    org = department(name="cq-jtj")
    admin = member(org, "admin")
    resp = app.post("/api/3/action/govshare_catalogue_import", headers={"Authorization": admin["token"]},
                    data={"id": org["name"], "upload": (io.BytesIO(xlsx_bytes(_rows(2))), "c.xlsx")})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert resp.json["result"]["created"] == 2
    rows = _rows(1)
    rows[0]["开放类型"] = "半开放"
    resp = app.post("/api/3/action/govshare_catalogue_import", headers={"Authorization": admin["token"]},
                    data={"id": org["name"], "upload": (io.BytesIO(xlsx_bytes(rows)), "c.xlsx")}, status=409)
    assert resp.json["error"]["rows"][0]["column"] == "开放类型"
