"""The README stays the front door: short, and its layout map names every package of the tree."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
APPS = ("lib", "pesem", "indicators", "actors", "objectives")
# Django's own kinds of package, described with their app rather than on a line of their own.
NOT_FEATURES = {"migrations", "management", "templatetags"}
MAX_LINES = 260


def _layout_map() -> dict[str, str]:
    """The first code block under the README's "Layout" heading, as {path: its description}:
    a line starting at the left margin opens an entry, indented lines continue it."""
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```\n(.*?)```", section, re.S).group(1)
    entries: dict[str, str] = {}
    path = ""
    for line in block.splitlines():
        if line and not line[0].isspace():
            path, _, description = line.partition(" ")
            entries[path] = description
        elif path:
            entries[path] += " " + line.strip()
    return entries


def _named(package: str, entries: dict[str, str]) -> bool:
    """A package has its own line, or its parent's line names it (`es_PE/` under
    `pesem/formats/`)."""
    if package in entries:
        return True
    parent, name = package.rstrip("/").rsplit("/", 1)
    return (
        re.search(rf"(?<![\w/]){re.escape(name)}/(?!\w)", entries.get(parent + "/", "")) is not None
    )


def _packages() -> list[str]:
    found = []
    for app in APPS:
        for init in sorted((ROOT / app).rglob("__init__.py")):
            package = init.parent.relative_to(ROOT)
            if NOT_FEATURES.isdisjoint(package.parts):
                found.append(f"{package.as_posix()}/")
    return found


def test_every_package_is_named_in_the_layout_map():
    packages = _packages()
    # The feature packages exist, so the check below cannot pass on an empty list.
    assert {"lib/", "pesem/cache/", "pesem/report/", "indicators/workflow/"} <= set(packages)
    entries = _layout_map()
    missing = [package for package in packages if not _named(package, entries)]
    assert not missing, f"packages missing from the README's layout map: {missing}"


def test_layout_map_names_no_package_that_is_gone():
    packages = set(_packages())
    named = [path for path in _layout_map() if path.split("/")[0] in APPS]
    assert named
    gone = [name for name in named if name not in packages]
    assert not gone, f"the README's layout map names packages that do not exist: {gone}"


def test_readme_is_short():
    lines = README.read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"README.md has {lines} lines (at most {MAX_LINES})"
