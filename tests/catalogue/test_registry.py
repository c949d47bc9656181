# -*- coding: utf-8 -*-
"""The department registry (issue 16): departments imported and exported as a spreadsheet,
upserted by code, hierarchy kept; the catalogue importer finds providers by code, reports
unknown departments once, normalises vocabulary spellings and tags, skips invalid rows on
request, decides an unchanged re-import from the content hash and announces imports."""
from __future__ import annotations

import io

import pytest

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.cli.cli import ckan
from ckan.tests import factories

from ckanext.govshare.catalogue import importer, registry
from ckanext.govshare.catalogue.errors import CatalogueInvalid
from ckanext.govshare.catalogue.fingerprints import ImportFingerprint
from ckanext.govshare.catalogue.signals import entries_imported
from ckanext.govshare.oversight.model import CatalogueLog
from tests.catalogue.support import db_state, indexed_count, read_file, sysadmin, valid_row, write_file

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

HEADERS = ["名称", "简称", "提供方代码", "统一社会信用代码", "上级部门", "层级", "行政区划", "负责人"]


def dept_rows() -> list[dict[str, str]]:
    return [
        {"名称": "重庆市大数据应用发展管理局", "简称": "市大数据局", "提供方代码": "CQ-DSJ",
         "统一社会信用代码": "11500000MB1526731E", "层级": "市级", "行政区划": "500000", "负责人": "王五"},
        {"名称": "市交通局", "提供方代码": "CQ-JTJ", "上级部门": "CQ-DSJ", "层级": "市级",
         "行政区划": "重庆市"},
        {"名称": "市交通局", "提供方代码": "SC-JTJ", "行政区划": "四川省"},
    ]


def _orgs() -> dict[str, model.Group]:
    model.Session.remove()
    return {g.extras.get("provider_code"): g for g in model.Session.query(model.Group)
            .filter(model.Group.is_organization.is_(True), model.Group.state == "active")}


def test_departments_import_upsert_by_code_hierarchy_and_unchanged_reimport(tmp_path):
    user = sysadmin()
    path = write_file(tmp_path / "部门.xlsx", dept_rows(), "xlsx", headers=HEADERS)
    result, normalised = registry.import_departments(path, user=user)
    assert result.counts() == {"created": 3, "updated": 0, "unchanged": 0}
    # a province name stands for its 行政区划代码 and is reported as normalised
    assert normalised == {("行政区划", "重庆市", "500000"): 1, ("行政区划", "四川省", "510000"): 1}
    orgs = _orgs()
    assert orgs["CQ-DSJ"].extras["credit_code"] == "11500000MB1526731E"
    assert orgs["CQ-DSJ"].extras["short_name"] == "市大数据局"
    assert orgs["CQ-JTJ"].extras["org_level"] == "municipal"
    assert orgs["SC-JTJ"].extras["region_code"] == "510000"
    # CKAN's group hierarchy: 市交通局 (CQ-JTJ) under the big-data bureau
    assert [g.id for g in orgs["CQ-JTJ"].get_parent_groups(type="organization")] == [orgs["CQ-DSJ"].id]

    # an export imports again without change, although two departments share a title
    out = tmp_path / "export.csv"
    assert registry.export_departments(str(out), "csv") == 3
    exported = read_file(str(out))
    assert {r["名称"] for r in exported} == {"重庆市大数据应用发展管理局", "市交通局"}
    again, _n = registry.import_departments(str(out), user=user)
    assert again.counts() == {"created": 0, "updated": 0, "unchanged": 3}

    # the same credit code with a new name updates that department, nothing else
    rows = dept_rows()
    rows[0]["名称"] = "重庆市大数据发展局"
    result, _n = registry.import_departments(
        write_file(tmp_path / "v2.csv", rows, "csv", headers=HEADERS), user=user)
    assert result.counts() == {"created": 0, "updated": 1, "unchanged": 2}
    assert _orgs()["CQ-DSJ"].title == "重庆市大数据发展局"


def test_department_problems_write_nothing(tmp_path):
    user = sysadmin()
    rows = dept_rows()
    rows[1]["上级部门"] = "没有这个部门"
    rows[2]["层级"] = "宇宙级"
    rows.append({"名称": "市卫健委", "提供方代码": "CQ-JTJ"})
    with pytest.raises(CatalogueInvalid) as failure:
        registry.import_departments(write_file(tmp_path / "bad.csv", rows, "csv", headers=HEADERS),
                                    user=user)
    assert {(e.row, e.column) for e in failure.value.errors} >= {(4, "层级")}
    rows = dept_rows()
    rows[1]["上级部门"] = "没有这个部门"
    rows.append({"名称": "市卫健委", "提供方代码": "CQ-JTJ"})
    with pytest.raises(CatalogueInvalid) as failure:
        registry.import_departments(write_file(tmp_path / "bad2.csv", rows, "csv", headers=HEADERS),
                                    user=user)
    assert {(e.row, e.column) for e in failure.value.errors} == {(3, "上级部门"), (5, "提供方代码")}
    assert _orgs() == {}


def test_only_the_authority_keeps_the_registry(tmp_path):
    clerk = factories.User()
    data = io.BytesIO()
    with pytest.raises(tk.NotAuthorized):
        tk.get_action("govshare_department_import")(
            {"user": clerk["name"], "ignore_auth": False}, {"upload": data, "format": "csv"})
    with pytest.raises(tk.NotAuthorized):
        tk.get_action("govshare_department_export")({"user": clerk["name"], "ignore_auth": False}, {})
    out = tk.get_action("govshare_department_template")({"user": clerk["name"]}, {})
    assert out["columns"] == HEADERS


def _with_departments(tmp_path) -> str:
    user = sysadmin()
    registry.import_departments(write_file(tmp_path / "部门.csv", dept_rows(), "csv", headers=HEADERS),
                                user=user)
    return user


def test_catalogue_matches_providers_by_code_and_reimports_its_export(tmp_path):
    """Two departments titled 市交通局: rows name them by code, the export names them by code,
    re-importing the export changes nothing (no false "no department named 市交通局")."""
    user = _with_departments(tmp_path)
    rows = [valid_row(i, "CQ-JTJ") for i in range(1, 4)] + [valid_row(i, "SC-JTJ") for i in range(4, 6)]
    result = importer.import_catalogue(write_file(tmp_path / "c.xlsx", rows, "xlsx"), user=user)
    assert result.created == 5 and indexed_count() == 5
    orgs = _orgs()
    owners = {p.name: p.owner_org for p in model.Session.query(model.Package)}
    assert sorted(owners.values()).count(orgs["SC-JTJ"].id) == 2

    out = str(tmp_path / "out.csv")
    tk.get_action("govshare_catalogue_export")({"user": user}, {"format": "csv", "target": open(out, "wb")})
    exported = read_file(out)
    assert {r["提供方"] for r in exported} == {"CQ-JTJ", "SC-JTJ"}
    before = db_state()
    again = importer.import_catalogue(out, user=user)
    assert again.counts() == {"created": 0, "updated": 0, "unchanged": 5}
    assert db_state() == before

    # the title alone is ambiguous: reported once, with the fix
    with pytest.raises(CatalogueInvalid) as failure:
        importer.import_catalogue(write_file(tmp_path / "t.csv", [valid_row(9, "市交通局")], "csv"), user=user)
    [error] = failure.value.errors
    assert error.row == 0 and "市交通局" in error.message and "(提供方代码)" in error.message


def test_unknown_departments_grouped_and_skip_invalid(tmp_path):
    user = _with_departments(tmp_path)
    rows = [valid_row(i, "CQ-JTJ") for i in range(1, 4)]
    rows += [valid_row(i, "市民政局") for i in range(4, 8)] + [valid_row(8, "市水利局")]
    rows[1]["更新周期"] = "每十年"
    path = write_file(tmp_path / "u.csv", rows, "csv")
    with pytest.raises(CatalogueInvalid) as failure:
        importer.import_catalogue(path, user=user)
    grouped = [e for e in failure.value.errors if e.row == 0]
    assert len(grouped) == 1 and len(failure.value.errors) == 2
    message = grouped[0].message
    assert "2" in message and "市民政局、市水利局" in message and "5" in message
    assert "ckan govshare departments import" in message
    assert db_state() == {}

    result = importer.import_catalogue(path, user=user, skip_invalid=True)
    assert (result.created, result.skipped) == (2, 6)
    assert {e.row for e in result.problems} == {0, 3}
    assert indexed_count() == 2


def test_aliases_and_tags_are_normalised_and_reported(tmp_path):
    user = _with_departments(tmp_path)
    row = dict(valid_row(1, "CQ-JTJ"), 更新周期="每天", 开放类型="依申请开放", 开放条件="实名登记",
               开放依据="《重庆市政务数据资源管理暂行办法》第三十一条", 主题="交通运输",
               关键词="住房（公积金）、“一网通办”，教育。;水")
    path = write_file(tmp_path / "a.csv", [row], "csv")
    dry = importer.import_catalogue(path, user=user, dry_run=True)
    assert dry.created == 1 and db_state() == {}
    assert dry.normalised[("更新周期", "每天", "每日")] == 1
    assert dry.normalised[("开放类型", "依申请开放", "有条件开放")] == 1
    assert dry.normalised[("关键词", "住房（公积金）", "住房 公积金")] == 1
    assert [k for k in dry.normalised if k[:2] == ("关键词", "水")]  # too short: dropped
    result = importer.import_catalogue(path, user=user)
    pkg = tk.get_action("package_show")({"ignore_auth": True}, {"id": result.created_ids[0]})
    assert (pkg["update_cycle"], pkg["open_type"], pkg["theme"]) == ("daily", "conditional", "transport")
    assert sorted(t["name"] for t in pkg["tags"]) == ["一网通办", "住房 公积金", "教育"]


def test_reimport_by_content_hash_signal_log_and_index(tmp_path):
    """An unchanged re-import is decided from the stored content hash, touches nothing; a
    change moves metadata_modified, is logged in the ten-year catalogue log (kunming-2019
    §27), re-indexed, and announced with catalogue_entries_imported after the commit."""
    user = _with_departments(tmp_path)
    rows = [valid_row(i, "CQ-JTJ") for i in range(1, 4)]
    path = write_file(tmp_path / "c.csv", rows, "csv")
    heard: list[tuple[str, dict]] = []

    def listener(sender, **kwargs):
        heard.append((sender, kwargs))

    entries_imported.connect(listener)
    try:
        first = importer.import_catalogue(path, user=user)
        assert heard == [(user, {"created": first.created_ids, "changed": []})]
        model.Session.remove()
        assert model.Session.query(ImportFingerprint).count() == 3
        logged = model.Session.query(CatalogueLog).count()
        assert logged >= 3
        before = db_state()

        # the hash path: no package_show, no validation
        calls = []
        show = importer._validate
        importer._validate = lambda *a, **k: calls.append(1) or show(*a, **k)
        try:
            again = importer.import_catalogue(path, user=user)
        finally:
            importer._validate = show
        assert again.counts() == {"created": 0, "updated": 0, "unchanged": 3} and calls == []
        assert db_state() == before and len(heard) == 1

        rows[1]["摘要"] = "改过的摘要。"
        changed = importer.import_catalogue(write_file(tmp_path / "c2.csv", rows, "csv"), user=user)
        assert changed.counts() == {"created": 0, "updated": 1, "unchanged": 2}
        assert heard[-1] == (user, {"created": [], "changed": changed.updated_ids})
        after = db_state()
        moved = [name for name in after if after[name] != before[name]]
        assert len(moved) == 1
        model.Session.remove()
        assert model.Session.query(CatalogueLog).count() == logged + 1
        found = tk.get_action("package_search")({"ignore_auth": True}, {"q": "改过的摘要", "include_private": True})
        assert found["count"] == 1 and found["results"][0]["id"] == changed.updated_ids[0]
    finally:
        entries_imported.disconnect(listener)


def test_departments_cli(cli, tmp_path):
    path = write_file(tmp_path / "部门.csv", dept_rows(), "csv", headers=HEADERS)
    result = cli.invoke(ckan, ["govshare", "departments", "import", path])
    assert result.exit_code == 0, result.output
    assert "新建：3" in result.output and "已规范化：行政区划 重庆市 → 500000（1 行）" in result.output
    out = str(tmp_path / "out.xlsx")
    result = cli.invoke(ckan, ["govshare", "departments", "export", out])
    assert result.exit_code == 0, result.output
    result = cli.invoke(ckan, ["govshare", "departments", "import", out])
    assert result.exit_code == 0, result.output
    assert "未变：3" in result.output and "新建：0" in result.output
    result = cli.invoke(ckan, ["govshare", "departments", "template", str(tmp_path / "t.xlsx")])
    assert result.exit_code == 0, result.output
