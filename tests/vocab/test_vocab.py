# -*- coding: utf-8 -*-
"""The vocabularies: one home, bilingual labels, lookups by code or label."""
from __future__ import annotations

import pytest

from ckanext.govshare import vocab


def test_levels_are_the_three_of_the_regulations():
    # chongqing-2018 §16 (share) and §22 (open): three levels each
    assert [t.zh for t in vocab.SHARE_TYPES] == ["无条件共享", "有条件共享", "不予共享"]
    assert [t.zh for t in vocab.OPEN_TYPES] == ["无条件开放", "有条件开放", "不予开放"]


def test_shenyang_names_map_to_the_same_levels():
    # shenyang-2016 §10: 非受限共享 / 受限共享 / 非共享
    assert vocab.SHARE_TYPES.lookup("非受限共享").value == "unconditional"
    assert vocab.SHARE_TYPES.lookup("受限共享").value == "conditional"
    assert vocab.SHARE_TYPES.lookup("非共享").value == "none"


@pytest.mark.parametrize("name", sorted(vocab.ALL))
def test_every_vocabulary_is_bilingual_and_unique(name):
    v = vocab.get(name)
    values = v.values()
    assert len(values) == len(set(values))
    for term in v:
        assert term.zh and term.en
        assert term.label("en") == term.en
        assert term.label("zh_Hans_CN") == term.zh
        assert v.lookup(term.zh) is term
        assert v.lookup(term.value) is term


def test_update_cycles_follow_the_catalogue_guide():
    assert [t.zh for t in vocab.UPDATE_CYCLES] == [
        "实时", "每日", "每周", "每月", "每季度", "每半年", "每年", "不定期"]
    assert all(t.uri for t in vocab.UPDATE_CYCLES)


def test_label_of_unknown_value_is_the_value():
    assert vocab.OPEN_TYPES.label("nonsense") == "nonsense"
    assert vocab.OPEN_TYPES.get("nonsense") is None
