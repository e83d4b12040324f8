"""What the plan's own tables say, shown right: Cuadro 6's order of responsibles kept
everywhere, the final target checked against the baseline, zeros that are not jumps, and the
source defects found by the line-by-line audit."""

import json
import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from indicators.models import IndicatorFlag
from objectives.models import (
    ActionResponsible,
    Directorate,
    SourceDefect,
    StrategicAction,
    responsibles_prefetch,
)
from pesem.planio.export import plan_as_dict
from pesem.planio.loading import load_plan
from pesem.report.content import monitoring_report
from tests.factories import ok

pytestmark = pytest.mark.postgres

# Cuadro 6 as printed (seed text, section VI): "4 DGA-DAO-DGE", "4 DAE - DAO", the 1.11 cell
# over three lines "DAM-DGM-DGA" / "DAE-DAO-DSL" / "DGE", ...
CUADRO_6 = {
    "1.2": ["DGA", "DAO", "DGE"],
    "1.7": ["DAE", "DAO"],
    "1.11": ["DAM", "DGM", "DGA", "DAE", "DAO", "DSL", "DGE"],
    "1.12": ["DGM", "APCI"],
    "2.2": ["DAE", "DPE"],
    "3.2": ["DGC", "DGA", "DGE"],
    "4.1": ["APCI", "DAE", "ORH"],
    "4.2": ["DAE", "OGI"],
    "4.4": ["DPE", "DCI"],
    "4.5": ["APCI", "ORH", "DCI"],
    "4.6": ["DGM", "APCI", "DAE"],
}
ZERO = "verifique si es dato o falta de dato (sin dato nunca es 0)"


def codes(directorates) -> list[str]:
    return [d.code for d in directorates]


def exported(code: str) -> dict:
    return next(i for i in plan_as_dict()["indicators"] if i["code"] == code)


# --- 1. Cuadro 6's order of responsibles -----------------------------------------------------


def test_fixture_keeps_cuadro_6_order():
    with (settings.PLAN_FIXTURES_DIR / "strategy.json").open(encoding="utf-8") as fh:
        strategy = json.load(fh)
    cells = {a["code"]: a["responsibles"] for o in strategy["objectives"] for a in o["actions"]}
    for code, published in CUADRO_6.items():
        assert cells[code] == published, code


@pytest.mark.django_db
def test_database_keeps_cuadro_6_order():
    for code, published in CUADRO_6.items():
        links = ActionResponsible.objects.filter(strategicaction__code=code).order_by("position")
        assert [(link.position, link.directorate.code) for link in links] == list(
            enumerate(published, start=1)
        )
        assert codes(StrategicAction.objects.get(code=code).responsibles_in_order()) == published


@pytest.mark.django_db
def test_prefetch_gives_cuadro_6_order_in_one_query(django_assert_num_queries):
    with django_assert_num_queries(2):  # the actions, their responsibles
        actions = {
            a.code: codes(a.responsibles.all())
            for a in StrategicAction.objects.filter(parent=None).prefetch_related(
                responsibles_prefetch()
            )
        }
    for code, published in CUADRO_6.items():
        assert actions[code] == published  # in order, and no row repeated by a second join


@pytest.mark.django_db
def test_export_keeps_cuadro_6_order():
    actions = {a["code"]: a for o in plan_as_dict()["objectives"] for a in o["actions"]}
    for code, published in CUADRO_6.items():
        assert actions[code]["responsibles"] == published


@pytest.mark.django_db
def test_objective_page_lists_responsibles_in_cuadro_6_order(client, plain_user):
    client.force_login(plain_user)
    html = ok(client.get(reverse("objective_detail", args=[1]))).content.decode()
    table = html.split('id="objective-actions"', 1)[1].split("</table>", 1)[0]
    row = next(r for r in table.split("<tr>") if r.startswith("<td>1.11 "))
    shown = re.findall(r'href="/direcciones/([A-Z]+)/"', row)
    assert shown == CUADRO_6["1.11"]


@pytest.mark.django_db
def test_report_rows_follow_cuadro_6_order():
    report = monitoring_report(year=2016)
    for code in ("1.2", "4.5"):
        assert [a.directorate for a in report.actions if a.code == code] == CUADRO_6[code]


@pytest.mark.django_db
def test_admin_shows_and_edits_cuadro_6_order(client, superuser):
    client.force_login(superuser)
    changelist = client.get(
        reverse("admin:objectives_strategicaction_changelist"), {"objective__id__exact": 1}
    ).content.decode()
    assert "DGA-DAO-DGE" in changelist
    assert "DAM-DGM-DGA-DAE-DAO-DSL-DGE" in changelist
    action = StrategicAction.objects.get(code="1.2")
    response = client.get(reverse("admin:objectives_strategicaction_change", args=[action.pk]))
    inline = next(
        f for f in response.context["inline_admin_formsets"] if f.opts.model is ActionResponsible
    )
    shown = [form.form.instance for form in inline if form.form.instance.pk]  # not the blank one
    assert [link.directorate.code for link in shown] == CUADRO_6["1.2"]
    objective = client.get(
        reverse("admin:objectives_strategicobjective_change", args=[action.objective_id])
    )
    assert objective.status_code == 200 and "DGA-DAO-DGE" in objective.content.decode()


@pytest.mark.django_db
def test_load_plan_restores_the_published_order_then_writes_nothing():
    # As the migration leaves existing rows: numbered in alphabetical order of the code.
    for action in StrategicAction.objects.all():
        for n, link in enumerate(action.responsible_links.order_by("directorate__code"), 1):
            link.position = n
            link.save(update_fields=["position"])
    assert codes(StrategicAction.objects.get(code="1.2").responsibles_in_order()) == [
        "DAO",
        "DGA",
        "DGE",
    ]
    report = load_plan(settings.PLAN_FIXTURES_DIR)
    assert report.updated["acciones estratégicas (responsibles)"] > 0
    assert codes(StrategicAction.objects.get(code="1.2").responsibles_in_order()) == [
        "DGA",
        "DAO",
        "DGE",
    ]
    again = load_plan(settings.PLAN_FIXTURES_DIR)
    assert not again.changed, again.summary()


@pytest.mark.django_db
def test_load_plan_replaces_a_wrong_responsible():
    action = StrategicAction.objects.get(code="2.2")
    action.responsible_links.filter(directorate__code="DAE").delete()
    ActionResponsible.objects.create(
        strategicaction=action, directorate=Directorate.objects.get(code="DGM"), position=9
    )
    load_plan(settings.PLAN_FIXTURES_DIR)
    assert codes(action.responsibles_in_order()) == ["DAE", "DPE"]


@pytest.mark.django_db(transaction=True)
def test_migration_keeps_every_responsible_and_numbers_them_alphabetically():
    load_plan(settings.PLAN_FIXTURES_DIR)
    pairs = sorted(
        ActionResponsible.objects.values_list("strategicaction__code", "directorate__code")
    )
    executor = MigrationExecutor(connection)
    executor.migrate([("objectives", "0002_staffprofile")])
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM objectives_strategicaction_responsibles")
        assert cursor.fetchone()[0] == len(pairs)  # the plain many-to-many, rows intact
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    after = ActionResponsible.objects.select_related("strategicaction", "directorate")
    assert sorted((r.strategicaction.code, r.directorate.code) for r in after) == pairs
    # Alphabetical fallback: 1.2 was published DGA-DAO-DGE.
    assert codes(StrategicAction.objects.get(code="1.2").responsibles_in_order()) == [
        "DAO",
        "DGA",
        "DGE",
    ]
    load_plan(settings.PLAN_FIXTURES_DIR)
    assert codes(StrategicAction.objects.get(code="1.2").responsibles_in_order()) == [
        "DGA",
        "DAO",
        "DGE",
    ]
    assert not load_plan(settings.PLAN_FIXTURES_DIR).changed
    call_command("migrate", check_unapplied=True, verbosity=0)  # nothing left unapplied


# --- 2. final target against the baseline ----------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "final", "baseline"), [("OE1.1", "0.63", "0.69"), ("OE3.1", "1.58", "1.62")]
)
def test_final_target_below_baseline_is_flagged_on_the_indicator(code, final, baseline):
    assert (
        f"La meta final 2021 ({final}) está por debajo de la línea de base ({baseline}) en un "
        "indicador ascendente."
    ) in exported(code)["flags"]


@pytest.mark.django_db
def test_oe4_1_final_target_of_anexo_6_is_flagged():
    # Anexo 6 (first source in PESEM_TARGET_SOURCE_PRIORITY): 0.59 -> 0.54 -> 0.54.
    assert (
        "La meta final 2021 (0.54) está por debajo de la línea de base (0.59) en un indicador "
        "ascendente."
    ) in exported("OE4.1")["flags"]


@pytest.mark.django_db
def test_rising_targets_have_no_final_target_flag():
    assert not any("meta final" in f for f in exported("OE2.1")["flags"])


# --- 5. zeros are not jumps -------------------------------------------------------------------


@pytest.mark.django_db
def test_oe2_3_zero_is_a_zero_not_a_jump():
    flags = exported("OE2.3")["flags"]  # 1.00, 0.00, 0.20, 0.50 (Anexo 2)
    assert f"Valor cero en 2012: {ZERO}." in flags
    assert not any(f.startswith("Salto") for f in flags)


@pytest.mark.django_db
def test_the_v14_jump_is_still_a_jump():
    flags = exported("OE2.1")["flags"]  # 0.70, 63.00, 1.52
    assert sum(f.startswith("Salto en la serie") for f in flags) == 2


# --- 3. source defects found by the audit -----------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "source", "quoted"),
    [
        ("V5.1", "Anexo 2", "«Número de Estados reconocidos por el Perú.»"),
        (
            "V5.1",
            "Anexo 2",
            "«N° de Estados con los cuales el Perú mantiene relaciones diplomáticas»",
        ),
        (
            "V4.1",
            "Cuadro 3 y Anexo 2",
            "«Lista de medios extranjeros más importantes para la imagen del Perú»",
        ),
        ("V9.2", "Anexo 2", "deja vacía la columna «Definición del Indicador»"),
    ],
)
def test_definition_defects_are_flagged_on_their_indicator(code, source, quoted):
    flags = IndicatorFlag.objects.filter(indicator__code=code, text__contains=quoted)
    assert flags.count() == 1
    assert flags.get().source == source
    assert "Se guarda" in flags.get().text  # the decision taken
    assert any(quoted in f for f in exported(code)["flags"])


@pytest.mark.django_db
def test_section_i4_claim_is_a_source_defect():
    defect = SourceDefect.objects.get(location="Sección I.4 y Cuadro 3")
    assert "«Se construyeron indicadores para todas las variables»" in defect.text
    assert "«(*) En construcción»" in defect.text
    assert defect.decision
    # The six indicators it refers to are the ones flagged "en construcción".
    under_construction = set(
        IndicatorFlag.objects.filter(text__contains="«en construcción»").values_list(
            "indicator__code", flat=True
        )
    )
    assert under_construction == {"V6.1", "V6.2", "V8.1", "V10.1", "V11.1", "V13.1"}
    assert any(d["location"] == "Sección I.4 y Cuadro 3" for d in plan_as_dict()["source_defects"])


@pytest.mark.django_db
def test_second_load_writes_nothing():
    report = load_plan(settings.PLAN_FIXTURES_DIR)
    assert not report.changed, report.summary()
