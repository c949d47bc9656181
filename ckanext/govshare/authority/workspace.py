# -*- coding: utf-8 -*-
"""What the data authority's workspace shows: every department's pending and overdue
requests, the requests addressed to no department (open-data demands to forward), and the
catalogue entries awaiting review (chongqing-2018 §5-6, kunming-2019 §4-5, shenyang-2016 §12)."""
from __future__ import annotations

from typing import Any

from ckan import model

from ckanext.govshare.access.grants import utcnow
from ckanext.govshare.applications.actions import application_dict
from ckanext.govshare.applications.model import PENDING, Application

__all__ = ["requests"]

LIMIT = 500


def requests() -> dict[str, Any]:
    """Pending requests across the platform, the nearest deadline first: those addressed to a
    department (``departments``, with ``overdue`` among them) and those addressed to none
    (``undirected``)."""
    now = utcnow()
    rows = (model.Session.query(Application).filter(Application.status.in_(PENDING))
            .order_by(Application.due_at, Application.received_at).limit(LIMIT).all())
    dicts = [application_dict(a, None, now) for a in rows]
    orgs = {o.id: (o.title or o.name) for o in model.Session.query(model.Group).filter(
        model.Group.id.in_({a.provider_org_id for a in rows if a.provider_org_id}))}
    for d in dicts:
        d["provider_title"] = orgs.get(d["provider_org_id"])
    departments = [d for d in dicts if d["provider_org_id"]]
    return {"departments": departments, "overdue": [d for d in departments if d["overdue"]],
            "undirected": [d for d in dicts if not d["provider_org_id"]]}
