# -*- coding: utf-8 -*-
"""Valid catalogue entries and departments for tests (override any field)."""
from __future__ import annotations

import itertools
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.tests import factories
from ckan.tests import helpers as _ckan_helpers

_seq = itertools.count(1)


def department(**extra: Any) -> dict[str, Any]:
    data = {"title": "市交通局", "provider_code": "11500000MB1526731E"}
    data.update(extra)
    return factories.Organization(**data)


def entry_data(org: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    """A valid 无条件开放 / 无条件共享 theme entry as a data dict (not created)."""
    n = next(_seq)
    data: dict[str, Any] = {
        "name": f"entry-{n}",
        "title": f"公交线路信息{n}",
        "resource_code": f"203001/{n:06d}",
        "resource_category": "theme",
        "notes": "全市公共交通线路的线路编号、起讫站点和首末班时间。",
        "resource_format": "spreadsheet",
        "open_type": "unconditional",
        "share_type": "unconditional",
        "update_cycle": "monthly",
        "theme": "transport",
    }
    if org is not None:
        data["owner_org"] = org["id"]
    data.update(extra)
    return data


def entry(org: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """Create a valid catalogue entry through package_create."""
    return factories.Dataset(**entry_data(org, **extra))


# Valid (open, share) extras for every allowed combination
LEVEL_EXTRAS: dict[tuple[str, str], dict[str, str]] = {
    ("unconditional", "unconditional"): {},
    ("conditional", "unconditional"): {
        "open_condition": "须实名认证并签署数据使用协议", "open_basis": "《重庆市政务数据资源管理暂行办法》第三十一条"},
    ("closed", "unconditional"): {"open_basis": "《中华人民共和国个人信息保护法》第二十八条"},
    ("conditional", "conditional"): {
        "open_condition": "仅限科研用途", "open_basis": "《重庆市政务数据资源管理暂行办法》第三十一条",
        "share_condition": "仅向行业主管部门共享", "share_basis": "《重庆市政务信息资源共享开放管理办法》第十七条"},
    ("closed", "conditional"): {
        "open_basis": "涉及个人隐私", "share_condition": "仅用于监管", "share_basis": "《重庆市政务信息资源共享开放管理办法》第十七条"},
    ("closed", "none"): {"open_basis": "涉及国家秘密", "share_basis": "《中华人民共和国保守国家秘密法》第九条"},
}


def approve_pending(package_id: str) -> dict[str, Any] | None:
    """The data authority approves the entry's pending catalogue review, if it has one (the
    setting of tests where a department's entry must be published; shenyang-2016 §12), through
    the review actions as the site user. Returns the approved review."""
    site = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    state = _ckan_helpers.call_action("govshare_review_show", context={"user": site}, id=package_id)
    current = state["current"]
    if current is None or current["status"] != "pending":
        return None
    return _ckan_helpers.call_action("govshare_review_approve", context={"user": site}, id=current["id"])
