# -*- coding: utf-8 -*-
"""The departments (organisations) a spreadsheet names in its 提供方 column or that an import
or export is limited to: found by id, URL name, code or title (the importer itself uses
:class:`registry.Directory`, which loads every department once)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.govshare import compat
from ckanext.govshare.catalogue.errors import CatalogueError

__all__ = ["find_department", "department_id"]


def find_department(text: str) -> model.Group | None:
    """A department by id, name, 提供方代码 / 统一社会信用代码 or title (None when unknown or
    ambiguous)."""
    text = text.strip()
    org = model.Group.get(text)
    if org is not None and org.is_organization and org.state == "active":
        return org
    by_code = (model.Session.query(model.Group)
               .filter(model.Group.is_organization.is_(True))
               .filter(model.Group.state == "active")
               .filter(compat.group_extra_in(("provider_code", "credit_code"), (text, text.upper())))
               .limit(2).all())
    if len({g.id for g in by_code}) == 1:
        return by_code[0]
    found = (model.Session.query(model.Group)
             .filter(model.Group.is_organization.is_(True))
             .filter(model.Group.state == "active")
             .filter(model.Group.title == text).limit(2).all())
    return found[0] if len(found) == 1 else None


def department_id(org: str | None) -> str | None:
    """The id of the department an import or export is limited to (None: no limit); an
    unknown or ambiguous name is an error."""
    if not org:
        return None
    found = find_department(org)
    if found is None:
        raise CatalogueError(tk._("No department named {name}").format(name=org))
    return found.id
