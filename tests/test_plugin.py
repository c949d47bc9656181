# -*- coding: utf-8 -*-
"""The plugin is wired into CKAN the 2.11 way: blankets, config declarations,
translations from the top-level i18n/, scheming schemas from the top-level schemas/."""
from __future__ import annotations

import os

import pytest

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.govshare.plugin import GovsharePlugin

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.usefixtures("with_plugins")
class TestPluginLoaded:
    def test_plugins_loaded_together(self):
        for name in ("govshare", "scheming_datasets", "scheming_organizations", "dcat", "activity"):
            assert p.plugin_loaded(name), name

    def test_status_show_lists_plugins(self, app):
        result = app.get("/api/3/action/status_show").json["result"]
        for name in ("govshare", "scheming_datasets", "dcat"):
            assert name in result["extensions"]

    def test_blanket_registered_action_and_auth(self):
        result = tk.get_action("govshare_vocabulary_list")({"ignore_auth": False}, {"name": "open_type"})
        assert [t["zh"] for t in result["open_type"]["terms"]] == ["无条件开放", "有条件开放", "不予开放"]

    def test_config_declared(self):
        assert tk.config.get("ckanext.govshare.portal_url") == "https://www.cq.gov.cn"
        # a declared bool option has its declared default
        assert tk.config.get("ckanext.govshare.unconditional_requires_login") is False

    def test_helpers_registered(self):
        assert tk.h.govshare_vocab_choices({"govshare_vocabulary": "share_type"})[2]["value"] == "none"


def test_translation_directory_is_top_level_i18n():
    plugin = GovsharePlugin()
    assert os.path.realpath(plugin.i18n_directory()) == os.path.realpath(os.path.join(REPO, "i18n"))
    assert "zh_Hans_CN" in plugin.i18n_locales()
    assert plugin.i18n_domain() == "ckanext-govshare"


@pytest.mark.usefixtures("with_plugins")
def test_scheming_resolves_schema_from_top_level_schemas():
    schema = tk.get_action("scheming_dataset_schema_show")({}, {"type": "dataset"})
    names = [f["field_name"] for f in schema["dataset_fields"]]
    assert {"resource_code", "open_type", "share_type"} <= set(names)
    open_type = next(f for f in schema["dataset_fields"] if f["field_name"] == "open_type")
    assert open_type["label"]["zh_Hans_CN"] == "开放类型"
