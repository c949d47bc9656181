# -*- coding: utf-8 -*-
"""Auth of the vocabularies: public."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

__all__ = [
    "govshare_vocabulary_list",
]

_ = tk._


@tk.auth_allow_anonymous_access
def govshare_vocabulary_list(context: Context, data_dict: DataDict) -> AuthResult:
    """The vocabularies are public: anyone may read them."""
    return {"success": True}
