# -*- coding: utf-8 -*-
"""The statistics pages and the yearly report's download.

- ``/statistics``: the platform's aggregate figures, public (kunming-2019 §27 "定期公布");
- ``/organization/<id>/statistics``: one department's figures, for its members and the
  authority, with its yearly report;
- ``/authority/statistics``: the whole platform for the data authority, every department side
  by side, the evaluation indicators, the yearly reports and the reminder of their due date;
- ``…/report/<year>.<xlsx|pdf>``: the yearly report, generated in the request (fast enough to
  stream: ``report.py``).

Every figure comes from ``govshare_statistics_show`` (one computation, ``statistics.py``).
Charts are drawn by Chart.js (``assets/vendor/chartjs``, fetched by the stack with its
integrity checked: ``stack/lib/assets.sh``) from the tables on the page, which stay as the
fallback and carry the same numbers.
"""
from __future__ import annotations

import os
from typing import Any, Optional

from flask import Blueprint, Response, request

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.govshare import vocab
from ckanext.govshare.authority.role import is_authority
from ckanext.govshare.oversight import report as reports
from ckanext.govshare.oversight.panel import report_reminder, today
from ckanext.govshare.oversight import indicators, statistics

statistics_pages = Blueprint("govshare_statistics", __name__)
_ = tk._

CHART_JS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "assets", "vendor", "chartjs",
                        "chart.umd.min.js")


def charts_available() -> bool:
    """Chart.js is installed (the stack fetches it; without it the pages show the tables)."""
    return os.path.isfile(CHART_JS)


def _context() -> dict[str, Any]:
    return {"user": tk.current_user.name if tk.current_user.is_authenticated else "",
            "auth_user_obj": tk.current_user if tk.current_user.is_authenticated else None}


def _year() -> int:
    value = request.args.get("year", "")
    if not value:
        return today().year
    if not value.isdigit() or not 2000 <= int(value) <= 2100:
        tk.abort(400, _("Not a year the platform has figures for"))
    return int(value)


def _years() -> list[int]:
    return list(range(today().year, 2019, -1))


def _show(org_id: Optional[str], year: int) -> dict[str, Any]:
    try:
        return tk.get_action("govshare_statistics_show")(
            _context(), {"year": year, **({"organization_id": org_id} if org_id else {})})
    except tk.ObjectNotFound:
        tk.abort(404, _("Department not found"))
    except tk.NotAuthorized:
        if not tk.current_user.is_authenticated:
            tk.abort(403, _("Please log in to see these statistics"))
        tk.abort(403, _("Only the department's members and the data authority can see its statistics"))
    except tk.ValidationError:
        tk.abort(400, _("Not a year the platform has figures for"))
    raise AssertionError("unreachable")


def _labels() -> dict[str, Any]:
    lang = tk.h.lang() or "zh_Hans_CN"
    return {
        "open": {t.value: t.label(lang) for t in vocab.OPEN_TYPES},
        "share": {t.value: t.label(lang) for t in vocab.SHARE_TYPES},
        "kinds": {t.value: t.label(lang) for t in vocab.APPLICATION_KINDS},
        "cycles": {t.value: t.label(lang) for t in vocab.UPDATE_CYCLES},
        "outcomes": {"approved": _("Approved"), "refused": _("Refused"), "withdrawn": _("Withdrawn"),
                     "pending": _("In progress")},
    }


def _page(template: str, **extra: Any) -> str:
    return tk.render(template, {"labels": _labels(), "charts": charts_available(), "years": _years(),
                                "outcomes": statistics.OUTCOMES, **extra})


def public() -> str:
    """The platform's aggregate figures (kunming-2019 §27 定期公布)."""
    year = _year()
    return _page("govshare/statistics/public.html", stats=_show(None, year), year=year)


def department(id: str) -> str:
    """One department's figures, for its members and the authority."""
    org = model.Group.get(id)
    if org is None or not org.is_organization or org.state != "active":
        tk.abort(404, _("Department not found"))
    year = _year()
    stats = _show(org.id, year)
    group_dict = tk.get_action("organization_show")(_context(), {"id": org.id, "include_datasets": False})
    return _page("govshare/statistics/department.html", stats=stats, year=year, group_dict=group_dict,
                 group_type="organization")


def _require_authority() -> None:
    if not tk.current_user.is_authenticated:
        tk.abort(403, _("Please log in to see these statistics"))
    if not is_authority(tk.current_user.name):
        tk.abort(403, _("Only the data authority can see this page"))


def authority() -> str:
    """The whole platform for the authority: every department, the indicators, the reports."""
    _require_authority()
    year = _year()
    # the authority sees everything: the platform and each department in one pass over the
    # exchange log (the figures are those govshare_statistics_show gives)
    stats, departments = statistics.compute_all(statistics.Period.year(year))
    stats["indicators"] = indicators.score(stats)
    stats["detailed"] = True
    per_department = [{"id": oid, "name": name, "title": title, "stats": dept}
                      for oid, name, title, dept in departments]
    return _page("govshare/statistics/authority.html", stats=stats, year=year, departments=per_department,
                 reminder=report_reminder(), formats=list(reports.FORMATS))


def _report(year: int, fmt: str, org: Optional[model.Group]) -> Response:
    if fmt not in reports.FORMATS:
        tk.abort(404, _("Unknown report format"))
    if not 2000 <= year <= 2100:
        tk.abort(400, _("Not a year the platform has figures for"))
    built = reports.build(year, {"id": org.id, "title": org.title or org.name} if org else None)
    body = reports.write(built, fmt).getvalue()
    return Response(body, mimetype=reports.FORMATS[fmt], headers={
        "Content-Disposition": f"attachment; filename={reports.file_name(built, fmt)}",
        "Cache-Control": "no-store"})


def authority_report(year: int, fmt: str) -> Response:
    """The yearly report for the city, or of ``?department=`` (the authority)."""
    _require_authority()
    org = None
    if request.args.get("department"):
        org = model.Group.get(request.args["department"])
        if org is None or not org.is_organization or org.state != "active":
            tk.abort(404, _("Department not found"))
    return _report(year, fmt, org)


def department_report(id: str, year: int, fmt: str) -> Response:
    """A department's yearly report (its members and the authority)."""
    org = model.Group.get(id)
    if org is None or not org.is_organization or org.state != "active":
        tk.abort(404, _("Department not found"))
    _show(org.id, year if 2000 <= year <= 2100 else today().year)  # the same access check as the page
    return _report(year, fmt, org)


statistics_pages.add_url_rule("/statistics", view_func=public, endpoint="public")
statistics_pages.add_url_rule("/organization/<id>/statistics", view_func=department, endpoint="department")
statistics_pages.add_url_rule("/organization/<id>/statistics/report/<int:year>.<fmt>",
                              view_func=department_report, endpoint="department_report")
statistics_pages.add_url_rule("/authority/statistics", view_func=authority, endpoint="authority")
statistics_pages.add_url_rule("/authority/statistics/report/<int:year>.<fmt>", view_func=authority_report,
                              endpoint="report")
