# -*- coding: utf-8 -*-
"""The applicant's identity, bound to the account once and reused (chongqing-2019 §33 ¶3:
conditional data after identity authentication; chongqing-2019 §16: name and certificate
number on every application).

An account's identity is kept in CKAN's ``user.plugin_extras`` under ``govshare_identity``:
``{"type", "name", "number", "source", "bound_at"}``. The first open application binds the
name and number it was made with (checked as GB 11643 / GB 32100 numbers); later
applications reuse them and cannot name anyone else. ``source`` says who vouched for it:
``application`` (declared by the applicant, checksum-checked) or the name of an identity
provider. A city's unified identity login plugs in by calling :func:`bind` from its login
plugin with ``source`` set to that provider (``docs/identity.md``); an identity from a
provider is never replaced by a declared one.
"""
from __future__ import annotations

import datetime
from typing import Any, Optional

from ckan import model

KEY = "govshare_identity"
DECLARED = "application"
APPLICANT_TYPES = ("citizen", "legal_person", "other_org")


def bound(user: model.User) -> Optional[dict[str, Any]]:
    """The identity bound to ``user``, or None."""
    extras = user.plugin_extras or {}
    value = extras.get(KEY)
    return dict(value) if isinstance(value, dict) and value.get("number") else None


def bind(user: model.User, applicant_type: str, name: str, number: str, source: str = DECLARED,
         commit: bool = False) -> dict[str, Any]:
    """Bind an identity to ``user`` (a provider's identity replaces a declared one, never
    the other way round). Returns the identity now bound."""
    current = bound(user)
    if current is not None and source == DECLARED:
        return current
    identity = {"type": applicant_type, "name": name, "number": number, "source": source,
                "bound_at": datetime.datetime.utcnow().isoformat()}
    extras = dict(user.plugin_extras or {})
    extras[KEY] = identity
    user.plugin_extras = extras
    if commit:
        model.Session.commit()
    return identity


def mismatch(identity: dict[str, Any], applicant_type: Any, name: Any, number: Any) -> list[str]:
    """The fields of an application that differ from the bound identity."""
    fields = []
    if applicant_type and applicant_type != identity.get("type"):
        fields.append("applicant_type")
    if name and str(name).strip() != identity.get("name"):
        fields.append("applicant_name")
    if number and str(number).strip().upper() != str(identity.get("number")).upper():
        fields.append("id_number")
    return fields
