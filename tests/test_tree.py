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


# What checks a response's status: Django's assertions, the shared `ok` and `built`, and a
# helper of the same module that does one of these.
STATUS_CHECKS = {"status_code", "status", "assertContains", "assertNotContains", "assertRedirects"}
STATUS_HELPERS = {"ok", "built"}
REQUESTS = {"get", "post", "put", "patch", "delete", "head", "options"}


def requests_a_page(function: ast.AST) -> bool:
    """A Django test client's request: `client.get(...)`, `self.client.post(...)`..."""
    for node in ast.walk(function):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
            if node.func.attr in REQUESTS and "client" in name.lower():
                return True
    return False


def checks_a_status(function: ast.AST, helpers: set[str]) -> bool:
    for node in ast.walk(function):
        if isinstance(node, ast.Attribute) and node.attr in STATUS_CHECKS:
            return True
        if isinstance(node, ast.Name) and node.id in helpers | STATUS_CHECKS:
            return True
    return False


def unchecked_page_tests(source: str) -> list[str]:
    """The test functions of `source` that request a page and never check its status."""
    tree = ast.parse(source)
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
    helpers = set(STATUS_HELPERS)
    for function in functions:  # module helpers that check, e.g. a `count_queries(client)`
        if not function.name.startswith("test") and checks_a_status(function, STATUS_HELPERS):
            helpers.add(function.name)
    return [
        f.name
        for f in functions
        if f.name.startswith("test") and requests_a_page(f) and not checks_a_status(f, helpers)
    ]


def test_the_status_check_tells_a_checked_page_test_from_an_unchecked_one():
    assert unchecked_page_tests(
        "def test_a(client):\n    assert 'x' in client.get('/').content.decode()\n"
    ) == ["test_a"]
    assert unchecked_page_tests("def test_a(client):\n    ok(client.get('/'))\n") == []
    assert (
        unchecked_page_tests(
            "def fetch(client):\n    assert client.get('/').status_code == 200\n"
            "def test_a(client):\n    client.post('/x')\n    fetch(client)\n"
        )
        == []
    )
    assert unchecked_page_tests("def test_a(client):\n    assertRedirects(client.get('/'))\n") == []


def test_every_page_test_checks_the_status():
    """A 403 or 404 page has content too: a test that reads a page checks its status first
    (the browser tests check each `goto`'s status where they open a page)."""
    unchecked = {}
    for path in sorted(TESTS.rglob("test_*.py")):
        if "browser" in path.parts:
            continue
        found = unchecked_page_tests(path.read_text(encoding="utf-8"))
        if found:
            unchecked[str(path.relative_to(ROOT))] = found
    assert unchecked == {}
