# -*- coding: utf-8 -*-
"""What the catalogue tests share: spreadsheet rows written independently of the module under
test, and the state of the database and the search index."""
from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.tests import factories
from ckanext.activity.model import Activity

from ckanext.govshare.catalogue import spreadsheet

ORG_TITLE = "市交通局"


# --------------------------------------------------------------------------------------
# Spreadsheet writing, independent of the module under test


def valid_row(i: int, org: str = ORG_TITLE) -> dict[str, str]:
    """A valid theme entry; vocabulary cells alternate Chinese labels, English labels and codes."""
    return {
        "信息资源名称": f"公交线路信息{i}",
        "信息资源代码": f"203001/{i:06d}",
        "信息资源分类": ("主题信息资源", "Thematic resource", "theme")[i % 3],
        "提供方": org,
        "摘要": f"全市第{i}组公共交通线路的线路编号、起讫站点和首末班时间。",
        "信息资源格式": ("电子表格", "spreadsheet")[i % 2],
        "信息项": "线路编号|字符型|20|线路唯一编号; 首班时间|T",
        "共享类型": ("无条件共享", "unconditional")[i % 2],
        "共享方式": "接口交换、文件下载",
        "开放类型": ("无条件开放", "Unconditionally open")[i % 2],
        "更新周期": ("每月", "monthly", "Monthly")[i % 3],
        "主题": ("交通出行", "transport")[i % 2],
        "关键词": "公交、线路、公交",
        "资源名称": f"公交线路{i}（CSV）",
        "资源地址": f"https://data.example.gov.cn/files/gongjiao-{i}.csv",
        "资源格式": "CSV",
        "获取方式": "文件下载",
    }


def full_row(i: int, org: str = ORG_TITLE) -> dict[str, str]:
    """An entry with every column filled in."""
    row = valid_row(i, org)
    row.update({
        "英文名称": f"Bus routes {i}",
        "网址名称": f"gongjiao-xianlu-{i}",
        "分类码（类-项-目-细目）": "203001",
        "提供方代码": "11500000MB1526731E",
        "英文摘要": "Route numbers, terminal stops and first and last departures.",
        "格式子类": "CSV",
        "共享类型": "有条件共享",
        "共享条件": "仅向行业主管部门共享",
        "共享依据": "《重庆市政务信息资源共享开放管理办法》第十七条",
        "开放类型": "有条件开放",
        "开放条件": "须实名认证并签署数据使用协议",
        "开放依据": "《重庆市政务数据资源管理暂行办法》第三十一条",
        "发布日期": "2024-03-01",
        "关联资源代码": "203001/000002, 101001/000001",
        "行政区划代码": "500000",
        "联系人": "张三",
        "联系电话": "023-63881234",
        "联系邮箱": "data@example.gov.cn",
        "是否脱敏": "是",
        "保密审查人": "李四",
        "保密审查日期": "2024-02-01",
        "使用要求": "使用时须注明数据来源。",
        "资源说明": "按线路汇总",
        "资源格式": "JSON",
        "获取方式": "接口交换",
        "接口说明": "参数：line（线路编号）；返回：线路、站点、首末班时间；每分钟 60 次。",
        "调用方式": "GET https://api.example.gov.cn/bus/routes?line=101",
    })
    return row


def write_file(path, rows: list[dict[str, Any]], fmt: str, headers: list[str] | None = None,
               encoding: str = "utf-8-sig") -> str:
    headers = headers or list(dict.fromkeys(h for r in rows for h in r))
    path = str(path)
    if fmt == "xlsx":
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(headers)
        for r in rows:
            ws.append([r.get(h, "") for h in headers])
        for cells in ws.iter_rows(min_row=2):
            for cell in cells:
                if cell.data_type == "f":  # typed text, not a formula
                    cell.data_type = "s"
        wb.save(path)
    else:
        with open(path, "w", encoding=encoding, newline="") as f:
            w = csv.writer(f)
            w.writerow(headers)
            for r in rows:
                w.writerow([r.get(h, "") for h in headers])
    return path


def read_file(path: str) -> list[dict[str, str]]:
    table = spreadsheet.read_table(path)
    return [dict(zip(table[0], r)) for r in table[1:]]


# --------------------------------------------------------------------------------------
# State of the database and the index


def sysadmin() -> str:
    return factories.Sysadmin()["name"]


def department(title: str = ORG_TITLE, **extra: Any) -> dict[str, Any]:
    return factories.Organization(title=title, **extra)


def db_state() -> dict[str, Any]:
    """Every entry's name → metadata_modified (deleted ones included)."""
    model.Session.remove()
    return {p.name: p.metadata_modified for p in model.Session.query(model.Package)}


def indexed_count() -> int:
    return tk.get_action("package_search")(
        {"ignore_auth": True}, {"rows": 0, "include_private": True})["count"]


def activity_count() -> int:
    model.Session.remove()
    return model.Session.query(Activity).count()


def shown(name: str) -> dict[str, Any]:
    """The whole entry (as a sysadmin sees it: data locations included)."""
    site = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    return tk.get_action("package_show")({"user": site, "ignore_auth": True}, {"id": name})


VOLATILE = {"id", "metadata_created", "metadata_modified", "revision_id", "package_id",
            "created", "last_modified", "position", "creator_user_id", "cache_last_updated",
            "cache_url", "datastore_active", "url_type", "mimetype", "size", "hash",
            "state", "num_resources", "num_tags"}


def comparable(pkg: dict[str, Any]) -> Any:
    if isinstance(pkg, dict):
        return {k: comparable(v) for k, v in pkg.items() if k not in VOLATILE}
    if isinstance(pkg, list):
        return [comparable(v) for v in pkg]
    return pkg


def rows_500(org: str = ORG_TITLE) -> list[dict[str, str]]:
    return [valid_row(i, org) for i in range(1, 501)]


def break_three(rows: list[dict[str, str]]) -> dict[int, set[str]]:
    """Spoil 3 rows; returns spreadsheet row number → the columns reported."""
    rows[9]["信息资源名称"] = ""                     # row 11: required value missing
    rows[199]["开放类型"] = "半开放"                  # row 201: not a vocabulary term
    rows[349].update({"共享类型": "有条件共享",       # row 351: conditional share without its
                      "开放类型": "不予开放",         # conditions and basis (chongqing-2018 §17)
                      "开放依据": "涉及个人隐私"})
    return {
        11: {"信息资源名称"},
        201: {"开放类型"},
        351: {"共享条件", "共享依据"},
    }


def xlsx_bytes(rows: list[dict[str, str]]) -> bytes:
    headers = list(dict.fromkeys(h for r in rows for h in r))
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(headers)
    for r in rows:
        ws.append([r.get(h, "") for h in headers])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def member(org: dict[str, Any], role: str) -> dict[str, Any]:
    user = factories.UserWithToken()
    tk.get_action("organization_member_create")(
        {"ignore_auth": True}, {"id": org["id"], "username": user["name"], "role": role})
    return user
