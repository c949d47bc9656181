# -*- coding: utf-8 -*-
"""The demo hosts real data (issue 12): files generated from each entry's 信息项, uploaded to
CKAN's storage and pushed to the DataStore with a table preview, that a citizen downloads
for unconditionally open entries and a grant holder for conditionally open ones; every
entry carries a licence, which the DCAT output gives as dct:license.

A subset of the demo catalogue is loaded (an unconditional CSV, an unconditional XLSX, a
conditional CSV) to keep the test fast; the whole catalogue is loaded by tests/test_demo.py.
"""
from __future__ import annotations

import csv
import io
import json

import pytest
from rdflib import Graph, URIRef

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.tests import factories, helpers
from ckanext.dcat.profiles import DCAT, DCT

from ckanext.govshare import vocab
from ckanext.govshare.demo import loader as demo
from ckanext.govshare.demo import files as demo_files
from ckanext.govshare.vocab import identifiers
from ckanext.govshare.vocab import licences

PLUGINS = "govshare scheming_datasets scheming_organizations dcat activity datastore datatables_view"
SUBSET = ("gongjiao-xianlu", "yibao-dingdian-jigou", "chuzuche-yunying")


def _spec(name: str) -> dict:
    return next(d for d in demo.read()["datasets"] if d["name"] == name)


def _hosted(pkg: dict) -> dict:
    return next(r for r in pkg["resources"] if r.get("url_type") == "upload")


@pytest.fixture
def loaded(clean_db, clean_index):
    admin = factories.Sysadmin()
    counts = demo.load(admin["name"], datasets=SUBSET)
    show = lambda name: helpers.call_action("package_show", context={"user": admin["name"]}, id=name)  # noqa: E731
    return {"admin": admin, "counts": counts, "show": show}


def _token(user: dict) -> dict[str, str]:
    return {"Authorization": factories.APIToken(user=user["id"])["token"]}


def _download(app, res: dict, headers: dict | None = None, status: int = 200):
    path = "/" + res["url"].split("://", 1)[-1].split("/", 1)[1]
    return app.get(path, headers=headers or {}, status=status)


def test_rows_follow_the_data_items():
    """Columns are the data items; values follow their types; the same entry gives the same rows."""
    spec = _spec("chuzuche-yunying")
    columns, rows = demo_files.rows(spec)
    assert columns == [i["item_name"] for i in spec["data_items"]]
    assert 20 <= len(rows) <= 200 and (columns, rows) == demo_files.rows(spec)
    by_name = [dict(zip(columns, r)) for r in rows]
    assert all(isinstance(r["运营车辆数"], int) for r in by_name)
    assert all(str(r["统计日期"])[:2] == "20" and len(str(r["统计日期"])) == 10 for r in by_name)
    assert all(r["区县代码"].startswith("500") for r in by_name)
    cols, data = demo_files.rows(_spec("yibao-dingdian-jigou"))
    assert all(identifiers.uscc_problem(r[cols.index("统一社会信用代码")]) is None for r in data)
    assert demo_files.csv_bytes(*demo_files.rows(spec)).startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8
    assert demo_files.file_bytes("xlsx", spec) == demo_files.file_bytes("xlsx", spec)


@pytest.mark.ckan_config("ckan.plugins", PLUGINS)
@pytest.mark.usefixtures("with_plugins")
def test_citizen_downloads_and_previews_an_unconditional_entry(app, loaded):
    spec = _spec("gongjiao-xianlu")
    pkg = loaded["show"]("gongjiao-xianlu")
    res = _hosted(pkg)
    assert res["format"] == "CSV" and res["datastore_active"]
    # anonymous download through the web app: the real rows, headed by the data item names
    body = _download(app, res).get_data()
    table = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert table[0] == [i["item_name"] for i in spec["data_items"]]
    assert len(table) - 1 == demo_files.row_count("gongjiao-xianlu")
    # the DataStore has the same rows, for anyone
    found = app.get("/api/3/action/datastore_search", query_string={"resource_id": res["id"], "limit": 5}).json
    assert found["result"]["total"] == demo_files.row_count("gongjiao-xianlu")
    assert [f["id"] for f in found["result"]["fields"] if f["id"] != "_id"] == table[0]
    assert found["result"]["records"][0]["线路编号"] == table[1][0]
    # the table preview (DataTables over the DataStore) on the resource page
    views = helpers.call_action("resource_view_list", id=res["id"])
    assert [v["view_type"] for v in views] == ["datatables_view"]
    page = app.get(f"/dataset/{pkg['name']}/resource/{res['id']}").get_data(as_text=True)
    assert views[0]["id"] in page
    # the XLSX entry as well
    xlsx = _hosted(loaded["show"]("yibao-dingdian-jigou"))
    assert xlsx["format"] == "XLSX" and _download(app, xlsx).get_data()[:2] == b"PK"
    # the online-browsing resource points to the preview; the API says how to authenticate
    online = next(r for r in loaded["show"]("yibao-dingdian-jigou")["resources"] if r["access_method"] == "online")
    assert online["url"].endswith(f"/dataset/yibao-dingdian-jigou/resource/{xlsx['id']}")
    api = next(r for r in pkg["resources"] if r["access_method"] == "api")
    assert "API 令牌" in api["api_description"] and "appKey" not in api["api_call"]


@pytest.mark.ckan_config("ckan.plugins", PLUGINS)
@pytest.mark.usefixtures("with_plugins")
def test_conditional_file_is_for_grant_holders(app, loaded):
    pkg = loaded["show"]("chuzuche-yunying")
    res = _hosted(pkg)
    stranger, holder = factories.User(), factories.User()
    helpers.call_action("govshare_grant_create", context={"user": loaded["admin"]["name"]},
                        package_id=pkg["id"], kind="open", user_id=holder["name"])
    _download(app, res, status=403)
    _download(app, res, _token(stranger), status=403)
    body = _download(app, res, _token(holder)).get_data().decode("utf-8-sig")
    assert body.splitlines()[0].split(",") == [i["item_name"] for i in _spec("chuzuche-yunying")["data_items"]]
    search = "/api/3/action/datastore_search"
    assert app.get(search, query_string={"resource_id": res["id"]}, status=403)
    rows = app.get(search, query_string={"resource_id": res["id"]}, headers=_token(holder)).json["result"]
    assert rows["total"] == demo_files.row_count("chuzuche-yunying")
    # the preview's data door follows the DataStore's rules
    view = helpers.call_action("resource_view_list", context={"user": loaded["admin"]["name"]}, id=res["id"])[0]
    form = {"draw": "1", "search[value]": "", "start": "0", "length": "10", "order[0][column]": "0",
            "order[0][dir]": "asc", "columns[0][data]": "_id", "columns[0][searchable]": "true"}
    assert app.post(f"/datatables/ajax/{view['id']}", data=form, status=None).status_code == 403
    answer = app.post(f"/datatables/ajax/{view['id']}", data=form, headers=_token(holder))
    assert json.loads(answer.get_data())["recordsTotal"] == rows["total"]
    assert app.post("/datatables/ajax/no-such-view", data=form, status=None).status_code == 404


@pytest.mark.ckan_config("ckan.plugins", PLUGINS)
@pytest.mark.usefixtures("with_plugins")
def test_loading_again_keeps_one_copy(loaded):
    before = {n: loaded["show"](n) for n in SUBSET}
    again = demo.load(loaded["admin"]["name"], datasets=SUBSET)
    assert again == loaded["counts"] and again["files"] == 3
    for name in SUBSET:
        after = loaded["show"](name)
        assert [r["id"] for r in after["resources"]] == [r["id"] for r in before[name]["resources"]]
        assert [r["name"] for r in after["resources"]] == [r["name"] for r in _spec(name)["resources"]]
        res = _hosted(after)
        assert res["hash"] == _hosted(before[name])["hash"]
        rows = helpers.call_action("datastore_search", context={"user": loaded["admin"]["name"]},
                                   resource_id=res["id"], limit=0)
        assert rows["total"] == demo_files.row_count(name)
        views = helpers.call_action("resource_view_list", context={"user": loaded["admin"]["name"]}, id=res["id"])
        assert len(views) == 1


@pytest.mark.ckan_config("ckan.plugins", PLUGINS)
@pytest.mark.usefixtures("with_plugins")
def test_every_entry_has_a_licence_given_as_dct_license(app, loaded):
    assert all(d.get("license_id") in vocab.LICENSES for d in demo.read()["datasets"])
    pkg = loaded["show"]("gongjiao-xianlu")
    term = vocab.LICENSES.get(pkg["license_id"])
    # CKAN core reads the licence from the vocabulary's register
    assert pkg["license_title"] == term.zh and pkg["license_url"] == term.uri
    assert {lic["id"] for lic in helpers.call_action("license_list")} == set(vocab.LICENSES.values())
    g = Graph().parse(data=app.get("/dataset/gongjiao-xianlu.ttl").get_data(as_text=True), format="turtle")
    dataset = next(g.subjects(DCAT.distribution, None))
    assert set(g.objects(dataset, DCT.license)) == {URIRef(term.uri)}
    for dist in g.objects(dataset, DCAT.distribution):
        assert set(g.objects(dist, DCT.license)) == {URIRef(term.uri)}
    # the platform's own agreement: its document is the usage notes page
    agreement = loaded["show"]("chuzuche-yunying")
    assert agreement["license_id"] == "govshare-agreement"
    assert agreement["license_url"] == licences.licence_url("govshare-agreement")
    assert agreement["license_url"].endswith("/govshare/usage")


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_an_entry_without_a_licence_is_under_the_platform_agreement():
    from tests.factories import department, entry

    pkg = entry(department())
    assert pkg["license_id"] == "govshare-agreement"
    with pytest.raises(tk.ValidationError) as err:
        entry(department(name="other-dept"), license_id="odc-by")
    assert "license_id" in err.value.error_dict
    assert model.Package.get_license_register().get("cc-by-4.0").url == vocab.LICENSES.get("cc-by-4.0").uri
