# -*- coding: utf-8 -*-
"""``help_show`` documents the API (issue 13): every core action the platform chains,
overrides or filters through a hook or a chained auth function answers with CKAN's own
docstring, and every ``govshare_*`` action documents each parameter it accepts."""
from __future__ import annotations

import importlib
import inspect
import re
import textwrap
from typing import Any, Callable

import pytest

import ckan.plugins.toolkit as tk
from ckan.logic import _actions as registered_actions  # the running registry

from ckanext.govshare.logic import action as action_registry
from ckanext.govshare.logic import auth as auth_registry

# where CKAN's own actions live (core, and the core extensions the platform loads)
CORE_MODULES = (
    "ckan.logic.action.get", "ckan.logic.action.create", "ckan.logic.action.update",
    "ckan.logic.action.delete", "ckan.logic.action.patch",
    "ckanext.activity.logic.action", "ckanext.datastore.logic.action",
)
# core actions whose answer a hook of the plugin changes (IPackageController.after_dataset_show
# runs inside package_show, and resource_show reads through package_show)
HOOKED = {"package_show", "resource_show"}
# a floor, so that the walk below can never pass by walking nothing
MUST_WALK = {"package_show", "resource_show", "package_search", "resource_search", "activity_show",
             "package_activity_list", "datastore_search", "resource_view_show", "user_show"}
# schema keys that are not parameters
NOT_PARAMS = {"__extras", "__junk", "__before", "__after"}


def _core_actions() -> dict[str, Callable[..., Any]]:
    found: dict[str, Callable[..., Any]] = {}
    for module_name in CORE_MODULES:
        module = importlib.import_module(module_name)
        for name, value in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(value) or value.__module__ != module_name:
                continue
            found.setdefault(name, value)
    return found


CORE = _core_actions()
TOUCHED = sorted(((set(action_registry.__all__) | set(auth_registry.__all__)) & set(CORE)) | HOOKED)
GOVSHARE = sorted(n for n in action_registry.__all__ if n.startswith("govshare_"))


def test_the_walk_covers_the_touched_actions():
    assert MUST_WALK <= set(TOUCHED)
    # every core-named action of the registry is a core action (no typo escapes the walk)
    own = {n for n in action_registry.__all__ if not n.startswith("govshare_")}
    assert own <= set(CORE), sorted(own - set(CORE))


def _help(app: Any, name: str) -> Any:
    resp = app.get("/api/3/action/help_show", query_string={"name": name})
    assert resp.status_code == 200, (name, resp.status_code)
    return resp.json["result"]


@pytest.mark.usefixtures("with_plugins")
def test_help_show_answers_with_ckans_own_docstring(app):
    tk.get_action("package_show")  # the registry is built
    # an action the configuration leaves out (datastore_search_sql without
    # ``ckan.datastore.sqlsearch.enabled``) has no help to show
    walked = [name for name in TOUCHED if name in registered_actions]
    assert MUST_WALK <= set(walked)
    wrong = []
    for name in walked:
        expected = CORE[name].__doc__
        assert expected, f"CKAN's {name} has no docstring"
        if _help(app, name) != expected:
            wrong.append(name)
    assert not wrong, f"help_show does not answer with CKAN's own docstring for: {wrong}"


def _schema_keys(func: Callable[..., Any]) -> set[str] | None:
    """The keys of the schema of a ``@tk.validate`` action, or None when it has none."""
    schema_func = inspect.getclosurevars(func).nonlocals.get("schema_func")
    if schema_func is None:
        return None
    return set(schema_func()) - NOT_PARAMS


_READS = (re.compile(r"""data_dict\.get\(\s*["'](\w+)["']"""),
          re.compile(r"""data_dict\[\s*["'](\w+)["']\s*\]"""),
          re.compile(r"""get_or_bust\(\s*data_dict\s*,\s*["'](\w+)["']"""))


def _read_keys(func: Callable[..., Any]) -> set[str]:
    """The keys an action without a schema reads from its ``data_dict``."""
    source = textwrap.dedent(inspect.getsource(inspect.unwrap(func)))
    return {key for pattern in _READS for key in pattern.findall(source)}


@pytest.mark.usefixtures("with_plugins")
def test_govshare_actions_document_every_parameter(app):
    assert GOVSHARE
    missing = []
    for name in GOVSHARE:
        func = getattr(action_registry, name)
        keys = _schema_keys(func)
        if keys is None:
            keys = _read_keys(func)
        doc = _help(app, name) or ""
        assert doc.strip(), f"{name} has no help text"
        missing.extend(f"{name}: {key}" for key in sorted(keys) if f":param {key}:" not in doc)
    assert not missing, "parameters without a :param: line:\n" + "\n".join(missing)
