# -*- coding: utf-8 -*-
"""The tests' own layout (issue 13): tests share fixtures through ``conftest.py`` and
support modules (``tests/factories.py``, ``tests/page_check.py``), never by importing
another test module; and the SHACL shapes the DCAT tests need are in the repository."""
from __future__ import annotations

import ast
import os

TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _test_modules() -> list[str]:
    found = []
    for folder, dirs, files in os.walk(TESTS):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        found += [os.path.join(folder, f) for f in files if f.endswith(".py")]
    return sorted(found)


def _imported_test_modules(path: str) -> list[str]:
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read())
    hits = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom):
            names = [node.module or ""] + [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        hits += [n for n in names if n.rpartition(".")[2].startswith("test_") or n.startswith("conftest")]
    return hits


def test_no_test_module_imports_another():
    offenders = {os.path.relpath(p, TESTS): hits for p in _test_modules() if (hits := _imported_test_modules(p))}
    assert offenders == {}


def test_the_finder_sees_an_import_of_a_test_module(tmp_path):
    module = tmp_path / "test_x.py"
    module.write_text("from tests.test_other import helper\nfrom .test_more import thing\n")
    assert _imported_test_modules(str(module)) == ["tests.test_other", "test_more"]
