"""The tests' own layout: their folders mirror the code's packages (tests/browser apart), each
folder is a package so two files may share a name, files are named by what they test (never
by an issue), and no test module imports another: shared factories and helpers live in
tests/factories.py, fixtures in conftest.py files."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.factories import ROOT

TESTS = ROOT / "tests"
# Modules any test may import: the shared factories and the fixtures' modules.
SHARED = {"tests.factories"}
# Folders of tests/ that mirror no package: the Chromium tests, across the whole site.
OWN_FOLDERS = {"browser"}


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def is_test_module(name: str) -> bool:
    """A module of tests/ other than the shared factories, a conftest or a package: a test_
    file, or any other file of tests/ (a helper module beside the shared one)."""
    parts = name.split(".")
    if parts[0] != "tests" or name in SHARED or parts[-1] in {"conftest", "__init__"}:
        return False
    return parts[-1].startswith("test_") or ROOT.joinpath(*parts).with_suffix(".py").is_file()


def imported_test_modules(source: str, module: str) -> list[str]:
    """The test modules `source` (the text of `module`) imports, anywhere in it: absolute or
    relative, `from package import module` included."""
    package = module.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if is_test_module(alias.name)]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if is_test_module(target):
                found.append(target)
            # `from tests.pesem import test_x` imports the module test_x.
            found += [
                f"{target}.{alias.name}"
                for alias in node.names
                if alias.name.startswith("test_") and target.split(".")[0] == "tests"
            ]
    return found


def python_files() -> list[Path]:
    return sorted(TESTS.rglob("*.py"))


def test_the_import_check_finds_every_form_of_import():
    module = "tests.pesem.test_x"
    assert imported_test_modules("from tests.pesem.test_y import helper", module) == [
        "tests.pesem.test_y"
    ]
    assert imported_test_modules("import tests.indicators.test_grid", module) == [
        "tests.indicators.test_grid"
    ]
    assert imported_test_modules("def f():\n    from .test_y import g\n", module) == [
        "tests.pesem.test_y"
    ]
    assert imported_test_modules("from tests.pesem import test_y", module) == ["tests.pesem.test_y"]
    assert imported_test_modules("from ..conftest import x", module) == []
    assert imported_test_modules("from tests.factories import make_staff", module) == []
    assert imported_test_modules("from tests.conftest import x", module) == []
    assert imported_test_modules("from indicators import services", module) == []


def test_no_test_module_imports_another():
    found = {}
    for path in python_files():
        name = module_name(path)
        imports = imported_test_modules(path.read_text(encoding="utf-8"), name)
        if imports:
            found[name] = imports
    assert found == {}, "Muévase lo compartido a tests/factories.py o a un conftest.py"


def test_no_test_file_is_named_after_an_issue():
    named = [str(p.relative_to(ROOT)) for p in python_files() if "issue" in p.name.lower()]
    assert named == []


@pytest.mark.parametrize(
    "folder",
    sorted({p.parent for p in TESTS.rglob("test_*.py")}),
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_every_test_folder_is_a_package_mirroring_the_code(folder):
    assert (folder / "__init__.py").is_file()
    parts = folder.relative_to(TESTS).parts
    if parts and parts[0] not in OWN_FOLDERS:
        assert (ROOT.joinpath(*parts) / "__init__.py").is_file(), f"{parts} no es un paquete"


def test_the_layout_has_the_code_packages_it_mirrors():
    """The layout check above sees folders: at least one per feature package."""
    folders = {p.parent.relative_to(TESTS).as_posix() for p in TESTS.rglob("test_*.py")}
    assert {"lib", "pesem/cache", "pesem/report", "indicators/entry", "browser"} <= folders


def test_no_test_module_sets_its_marks_twice():
    """A second `pytestmark = ...` silently replaces the first (a file lost its portal switch
    that way when two branches each added a mark)."""
    twice = []
    for path in sorted(TESTS.rglob("test_*.py")):
        tree = ast.parse(path.read_text())
        marks = [
            node
            for node in tree.body
            if isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets)
        ]
        if len(marks) > 1:
            twice.append(str(path.relative_to(ROOT)))
    assert twice == []
