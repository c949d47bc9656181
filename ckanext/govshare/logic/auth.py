# -*- coding: utf-8 -*-
"""govshare auth functions: the registry the auth blanket reads (names in ``__all__``).

Each domain package declares its auth functions in its own ``auth`` module (``__all__``);
this module only gathers them.
"""
from __future__ import annotations

from ckanext.govshare.access import auth as access_auth
from ckanext.govshare.applications import auth as application_auth
from ckanext.govshare.catalogue import auth as catalogue_auth
from ckanext.govshare.feedback import auth as feedback_auth
from ckanext.govshare.notices import auth as notice_auth
from ckanext.govshare.oversight import auth as oversight_auth
from ckanext.govshare.review import auth as review_auth
from ckanext.govshare.vocab import auth as vocab_auth

_DOMAINS = (vocab_auth, access_auth, catalogue_auth, application_auth, oversight_auth, review_auth, feedback_auth, notice_auth)

__all__ = [name for module in _DOMAINS for name in module.__all__]
globals().update({name: getattr(module, name) for module in _DOMAINS for name in module.__all__})
