# -*- coding: utf-8 -*-
"""govshare web pages: the registry the blueprints blanket reads.

Each domain package keeps its pages in its own ``views`` module (a blueprint); this module
gathers them and registers the app-wide request hooks, in the order they run.
"""
from __future__ import annotations

from flask import Blueprint

import ckan.plugins.toolkit as tk

from ckanext.govshare import vocab
from ckanext.govshare.access import hostile_input
from ckanext.govshare.access import doors
from ckanext.govshare.ui import locale
from ckanext.govshare.applications.views import applications  # noqa: F401 (blanket-registered)
from ckanext.govshare.health import health  # noqa: F401 (blanket-registered; /govshare/health)
from ckanext.govshare.catalogue.views import catalogue  # noqa: F401 (blanket-registered)
from ckanext.govshare.authority.views import authority  # noqa: F401 (blanket-registered; /authority)
from ckanext.govshare.review.views import review  # noqa: F401 (blanket-registered)
from ckanext.govshare.dcat import views as dcat_views
from ckanext.govshare.dcat.views import dcat  # noqa: F401 (blanket-registered)
from ckanext.govshare.oversight.views import statistics_pages  # noqa: F401 (blanket-registered)
from ckanext.govshare.feedback.views import feedback  # noqa: F401 (blanket-registered)
from ckanext.govshare.notices.views import notices  # noqa: F401 (blanket-registered)

govshare = Blueprint("govshare", __name__)
# input CKAN core would answer with a 500 is refused before anything else (edge.py)
govshare.before_app_request(hostile_input.guard_input)
# every request for an entry or its data passes the access rules first (doors.py)
govshare.before_app_request(doors.guard_request)
# a hidden entry's 404 reads as a missing one's (doors.py)
govshare.after_app_request(doors.uniform_not_found)
# CKAN's client asks /api/i18n/zh_Hans-CN for zh_Hans_CN (locale.py)
govshare.before_app_request(locale.answer_js_locale)
# RDF to an RDF Accept header on CKAN's / and /dataset/<id>, after the guards above (dcat/views.py)
govshare.before_app_request(dcat_views.negotiate)
govshare.after_app_request(dcat_views.vary_accept)


def usage_notes() -> str:
    """Usage notes and disclaimer for open data (shijingshan-2017 §23)."""
    return tk.render(
        "govshare/usage_notes.html",
        {"open_types": list(vocab.OPEN_TYPES), "share_types": list(vocab.SHARE_TYPES)},
    )


govshare.add_url_rule("/govshare/usage", view_func=usage_notes, endpoint="usage_notes")
