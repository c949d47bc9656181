# -*- coding: utf-8 -*-
"""Catalogue validation rules, each with the article it enforces, through the action API
and through the web form (the form shows the error beside the field)."""
from __future__ import annotations

import threading

import pytest
from bs4 import BeautifulSoup

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.tests import factories, helpers

from ckanext.govshare import compat
from ckanext.govshare.vocab import identifiers
from tests.factories import LEVEL_EXTRAS, department, entry, entry_data


def _errors(org, **fields) -> dict:
    with pytest.raises(tk.ValidationError) as e:
        helpers.call_action("package_create", **entry_data(org, **fields))
    return e.value.error_dict


pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


class TestWithheldLevelsNeedTheirBasis:
    """chongqing-2018 §17(1), chongqing-2019 §25(1) and §31, kunming-2019 §12."""

    def test_conditional_share_needs_condition_and_basis(self):
        errors = _errors(department(), share_type="conditional", open_type="conditional",
                         open_condition="实名", open_basis="依据")
        assert "state the share conditions" in errors["share_condition"][0]
        assert "legal or policy basis" in errors["share_basis"][0]

    def test_no_share_needs_basis_but_no_condition(self):
        errors = _errors(department(), share_type="none", open_type="closed", open_basis="依据")
        assert set(errors) == {"share_basis"}

    def test_conditional_open_needs_condition_and_basis(self):
        errors = _errors(department(), open_type="conditional")
        assert set(errors) == {"open_condition", "open_basis"}
        assert "chongqing-2019 §31" in errors["open_condition"][0]

    def test_closed_needs_basis(self):
        errors = _errors(department(), open_type="closed")
        assert set(errors) == {"open_basis"}

    @pytest.mark.parametrize("levels", sorted(LEVEL_EXTRAS))
    def test_every_allowed_combination_is_accepted(self, levels):
        open_type, share_type = levels
        created = entry(department(), open_type=open_type, share_type=share_type, **LEVEL_EXTRAS[levels])
        assert (created["open_type"], created["share_type"]) == levels


class TestBaseResourcesAreSharedUnconditionally:
    """chongqing-2018 §17(2), kunming-2019 §13(2)."""

    def test_base_resource_conditional_share_refused(self):
        errors = _errors(department(), resource_category="base", resource_code="101001/000001",
                         share_type="conditional", open_type="closed", open_basis="依据",
                         share_condition="条件", share_basis="依据")
        assert "must be shared unconditionally (chongqing-2018 §17(2)" in errors["share_type"][0]

    def test_base_resource_unconditional_accepted(self):
        created = entry(department(), resource_category="base", resource_code="101001/000002")
        assert created["resource_category"] == "base"


class TestCoherence:
    @pytest.mark.parametrize("open_type,share_type", [
        ("unconditional", "none"), ("unconditional", "conditional"), ("conditional", "none")])
    def test_not_more_open_to_public_than_to_departments(self, open_type, share_type):
        errors = _errors(department(), open_type=open_type, share_type=share_type,
                         open_condition="条件", open_basis="依据", share_condition="条件", share_basis="依据")
        assert "cannot be more open to the public" in errors["open_type"][0]


class TestResourceCode:
    @pytest.mark.parametrize("code", ["203001", "403001/1", "20301/000001", "203001/", "203001/abc",
                                      "203001 /000001", "<b>203001/1</b>"])
    def test_structure(self, code):
        errors = _errors(department(), resource_code=code)
        assert "Resource code must be the classification code" in errors["resource_code"][0]

    def test_category_matches_class_digit(self):
        errors = _errors(department(), resource_category="department", resource_code="203001/000009")
        assert "start with 3" in errors["resource_category"][0]

    def test_unique(self):
        org = department()
        first = entry(org, resource_code="203001/000100")
        errors = _errors(org, resource_code="203001/000100")
        assert first["name"] in errors["resource_code"][0]

    def test_update_keeps_own_code(self):
        created = entry(department(), resource_code="203001/000101")
        updated = helpers.call_action("package_patch", context={"user": factories.Sysadmin()["name"]},
                                      id=created["id"], title="公交线路（更新）")
        assert updated["resource_code"] == "203001/000101"

    def test_classification_code_derived_and_checked(self):
        org = department()
        created = entry(org, resource_code="203001001/000001")
        assert created["classification_code"] == "203001001"
        errors = _errors(org, resource_code="203001/000002", classification_code="203002")
        assert "does not match the resource code" in errors["classification_code"][0]

    def test_concurrent_creates_of_one_code_yield_one_entry(self, app):
        """Two clerks saving the same code at once: the advisory lock lets one through."""
        org = department()
        clerk = factories.Sysadmin()["name"]
        results: list[str] = []

        def create(i: int) -> None:
            with app.flask_app.test_request_context():
                try:
                    helpers.call_action("package_create", context={"user": clerk},
                                        **entry_data(org, resource_code="203001/000777",
                                                                        name=f"race-{i}"))
                    results.append("created")
                except tk.ValidationError:
                    results.append("refused")
                finally:
                    model.Session.remove()

        threads = [threading.Thread(target=create, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(results) == ["created", "refused"]
        assert len(compat.packages_by_extra("resource_code", ["203001/000777"])) == 1


class TestProviderCode:
    def test_taken_from_the_department(self):
        created = entry(department(provider_code="11500000MB1526731E"))
        assert created["provider_code"] == "11500000MB1526731E"


class TestIdentifiers:
    """Subject identifiers: GB 32100 credit codes and GB 11643 ID numbers
    (chongqing-2019 §16, shenyang-2016 §15)."""

    def test_department_credit_code_check_character(self):
        with pytest.raises(tk.ValidationError) as e:
            factories.Organization(credit_code="11500000MB1526731X")
        assert "check character is wrong (GB 32100)" in e.value.error_dict["credit_code"][0]
        org = factories.Organization(credit_code="11500000mb1526731e")
        assert org["credit_code"] == "11500000MB1526731E"

    @pytest.mark.parametrize("code,problem", [
        ("91350100M000100Y43", None), ("91350100M000100Y44", "check"), ("91350100M000100Y4", "length"),
        ("91350100M000100YI3", "characters"), ("9135010OM000100Y43", "characters")])
    def test_uscc(self, code, problem):
        assert identifiers.uscc_problem(code) == problem

    @pytest.mark.parametrize("number,problem", [
        ("11010519491231002X", None), ("110105194912310021", "check"), ("11010519491331002X", "birth_date"),
        ("1101051949123100", "length"), ("11010519491231002Y", "characters")])
    def test_citizen_id(self, number, problem):
        assert identifiers.citizen_id_problem(number) == problem

    def test_mask(self):
        assert identifiers.mask_citizen_id("11010519491231002X") == "110105********002X"


class TestFieldRules:
    def test_enumerations(self):
        errors = _errors(department(), open_type="open", update_cycle="hourly", theme="weather")
        assert set(errors) >= {"open_type", "update_cycle", "theme"}

    def test_dates(self):
        errors = _errors(department(), release_date="2026-13-01", secrecy_review_date="2999-01-01")
        assert "release_date" in errors
        assert "cannot be in the future" in errors["secrecy_review_date"][0]

    def test_format_subtype_belongs_to_format(self):
        org = department()
        errors = _errors(org, resource_format="spreadsheet", resource_format_subtype="MP4")
        assert "XLSX" in errors["resource_format_subtype"][0]
        created = entry(org, resource_format="spreadsheet", resource_format_subtype="xlsx")
        assert created["resource_format_subtype"] == "XLSX"

    def test_data_items(self):
        org = department()
        errors = _errors(org, data_items=[{"item_name": "", "item_type": "Q", "item_length": "-3"}])
        item_errors = errors["data_items"][0]
        assert set(item_errors) == {"item_name", "item_type", "item_length"}
        created = entry(org, data_items=[
            {"item_name": "线路编号", "item_type": "C", "item_length": "20", "item_description": "唯一编号"},
            {"item_name": "首班时间", "item_type": "T"}])
        assert created["data_items"][0]["item_length"] == 20
        assert created["data_items"][1]["item_name"] == "首班时间"

    def test_related_codes_normalised(self):
        created = entry(department(), related_codes="203001/000002、101001/000001  101001/000001")
        assert created["related_codes"] == "203001/000002, 101001/000001"
        errors = _errors(department(), related_codes="203001/000002, nonsense")
        assert "nonsense" in errors["related_codes"][0]

    def test_region_phone_email(self):
        errors = _errors(department(), region_code="990000", contact_phone="call me", contact_email="x@")
        assert set(errors) == {"region_code", "contact_phone", "contact_email"}

    def test_control_characters_refused_markup_kept_as_text(self):
        org = department()
        errors = _errors(org, title="公交\x00线路")
        assert "control characters" in errors["title"][0]
        created = entry(org, notes="<script>alert(1)</script>")
        assert created["notes"] == "<script>alert(1)</script>"

    def test_api_resource_needs_interface_description(self):
        """shenyang-2016 §21: an API carries its interface description and how to call it."""
        errors = _errors(department(), resources=[{"url": "https://api.example.gov.cn/v1/bus",
                                                   "access_method": "api"}])
        assert set(errors["resources"][0]) == {"api_description", "api_call"}
        assert "shenyang-2016 §21" in errors["resources"][0]["api_call"][0]
        created = entry(department(), resources=[{
            "url": "https://api.example.gov.cn/v1/bus", "access_method": "api",
            "api_description": "参数 line；返回线路站点", "api_call": "GET /v1/bus?line=1"}])
        assert created["resources"][0]["api_call"] == "GET /v1/bus?line=1"


class TestErrorsInTheUsersLanguage:
    def test_api_errors_in_english_under_en(self, app):
        org = department()
        user = factories.Sysadmin()
        resp = app.post("/en/api/3/action/package_create", json=entry_data(org, open_type="conditional"),
                        headers={"Authorization": factories.APIToken(user=user["name"])["token"]},
                        status=409)
        errors = resp.json["error"]
        assert "state the open conditions" in errors["open_condition"][0]

    def test_api_errors_in_chinese_by_default(self, app):
        org = department()
        user = factories.Sysadmin()
        resp = app.post("/api/3/action/package_create", json=entry_data(org, open_type="conditional"),
                        headers={"Authorization": factories.APIToken(user=user["name"])["token"]},
                        status=409)
        assert "必须填写开放条件" in resp.json["error"]["open_condition"][0]


FORM_RULES = [
    # (article, fields, field showing the error, expected text)
    ("chongqing-2018 §17", dict(share_type="conditional", open_type="closed", open_basis="依据", share_basis="依据"),
     "share_condition", "必须填写共享条件"),
    ("chongqing-2019 §25", dict(share_type="none", open_type="closed", open_basis="依据"),
     "share_basis", "必须填写法律法规或政策依据"),
    ("chongqing-2019 §31", dict(open_type="conditional", open_basis="依据"), "open_condition", "必须填写开放条件"),
    ("chongqing-2019 §31", dict(open_type="closed"), "open_basis", "必须填写法律依据"),
    ("kunming-2019 §13(2)", dict(resource_category="base", resource_code="101001/000001", share_type="conditional",
                                 open_type="closed", open_basis="依据", share_condition="条件", share_basis="依据"),
     "share_type", "基础信息资源必须无条件共享"),
    ("coherence", dict(share_type="none", share_basis="依据"), "open_type", "开放类型不得比共享类型更开放"),
    ("catalogue guide", dict(resource_code="20301/1"), "resource_code", "信息资源代码应为分类码"),
    ("catalogue guide", dict(resource_category="department"), "resource_category", "应以 3 开头"),
    ("GB/T 2260", dict(region_code="99"), "region_code", "行政区划代码应为6位数字"),
]


class TestWebForm:
    @pytest.mark.parametrize("article,fields,field,text", FORM_RULES, ids=[f"{r[0]}-{r[2]}" for r in FORM_RULES])
    def test_form_shows_error_beside_the_field(self, app, article, fields, field, text):
        user = factories.User()
        org = department(users=[{"name": user["name"], "capacity": "editor"}])
        token = factories.APIToken(user=user["name"])["token"]
        form = entry_data(org, name="form-entry", save="continue", **fields)
        resp = app.post("/dataset/new", data=form, headers={"Authorization": token})
        soup = BeautifulSoup(resp.body, "html.parser")
        control = soup.find(id=f"field-{field}")
        assert control is not None, field
        group = control.find_parent(class_="form-group") or control.find_parent(class_="control-group")
        assert text in group.get_text(), group.get_text()
        # nothing was written
        assert model.Package.get("form-entry") is None
