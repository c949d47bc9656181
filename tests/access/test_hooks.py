# -*- coding: utf-8 -*-
"""Access through CKAN's hooks and signals (issue 13): package_show withholds data in
``after_dataset_show`` (never for the indexer, never on an editor's save), and an entry's past
activities are relabelled by a receiver of ``action_succeeded`` when its levels change."""
from __future__ import annotations

import pytest

from ckan import model
from ckan.tests import factories, helpers
from ckanext.activity.model import Activity

from ckanext.govshare.access import rules
from tests.factories import LEVEL_EXTRAS, department, entry

URL = "https://data.example.gov.cn/MARKhook.csv"


def _labels(package_id: str) -> list[list[str]]:
    model.Session.expire_all()
    return [sorted(a.permission_labels or []) for a in
            model.Session.query(Activity).filter(Activity.object_id == package_id)]


def _conditional(org: dict, **extra) -> dict:
    return entry(org, open_type="conditional", share_type="conditional",
                 resources=[{"url": URL, "name": "数据"}], **LEVEL_EXTRAS[("conditional", "conditional")],
                 **extra)


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
class TestActivityLabelsFollowLevels:

    def test_a_level_change_relabels_past_activities(self):
        admin = {"user": factories.Sysadmin()["name"]}
        pkg = entry(department(), resources=[{"url": URL}])
        helpers.call_action("package_patch", context=dict(admin), id=pkg["id"], notes="第二版说明。")
        assert _labels(pkg["id"]) and all(labels == ["public"] for labels in _labels(pkg["id"]))
        helpers.call_action("package_patch", context=dict(admin), id=pkg["id"],
                            open_type="closed", open_basis="涉及国家秘密")
        expected = sorted(rules.dataset_labels(model.Package.get(pkg["id"])))
        assert "public" not in expected
        found = _labels(pkg["id"])
        assert len(found) == 3 and all(labels == expected for labels in found), found

    def test_a_resource_change_saves_through_package_update_and_relabels(self):
        admin = {"user": factories.Sysadmin()["name"]}
        pkg = entry(department(), resources=[{"url": URL}])
        model.Session.query(Activity).filter(Activity.object_id == pkg["id"]).update(
            {"permission_labels": ["stale"]})
        model.Session.commit()
        helpers.call_action("resource_patch", context=dict(admin), id=pkg["resources"][0]["id"], name="新名称")
        assert all(labels == ["public"] for labels in _labels(pkg["id"]))

    def test_bulk_private_relabels(self):
        org = department()
        admin = {"user": factories.Sysadmin()["name"]}
        pkg = entry(org, resources=[{"url": URL}])
        helpers.call_action("bulk_update_private", context=dict(admin), datasets=[pkg["id"]], org_id=org["id"])
        model.Session.expire_all()
        expected = sorted(rules.dataset_labels(model.Package.get(pkg["id"])))
        assert expected == [f"member-{org['id']}"]
        assert all(labels == expected for labels in _labels(pkg["id"]))


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
class TestPackageShowHook:

    def test_withheld_from_a_citizen_kept_for_the_department(self):
        clerk = factories.User()
        org = department(users=[{"name": clerk["name"], "capacity": "editor"}])
        pkg = _conditional(org)
        citizen = factories.User()
        shown = helpers.call_action("package_show", context={"user": citizen["name"], "ignore_auth": False},
                                    id=pkg["id"])
        assert shown["resources"][0]["url"] == "" and shown["govshare_data_withheld"] is True
        resource = helpers.call_action("resource_show", context={"user": citizen["name"], "ignore_auth": False},
                                       id=pkg["resources"][0]["id"])
        assert resource["url"] == ""
        own = helpers.call_action("package_show", context={"user": clerk["name"], "ignore_auth": False},
                                  id=pkg["id"])
        assert own["resources"][0]["url"] == URL and "govshare_data_withheld" not in own

    def test_an_editors_save_keeps_the_data_locations(self):
        clerk = factories.User()
        org = department(users=[{"name": clerk["name"], "capacity": "editor"}])
        pkg = _conditional(org)
        context = {"user": clerk["name"], "ignore_auth": False}
        helpers.call_action("package_patch", context=dict(context), id=pkg["id"], notes="修订后的说明。")
        helpers.call_action("resource_patch", context=dict(context), id=pkg["resources"][0]["id"], name="新名称")
        model.Session.expire_all()
        assert model.Resource.get(pkg["resources"][0]["id"]).url == URL

    def test_the_index_holds_the_whole_entry(self):
        """The indexer's package_show is not filtered (package_show's cache stays complete);
        the search output filter keeps the locations from searchers."""
        pkg = _conditional(department())
        cached = helpers.call_action("package_show", context={"ignore_auth": True, "validate": False,
                                                             "use_cache": False}, id=pkg["id"])
        assert cached["resources"][0]["url"] == URL
