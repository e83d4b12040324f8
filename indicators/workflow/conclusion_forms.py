"""The report conclusions page's forms: they only parse; the rules are in
indicators.workflow.conclusion_services."""

from __future__ import annotations

from django import forms

from indicators.workflow.conclusion_services import MAX_TEXT, TRANSITIONS

MAX_REASON = 2000


class ConclusionForm(forms.Form):
    conclusions = forms.CharField(
        label="Conclusiones",
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    recommendations = forms.CharField(
        label="Recomendaciones",
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    version = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)


class ConclusionTransitionForm(forms.Form):
    action = forms.ChoiceField(choices=[(name, name) for name in TRANSITIONS])
    version = forms.IntegerField(required=False, min_value=0)
    reason = forms.CharField(label="Motivo", required=False, max_length=MAX_REASON)
