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
from objectives.models import Plan, PlanVersion, Resolution
from pesem.planio import workbook

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
        Plan.objects.get().end_year,
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


def test_a_new_plan_is_not_loaded_yet_and_says_so(tmp_path):
    book = current_book()
    set_fields(book, **RESOLUTION)
    before = stored()
    problems = refused(tmp_path, book)
    assert problems == [
        "Hoja «Plan», fila 9, columna «valor»: version nuevo: cargar un plan nuevo (nuevo) o "
        "una actualización (actualizado) desde un libro aún no está disponible; hoy un libro "
        "amplía (ampliado) o modifica (modificado) un plan ya cargado."
    ]
    assert stored() == before
    path = tmp_path / "roto.xlsx"
    path.write_bytes(b"no es un libro")
    with pytest.raises(CommandError, match="roto.xlsx: No se pudo leer el archivo XLSX"):
        call_command("load_plan_workbook", str(path))
