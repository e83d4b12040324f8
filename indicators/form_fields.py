"""Form fields shared by the entry forms and the workflow's forms."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from indicators import services


def errors_text(form: forms.Form) -> str:
    """A refused form's errors on one line, each after its field's label, for a message."""
    return " ".join(
        f"{form.fields[f].label}: {' '.join(e)}" if f in form.fields else " ".join(e)
        for f, e in form.errors.items()
    )


class NumberField(forms.CharField):
    """A decimal as Peru writes it (1,020,000.50: comma thousands, decimal point), read by
    lib.numbers.parse_number through services.parse_decimal; limits from the model."""

    def __init__(self, *, limits: dict, **kwargs):
        self.limits = limits
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
        )
        super().__init__(**kwargs)

    def to_python(self, value) -> Decimal | None:
        raw = super().to_python(value)
        try:
            return services.parse_decimal(raw, self.label, **self.limits)
        except ValidationError as exc:
            # The field's own label already sits next to the message: show the parser's own.
            message = exc.messages[0].removeprefix(f"{self.label}: ")
            raise ValidationError(message, code="invalid") from None
