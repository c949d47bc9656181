# -*- coding: utf-8 -*-
"""Deadline policies: one profile per regulation, every value with its article
(pure unit tests, no database). Dates are counted by hand from the official holiday
schedules (see tests/applications/test_workdays.py)."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from ckanext.govshare.applications import deadlines
from ckanext.govshare.applications.deadlines import KindPolicy, Policy, load_policy

D = dt.date
UTC = dt.timezone.utc
CST = dt.timezone(dt.timedelta(hours=8))
PROFILES = ["chongqing-2018", "chongqing-2019", "kunming-2019", "shenyang-2016", "shijingshan-2017"]
KINDS = ["open", "share", "error_report", "catalogue_correction", "open_demand"]
ARTICLE = re.compile(r"^(chongqing-2018|chongqing-2019|kunming-2019|shenyang-2016|shijingshan-2017) §\d+(\(\d+\))?$")


def end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.max, tzinfo=CST).astimezone(UTC)


def limits(policy: Policy, kind: str) -> tuple:
    k = policy.kinds[kind]
    return (k.reply_days, k.reply_article, k.extension_days, k.extension_article, k.extension_consent)


# -- the bundled profiles -----------------------------------------------------------------------
def test_policy_names():
    assert deadlines.policy_names() == PROFILES
    assert deadlines.DEFAULT_POLICY == "chongqing-2018"


@pytest.mark.parametrize("name", PROFILES)
def test_every_bundled_profile_loads(name):
    policy = load_policy(name)
    assert isinstance(policy, Policy)
    assert policy.name == name
    assert policy.title_zh and policy.title_en
    # decision (docs/deadlines.md): every bundled profile offers all five kinds; a kind the
    # regulation does not cover is inherited, with a note, from the default profile
    assert list(policy.kinds) == KINDS
    for code, k in policy.kinds.items():
        assert isinstance(k, KindPolicy) and k.kind == code
        assert k.label_zh == deadlines.KINDS[code][0] and k.label_en == deadlines.KINDS[code][1]
        assert 1 <= k.reply_days <= 15
        assert ARTICLE.match(k.reply_article), k.reply_article
        if k.extension_days:
            assert ARTICLE.match(k.extension_article or ""), k.extension_article
            assert k.extension_consent in deadlines.CONSENTS
        else:
            assert k.extension_article is None and k.extension_consent is None
        if k.inherited_from:
            assert k.note, f"{name}/{code}: an inherited value needs a note"
            assert not k.reply_article.startswith(name)
        else:
            assert k.reply_article.startswith(name + " ")
    for duty, u in policy.upkeep.items():
        # a duty the profile's own text sets no limit for borrows another profile's, with a note
        assert u.duty == duty and (u.article.startswith(name + " ") or u.note), (name, duty)
        assert (u.days is None) != (u.period_months is None)
    assert load_policy(name) is load_policy(name)  # cached


def test_chongqing_2018():
    p = load_policy("chongqing-2018")
    # chongqing-2018 §24: reply in 15 working days, one extension ≤ 15, 提供部门负责人 consents
    assert limits(p, "open") == (15, "chongqing-2018 §24", 15, "chongqing-2018 §24", "provider_head")
    # chongqing-2018 §19: conditional share, reply in 10 working days, no extension
    assert limits(p, "share") == (10, "chongqing-2018 §19", 0, None, None)
    # chongqing-2018 §20: check a doubt or error in 10 working days, extension ≤ 15
    assert limits(p, "error_report") == (10, "chongqing-2018 §20", 15, "chongqing-2018 §20", "provider_head")
    # not covered by chongqing-2018: open-catalogue correction from chongqing-2019 §32 …
    assert limits(p, "catalogue_correction") == (
        10, "chongqing-2019 §32", 10, "chongqing-2019 §32", "provider_principal_head")
    assert p.kinds["catalogue_correction"].inherited_from == "chongqing-2019"
    # … and open-data demands from shijingshan-2017 §22 (15, no extension)
    assert limits(p, "open_demand") == (15, "shijingshan-2017 §22", 0, None, None)
    assert p.kinds["open_demand"].inherited_from == "shijingshan-2017"
    # chongqing-2018 §9: catalogue updated within 15 days; §10: reported within 10
    assert (p.upkeep["catalogue_update"].days, p.upkeep["catalogue_update"].article) == (15, "chongqing-2018 §9")
    assert (p.upkeep["catalogue_report"].days, p.upkeep["catalogue_report"].article) == (10, "chongqing-2018 §10")


def test_chongqing_2019():
    p = load_policy("chongqing-2019")
    # chongqing-2019 §33: 10 working days, one extension ≤ 10, 主要负责人 consents
    assert limits(p, "open") == (10, "chongqing-2019 §33", 10, "chongqing-2019 §33", "provider_principal_head")
    # chongqing-2019 §19: error check in 10, extension ≤ 10
    assert limits(p, "error_report") == (
        10, "chongqing-2019 §19", 10, "chongqing-2019 §19", "provider_principal_head")
    # chongqing-2019 §32: open-catalogue correction in 10, extension ≤ 10
    assert limits(p, "catalogue_correction") == (
        10, "chongqing-2019 §32", 10, "chongqing-2019 §32", "provider_principal_head")
    # no share limit in chongqing-2019 (§26-27): the default's chongqing-2018 §19 (10)
    assert limits(p, "share") == (10, "chongqing-2018 §19", 0, None, None)
    assert p.kinds["share"].inherited_from == "chongqing-2018"
    assert limits(p, "open_demand") == (15, "shijingshan-2017 §22", 0, None, None)
    # chongqing-2019 §14: request an update in 10; the authority reviews in 5
    assert p.upkeep["catalogue_update_request"].days == 10
    assert p.upkeep["catalogue_update_review"].days == 5
    assert p.upkeep["catalogue_update_review"].article == "chongqing-2019 §14"


def test_shenyang_2016():
    p = load_policy("shenyang-2016")
    # shenyang-2016 §20(4): restricted share, opinion within 7 working days of the written application
    assert limits(p, "share") == (7, "shenyang-2016 §20(4)", 0, None, None)
    # the text covers sharing only: the rest from the default profile
    assert limits(p, "open") == (15, "chongqing-2018 §24", 15, "chongqing-2018 §24", "provider_head")
    assert {k.inherited_from for c, k in p.kinds.items() if c != "share"} == {"chongqing-2018"}
    # shenyang-2016 §12: entry updated within 2; full maintenance every 6 months
    assert p.upkeep["entry_update"].days == 2
    assert p.upkeep["catalogue_review"].period_months == 6
    # shenyang-2016 §22: shared data updated within 2, consumers notified
    assert (p.upkeep["data_update"].days, p.upkeep["data_update"].article) == (2, "shenyang-2016 §22")


def test_kunming_2019():
    p = load_policy("kunming-2019")
    # kunming-2019 §25: conditional share, reply in 10 working days
    assert limits(p, "share") == (10, "kunming-2019 §25", 0, None, None)
    # kunming-2019 §26 has error feedback without a limit: chongqing-2018 §20 applies
    assert limits(p, "error_report") == (10, "chongqing-2018 §20", 15, "chongqing-2018 §20", "provider_head")
    assert "§26" in (p.kinds["error_report"].note or "")
    # kunming-2019 §15: 15; §14: 10; §18: data within 5; §19: yearly maintenance
    assert p.upkeep["catalogue_update"].days == 15
    assert p.upkeep["catalogue_report"].days == 10
    assert p.upkeep["data_update"].days == 5
    assert p.upkeep["catalogue_review"].period_months == 12


def test_shijingshan_2017():
    p = load_policy("shijingshan-2017")
    # shijingshan-2017 §20: reply to a conditional share request within 10 working days
    assert limits(p, "share") == (10, "shijingshan-2017 §20", 0, None, None)
    # shijingshan-2017 §22: feedback on an open-data demand within 15 working days
    assert limits(p, "open_demand") == (15, "shijingshan-2017 §22", 0, None, None)
    assert p.kinds["open_demand"].inherited_from is None
    assert p.kinds["open"].inherited_from == "chongqing-2018"
    # shijingshan-2017 §9: catalogue updated within 15
    assert p.upkeep["catalogue_update"].days == 15


def test_labels_and_consent():
    k = load_policy("chongqing-2019").kinds["open"]
    assert k.label("zh") == "开放申请" and k.label("en") == "Open application"
    assert k.consent_label("zh") == "提供部门主要负责人"
    assert load_policy("chongqing-2018").kinds["open"].consent_label("zh") == "提供部门负责人"
    assert load_policy("chongqing-2018").kinds["share"].consent_label() is None
    with pytest.raises(ValueError, match="open_demand"):
        Policy("x", "x", "x", {}).kind("open_demand")


# -- deadline arithmetic per profile around a holiday -------------------------------------------
# Received Tuesday 2025-09-30, the last working day before National Day (off 10/1-10/8;
# 10/11 Saturday is a make-up working day). Working days after it: 10/9, 10/10, 10/11,
# 10/13-17, 10/20-24, 10/27, 10/28 …
RECEIVED = dt.datetime(2025, 9, 30, 15, 0, tzinfo=CST)


@pytest.mark.parametrize(
    "profile, kind, reply_due, max_extended_due",
    [
        # chongqing-2018 §24: 15 → 10/28; + 15 → 10/29-31, 11/3-7, 11/10-14, 11/17, 11/18
        ("chongqing-2018", "open", D(2025, 10, 28), D(2025, 11, 18)),
        # chongqing-2018 §20: 10 → 10/21; + 15 → 10/22-24, 10/27-31, 11/3-7, 11/10, 11/11
        ("chongqing-2018", "error_report", D(2025, 10, 21), D(2025, 11, 11)),
        # chongqing-2018 §19: 10 → 10/21, no extension
        ("chongqing-2018", "share", D(2025, 10, 21), None),
        # chongqing-2019 §33: 10 → 10/21; + 10 → 10/22-24, 10/27-31, 11/3, 11/4
        ("chongqing-2019", "open", D(2025, 10, 21), D(2025, 11, 4)),
        # chongqing-2019 §32: same numbers
        ("chongqing-2019", "catalogue_correction", D(2025, 10, 21), D(2025, 11, 4)),
        # shenyang-2016 §20(4): 7 → 10/9, 10/10, 10/11, 10/13-16
        ("shenyang-2016", "share", D(2025, 10, 16), None),
        # kunming-2019 §25: 10 → 10/21
        ("kunming-2019", "share", D(2025, 10, 21), None),
        # shijingshan-2017 §22: 15 → 10/28
        ("shijingshan-2017", "open_demand", D(2025, 10, 28), None),
        # shijingshan-2017 §20: 10 → 10/21
        ("shijingshan-2017", "share", D(2025, 10, 21), None),
    ],
)
def test_deadlines_around_national_day(cal, profile, kind, reply_due, max_extended_due):
    k = load_policy(profile).kind(kind)
    due = k.reply_deadline(RECEIVED, cal)
    assert due == end_of(reply_due)
    if max_extended_due is None:
        assert not k.extendable
        with pytest.raises(ValueError, match="no extension"):
            k.extended_deadline(due, 1, cal)
    else:
        assert k.extended_deadline(due, calendar=cal) == end_of(max_extended_due)
        assert k.extended_deadline(due, k.extension_days, cal) == end_of(max_extended_due)
        with pytest.raises(ValueError, match="exceeds the limit"):
            k.extended_deadline(due, k.extension_days + 1, cal)
        with pytest.raises(ValueError):
            k.extended_deadline(due, 0, cal)


def test_deadlines_around_spring_festival_2026(cal):
    # received Friday 2026-02-13; 2/14 and 2/28 (Saturdays) are make-up working days,
    # 2/15-2/23 off: 2/14, 2/24-27, 2/28, 3/2-6, 3/9-12 …
    received = dt.datetime(2026, 2, 13, 17, 0, tzinfo=CST)
    # chongqing-2018 §24: 15 → 3/12
    open_2018 = load_policy("chongqing-2018").kind("open")
    assert open_2018.reply_deadline(received, cal) == end_of(D(2026, 3, 12))
    # chongqing-2019 §33: 10 → 3/5; one extension of 10 → 3/6, 3/9-13, 3/16-19
    open_2019 = load_policy("chongqing-2019").kind("open")
    due = open_2019.reply_deadline(received, cal)
    assert due == end_of(D(2026, 3, 5))
    assert open_2019.extended_deadline(due, 10, cal) == end_of(D(2026, 3, 19))
    # an extension of 3 working days: 3/6, 3/9, 3/10
    assert open_2019.extended_deadline(due, 3, cal) == end_of(D(2026, 3, 10))
    # shenyang-2016 §20(4): 7 → 2/14, 2/24, 2/25, 2/26, 2/27, 2/28, 3/2
    assert load_policy("shenyang-2016").kind("share").reply_deadline(received, cal) == end_of(D(2026, 3, 2))


# -- a portal's own profile ----------------------------------------------------------------------
def _write(tmp_path, text: str, name: str = "portal.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


PORTAL = """\
name: liangjiang
title_zh: 两江新区政务数据开放实施细则
title_en: Liangjiang implementing rules
extends: chongqing-2019
kinds:
  open:
    reply_days: 8
    reply_article: 两江实施细则第十条
    extension: {days: 5, article: 两江实施细则第十条, consent: provider_head}
  share:
    inherit: shenyang-2016
    note: borrowed on purpose
  open_demand:
    available: false
upkeep:
  catalogue_update: {days: 12, article: 两江实施细则第五条}
  quarterly_check: {period_months: 3, article: 两江实施细则第六条, label_zh: 季度检查, label_en: Quarterly check}
"""


def test_a_portal_profile_loads(tmp_path):
    path = _write(tmp_path, PORTAL)
    p = load_policy(path)
    assert (p.name, p.source) == ("liangjiang", path)
    assert list(p.kinds) == ["open", "share", "error_report", "catalogue_correction"]
    assert limits(p, "open") == (8, "两江实施细则第十条", 5, "两江实施细则第十条", "provider_head")
    assert p.kinds["open"].inherited_from is None
    assert limits(p, "share") == (7, "shenyang-2016 §20(4)", 0, None, None)
    assert (p.kinds["share"].inherited_from, p.kinds["share"].note) == ("shenyang-2016", "borrowed on purpose")
    # from `extends: chongqing-2019`
    assert limits(p, "error_report") == (10, "chongqing-2019 §19", 10, "chongqing-2019 §19", "provider_principal_head")
    assert p.kinds["error_report"].inherited_from == "chongqing-2019"
    assert "open_demand" not in p.kinds
    with pytest.raises(ValueError, match="not available"):
        p.kind("open_demand")
    assert p.upkeep["quarterly_check"].period_months == 3
    assert p.upkeep["quarterly_check"].label_zh == "季度检查"


# -- "due soon": one value, the policy's (the inbox highlight and the reminder mail) ----------
@pytest.mark.parametrize("name", PROFILES)
def test_due_soon_is_a_policy_value(name):
    p = load_policy(name)
    assert p.due_soon_days == deadlines.DEFAULT_DUE_SOON_DAYS == 3
    assert [p.due_soon(n) for n in (-1, 0, 1, 3, 4, None)] == [False, True, True, True, False, False]


def test_a_portal_sets_due_soon_or_takes_the_extended_profiles(tmp_path):
    assert load_policy(_write(tmp_path, PORTAL)).due_soon_days == 3  # from chongqing-2019
    own = load_policy(_write(tmp_path, PORTAL.replace("extends: chongqing-2019", "extends: chongqing-2019\n"
                                                      "due_soon_days: 2"), "own.yaml"))
    assert own.due_soon_days == 2 and own.due_soon(2) and not own.due_soon(3)
    with pytest.raises(ValueError, match="key 'due_soon_days'"):
        load_policy(_write(tmp_path, PORTAL + "due_soon_days: soon\n", "bad.yaml"))


def test_an_application_keeps_the_policy_it_was_received_under(tmp_path, monkeypatch):
    """``policy_for``: the configured portal file by its name, a bundled profile by its name;
    a portal file no longer configured: the configured policy."""
    path = _write(tmp_path, PORTAL)
    monkeypatch.setattr(deadlines, "_configured", lambda: path)
    assert deadlines.policy_for("liangjiang").source == path
    assert deadlines.policy_for("chongqing-2018") is load_policy("chongqing-2018")
    monkeypatch.setattr(deadlines, "_configured", lambda: "chongqing-2019")
    assert deadlines.policy_for("liangjiang") is load_policy("chongqing-2019")


@pytest.mark.parametrize(
    "text, key",
    [
        ("name: x\ntitle_zh: x\ntitle_en: x\nkinds:\n  open: {reply_days: ten, reply_article: a}\n",
         "kinds.open.reply_days"),
        ("name: x\ntitle_zh: x\ntitle_en: x\nkinds:\n  open: {reply_days: 0, reply_article: a}\n",
         "kinds.open.reply_days"),
        ("name: x\ntitle_zh: x\ntitle_en: x\nkinds:\n  open: {reply_days: 10}\n",
         "kinds.open.reply_article"),
        ("name: x\ntitle_zh: x\ntitle_en: x\nkinds:\n  appeal: {reply_days: 10, reply_article: a}\n",
         "kinds.appeal"),
        ("name: x\ntitle_zh: x\ntitle_en: x\nkinds:\n  open: {reply_days: 10, reply_article: a, days: 3}\n",
         "kinds.open.days"),
        ("name: x\ntitle_zh: x\ntitle_en: x\nkinds:\n  open:\n    reply_days: 10\n    reply_article: a\n"
         "    extension: {days: 10, article: a}\n", "kinds.open.extension.consent"),
        ("name: x\ntitle_zh: x\ntitle_en: x\nkinds:\n  open:\n    reply_days: 10\n    reply_article: a\n"
         "    extension: {days: 400, article: a, consent: provider_head}\n", "kinds.open.extension.days"),
        ("name: x\ntitle_zh: x\ntitle_en: x\nkinds:\n  open: {inherit: beijing-2020}\n", "kinds.open.inherit"),
        ("name: x\ntitle_zh: x\ntitle_en: x\nkinds:\n  open: {inherit: chongqing-2018, reply_days: 3}\n",
         "kinds.open.reply_days"),
        ("name: x\ntitle_zh: x\ntitle_en: x\nkinds:\n  open: {available: 'no'}\n", "kinds.open.available"),
        ("name: x\ntitle_zh: x\ntitle_en: x\nextends: nowhere\n", "extends"),
        ("name: x\ntitle_zh: x\ntitle_en: x\n", "kinds"),
        ("name: x\ntitle_en: x\nkinds: {}\n", "title_zh"),
        ("name: x\ntitle_zh: x\ntitle_en: x\ncolour: red\nkinds: {}\n", "colour"),
        ("name: x\ntitle_zh: x\ntitle_en: x\nextends: chongqing-2018\nupkeep:\n  dusting: {days: 3, article: a}\n",
         "upkeep.dusting"),
        ("name: x\ntitle_zh: x\ntitle_en: x\nextends: chongqing-2018\nupkeep:\n"
         "  catalogue_update: {days: 3, period_months: 6, article: a}\n", "upkeep.catalogue_update"),
    ],
)
def test_a_malformed_profile_names_the_file_and_the_key(tmp_path, text, key):
    path = _write(tmp_path, text)
    with pytest.raises(ValueError) as err:
        load_policy(path)
    message = str(err.value)
    assert path in message and f"'{key}'" in message, message


@pytest.mark.parametrize("text", ["- a\n- b\n", "name: [unclosed\n", ""])
def test_a_profile_that_is_not_a_mapping(tmp_path, text):
    path = _write(tmp_path, text)
    with pytest.raises(ValueError, match=re.escape(path)):
        load_policy(path)


def test_unknown_profile():
    with pytest.raises(ValueError, match="chongqing-2018"):
        load_policy("beijing-2020")


# -- CKAN configuration ---------------------------------------------------------------------------
def test_get_policy_follows_the_config(tmp_path, monkeypatch):
    from ckan.common import config

    monkeypatch.setitem(config, deadlines.CONFIG_KEY, "")
    assert deadlines.get_policy().name == "chongqing-2018"
    monkeypatch.setitem(config, deadlines.CONFIG_KEY, "chongqing-2019")
    assert deadlines.get_policy().name == "chongqing-2019"
    assert deadlines.get_policy() is deadlines.get_policy()
    path = _write(tmp_path, PORTAL)
    monkeypatch.setitem(config, deadlines.CONFIG_KEY, path)
    assert deadlines.get_policy().name == "liangjiang"
    monkeypatch.setitem(config, deadlines.CONFIG_KEY, "beijing-2020")
    with pytest.raises(ValueError, match="beijing-2020"):
        deadlines.get_policy()
