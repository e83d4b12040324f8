"""The calendar page's form: it only parses; the rules are in
indicators.workflow.calendar_services."""

from __future__ import annotations

from django import forms

MAX_REASON = 2000


class DeadlineForm(forms.Form):
    year = forms.IntegerField(label="Año", widget=forms.HiddenInput)
    # 0: the year; 1 or 2: a semestral plan's semester.
    semester = forms.IntegerField(
        label="Periodo", widget=forms.HiddenInput, required=False, min_value=0, max_value=2
    )
    due_date = forms.DateField(
        label="Fecha límite",
        # The browser's date input sends AAAA-MM-DD; typed dates are read as dd/mm/aaaa.
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Escriba una fecha válida (dd/mm/aaaa)."},
    )
    reason = forms.CharField(label="Motivo del cambio", max_length=MAX_REASON)
