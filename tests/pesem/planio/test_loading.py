"""The plan in the database is the published document: counts, spot checks, conflicts,
idempotent reloads that never touch user data."""

from decimal import Decimal

import pytest
from django.conf import settings

from actors.models import Actor, ActorInfluence
from indicators.models import Indicator, IndicatorValue, Target
from objectives.models import (
    Component,
    Directorate,
    PipTypology,
    RiskOpportunity,
    Scenario,
    SourceDefect,
    StrategicAction,
    StrategicObjective,
    StrategicVariable,
    Subcomponent,
    Trend,
)
from pesem.planio.export import plan_as_dict
from pesem.planio.loading import load_plan

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def series(code):
    return {v.year: v.value for v in IndicatorValue.objects.filter(indicator__code=code)}


def test_counts_match_the_document():
    assert StrategicObjective.objects.count() == 4
    assert StrategicVariable.objects.count() == 14
    assert Trend.objects.count() == 23
    assert Component.objects.count() == 4
    assert Subcomponent.objects.count() == 20  # "veinte (20) subcomponentes"
    assert Scenario.objects.count() == 3
    assert RiskOpportunity.objects.filter(kind="risk").count() == 12
    assert RiskOpportunity.objects.filter(kind="opportunity").count() == 13
    assert PipTypology.objects.count() == 4
    assert Directorate.objects.count() == 16
    assert Actor.objects.filter(kind="state", parent=None).count() == 25
    assert Actor.objects.filter(kind="state", parent__isnull=False).count() == 115
    assert Actor.objects.filter(kind="non_state").count() == 170
    # Cuadro 5 announces "siete (7) indicadores" and lists 7.
    assert Indicator.objects.filter(level="objective").count() == 7
    assert Indicator.objects.filter(level="variable").count() == 14  # 21 in Anexo 2, 7 shared
    assert Indicator.objects.filter(level="national").count() == 3


def test_action_count_follows_the_list_not_the_prose():
    # Section V announces "veintiocho (28) acciones" but section V and Cuadro 6 both list 30:
    # 14 + 6 + 4 + 6. The list is what the directorates report on, so 30 are stored and the
    # prose count is recorded as a source defect.
    main = StrategicAction.objects.filter(parent=None)
    assert main.count() == 30
    assert [main.filter(objective__number=n).count() for n in (1, 2, 3, 4)] == [14, 6, 4, 6]
    assert sorted(
        StrategicAction.objects.filter(parent__isnull=False).values_list("code", flat=True)
    ) == ["3.3.1", "3.3.2", "3.3.3", "3.3.4", "3.4.1", "3.4.2", "3.4.3"]
    assert SourceDefect.objects.filter(text__contains="28").exists()


def test_cuadro_6_importance_and_responsibles():
    def responsibles(code):
        return [
            d.code for d in StrategicAction.objects.get(code=code).responsibles.order_by("code")
        ]

    assert StrategicAction.objects.get(code="2.3").importance == 2
    assert StrategicAction.objects.get(code="4.4").importance == 3
    assert StrategicAction.objects.get(code="1.1").importance == 4
    assert responsibles("1.2") == ["DAO", "DGA", "DGE"]
    assert responsibles("1.11") == ["DAE", "DAM", "DAO", "DGA", "DGE", "DGM", "DSL"]
    assert responsibles("4.5") == ["APCI", "DCI", "ORH"]
    assert responsibles("4.6") == ["APCI", "DAE", "DGM"]


def test_trend_scores_from_cuadro_1():
    t7, t8, t13, t15 = (Trend.objects.get(number=n) for n in (7, 8, 13, 15))
    assert (t7.pertinence, t7.validity, t7.evidence, t7.score) == (4, 5, 5, Decimal("4.67"))
    assert (t8.pertinence, t8.validity, t8.evidence, t8.score) == (5, 4, 3, Decimal("4.00"))
    assert t13.score == Decimal("3.67") and t15.score == Decimal("4.33")
    assert all(t.score == t.published_score for t in Trend.objects.all())
    # Gráficos 2-5: trend 16 (migration) impacts only the consular component; 22 of 23
    # trends impact component 3.
    assert [c.number for c in Trend.objects.get(number=16).components.all()] == [4]
    assert Component.objects.get(number=3).trends.count() == 22


def test_variable_groups_from_cuadro_4():
    def groups(n):
        return sorted(g.code for g in StrategicVariable.objects.get(number=n).groups.all())

    assert groups(1) == ["G3"]
    assert groups(6) == ["G1", "G2"]  # a variable in two groups
    assert groups(10) == ["G2"]
    directions = {
        d.group.code: d.direction for d in Scenario.objects.get(number=1).directions.all()
    }
    assert directions == {"G1": 1, "G2": -1, "G3": 1}


def test_history_from_anexo_2():
    assert series("OE2.1") == {  # V14: the 2013 jump is published as is
        2011: Decimal("0.72"),
        2012: Decimal("0.70"),
        2013: Decimal("63"),
        2014: Decimal("1.52"),
    }
    assert series("OE1.1") == {
        2011: Decimal("0.44"),
        2012: Decimal("0.74"),
        2013: Decimal("0.64"),
        2014: Decimal("0.69"),
    }
    assert series("OE2.3")[2012] == Decimal("0")  # a real published zero, not "sin dato"
    assert series("V4.1")[2013] == Decimal("39.82")
    assert series("V6.1") == {}  # "en construcción"
    assert IndicatorValue.objects.filter(indicator__code="OE1.1").first().source == "Anexo 2"


def test_one_indicator_for_objective_and_variable():
    consular = Indicator.objects.get(alias="V1.1")
    assert consular.code == "OE3.1"
    assert consular.variable.number == 1 and consular.objective.number == 3
    assert consular.scale == Decimal("10000")
    assert not Indicator.objects.filter(code="V1.1").exists()


def test_baselines_and_targets_from_cuadro_5_and_anexo_6():
    def target(code, kind, year, source):
        return Target.objects.get(indicator__code=code, kind=kind, year=year, source=source).value

    assert target("OE3.1", "baseline", 2014, "Anexo 6") == Decimal("1.62")
    assert target("OE3.1", "target", 2016, "Anexo 6") == Decimal("1.54")
    assert target("OE3.1", "target", 2021, "Anexo 6") == Decimal("1.58")
    assert target("OE3.1", "target", 2021, "Cuadro 5") == Decimal("1.58")
    assert target("OE2.1", "target", 2016, "Anexo 6") == Decimal("1.59")
    assert target("NAC.3", "target", 2021, "Anexo 6") == Decimal("1020000")
    assert target("NAC.1", "target", 2016, "Anexo 6") == Decimal("1392")
    national = Indicator.objects.get(code="NAC.2")
    assert sorted(o.number for o in national.articulated_objectives.all()) == [2, 4]


@pytest.mark.parametrize(
    ("code", "anexo_6", "cuadro_5"),
    [("OE2.2", "7.38", "14.5"), ("OE2.3", "0.75", "0.5"), ("OE4.1", "0.54", "0.68")],
)
def test_conflicting_targets_are_both_stored_and_flagged(code, anexo_6, cuadro_5):
    stored = dict(
        Target.objects.filter(indicator__code=code, kind="target", year=2021).values_list(
            "source", "value"
        )
    )
    assert stored == {"Anexo 6": Decimal(anexo_6), "Cuadro 5": Decimal(cuadro_5)}
    exported = next(i for i in plan_as_dict()["indicators"] if i["code"] == code)
    assert any(f.startswith("Conflicto de metas 2021") for f in exported["flags"])


def test_agreeing_targets_are_not_flagged_as_conflict():
    exported = next(i for i in plan_as_dict()["indicators"] if i["code"] == "OE3.1")
    assert not any("Conflicto" in f for f in exported["flags"])
    # ...but its targets fall below the baseline of an ascending indicator, which is flagged.
    assert any("baja respecto de 2014" in f for f in exported["flags"])


def test_actor_groups_and_influences():
    pcm = Actor.objects.get(key="E2")
    assert pcm.acronym == "PCM"
    assert pcm.members.filter(acronym="CEPLAN").exists()
    assert Actor.objects.get(key="NE81").acronym == "APEC"
    v1 = ActorInfluence.objects.filter(variable__number=1)
    assert v1.filter(direction="on_variable", actor=pcm).exists()
    assert v1.filter(direction="from_variable", text="Comunidades peruanas en el exterior").exists()
    for n in range(1, 15):
        directions = set(
            ActorInfluence.objects.filter(variable__number=n).values_list("direction", flat=True)
        )
        assert directions == {"on_variable", "from_variable"}, n


def test_loading_twice_changes_nothing():
    before = plan_as_dict()
    report = load_plan(settings.PLAN_FIXTURES_DIR)
    assert not report.changed, report.summary()
    assert plan_as_dict() == before


def test_reload_keeps_values_entered_by_users():
    indicator = Indicator.objects.get(code="OE2.1")
    IndicatorValue.objects.create(
        indicator=indicator, year=2016, value=Decimal("1.61"), origin=IndicatorValue.Origin.USER
    )
    corrected = indicator.values.get(year=2013)
    corrected.value = Decimal("0.63")
    corrected.origin = IndicatorValue.Origin.USER
    corrected.save()

    report = load_plan(settings.PLAN_FIXTURES_DIR)

    assert report.kept_user_values == 1
    assert indicator.values.get(year=2016).value == Decimal("1.61")
    assert indicator.values.get(year=2013).value == Decimal("0.63")
