"""The apps depend one way (docs/architecture.md, "Layers"), and no project import hides inside
a function to dodge a cycle (AppConfig.ready() and `if TYPE_CHECKING:` blocks excepted)."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import ROOT

APPS = ("objectives", "actors", "indicators", "pesem")
PROJECT = (*APPS, "lib")  # the apps and the generic helpers below them
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_import_contract_holds():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_import_contract_catches_a_lower_app_importing_a_higher_one(tmp_path):
    """The contract is not vacuous: the same check on a copy with objectives importing
    indicators is broken."""
    for name in (*PROJECT, "pyproject.toml"):
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(src, tmp_path / name)
    (tmp_path / "objectives" / "probe.py").write_text("from indicators import progress\n")
    result = _lint_imports(tmp_path)
    assert result.returncode != 0
    assert "objectives.probe -> indicators.progress" in result.stdout


def _name(node: ast.expr) -> str:
    """`AppConfig` for both `AppConfig` and `apps.AppConfig`."""
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _is_type_checking(test: ast.expr) -> bool:
    return _name(test) == "TYPE_CHECKING"


def _is_project_import(node: ast.Import | ast.ImportFrom) -> bool:
    if isinstance(node, ast.ImportFrom):
        return node.level > 0 or (node.module or "").split(".")[0] in PROJECT
    return any(alias.name.split(".")[0] in PROJECT for alias in node.names)


def _function_level_project_imports(path: Path, root: Path = ROOT) -> list[str]:
    """Imports of the project's packages (pesem, indicators, actors, objectives, lib; relative
    ones too) inside a function body. The only exceptions: an AppConfig's ready(), which runs
    once the apps are loaded, and `if TYPE_CHECKING:` blocks, which never run."""
    tree = ast.parse(path.read_text())
    ready = {
        id(item)
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
        and any(_name(b).endswith("AppConfig") for b in node.bases)
        for item in node.body
        if isinstance(item, ast.FunctionDef) and item.name == "ready"
    }
    found = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                visit(child, in_function or id(child) not in ready)
            elif isinstance(child, ast.If) and _is_type_checking(child.test):
                for other in child.orelse:
                    visit(other, in_function)
            elif isinstance(child, ast.Import | ast.ImportFrom):
                if in_function and _is_project_import(child):
                    found.append(f"{path.relative_to(root)}:{child.lineno}")
            else:
                visit(child, in_function)

    visit(tree, False)
    return found


@pytest.mark.parametrize("package", PROJECT)
def test_no_project_import_inside_a_function(package):
    files = [p for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts]
    offenders = [hit for p in files for hit in _function_level_project_imports(p)]
    assert offenders == [], "project import inside a function (only AppConfig.ready is exempt)"


def test_the_import_check_sees_a_hidden_import_even_with_a_comment(tmp_path):
    hidden = tmp_path / "hidden.py"
    hidden.write_text("def f():\n    from indicators import progress\n    return progress\n")
    explained = tmp_path / "explained.py"
    explained.write_text(
        "def f():\n    # after django.setup()\n    from indicators import progress\n"
        "    return progress\n"
    )
    nested = tmp_path / "nested.py"
    nested.write_text(
        "import json\n\n\nclass A:\n    def m(self):\n        if True:\n"
        "            import lib.numbers\n        from . import sibling\n"
        "        import json as j\n        return lib, sibling, j\n"
    )
    assert _function_level_project_imports(hidden, tmp_path) == ["hidden.py:2"]
    assert _function_level_project_imports(explained, tmp_path) == ["explained.py:3"]
    # Methods, blocks inside them and relative imports count; a third-party import does not.
    assert _function_level_project_imports(nested, tmp_path) == ["nested.py:7", "nested.py:8"]


def test_the_import_check_accepts_ready_and_type_checking_only(tmp_path):
    allowed = tmp_path / "apps.py"
    allowed.write_text(
        "from typing import TYPE_CHECKING\n"
        "from django.apps import AppConfig\n"
        "if TYPE_CHECKING:\n    from indicators.models import Indicator\n\n\n"
        "class IndicatorsConfig(AppConfig):\n    def ready(self):\n"
        "        from indicators.workflow import status\n        status.connect()\n\n"
        "    def other(self):\n        from indicators import progress\n"
        "        return progress\n\n\n"
        "def f(x: 'Indicator'):\n    if TYPE_CHECKING:\n"
        "        from indicators import access\n    return x\n\n\n"
        "class NotAnApp:\n    def ready(self):\n        from pesem import models\n"
        "        return models\n"
    )
    assert _function_level_project_imports(allowed, tmp_path) == ["apps.py:13", "apps.py:25"]
