# -*- coding: utf-8 -*-
"""Template helpers (registered by the helpers blanket: every public function here)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.govshare import compat, vocab
from ckan import model
from ckanext.govshare.access import rules as access
from ckanext.govshare.oversight import panel as oversight_panel
# chained ckanext-dcat helpers: its templates link the platform's RDF routes (dcat/helpers.py)
from ckanext.govshare.dcat.helpers import dcat_endpoints_enabled, dcat_get_endpoint
# feedback on an entry and update notices (feedback/views.py, notices/views.py)
from ckanext.govshare.feedback.views import can_reply as govshare_feedback_can_reply
from ckanext.govshare.feedback.views import entry_feedback as govshare_feedback_for
from ckanext.govshare.notices.views import subscribed as govshare_subscribed
from ckanext.govshare.notices.views import unread as govshare_notices_unread
# the catalogue review's state on an entry page, and the authority's header link
from ckanext.govshare.review.views import entry_state as govshare_review_state
from ckanext.govshare.review.views import kind_label as govshare_review_kind_label
from ckanext.govshare.review.views import status_label as govshare_review_status_label
from ckanext.govshare.review.views import review_days as govshare_review_days
from ckanext.govshare.authority.role import current_is_authority as govshare_is_authority
from flask import has_request_context
from zoneinfo import ZoneInfo
import datetime
import jinja2

__all__ = [
    "govshare_vocab_choices",
    "govshare_vocab_label",
    "govshare_portal_url",
    "govshare_date",
    "govshare_days_left",
    "govshare_status_label",
    "govshare_kind_label",
    "govshare_event_label",
    "govshare_inbox_filter_label",
    "govshare_department_groups",
    "govshare_grant_status_label",
    "govshare_beijing_time",
    "govshare_can_use_data",
    "govshare_data_withheld",
    "govshare_can_apply_share",
    "govshare_open_stats",
    "govshare_is_empty",
    "govshare_column_type_label",
    "govshare_oversight_panel",
    "govshare_review_state",
    "govshare_review_kind_label",
    "govshare_review_status_label",
    "govshare_review_days",
    "govshare_is_authority",
    "dcat_get_endpoint",
    "dcat_endpoints_enabled",
    "govshare_feedback_for",
    "govshare_feedback_can_reply",
    "govshare_subscribed",
    "govshare_notices_unread",
]

def current_lang() -> str:
    """The language of the current request; the site default outside a request."""

    if has_request_context():
        return tk.h.lang() or "zh_Hans_CN"
    return tk.config.get("ckan.locale_default") or "zh_Hans_CN"


def govshare_vocab_choices(field: dict[str, Any]) -> list[dict[str, Any]]:
    """Scheming ``choices_helper``: the choices of the vocabulary the field names."""
    return vocab.get(field["govshare_vocabulary"]).choices()


def govshare_vocab_label(vocabulary: str, value: str | None) -> str:
    """The label of ``value`` in ``vocabulary``, in the user's language."""
    return vocab.get(vocabulary).label(value, current_lang())


def govshare_portal_url() -> str:
    """The municipal government portal this platform is linked with (chongqing-2018 §21)."""
    return tk.config.get("ckanext.govshare.portal_url")


def _zh() -> bool:
    return not current_lang().startswith("en")


def govshare_date(value: Any) -> str:
    """A date as people write it: 2026年11月21日 in Chinese, 21 November 2026 in English."""

    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value[:10])
        except ValueError:
            return value
    if _zh():
        return f"{value.year}年{value.month}月{value.day}日"
    return value.strftime("%-d %B %Y")


def govshare_days_left(app: dict[str, Any]) -> str:
    """还剩 N 个工作日 / N working days left / 已逾期 for a pending application."""
    left = app.get("working_days_left")
    if app.get("status") not in vocab.PENDING_STATUSES or left is None:
        return ""
    if app.get("overdue"):
        return "已逾期" if _zh() else "Overdue"
    if _zh():
        return f"还剩 {left} 个工作日" if left > 0 else "今日到期"
    return f"{left} working days left" if left != 1 else "1 working day left"


def govshare_status_label(status: str) -> str:
    """An application's status (``vocab.APPLICATION_STATUSES``) in the user's language."""
    return vocab.APPLICATION_STATUSES.label(status, current_lang())


def govshare_grant_status_label(status: str) -> str:
    """Whether an approval's access holds (``vocab.GRANT_STATUSES``)."""
    return vocab.GRANT_STATUSES.label(status, current_lang())


def govshare_beijing_time(value: Any) -> str:
    """A stored UTC time (naive or ISO string) as Beijing wall-clock time, to the minute:
    2027年6月30日 23:59 (2027-06-30 23:59 in English)."""

    if not value:
        return ""
    moment = datetime.datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    local = moment.astimezone(ZoneInfo("Asia/Shanghai"))
    if _zh():
        return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"
    return f"{local:%Y-%m-%d %H:%M}"


def govshare_department_groups() -> list[dict[str, Any]]:
    """Every active department for a chooser, grouped by province (from its 行政区划代码),
    in one query: ``[{"label", "departments": [{"id", "title", "region_code"}]}]``. The
    chooser searches as you type (CKAN's autocomplete module), so thousands stay usable."""

    region = compat.group_extra_value("region_code")
    rows = (model.Session.query(model.Group.id, model.Group.title, model.Group.name, region)
            .filter(model.Group.is_organization.is_(True), model.Group.state == "active")
            .order_by(model.Group.title))
    groups: dict[str, list[dict[str, Any]]] = {}
    lang = current_lang()
    for org_id, title, name, code in rows:
        province = vocab.PROVINCES.get((code or "")[:2])
        label = province.label(lang) if province else ("其他" if _zh() else "Other")
        groups.setdefault(label, []).append({"id": org_id, "title": title or name, "region_code": code or ""})
    return [{"label": label, "departments": depts} for label, depts in sorted(groups.items())]


def govshare_inbox_filter_label(status: str) -> str:
    """An inbox filter: 待答复 (pending), 全部 (all) or a final status."""
    if status == "pending":
        return "待答复" if _zh() else "To answer"
    if status == "all":
        return "全部" if _zh() else "All"
    return govshare_status_label(status)


def govshare_event_label(action: str) -> str:
    """What an application's event log records (``vocab.APPLICATION_EVENTS``)."""
    term = vocab.APPLICATION_EVENTS.lookup(action)
    return term.label(current_lang()) if term else action


def govshare_kind_label(kind: str) -> str:
    """A request kind (``vocab.APPLICATION_KINDS``) in the user's language."""
    return vocab.APPLICATION_KINDS.label(kind, current_lang())


def govshare_can_use_data(pkg: dict[str, Any]) -> bool:
    """May the current user have this entry's data (URLs, downloads, previews)?"""

    return access.can_use_data(access.current_principal(), pkg)


def govshare_data_withheld(pkg: dict[str, Any]) -> bool:
    return bool(pkg.get("govshare_data_withheld"))


def govshare_can_apply_share() -> bool:
    """Is the current user an editor of some department (who may file share applications)?"""
    if not tk.current_user.is_authenticated:
        return False
    return bool(tk.get_action("organization_list_for_user")(
        {"user": tk.current_user.name}, {"permission": "create_dataset"}))


def govshare_open_stats() -> list[dict[str, Any]]:
    """Entries of the public catalogue by open attribute, for the home page."""
    result = tk.get_action("package_search")({}, {"rows": 0, "facet.field": '["open_type"]'})
    counts = {i["name"]: i["count"] for i in result["search_facets"].get("open_type", {}).get("items", [])}
    return [{"value": t.value, "label": t.label(current_lang()), "count": counts.get(t.value, 0)}
            for t in vocab.OPEN_TYPES if t.value in counts]


def govshare_is_empty(value: Any) -> bool:
    """Nothing to show for this value: None, blank text or an empty list or dict (``False``
    and ``0`` are values: they are shown, as 否 and 0). A key the dict lacks (Jinja's
    ``Undefined``) is empty too."""

    if value is None or isinstance(value, jinja2.Undefined):
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple, dict, set)):
        return not value
    return False


def govshare_column_type_label(column_type: str | None) -> str:
    """A DataStore column type (PostgreSQL's: text, numeric, int4, timestamp …) in words."""
    _ = tk._
    kind = (column_type or "").lower().rstrip("[]")
    if kind in ("text", "varchar", "char", "name", "citext"):
        label = _("Text")
    elif kind in ("int", "int2", "int4", "int8", "integer", "bigint", "smallint"):
        label = _("Integer")
    elif kind in ("numeric", "float", "float4", "float8", "double precision", "real", "decimal", "money"):
        label = _("Number")
    elif kind in ("date",):
        label = _("Date")
    elif kind.startswith("timestamp"):
        label = _("Date and time")
    elif kind.startswith("time"):
        label = _("Time of day")
    elif kind in ("bool", "boolean"):
        label = _("Yes or no")
    else:
        return column_type or ""
    return _("List of {type}").format(type=label) if (column_type or "").endswith("[]") else label


def govshare_oversight_panel() -> dict[str, Any] | None:
    """The authority workspace's oversight panel (``govshare/authority/_oversight_panel.html``):
    this year's key figures, the next yearly report and its reminder; None for anyone but the
    data authority."""
    return oversight_panel.panel()
