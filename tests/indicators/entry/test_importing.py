"""Import of yearly values: all rows or none, every bad row listed, round trip of the template."""

import io
from decimal import Decimal as D

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from indicators.models import IndicatorValue
from tests.factories import ok

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

HEADER = "indicator,year,numerator,denominator,value,note\n"
GOOD = HEADER + (
    "OE3.1,2016,450,2850000,,Personal según ORH\n"
    "V1.1,2017,470,2900000,,alias del OE3.1\n"
    "OE2.1,2016,95,60,,\n"
    "NAC.3,2016,,,938178,Recaudación anual\n"
)


def write(tmp_path, text: str | bytes, name="valores.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def snapshot():
    return sorted(
        IndicatorValue.objects.values_list("indicator__code", "year", "value", "state", "version")
    )


def run(path, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_values", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_good_csv_is_imported(tmp_path, validator):
    out, _ = run(write(tmp_path, GOOD), "--status", "submitted", "--user", validator.username)
    assert "4 nuevos" in out
    consular = IndicatorValue.objects.get(indicator__code="OE3.1", year=2016)
    assert consular.value == D("1.578947") and consular.state == "submitted"
    assert consular.submitted_by == validator and consular.note == "Personal según ORH"
    assert IndicatorValue.objects.get(indicator__code="OE3.1", year=2017).numerator == D(470)
    assert IndicatorValue.objects.get(indicator__code="NAC.3", year=2016).value == D(938178)
    assert (
        IndicatorValue.history.filter(indicator_id=consular.indicator_id, year=2016)
        .last()
        .history_user
        == validator
    )


BAD_ROWS = [
    ("XX9,2018,1,2,,", "el indicador «XX9» no existe"),
    ("OE3.1,2030,1,2,,", "fuera del periodo del plan"),
    ("OE3.1,2018,1,0,,", "El denominador no puede ser cero."),
    ("OE3.1,2018,uno,2,,", "«uno» no es un número"),
    ("OE3.1,2018,1,2,0.9,", "no coincide con numerador / denominador"),
    ("OE3.1,dos mil,1,2,,", "no es un año válido"),
    ("NAC.3,2018,5,6,,", "valor único"),
    ("OE3.1,2018,-1,2,,", "no puede ser negativo"),
]


@pytest.mark.parametrize(("row", "message"), BAD_ROWS)
def test_one_bad_row_aborts_everything(tmp_path, row, message):
    before = snapshot()
    err = io.StringIO()
    with pytest.raises(CommandError, match="no se importó nada"):
        call_command("import_values", str(write(tmp_path, GOOD + row + "\n")), stderr=err)
    assert snapshot() == before
    # Header is line 1, four good rows, then the bad one: exactly one error, naming line 6.
    [line] = err.getvalue().splitlines()
    assert line.startswith("Fila 6: ") and message in line


def test_duplicate_indicator_year_is_rejected(tmp_path):
    err = io.StringIO()
    path = write(tmp_path, GOOD + "V1.1,2016,1,2,,\n")  # alias of OE3.1, same year as line 2
    with pytest.raises(CommandError):
        call_command("import_values", str(path), stderr=err)
    assert "Fila 6: OE3.1 2016 ya aparece en la fila 2 del archivo." in err.getvalue()
    assert not IndicatorValue.objects.filter(year=2016, origin="user").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (GOOD.encode("latin-1", errors="replace").replace(b"seg\xfan", b"seg\xfan"), "UTF-8"),
        ("Ñandú".encode("latin-1") + b"\n", "UTF-8"),
        (GOOD.replace(",", ";"), "comas"),
        (
            "indicator,year,numerator,value,note\nOE3.1,2016,1,2,\n",
            "faltan las columnas denominator",
        ),
        (HEADER.strip() + ",extra\nOE3.1,2016,1,2,,,x\n", "sobran las columnas extra"),
        (b"", "vacío"),
        (HEADER, "no tiene filas de datos"),
        (b"x" * (11 * 1024 * 1024), "el máximo es 2 MB"),
    ],
)
def test_unreadable_files_are_rejected_whole(tmp_path, content, message):
    before = snapshot()
    with pytest.raises(CommandError, match=message):
        run(write(tmp_path, content))
    assert snapshot() == before


def test_a_thousand_bad_rows_are_all_listed(tmp_path):
    rows = "".join(f"OE3.1,2016,{i},0,,\n" for i in range(1000))
    err = io.StringIO()
    with pytest.raises(CommandError, match="1000 fila"):
        call_command("import_values", str(write(tmp_path, HEADER + rows)), stderr=err)
    lines = err.getvalue().splitlines()
    assert len(lines) == 1000
    assert lines[0].startswith("Fila 2:") and lines[-1].startswith("Fila 1001:")


def xlsx(rows, formula=None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["indicator", "year", "numerator", "denominator", "value", "note"])
    for row in rows:
        sheet.append(row)
    if formula:
        sheet["C2"] = formula
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_is_imported(tmp_path):
    run(write(tmp_path, xlsx([["OE2.1", 2016, 95, 60, None, "ok"]]), "valores.xlsx"))
    assert IndicatorValue.objects.get(indicator__code="OE2.1", year=2016).value == D("1.583333")


def test_xlsx_formulas_are_rejected(tmp_path):
    err = io.StringIO()
    path = write(tmp_path, xlsx([["OE2.1", 2016, 95, 60, None, ""]], formula="=SUM(1,2)"), "v.xlsx")
    with pytest.raises(CommandError):
        call_command("import_values", str(path), stderr=err)
    assert "Hoja «Sheet», fila 2: contiene fórmulas (C2)" in err.getvalue()
    assert not IndicatorValue.objects.filter(year=2016).exists()


def test_registrar_may_only_import_its_own_directorate(tmp_path, registrar_dgc):
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_values", str(write(tmp_path, GOOD)), "--user", "reg.dgc", stderr=err)
    assert (
        "Fila 4: OE2.1 está a cargo de DPE, no de su dirección (DGC): no puede importarlo."
        in err.getvalue()
    )
    with pytest.raises(CommandError, match="oficina de planeamiento"):
        run(
            write(tmp_path, HEADER + "OE3.1,2016,1,2,,\n"),
            "--user",
            "reg.dgc",
            "--status",
            "validated",
        )
    assert not IndicatorValue.objects.filter(year=2016).exists()
    # 1 per 2 persons x 10,000 is far above the target: sent only with a justification.
    justified = HEADER.replace("note", "note,justification") + "OE3.1,2016,1,2,,,dato provisional\n"
    run(write(tmp_path, justified), "--user", "reg.dgc", "--status", "submitted")
    sent = IndicatorValue.objects.get(indicator__code="OE3.1", year=2016)
    assert sent.state == "submitted" and sent.justification == "dato provisional"
    assert sent.warnings  # stored as the grid stores them


def test_template_round_trip_changes_nothing(client, tmp_path, validator):
    run(write(tmp_path, GOOD), "--status", "validated")
    client.force_login(validator)
    response = ok(client.get(reverse("import_template", args=[2016])))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book.active.iter_rows(values_only=True))
    # Spanish header; reference columns after the data (test_import_spanish.py).
    assert rows[0][:6] == ("indicador", "año", "numerador", "denominador", "valor", "nota")
    assert ("OE3.1", 2016, 450, 2850000, None, "Personal según ORH") in [r[:6] for r in rows]
    assert len(rows) == 1 + 24  # one row per indicator

    before = snapshot()
    history = IndicatorValue.history.count()
    out, _ = run(write(tmp_path, response.content, "plantilla.xlsx"), "--status", "validated")
    assert "0 nuevos, 0 modificados, 3 sin cambios" in out
    assert snapshot() == before and IndicatorValue.history.count() == history


def test_browser_import_previews_then_confirms(client, validator, director_dpe):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(director_dpe)  # neither planning office nor registrar
    assert client.get(reverse("import_upload")).status_code == 403
    assert client.get(reverse("import_template", args=[2016])).status_code == 403

    client.force_login(validator)
    upload = SimpleUploadedFile("valores.csv", GOOD.encode(), content_type="text/csv")
    page = client.post(reverse("import_upload"), {"file": upload, "status": "submitted"})
    html = page.content.decode()
    assert "Vista previa: 4 filas" in html and "nuevo" in html
    assert not IndicatorValue.objects.filter(year=2016, origin="user").exists()  # not yet

    client.post(reverse("import_confirm"))
    assert IndicatorValue.objects.filter(origin="user", state="submitted").count() == 4

    bad = SimpleUploadedFile("valores.csv", (GOOD + "XX,2016,1,2,,\n").encode())
    html = client.post(reverse("import_upload"), {"file": bad, "status": "draft"}).content.decode()
    assert "no se importará nada" in html and "Fila 6: el indicador «XX» no existe." in html
