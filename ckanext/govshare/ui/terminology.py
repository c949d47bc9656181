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


def _core_corrections() -> tuple[str, ...]:  # pragma: no cover - extraction only
    """CKAN msgids whose Chinese is missing in CKAN's catalogue (English shown in the Chinese
    UI) or wrong (追从者, 登记, 域/价值, 创建的, 读取更多 …); govshare's catalogue answers
    them (tests/test_pages_zh.py fails when a page shows an English CKAN string)."""
    return (
        _("Skip to main content"), _("Toggle navigation"), _("Search datasets"), _("Register"), _("Search Datasets..."), _("Followers"),
        _("Follow"), _("Unfollow"), _("Field"), _("Value"), _("Created"), _("Data last updated"),
        _("Metadata last updated"), _("Dataset description:"), _("Go to resource"), _("URL:"),
        _("read more"), _("Profile settings"), _("View dashboard"), _("Account"), _("Full Name"),
        _("Joe Bloggs"), _("Profile picture"), _("Profile picture URL"), _("Create Account"),
        _("Login"), _("Create an Account"), _("Username or Email"), _("You need to log out before you can log in with another account."),
        _("Your password must be 8 characters or longer"), _("Email {email} is not a valid format"),
        _("Label"), _("Data Dictionary"), _("Fullscreen"), _("Embed"),
        _("Reorder resources"),
        _("You can copy and paste the embed code into a CMS or blog software that supports raw HTML"),
        _("If a view requires the DataStore, the DataStore plugin may not be enabled, or the data may "
          "not have been pushed to the DataStore, or the DataStore hasn't finished processing the data yet"),
    )
