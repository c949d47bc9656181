# -*- coding: utf-8 -*-
"""CKAN 2.12's file storage follows the access rules: a file owned by a catalogue entry or by
one of its resources is that entry's data (``access/doors.py`` file hooks, IFiles). Walked
over the file routes and actions 2.12 adds: ``/file/download/<id>``, ``file_show``,
``file_owner_scan`` (``/file/trusted-download`` serves only what a site-signed token names,
``/file/public-download`` only storages configured public; ``/datastore/api_info`` is walked
with the DataStore in tests/access/test_access.py).

chongqing-2018 §22 ¶2 (不予开放 entries are not published), §24 (有条件开放 data only by
grant), §16/§19 (sharing between departments by the share attribute)."""
from __future__ import annotations

import os
import shutil
import tempfile
from typing import Any

import pytest

from ckan.tests import factories, helpers

from ckanext.govshare import compat
from tests.factories import LEVEL_EXTRAS, department, entry

# a file storage of the tests' own (CKAN's ckan_config fixture re-reads the storages)
STORAGE_PATH = os.path.join(tempfile.gettempdir(), f"govshare-test-files-{os.getpid()}")
pytestmark = [
    pytest.mark.skipif(not compat.CKAN_212, reason="the file storage API exists from CKAN 2.12 on"),
    pytest.mark.ckan_config("ckan.files.storage.default.type", "ckan:fs"),
    pytest.mark.ckan_config("ckan.files.storage.default.path", STORAGE_PATH),
    pytest.mark.ckan_config("ckan.files.storage.default.initialize", "true"),
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "ckan_config", "_storage_folder"),
]


@pytest.fixture(scope="module")
def _storage_folder():
    yield
    shutil.rmtree(STORAGE_PATH, ignore_errors=True)

ACTORS = ("sysadmin", "editor", "other_department", "citizen", "anonymous")
# who may have the entry's data, by (open type, share type)
DATA = {
    ("unconditional", "unconditional"): set(ACTORS),
    ("conditional", "unconditional"): {"sysadmin", "editor", "other_department"},
    ("closed", "none"): {"sysadmin", "editor"},
}
# file_owner_scan also needs CKAN's own package_update (ckan.files.owner.scan_as_update)
MAY_UPDATE = {"sysadmin", "editor"}


class World:
    def __init__(self) -> None:
        admin = factories.Sysadmin()
        editor, other, citizen = factories.User(), factories.User(), factories.User()
        org = department(users=[{"name": editor["name"], "capacity": "editor"}])
        department(title="市民政局", provider_code="11500000MB1526732C",
                   users=[{"name": other["name"], "capacity": "member"}])
        self.users = {"sysadmin": admin, "editor": editor, "other_department": other, "citizen": citizen}
        self.tokens = {actor: factories.APIToken(user=u["name"])["token"] for actor, u in self.users.items()}
        self.files: dict[tuple[tuple[str, str], str], dict[str, Any]] = {}
        self.owners: dict[tuple[tuple[str, str], str], tuple[str, str]] = {}
        for combo in DATA:
            pkg = entry(org, open_type=combo[0], share_type=combo[1], **LEVEL_EXTRAS[combo])
            res = factories.Resource(package_id=pkg["id"], url="http://example.gov.cn/a.csv", name="数据")
            for owner_type, owner_id in (("package", pkg["id"]), ("resource", res["id"])):
                file = helpers.call_action("file_create", context={"user": admin["name"]},
                                           name=f"{owner_type}-{combo[0]}-{combo[1]}.csv",
                                           upload=b"marker,value\n1,2\n")
                helpers.call_action("file_ownership_transfer", context={"user": admin["name"]},
                                    id=file["id"], owner_type=owner_type, owner_id=owner_id, force=True)
                self.files[(combo, owner_type)] = file
                self.owners[(combo, owner_type)] = (owner_type, owner_id)

    def headers(self, actor: str) -> dict[str, str]:
        return {"Authorization": self.tokens[actor]} if actor in self.tokens else {}


def test_file_routes_and_actions_follow_data_access(app):
    world = World()
    failures = []
    for (combo, owner_type), file in world.files.items():
        for actor in ACTORS:
            data = actor in DATA[combo]
            where = f"{actor} {combo} file of the {owner_type}"
            download = app.get(f"/file/download/{file['id']}", headers=world.headers(actor), status=None)
            if data and download.status_code != 200:
                failures.append(f"{where}: download {download.status_code}, expected 200")
            if not data and (download.status_code != 404 or b"marker,value" in download.data):
                failures.append(f"{where}: download {download.status_code}, expected 404")
            show = app.post("/api/3/action/file_show", json={"id": file["id"]}, headers=world.headers(actor),
                            status=None)
            if show.status_code != (200 if data else 403):
                failures.append(f"{where}: file_show {show.status_code}")
            owner = world.owners[(combo, owner_type)]
            scan = app.post("/api/3/action/file_owner_scan", json={"owner_type": owner[0], "owner_id": owner[1]},
                            headers=world.headers(actor), status=None)
            expected = 200 if data and actor in MAY_UPDATE else 403
            if scan.status_code != expected:
                failures.append(f"{where}: file_owner_scan {scan.status_code}, expected {expected}")
            if scan.status_code == 200 and file["id"] not in scan.get_data(as_text=True):
                failures.append(f"{where}: file_owner_scan does not list the file")
    assert not failures, "\n".join(failures)


def test_a_file_of_no_entry_is_left_to_ckan(app):
    """The hooks only ever refuse: a user's own file stays theirs (CKAN's permission_owns_file)."""
    user = factories.User()
    token = factories.APIToken(user=user["name"])["token"]
    file = helpers.call_action("file_create", context={"user": factories.Sysadmin()["name"]},
                               name="own.csv", upload=b"own\n")
    helpers.call_action("file_ownership_transfer", id=file["id"], owner_type="user", owner_id=user["id"],
                        force=True)
    assert app.get(f"/file/download/{file['id']}", headers={"Authorization": token}, status=None).status_code == 200
    assert app.get(f"/file/download/{file['id']}", status=None).status_code == 404
