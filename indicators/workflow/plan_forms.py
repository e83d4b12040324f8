"""The plan version forms: they only parse; the rules are in
indicators.workflow.plan_services."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from django import forms

from indicators import progress, services
from indicators.form_fields import NumberField
from indicators.models import Indicator
from indicators.workflow.target_forms import MAX_TEXT, ResolutionForm, rationale_field
from lib import numbers
from objectives.models import Plan, PlanVersion

# How far an ampliación may reach in one step, in years after the horizon's end.
MAX_NEW_YEARS = 10


def horizon_choices(plan: Plan) -> list[int]:
    return list(range(plan.end_year + 1, plan.end_year + MAX_NEW_YEARS + 1))


class VersionForm(ResolutionForm):
    """A version of the plan: its resolution, its rationale and one target field per
    indicator and year (`meta-<indicator id>-<year>`, typed as Peru writes numbers). An
    ampliación's fields are the new years', empty; a modificación's are the horizon's,
    pre-filled with the targets in force (an interpolated year empty: it has no target of
    its own). An empty field is no target; one left as it was, no change."""

    # Chosen above the form (?hasta=), which lays out an ampliación's new years' columns.
    horizon_end = forms.TypedChoiceField(
        label="Nuevo fin del horizonte", coerce=int, widget=forms.HiddenInput
    )
    rationale = rationale_field()
    field_order = ["horizon_end", "resolution_type", "resolution_number", "resolution_date"]

    def __init__(
        self,
        *args,
        plan: Plan,
        kind: str,
        horizon_end: int,
        indicators: list[Indicator],
        now: Mapping[tuple[int, int], progress.YearTarget | None],
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.kind = kind
        extension = kind == PlanVersion.Kind.EXTENDED
        self.fields["horizon_end"].choices = [
            (y, str(y)) for y in (horizon_choices(plan) if extension else [plan.end_year])
        ]
        self.fields["horizon_end"].initial = horizon_end
        self.years = list(range(plan.end_year + 1, horizon_end + 1) if extension else plan.years)
        self.grid: list[tuple[Indicator, list[tuple[forms.BoundField, object]]]] = []
        for indicator in indicators:
            cells = []
            for year in self.years:
                name = f"meta-{indicator.pk}-{year}"
                self.fields[name] = NumberField(
                    label=f"Meta {year} de {indicator.code}", limits=services.VALUE_LIMITS
                )
                target = now.get((indicator.pk, year))
                if target is not None and not target.interpolated:
                    self.fields[name].initial = numbers.format_for_input(
                        target.value, indicator.decimals
                    )
                cells.append((self[name], target))
            self.grid.append((indicator, cells))

    def targets(self) -> dict[Indicator, dict[int, Decimal]]:
        """The typed targets, by indicator and year (only the years typed)."""
        typed: dict[Indicator, dict[int, Decimal]] = {}
        for indicator, _ in self.grid:
            for year in self.years:
                value = self.cleaned_data.get(f"meta-{indicator.pk}-{year}")
                if value is not None:
                    typed.setdefault(indicator, {})[year] = value
        return typed


class VersionDecisionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=[("aprobar", "aprobar"), ("descartar", "descartar")])
    note = forms.CharField(label="Motivo para descartarla", required=False, max_length=MAX_TEXT)
