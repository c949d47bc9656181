# -*- coding: utf-8 -*-
"""The vocabularies as an action (``govshare_vocabulary_list``)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import ActionResult, Context, DataDict

from ckanext.govshare import vocab
from ckanext.govshare.logic import schema as gs_schema

__all__ = ["govshare_vocabulary_list"]

_ = tk._


@tk.side_effect_free
@tk.validate(gs_schema.vocabulary_list_schema)
def govshare_vocabulary_list(context: Context, data_dict: DataDict) -> ActionResult.AnyDict:
    """The controlled vocabularies of the catalogue, with bilingual labels.

    :param name: only this vocabulary (e.g. ``open_type``); all when omitted
    :type name: string
    :returns: ``{name: {"label": {...}, "terms": [{"value", "zh", "en", "uri"}]}}``
    :rtype: dictionary
    """
    tk.check_access("govshare_vocabulary_list", context, data_dict)
    wanted = data_dict.get("name")
    if wanted is not None and wanted not in vocab.ALL:
        raise tk.ValidationError({"name": [_("Unknown vocabulary: {name}").format(name=wanted)]})
    return {
        v.name: {
            "label": {"zh_Hans_CN": v.zh, "en": v.en},
            "terms": [
                {"value": t.value, "zh": t.zh, "en": t.en, "uri": t.uri} for t in v.terms
            ],
        }
        for v in vocab.ALL.values()
        if wanted in (None, v.name)
    }
