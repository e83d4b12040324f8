"""The monitoring report as CEPLAN structures it: the page, the PDF and the XLSX
show the same four sections and the same figures, read back from the files themselves (the
PDF through pdftotext, the XLSX through openpyxl); the conclusions are written, submitted and
validated by two people of the planning office, and only their validated text reaches the
files."""

from __future__ import annotations

import io
import logging
import os
import re
import shutil
import socket
import subprocess
from decimal import Decimal as D
from xml.etree import ElementTree

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from fontTools.ttLib import TTFont
from openpyxl import load_workbook
from pypdf import PdfReader
from weasyprint import HTML

from indicators import services
from indicators.models import (
    ActionReport,
    Indicator,
    IndicatorValue,
    ReportConclusion,
    Target,
)
from indicators.workflow import conclusion_services, status
from objectives.models import Directorate, StrategicAction, StrategicObjective
from pesem.planio.export import plan_as_dict
from pesem.report import charts as report_charts
from pesem.report import content as reports
from pesem.report import pdf as report_pdf
from pesem.report import xlsx as report_xlsx
from tests.factories import IN_CI, make_staff, needs_pdftotext, ok, pdf_text

DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("portal_on")]

XLSX_SHEETS = [
    "Resumen",
    "Cambios de semáforo",
    "Indicadores",
    "Acciones",
    "Conclusiones",
]  # and "Calidad de datos" last, with the annex (tests/pesem/report/test_as_sent.py)
HEADER_FIRST = {
    "Resumen": "Objetivo",
    "Cambios de semáforo": "Nivel",
    "Indicadores": "Objetivo",
    "Acciones": "Objetivo",
    "Calidad de datos": "Objetivo",
    "Conclusiones": "Apartado",
}


# --- data ---------------------------------------------------------------------------------


@pytest.fixture
def second_validator(django_user_model):
    return make_staff(django_user_model, "val.dee", "validador", "OPP")


def write_conclusions(user, year=2016, text="CONCLUSION-TEXTO", recommendation="RECOMENDACION"):
    return conclusion_services.conclusion_save(
        user=user,
        year=year,
        conclusions=text,
        recommendations=recommendation,
        expected_version=None,
    )


def validated_conclusions(writer, checker, **texts):
    item = write_conclusions(writer, **texts)
    item = conclusion_services.conclusion_submit(
        user=writer, item=item, expected_version=item.version
    )
    return conclusion_services.conclusion_validate(
        user=checker, item=item, expected_version=item.version
    )


# --- reading the files back ---------------------------------------------------------------


def get_pdf(client, year=2016) -> bytes:
    response = client.get(reverse("report_pdf", args=[year]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    return response.content


def get_book(client, year=2016):
    response = client.get(reverse("report_download", args=[year]))
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def header_row(sheet) -> int:
    first = HEADER_FIRST[sheet.title]
    return next(row[0].row for row in sheet.iter_rows(max_col=1) if row[0].value == first)


def records(sheet) -> list[dict[str, object]]:
    """The sheet's table as dicts of cells (not values: formats are checked too)."""
    start = header_row(sheet)
    titles = [c.value for c in sheet[start]]
    return [
        dict(zip(titles, row, strict=False))
        for row in sheet.iter_rows(min_row=start + 1)
        if any(c.value is not None for c in row)
    ]


def page_text(client, year=2016) -> str:
    return client.get(reverse("report"), {"anio": year}).content.decode()


# --- the page -----------------------------------------------------------------------------


def test_page_shows_the_four_sections_and_links_to_the_files(client, validator, year_2016):
    client.force_login(validator)
    page = page_text(client)
    for title in reports.SECTION_TITLES:
        assert title in page
    assert reverse("report_pdf", args=[2016]) in page
    assert reverse("report_download", args=[2016]) in page
    assert reverse("report_conclusions", args=[2016]) in page
    # Objectives are counted as objectives and indicators as indicators.
    assert "de los 4 objetivos estratégicos sectoriales: 1 en verde, 0 en amarillo" in page
    assert "De sus 7 indicadores: 1 en verde" in page
    assert "1 de 7 indicadores con dato validado en 2016" in page
    # Lights that changed since 2015: OE2.1 (and with it OE2) went from grey to green.
    changes = page.split('id="report-changes"')[1].split("</table>")[0]
    assert "OE2.1" in changes and "OE2" in changes and "OE3.1" not in changes
    assert page.count("<svg") == 7  # one chart per indicator
    assert "ANALISIS-VALIDADO-OE21" in page and "MEDIDAS-VALIDADAS-OE21" in page
    assert "ANALISIS-BORRADOR-OE31" not in page and "MEDIDAS-BORRADOR-OE31" not in page


def test_page_lists_each_action_once_with_its_directorates_in_cuadro_6_order(
    client, director_dpe, year_2016
):
    client.force_login(director_dpe)
    page = page_text(client)
    assert reverse("report_conclusions", args=[2016]) not in page  # not the planning office
    rows = re.findall(r"<tr><td>1\.2 .*?</tr>", page, re.S)
    assert len(rows) == 1
    assert re.findall(r"/direcciones/([A-Z]+)/\?anio=2016", rows[0]) == ["DGA", "DAO", "DGE"]
    row = re.findall(r"<tr><td>2\.1 .*?</tr>", page, re.S)[0]
    assert "DPE</a>: en ejecución, 60 %" in row
    assert "FERIAS-VALIDADAS" not in page  # what was done: in the XLSX


@pytest.mark.usefixtures("uncached")
def test_report_page_query_count_is_pinned_and_does_not_grow(
    client, validator, year_2016, django_assert_max_num_queries
):
    client.force_login(validator)
    ok(client.get(reverse("report"), {"anio": 2016}))  # warm caches (content types, sessions)
    # session, user, groups; plan years, first year with data; stored statuses complete (2
    # counts); the year's statuses with their indicators, their targets, their approved
    # target revisions, the plan's approved versions and the year's deadline (when the year
    # is read), their values, every year's statuses, objectives with the plan, the version
    # in force then, action reports, actions, their responsibles, conclusions; menu badge
    # (submitted count)
    with django_assert_max_num_queries(21) as small:
        ok(client.get(reverse("report"), {"anio": 2016}))
    objective = StrategicObjective.objects.get(number=2)
    dpe = Directorate.objects.get(code="DPE")
    extra = Indicator.objects.bulk_create(
        Indicator(
            plan=objective.plan,
            code=f"SYN.{n}",
            name=f"Sintético {n}",
            level="objective",
            objective=objective,
            responsible=dpe,
            order=100 + n,
        )
        for n in range(40)
    )
    IndicatorValue.objects.bulk_create(
        IndicatorValue(indicator=i, year=y, value=D("1.2"), state="validated", analysis="x")
        for i in extra
        for y in (2015, 2016)
    )
    Target.objects.bulk_create(
        Target(indicator=i, kind=k, year=y, value=D(v), source="Anexo 6", published_text=v)
        for i in extra
        for k, y, v in (("baseline", 2014, "1"), ("target", 2016, "1.3"), ("target", 2021, "2"))
    )
    actions = StrategicAction.objects.bulk_create(
        StrategicAction(
            objective=objective,
            plan=objective.plan,
            code=f"2.{100 + n}",
            order=100 + n,
            name=f"A {n}",
        )
        for n in range(10)
    )
    for action in actions:
        action.responsibles.add(dpe)
    ActionReport.objects.bulk_create(
        ActionReport(action=a, directorate=dpe, year=2016, percent=D(50), state="validated")
        for a in actions
    )
    status.refresh()
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = ok(client.get(reverse("report"), {"anio": 2016})).content.decode()
    assert "SYN.39" in page and "2.109" in page


# --- the PDF ------------------------------------------------------------------------------


@needs_pdftotext
def test_pdf_holds_sections_pages_and_the_figures_of_the_page(client, director_dpe, year_2016):
    client.force_login(director_dpe)
    text = pdf_text(get_pdf(client))
    page = page_text(client)
    for title in reports.SECTION_TITLES:
        assert title in text
    assert "Página 1 de" in text
    pages = int(re.search(r"Página 1 de (\d+)", text).group(1))
    assert pages > 1 and f"Página {pages} de {pages}" in text
    report = reports.monitoring_report(year=2016)
    assert len(report.rows) == 7
    for row in report.rows:
        assert row.indicator.code in text
        figures = [row.show(row.baseline.value)] if row.baseline else []
        if row.status.target is not None:
            figures.append(row.show(row.status.target))
        if row.has_value:
            figures += [row.value_text, row.achievement_text]
        for figure in figures:
            assert figure in text, (row.indicator.code, figure)
            assert figure in page, (row.indicator.code, figure)
    assert "1.55" in text and "97.5 %" in text  # OE2.1, as the page shows it
    exported = next(i for i in plan_as_dict()["indicators"] if i["code"] == "OE2.1")
    value = next(v for v in exported["values"] if v["year"] == 2016)
    assert value["value"] == 1.55 and value["achievement"] == 97.48 and value["light"] == "green"
    assert "ANALISIS-VALIDADO-OE21" in text and "MEDIDAS-VALIDADAS-OE21" in text
    assert "ANALISIS-BORRADOR-OE31" not in text and "MEDIDAS-BORRADOR-OE31" not in text
    assert "DPE: en ejecución, 60 %" in text


@needs_pdftotext
def test_pdf_header_names_ministry_plan_year_and_dates(client, director_dpe, settings, year_2016):
    settings.PESEM_MINISTRY_NAME = "Ministerio de Pruebas Consulares"
    client.force_login(director_dpe)
    text = pdf_text(get_pdf(client))
    report = reports.monitoring_report(year=2016)
    validated_at = IndicatorValue.objects.get(indicator__code="OE2.1", year=2016).validated_at
    assert "Ministerio de Pruebas Consulares" in text
    assert report.plan_name and report.plan_name in text
    assert "Reporte de seguimiento 2016" in text
    assert f"Fecha de corte: {timezone.localtime(validated_at):%d/%m/%Y}" in text
    assert f"Fecha de generación: {timezone.localtime():%d/%m/%Y}" in text


@needs_pdftotext
def test_pdf_of_a_year_without_validated_data_says_so(client, director_dpe):
    client.force_login(director_dpe)
    text = pdf_text(get_pdf(client, 2019))
    assert "Fecha de corte: sin datos validados" in text
    assert "0 de 7 indicadores con dato validado en 2019" in text


def test_pdf_lights_are_coloured_cells_with_their_word_and_charts_are_vectors(
    director_dpe, year_2016
):
    report = reports.monitoring_report(year=2016)
    html = report_pdf.report_html(report)
    assert '<td class="light light-green">verde</td>' in html
    assert f"td.light-green {{ background: {reports.LIGHT_FILLS['green']}; }}" in html
    assert html.count("<svg") == 7 and "<img" not in html
    assert "DejaVu Sans" in html


@pytest.mark.skipif(
    shutil.which("pdfimages") is None and not IN_CI,
    reason="pdfimages no está instalado (apt-get install poppler-utils)",
)
def test_pdf_has_no_raster_image(client, director_dpe, year_2016, tmp_path):
    client.force_login(director_dpe)
    path = tmp_path / "reporte.pdf"
    path.write_bytes(get_pdf(client))
    listing = subprocess.run(
        ["pdfimages", "-list", str(path)], capture_output=True, check=True, text=True
    ).stdout.splitlines()
    assert len(listing) == 2  # the header lines only: every chart is drawn as vectors


def test_pdf_never_fetches_a_url(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("El PDF intentó conectarse a la red.")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    html = (
        '<link rel="stylesheet" href="https://example.org/estilo.css">'
        '<img src="http://example.org/logo.png"><img src="file:///etc/passwd">'
        "<p>Reporte</p>"
    )
    pdf = HTML(string=html, url_fetcher=report_pdf.OfflineFetcher()).write_pdf()
    assert pdf.startswith(b"%PDF-")
    with pytest.raises(report_pdf.ExternalResourceRefused):
        report_pdf.OfflineFetcher().fetch("https://example.org/x.png")
    assert report_pdf.OfflineFetcher().fetch("data:text/plain,hola").read() == b"hola"


def test_chart_axis_uses_peruvian_numbers_and_marks_interpolated_targets():
    svg = report_charts.indicator_svg(
        code="X.1",
        unit="personas <atendidas>",
        years=range(2015, 2022),
        series=[(2015, D("1020000.5")), (2016, D("1500000"))],
        targets=[
            report_charts.ChartTarget(2016, D("1400000"), False),
            report_charts.ChartTarget(2017, D("1600000"), True),
        ],
        baseline=(2014, D("1000000")),
    )
    assert ">1,000,000<" in svg and ">1,600,000<" in svg
    assert "Meta interpolada (no oficial)" in svg and "Línea de base" in svg
    assert "&lt;atendidas&gt;" in svg and "<atendidas>" not in svg
    assert ">2014<" in svg and ">2021<" in svg


def _chart(*, placed: bool) -> str:
    return report_charts.indicator_svg(
        code="X.1",
        unit="personas",
        years=range(1995, 2025),
        series=[(2015, D("-1020000.5")), (2016, D("1500000"))],
        targets=[report_charts.ChartTarget(2016, D("99.5"), False)],
        baseline=(2014, D("1000000")),
        placed=placed,
    )


def test_the_pdf_chart_places_its_axis_labels_where_the_anchored_ones_stand():
    """The PDF's chart starts each axis label where its width in DejaVu Sans puts it (an
    anchored SVG text is a group of its own in the PDF): the label ends (numbers) or is
    centred (years) exactly where the page's anchored label is."""
    anchored = ElementTree.fromstring(_chart(placed=False)).iter("text")
    placed = ElementTree.fromstring(_chart(placed=True)).iter("text")
    moved = 0
    for a, p in zip(anchored, placed, strict=True):
        assert (a.text, a.get("y"), a.get("font-size")) == (p.text, p.get("y"), p.get("font-size"))
        if a.get("text-anchor") == p.get("text-anchor"):
            continue
        moved += 1
        assert p.get("text-anchor") == "start"
        width = report_charts.text_width(a.text, float(a.get("font-size")))
        shift = width if a.get("text-anchor") == "end" else width / 2
        assert float(p.get("x")) + shift == pytest.approx(
            float(a.get("x")), abs=0.1
        )  # both rounded
    assert moved >= 9  # the numbers of the axis and the years named


@pytest.mark.skipif(
    not os.path.exists(DEJAVU) and not IN_CI, reason="fonts-dejavu-core no está instalado"
)
def test_label_widths_are_those_of_the_pdfs_font():
    font = TTFont(DEJAVU)
    advances, cmap = font["hmtx"], font.getBestCmap()
    assert font["head"].unitsPerEm == report_charts.EM
    for character, advance in report_charts.ADVANCES.items():
        assert advances[cmap[ord(character)]][0] == advance, character


def test_the_pdfs_charts_are_not_drawn_as_a_group_per_label(director_dpe, year_2016):
    """Every axis label as a group of its own made half of a large report's file; what is
    left is one a chart (its unit, written upwards)."""
    report = reports.monitoring_report(year=2016)
    content = report_pdf.report_pdf(report)
    reader = PdfReader(io.BytesIO(content))
    groups = set()
    for page in reader.pages:
        for ref in (page["/Resources"].get("/XObject") or {}).values():
            groups.add(ref.idnum)
    assert 0 < len(groups) <= len(report.rows)


# --- the XLSX -----------------------------------------------------------------------------


def test_xlsx_has_a_sheet_per_section_with_title_block_header_filter_and_frozen_panes(
    client, director_dpe, year_2016
):
    client.force_login(director_dpe)
    book = get_book(client)
    assert book.sheetnames == XLSX_SHEETS
    report = reports.monitoring_report(year=2016)
    sections = {
        "Resumen": 0,
        "Cambios de semáforo": 0,
        "Indicadores": 1,
        "Acciones": 1,
        "Conclusiones": 2,
    }
    for sheet in book.worksheets:
        assert sheet["A1"].value == reports.DEFAULT_MINISTRY and sheet["A1"].font.bold
        assert sheet["A2"].value == report.plan_name
        assert sheet["A3"].value == (
            f"Reporte de seguimiento 2016 · {reports.SECTION_TITLES[sections[sheet.title]]}"
        )
        assert sheet["A4"].value == f"Fecha de corte: {report.cutoff_text}"
        assert sheet["A5"].value.startswith("Fecha de generación: ")
        start = header_row(sheet)
        for cell in sheet[start]:
            assert cell.font.bold and cell.fill.fill_type == "solid"
        assert sheet.freeze_panes == f"A{start + 1}"
        assert sheet.auto_filter.ref.startswith(f"A{start}:")
        assert sheet.column_dimensions["A"].width >= 9
        for row in sheet.iter_rows():
            for cell in row:
                assert not isinstance(cell.value, bool)  # Sí/No, never TRUE/FALSE
                assert cell.data_type != "f"


def test_xlsx_figures_equal_the_page_and_the_export(client, director_dpe, year_2016):
    client.force_login(director_dpe)
    book = get_book(client)
    rows = {r["Código"].value: r for r in records(book["Indicadores"])}
    exported = {i["code"]: i for i in plan_as_dict()["indicators"]}
    report = {r.indicator.code: r for r in reports.monitoring_report(year=2016).rows}
    assert set(rows) == set(report)
    oe21 = rows["OE2.1"]
    value = next(v for v in exported["OE2.1"]["values"] if v["year"] == 2016)
    assert oe21["Valor obtenido 2016"].value == value["value"] == 1.55
    assert oe21["Valor obtenido 2016"].data_type == "n"
    assert oe21["Valor obtenido 2016"].number_format == "#,##0.00"
    achievement = oe21["Cumplimiento"]
    assert achievement.number_format == "0.0%"
    assert round(achievement.value * 100, 2) == value["achievement"] == 97.48
    assert oe21["Semáforo"].value == "verde" and value["light"] == "green"
    assert oe21["Semáforo"].fill.fgColor.rgb.endswith(reports.LIGHT_FILLS["green"][1:].upper())
    assert oe21["Con dato validado en 2016"].value == "Sí"
    assert rows["OE3.1"]["Con dato validado en 2016"].value == "No"
    assert rows["OE3.1"]["Semáforo"].value == "gris"
    assert oe21["Análisis del avance"].value == "ANALISIS-VALIDADO-OE21"
    assert rows["OE3.1"]["Análisis del avance"].value in (None, "")
    page = page_text(client)
    for code, row in report.items():
        cells = rows[code]
        fmt = report_xlsx.number_format(row.places)
        if row.status.target is not None:
            assert cells["Meta 2016"].number_format == fmt
            assert cells["Meta 2016"].value == float(row.status.target)
            assert row.show(row.status.target) in page
        if row.baseline:
            assert cells["Línea de base"].value == float(row.baseline.value)
            assert cells["Línea de base"].number_format == fmt
        assert cells["Semáforo"].value == row.light_label
        assert cells["Semáforo"].fill.fill_type == "solid"


def test_xlsx_marks_interpolated_targets_in_words(client, director_dpe):
    client.force_login(director_dpe)
    rows = {r["Código"].value: r for r in records(get_book(client, 2017)["Indicadores"])}
    assert rows["OE2.1"]["Tipo de meta"].value == "interpolada"  # between 2016 and 2021
    assert rows["OE2.1"]["Meta 2017"].data_type == "n"
    rows = {r["Código"].value: r for r in records(get_book(client, 2016)["Indicadores"])}
    assert rows["OE2.1"]["Tipo de meta"].value == "oficial"


def test_xlsx_numbers_carry_each_indicators_precision(client, director_dpe):
    """An indicator published without decimals (a count: 430, 520) gets '#,##0'."""
    indicator = Indicator.objects.create(
        code="OE2.9",
        name="Acciones multilaterales",
        decimals=0,  # its precision, as load_plan sets it from the published numbers
        level="objective",
        objective=StrategicObjective.objects.get(number=2),
        order=99,
    )
    for kind, year, text in (("baseline", 2014, "430"), ("target", 2016, "520")):
        Target.objects.create(
            indicator=indicator,
            kind=kind,
            year=year,
            value=D(text),
            published_text=text,
            source="Anexo 6",
        )
    client.force_login(director_dpe)
    rows = {r["Código"].value: r for r in records(get_book(client)["Indicadores"])}
    assert rows["OE2.9"]["Meta 2016"].number_format == "#,##0"
    assert rows["OE2.9"]["Línea de base"].number_format == "#,##0"
    assert rows["OE2.9"]["Año de la línea de base"].value == 2014
    assert rows["OE2.1"]["Meta 2016"].number_format == "#,##0.00"


def test_xlsx_lists_each_action_once_with_its_directorates(client, director_dpe, year_2016):
    client.force_login(director_dpe)
    actions = records(get_book(client)["Acciones"])
    rows = [r for r in actions if r["Acción"].value == "1.2"]
    assert len(rows) == 1
    assert rows[0]["Direcciones responsables"].value == "DGA, DAO, DGE"
    row = next(r for r in actions if r["Acción"].value == "2.1")
    assert row["Avance por dirección en 2016"].value == "DPE: en ejecución, 60 %"
    assert row["Reportes validados"].value == 1
    assert row["Avance validado (promedio)"].value == 0.6
    assert row["Avance validado (promedio)"].number_format == "0.0%"
    assert row["Qué se hizo"].value == "DPE: FERIAS-VALIDADAS"
    codes = [r["Acción"].value for r in actions]
    assert len(codes) == len(set(codes)) == StrategicAction.objects.filter(parent=None).count()


def test_xlsx_summary_and_changes(client, director_dpe, year_2016):
    client.force_login(director_dpe)
    book = get_book(client)
    summary = {r["Objetivo"].value: r for r in records(book["Resumen"])}
    assert summary["OE2"]["Semáforo 2016"].value == "verde"
    assert summary["OE2"]["Semáforo 2015"].value == "gris"
    assert summary["OE2"]["Verde"].value == 1 and summary["OE2"]["Gris"].value == 2
    assert summary["OE2"]["Con dato validado en 2016"].value == 1
    notes = [book["Resumen"].cell(row=n, column=1).value for n in range(6, 10)]
    assert "Cobertura: 1 de 7 indicadores con dato validado en 2016." in notes
    changes = {r["Código"].value: r for r in records(book["Cambios de semáforo"])}
    assert set(changes) == {"OE2", "OE2.1"}
    assert changes["OE2.1"]["Semáforo 2015"].value == "gris"
    assert changes["OE2.1"]["Semáforo 2016"].value == "verde"
    assert "Calidad de datos" not in book.sheetnames  # internal notes: only in the annex


def test_xlsx_text_that_looks_like_a_formula_stays_text(
    client, director_dpe, validator, second_validator
):
    validated_conclusions(validator, second_validator, text='=HYPERLINK("http://x")')
    client.force_login(director_dpe)
    sheet = get_book(client)["Conclusiones"]
    cell = next(r["Texto"] for r in records(sheet) if r["Apartado"].value == "Conclusiones")
    assert cell.value == '=HYPERLINK("http://x")' and cell.data_type == "s"


# --- conclusions --------------------------------------------------------------------------


@needs_pdftotext
def test_only_validated_conclusions_reach_the_files_and_four_eyes_apply(
    client, director_dpe, validator, second_validator
):
    item = write_conclusions(validator, text="CONCLUSION-BORRADOR", recommendation="REC-BORRADOR")
    client.force_login(director_dpe)
    assert "CONCLUSION-BORRADOR" not in pdf_text(get_pdf(client))
    texts = [c.value for row in get_book(client)["Conclusiones"].iter_rows() for c in row]
    assert "CONCLUSION-BORRADOR" not in texts and reports.CONCLUSION_PENDING in texts
    assert "CONCLUSION-BORRADOR" not in page_text(client)  # a director never sees the draft
    client.force_login(validator)
    draft = page_text(client).split('id="report-section-3"')[1]
    assert "CONCLUSION-BORRADOR" in draft and "borrador" in draft  # the planning office does

    item = conclusion_services.conclusion_submit(
        user=validator, item=item, expected_version=item.version
    )
    with pytest.raises(ValidationError, match="otra persona de la oficina de planeamiento"):
        conclusion_services.conclusion_validate(
            user=validator, item=item, expected_version=item.version
        )
    item = conclusion_services.conclusion_validate(
        user=second_validator, item=item, expected_version=item.version
    )
    assert item.state == "validated" and item.validated_by == second_validator

    client.force_login(director_dpe)
    text = pdf_text(get_pdf(client))
    assert "CONCLUSION-BORRADOR" in text and "REC-BORRADOR" in text
    sheet = get_book(client)["Conclusiones"]
    cells = {r["Apartado"].value: r["Texto"].value for r in records(sheet)}
    assert cells["Conclusiones"] == "CONCLUSION-BORRADOR"
    assert cells["Recomendaciones"] == "REC-BORRADOR"
    assert "CONCLUSION-BORRADOR" in page_text(client)


def test_conclusions_keep_history_with_user_and_reason_and_an_audit_line(
    validator, second_validator, caplog
):
    with caplog.at_level(logging.INFO, logger="pesem.audit"):
        item = validated_conclusions(validator, second_validator)
    item = conclusion_services.conclusion_reopen(
        user=validator, item=item, reason="Falta un dato", expected_version=item.version
    )
    assert item.state == "draft" and item.return_reason == "Falta un dato"
    history = list(item.history.order_by("history_date", "history_id"))
    assert [(h.history_user, h.history_change_reason, h.version) for h in history] == [
        (validator, "redacción", 1),
        (validator, "enviado a validación", 2),
        (second_validator, "validado", 3),
        (validator, "reabierto: Falta un dato", 4),
    ]
    lines = [r for r in caplog.records if getattr(r, "what", None) == "report_conclusion"]
    assert [r.state for r in lines] == ["draft", "submitted", "validated", "draft"]
    assert lines[0].user == "val.opp" and lines[0].year == 2016


def test_after_a_reopen_the_writer_may_validate_what_another_rewrote(validator, second_validator):
    item = validated_conclusions(validator, second_validator)
    item = conclusion_services.conclusion_reopen(
        user=second_validator, item=item, reason="Actualizar", expected_version=item.version
    )
    item = conclusion_services.conclusion_save(
        user=second_validator,
        year=2016,
        conclusions="Nuevo texto",
        recommendations="",
        expected_version=item.version,
    )
    item = conclusion_services.conclusion_submit(
        user=second_validator, item=item, expected_version=item.version
    )
    with pytest.raises(ValidationError):
        conclusion_services.conclusion_validate(
            user=second_validator, item=item, expected_version=item.version
        )
    item = conclusion_services.conclusion_validate(
        user=validator, item=item, expected_version=item.version
    )
    assert item.state == "validated" and item.conclusions == "Nuevo texto"


def test_conclusion_rules(validator, registrar_dgc, director_dpe):
    for user in (registrar_dgc, director_dpe):
        with pytest.raises(PermissionDenied):
            write_conclusions(user)
    with pytest.raises(ValidationError, match="fuera del periodo"):
        write_conclusions(validator, year=2030)
    with pytest.raises(ValidationError, match="Escriba las conclusiones"):
        write_conclusions(validator, text="  ", recommendation="")
    item = write_conclusions(validator)
    with pytest.raises(services.ConflictError, match="Otra persona modificó"):
        conclusion_services.conclusion_save(
            user=validator,
            year=2016,
            conclusions="otra",
            recommendations="",
            expected_version=item.version - 1,
        )
    with pytest.raises(ValidationError, match="No se pueden validar"):
        conclusion_services.conclusion_validate(
            user=validator, item=item, expected_version=item.version
        )
    item = conclusion_services.conclusion_submit(
        user=validator, item=item, expected_version=item.version
    )
    with pytest.raises(ValidationError, match="motivo"):
        conclusion_services.conclusion_return(
            user=validator, item=item, reason=" ", expected_version=item.version
        )
    with pytest.raises(ValidationError, match="enviadas o validadas"):
        conclusion_services.conclusion_save(
            user=validator,
            year=2016,
            conclusions="otra",
            recommendations="",
            expected_version=item.version,
        )
    item = conclusion_services.conclusion_return(
        user=validator, item=item, reason="Precisar", expected_version=item.version
    )
    assert (
        item.state == "draft" and ReportConclusion.objects.get().conclusions == "CONCLUSION-TEXTO"
    )


def test_conclusions_page_flow(client, validator, second_validator, director_dpe):
    url = reverse("report_conclusions", args=[2016])
    client.force_login(director_dpe)
    assert client.get(url).status_code == 403
    assert client.post(url, {"conclusions": "x"}).status_code == 403
    client.force_login(validator)
    assert client.get(reverse("report_conclusions", args=[2030])).status_code == 404
    page = client.get(url).content.decode()
    assert "sin redactar" in page and 'name="conclusions"' in page
    response = client.post(url, {"conclusions": "Se avanzó.", "recommendations": "Seguir."})
    assert response.status_code == 302
    item = ReportConclusion.objects.get(year=2016)
    assert item.conclusions == "Se avanzó." and item.updated_by == validator
    stale = client.post(url, {"conclusions": "Otro", "recommendations": "", "version": "0"})
    assert "Otra persona modificó" in stale.content.decode()
    client.post(url, {"action": "submit", "version": item.version})
    item.refresh_from_db()
    assert item.state == "submitted"
    client.post(url, {"action": "validate", "version": item.version})
    item.refresh_from_db()
    assert item.state == "submitted"  # four eyes
    client.force_login(second_validator)
    client.post(url, {"action": "validate", "version": item.version})
    item.refresh_from_db()
    assert item.state == "validated"
    page = client.get(url).content.decode()
    assert 'name="conclusions"' not in page and "Reabrir" in page
    assert "validado" in page.split('id="conclusion-history"')[1]
    client.force_login(director_dpe)
    report = page_text(client).split('id="report-section-3"')[1]
    assert "Se avanzó." in report and "Seguir." in report


@pytest.mark.parametrize(
    ("years", "shown"),
    [
        (range(2011, 2022), list(range(2011, 2022))),  # the published plan: every year
        (range(1992, 2022), [1995, 2000, 2005, 2010, 2015, 2020]),
        (range(2000, 2022), list(range(2000, 2022, 2))),
    ],
)
def test_chart_names_every_year_while_they_fit_then_round_years(years, shown):
    svg = report_charts.indicator_svg(
        code="X.1",
        unit="",
        years=years,
        series=[(years.start, D("1")), (years.stop - 1, D("2"))],
        targets=[],
        baseline=None,
    )
    assert [int(y) for y in re.findall(r">((?:19|20)\d\d)</text>", svg)] == shown
