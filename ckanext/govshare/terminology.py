# -*- coding: utf-8 -*-
"""The platform's own terms for CKAN's core words.

CKAN's Chinese catalogue says 数据集 and 组织; government catalogues say 数据目录 (a
catalogue entry) and 部门 (the providing department). Listing CKAN's msgids here puts them
in govshare's message catalogue, whose translations CKAN merges over its own
(ITranslation), so the whole portal uses one term everywhere. Never called: it exists for
message extraction.
"""
from __future__ import annotations

from ckan.common import _, ungettext


def _core_terms(n: int = 1) -> tuple[str, ...]:  # pragma: no cover - extraction only
    return (
        _("Datasets"), _("Dataset"), _("dataset"), _("My Datasets"), _("Add Dataset"),
        _("Create Dataset"), _("Update Dataset"), _("Search datasets..."), _("No datasets found"),
        _('No datasets found for "{query}"'), _("What are datasets?"), _("This dataset has no data"),
        _("0 Datasets"),
        ungettext("{number} dataset found", "{number} datasets found", n),
        ungettext('{number} dataset found for "{query}"', '{number} datasets found for "{query}"', n),
        ungettext("{num} Dataset", "{num} Datasets", n),
        _("Organizations"), _("Organization"), _("organization"), _("My Organizations"),
        _("Add Organization"), _("Create Organization"), _("Search organizations..."),
        _("Organization not found"), _("No organizations found"), _("What are Organizations?"),
        ungettext("{number} organization found", "{number} organizations found", n),
        ungettext('{number} organization found for "{query}"', '{number} organizations found for "{query}"', n),
    )
