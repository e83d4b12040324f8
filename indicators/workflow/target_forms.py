"""The target revision forms: they only parse; the rules are in
indicators.workflow.target_services."""

from __future__ import annotations

from django import forms

from indicators import services
from indicators.form_fields import NumberField
from indicators.models import TargetRevision
from indicators.workflow.target_services import TARGET_REASONS_PROPOSED

MAX_TEXT = 2000


def rationale_field() -> forms.CharField:
    """Why a target or a version changes: internal, never published."""
    return forms.CharField(
        label="Sustento",
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Interno: no se publica.",
    )


class ResolutionForm(forms.Form):
    """The approving resolution, typed with a target revision or a plan version
    (target_services.resolution_typed reads it)."""

    resolution_type = forms.CharField(label="Tipo de resolución", required=False, max_length=80)
    resolution_number = forms.CharField(label="Número de resolución", required=False, max_length=60)
    resolution_date = forms.DateField(
        label="Fecha de la resolución",
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Escriba una fecha válida (dd/mm/aaaa)."},
    )

    def resolution_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "resolution_type": data["resolution_type"],
            "number": data["resolution_number"],
            "date": data["resolution_date"],
        }


class TargetRevisionForm(ResolutionForm):
    year = forms.IntegerField(label="Año")
    value = NumberField(label="Nueva meta", required=True, limits=services.VALUE_LIMITS)
    reason = forms.ChoiceField(
        label="Motivo",
        choices=[(r.value, r.label) for r in TARGET_REASONS_PROPOSED],
        initial=TargetRevision.Reason.MODIFICATION,
    )
    rationale = rationale_field()
    field_order = ["year", "value", "reason", "rationale"]


class TargetDecisionForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=[("aprobar", "aprobar"), ("rechazar", "rechazar")])
    note = forms.CharField(label="Motivo del rechazo", required=False, max_length=MAX_TEXT)
