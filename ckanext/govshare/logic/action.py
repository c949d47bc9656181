# -*- coding: utf-8 -*-
"""govshare actions: the registry the actions blanket reads (names in ``__all__``).

Each domain package declares its actions in its own ``actions`` module (``__all__``); this
module only gathers them.
"""
from __future__ import annotations

from types import ModuleType

from ckanext.govshare.access import actions as access_actions
from ckanext.govshare.applications import actions as application_actions
from ckanext.govshare.catalogue import actions as catalogue_actions
from ckanext.govshare.feedback import actions as feedback_actions
from ckanext.govshare.notices import actions as notice_actions
from ckanext.govshare.oversight import actions as oversight_actions
from ckanext.govshare.review import actions as review_actions
from ckanext.govshare.search import suggest as search_actions
from ckanext.govshare.vocab import actions as vocab_actions

_DOMAINS: dict[ModuleType, list[str]] = {
    vocab_actions: vocab_actions.__all__,
    access_actions: access_actions.__all__,
    application_actions: application_actions.__all__,
    catalogue_actions: catalogue_actions.__all__,
    oversight_actions: oversight_actions.__all__,
    review_actions: review_actions.__all__,
    search_actions: ["govshare_search_suggest"],
    feedback_actions: feedback_actions.__all__,
    notice_actions: notice_actions.__all__,
}

__all__ = [name for names in _DOMAINS.values() for name in names]
globals().update({name: getattr(module, name) for module, names in _DOMAINS.items() for name in names})
