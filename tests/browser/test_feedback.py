# -*- coding: utf-8 -*-
"""Feedback and update notices in the browser, in the default locale (zh_Hans_CN):

- a citizen rates and comments on an open entry's page, the department's clerk answers on the
  same page, and the answer shows publicly (chongqing-2018 §25, chongqing-2019 §37); the clerk
  hides an abusive comment with a reason, which the public then no longer sees;
- a citizen subscribes on the entry page; when the department changes the entry's data the
  notice appears on ``/dashboard/notices`` with the unread count in the header
  (shenyang-2016 §22)."""
from __future__ import annotations

import pytest

from ckan.tests.helpers import call_action
from selenium.webdriver.common.by import By


def test_citizen_comments_and_department_answers(browser, world):
    browser.login("citizen")
    browser.get("/dataset/gongjiao", step="entry-with-feedback-form")
    assert "暂无评价" in browser.text()
    browser.click_element(browser.find("govshare-rating-4"))
    browser.fill("govshare-comment", "数据更新及时，建议增加线路站点坐标。<script>alert(1)</script>")
    browser.submit("govshare-feedback-submit", step="comment-published")
    text = browser.text()
    assert "感谢您的评价" in text and "建议增加线路站点坐标" in text
    assert "平均评分 4.0" in text and "<script>alert(1)</script>" in text  # shown as typed, not run

    browser.login("clerk")
    browser.get("/dataset/gongjiao", step="clerk-sees-reply-form")
    reply = browser.driver.find_element(By.CSS_SELECTOR, ".govshare-reply-form textarea")
    reply.send_keys("感谢建议，站点坐标将于下月发布。")
    browser.submit(".govshare-reply-form button[type=submit]", step="answer-published", by=By.CSS_SELECTOR)
    assert "答复已发布" in browser.text()

    browser.logout()
    browser.get("/dataset/gongjiao", step="public-sees-answer")
    text = browser.text()
    assert "提供部门的答复" in text and "站点坐标将于下月发布" in text
    assert not browser.driver.find_elements(By.CSS_SELECTOR, ".govshare-reply-form, .govshare-hide-form")


def test_department_hides_an_abusive_comment(browser, world):
    call_action("govshare_feedback_create", {"user": "citizen"}, package_id=world.gongjiao["id"], rating=1,
                comment="这是辱骂性评论")
    browser.login("clerk")
    browser.get("/dataset/gongjiao", step="clerk-before-hiding")
    reason = browser.driver.find_element(By.CSS_SELECTOR, ".govshare-hide-form input[name=reason]")
    reason.send_keys("含有辱骂性语言")
    browser.submit(".govshare-hide-form button[type=submit]", step="comment-hidden", by=By.CSS_SELECTOR)
    text = browser.text()
    assert "该评论已对公众隐藏" in text and "已对公众隐藏。原因：含有辱骂性语言" in text

    browser.logout()
    browser.get("/dataset/gongjiao", step="public-without-hidden-comment")
    assert "这是辱骂性评论" not in browser.text() and "暂无评价" in browser.text()


def test_subscriber_gets_an_update_notice(browser, world, run_jobs):
    browser.login("citizen")
    browser.get("/dataset/gongjiao", step="")
    browser.submit("govshare-subscribe", step="subscribed")
    assert "数据或条件发生变化时将通知您" in browser.text()
    assert browser.driver.find_elements(By.ID, "govshare-unsubscribe")

    call_action("resource_create", {"user": "clerk"}, package_id=world.gongjiao["id"], name="2027年客流",
                url="https://data.example.gov.cn/gongjiao-2027.csv", format="CSV", access_method="download")
    run_jobs()
    browser.get("/dataset/gongjiao", step="")
    assert browser.find("govshare-notices-unread").text.strip() == "1"
    browser.submit("govshare-notices-link", step="notices")
    table = browser.find("govshare-notices").text
    assert "公交线路客流量" in table and "数据（资源）" in table and "您已订阅" in table
    browser.submit("govshare-notices-read-all", step="notices-read")
    assert not browser.driver.find_elements(By.ID, "govshare-notices-unread")


@pytest.mark.ckan_config("ckanext.govshare.deadline_policy", "shenyang-2016")
def test_objection_shows_on_the_department_upkeep_tab(browser, world):
    """shenyang-2016 §12, §22: a citizen says the entry is out of date; the department sees the
    correction due within 2 working days on its upkeep tab."""
    browser.login("citizen")
    browser.get("/dataset/gongjiao", step="")
    browser.click_element(browser.find("govshare-rating-2"))
    browser.fill("govshare-comment", "线路已调整，数据仍是旧的。")
    browser.click_element(browser.find("govshare-objection"))
    browser.submit("govshare-feedback-submit", step="objection-published")
    assert "反映数据有误或过时" in browser.text()

    browser.login("clerk")
    browser.get("/organization/jtj", step="")
    browser.submit("a[href='/organization/jtj/upkeep']", step="upkeep-tab", by=By.CSS_SELECTOR)
    duties = browser.find("govshare-upkeep-duties").text
    assert "公交线路客流量" in duties and "shenyang-2016 §22" in duties
    assert "2个工作日" in browser.text()
