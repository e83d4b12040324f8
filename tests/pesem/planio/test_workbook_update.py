"""An actualización from the plan workbook (version = actualizado): the made-up PEI
(PEI-EJEMPLO, not real data, loaded only by tests) renames an objective, adds an objective,
an action and an indicator with its target, changes an indicator's source and revises a
target, within its horizon. Its elements keep their rows, so their values survive the version;
a change of an indicator's unit or formula is a new series and needs a new code."""

import io
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from indicators.models import Indicator, IndicatorValue, TargetRevision
from objectives.models import Plan, PlanVersion, StrategicAction, StrategicObjective
from pesem.planio import workbook
from tests.factories import example_pei_workbook, load_example_pei, logged_in, ok, readable

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

HEADERS = workbook.SHEETS["indicadores"][1]


def update_book(pei, **fields):
    """The PEI as it stands, made an actualización by its resolution."""
    book = load_workbook(io.BytesIO(workbook.plan_workbook(pei)))
    values = {
        "version": "actualizado",
        "resolucion_tipo": "Resolución de Dirección Ejecutiva",
        "resolucion_numero": "030-2025-EJEMPLO/DE",
        "resolucion_fecha": "2025-03-10",
        **fields,
    }
    for row in book["Plan"].iter_rows(min_row=2):
        if row[0].value in values:
            row[1].value = values[row[0].value]
    for row in book["Objetivos"].iter_rows(min_row=2):
        if row[0].value == "OEI.02":
            row[1].value = "Modernizar y digitalizar la gestión institucional"
    book["Objetivos"].append(["OEI.03", "Objetivo nuevo de ejemplo"])
    book["Acciones"].append(["AEI.03.01", "OEI.03", "Acción nueva de ejemplo", "OPP"])
    source = HEADERS.index("fuente")
    for row in book["Indicadores"].iter_rows(min_row=2):
        if row[0].value == "IND.OEI.01":
            row[source].value = "Registro de cooperación (actualizado)"
    new = dict.fromkeys(HEADERS, None)
    new.update(
        codigo="IND.OEI.03",
        elemento="OEI.03",
        nombre="Indicador nuevo de ejemplo",
        unidad_medida="porcentaje",
        sentido="ascendente",
        agregacion="promedio",
        responsable="OPP",
        decimales=1,
    )
    book["Indicadores"].append([new[h] for h in HEADERS])
    book["Metas"].append(["IND.OEI.03", 2025, "80"])
    book["Metas"].append(["IND.OEI.01", 2025, "1,380", "Nueva meta por la actualización"])
    return book


def save(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_command_applies_an_actualizacion_and_keeps_the_values(tmp_path):
    pei = load_example_pei()
    before = IndicatorValue.objects.get(indicator__code="IND.OEI.01", year=2024)
    path = tmp_path / "actualizacion.xlsx"
    update_book(pei).save(path)
    call_command("load_plan_workbook", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    versions = dict(pei.versions.values_list("kind", "state"))
    assert versions == {"nuevo": "reemplazado", "actualizado": "vigente"}
    assert StrategicObjective.objects.get(plan=pei, code="OEI.02").name == (
        "Modernizar y digitalizar la gestión institucional"
    )
    action = StrategicAction.objects.get(plan=pei, code="AEI.03.01")
    assert action.objective.code == "OEI.03"
    assert [d.code for d in action.responsibles_in_order()] == ["OPP"]
    added = Indicator.objects.get(plan=pei, code="IND.OEI.03")
    assert (added.objective.code, added.aggregation, added.responsible.entity.code) == (
        "OEI.03",
        "promedio",
        "EJEMPLO",
    )
    assert added.targets.get(kind="target", year=2025).value == D("80")
    kept = Indicator.objects.get(plan=pei, code="IND.OEI.01")
    assert kept.data_source == "Registro de cooperación (actualizado)"
    # The same row: its value and its series survive the version.
    after = IndicatorValue.objects.get(indicator=kept, year=2024)
    assert (after.pk, after.value) == (before.pk, D("1320"))
    revision = TargetRevision.objects.get(indicator=kept, year=2025, state="aprobada")
    assert (revision.value, revision.reason, revision.rationale) == (
        D("1380"),
        "actualizacion",
        "Nueva meta por la actualización",
    )


def test_a_new_unit_or_formula_needs_a_new_code_and_nothing_is_stored(tmp_path):
    pei = load_example_pei()
    book = update_book(pei, horizonte_fin=2028)
    unit = HEADERS.index("unidad_medida")
    for row in book["Indicadores"].iter_rows(min_row=2):
        if row[0].value == "IND.OEI.01":
            row[unit].value = "miles de soles"
    book["Acciones"].append(["AEI.03.02", "OEI.09", "Acción de un objetivo que no existe", "OPP"])
    path = tmp_path / "actualizacion.xlsx"
    book.save(path)
    err = io.StringIO()
    with pytest.raises(CommandError, match="no se cargó nada"):
        call_command("load_plan_workbook", str(path), stdout=io.StringIO(), stderr=err)
    problems = err.getvalue()
    assert "IND.OEI.01: cambiar la unidad de medida o la fórmula inicia una serie nueva" in (
        problems
    )
    assert "OEI.09 no es un objetivo del plan ni del libro" in problems
    assert "horizonte_fin: una actualización no cambia el horizonte (2024-2027)" in problems
    assert list(pei.versions.values_list("kind", flat=True)) == ["nuevo"]
    assert not StrategicObjective.objects.filter(plan=pei, code="OEI.03").exists()


def test_the_page_proposes_an_actualizacion_that_another_person_approves(planning_office):
    pei = load_example_pei()
    client = logged_in(planning_office.proposer)
    page = readable(
        ok(
            client.post(
                "/planes/PEI-EJEMPLO/plan/libro/",
                {
                    "accion": "revisar",
                    "file": SimpleUploadedFile("actualizacion.xlsx", save(update_book(pei))),
                },
            )
        )
    )
    changes = page.split('id="element-changes"')[1]
    assert "Objetivo OEI.02: nombre: «Modernizar la gestión institucional» pasa a" in changes
    assert "Indicador nuevo IND.OEI.03: «Indicador nuevo de ejemplo»." in changes
    ok(client.post("/planes/PEI-EJEMPLO/plan/libro/", {"accion": "proponer"}, follow=True))
    draft = pei.versions.get(state="borrador")
    assert draft.kind == "actualizado" and len(draft.element_changes) == 5
    assert not StrategicObjective.objects.filter(plan=pei, code="OEI.03").exists()
    approver = logged_in(planning_office.approver)
    ok(
        approver.post(
            "/planes/PEI-EJEMPLO/plan/versiones/",
            {"version": draft.pk, "decision": "aprobar"},
            follow=True,
        )
    )
    draft.refresh_from_db()
    assert draft.state == PlanVersion.State.IN_FORCE
    assert StrategicObjective.objects.filter(plan=pei, code="OEI.03").exists()
    assert Indicator.objects.get(plan=pei, code="IND.OEI.03").targets.get(year=2025).value == 80


def test_a_new_series_is_linked_to_the_one_it_follows(tmp_path, validator):
    """A change of unit is a new indicator with its own code and `serie_anterior`: both keep
    their values, and each indicator page links to the other."""
    pei = load_example_pei()
    book = update_book(pei)
    book["Indicadores"].cell(row=1, column=len(HEADERS) + 1, value="serie_anterior")
    new = dict.fromkeys(HEADERS, None)
    new.update(
        codigo="IND.OEI.01.MS",
        elemento="OEI.01",
        nombre="Monto de cooperación canalizada, en miles de soles",
        unidad_medida="miles de soles",
        sentido="ascendente",
        agregacion="suma",
        responsable="DGC",
        decimales=0,
    )
    book["Indicadores"].append([new[h] for h in HEADERS] + ["IND.OEI.01"])
    path = tmp_path / "actualizacion.xlsx"
    book.save(path)
    call_command("load_plan_workbook", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    follows = Indicator.objects.get(plan=pei, code="IND.OEI.01.MS")
    assert follows.previous_series.code == "IND.OEI.01"
    client = logged_in(validator)
    page = readable(ok(client.get("/planes/PEI-EJEMPLO/indicadores/IND.OEI.01.MS/")))
    assert (
        '<dt>Continúa la serie de</dt><dd id="serie-1">'
        '<a href="/planes/PEI-EJEMPLO/indicadores/IND.OEI.01/">IND.OEI.01</a> '
        "Monto de cooperación canalizada"
    ) in page
    old = readable(ok(client.get("/planes/PEI-EJEMPLO/indicadores/IND.OEI.01/")))
    assert (
        '<dt>Su serie sigue en</dt><dd id="serie-1">'
        '<a href="/planes/PEI-EJEMPLO/indicadores/IND.OEI.01.MS/">IND.OEI.01.MS</a>'
    ) in old
    assert IndicatorValue.objects.get(indicator__code="IND.OEI.01", year=2024).value == 1320


def following_pei_book(previous: str = "IND.OEI.01"):
    """The made-up entity's next PEI (PEI-EJEMPLO-2, 2028-2031, not real data): its
    indicator continues the first PEI's series."""
    book = example_pei_workbook()
    values = {
        "codigo": "PEI-EJEMPLO-2",
        "nombre": "Plan Estratégico Institucional de ejemplo 2028-2031",
        "horizonte_inicio": 2028,
        "horizonte_fin": 2031,
        "resolucion_numero": "001-2028-EJEMPLO/DE",
        "resolucion_fecha": "2028-01-10",
    }
    for row in book["Plan"].iter_rows(min_row=2):
        if row[0].value in values:
            row[1].value = values[row[0].value]
    sheet = book["Indicadores"]
    sheet.cell(row=1, column=sheet.max_column + 1, value="serie_anterior")
    sheet.cell(row=2, column=sheet.max_column, value=previous)
    for row in book["Metas"].iter_rows(min_row=2):
        row[1].value = 2028 + int(row[1].value) % 4 if row[1].value else row[1].value
    return book


def test_a_new_plan_follows_the_entitys_plan_and_continues_its_series(tmp_path):
    first = load_example_pei()
    path = tmp_path / "pei2.xlsx"
    following_pei_book().save(path)
    call_command("load_plan_workbook", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    second = Plan.objects.get(code="PEI-EJEMPLO-2")
    assert second.predecessor == first
    assert list(first.versions.values_list("state", flat=True)) == ["reemplazado"]
    assert second.versions.get().state == "vigente"
    follows = second.indicators.get(code="IND.OEI.01")
    assert follows.previous_series == first.indicators.get(code="IND.OEI.01")


def test_a_series_that_is_not_in_the_plan_before_is_refused(tmp_path):
    load_example_pei()
    path = tmp_path / "pei2.xlsx"
    following_pei_book("IND.NO.EXISTE").save(path)
    err = io.StringIO()
    with pytest.raises(CommandError, match="no se cargó nada"):
        call_command("load_plan_workbook", str(path), stdout=io.StringIO(), stderr=err)
    assert "IND.NO.EXISTE no es un indicador del plan PEI-EJEMPLO." in err.getvalue()
    assert not Plan.objects.filter(code="PEI-EJEMPLO-2").exists()
