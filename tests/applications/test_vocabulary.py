# -*- coding: utf-8 -*-
"""Request kinds, statuses, event actions and grant statuses are vocabularies defined once
(``ckanext/govshare/vocab``, issue 13); the table's CHECK constraints, the frozen migration,
the schema, the deadline policies and the labels all agree with them."""
from __future__ import annotations

import importlib.util
import os
import re

import pytest
import sqlalchemy as sa

from ckan import model

from ckanext.govshare import helpers, vocab
from ckanext.govshare.applications import deadlines, workflow
from ckanext.govshare.applications import model as app_model
from ckanext.govshare.logic import schema

MIGRATION = os.path.join(os.path.dirname(app_model.__file__), "..", "migration", "govshare", "versions",
                         "7c2e5d9a1b44_create_govshare_application.py")


def _quoted(text: str) -> list[str]:
    return re.findall(r"'([^']+)'", text)


def test_the_model_takes_its_values_from_the_vocabulary():
    assert app_model.KINDS == tuple(vocab.APPLICATION_KINDS.values())
    assert app_model.STATUSES == tuple(vocab.APPLICATION_STATUSES.values())
    assert app_model.PENDING == vocab.PENDING_STATUSES
    assert set(vocab.PENDING_STATUSES) | set(vocab.FINAL_STATUSES) == set(app_model.STATUSES)
    constraints = {c.name: str(c.sqltext) for c in app_model.Application.__table__.constraints
                   if isinstance(c, sa.CheckConstraint)}
    assert _quoted(constraints["govshare_application_kind"]) == list(app_model.KINDS)
    assert _quoted(constraints["govshare_application_status"]) == list(app_model.STATUSES)


def test_the_frozen_migration_spells_the_same_values():
    spec = importlib.util.spec_from_file_location("govshare_migration_7c2e", MIGRATION)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)  # type: ignore[union-attr]
    assert _quoted(migration.KINDS) == vocab.APPLICATION_KINDS.values()
    assert _quoted(migration.STATUSES) == vocab.APPLICATION_STATUSES.values()


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_the_live_check_constraints_equal_the_vocabulary():
    rows = dict(model.Session.execute(sa.text(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conname IN ('govshare_application_kind', 'govshare_application_status')")).fetchall())
    assert _quoted(rows["govshare_application_kind"]) == vocab.APPLICATION_KINDS.values()
    assert _quoted(rows["govshare_application_status"]) == vocab.APPLICATION_STATUSES.values()
    # the one-pending-application index is the pending states' (migration-defined predicate)
    predicate = model.Session.execute(sa.text(
        "SELECT pg_get_expr(i.indpred, i.indrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE c.relname = 'govshare_application_one_pending'")).scalar()
    assert predicate is not None and _quoted(predicate) == list(vocab.PENDING_STATUSES)


@pytest.mark.usefixtures("with_plugins")
def test_schema_and_policies_know_exactly_the_kinds():
    kind_validators = schema.application_create_schema()["kind"]
    one_of = [v for v in kind_validators if getattr(v, "__name__", "") == "callable"]
    assert one_of, "the kind is checked against a list"
    for value in vocab.APPLICATION_KINDS.values():
        assert one_of[0](value) == value
    assert list(deadlines.KINDS) == vocab.APPLICATION_KINDS.values()
    for name in deadlines.policy_names():
        assert set(deadlines.load_policy(name).kinds) <= set(vocab.APPLICATION_KINDS.values())


def test_the_workflow_speaks_the_vocabulary():
    for froms, to in workflow.TRANSITIONS.values():
        assert set(froms) | {to} <= set(vocab.APPLICATION_STATUSES.values())
    assert set(workflow.TRANSITIONS["approve"][0]) == set(vocab.PENDING_STATUSES)
    assert set(workflow.EVENT_SIGNALS) == set(vocab.APPLICATION_EVENTS.values())
    assert set(workflow.GRANTING_KINDS) == set(vocab.GRANTING_KINDS) <= set(vocab.APPLICATION_KINDS.values())


@pytest.mark.parametrize("vocabulary,helper", [
    (vocab.APPLICATION_KINDS, helpers.govshare_kind_label),
    (vocab.APPLICATION_STATUSES, helpers.govshare_status_label),
    (vocab.APPLICATION_EVENTS, helpers.govshare_event_label),
    (vocab.GRANT_STATUSES, helpers.govshare_grant_status_label),
])
@pytest.mark.ckan_config("ckan.locale_default", "zh_Hans_CN")
@pytest.mark.usefixtures("ckan_config")
def test_every_term_has_both_labels_and_the_helpers_read_them(vocabulary, helper):
    for term in vocabulary:
        assert term.zh and term.en and term.zh != term.en
        assert helper(term.value) == term.zh  # outside a request: the site's default language
    assert len({t.zh for t in vocabulary}) == len(vocabulary.terms)


def test_the_workflow_vocabularies_are_not_catalogue_vocabularies():
    # not offered as SKOS nor by govshare_vocabulary_list: they are the platform's own codes
    assert not set(vocab.WORKFLOW) & set(vocab.ALL)
