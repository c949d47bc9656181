# -*- coding: utf-8 -*-
"""Resource rules: a resource obtained by 文件下载 (file download) has its file — a URL or
an upload — or is refused with an error on its URL field (issue 12)."""
from __future__ import annotations

import io

import pytest
from werkzeug.datastructures import FileStorage

import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from tests.factories import department, entry


def _admin() -> dict:
    return {"user": factories.Sysadmin()["name"]}


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
class TestDownloadNeedsAFile:

    @pytest.mark.parametrize("url", [None, "", "   "])
    def test_download_without_a_url_is_refused(self, url):
        res = {"name": "线路表", "format": "CSV", "access_method": "download"}
        if url is not None:
            res["url"] = url
        with pytest.raises(tk.ValidationError) as err:
            entry(department(), resources=[res])
        errors = err.value.error_dict["resources"][0]
        assert list(errors) == ["url"]
        assert "file download" in errors["url"][0]

    def test_resource_create_without_a_file_is_refused(self):
        pkg = entry(department())
        with pytest.raises(tk.ValidationError) as err:
            helpers.call_action("resource_create", context=_admin(), package_id=pkg["id"],
                                name="线路表", access_method="download")
        assert "url" in err.value.error_dict

    def test_download_with_a_url_or_an_upload_is_accepted(self, ckan_config, tmp_path, monkeypatch):
        monkeypatch.setitem(ckan_config, "ckan.storage_path", str(tmp_path))
        pkg = entry(department(), resources=[{"url": "https://data.example.gov.cn/a.csv", "access_method": "download"}])
        upload = FileStorage(stream=io.BytesIO("\ufeff线路编号\r\nCQBUS0100\r\n".encode("utf-8")),
                             filename="lines.csv", content_type="text/csv")
        res = helpers.call_action("resource_create", context=_admin(), package_id=pkg["id"], name="线路表",
                                  access_method="download", upload=upload)
        assert res["url_type"] == "upload" and res["url"].endswith("/lines.csv")

    @pytest.mark.parametrize("method", ["api", "online", "offline", None])
    def test_other_access_methods_need_no_url(self, method):
        res = {"name": "说明", "format": "PDF"}
        if method:
            res["access_method"] = method
        if method == "api":
            res.update(api_description="请求参数：无。", api_call="GET /v1/x")
        pkg = entry(department(), resources=[res])
        assert pkg["resources"][0]["url"] == ""

    def test_the_message_is_chinese_in_the_chinese_ui(self, app):
        org = department()
        admin = factories.Sysadmin()
        pkg = entry(org)
        token = {"Authorization": factories.APIToken(user=admin["id"])["token"]}
        answer = app.post("/api/3/action/resource_create", json={
            "package_id": pkg["id"], "name": "线路表", "access_method": "download"},
            headers=dict(token, **{"Accept-Language": "zh-CN"}), status=409)
        assert "文件下载" in answer.json["error"]["url"][0]
