# -*- coding: utf-8 -*-
"""The applicant's identity is bound to the account once and reused (chongqing-2019 §33 ¶3:
conditional data after identity authentication; chongqing-2019 §16)."""
from __future__ import annotations

import pytest

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.tests import factories, helpers

from ckanext.govshare.applications import identity
from tests.factories import LEVEL_EXTRAS, entry

CITIZEN_ID = "11010519491231002X"
OTHER_ID = "110105194912310021"  # checksum fails: must never be reached when bound


@pytest.fixture
def setting(applications_world):
    """The shared setting's citizen and three conditionally open entries of jtj."""
    w = applications_world(name="cond-1")
    pkgs = [w.pkg] + [entry(w.org, name=f"cond-{n}", open_type="conditional",
                            **LEVEL_EXTRAS[("conditional", "conditional")]) for n in (2, 3)]
    return w.citizen, pkgs


def _apply(user: dict, pkg: dict, **extra) -> dict:
    data = {"kind": "open", "package_id": pkg["id"], "contact_phone": "13800138000", "purpose": "研究",
            "usage_scope": "内部", "data_items": "全部", "period_end": "2027-06-30", "agreement_accepted": True}
    data.update(extra)
    return helpers.call_action("govshare_application_create", context={"user": user["name"], "ignore_auth": False},
                               **data)


def test_first_application_binds_and_later_ones_reuse(setting):
    citizen, pkgs = setting
    _apply(citizen, pkgs[0], applicant_type="citizen", applicant_name="张三", id_number=CITIZEN_ID)
    bound = identity.bound(model.User.get(citizen["name"]))
    assert bound["name"] == "张三" and bound["number"] == CITIZEN_ID and bound["source"] == identity.DECLARED
    second = _apply(citizen, pkgs[1])  # nothing typed: the bound identity is used
    assert second["applicant_name"] == "张三"
    with pytest.raises(tk.ValidationError) as e:
        _apply(citizen, pkgs[2], applicant_type="citizen", applicant_name="李四", id_number=CITIZEN_ID)
    assert "applicant_name" in e.value.error_dict


def test_a_provider_identity_replaces_a_declared_one_never_the_reverse(setting):
    citizen, _ = setting
    user = model.User.get(citizen["name"])
    identity.bind(user, "citizen", "张三", CITIZEN_ID, commit=True)
    identity.bind(user, "citizen", "张三丰", CITIZEN_ID, source="重庆市统一身份认证平台", commit=True)
    assert identity.bound(user)["name"] == "张三丰"
    identity.bind(user, "citizen", "王五", CITIZEN_ID, commit=True)
    assert identity.bound(model.User.get(citizen["name"]))["source"] == "重庆市统一身份认证平台"


def test_the_form_shows_the_bound_identity(app, setting):
    citizen, pkgs = setting
    token = {"Authorization": factories.APIToken(user=citizen["id"])["token"]}
    form = app.get("/dataset/cond-1/apply", headers=token).get_data(as_text=True)
    assert 'id="field-id_number"' in form
    _apply(citizen, pkgs[0], applicant_type="citizen", applicant_name="张三", id_number=CITIZEN_ID)
    form = app.get("/dataset/cond-2/apply", headers=token).get_data(as_text=True)
    assert 'id="govshare-identity"' in form and "张三" in form and CITIZEN_ID not in form
    assert 'id="field-id_number"' not in form
