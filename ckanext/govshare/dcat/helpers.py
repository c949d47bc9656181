# -*- coding: utf-8 -*-
"""ckanext-dcat's template helpers, chained (``tk.chained_helper``) so that its templates
(``<link rel="alternate">`` on the home, search and dataset pages) point to the platform's
RDF routes: ckanext-dcat's own are switched off (``views.py``)."""
from __future__ import annotations

from typing import Any, Callable

import ckan.plugins.toolkit as tk

__all__ = ["dcat_get_endpoint", "dcat_endpoints_enabled"]


@tk.chained_helper
def dcat_get_endpoint(next_helper: Callable[..., str], _type: str = "dataset") -> str:
    """The endpoint of the RDF document of a dataset (``_type="dataset"``) or the catalogue."""
    return "govshare_dcat.dataset" if _type == "dataset" else "govshare_dcat.catalog"


@tk.chained_helper
def dcat_endpoints_enabled(next_helper: Callable[..., Any]) -> bool:
    """The RDF documents are served (by the platform, not by ckanext-dcat)."""
    return True
