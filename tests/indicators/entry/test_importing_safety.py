"""Imports never overwrite silently, stay bounded, and answer bad files with Spanish errors.

The preview shows each row's state and author, validated rows are refused, and the
confirmation checks the versions the preview showed; zip bombs, row limits and the upload size
are bounded; bad input on the import side never gives a 500 nor a traceback."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from indicators import services
from indicators.entry import importing
from indicators.models import IndicatorValue
from indicators.views import PENDING_IMPORT
from tests.factories import enter_value, ok

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

HEADER = "indicator,year,numerator,denominator,value,note\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Pending imports go to the default storage: a throwaway folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


def snapshot():
    return sorted(
        IndicatorValue.objects.values_list(
            "indicator__code", "year", "value", "note", "state", "version"
        )
    )


def run(tmp_path, content: str | bytes, name="valores.csv", *args):
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    out, err = io.StringIO(), io.StringIO()
    call_command("import_values", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def refused(tmp_path, content: str | bytes, name="valores.csv", *args) -> str:
    """The command's whole Spanish answer (error and listed rows); nothing changed."""
    before = snapshot()
    err = io.StringIO()
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    with pytest.raises(CommandError) as info:
        call_command("import_values", str(path), *args, stdout=io.StringIO(), stderr=err)
    assert snapshot() == before
    return f"{info.value} {err.getvalue()}"


def upload(client, content: str | bytes, name="valores.csv", status="submitted"):
    data = content.encode() if isinstance(content, str) else content
    return client.post(
        reverse("import_upload"), {"file": SimpleUploadedFile(name, data), "status": status}
    )


def preview_row(html: str, code: str, year: int) -> str:
    """The preview table's row of one indicator-year."""
    rows = html.split('<tr class="change-')[1:]
    return next(r for r in rows if f'<th scope="row">{code} · {year}<br>' in r)


# --- 4. imports never overwrite silently ----------------------------------------------------


def test_preview_shows_each_rows_state_and_who_changed_it_last(
    client, validator, registrar_dgc, registrar_dpe
):
    registrar_dgc.first_name, registrar_dgc.last_name = "Rosa", "Quispe"
    registrar_dgc.save(update_fields=["first_name", "last_name"])
    enter_value(registrar_dgc, "OE3.1", 2016, 130, 1_000_000)  # borrador, by Rosa Quispe
    enter_value(registrar_dpe, "OE2.1", 2016, 93, 60, submit=True)  # enviado, by reg.dpe
    returned = enter_value(registrar_dgc, "OE3.1", 2017, 140, 1_000_000, submit=True)
    services.do_return(
        user=validator, item=returned, reason="Falta el sustento", expected_version=2
    )
    client.force_login(validator)
    html = upload(
        client,
        HEADER
        + "OE3.1,2016,135,1000000,,\n"
        + "OE2.1,2016,94,60,,\n"
        + "OE3.1,2017,145,1000000,,\n"
        + "NAC.3,2016,,,938178,\n",
    ).content.decode()

    assert "Estado actual" in html and "Último cambio" in html
    draft = preview_row(html, "OE3.1", 2016)
    assert '<td class="state">borrador</td>' in draft and "Rosa Quispe, " in draft
    submitted = preview_row(html, "OE2.1", 2016)
    assert '<td class="state">enviado</td>' in submitted and "reg.dpe, " in submitted
    back = preview_row(html, "OE3.1", 2017)
    assert '<td class="state">devuelto</td>' in back and "val.opp, " in back
    assert '<td class="state">nuevo</td>' in preview_row(html, "NAC.3", 2016)


def test_a_validated_value_is_refused_by_the_command_and_nothing_is_imported(
    tmp_path, registrar_dgc, validator
):
    enter_value(registrar_dgc, "OE3.1", 2016, 130, 1_000_000, validator=validator)
    message = refused(tmp_path, HEADER + "NAC.3,2016,,,938178,\nOE3.1,2016,135,1000000,,\n")
    assert (
        "Fila 3: El valor de OE3.1 2016 está validado: reábralo con un motivo antes de "
        "importarlo." in message
    )
    assert not IndicatorValue.objects.filter(indicator__code="NAC.3", year=2016).exists()


def test_a_validated_value_stops_the_whole_file_in_the_preview(client, registrar_dgc, validator):
    enter_value(registrar_dgc, "OE3.1", 2016, 130, 1_000_000, validator=validator)
    client.force_login(validator)
    html = upload(
        client, HEADER + "NAC.3,2016,,,938178,\nOE3.1,2016,135,1000000,,\n"
    ).content.decode()
    assert "no se importará nada" in html and "Confirmar importación" not in html
    assert "El valor de OE3.1 2016 está validado" in html
    assert PENDING_IMPORT not in client.session
    ok(client.post(reverse("import_confirm")), 302)  # nothing pending: nothing happens
    assert not IndicatorValue.objects.filter(indicator__code="NAC.3", year=2016).exists()


def test_an_unchanged_row_over_a_validated_value_is_accepted(tmp_path, registrar_dgc, validator):
    """The year's template carries validated values: re-importing it must still work."""
    enter_value(registrar_dgc, "OE3.1", 2016, 130, 1_000_000, validator=validator)
    out, _ = run(tmp_path, HEADER + "OE3.1,2016,130,1000000,,\nNAC.3,2016,,,938178,\n")
    assert "1 nuevos, 0 modificados, 1 sin cambios" in out


def test_confirm_refuses_the_whole_file_when_a_row_changed_since_the_preview(
    client, validator, registrar_dgc
):
    item = enter_value(registrar_dgc, "OE3.1", 2016, 130, 1_000_000)
    client.force_login(validator)
    html = upload(
        client, HEADER + "NAC.3,2016,,,938178,\nOE3.1,2016,135,1000000,,\n"
    ).content.decode()
    assert "Confirmar importación" in html
    # Between preview and confirm, the registrar edits the draft.
    services.value_save(
        user=registrar_dgc,
        indicator=item.indicator,
        year=2016,
        numerator=D(131),
        denominator=D(1_000_000),
        expected_version=item.version,
    )
    before = snapshot()
    response = ok(client.post(reverse("import_confirm"), follow=True))
    text = response.content.decode()
    assert "Otra persona modificó OE3.1 2016 desde la vista previa" in text
    assert "no se importó nada" in text
    assert snapshot() == before  # neither NAC.3 nor OE3.1 was written
    assert IndicatorValue.objects.get(indicator__code="OE3.1", year=2016).numerator == D(131)


def test_confirm_refuses_when_someone_created_a_new_row_since_the_preview(
    client, validator, registrar_dgc
):
    client.force_login(validator)
    upload(client, HEADER + "NAC.3,2016,,,938178,\nOE3.1,2016,135,1000000,,\n")
    enter_value(
        registrar_dgc, "OE3.1", 2016, 130, 1_000_000
    )  # "nuevo" in the preview, not any more
    text = ok(client.post(reverse("import_confirm"), follow=True)).content.decode()
    assert "Otra persona modificó OE3.1 2016 desde la vista previa" in text
    assert not IndicatorValue.objects.filter(indicator__code="NAC.3", year=2016).exists()
    assert IndicatorValue.objects.get(indicator__code="OE3.1", year=2016).numerator == D(130)


def test_confirm_without_changes_in_between_imports(client, validator):
    client.force_login(validator)
    upload(client, HEADER + "NAC.3,2016,,,938178,\n")
    text = ok(client.post(reverse("import_confirm"), follow=True)).content.decode()
    assert "Importación completa: 1 nuevos" in text
    assert IndicatorValue.objects.get(indicator__code="NAC.3", year=2016).state == "submitted"


def test_apply_import_compares_the_versions_it_is_given(registrar_dgc):
    item = enter_value(registrar_dgc, "OE3.1", 2016, 130, 1_000_000)
    plan = importing.plan_import(
        importing.read_rows((HEADER + "OE3.1,2016,135,1000000,,\n").encode(), "v.csv")
    )
    assert plan.versions() == {("OE3.1", 2016): item.version}
    with pytest.raises(services.ConflictError, match="Otra persona modificó OE3.1 2016"):
        importing.apply_import(plan, expected_versions={("OE3.1", 2016): item.version - 1})
    assert IndicatorValue.objects.get(pk=item.pk).numerator == D(130)


# --- 6. bounded imports ---------------------------------------------------------------------

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Valores" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)


def inline_row(number: int, values: list[object]) -> str:
    cells = "".join(
        f'<c r="{chr(65 + i)}{number}" t="inlineStr"><is><t>{v}</t></is></c>'
        if isinstance(v, str)
        else f'<c r="{chr(65 + i)}{number}"><v>{v}</v></c>'
        for i, v in enumerate(values)
    )
    return f'<row r="{number}">{cells}</row>'


def handmade_xlsx(sheet_rows: str, dimension: str = "A1:F2") -> bytes:
    """An XLSX written with zipfile, so its sheet can be anything (a bomb, a far row)."""
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>'
        + inline_row(1, ["indicator", "year", "numerator", "denominator", "value", "note"])
        + sheet_rows
        + "</sheetData></worksheet>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return out.getvalue()


def test_the_handmade_xlsx_is_a_real_workbook(tmp_path):
    content = handmade_xlsx(inline_row(2, ["NAC.3", 2016, "", "", 938178, "a mano"]))
    out, _ = run(tmp_path, content, "valores.xlsx")
    assert "1 nuevos" in out
    assert IndicatorValue.objects.get(indicator__code="NAC.3", year=2016).note == "a mano"


@pytest.fixture
def openpyxl_must_not_open(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("openpyxl opened a file the zip check should have refused")

    monkeypatch.setattr(importing, "load_workbook", refuse)


def test_a_zip_bomb_of_a_million_rows_is_refused_before_openpyxl_opens_it(
    tmp_path, openpyxl_must_not_open
):
    # Rows without numbers (a spreadsheet may omit them): each one is a new row.
    row = '<row><c t="inlineStr"><is><t>NAC.3</t></is></c><c><v>2016</v></c><c><v>1</v></c></row>'
    content = handmade_xlsx(row * 1_000_000, dimension="A1:F1000001")
    assert len(content) < importing.MAX_BYTES  # small on disk, a million rows inside
    members = zipfile.ZipFile(io.BytesIO(content)).infolist()
    assert sum(m.file_size for m in members) > 50 * importing.MAX_XLSX_UNPACKED // 20
    message = refused(tmp_path, content, "bomba.xlsx")
    assert "descomprimido ocuparía" in message and "el máximo es 20 MB" in message


def test_an_excessive_compression_ratio_is_refused_before_openpyxl_opens_it(
    tmp_path, openpyxl_must_not_open
):
    # 5 MB of one repeated empty row: under the 20 MB total, but packed far beyond 100 to 1.
    content = handmade_xlsx("<row/>" * 900_000)
    member = zipfile.ZipFile(io.BytesIO(content)).getinfo("xl/worksheets/sheet1.xml")
    assert member.file_size < importing.MAX_XLSX_UNPACKED
    assert member.file_size > 100 * member.compress_size
    assert "comprimido de forma anómala" in refused(tmp_path, content, "bomba.xlsx")


def test_xlsx_reading_stops_at_the_row_limit_counting_empty_rows(tmp_path):
    """One data row far below: the rows the sheet skips count, so it is refused, quickly,
    however wide and long the sheet says it is."""
    content = handmade_xlsx(
        inline_row(1_048_576, ["NAC.3", 2016, "", "", 938178, "lejos"]),
        dimension="A1:XFD1048576",
    )
    message = refused(tmp_path, content, "lejos.xlsx")
    assert "más de 20,000 filas (contando las vacías)" in message


def test_xlsx_with_too_many_rows_is_refused(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(importing.COLUMNS)
    for _ in range(importing.MAX_ROWS + 1):
        sheet.append(["NAC.3", 2016])
    out = io.BytesIO()
    book.save(out)
    assert "más de 20,000 filas" in refused(tmp_path, out.getvalue(), "largo.xlsx")


def test_csv_reading_stops_at_the_row_limit_counting_empty_rows(tmp_path):
    content = HEADER + "\n" * importing.MAX_ROWS + "NAC.3,2016,,,938178,\n"
    assert "más de 20,000 filas (contando las vacías)" in refused(tmp_path, content)


def test_an_upload_over_the_limit_is_refused_without_being_read(client, validator):
    client.force_login(validator)
    response = upload(client, HEADER + "x" * (importing.MAX_BYTES + 1))
    assert response.status_code == 200
    assert "El archivo pesa más de 2 MB, el máximo: no se leyó." in response.content.decode()
    assert PENDING_IMPORT not in client.session


def test_the_upload_page_still_checks_the_csrf_token(validator):
    client = Client(enforce_csrf_checks=True)
    client.force_login(validator)
    response = upload(client, HEADER + "NAC.3,2016,,,938178,\n")
    assert response.status_code == 403
    assert PENDING_IMPORT not in client.session


def test_the_command_checks_the_size_before_reading(tmp_path, monkeypatch):
    path = tmp_path / "grande.csv"
    path.write_bytes(b"x" * (importing.MAX_BYTES + 1))

    def no_read(self):
        raise AssertionError("read before the size check")

    monkeypatch.setattr(type(path), "read_bytes", no_read)
    with pytest.raises(CommandError, match="el máximo es 2 MB"):
        call_command("import_values", str(path), stdout=io.StringIO(), stderr=io.StringIO())


# --- 8. bad input: a Spanish error, never a 500 nor a traceback -----------------------------


@pytest.mark.parametrize("year", ["²", "٢٠١٦", "２０１６", "2016\x00"])
def test_a_year_in_non_ascii_digits_is_a_row_error(tmp_path, year):
    message = refused(tmp_path, HEADER + f"NAC.3,{year},,,938178,\n")
    assert "Fila 2: el año" in message and "no es un año válido" in message


def test_a_nul_in_a_note_is_a_row_error(tmp_path):
    message = refused(tmp_path, HEADER + "NAC.3,2016,,,938178,antes\x00después\n")
    assert "Fila 2: la nota contiene caracteres no permitidos" in message


def test_an_unterminated_quote_is_an_error_not_a_merged_row(tmp_path):
    content = HEADER + 'NAC.3,2016,,,938178,"sin cerrar\nOE3.1,2016,1,2,,\n'
    message = refused(tmp_path, content)
    assert "El CSV está mal formado" in message and "comilla" in message


def test_a_field_over_the_csv_limit_is_an_error(tmp_path):
    content = HEADER + "NAC.3,2016,,,938178," + "x" * 200_000 + "\n"
    assert "una celda supera los 131,072 caracteres" in refused(tmp_path, content)


def test_a_field_over_the_csv_limit_is_a_form_error_on_the_page(client, validator):
    client.force_login(validator)
    response = upload(client, HEADER + 'NAC.3,2016,,,938178,"' + "x" * 200_000 + '"\n')
    assert response.status_code == 200
    assert "una celda supera los 131,072 caracteres" in response.content.decode()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"PK\x03\x04 esto no es un zip", "dañado"),
        (handmade_xlsx("<row><c><v>roto"), "dañado"),  # the sheet's XML is broken
        (b"\x00" * 100, "dañado"),
    ],
)
def test_a_damaged_xlsx_is_a_spanish_command_error(tmp_path, content, message):
    assert message in refused(tmp_path, content, "roto.xlsx")


def test_a_missing_file_is_a_spanish_command_error(tmp_path):
    with pytest.raises(CommandError, match="No se pudo leer"):
        call_command("import_values", str(tmp_path / "no-existe.csv"))


def test_csv_text_quoted_by_our_exports_is_read_back_unquoted(tmp_path):
    run(tmp_path, HEADER + "NAC.3,2016,,,938178,'=1+1\nNAC.3,2017,,,938178,'hola\n")
    notes = dict(
        IndicatorValue.objects.filter(indicator__code="NAC.3", year__in=[2016, 2017]).values_list(
            "year", "note"
        )
    )
    assert notes == {2016: "=1+1", 2017: "'hola"}  # only a quote before =+-@ is ours
