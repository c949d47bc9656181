# -*- coding: utf-8 -*-
"""Access levels enforced at every door: every kind of user over every endpoint, for
entries of every allowed open × share combination.

Expectations come from the rules of the regulations written out here, independently of
``ckanext.govshare.access``: 不予开放 entries are not published to the public
(chongqing-2018 §22 ¶2, chongqing-2019 §32); conditional data only for grant holders
(chongqing-2018 §24) and entitled departments (chongqing-2018 §16, §19).

Each protected URL and API field carries a unique marker; every response is searched for
the markers a user must not get.
"""
from __future__ import annotations

import datetime
import re

import pytest

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.logic import _actions as registered_actions  # the running registry
from ckan.tests import factories, helpers

from tests.factories import LEVEL_EXTRAS, department, entry, entry_data

COMBOS = sorted(LEVEL_EXTRAS)  # (open_type, share_type)
ACTORS = ("anonymous", "citizen", "grant_holder", "expired_holder", "provider_member",
          "other_department", "granted_department", "sysadmin")


def expected_see(actor: str, open_type: str, share_type: str) -> bool:
    if open_type in ("unconditional", "conditional") or actor in ("sysadmin", "provider_member"):
        return True
    if actor in ("other_department", "granted_department"):
        return share_type != "none"
    return False


def expected_data(actor: str, open_type: str, share_type: str) -> bool:
    if actor in ("sysadmin", "provider_member") or open_type == "unconditional":
        return True
    if actor == "grant_holder" and open_type == "conditional":
        return True
    if actor == "other_department":
        return share_type == "unconditional"
    if actor == "granted_department":
        return share_type in ("unconditional", "conditional")
    return False


def marker(open_type: str, share_type: str, what: str) -> str:
    return f"M{what}x{open_type[:4]}x{share_type[:4]}Z"


class World:
    """Departments, users with tokens, one entry per combination, grants."""

    def __init__(self) -> None:
        self.users = {a: factories.User(name=f"{a.replace('_', '-')}-user") for a in ACTORS if a != "anonymous"}
        self.users["sysadmin"] = factories.Sysadmin(name="sysadmin-actor")
        self.provider = department(name="provider-dept", users=[
            {"name": self.users["provider_member"]["name"], "capacity": "member"}])
        department(name="other-dept", users=[{"name": self.users["other_department"]["name"], "capacity": "editor"}])
        self.granted_org = department(name="granted-dept", users=[
            {"name": self.users["granted_department"]["name"], "capacity": "member"}])
        self.tokens = {a: factories.APIToken(user=u["id"])["token"] for a, u in self.users.items()}
        self.entries = {}
        for n, (open_type, share_type) in enumerate(COMBOS, start=1):
            self.entries[(open_type, share_type)] = entry(
                self.provider,
                name=f"entry-{open_type}-{share_type}",
                title=f"公交线路 {marker(open_type, share_type, 'title')}",
                resource_code=f"203001/{n:06d}",
                open_type=open_type, share_type=share_type, **LEVEL_EXTRAS[(open_type, share_type)],
                resources=[{
                    "name": "接口", "url": f"https://data.example.gov.cn/{marker(open_type, share_type, 'url')}.csv",
                    "access_method": "api", "api_description": f"参数 {marker(open_type, share_type, 'apidesc')}",
                    "api_call": f"GET https://api.example.gov.cn/{marker(open_type, share_type, 'apicall')}",
                }],
            )
        admin = {"user": self.users["sysadmin"]["name"]}
        for (open_type, share_type), pkg in self.entries.items():
            if open_type == "conditional":
                helpers.call_action("govshare_grant_create", context=dict(admin), package_id=pkg["id"], kind="open",
                                    user_id=self.users["grant_holder"]["id"])
                expired = helpers.call_action("govshare_grant_create", context=dict(admin), package_id=pkg["id"],
                                              kind="open", user_id=self.users["expired_holder"]["id"],
                                              expires_at="2099-01-01T00:00:00")
                # let it expire
                from ckanext.govshare.model import Grant
                model.Session.query(Grant).filter_by(id=expired["id"]).update(
                    {"expires_at": datetime.datetime.utcnow() - datetime.timedelta(seconds=1)})
                model.Session.commit()
            if share_type == "conditional":
                helpers.call_action("govshare_grant_create", context=dict(admin), package_id=pkg["id"], kind="share",
                                    organization_id=self.granted_org["id"])

    def headers(self, actor: str) -> dict[str, str]:
        return {} if actor == "anonymous" else {"Authorization": self.tokens[actor]}


DATA_MARKS = ("url", "apicall", "apidesc")


def _assert_no_leak(body: str, actor: str, combo: tuple[str, str], where: str, failures: list[str]) -> None:
    open_type, share_type = combo
    if not expected_see(actor, open_type, share_type) and marker(open_type, share_type, "title") in body:
        failures.append(f"{actor} sees the hidden entry {combo} in {where}")
    if not expected_data(actor, open_type, share_type):
        for what in DATA_MARKS:
            if marker(open_type, share_type, what) in body:
                failures.append(f"{actor} gets {what} of {combo} in {where}")


# Routes about one entry (url template) and what the user gets: 'meta' = the entry page,
# 'data' = the data itself. Every route of the app must be listed here or in UNRELATED_ROUTES.
ENTRY_ROUTES = {
    "/dataset/<id>": "meta",
    "/dataset/<id>/resource/<resource_id>": "meta",
    "/dataset/resources/<id>": "meta",
    "/dataset/groups/<id>": "meta",
    "/dataset/activity/<id>": "meta",
    "/dataset/changes/<id>": "meta",
    "/dataset/followers/<id>": "meta",
    "/dataset/<_id>.<_format>": "meta",
    "/dataset/<id>/resource/<resource_id>/download": "data",
    "/dataset/<id>/resource/<resource_id>/download/<filename>": "data",
    "/dataset/<id>/resource/<resource_id>/view": "data",
    "/dataset/<id>/resource/<resource_id>/view/<view_id>": "data",
    "/dataset/<id>/resource/<resource_id>/views": "meta",
    "/dataset/<id>/apply": "meta",
}
# Routes that list entries: their bodies are searched for every marker.
LISTING_ROUTES = ("/dataset/", "/organization/provider-dept", "/catalog.ttl", "/catalog.jsonld",
                  "/share-catalog.ttl", "/share-catalog.jsonld", "/catalog/full.ttl", "/share-catalog/full.ttl",
                  "/feeds/dataset.atom", "/feeds/organization/provider-dept.atom",
                  "/organization/activity/provider-dept", "/dashboard/", "/user/activity/sysadmin-actor",
                  "/api/3/action/package_list", "/api/3/action/current_package_list_with_resources",
                  "/api/3/action/recently_changed_packages_activity_list",
                  "/api/3/action/organization_activity_list?id=provider-dept",
                  "/api/3/action/package_search?q=%E5%85%AC%E4%BA%A4&rows=100",
                  "/api/3/action/package_search?fl=id,name,res_url,validated_data_dict&rows=100",
                  "/api/3/action/package_autocomplete?q=entry",
                  "/api/3/action/resource_search?query=name:%E6%8E%A5%E5%8F%A3",
                  "/api/3/action/organization_show?id=provider-dept&include_datasets=true",
                  "/api/3/action/member_list?id=provider-dept&object_type=package",
                  "/api/3/action/tag_list")
# Actions that take one entry (id or name).
ENTRY_ACTIONS = ("package_show", "package_activity_list", "dataset_follower_count", "am_following_dataset",
                 "package_relationships_list", "dcat_dataset_show", "govshare_grant_list")
RESOURCE_ACTIONS = ("resource_show", "resource_view_list")


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_access_matrix(app):
    world = World()
    failures: list[str] = []
    for actor in ACTORS:
        headers = world.headers(actor)
        for combo, pkg in world.entries.items():
            see, data = expected_see(actor, *combo), expected_data(actor, *combo)
            res_id = pkg["resources"][0]["id"]
            for template, kind in ENTRY_ROUTES.items():
                url = (template.replace("<id>", pkg["name"]).replace("<_id>", pkg["name"])
                       .replace("<_format>", "ttl").replace("<resource_id>", res_id)
                       .replace("<filename>", "x.csv").replace("<view_id>", "none"))
                resp = app.get(url, headers=headers, status=None, follow_redirects=False)
                if not see and resp.status_code != 404:
                    failures.append(f"{actor} {combo} {url}: {resp.status_code}, expected 404")
                elif see and kind == "data" and not data and resp.status_code != 403:
                    failures.append(f"{actor} {combo} {url}: {resp.status_code}, expected 403")
                elif see and template in ("/dataset/<id>", "/dataset/<id>/resource/<resource_id>") \
                        and resp.status_code != 200:
                    failures.append(f"{actor} {combo} {url}: {resp.status_code}, expected the page")
                if kind == "data" and data and template.endswith("/download"):
                    assert resp.status_code == 302 and marker(*combo, "url") in resp.headers["Location"], url
                _assert_no_leak(resp.get_data(as_text=True), actor, combo, url, failures)
            for action in ENTRY_ACTIONS:
                resp = app.post(f"/api/3/action/{action}", json={"id": pkg["id"], "package_id": pkg["id"], "format": "ttl"},
                                headers=headers, status=None)
                # a hidden entry answers as a missing one: 404/403, or the follow actions'
                # 409 "Not found: Dataset" (tests/security/test_leak_scanner.py compares them)
                refused = (409,) if action in ("dataset_follower_count", "am_following_dataset") else (403, 404)
                if not see and resp.status_code not in refused:
                    failures.append(f"{actor} {combo} {action}: {resp.status_code}, expected {refused}")
                _assert_no_leak(resp.get_data(as_text=True), actor, combo, action, failures)
            for action in RESOURCE_ACTIONS:
                resp = app.get(f"/api/3/action/{action}", query_string={"id": res_id}, headers=headers, status=None)
                if not see and resp.status_code != 404:
                    failures.append(f"{actor} {combo} {action}: {resp.status_code}, expected 404")
                _assert_no_leak(resp.get_data(as_text=True), actor, combo, action, failures)
            show = app.get("/api/3/action/package_show", query_string={"id": pkg["id"]}, headers=headers, status=None)
            if see:
                assert show.status_code == 200, (actor, combo)
                resource = show.json["result"]["resources"][0]
                assert bool(resource["url"]) == data, (actor, combo, resource["url"])
        for url in LISTING_ROUTES:
            resp = app.get(url, headers=headers, status=None)
            body = resp.get_data(as_text=True)
            for combo in world.entries:
                _assert_no_leak(body, actor, combo, url, failures)
        # search counts and facets only count what the actor may see
        result = app.get("/api/3/action/package_search", query_string={
            "rows": 0, "facet.field": '["open_type"]'}, headers=headers).json["result"]
        visible = sum(expected_see(actor, *c) for c in COMBOS)
        assert result["count"] == visible, (actor, result["count"], visible)
        facet_total = sum(i["count"] for i in result["search_facets"]["open_type"]["items"])
        assert facet_total == visible, actor
    assert not failures, "\n".join(failures[:60])


def _template_of(rule: str) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", rule)


# Routes that do not serve one entry or its data, with why; a new route must be added to
# ENTRY_ROUTES, LISTING_ROUTES (by example) or here, or this test fails.
UNRELATED_PREFIXES = (
    "/api/", "/ckan-admin", "/user", "/group", "/organization", "/webassets", "/testing", "/util",
    "/<path:filename>", "/<filename>", "/feeds", "/dashboard", "/catalog", "/dataset_series", "/about",
    "/robots.txt", "/no/", "/zh_CN", "/zh_TW", "/govshare/", "/dataset/changes_multiple",
    # applications are keyed by their own id and shown only to the applicant and the provider
    "/application/", "/demand",
    # the share catalogue (tests/test_dcat_endpoints.py proves it needs a department login)
    "/share-catalog",
    # statistics: the public page gives aggregate figures only and names no entry; the entry
    # lists are on the authority's page (tests/oversight/test_statistics_views.py)
    "/statistics", "/authority/statistics",
    # the authority's workspace and the entries under review: the authority only, a 403 for
    # everyone else (tests/authority/test_views.py, every actor)
    "/authority",
)
WRITE_ROUTES = ("/dataset/new", "/dataset/edit/<id>", "/dataset/delete/<id>", "/dataset/follow/<id>",
                "/dataset/unfollow/<id>", "/dataset/<id>/resource/new",
                "/dataset/<id>/resource/<resource_id>/edit", "/dataset/<id>/resource/<resource_id>/delete",
                "/dataset/<id>/resource/<resource_id>/new_view",
                "/dataset/<id>/resource/<resource_id>/edit_view/<view_id>",
                "/dataset/<id>/dictionary/<resource_id>")
# walked by test_datastore_rows_follow_data_access
DATASTORE_ROUTES = ("/datastore/dump/<resource_id>", "/datatables/ajax/<resource_view_id>",
                    "/datatables/filtered-download/<resource_view_id>",
                    "/datastore/api_info/<resource_id>")  # (CKAN 2.12)
# CKAN 2.12's file storage: /file/download/<id> is walked by tests/access/test_files.py (a file
# owned by an entry or its resource is its data); trusted-download serves only what a token
# signed by the site names, public-download only storages configured as public
FILE_ROUTES = ("/file/download/<id>", "/file/trusted-download/<token>",
               "/file/public-download/<storage_name>/<location>")
HISTORY_ROUTES = ("/dataset/<id>/history/<activity_id>",
                  "/dataset/<id>/resources/<resource_id>/history/<activity_id>")


@pytest.mark.usefixtures("with_plugins")
def test_every_route_is_classified(app):
    """The matrix covers every route of the running app that concerns an entry."""
    unclassified = []
    for rule in app.flask_app.url_map.iter_rules():
        template = _template_of(rule.rule)
        if template in ("/", "/dataset/") or template in ENTRY_ROUTES or template in WRITE_ROUTES \
                or template in HISTORY_ROUTES or template in DATASTORE_ROUTES or template in FILE_ROUTES:
            continue
        if template.startswith(UNRELATED_PREFIXES):
            continue
        unclassified.append(template)
    assert not unclassified, f"routes not covered by the access matrix: {sorted(set(unclassified))}"


# Read actions that never return an entry, a resource or an activity.
UNRELATED_ACTIONS = {
    "group_list", "organization_list", "group_list_authz", "organization_list_for_user", "license_list",
    "user_list", "group_show", "organization_show", "user_show", "format_autocomplete", "user_autocomplete",
    "group_autocomplete", "organization_autocomplete", "tag_search", "tag_autocomplete", "tag_list",
    "task_status_show", "term_translation_show", "get_site_user", "status_show", "vocabulary_list",
    "vocabulary_show", "user_follower_count", "group_follower_count", "organization_follower_count",
    "user_follower_list", "dataset_follower_list", "group_follower_list", "organization_follower_list",
    "am_following_user", "am_following_group", "followee_count", "user_followee_count",
    "dataset_followee_count", "group_followee_count", "organization_followee_count", "followee_list",
    "user_followee_list", "dataset_followee_list", "group_followee_list", "organization_followee_list",
    "member_roles_list", "help_show", "config_option_show", "config_option_list", "job_list", "job_show",
    "api_token_list", "package_collaborator_list", "package_collaborator_list_for_user",
    "dashboard_new_activities_count", "scheming_dataset_schema_list", "scheming_dataset_schema_show",
    "scheming_organization_schema_list", "scheming_organization_schema_show", "scheming_group_schema_list",
    "scheming_group_schema_show", "govshare_vocabulary_list", "dcat_catalog_search",
    # the deadline policies and the empty catalogue template are public texts, no entry's
    "govshare_deadline_policy_show", "govshare_catalogue_template", "govshare_department_template",
}
# Read actions that hand out entries/resources/activities: filtered by the access layer
# (hooks in plugin.py, chained auth in access/auth.py, chained actions in access/actions.py)
# and walked above.
FILTERED_ACTIONS = {
    "package_show", "package_search", "package_list", "current_package_list_with_resources",
    "package_autocomplete", "resource_search", "resource_show", "resource_view_list", "resource_view_show",
    "group_package_show", "tag_show", "member_list", "dataset_follower_count", "am_following_dataset",
    "package_relationships_list", "package_activity_list", "group_activity_list",
    "organization_activity_list", "user_activity_list", "dashboard_activity_list",
    "recently_changed_packages_activity_list", "activity_show", "activity_data_show", "activity_diff",
    "dcat_dataset_show", "dcat_catalog_show", "dcat_datasets_list", "govshare_grant_list",
    "datastore_search", "datastore_info",
    # CKAN 2.12's file storage (tests/access/test_files.py)
    "file_show", "file_owner_scan",
    # suggestions come from package_search in the caller's own context
    # (tests/search/test_suggest.py: a withheld title is never suggested to the public)
    "govshare_search_suggest",
    # comments on an entry: only on an entry the caller may know of, hidden ones only for its
    # department and the authority (tests/feedback/test_actions.py, every actor)
    "govshare_feedback_list",
}
# Read actions over one's own records (applications: the applicant and the providing
# department only, tests/applications/test_actions.py; a department's catalogue export: its
# administrators only, tests/catalogue/test_actions.py; the ten-year logs: sysadmins only,
# tests/oversight/test_log_api.py).
OWN_RECORD_ACTIONS = {"govshare_application_show", "govshare_application_list", "govshare_application_event_list",
                      "govshare_catalogue_export", "govshare_log_list",
                      # the department registry: the authority only (tests/catalogue/test_registry.py)
                      "govshare_department_export",
                      # statistics: aggregate figures for everybody, the lists naming entries only for
                      # the department's members and the authority (tests/oversight/test_statistics_views.py)
                      "govshare_statistics_show",
                      # one's own update notices; a department's upkeep for its members and the
                      # authority (tests/notices/test_actions.py, every actor)
                      "govshare_notice_list", "govshare_upkeep_list",
                      # catalogue reviews: a department's for its members, all for the authority
                      # (tests/review/test_auth.py, every actor)
                      "govshare_review_list", "govshare_review_show"}


@pytest.mark.usefixtures("with_plugins")
def test_every_read_action_is_classified():
    """A new side-effect-free action must be classified, so it is covered or the test fails."""
    tk.get_action("package_show")  # make sure the registry is built
    read_actions = {name for name, fn in registered_actions.items() if getattr(fn, "side_effect_free", False)}
    unclassified = read_actions - UNRELATED_ACTIONS - FILTERED_ACTIONS - OWN_RECORD_ACTIONS
    assert not unclassified, f"read actions not covered by the access matrix: {sorted(unclassified)}"


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_datastore_rows_follow_data_access(app):
    """DataStore rows are data: the access matrix over datastore_search and datastore_info."""
    world = World()
    admin = {"user": world.users["sysadmin"]["name"]}
    for combo, pkg in world.entries.items():
        helpers.call_action("datastore_create", context=dict(admin), resource_id=pkg["resources"][0]["id"],
                            force=True, fields=[{"id": "marker", "type": "text"}],
                            records=[{"marker": marker(*combo, "row")}])
    views = {combo: helpers.call_action("resource_view_create", context=dict(admin),
                                        resource_id=pkg["resources"][0]["id"], view_type="datatables_view",
                                        title="表格预览")["id"]
             for combo, pkg in world.entries.items()}
    table_form = {"draw": "1", "search[value]": "", "start": "0", "length": "10", "order[0][column]": "0",
                  "order[0][dir]": "asc", "columns[0][data]": "marker", "columns[0][name]": "marker",
                  "columns[0][searchable]": "true", "columns[0][search][value]": ""}
    download_form = {"params": '{"search": {"value": ""}, "order": [], "columns": [], "visible": []}',
                     "format": "csv"}
    failures = []
    for actor in ACTORS:
        for combo, pkg in world.entries.items():
            see, data = expected_see(actor, *combo), expected_data(actor, *combo)
            # the DataStore preview (datatables_view) serves the same rows
            for route, form in (("ajax", table_form), ("filtered-download", download_form)):
                resp = app.post(f"/datatables/{route}/{views[combo]}", data=form, headers=world.headers(actor),
                                status=None)
                if resp.status_code >= 500:
                    failures.append(f"{actor} {combo} datatables {route}: {resp.status_code}")
                if not data and marker(*combo, "row") in resp.get_data(as_text=True):
                    failures.append(f"{actor} gets the DataStore preview rows of {combo} ({route})")
                if data and route == "ajax" and marker(*combo, "row") not in resp.get_data(as_text=True):
                    failures.append(f"{actor} {combo} datatables {route}: no rows ({resp.status_code})")
            for action in ("datastore_search", "datastore_info"):
                resp = app.post(f"/api/3/action/{action}", json={"resource_id": pkg["resources"][0]["id"],
                                                                 "id": pkg["resources"][0]["id"]},
                                headers=world.headers(actor), status=None)
                body = resp.get_data(as_text=True)
                if data and resp.status_code != 200:
                    failures.append(f"{actor} {combo} {action}: {resp.status_code}, expected 200")
                if not data and resp.status_code not in (403, 404):
                    failures.append(f"{actor} {combo} {action}: {resp.status_code}, expected 403/404")
                if not see and resp.status_code != 404:
                    failures.append(f"{actor} {combo} {action}: {resp.status_code}, expected 404")
                if not data and marker(*combo, "row") in body:
                    failures.append(f"{actor} gets DataStore rows of {combo}")
                if action == "datastore_search" and data:
                    assert marker(*combo, "row") in body
            dump = app.get(f"/datastore/dump/{pkg['resources'][0]['id']}", headers=world.headers(actor), status=None)
            expected = 200 if data else (403 if see else 404)
            if dump.status_code != expected:
                failures.append(f"{actor} {combo} datastore dump: {dump.status_code}, expected {expected}")
            if not data and marker(*combo, "row") in dump.get_data(as_text=True):
                failures.append(f"{actor} gets the DataStore dump of {combo}")
            if "datastore.api_info" in app.flask_app.view_functions:  # CKAN 2.12: the API examples
                info = app.get(f"/datastore/api_info/{pkg['resources'][0]['id']}", headers=world.headers(actor),
                               status=None)
                if info.status_code != expected:
                    failures.append(f"{actor} {combo} datastore api_info: {info.status_code}, expected {expected}")
    assert not failures, "\n".join(failures[:40])


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
class TestChangesTakeEffectAtOnce:
    def _setup(self):
        citizen = factories.User()
        org = department()
        clerk = factories.Sysadmin()
        pkg = helpers.call_action("package_create", context={"user": clerk["name"]}, **entry_data(
            org, resources=[{"url": "https://data.example.gov.cn/MARKchange.csv"}]))
        return citizen, org, pkg

    def test_level_change_hides_entry_everywhere(self, app):
        citizen, org, pkg = self._setup()
        assert app.get(f"/dataset/{pkg['name']}", status=200)
        # an activity exists in the public stream
        assert pkg["name"] in app.get("/api/3/action/recently_changed_packages_activity_list").get_data(as_text=True)
        helpers.call_action("package_patch", context={"user": factories.Sysadmin()["name"]}, id=pkg["id"],
                            open_type="closed", open_basis="涉及国家秘密")
        app.get(f"/dataset/{pkg['name']}", status=404)
        app.get("/api/3/action/package_show", query_string={"id": pkg["id"]}, status=404)
        assert app.get("/api/3/action/package_search").json["result"]["count"] == 0
        assert pkg["name"] not in app.get("/api/3/action/recently_changed_packages_activity_list").get_data(as_text=True)
        assert pkg["name"] not in app.get("/catalog.ttl").get_data(as_text=True)

    def test_conditional_change_withholds_url_and_index(self, app):
        citizen, org, pkg = self._setup()
        assert "MARKchange" in app.get("/api/3/action/package_search?fl=id,res_url").get_data(as_text=True)
        helpers.call_action("package_patch", context={"user": factories.Sysadmin()["name"]}, id=pkg["id"],
                            open_type="conditional", open_condition="实名", open_basis="依据")
        for url in ("/api/3/action/package_search?fl=id,res_url,validated_data_dict",
                    "/api/3/action/package_search?fl=res_url,validated_data_dict",
                    f"/api/3/action/package_show?id={pkg['id']}", f"/dataset/{pkg['name']}",
                    "/api/3/action/package_search?q=MARKchange"):
            assert "MARKchange" not in app.get(url).get_data(as_text=True), url
        assert app.get("/api/3/action/package_search?q=res_url:*MARKchange*").json["result"]["count"] == 0

    def test_grant_expiry_and_revocation_close_access_at_once(self, app):
        from ckanext.govshare.model import Grant

        citizen, org, pkg = self._setup()
        admin = {"user": factories.Sysadmin()["name"]}
        helpers.call_action("package_patch", context=dict(admin), id=pkg["id"],
                            open_type="conditional", open_condition="实名", open_basis="依据")
        token = {"Authorization": factories.APIToken(user=citizen["id"])["token"]}
        download = f"/dataset/{pkg['id']}/resource/{pkg['resources'][0]['id']}/download"
        app.get(download, headers=token, status=403)
        grant = helpers.call_action("govshare_grant_create", context=dict(admin), package_id=pkg["id"],
                                    kind="open", user_id=citizen["id"], expires_at="2099-12-31T00:00:00")
        assert app.get(download, headers=token, status=302, follow_redirects=False)
        model.Session.query(Grant).filter_by(id=grant["id"]).update(
            {"expires_at": datetime.datetime.utcnow() - datetime.timedelta(seconds=1)})
        model.Session.commit()
        app.get(download, headers=token, status=403)
        grant2 = helpers.call_action("govshare_grant_create", context=dict(admin), package_id=pkg["id"],
                                     kind="open", user_id=citizen["id"])
        assert app.get(download, headers=token, status=302, follow_redirects=False)
        helpers.call_action("govshare_grant_revoke", context=dict(admin), id=grant2["id"], reason="违反使用协议")
        app.get(download, headers=token, status=403)
        # the history stays
        grants = helpers.call_action("govshare_grant_list", context=dict(admin), package_id=pkg["id"])
        assert [g["valid"] for g in grants] == [False, False]


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
class TestGrantRules:
    def test_only_provider_admin_grants(self):
        citizen = factories.User()
        clerk = factories.User()
        org = department(users=[{"name": clerk["name"], "capacity": "editor"}])
        pkg = entry(org, open_type="conditional", open_condition="实名", open_basis="依据")
        with pytest.raises(tk.NotAuthorized):
            helpers.call_action("govshare_grant_create", context={"user": clerk["name"], "ignore_auth": False},
                                package_id=pkg["id"], kind="open", user_id=citizen["id"])

    def test_open_grant_only_for_conditional_entries(self):
        citizen = factories.User()
        pkg = entry(department())
        with pytest.raises(tk.ValidationError) as e:
            helpers.call_action("govshare_grant_create", context={"user": factories.Sysadmin()["name"]},
                                package_id=pkg["id"], kind="open", user_id=citizen["id"])
        assert "kind" in e.value.error_dict


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
@pytest.mark.ckan_config("ckanext.govshare.unconditional_requires_login", "true")
def test_unconditional_download_needs_login_when_configured(app):
    """chongqing-2019 §33 ¶3: direct access after identity authentication."""
    pkg = entry(department(), resources=[{"url": "https://data.example.gov.cn/MARKlogin.csv"}])
    download = f"/dataset/{pkg['id']}/resource/{pkg['resources'][0]['id']}/download"
    app.get(download, status=403)
    assert "MARKlogin" not in app.get(f"/api/3/action/package_show?id={pkg['id']}").get_data(as_text=True)
    user = factories.User()
    token = {"Authorization": factories.APIToken(user=user["id"])["token"]}
    assert app.get(download, headers=token, status=302, follow_redirects=False)


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_unconditional_entry_behaves_like_a_public_ckan_dataset(app):
    """Plain CKAN behaviour for fully open data is unchanged: anonymous users get exactly
    what a sysadmin gets, through the API, search, the pages and the download route."""
    admin = factories.Sysadmin()
    pkg = helpers.call_action("package_create", context={"user": admin["name"]}, **entry_data(
        department(), resources=[{"url": "https://data.example.gov.cn/open.csv", "name": "公开数据"}]))
    token = {"Authorization": factories.APIToken(user=admin["id"])["token"]}
    as_admin = app.get(f"/api/3/action/package_show?id={pkg['id']}", headers=token).json["result"]
    anonymous = app.get(f"/api/3/action/package_show?id={pkg['id']}").json["result"]
    assert anonymous == as_admin
    assert "govshare_data_withheld" not in anonymous
    found = app.get("/api/3/action/package_search?fl=id,res_url").json["result"]["results"]
    assert found == [{"id": pkg["id"], "res_url": ["https://data.example.gov.cn/open.csv"]}]
    resp = app.get(f"/dataset/{pkg['id']}/resource/{pkg['resources'][0]['id']}/download", follow_redirects=False)
    assert resp.status_code == 302 and resp.headers["Location"] == "https://data.example.gov.cn/open.csv"
    assert "https://data.example.gov.cn/open.csv" in app.get(f"/dataset/{pkg['name']}").get_data(as_text=True)
    activity = app.get(f"/api/3/action/package_activity_list?id={pkg['id']}").json["result"]
    assert activity and activity[0]["activity_type"] == "new package"


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestLabelsAgreeWithCkan:
    """The request's principal replaces CKAN's ``organization_list_for_user`` lookup for the
    permission labels, so both must name the same departments for every kind of membership
    (and the access rules then use exactly the departments CKAN's own labels would)."""

    def _ckan_labels(self, user: model.User) -> set[str]:
        from ckan.lib.plugins import DefaultPermissionLabels

        return set(DefaultPermissionLabels().get_user_dataset_labels(user))

    def _ours(self, user: model.User) -> set[str]:
        from ckanext.govshare.access import rules as access

        return set(access.user_labels(user)) - {access.DEPARTMENT_LABEL}

    @pytest.mark.ckan_config("ckan.auth.allow_dataset_collaborators", "true")
    def test_every_kind_of_membership(self):
        from ckanext.govshare.access import rules as access

        users = {k: factories.User() for k in ("none", "member", "editor", "admin", "parent_admin",
                                               "parent_editor", "left", "collaborator")}
        parent, child, grandchild = department(), department(), department()
        deleted = department()
        model.Session.add(model.Member(group=model.Group.get(child["id"]), table_id=parent["id"], table_name="group",
                                       capacity="parent", state="active"))
        model.Session.add(model.Member(group=model.Group.get(grandchild["id"]), table_id=child["id"], table_name="group",
                                       capacity="parent", state="active"))
        model.Session.commit()
        for key, org, role in (("member", child, "member"), ("editor", child, "editor"),
                               ("admin", child, "admin"), ("parent_admin", parent, "admin"),
                               ("parent_editor", parent, "editor"), ("left", child, "editor"),
                               ("editor", deleted, "editor")):
            helpers.call_action("organization_member_create", id=org["id"], username=users[key]["name"], role=role)
        site = {"ignore_auth": True, "user": factories.Sysadmin()["name"]}
        helpers.call_action("organization_member_delete", site, id=child["id"], username=users["left"]["name"])
        helpers.call_action("organization_delete", site, id=deleted["id"])
        shared = entry(child, **{"private": True})
        helpers.call_action("package_collaborator_create", id=shared["id"], user_id=users["collaborator"]["id"],
                            capacity="member")

        for key, user_dict in users.items():
            user = model.User.get(user_dict["id"])
            assert self._ours(user) == self._ckan_labels(user), key
        # the admin of the parent reaches the departments below it, as CKAN's cascade does
        parent_admin = access.principal_for(users["parent_admin"]["name"])
        assert parent_admin.org_ids == {parent["id"], child["id"], grandchild["id"]}
        assert access.principal_for(users["parent_editor"]["name"]).org_ids == {parent["id"]}
        assert access.principal_for(users["left"]["name"]).org_ids == frozenset()
        assert access.principal_for(users["editor"]["name"]).org_ids == {child["id"]}
        assert f"collaborator-{shared['id']}" in self._ours(model.User.get(users["collaborator"]["id"]))

    def test_share_grants_reach_the_departments_below_a_parent_admin(self):
        """A share grant to a department (chongqing-2018 §19) serves whoever reads that
        department's entries, including the administrators of the department above it."""
        from ckanext.govshare.access import rules as access

        parent, child, provider = department(), department(), department()
        model.Session.add(model.Member(group=model.Group.get(child["id"]), table_id=parent["id"], table_name="group",
                                       capacity="parent", state="active"))
        model.Session.commit()
        admin, sysadmin = factories.User(), factories.Sysadmin()
        helpers.call_action("organization_member_create", id=parent["id"], username=admin["name"], role="admin")
        item = entry(provider, **LEVEL_EXTRAS[("conditional", "conditional")],
                     open_type="conditional", share_type="conditional")
        helpers.call_action("govshare_grant_create", context={"user": sysadmin["name"]}, package_id=item["id"],
                            kind="share", organization_id=child["id"])
        principal = access.principal_for(admin["name"])
        assert principal.share_grants == {item["id"]}
        assert access.can_use_data(principal, model.Package.get(item["id"]))


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_visible_clause_agrees_with_can_see():
    """The SQL form of "may know of" (tag lists, users' entry counts) decides as can_see does,
    for every actor and every open × share combination."""
    from ckanext.govshare.access import rules as access

    world = World()
    ids = [pkg["id"] for pkg in world.entries.values()]
    for actor in ACTORS:
        principal = access.ANONYMOUS if actor == "anonymous" else access.principal_for(world.users[actor]["name"])
        in_sql = {i for (i,) in model.Session.query(model.Package.id).filter(
            model.Package.id.in_(ids), access.visible_clause(principal))}
        in_python = {i for i in ids if access.can_see(principal, model.Package.get(i))}
        assert in_sql == in_python, actor
        for combo, pkg in world.entries.items():
            assert (pkg["id"] in in_sql) == expected_see(actor, *combo), (actor, combo)
