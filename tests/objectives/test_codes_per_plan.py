"""Codes are unique within a plan, and units within an entity: a PEI may have its own OE1,
its action 1.1 and its indicator OE1.1 beside the PESEM's, and two entities may both have an
«OPP»; within one plan, or one entity, a repeated code is refused in Spanish. The PESEM's
rows carry their plan and entity (migrations objectives 0008-0010, indicators 0012-0014)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from indicators.models import Indicator
from objectives.models import Directorate, Plan, StrategicAction, StrategicObjective
from tests.factories import example_pei as make_example_pei

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def example_pei():
    return make_example_pei()


def test_the_pesem_rows_carry_their_plan_and_entity():
    pesem = Plan.objects.get(code="PESEM-RREE")
    assert list(StrategicObjective.objects.values_list("code", flat=True)) == [
        "OE1",
        "OE2",
        "OE3",
        "OE4",
    ]
    assert set(StrategicAction.objects.values_list("plan", flat=True)) == {pesem.pk}
    assert set(Indicator.objects.values_list("plan", flat=True)) == {pesem.pk}
    assert set(Directorate.objects.values_list("entity__code", flat=True)) == {"RREE"}


def test_another_plan_may_repeat_the_pesem_codes(example_pei):
    objective = StrategicObjective.objects.create(plan=example_pei, number=1, name="Ejemplo")
    assert objective.code == "OE1"
    action = StrategicAction.objects.create(objective=objective, code="1.1", name="Acción")
    assert action.plan == example_pei
    indicator = Indicator.objects.create(
        code="OE1.1", name="Indicador de ejemplo", level="objective", objective=objective
    )
    assert indicator.plan == example_pei
    assert Indicator.objects.filter(code="OE1.1").count() == 2
    unit = Directorate.objects.create(entity=example_pei.entity, code="OPP", name="Planeamiento")
    assert Directorate.objects.filter(code="OPP").count() == 2 and unit.pk


def test_a_repeated_code_within_a_plan_or_entity_is_refused_in_spanish(example_pei):
    pesem = Plan.objects.get(code="PESEM-RREE")
    cases = [
        (StrategicObjective(plan=pesem, number=1, name="Otro"), "ya tiene un objetivo"),
        (
            StrategicAction(objective=StrategicObjective.objects.get(code="OE1"), code="1.1"),
            "ya tiene una acción",
        ),
        (Indicator(plan=pesem, code="OE3.1", name="Otro", level="objective"), "un indicador"),
        (Directorate(entity=pesem.entity, code="OPP"), "otra unidad de la entidad"),
    ]
    for row, message in cases:
        if isinstance(row, StrategicAction):
            row.plan_id = row.objective.plan_id
        with pytest.raises(ValidationError, match=message):
            row.full_clean(exclude=["name", "objective", "level"])
        with pytest.raises(IntegrityError), transaction.atomic():
            row.save()


def test_an_indicator_without_an_objective_names_its_plan_once_there_are_two(example_pei):
    indicator = Indicator(code="V99.1", name="Variable de ejemplo", level="variable")
    with pytest.raises(ValidationError, match="Indique el plan del indicador"):
        indicator.save()
    indicator.plan = example_pei
    indicator.save()
    assert Indicator.objects.get(code="V99.1").plan == example_pei
