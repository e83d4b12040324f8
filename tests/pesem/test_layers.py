"""The apps depend one way (README, "Layout"), and no import hides inside a function to dodge
a cycle."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import ROOT

APPS = ("lib", "objectives", "actors", "indicators", "pesem")
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
    for name in (*APPS, "pyproject.toml"):
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(src, tmp_path / name)
    (tmp_path / "objectives" / "probe.py").write_text("from indicators import progress\n")
    result = _lint_imports(tmp_path)
    assert result.returncode != 0
    assert "objectives.probe -> indicators.progress" in result.stdout


def _function_level_project_imports(path: Path, root: Path = ROOT) -> list[str]:
    """Imports of our apps inside a function body without a comment on the line above
    saying why."""
    lines = path.read_text().splitlines()
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.ImportFrom):
                modules = [inner.module or ""]
            elif isinstance(inner, ast.Import):
                modules = [alias.name for alias in inner.names]
            else:
                continue
            if not any(m.split(".")[0] in APPS for m in modules):
                continue
            before = lines[inner.lineno - 2].strip() if inner.lineno > 1 else ""
            same = lines[inner.lineno - 1]
            if not before.startswith("#") and "#" not in same:
                found.append(f"{path.relative_to(root)}:{inner.lineno}")
    return found


@pytest.mark.parametrize("app", APPS)
def test_no_unexplained_import_inside_a_function(app):
    files = [p for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts]
    offenders = [hit for p in files for hit in _function_level_project_imports(p)]
    assert offenders == [], "import inside a function without a comment saying why"


def test_the_import_check_sees_a_hidden_import_and_accepts_an_explained_one(tmp_path):
    hidden = tmp_path / "hidden.py"
    hidden.write_text("def f():\n    from indicators import progress\n    return progress\n")
    explained = tmp_path / "explained.py"
    explained.write_text(
        "def f():\n    # after django.setup()\n    from indicators import progress\n"
        "    return progress\n"
    )
    assert _function_level_project_imports(hidden, tmp_path) == ["hidden.py:2"]
    assert _function_level_project_imports(explained, tmp_path) == []
