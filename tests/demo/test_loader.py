# -*- coding: utf-8 -*-
"""The demo catalogue is valid against the schema, covers every open and share level,
and loading it twice leaves one copy of everything."""
from __future__ import annotations

import pytest

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.tests import factories

from ckanext.govshare import vocab
from ckanext.govshare.demo import loader as demo


def test_demo_catalogue_covers_every_level():
    datasets = demo.read()["datasets"]
    assert {d["open_type"] for d in datasets} == set(vocab.OPEN_TYPES.values())
    assert {d["share_type"] for d in datasets} == set(vocab.SHARE_TYPES.values())
    assert len({d["owner_org"] for d in datasets}) >= 3
    assert all(d.get("resources") for d in datasets)


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_load_twice_is_idempotent():
    admin = factories.Sysadmin()
    first = demo.load(admin["name"])
    second = demo.load(admin["name"])
    assert first == second
    expected = demo.read()
    assert first["datasets"] == len(expected["datasets"])

    found = tk.get_action("package_search")({"user": admin["name"]}, {"rows": 100, "include_private": True})
    assert found["count"] == len(expected["datasets"])
    titles = {d["title"] for d in found["results"]}
    assert "公交线路信息" in titles
    orgs = tk.get_action("organization_list")({}, {})
    assert sorted(orgs) == sorted(o["name"] for o in expected["organizations"])
    members = tk.get_action("member_list")(
        {"user": admin["name"]}, {"id": "cq-jtj", "object_type": "user"}
    )
    roles = {model.User.get(user_id).name: role for user_id, _, role in members}
    assert roles == {"jtj-clerk": "Editor", "jtj-head": "Admin"}
    # the demo applications, in several states, once each
    from ckanext.govshare.model import Application

    statuses = sorted(a.status for a in model.Session.query(Application))
    assert statuses == ["approved", "refused", "submitted", "submitted", "submitted"]
