"""No formula leaves the system: every CSV, TSV and XLSX we write keeps text
that starts with =, +, -, @, tab or CR as text; numbers stay numbers; the year's template
round-trips such notes exactly."""

from __future__ import annotations

import csv
import hashlib
import io
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from indicators import services
from indicators.models import Indicator, IndicatorValue
from lib import spreadsheets
from objectives.models import Directorate, StrategicAction
from tests.factories import enter_value, ok

DANGEROUS = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", "=cmd|' /C calc'!A0"]


# --- the helper, without a database -------------------------------------------------------


@pytest.mark.parametrize("text", DANGEROUS)
def test_formula_like_text_is_quoted_for_csv(text):
    assert spreadsheets.safe_cell(text) == "'" + text
    assert spreadsheets.unquote_cell(spreadsheets.safe_cell(text)) == text


@pytest.mark.parametrize("value", [-3, -1.5, D("-2.5"), 0, 1.25, None, "", "hola", "'hola", "1-2"])
def test_numbers_and_plain_text_are_left_alone(value):
    assert spreadsheets.safe_cell(value) == value
    assert spreadsheets.unquote_cell(value) == value


def test_a_row_is_neutralized_cell_by_cell():
    assert spreadsheets.neutralize_row(["=1", -1, "ok", "@x"]) == ["'=1", -1, "ok", "'@x"]


def xlsx_cells(content: bytes) -> list:
    book = load_workbook(io.BytesIO(content))
    return [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]


def assert_no_formula(content: bytes) -> list:
    """No cell is a formula; every text that looks like one is a quote-prefixed string."""
    cells = xlsx_cells(content)
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    for cell in cells:
        if spreadsheets.is_formula_like(cell.value):
            assert cell.data_type == "s" and cell.quotePrefix, cell.coordinate
    return cells


def streamed_xlsx(sheets: dict) -> bytes:
    ((title, rows),) = sheets.items()
    return b"".join(spreadsheets.stream_xlsx(title, rows))


# The workbook built whole (openpyxl) and the one written while its rows are read.
WRITERS = [spreadsheets.xlsx_bytes, streamed_xlsx]


@pytest.mark.parametrize("write", WRITERS)
def test_xlsx_writer_keeps_text_as_text_and_numbers_as_numbers(write):
    content = write({"Hoja": [["texto", "número"], *[[t, -1] for t in DANGEROUS]]})
    cells = assert_no_formula(content)
    texts = [c.value for c in cells if c.column == 1][1:]
    if write is spreadsheets.xlsx_bytes:
        # openpyxl writes a bare carriage return (without lxml), which XML reads back as a
        # line break; the streamed writer keeps it.
        texts = [t.replace("\r", "\n") for t in texts]
        assert texts == [t.replace("\r", "\n") for t in DANGEROUS]
    else:
        assert texts == DANGEROUS
    assert {(c.value, c.data_type) for c in cells if c.column == 2 and c.row > 1} == {(-1, "n")}


@pytest.mark.parametrize("write", WRITERS)
def test_xlsx_writer_replaces_characters_xml_cannot_hold(write):
    content = write({"Hoja": [["a\x00b\x01c"]]})
    assert xlsx_cells(content)[0].value == "a\ufffdb\ufffdc"


def test_streamed_xlsx_holds_every_kind_of_cell_and_markup_as_text():
    rows = [
        ["Código", "Valor", "Nota"],
        ["<b>&amp;</b>", D("1020000.50"), True],
        ["ñandú \"citado\" 'simple'", 97.48, None],
        ["", -3, "línea\nsegunda"],
    ]
    content = streamed_xlsx({"Tablero [2016]: a/b?": rows})
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["Tablero  2016   a b"]  # characters Excel refuses in a title
    sheet = book.active
    assert [list(r) for r in sheet.iter_rows(values_only=True)] == [
        ["Código", "Valor", "Nota"],
        ["<b>&amp;</b>", 1020000.5, True],
        ["ñandú \"citado\" 'simple'", 97.48, None],
        [None, -3, "línea\nsegunda"],
    ]
    assert sheet["A1"].font.b and not sheet["A2"].font.b  # the header row in bold


def test_streamed_xlsx_sends_the_package_before_reading_a_row_and_rows_as_read():
    total = 10 * spreadsheets.STREAM_ROWS
    read: list[int] = []

    def rows():
        for n in range(1, total + 1):
            read.append(n)
            # Text that does not compress away, so the compressor has bytes to hand out.
            yield [hashlib.sha256(str(n).encode()).hexdigest(), n]

    chunks = spreadsheets.stream_xlsx("Hoja", rows())
    first = next(chunks)
    assert first.startswith(b"PK") and read == []
    sent_while_reading = []
    rest = []
    for chunk in chunks:
        rest.append(chunk)
        sent_while_reading.append((len(read), len(chunk)))
    # Kilobytes of the sheet left while rows were still to be read.
    assert sum(size for seen, size in sent_while_reading if seen < total) > 20_000
    sheet = load_workbook(io.BytesIO(first + b"".join(rest))).active
    assert sheet.max_row == total
    assert [c.value for c in sheet[total]] == [
        hashlib.sha256(str(total).encode()).hexdigest(),
        total,
    ]


def test_protect_sheet_turns_formulas_of_a_filled_sheet_into_text():
    book = Workbook()
    book.active.append(["=1+1", 5])
    assert book.active["A1"].data_type == "f"  # openpyxl's own reading of "="
    spreadsheets.protect_sheet(book.active)
    assert book.active["A1"].data_type == "s" and book.active["B1"].data_type == "n"


# --- every writer of the system -----------------------------------------------------------


@pytest.fixture
def formula_name(db):
    """An indicator name, editable in admin, typed as a formula."""
    Indicator.objects.filter(code="OE2.1").update(name='=HYPERLINK("http://x","clic")')
    return '=HYPERLINK("http://x","clic")'


@pytest.mark.django_db
@pytest.mark.parametrize(("fmt", "delimiter"), [("csv", ","), ("tsv", "\t")])
def test_tablero_csv_and_tsv_quote_formula_like_text(
    client, director_dpe, formula_name, fmt, delimiter
):
    client.force_login(director_dpe)
    response = client.get(reverse("home"), {"anio": 2016, "_export": fmt})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    cells = [cell for row in rows for cell in row]
    assert "'" + formula_name in cells
    assert not any(spreadsheets.is_formula_like(cell) for cell in cells)


@pytest.mark.django_db
def test_tablero_xlsx_writes_formula_like_text_as_a_string(client, director_dpe, formula_name):
    client.force_login(director_dpe)
    response = ok(client.get(reverse("home"), {"anio": 2016, "_export": "xlsx"}))
    cells = assert_no_formula(b"".join(response.streaming_content))
    name = next(c for c in cells if c.value == formula_name)
    assert name.data_type == "s"


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["foo", "json", "ods", "xls", "yaml", "latex"])
def test_tablero_refuses_other_export_formats_with_400(client, director_dpe, fmt):
    client.force_login(director_dpe)
    response = client.get(reverse("home"), {"anio": 2016, "_export": fmt})
    assert response.status_code == 400
    assert "Formato de exportación no disponible" in response.content.decode()


@pytest.mark.django_db
def test_report_xlsx_keeps_a_typed_description_as_text(
    client, director_dpe, registrar_dpe, validator
):
    report = services.report_save(
        user=registrar_dpe,
        action=StrategicAction.objects.get(code="2.1"),
        directorate=Directorate.objects.get(code="DPE"),
        year=2016,
        execution="in_progress",
        percent=D(60),
        description="=cmd|' /C calc'!A0",
    )
    assert report.description.startswith("=")
    # The report's XLSX carries what validated reports say was done, after the directorate.
    report = services.do_submit(user=registrar_dpe, item=report, expected_version=report.version)
    services.do_validate(user=validator, item=report, expected_version=report.version)
    client.force_login(director_dpe)
    response = ok(client.get(reverse("report_download", args=[2016])))
    cells = assert_no_formula(response.content)
    assert any(c.value == "DPE: =cmd|' /C calc'!A0" and c.data_type == "s" for c in cells)
    assert any(c.value == 0.6 and c.data_type == "n" for c in cells)  # numbers stay numbers


@pytest.mark.django_db
def test_template_round_trip_keeps_formula_like_notes_exactly(
    client, tmp_path, validator, registrar_dgc, registrar_dpe
):
    enter_value(registrar_dgc, "OE3.1", 2016, 130, 1_000_000, note="=1+1")
    enter_value(registrar_dpe, "OE2.1", 2016, 93, 60, note="@SUM(A1)")
    client.force_login(validator)
    response = ok(client.get(reverse("import_template", args=[2016])))
    cells = assert_no_formula(response.content)
    notes = {c.value: c.data_type for c in cells if c.value in ("=1+1", "@SUM(A1)")}
    assert notes == {"=1+1": "s", "@SUM(A1)": "s"}

    before = list(IndicatorValue.objects.order_by("pk").values_list("note", "version"))
    path = tmp_path / "plantilla.xlsx"
    path.write_bytes(response.content)
    out = io.StringIO()
    call_command("import_values", str(path), stdout=out, stderr=io.StringIO())
    assert "0 nuevos, 0 modificados, 2 sin cambios" in out.getvalue()
    assert list(IndicatorValue.objects.order_by("pk").values_list("note", "version")) == before
    assert IndicatorValue.objects.get(indicator__code="OE3.1", year=2016).note == "=1+1"
    assert IndicatorValue.objects.get(indicator__code="OE2.1", year=2016).note == "@SUM(A1)"


@pytest.mark.django_db
def test_a_changed_formula_like_note_is_imported_as_text(tmp_path, registrar_dgc):
    enter_value(registrar_dgc, "OE3.1", 2016, 130, 1_000_000, note="antes")
    book = Workbook()
    spreadsheets.write_rows(
        book.active,
        [
            ["indicator", "year", "numerator", "denominator", "value", "note"],
            ["OE3.1", 2016, 130, 1_000_000, None, "=2+2"],
        ],
    )
    out = io.BytesIO()
    book.save(out)
    path = tmp_path / "v.xlsx"
    path.write_bytes(out.getvalue())
    call_command("import_values", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert IndicatorValue.objects.get(indicator__code="OE3.1", year=2016).note == "=2+2"
