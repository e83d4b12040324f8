"""Search of the actor lists: name or acronym, ignoring case and accents.

The folding is done with plain SQL functions (LOWER and REPLACE) so it behaves the same on
SQLite and PostgreSQL without the `unaccent` extension. SQLite's LOWER only folds ASCII, so
accented capitals are replaced explicitly."""

from __future__ import annotations

import unicodedata

import django_filters
from django import forms
from django.db.models import F, QuerySet, Value
from django.db.models.functions import Concat, Lower, Replace

from actors.models import Actor

# Accented letters of Spanish (and a few of the foreign names in Anexo 3), both cases.
ACCENTS = {
    "a": "áàâäÁÀÂÄ",
    "e": "éèêëÉÈÊË",
    "i": "íìîïÍÌÎÏ",
    "o": "óòôöÓÒÔÖ",
    "u": "úùûüÚÙÛÜ",
    "n": "ñÑ",
    "c": "çÇ",
}


def fold(text: str) -> str:
    """'Perú' -> 'peru': lower case without diacritics."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def folded_expression(*fields: str):
    """SQL expression of the fields joined by a space, lower case and without accents."""
    parts = []
    for name in fields:
        parts += [F(name), Value(" ")]
    expression = Lower(Concat(*parts))
    for plain, accented in ACCENTS.items():
        for letter in accented:
            expression = Replace(expression, Value(letter), Value(plain))
    return expression


class ActorFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Buscar por nombre o siglas",
        method="search",
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "p. ej. CEPLAN o cancillería"}
        ),
    )

    class Meta:
        model = Actor
        fields = ["q"]

    def search(self, queryset: QuerySet[Actor], name: str, value: str) -> QuerySet[Actor]:
        needle = fold(value.strip())
        if not needle:
            return queryset
        return queryset.alias(folded=folded_expression("name", "acronym")).filter(
            folded__contains=needle
        )
