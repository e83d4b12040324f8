"""The entry grid's forms: one form per indicator row, prefixed by the indicator's id. They
only parse what was typed (numbers through forms.NumberField, in Peruvian format); the rules
live in services.grid_save, whose errors the view puts back on the right row and field."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from indicators import services
from indicators.entry.forms import MAX_NOTE, NarrativeFormMixin, NumberField, WorkflowFormMixin
from indicators.entry_rows import EntryRow, part_for_input

NUMBER_FIELDS = ("numerator", "denominator", "value")
TEXT_FIELDS = ("note", "analysis", "measures", "justification", "evidence_url")


_WIDGET_TEMPLATES = "django/forms/widgets/"
_INPUTS = {"input.html", "text.html", "hidden.html", "url.html", "file.html"}


class GridWidgetRenderer(DjangoTemplates):
    """Django's own widget templates (input.html with attrs.html, textarea.html) written out
    in Python for the grid's inputs: the same HTML, without a template render per input
    (about 3 ms each, two thirds of a page of 50 rows). Any other template goes to Django."""

    def render(self, template_name: str, context: dict[str, Any], request=None) -> SafeString:
        name = template_name.removeprefix(_WIDGET_TEMPLATES)
        widget = context.get("widget")
        if not template_name.startswith(_WIDGET_TEMPLATES) or widget is None:
            return super().render(template_name, context, request)
        if name not in _INPUTS and name != "textarea.html":
            return super().render(template_name, context, request)
        attrs = "".join(
            f" {key}" if value is True else f' {key}="{conditional_escape(value)}"'
            for key, value in widget["attrs"].items()
            if value is not False
        )
        field = conditional_escape(widget["name"])
        value = widget["value"]
        if name == "textarea.html":
            text = conditional_escape(value) if value else ""
            return mark_safe(f'<textarea name="{field}"{attrs}>\n{text}</textarea>')
        shown = "" if value is None else f' value="{conditional_escape(value)}"'
        kind = conditional_escape(widget["type"])
        return mark_safe(f'<input type="{kind}" name="{field}"{shown}{attrs}>')


class GridRowForm(NarrativeFormMixin, WorkflowFormMixin):
    default_renderer = GridWidgetRenderer()
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
