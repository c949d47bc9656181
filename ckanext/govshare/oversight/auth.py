# -*- coding: utf-8 -*-
"""Who may read the ten-year logs: the data authority (the platform's sysadmins, who pass
every auth function). Nobody may change them: there is no action that could (the database
refuses UPDATE and DELETE as well)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan import authz
from ckan.types import AuthResult, Context, DataDict

from ckanext.govshare.authority.role import is_authority

__all__ = ["govshare_log_list", "govshare_statistics_show"]

_ = tk._


def govshare_log_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Only the data authority (sysadmins) reads the logs (kunming-2019 §27, chongqing-2018 §29)."""
    return {"success": False, "msg": _("Only the data authority can read the platform's logs")}


@tk.auth_allow_anonymous_access
def govshare_statistics_show(context: Context, data_dict: DataDict) -> AuthResult:
    """The platform's overall figures are public (kunming-2019 §27 定期公布); a department's
    are for its members and the data authority."""
    org_id = data_dict.get("organization_id")
    if not org_id:
        return {"success": True}
    user = context.get("user")
    if user and (is_authority(user) or authz.has_user_permission_for_group_or_org(org_id, user, "read")):
        return {"success": True}
    return {"success": False, "msg": _("Only the department's members and the data authority can see its statistics")}
