# -*- coding: utf-8 -*-
"""govshare auth functions (registered by the auth blanket: names in ``__all__``)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

__all__ = ["govshare_vocabulary_list"]


@tk.auth_allow_anonymous_access
def govshare_vocabulary_list(context: Context, data_dict: DataDict) -> AuthResult:
    """The vocabularies are public: anyone may read them."""
    return {"success": True}
