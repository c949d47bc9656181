# -*- coding: utf-8 -*-
"""The vocabulary spellings and the tag rules applied to the entry form and the API, the
same as the spreadsheet importer applies (registered through ``logic/validators.py``):

- ``govshare_vocab_alias`` (before ``scheming_choices``): a value that is not a stored code
  but a label or a spelling the field's vocabulary lists (每天, 依申请开放 …) becomes the
  code; anything else is left for ``scheming_choices`` to refuse;
- ``govshare_normalise_tags`` (before ``tag_string_convert``): the tag rules of
  :mod:`ckanext.govshare.vocab.tags`.
"""
from __future__ import annotations

from typing import Any, Callable

from ckanext.scheming.validation import scheming_validator

from ckanext.govshare import vocab
from ckanext.govshare.vocab.tags import normalise_tags

__all__ = ["govshare_vocab_alias", "govshare_normalise_tags"]


@scheming_validator
def govshare_vocab_alias(field: dict[str, Any], schema: dict[str, Any]) -> Callable[[Any], Any]:
    vocabulary = vocab.ALL.get(field.get("govshare_vocabulary") or "")

    def one(value: Any) -> Any:
        if vocabulary is None or not isinstance(value, str) or not value or value in vocabulary:
            return value
        term = vocabulary.lookup(value)
        return term.value if term is not None else value

    def validator(value: Any) -> Any:
        if isinstance(value, list):
            return [one(v) for v in value]
        return one(value)

    return validator


def govshare_normalise_tags(value: Any) -> Any:
    """A tag string with CKAN's tag rules applied (split, punctuation mapped or removed,
    too short dropped, too long cut)."""
    if not isinstance(value, str):
        return value
    return ",".join(normalise_tags(value)[0])
