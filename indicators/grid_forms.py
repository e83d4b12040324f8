"""The entry grid's forms: one form per indicator row, prefixed by the indicator's id. They
only parse what was typed (numbers through forms.NumberField, in Peruvian format); the rules
live in services.grid_save, whose errors the view puts back on the right row and field."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from indicators import services
from indicators.entry import EntryRow, part_for_input
from indicators.forms import MAX_NOTE, NarrativeFormMixin, NumberField, WorkflowFormMixin

NUMBER_FIELDS = ("numerator", "denominator", "value")
TEXT_FIELDS = ("note", "analysis", "measures", "justification", "evidence_url")


class GridRowForm(NarrativeFormMixin, WorkflowFormMixin):
    field_order = [
        "numerator",
        "denominator",
        "value",
        "note",
        "analysis",
        "measures",
        "justification",
        "evidence_url",
        "evidence_file",
    ]
    numerator = NumberField(label="Numerador", limits=services.PART_LIMITS)
    denominator = NumberField(label="Denominador", limits=services.PART_LIMITS)
    value = NumberField(label="Valor", limits=services.VALUE_LIMITS)
    note = forms.CharField(
        label="Nota", required=False, max_length=MAX_NOTE, widget=forms.Textarea(attrs={"rows": 2})
    )
    # Storage key of an evidence file chosen in an earlier attempt that was refused (another
    # row had an error): browsers cannot keep a file input across a re-render, so the grid
    # keeps the file and carries its key (checked by the view: this user's, well formed).
    pending_file = forms.CharField(required=False, max_length=300, widget=forms.HiddenInput)

    def __init__(self, *args: Any, row: EntryRow, **kwargs: Any) -> None:
        super().__init__(*args, prefix=f"r{row.indicator.pk}", **kwargs)
        self.row = row
        indicator = row.indicator
        if indicator.is_ratio:
            del self.fields["value"]
            self.fields["numerator"].help_text = indicator.numerator
            self.fields["denominator"].help_text = indicator.denominator
        else:
            del self.fields["numerator"]
            del self.fields["denominator"]
        for name in NUMBER_FIELDS:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["data-part"] = name  # static/js/grid.js sends these to the preview
        self.fields["evidence_url"].widget.attrs["placeholder"] = "https://"

    def numbers(self) -> dict[str, Decimal | None]:
        """The numbers that parsed (an unparsable one counts as missing)."""
        data = getattr(self, "cleaned_data", {})
        return {name: data.get(name) for name in NUMBER_FIELDS}

    def touched(self) -> bool:
        """Something was typed or chosen in the row (a blank row of an indicator without a
        value is not an entry)."""
        data = self.cleaned_data
        return (
            any(data.get(name) is not None for name in NUMBER_FIELDS)
            or any(data.get(name) for name in TEXT_FIELDS)
            or bool(data.get("evidence_file") or data.get("pending_file"))
        )


def entry_initial(row: EntryRow) -> dict[str, Any]:
    """What an entry form (grid row or value form) shows before anything is typed: the stored
    value, numbers formatted the Peruvian way so they read back unchanged (no 1.600000)."""
    item = row.item
    if item is None:
        return {}
    return {
        "version": item.version,
        "numerator": part_for_input(item.numerator),
        "denominator": part_for_input(item.denominator),
        "value": row.for_input(item.value),
        "note": item.note,
        "analysis": item.analysis,
        "measures": item.measures,
        "justification": item.justification,
        "evidence_url": item.evidence_url,
    }
