"""Forms of yearly data entry. They only parse input into typed values; the rules live in
indicators.services, whose Spanish errors are put back next to the right field."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from indicators import services
from indicators.form_fields import NumberField
from indicators.models import ActionReport

MAX_NOTE = 2000
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
EVIDENCE_EXTENSIONS = {
    ".pdf",
    ".png",
    ".jpg",
    ".jpeg",
    ".xlsx",
    ".xls",
    ".csv",
    ".docx",
    ".doc",
    ".odt",
    ".ods",
}


def clean_evidence(upload):
    if not upload:
        return None
    name = upload.name.lower()
    if not any(name.endswith(ext) for ext in EVIDENCE_EXTENSIONS):
        raise ValidationError(
            "Tipo de archivo no admitido. Use PDF, imagen (PNG/JPG) u hoja de cálculo/documento."
        )
    if upload.size > MAX_EVIDENCE_BYTES:
        raise ValidationError("El archivo supera el máximo de 10 MB.")
    return upload


class WorkflowFormMixin(forms.Form):
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    evidence_url = forms.URLField(
        label="Medio de verificación (enlace)",
        required=False,
        max_length=500,
        assume_scheme="https",
    )
    evidence_file = forms.FileField(label="Medio de verificación (archivo)", required=False)

    def clean_evidence_file(self):
        return clean_evidence(self.cleaned_data.get("evidence_file"))


MAX_NARRATIVE = 4000


class NarrativeFormMixin(forms.Form):
    """The words CEPLAN's follow-up reports pair with each number, and the justification of a
    value that trips warnings (indicators.progress.entry_warnings)."""

    analysis = forms.CharField(
        label="Análisis del avance",
        required=False,
        max_length=MAX_NARRATIVE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    measures = forms.CharField(
        label="Medidas adoptadas o propuestas",
        required=False,
        max_length=MAX_NARRATIVE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    justification = forms.CharField(
        label="Justificación de las advertencias",
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Obligatoria para enviar un valor con advertencias; la ve el validador.",
    )


class ValueForm(NarrativeFormMixin, WorkflowFormMixin):
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
        label="Nota", required=False, max_length=MAX_NOTE, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, indicator, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        if indicator.is_ratio:
            self.fields["numerator"].required = True
            self.fields["denominator"].required = True
            self.fields["numerator"].help_text = indicator.numerator
            self.fields["denominator"].help_text = indicator.denominator
            # Screen readers read the definition with the field: Django points the input's
            # aria-describedby at "<id>_helptext", the id the template gives the help text.
            del self.fields["value"]
        else:
            del self.fields["numerator"]
            del self.fields["denominator"]
            self.fields["value"].required = True
        for name in ("numerator", "denominator", "value"):
            if name in self.fields:  # static/js/grid.js sends these to the live preview
                self.fields[name].widget.attrs["data-part"] = name
        for field in self.fields.values():
            field.error_messages["required"] = "Este campo es obligatorio."


class ActionReportForm(WorkflowFormMixin):
    field_order = ["execution", "percent", "description", "evidence_url", "evidence_file"]
    execution = forms.ChoiceField(label="Situación", choices=ActionReport.Progress.choices)
    percent = NumberField(
        label="Avance (%)", required=True, limits={"max_integer_digits": 3, "max_decimals": 2}
    )
    description = forms.CharField(
        label="Qué se hizo",
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ReasonForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Motivo",
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ImportForm(forms.Form):
    file = forms.FileField(label="Archivo CSV o XLSX")
    status = forms.ChoiceField(
        label="Estado de los valores importados",
        # Sending the values on is a choice the importer makes, never the default. No
        # "validado": four eyes, another person of the planning office validates them.
        choices=[("draft", "borrador"), ("submitted", "enviado a validación")],
        initial="draft",
    )
