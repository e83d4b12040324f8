"""Import in Spanish: Spanish column names (any case, with or without accents), messages that
name the column as the file does, the year's template (Spanish header, reference columns the
import skips, natural order) and draft as the default status."""

import io
from decimal import Decimal as D

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from indicators.entry import importing
from indicators.models import IndicatorValue
from tests.factories import ok

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

SPANISH = "indicador,año,numerador,denominador,valor,nota\n"
ROWS = "OE3.1,2016,450,2850000,,Personal según ORH\nNAC.3,2016,,,938178,Recaudación anual\n"


def write(tmp_path, content: str | bytes, name="valores.csv"):
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def run(path, *args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_values", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def xlsx(header, rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    "header",
    [
        SPANISH,
        "Indicador,AÑO,Numerador,Denominador,Valor,Nota\n",
        "indicador,anio,numerador,denominador,valor,nota\n",
        " indicador , ano ,numerador,denominador,valor,nota\n",
        "indicator,year,numerator,denominator,value,note\n",  # English still works
        "INDICADOR,Año,numerator,denominator,VALOR,nota\n",  # and a mix of both
    ],
)
def test_spanish_csv_is_imported_as_draft_by_default(tmp_path, header):
    out, _ = run(write(tmp_path, header + ROWS))
    assert "2 nuevos" in out and "(estado: draft)" in out
    consular = IndicatorValue.objects.get(indicator__code="OE3.1", year=2016)
    assert consular.value == D("1.578947") and consular.note == "Personal según ORH"
    assert consular.state == "draft"
    assert IndicatorValue.objects.get(indicator__code="NAC.3", year=2016).value == D(938178)


def test_spanish_xlsx_is_imported(tmp_path):
    content = xlsx(
        ["Indicador", "Año", "Numerador", "Denominador", "Valor", "Nota"],
        [
            ["OE2.1", 2016, 95, 60, None, "ok"],
        ],
    )
    run(write(tmp_path, content, "valores.xlsx"))
    value = IndicatorValue.objects.get(indicator__code="OE2.1", year=2016)
    assert value.value == D("1.583333") and value.state == "draft"


@pytest.mark.parametrize(
    ("header", "row", "message"),
    [
        (SPANISH, "OE3.1,2016,uno,2,,", "Fila 2: numerador: «uno» no es un número"),
        (
            "Indicador,Año,Numerador,Denominador,Valor,Nota\n",
            "NAC.3,2016,,,diez,",
            "Fila 2: valor: «diez» no es un número",
        ),
        (
            "indicator,year,numerator,denominator,value,note\n",
            "OE3.1,2016,1,dos,,",
            "Fila 2: denominator: «dos» no es un número",
        ),
    ],
)
def test_messages_name_the_column_as_the_file_does(tmp_path, header, row, message):
    err = io.StringIO()
    with pytest.raises(CommandError, match="no se importó nada"):
        call_command("import_values", str(write(tmp_path, header + row + "\n")), stderr=err)
    assert err.getvalue().startswith(message)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("indicador,año,numerador,valor,nota\n", "faltan las columnas denominador"),
        ("indicator,year,numerator,value,note\n", "faltan las columnas denominator"),
        ("indicador,año,year,numerador,denominador,valor,nota\n", "hay columnas repetidas"),
        (
            "indicador,año,numerador,denominador,valor,nota,comentario\n",
            "sobran las columnas comentario",
        ),
    ],
)
def test_wrong_headers_are_explained_in_the_files_language(tmp_path, header, message):
    with pytest.raises(CommandError, match=message):
        run(write(tmp_path, header + "OE3.1,2016,1,2,,,\n"))
    assert not IndicatorValue.objects.filter(year=2016).exists()


def test_reference_columns_are_skipped_whatever_they_hold(tmp_path):
    header = SPANISH.strip() + ",nombre del indicador (no se importa),meta 2016 (No se importa)\n"
    run(write(tmp_path, header + "OE3.1,2016,1,2,,,=cualquier cosa,no es número\n"))
    assert IndicatorValue.objects.get(indicator__code="OE3.1", year=2016).numerator == D(1)


def test_submitting_is_an_explicit_choice(tmp_path, validator):
    run(write(tmp_path, SPANISH + ROWS), "--status", "submitted", "--user", validator.username)
    assert set(IndicatorValue.objects.filter(year=2016).values_list("state", flat=True)) == {
        "submitted"
    }


def test_import_page_proposes_draft(client, validator):
    client.force_login(validator)
    page = ok(client.get(reverse("import_upload"))).content.decode()
    assert '<option value="draft" selected>borrador</option>' in page
    assert "indicador,año,numerador,denominador,valor,nota" in page


def test_import_page_reads_spanish_columns(client, validator):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(validator)
    upload = SimpleUploadedFile("valores.csv", (SPANISH + ROWS).encode(), content_type="text/csv")
    html = ok(client.post(reverse("import_upload"), {"file": upload, "status": "draft"}))
    assert "Vista previa: 2 filas" in html.content.decode()
    ok(client.post(reverse("import_confirm")), 302)
    assert IndicatorValue.objects.filter(origin="user", state="draft", year=2016).count() == 2


# --- the year's template ------------------------------------------------------------------


def template_rows(client, validator, year=2016) -> list[tuple]:
    client.force_login(validator)
    response = client.get(reverse("import_template", args=[year]))
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


def test_template_header_is_spanish_with_reference_columns_after_the_data(client, validator):
    header = template_rows(client, validator)[0]
    assert header[:7] == (
        "indicador",
        "año",
        "numerador",
        "denominador",
        "valor",
        "nota",
        "justificación",
    )
    assert header[7:] == (
        "nombre del indicador (no se importa)",
        "unidad (no se importa)",
        "tipo (razón o valor) (no se importa)",
        "dirección responsable (no se importa)",
        "meta 2016 (no se importa)",
        "fuente de la meta (no se importa)",
    )


def test_template_rows_carry_name_unit_type_directorate_and_target(client, validator):
    rows = {row[0]: row for row in template_rows(client, validator)[1:]}
    assert len(rows) == 24
    consular = rows["OE3.1"]
    # Column 7 is the justification (a data column); the reference columns follow it.
    assert consular[7].startswith("Tasa de cobertura de servicios consulares")
    assert consular[8] == "por cada 10,000 peruanos en el exterior"
    assert consular[9] == "razón" and consular[10] == "DGC"
    assert rows["NAC.3"][9] == "valor" and rows["NAC.3"][10] == "DGC"
    assert rows["V4.1"][10] is None  # no responsible directorate: empty cell
    # OE2.1's 2016 target as published (Anexo 6: 1.59); a year without one is interpolated.
    assert rows["OE2.1"][11] == pytest.approx(1.59) and rows["OE2.1"][12] == "Anexo 6"
    later = {row[0]: row for row in template_rows(client, validator, 2018)[1:]}
    assert later["OE2.1"][12] == "hito interpolado (no oficial)"


def test_template_is_sorted_by_objective_then_code_in_natural_order(client, validator):
    codes = [row[0] for row in template_rows(client, validator)[1:]]
    # A national indicator sits under the first objective it is articulated with (Anexo 6).
    assert codes[:10] == [
        "NAC.1", "OE1.1", "OE1.2",
        "NAC.2", "OE2.1", "OE2.2", "OE2.3",
        "NAC.3", "OE3.1",
        "OE4.1",
    ]  # fmt: skip
    # Then the indicators of no objective, numbers compared as numbers: V2.1 before V10.1.
    rest = codes[10:]
    assert rest == sorted(rest, key=importing._natural)
    assert rest.index("V2.1") < rest.index("V10.1") < rest.index("V13.1")
    assert sorted(rest) != rest  # plain text order would put V10.1 before V2.1


def test_template_round_trip_changes_nothing(client, tmp_path, validator):
    run(write(tmp_path, SPANISH + ROWS), "--status", "submitted")
    client.force_login(validator)
    content = ok(client.get(reverse("import_template", args=[2016]))).content
    before = sorted(IndicatorValue.objects.values_list("indicator__code", "year", "version"))
    out, _ = run(write(tmp_path, content, "plantilla.xlsx"), "--status", "submitted")
    assert "0 nuevos, 0 modificados, 2 sin cambios" in out
    assert sorted(IndicatorValue.objects.values_list("indicator__code", "year", "version")) == (
        before
    )
