import django_filters
from django import forms

from indicators import progress
from indicators.models import Indicator
from objectives import plans
from objectives.models import Directorate, StrategicObjective
from objectives.ordering import LEVEL_ORDER

LIGHT_CHOICES = [(light.value, label) for light, label in progress.LIGHT_LABELS.items()]
# The levels the tablero's plan (the PESEM) has: objectives', variables', national. An
# action's indicator (a PEI's AEI) is of another plan.
LEVEL_CHOICES = [(value, label) for value, label in Indicator.Level.choices if value in LEVEL_ORDER]


class DashboardFilter(django_filters.FilterSet):
    objective = django_filters.ModelChoiceFilter(
        label="Objetivo",
        queryset=StrategicObjective.objects.filter(plan=plans.shown_plan()),
        empty_label="todos",
    )
    responsible = django_filters.ModelChoiceFilter(
        label="Dirección",
        queryset=Directorate.objects.filter(
            entity=plans.shown_entity(), indicators__isnull=False
        ).distinct(),
        to_field_name="code",
        empty_label="todas",
    )
    level = django_filters.ChoiceFilter(label="Nivel", choices=LEVEL_CHOICES, empty_label="todos")
    # Computed from the values, so applied to the rows after the query (see views).
    light = django_filters.ChoiceFilter(
        label="Semáforo", choices=LIGHT_CHOICES, empty_label="todos", method="skip"
    )

    class Meta:
        model = Indicator
        fields = ["objective", "responsible", "level"]

    def skip(self, queryset, name, value):
        return queryset


class YearForm(forms.Form):
    anio = forms.TypedChoiceField(label="Año", coerce=int)

    def __init__(self, *args, years: range, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["anio"].choices = [(y, y) for y in years]
