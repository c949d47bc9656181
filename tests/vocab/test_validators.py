# -*- coding: utf-8 -*-
"""The form and the API read the spellings and apply the tag rules the importer does
(issue 16)."""
from __future__ import annotations

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories

from tests.factories import department, entry_data


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_package_create_reads_spellings_and_normalises_tags():
    org = department()
    user = factories.Sysadmin()["name"]
    data = entry_data(org, update_cycle="每天", theme="交通运输", tag_string="住房（公积金）,“一网通办”,水")
    pkg = tk.get_action("package_create")({"user": user}, data)
    assert pkg["update_cycle"] == "daily" and pkg["theme"] == "transport"
    assert sorted(t["name"] for t in pkg["tags"]) == ["一网通办", "住房 公积金"]
    with pytest.raises(tk.ValidationError) as failure:
        tk.get_action("package_create")({"user": user},
                                        entry_data(org, update_cycle="每十年"))
    assert "update_cycle" in failure.value.error_dict
