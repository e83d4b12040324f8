"""Search of the actor lists by name or acronym, ignoring case and accents.

The folded query becomes a case-insensitive regular expression in which every vowel (and n,
c) matches its accented forms: "peru" finds "PERÚ" and "Perú". Django's `iregex` runs on
SQLite (through Python's `re`) and on PostgreSQL (`~*`) alike, without the `unaccent`
extension."""

from __future__ import annotations

import re
import unicodedata

import django_filters
from django import forms
from django.db.models import Q, QuerySet

from actors.models import Actor

VARIANTS = {
    "a": "aáàâä",
    "e": "eéèêë",
    "i": "iíìîï",
    "o": "oóòôö",
    "u": "uúùûü",
    "n": "nñ",
    "c": "cç",
}


def fold(text: str) -> str:
    """'Perú' -> 'peru': lower case without diacritics."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def accent_pattern(text: str) -> str:
    """'Perú' -> 'p[eéèêë]r[uúùûü]': a regular expression matching every accented spelling."""
    return "".join(f"[{VARIANTS[ch]}]" if ch in VARIANTS else re.escape(ch) for ch in fold(text))


class ActorFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Buscar por nombre o siglas",
        method="search",
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "p. ej. CEPLAN o cancillería"}
        ),
    )

    class Meta:
        model = Actor
        fields = ["q"]

    def search(self, queryset: QuerySet[Actor], name: str, value: str) -> QuerySet[Actor]:
        words = value.split()
        for word in words:  # every word, in the name or the acronym
            pattern = accent_pattern(word)
            queryset = queryset.filter(Q(name__iregex=pattern) | Q(acronym__iregex=pattern))
        return queryset
