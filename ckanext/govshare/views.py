# -*- coding: utf-8 -*-
"""govshare web pages (registered by the blueprints blanket)."""
from __future__ import annotations

from flask import Blueprint

import ckan.plugins.toolkit as tk

from ckanext.govshare import vocab

govshare = Blueprint("govshare", __name__)


def usage_notes() -> str:
    """Usage notes and disclaimer for open data (shijingshan-2017 §23)."""
    return tk.render(
        "govshare/usage_notes.html",
        {"open_types": list(vocab.OPEN_TYPES), "share_types": list(vocab.SHARE_TYPES)},
    )


govshare.add_url_rule("/govshare/usage", view_func=usage_notes, endpoint="usage_notes")
