# -*- coding: utf-8 -*-
"""开放协议: CKAN's licence register built from the licence vocabulary (vocab.LICENSES).

CKAN core reads licences from one register (``model.Package.get_license_register``):
``license_id`` is validated against the form's choices, ``package_show`` adds
``license_title``, ``license_url`` and ``isopen`` from the register, ``license_list`` lists
it, and the DCAT profile writes the licence URI as ``dct:license``. The plugin installs
this register at start-up (IConfigurable), so CKAN's default (English, international)
licence list never appears next to the vocabulary's terms.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.model.license import License, LicenseRegister

from ckanext.govshare import vocab

# licences that meet the Open Definition (CKAN shows them as open data)
_OPEN_DEFINITION = {"cc-by-4.0", "cc0-1.0"}


def licence_url(value: str | None) -> str | None:
    """The document of the licence stored as ``value``: its URI in the vocabulary; the
    platform's usage notes (the agreement an applicant accepts) for the platform's own
    agreement; None for a value that is not a licence of the vocabulary."""
    term = vocab.LICENSES.get(value)
    if term is None:
        return None
    if term.uri:
        return term.uri
    return tk.config.get("ckan.site_url", "").rstrip("/") + "/govshare/usage"


def licence_dicts() -> list[dict[str, Any]]:
    """The vocabulary in the shape of CKAN's licence files (``licenses_group_url``)."""
    return [{
        "id": term.value,
        "title": term.zh,
        "url": licence_url(term.value),
        "od_conformance": "approved" if term.value in _OPEN_DEFINITION else "not reviewed",
        "osd_conformance": "not reviewed",
        "status": "active",
        "family": "",
        "maintainer": "",
    } for term in vocab.LICENSES]


class VocabularyLicenseRegister(LicenseRegister):
    """CKAN's licence register holding the terms of vocab.LICENSES."""

    def __init__(self) -> None:  # no licence file or URL to fetch
        self.licenses = [License(d) for d in licence_dicts()]


def install_register() -> None:
    """Make the vocabulary CKAN's licence register (called when the plugin is configured)."""
    model.Package._license_register = VocabularyLicenseRegister()
