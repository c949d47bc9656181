# -*- coding: utf-8 -*-
"""Template helpers (registered by the helpers blanket: every public function here)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.govshare import vocab

__all__ = [
    "govshare_vocab_choices",
    "govshare_vocab_label",
    "govshare_portal_url",
]


def current_lang() -> str:
    """The language of the current request; the site default outside a request."""
    from flask import has_request_context

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
