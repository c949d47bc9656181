# -*- coding: utf-8 -*-
"""Update notices (shenyang-2016 §22: 在共享信息产生或者变更之后2个工作日内进行更新，并通知该
共享信息的获取方): when an entry's data (resources) or conditions change, the holders of a valid
grant and the subscribers are told on the site and by mail; the request only queues a job in
Redis, CKAN's worker writes the notices and delivers the mail. A save that changes neither
tells nobody; a receiver of CKAN's signal does the work (no core action is wrapped)."""
from __future__ import annotations

import email

import pytest

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib import jobs

from ckanext.govshare.notices import jobs as notice_jobs
from ckanext.govshare.notices import subscriptions
from ckanext.govshare.notices.model import Notice

CHANGED = "ckanext.govshare.notices.jobs.entry_changed"
DELIVER = "ckanext.govshare.applications.notify.deliver"


def _queued(func: str) -> list:
    return [j for j in jobs.get_queue().jobs if j.func_name == func]


def _notices() -> list[tuple[str, str, str]]:
    model.Session.remove()
    return sorted((n.user_id, n.kind, n.reason) for n in model.Session.query(Notice))


@pytest.mark.ckan_config("ckan.site_url", "http://test.ckan.net")
def test_a_data_change_notifies_grant_holders_and_subscribers(nw, run_jobs, mail_server):
    """shenyang-2016 §22: the consumers of changed data are notified — the open grant's holder,
    every member of the department holding a share grant, and the subscribers."""
    nw.grant_both()
    nw.call("govshare_subscription_create", "subscriber", package_id=nw.pkg["name"])
    run_jobs()
    before = len(mail_server.get_smtp_messages())

    nw.edit(resources=[{"url": "https://data.example.gov.cn/chuzuche-2027.csv", "name": "运营数据"}])

    # in the request: one job in Redis, nothing written or sent yet
    assert len(_queued(CHANGED)) == 1 and _notices() == []
    assert len(mail_server.get_smtp_messages()) == before
    run_jobs()  # CKAN's worker: the notices, then the mails it queued
    # every member of the department holding the share grant (its clerk and the account that
    # created it), the open grant's holder, the subscriber
    members = {uid for (uid,) in model.Session.query(model.Member.table_id).filter(
        model.Member.group_id == nw.other_org["id"], model.Member.table_name == "user",
        model.Member.state == "active")} - {model.User.get(tk.config.get("ckan.site_id")).id}
    assert nw.outsider["id"] in members
    told = {**{uid: "grant" for uid in members}, nw.citizen["id"]: "grant", nw.subscriber["id"]: "subscription"}
    assert _notices() == sorted((uid, "data", why) for uid, why in told.items())
    expected = sorted(model.User.get(uid).email for uid in told)  # every account here has an email
    assert sorted(r for _, _, rcpts, _ in mail_server.get_smtp_messages()[before:] for r in rcpts) == expected
    body = email.message_from_string(mail_server.get_smtp_messages()[-1][3]).get_payload(decode=True).decode()
    assert "chuzuche" in body and "data.example.gov.cn" not in body  # a link to the page, not the data


@pytest.mark.ckan_config("ckanext.govshare.catalogue_review", "false")
def test_a_conditions_change_is_told_apart_from_a_data_change(nw, run_jobs):
    """shenyang-2016 §22: conditions (open/share attribute, conditions and basis) are a change
    of their own."""
    nw.call("govshare_subscription_create", "subscriber", package_id=nw.pkg["id"])
    nw.edit(open_condition="仅限科研和教学用途")
    run_jobs()
    assert _notices() == [(nw.subscriber["id"], "conditions", "subscription")]


def test_a_save_that_changes_neither_tells_nobody(nw, run_jobs):
    nw.grant_both()
    nw.call("govshare_subscription_create", "subscriber", package_id=nw.pkg["id"])
    nw.edit(notes="补充说明：数据按月汇总。")
    assert _queued(CHANGED) == []
    run_jobs()
    assert _notices() == []


def test_the_person_who_changed_it_and_strangers_are_not_told(nw, run_jobs):
    nw.call("govshare_subscription_create", "department", package_id=nw.pkg["id"])
    nw.call("govshare_subscription_create", "subscriber", package_id=nw.pkg["id"])
    nw.edit("department", resources=[{"url": "https://data.example.gov.cn/new.csv"}])
    run_jobs()
    # the clerk made the change; the head and the authority neither hold a grant nor subscribed
    assert _notices() == [(nw.subscriber["id"], "data", "subscription")]


def test_unsubscribe_and_revoked_grants_end_the_notices(nw, run_jobs):
    nw.grant_both()
    nw.call("govshare_subscription_create", "subscriber", package_id=nw.pkg["id"])
    nw.call("govshare_subscription_delete", "subscriber", package_id=nw.pkg["id"])
    grants = tk.get_action("govshare_grant_list")({"user": nw.sysadmin["name"]}, {"package_id": nw.pkg["id"]})
    for grant in grants if isinstance(grants, list) else grants["results"]:
        tk.get_action("govshare_grant_revoke")({"user": nw.sysadmin["name"]}, {"id": grant["id"], "reason": "到期收回"})
    nw.edit(resources=[{"url": "https://data.example.gov.cn/again.csv"}])
    run_jobs()
    assert _notices() == []


def test_a_withheld_entry_tells_only_who_may_still_see_it(nw, run_jobs):
    """A subscriber who can no longer see the entry (不予开放) learns nothing of it."""
    nw.call("govshare_subscription_create", "subscriber", package_id=nw.pkg["id"])
    nw.call("govshare_subscription_create", "other_department", package_id=nw.pkg["id"])
    nw.edit("sysadmin", open_type="closed", share_type="conditional", open_condition="",
            open_basis="涉及个人隐私")
    run_jobs()
    # the other department still sees a shared entry (chongqing-2018 §16); the citizen does not
    assert _notices() == [(nw.outsider["id"], "conditions", "subscription")]
    listed = nw.call("govshare_notice_list", "subscriber")
    assert listed["notices"] == []


def test_the_notices_answer_the_signal_not_a_wrapper(nw, run_jobs):
    nw.call("govshare_subscription_create", "subscriber", package_id=nw.pkg["id"])
    tk.signals.action_succeeded.disconnect(subscriptions.entry_saved, sender="package_update")
    try:
        nw.edit(resources=[{"url": "https://data.example.gov.cn/a.csv"}])
        assert _queued(CHANGED) == []
    finally:
        tk.signals.action_succeeded.connect(subscriptions.entry_saved, sender="package_update")
    nw.edit(resources=[{"url": "https://data.example.gov.cn/b.csv"}])
    assert len(_queued(CHANGED)) == 1


def test_resource_actions_are_changes_of_the_data(nw, run_jobs):
    """resource_create / resource_delete save through package_update: each is one change."""
    nw.call("govshare_subscription_create", "subscriber", package_id=nw.pkg["id"])
    res = nw.call("resource_create", "department", package_id=nw.pkg["id"], url="https://data.example.gov.cn/x.csv",
                  name="新增数据")
    nw.call("resource_delete", "department", id=res["id"])
    run_jobs()
    assert _notices() == [(nw.subscriber["id"], "data", "subscription")] * 2


def test_the_job_writes_nothing_for_a_deleted_entry(nw):
    assert notice_jobs.entry_changed("no-such-entry", ["data"], None, "s", "b") == 0
