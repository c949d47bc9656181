# -*- coding: utf-8 -*-
"""The package's import graph (issue 13): every concept has one home and the homes import
each other in one direction only.

- no import cycle between the modules of ``ckanext.govshare`` (a package counts as its
  ``__init__``; ``from ckanext.govshare.x import y`` depends on ``x`` and, when ``y`` is a
  module, on ``x.y``);
- no import of CKAN or of the platform inside a function: such an import is how a cycle
  hides. (Third-party libraries may still be imported where they are used.)
"""
from __future__ import annotations

import ast
import os
from typing import Iterator

import pytest

ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "ckanext", "govshare")
PREFIX = "ckanext.govshare"


def _modules() -> dict[str, str]:
    found = {}
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in ("__pycache__", "migration")]
        for name in files:
            if not name.endswith(".py"):
                continue
            rel = os.path.relpath(os.path.join(folder, name), ROOT)[:-3].split(os.sep)
            if rel[-1] == "__init__":
                rel = rel[:-1]
            found[".".join([PREFIX, *rel])] = os.path.join(folder, name)
    return found


MODULES = _modules()


def _targets(node: ast.AST) -> Iterator[str]:
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield alias.name
    elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
        yield node.module
        for alias in node.names:
            yield f"{node.module}.{alias.name}"


def _own(name: str) -> str | None:
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _top_level_imports(tree: ast.Module) -> Iterator[ast.AST]:
    """Imports that run when the module is imported (module body, including if/try blocks)."""
    stack: list[ast.AST] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, (ast.If, ast.Try, ast.With)):
            for field in ("body", "orelse", "finalbody", "handlers"):
                stack.extend(getattr(node, field, []) or [])
        elif isinstance(node, ast.ExceptHandler):
            stack.extend(node.body)


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        with open(path, encoding="utf-8") as f:
            tree = ast.parse(f.read())
        deps = set()
        for node in _top_level_imports(tree):
            for target in _targets(node):
                if target.startswith(PREFIX):
                    own = _own(target)
                    if own and own != module:
                        deps.add(own)
        # importing a.b.c runs a/__init__ and a/b/__init__ first
        parts = module.split(".")
        for i in range(3, len(parts)):
            parent = ".".join(parts[:i])
            if parent in MODULES and parent != module:
                deps.add(parent)
        graph[module] = deps
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_package_has_its_domain_homes():
    for home in ("access", "applications", "catalogue", "dcat", "search", "vocab"):
        assert f"{PREFIX}.{home}" in MODULES, home


def test_no_import_cycle():
    assert _cycles(_graph()) == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_function_local_import_of_ckan_or_the_platform(module):
    with open(MODULES[module], encoding="utf-8") as f:
        tree = ast.parse(f.read())
    top = {id(n) for n in _top_level_imports(tree)}
    local = [
        f"line {node.lineno}: {target}"
        for node in ast.walk(tree)
        if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in top
        for target in list(_targets(node))[:1]
        if target.split(".")[0] in ("ckan", "ckanext", "flask")
    ]
    assert local == []
