"""A registrar imports their own directorate's values from /importar/; the planning office any
directorate's. The template each downloads holds the rows they may import, styled as a table."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from indicators.entry import importing
from indicators.models import Indicator, IndicatorValue
from tests.factories import ok

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

HEADER = "indicador,año,numerador,denominador,valor,nota\n"
OWN = "OE3.1,2016,450,2850000,,Personal según ORH\nNAC.3,2016,,,900000,\n"


def snapshot():
    return sorted(
        IndicatorValue.objects.values_list(
            "indicator__code", "year", "value", "state", "version", "note"
        )
    )


def upload(client, content: bytes, name="valores.csv", status="draft"):
    file = SimpleUploadedFile(name, content)
    return client.post(reverse("import_upload"), {"file": file, "status": status})


def xlsx(rows, title="Valores 2016") -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(["indicador", "año", "numerador", "denominador", "valor", "nota"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def codes_of(directorate: str) -> set[str]:
    return set(
        Indicator.objects.filter(responsible__code=directorate).values_list("code", flat=True)
    )


def template(client, year=2016, query=""):
    response = client.get(reverse("import_template", args=[year]) + query)
    assert response.status_code == 200
    return response, load_workbook(io.BytesIO(response.content))


# --- importing ----------------------------------------------------------------------------


def test_registrar_imports_their_directorates_rows_from_the_page(client, registrar_dgc):
    client.force_login(registrar_dgc)
    page = client.get(reverse("import_upload"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Puede importar solo los indicadores a cargo de su dirección (DGC)" in html
    assert 'href="/importar/"' in html  # the menu offers it to registrars

    preview = upload(client, (HEADER + OWN).encode())
    assert preview.status_code == 200
    assert "Vista previa: 2 filas" in preview.content.decode()
    assert not IndicatorValue.objects.filter(year=2016).exists()  # not before confirming

    done = client.post(reverse("import_confirm"), follow=True)
    assert "Importación completa: 2 nuevos" in done.content.decode()
    stored = {
        v.indicator.code: v
        for v in IndicatorValue.objects.filter(year=2016).select_related("indicator")
    }
    assert set(stored) == {"OE3.1", "NAC.3"}
    assert stored["OE3.1"].state == "draft" and stored["OE3.1"].updated_by == registrar_dgc
    assert stored["OE3.1"].note == "Personal según ORH"
    assert IndicatorValue.history.filter(year=2016).first().history_user == registrar_dgc


def test_a_row_of_another_directorate_refuses_the_file_naming_sheet_and_row(client, registrar_dgc):
    client.force_login(registrar_dgc)
    before = snapshot()
    content = xlsx([["OE3.1", 2016, 450, 2850000, None, ""], ["OE2.1", 2016, 95, 60, None, ""]])
    page = upload(client, content, "valores.xlsx")
    assert page.status_code == 200
    html = page.content.decode()
    assert "no se importará nada" in html
    assert (
        "Hoja «Valores 2016», fila 3: OE2.1 está a cargo de DPE, no de su dirección (DGC): "
        "no puede importarlo." in html
    )
    assert "Confirmar importación" not in html
    # Nothing is pending, so confirming stores nothing either.
    after = client.post(reverse("import_confirm"), follow=True)
    assert "No hay una importación pendiente de confirmar." in after.content.decode()
    assert snapshot() == before


def test_a_csv_row_of_another_directorate_is_named_by_its_row(client, registrar_dgc):
    client.force_login(registrar_dgc)
    html = upload(client, (HEADER + OWN + "OE2.1,2016,95,60,,\n").encode()).content.decode()
    assert "Fila 4: OE2.1 está a cargo de DPE, no de su dirección (DGC)" in html
    assert not IndicatorValue.objects.filter(year=2016).exists()


def test_planning_office_still_imports_any_directorate(client, validator):
    client.force_login(validator)
    preview = upload(client, (HEADER + OWN + "OE2.1,2016,95,60,,\n").encode())
    assert "Vista previa: 3 filas" in preview.content.decode()
    ok(client.post(reverse("import_confirm")), 302)
    assert set(
        IndicatorValue.objects.filter(year=2016, origin="user").values_list(
            "indicator__code", flat=True
        )
    ) == {"OE3.1", "NAC.3", "OE2.1"}


def test_people_who_neither_enter_nor_validate_cannot_import(client, director_dpe):
    client.force_login(director_dpe)
    assert client.get(reverse("import_upload")).status_code == 403
    assert client.post(reverse("import_confirm")).status_code == 403
    assert client.get(reverse("import_template", args=[2016])).status_code == 403


# --- the template -------------------------------------------------------------------------


def test_registrar_template_has_only_their_directorates_rows(client, registrar_dgc):
    client.force_login(registrar_dgc)
    response, book = template(client)
    assert 'filename="pesem-valores-2016-dgc.xlsx"' in response["Content-Disposition"]
    rows = list(book.active.iter_rows(min_row=2, values_only=True))
    assert {row[0] for row in rows} == codes_of("DGC") and len(rows) == len(codes_of("DGC"))
    assert "OE2.1" not in {row[0] for row in rows}
    # Asking for another directorate's rows gives their own all the same.
    _, other = template(client, query="?direccion=DPE")
    assert {row[0] for row in other.active.iter_rows(min_row=2, values_only=True)} == codes_of(
        "DGC"
    )


def test_template_header_is_bold_frozen_with_column_widths(client, registrar_dgc):
    client.force_login(registrar_dgc)
    _, book = template(client)
    sheet = book.active
    assert sheet.title == "Valores 2016 DGC"
    header = sheet[1]
    assert [c.value for c in header][:7] == importing.SPANISH_COLUMNS + ["justificación"]
    assert all(c.font.bold for c in header if c.value)
    assert not any(c.font.bold for c in sheet[2])  # only the header
    assert sheet.freeze_panes == "A2"
    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABCFGHM"}
    assert widths == {"A": 12, "B": 8, "C": 16, "F": 40, "G": 40, "H": 60, "M": 28}


def test_planning_office_template_is_one_directorate_or_all(client, validator):
    client.force_login(validator)
    page = client.get(reverse("import_upload") + "?direccion=DPE").content.decode()
    assert '<option value="DPE" selected>' in page
    assert 'href="/importar/plantilla/2016/?direccion=DPE"' in page

    _, one = template(client, query="?direccion=DPE")
    assert {r[0] for r in one.active.iter_rows(min_row=2, values_only=True)} == codes_of("DPE")
    _, every = template(client)
    assert every.active.max_row == 1 + Indicator.objects.count()
    assert every.active.freeze_panes == "A2"
    missing = client.get(reverse("import_template", args=[2016]) + "?direccion=NOPE")
    assert missing.status_code == 404


def test_registrar_template_round_trip_changes_nothing(client, registrar_dgc):
    client.force_login(registrar_dgc)
    upload(client, (HEADER + OWN).encode())
    ok(client.post(reverse("import_confirm")), 302)
    before = snapshot()
    response, _ = template(client)
    page = upload(client, response.content, "plantilla.xlsx").content.decode()
    assert "Ninguna fila es nueva ni cambia" in page
    ok(client.post(reverse("import_confirm")), 302)
    assert snapshot() == before
