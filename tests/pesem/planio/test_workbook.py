"""The plan workbook and `load_plan_workbook`: the plan as it stands, written in the
workbook's contract, comes back as an ampliación of the PESEM 2015-2021 once its version,
horizon, resolution and new targets are filled in; its repeated rows are no change. Sheet and
column names match without case or accents, columns come in any order, numbers are numeric
cells or Peruvian text. Every problem is reported at once (sheet, row, column) and nothing
is stored; a modificado workbook revises targets, each with its justification."""

import io
from datetime import date
from decimal import Decimal as D

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from indicators import services
from indicators.models import Indicator, TargetRevision
from indicators.workflow import target_services
from objectives.models import (
    Directorate,
    Entity,
    Plan,
    PlanVersion,
    Resolution,
    StrategicObjective,
)
from pesem.planio import workbook
from tests.factories import example_pei_workbook

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

RESOLUTION = {
    "resolucion_tipo": "Resolución Ministerial",
    "resolucion_numero": "0456-2022-RE",
    "resolucion_fecha": "2022-06-01",
}


def current_book():
    """The plan as it stands, as the page hands it out, opened for editing."""
    return load_workbook(io.BytesIO(workbook.plan_workbook(Plan.objects.get())))


def set_fields(book, **values) -> None:
    for row in book["Plan"].iter_rows(min_row=2):
        if row[0].value in values:
            row[1].value = values[row[0].value]


def load(tmp_path, book, *options: str) -> str:
    """Run the command on `book`; its standard output."""
    path = tmp_path / "plan.xlsx"
    book.save(path)
    out = io.StringIO()
    call_command("load_plan_workbook", str(path), *options, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def refused(tmp_path, book) -> list[str]:
    """Run the command on a workbook it must refuse; the problems it printed."""
    path = tmp_path / "plan.xlsx"
    book.save(path)
    err = io.StringIO()
    with pytest.raises(CommandError, match="no se cargó nada"):
        call_command("load_plan_workbook", str(path), stdout=io.StringIO(), stderr=err)
    return err.getvalue().splitlines()


def stored() -> tuple[int, int, int, int]:
    return (
        PlanVersion.objects.count(),
        TargetRevision.objects.count(),
        Resolution.objects.count(),
        Plan.objects.get(code="PESEM-RREE").end_year,
    )


def test_the_template_has_every_sheet_and_column_of_the_contract():
    book = load_workbook(io.BytesIO(workbook.plan_workbook(None)))
    assert book.sheetnames == [
        "Plan",
        "Unidades",
        "Objetivos",
        "Acciones",
        "Indicadores",
        "Metas",
        "Articulacion",
    ]
    headers = {ws.title: [c.value for c in ws[1]] for ws in book}
    assert headers["Metas"] == ["indicador", "periodo", "valor", "justificacion"]
    assert headers["Indicadores"][:3] == ["codigo", "elemento", "nombre"]
    fields = [row[0].value for row in book["Plan"].iter_rows(min_row=2)]
    assert fields[:3] == ["tipo", "codigo", "nombre"] and "periodicidad" in fields
    assert all(row[1].value is None for row in book["Plan"].iter_rows(min_row=2))


def test_the_current_plan_comes_back_as_an_extension_to_2024(tmp_path, django_user_model):
    book = current_book()
    plan_fields = {r[0].value: r[1].value for r in book["Plan"].iter_rows(min_row=2)}
    assert plan_fields["codigo"] == "PESEM-RREE" and plan_fields["horizonte_fin"] == 2021
    objectives = [r[0].value for r in book["Objetivos"].iter_rows(min_row=2)]
    assert objectives == ["OE1", "OE2", "OE3", "OE4"]
    oe31 = Indicator.objects.get(code="OE3.1")
    rows = {(r[0].value, r[1].value): r[2].value for r in book["Metas"].iter_rows(min_row=2)}
    assert D(str(rows["OE3.1", 2021])) == target_services.target_in_force(oe31, 2021)

    set_fields(book, version="ampliado", horizonte_fin=2024, **RESOLUTION)
    book["Metas"].append(["OE3.1", 2023, "1,234.5", "Meta del nuevo horizonte"])
    book["Metas"].append(["OE3.1", "2024", 1.9, None])
    before = stored()
    out = load(tmp_path, book, "--dry-run")
    assert "Revisión sin errores (no se guardó nada)" in out
    assert "2 meta(s) nueva(s)" in out
    assert stored() == before

    make = django_user_model.objects.create_user
    loader = make(username="carga.opp")
    out = load(tmp_path, book, "--user", "carga.opp")
    assert "Versión cargada y vigente" in out
    plan = Plan.objects.get()
    assert plan.end_year == 2024 and services.plan_years() == range(2015, 2025)
    assert dict(plan.versions.values_list("kind", "state")) == {
        "nuevo": "reemplazado",
        "ampliado": "vigente",
    }
    version = plan.versions.get(kind="ampliado")
    assert str(version.resolution) == "Resolución Ministerial N° 0456-2022-RE"
    assert version.resolution.date == date(2022, 6, 1)
    revisions = {r.year: r for r in version.target_revisions.all()}
    assert set(revisions) == {2023, 2024}
    assert (revisions[2023].value, revisions[2023].state) == (D("1234.5"), "aprobada")
    assert revisions[2023].rationale == "Meta del nuevo horizonte"
    assert revisions[2024].rationale == "Carga del libro plan.xlsx"
    assert revisions[2023].decided_by == loader
    assert target_services.target_in_force(oe31, 2023) == D("1234.5")
    # The same workbook again: the horizon already reaches 2024.
    problems = refused(tmp_path, book)
    assert problems == [
        "Hoja «Plan», fila 8, columna «valor»: horizonte_fin: una ampliación extiende el "
        "horizonte más allá de 2024."
    ]


def test_names_match_without_case_or_accents_and_columns_in_any_order(tmp_path):
    book = Workbook()
    plan = book.active
    plan.title = "PLAN"
    plan.append(["Valor", "Campo"])
    for name, value in {
        "tipo": "pesem",
        "codigo": "PESEM-RREE",
        "nombre": "PESEM de Relaciones Exteriores 2015-2024",
        "horizonte_inicio": "2015",
        "horizonte_fin": 2024,
        "version": "Ampliado",
        "periodicidad": "Anual",
        **RESOLUTION,
    }.items():
        plan.append([f"  {value}  ", name.upper()])
    metas = book.create_sheet("Metas ")
    metas.append(["Valor", "Justificación", "PERIODO", "Indicador"])
    metas.append(["1,020,000.50", "", 2022, "NAC.1"])
    articulation = book.create_sheet("Articulación")
    articulation.append(["elemento", "elemento_superior"])  # headers only: no links
    book.create_sheet("Notas").append(["cualquier cosa"])  # not a sheet of the contract
    load(tmp_path, book)
    version = PlanVersion.objects.get(state="vigente")
    assert (version.kind, version.horizon_end) == ("ampliado", 2024)
    assert version.name == "PESEM de Relaciones Exteriores 2015-2024"
    assert version.target_revisions.get().value == D("1020000.50")


def test_every_problem_is_reported_at_once_and_nothing_is_stored(tmp_path):
    book = current_book()
    set_fields(book, version="ampliado", horizonte_fin=2024, resolucion_fecha="01/06/2022")
    set_fields(book, resolucion_tipo="Resolución Ministerial", resolucion_numero="0456-2022-RE")
    book["Objetivos"]["B2"] = "Otro objetivo"
    book["Indicadores"]["A1"] = "código del indicador"
    book["Metas"].append(["OE9.9", 2023, 1, None])
    book["Metas"].append(["OE3.1", "2023-S1", 1, None])
    book["Metas"].append(["OE3.1", 2023, "1.234,5", None])
    book["Metas"].append(["OE3.1", 2021, 9, None])
    book["Metas"].append(["OE3.1", 2030, 2, None])
    book["Articulacion"].append(["OE1", "OES1"])
    last = book["Metas"].max_row
    before = stored()
    problems = refused(tmp_path, book)
    assert stored() == before
    expected = [
        "Hoja «Plan», fila 12, columna «valor»: resolucion_fecha: escriba la fecha como "
        "AAAA-MM-DD, no «01/06/2022».",
        "Hoja «Indicadores», fila 1, columna «código del indicador»: no es una columna",
        "Hoja «Indicadores», fila 1, columna «codigo»: falta la columna.",
        "Hoja «Objetivos», fila 2, columna «nombre»: OE1 difiere del plan, que dice «Posicionar",
        f"Hoja «Metas», fila {last - 4}, columna «indicador»: OE9.9 no es un indicador del plan.",
        f"Hoja «Metas», fila {last - 3}, columna «periodo»: «2023-S1»: las metas son anuales",
        f"Hoja «Metas», fila {last - 2}, columna «valor»:",
        f"Hoja «Metas», fila {last - 1}, columna «periodo»: OE3.1 2021 ya está en la fila",
        f"Hoja «Metas», fila {last}, columna «periodo»: 2030 está fuera del horizonte 2015-2024.",
        "Hoja «Articulacion», fila 2, columna «elemento_superior»: el plan PESEM-RREE no se "
        "articula a un plan superior",
    ]
    for start in expected:
        assert any(p.startswith(start) for p in problems), (start, problems)
    assert len(problems) == len(expected)


def test_a_modified_target_needs_its_justification_and_an_identical_one_is_no_change(
    tmp_path,
):
    book = current_book()
    set_fields(book, version="modificado", **RESOLUTION)
    oe31 = Indicator.objects.get(code="OE3.1")
    published = target_services.target_in_force(oe31, 2021)
    row = next(
        r for r in book["Metas"].iter_rows(min_row=2) if (r[0].value, r[1].value) == ("OE3.1", 2021)
    )
    row[2].value = "2.25"
    problems = refused(tmp_path, book)
    assert problems == [
        f"Hoja «Metas», fila {row[0].row}, columna «justificacion»: OE3.1 2021: una meta "
        "modificada lleva su justificación."
    ]
    row[3].value = "Revisada por la Alta Dirección"
    load(tmp_path, book)
    version = PlanVersion.objects.get(state="vigente")
    assert (version.kind, version.horizon_end) == ("modificado", 2021)
    revision = version.target_revisions.get()
    assert (revision.year, revision.value, revision.previous_value) == (2021, D("2.25"), published)
    assert revision.rationale == "Revisada por la Alta Dirección"
    assert target_services.target_in_force(oe31, 2021) == D("2.25")


def test_a_plan_already_loaded_is_not_loaded_again_as_new(tmp_path):
    book = current_book()
    set_fields(book, **RESOLUTION)
    before = stored()
    problems = refused(tmp_path, book)
    assert problems == [
        "Hoja «Plan», fila 3, columna «valor»: codigo: el plan PESEM-RREE ya está cargado; "
        "para extenderlo o revisar sus metas use version ampliado o modificado."
    ]
    assert stored() == before
    path = tmp_path / "roto.xlsx"
    path.write_bytes(b"no es un libro")
    with pytest.raises(CommandError, match="roto.xlsx: No se pudo leer el archivo XLSX"):
        call_command("load_plan_workbook", str(path))


def test_the_example_pei_is_loaded_articulated_to_the_pesem(tmp_path, django_user_model):
    """A made-up PEI (PEI-EJEMPLO), semestral, articulated to the PESEM 2015-2021: its
    entity, units (its own «OPP» and «DGC» beside the ministry's), objectives, actions with
    their responsibles in order, an objective's and an action's indicator with baseline and
    targets as Peru writes numbers, and its links into the PESEM."""
    book = example_pei_workbook()

    def pesem():
        plan = Plan.objects.get(code="PESEM-RREE")
        return (
            plan.indicators.count(),
            list(plan.versions.values_list("kind", "state")),
            plan.end_year,
            TargetRevision.objects.count(),
        )

    pesem_before = pesem()
    out = load(tmp_path, book, "--dry-run")
    assert "Revisión sin errores (no se guardó nada)" in out
    assert "2 objetivo(s), 3 acción(es), 2 indicador(es), 3 meta(s), 3 articulación(es)" in out
    assert not Plan.objects.filter(code="PEI-EJEMPLO").exists()
    loader = django_user_model.objects.create_user(username="carga.opp")
    out = load(tmp_path, book, "--user", "carga.opp")
    assert "Plan cargado y vigente: PEI-EJEMPLO" in out
    pei = Plan.objects.get(code="PEI-EJEMPLO")
    assert (pei.plan_type, pei.frequency, pei.years, pei.upper_plan.code) == (
        "PEI",
        "semestral",
        range(2024, 2028),
        "PESEM-RREE",
    )
    assert (pei.entity.code, pei.entity.kind, pei.entity.sector.code) == (
        "EJEMPLO",
        "pliego",
        "RREE",
    )
    version = pei.versions.get()
    assert (version.kind, version.state, version.decided_by) == ("nuevo", "vigente", loader)
    assert str(version.resolution) == "Resolución de Dirección Ejecutiva N° 012-2024-EJEMPLO/DE"
    assert sorted(pei.entity.units.values_list("code", flat=True)) == ["DGC", "DOC", "OPP"]
    assert Directorate.objects.filter(code="OPP").count() == 2
    assert list(pei.objectives.values_list("code", flat=True)) == ["OEI.01", "OEI.02"]
    action = pei.actions.get(code="AEI.01.01")
    assert [d.code for d in action.responsibles_in_order()] == ["DGC", "DOC"]
    assert list(action.upper_actions.values_list("code", "plan__code")) == [("4.1", "PESEM-RREE")]
    oei1 = pei.objectives.get(code="OEI.01")
    assert list(oei1.upper_objectives.values_list("code", flat=True)) == ["OE4"]
    pesem_oe4 = StrategicObjective.objects.get(plan__code="PESEM-RREE", code="OE4")
    assert sorted(pesem_oe4.lower_objectives.values_list("code", flat=True)) == ["OEI.01", "OEI.02"]
    amount = pei.indicators.get(code="IND.OEI.01")
    assert (amount.aggregation, amount.decimals, amount.responsible.entity.code) == (
        "suma",
        1,
        "EJEMPLO",
    )
    assert set(amount.targets.values_list("kind", "year", "value", "source")) == {
        ("baseline", 2023, D("1250.5"), "Libro del plan"),
        ("target", 2024, D("1300"), "Libro del plan"),
        ("target", 2027, D("1500"), "Libro del plan"),
    }
    online = pei.indicators.get(code="IND.AEI.01.02")
    assert (online.level, online.action.code, online.objective.code) == (
        "action",
        "AEI.01.02",
        "OEI.01",
    )
    # The PESEM is as it was.
    assert pesem() == pesem_before


def test_a_new_plan_with_wrong_references_is_refused_at_once(tmp_path):
    book = example_pei_workbook()
    book["Acciones"].append(["AEI.03.01", "OEI.03", "Acción sin objetivo", "DOC, XYZ"])
    book["Indicadores"].append(
        ["IND.X", "AEI.09", "Sin elemento", "", "hacia arriba", "", "", "", "OPP", 2023, None, 9]
    )
    book["Metas"].append(["IND.OEI.01", "2025-S1", "1", None])
    book["Metas"].append(["IND.OEI.01", 2030, "1", None])
    book["Articulación"].append(["OEI.02", "OE9"])
    book["Articulación"].append(["AEI.01.02", "OE1"])
    problems = refused(tmp_path, book)
    expected = [
        "Hoja «Acciones», fila 5, columna «objetivo»: OEI.03 no está en la hoja Objetivos.",
        "Hoja «Acciones», fila 5, columna «responsables»: XYZ no está en la hoja Unidades.",
        "Hoja «Indicadores», fila 4, columna «elemento»: AEI.09 no es un objetivo ni una acción",
        "Hoja «Indicadores», fila 4, columna «sentido»: escriba ascendente o descendente.",
        "Hoja «Indicadores», fila 4, columna «linea_base_valor»: la línea de base lleva año",
        "Hoja «Indicadores», fila 4, columna «decimales»: escriba un número entero de 0 a 6.",
        "Hoja «Metas», fila 5, columna «periodo»: «2025-S1»: las metas son anuales",
        "Hoja «Metas», fila 6, columna «periodo»: 2030 está fuera del horizonte 2024-2027.",
        "Hoja «Articulacion», fila 5, columna «elemento_superior»: OE9 no es un objetivo del",
        "Hoja «Articulacion», fila 6, columna «elemento_superior»: OE1 no es una acción del",
    ]
    for start in expected:
        assert any(p.startswith(start) for p in problems), (start, problems)
    assert len(problems) == len(expected)
    assert not Plan.objects.filter(code="PEI-EJEMPLO").exists()
    assert not Entity.objects.filter(code="EJEMPLO").exists()


def test_the_articulation_api_gives_the_links_both_ways(tmp_path, client, portal_on):
    load(tmp_path, example_pei_workbook())
    upward = client.get("/api/v1/plans/PEI-EJEMPLO/articulation")
    assert upward.status_code == 200
    body = upward.json()
    assert body["count"] == 3
    assert body["items"][0] == {
        "element_type": "objetivo",
        "plan": "PEI-EJEMPLO",
        "element": "OEI.01",
        "upper_plan": "PESEM-RREE",
        "upper_element": "OE4",
    }
    assert [(i["element"], i["upper_element"]) for i in body["items"]] == [
        ("OEI.01", "OE4"),
        ("OEI.02", "OE4"),
        ("AEI.01.01", "4.1"),
    ]
    # The PESEM lists the links into it, the same ones.
    into = client.get("/api/v1/plans/PESEM-RREE/articulation").json()
    assert into["items"] == body["items"]
    assert client.get("/api/v1/plans/NO-EXISTE/articulation").status_code == 404
