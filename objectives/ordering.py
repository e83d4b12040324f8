"""The order in which lists show indicators: objective indicators first, then variable
indicators, then national ones, each by code in natural order (OE1.2 before OE1.10, V2.1
before V10.1). Pure functions over strings, so every layer can sort the rows it already read
without another query; the database's ORDER BY code would put V10.1 before V2.1."""

from __future__ import annotations

import re

# Indicator.Level values (indicators/models.py), spelled here because this module sits below
# the indicators app; an unknown level sorts last.
LEVEL_ORDER = ("objective", "variable", "national")
_LEVEL_RANK = {level: rank for rank, level in enumerate(LEVEL_ORDER)}
_DIGITS = re.compile(r"(\d+)")


def natural_key(code: str) -> tuple[str | int, ...]:
    """A code's sort key with its numbers compared as numbers: "V10.1" -> ("V", 10, ".", 1, "").
    Text and numbers alternate from the first element, so two keys always compare text with
    text and number with number."""
    return tuple(
        int(part) if index % 2 else part.upper()
        for index, part in enumerate(_DIGITS.split(code.strip()))
    )


def indicator_key(level: str, code: str) -> tuple[int, tuple[str | int, ...]]:
    """Objective indicators, then variable, then national; codes in natural order."""
    return _LEVEL_RANK.get(level, len(LEVEL_ORDER)), natural_key(code)
