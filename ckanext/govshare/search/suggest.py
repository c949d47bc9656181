# -*- coding: utf-8 -*-
"""Search-as-you-type (issue 15): ``govshare_search_suggest`` suggests entry titles and
departments for what a citizen has typed so far — Chinese (公交 → 公交线路信息), full pinyin
(gongjiao) or initials (gj).

The suggestions come from CKAN's ``package_search`` run with the caller's own context, so the
permission labels of the access rules apply exactly as on the search page: a title is only
suggested to someone who may find the entry (a 不予开放 entry is never suggested to an anonymous
user, chongqing-2018 §22 ¶2), and a department only when the caller may find one of its entries.
"""
from __future__ import annotations

import re
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

MAX_LIMIT = 20
MAX_QUERY = 50

# prefix fields of the schema (govshare-schema.xml: suggest_zh, suggest_pinyin, suggest_initials),
# then the title's bigrams so that a word inside a title is suggested too
TITLE_FIELDS = "suggest^8 suggest_pinyin^4 suggest_initials^3 title"
DEPARTMENT_FIELDS = "department_suggest department_suggest_pinyin department_suggest_initials"
_ESCAPE_RE = re.compile(r'([\\+\-!(){}\[\]^"~*?:/&|\'])')


def _query(text: str, fields: str) -> str:
    return "{!edismax q.op=AND qf='" + fields + "'}" + _ESCAPE_RE.sub(r"\\\1", text)


@tk.side_effect_free
def govshare_search_suggest(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Suggestions for a search being typed: entry titles and departments that start with
    (or, for titles, contain) the text, in Chinese, full pinyin or pinyin initials. Only
    entries the caller may find are suggested (the access rules of ``package_search``).

    :param q: what has been typed so far (at most 50 characters are used)
    :type q: string
    :param limit: how many titles (and departments) at most (default 8, at most 20)
    :type limit: int

    :returns: ``{"titles": [{"name", "title"}], "departments": [{"name", "title"}]}``
    :rtype: dictionary
    """
    tk.check_access("package_search", context, data_dict)
    text = re.sub(r"\s+", " ", str(data_dict.get("q") or "")).strip()[:MAX_QUERY]
    try:
        limit = max(1, min(MAX_LIMIT, int(data_dict.get("limit") or 8)))
    except (TypeError, ValueError):
        raise tk.ValidationError({"limit": [tk._("Must be a whole number")]})
    if not text:
        return {"titles": [], "departments": []}

    def search(fields: str, **extra: Any) -> dict[str, Any]:
        ctx: Context = {"user": context.get("user"), "auth_user_obj": context.get("auth_user_obj")}
        ctx = {k: v for k, v in ctx.items() if v is not None}  # type: ignore[assignment]
        # include_private: entries private to the caller's departments are theirs to find; the
        # permission labels decide exactly as on the search page
        params = {"q": _query(text, fields), "defType": "lucene", "qf": fields,
                  "include_private": True, **extra}
        return tk.get_action("package_search")(ctx, params)

    found = search(TITLE_FIELDS, rows=limit, fl="id,name,title")
    titles = [{"name": r["name"], "title": r["title"]} for r in found["results"]]

    by_department = search(DEPARTMENT_FIELDS, rows=0, **{"facet.field": ["organization"],
                                                        "facet.limit": limit})
    items = (by_department.get("search_facets") or {}).get("organization", {}).get("items", [])
    departments = [{"name": i["name"], "title": i.get("display_name") or i["name"]}
                   for i in sorted(items, key=lambda i: -i["count"])][:limit]
    return {"titles": titles, "departments": departments}
