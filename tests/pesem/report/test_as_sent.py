"""The monitoring report as it is sent and published: internal data-quality notes only in the
annex that is asked for, outliers drawn off-scale as on the page, "meta final ya alcanzada"
only with data, the "Elaborado por / Aprobado por" block, a tagged PDF, the XLSX's print
setup, long words that wrap, and the portal's public PDF (validated data, no notes, offices
instead of people).

Building a PDF takes seconds: every file is built once for the module (`sent`), in a
transaction rolled back before the tests run, and the tests read the bytes."""

from __future__ import annotations

import io
import re
import shutil
from decimal import Decimal as D
from xml.etree import ElementTree

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from indicators import services
from indicators.models import ReportConclusion
from indicators.workflow import conclusion_services, status
from objectives.models import Directorate, StrategicAction
from pesem.models import PortalSettings, PreparedReport
from pesem.report import charts as report_charts
from pesem.report import content as reports
from pesem.report import files as report_files
from tests.factories import IN_CI, make_staff, ok, pdftotext, save_value, submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("portal_on")]

if shutil.which("pdftotext") is None and not IN_CI:  # CI installs poppler-utils
    pytest.skip(
        "pdftotext no está instalado (apt-get install poppler-utils)", allow_module_level=True
    )

YEAR = 2016
WRITER = ("Rosa", "Quispe Mamani")  # writes and sends the conclusions
CHECKER = ("Jorge", "Huamán Ríos")  # validates them
LONG_ANALYSIS = "W" * 4000  # a single word, in OE2.1's análisis
LONG_CONCLUSION = "Z" * 4000  # a single word, in the conclusions
# Internal notes stored from the document (fixtures/indicators.json) and computed ones.
NOTES = ("parece copiada de la fila vecina", "se asume ascendente")


def folded(content: bytes) -> str:
    return " ".join(pdftotext(content, mode="raw").split())


def _staff(username: str, role: str, directorate: str, names: tuple[str, str]):
    user = make_staff(get_user_model(), username, role, directorate)
    user.first_name, user.last_name = names
    user.save(update_fields=["first_name", "last_name"])
    return user


@pytest.fixture(scope="module")
def sent(django_db_setup, django_db_blocker):
    """Every file the tests read, built once: the internal PDF before the conclusions are
    validated ("pendiente") and after (with and without the annex), the public PDF through
    the portal, the XLSX with and without the annex, and the report's rows."""
    built: dict[str, object] = {}
    with django_db_blocker.unblock(), transaction.atomic():
        registrar_dpe = make_staff(get_user_model(), "reg.dpe", "registrador", "DPE")
        registrar_dgc = make_staff(get_user_model(), "reg.dgc", "registrador", "DGC")
        writer = _staff("val.opp", "validador", "OPP", WRITER)
        checker = _staff("val.dee", "validador", "OPP", CHECKER)
        # OE2.1 2016 validated, its análisis one word of 4,000 characters.
        value = submit(
            registrar_dpe,
            save_value(
                registrar_dpe,
                "OE2.1",
                YEAR,
                numerator=93,
                denominator=60,
                analysis=f"ANALISIS-OE21 {LONG_ANALYSIS}",
            ),
        )
        services.do_validate(user=writer, item=value, expected_version=value.version)
        # OE3.1 2016 sent, not validated: preliminary inside, absent from the public PDF.
        submit(
            registrar_dgc,
            save_value(
                registrar_dgc,
                "OE3.1",
                YEAR,
                numerator=480,
                denominator=2_850_000,
                analysis="ANALISIS-ENVIADO-OE31",
            ),
        )
        # Action 2.1 reported by DPE and sent, not validated.
        report = services.report_save(
            user=registrar_dpe,
            action=StrategicAction.objects.get(code="2.1"),
            directorate=Directorate.objects.get(code="DPE"),
            year=YEAR,
            execution="in_progress",
            percent=D(60),
            description="FERIAS-ENVIADAS",
        )
        submit(registrar_dpe, report)
        status.ensure(YEAR)
        built["pending"] = report_files.build_bytes(YEAR, "pdf")
        item = conclusion_services.conclusion_save(
            user=writer,
            year=YEAR,
            conclusions=f"CONCLUSION-TEXTO {LONG_CONCLUSION}",
            recommendations="RECOMENDACION-TEXTO",
            expected_version=None,
        )
        item = conclusion_services.conclusion_submit(
            user=writer, item=item, expected_version=item.version
        )
        conclusion_services.conclusion_validate(
            user=checker, item=item, expected_version=item.version
        )
        built["conclusion"] = ReportConclusion.objects.get(year=YEAR)
        built["internal"] = report_files.build_bytes(YEAR, "pdf")
        built["annex"] = report_files.build_bytes(YEAR, "pdf", PreparedReport.Variant.ANNEX)
        built["xlsx"] = report_files.build_bytes(YEAR, "xlsx")
        built["xlsx_annex"] = report_files.build_bytes(YEAR, "xlsx", PreparedReport.Variant.ANNEX)
        with override_settings(PESEM_PUBLIC_PORTAL=True, PESEM_PORTAL_RATE_LIMIT=100_000):
            response = Client().get(reverse("portal_report_pdf", args=[YEAR]))
            built["public_response"] = (response.status_code, response["Content-Type"])
            built["public"] = response.content
            built["portal_page"] = Client().get(reverse("portal_reports")).content.decode()
        report = reports.monitoring_report(year=YEAR)
        built["rows"] = {r.indicator.code: r for r in report.rows}
        built["flags"] = report.flags
        built["oe21_chart"] = str(built["rows"]["OE2.1"].chart_pdf)
        built["names"] = {
            "writer": " ".join(WRITER),
            "checker": " ".join(CHECKER),
            "opp": str(Directorate.objects.get(code="OPP").name),
        }
        transaction.set_rollback(True)
    return built


# --- internal notes -------------------------------------------------------------------------


def test_internal_notes_are_left_out_of_the_pdf_and_xlsx_by_default(sent):
    assert any(NOTES[0] in text for _, text in sent["flags"])  # the report has them to hide
    assert any(NOTES[1] in text for _, text in sent["flags"])
    text = folded(sent["internal"])
    for note in NOTES:
        assert note not in text
    assert reports.ANNEX_TITLE not in text
    assert "3. Conclusiones y recomendaciones" in text
    book = load_workbook(io.BytesIO(sent["xlsx"]))
    assert "Calidad de datos" not in book.sheetnames
    cells = " ".join(
        str(c)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for c in row
    )
    for note in NOTES:
        assert note not in cells


def test_the_annex_carries_every_internal_note(sent):
    text = folded(sent["annex"])
    assert reports.ANNEX_TITLE in text
    for note in NOTES:
        assert note in text
    # The annex comes after the conclusions.
    assert text.index("3. Conclusiones y recomendaciones") < text.index(reports.ANNEX_TITLE)
    book = load_workbook(io.BytesIO(sent["xlsx_annex"]))
    assert book.sheetnames[-1] == "Calidad de datos"
    quality = [row[3] for row in book["Calidad de datos"].iter_rows(values_only=True)]
    assert sum(1 for q in quality if q and NOTES[0] in q) >= 1
    assert len([q for q in quality if q and q != "Observación"]) >= len(sent["flags"])


# --- outliers -------------------------------------------------------------------------------


def test_oe21_chart_leaves_the_2013_outlier_off_its_axis(sent):
    row = sent["rows"]["OE2.1"]
    assert {p.year: p.value for p in row.series}[2013] == D("63.00")  # the outlier is charted
    assert row.off_scale_years == [2013]  # the page's rule (lib.charts.off_scale_years)
    svg = ElementTree.fromstring(sent["oe21_chart"])
    texts = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")] or [
        t.text for t in svg.iter("text")
    ]
    ticks = [float(t.replace(",", "")) for t in texts if t and re.fullmatch(r"[\d,.]+", t)]
    ticks = [t for t in ticks if t < 1900]  # the years on the other axis
    assert max(ticks) < 10, ticks  # was 80 with the outlier on the axis
    assert "63.00 ↑ fuera de escala" in texts
    assert "63.00 ↑ fuera de escala" in folded(sent["internal"])


# --- trajectory -----------------------------------------------------------------------------


def test_final_target_reached_is_said_only_of_indicators_with_data(sent):
    achieved_without_data = [
        r for r in sent["rows"].values() if r.status.trajectory == "achieved" and not r.has_value
    ]
    assert achieved_without_data  # the stored status judges them from an older value
    with_data = [
        r for r in sent["rows"].values() if r.status.trajectory == "achieved" and r.has_value
    ]
    for row in achieved_without_data:
        assert row.trajectory_label == f"sin dato validado en {YEAR}"
    text = folded(sent["internal"])
    assert text.count("meta final ya alcanzada") == len(with_data)
    assert f"sin dato validado en {YEAR}" in text


# --- prepared and approved ------------------------------------------------------------------


def _signoff_lines(content: bytes) -> list[str]:
    lines = pdftotext(content, mode="layout").splitlines()
    return [
        " ".join(line.split()) for line in lines if re.search(r"(Elaborado|Aprobado) por", line)
    ]


def test_signoff_block_says_pending_before_the_conclusions_are_validated(sent):
    assert _signoff_lines(sent["pending"]) == [
        "Elaborado por pendiente",
        "Aprobado por pendiente",
    ]


def test_signoff_block_names_who_sent_and_who_validated_the_conclusions_with_dates(sent):
    conclusion = sent["conclusion"]
    sent_on = reports.local_date(conclusion.submitted_at)
    validated_on = reports.local_date(conclusion.validated_at)
    assert _signoff_lines(sent["internal"]) == [
        f"Elaborado por {sent['names']['writer']}, {sent_on}",
        f"Aprobado por {sent['names']['checker']}, {validated_on}",
    ]
    conclusions = load_workbook(io.BytesIO(sent["xlsx"]))["Conclusiones"]
    cells = {row[0]: row[1] for row in conclusions.iter_rows(values_only=True) if row[0]}
    assert cells["Elaborado por"] == f"{sent['names']['writer']}, {sent_on}"
    assert cells["Aprobado por"] == f"{sent['names']['checker']}, {validated_on}"


# --- tagged PDF -----------------------------------------------------------------------------


def test_a_report_in_one_part_is_a_tagged_pdf(sent):
    catalog = PdfReader(io.BytesIO(sent["internal"])).trailer["/Root"]
    assert catalog["/MarkInfo"]["/Marked"].value is True
    assert "/StructTreeRoot" in catalog
    assert catalog["/Lang"] == "es"


# --- XLSX print setup ----------------------------------------------------------------------


@pytest.mark.parametrize("variant", ["xlsx", "xlsx_annex"])
def test_every_xlsx_sheet_prints_a4_landscape_one_page_wide_with_its_header_repeated(sent, variant):
    book = load_workbook(io.BytesIO(sent[variant]))
    for sheet in book.worksheets:
        setup = sheet.page_setup
        assert setup.orientation == "landscape", sheet.title
        assert int(setup.paperSize) == int(sheet.PAPERSIZE_A4) == 9  # A4
        assert int(setup.fitToWidth) == 1 and int(setup.fitToHeight) == 0
        assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
        header = sheet.freeze_panes  # the row under the header row
        row = int(re.sub(r"\D", "", header)) - 1
        assert sheet.print_title_rows == f"${row}:${row}", sheet.title
        assert sheet.cell(row=row, column=1).font.bold


# --- long words -----------------------------------------------------------------------------


def test_a_4000_character_word_wraps_inside_the_page(sent):
    reader = PdfReader(io.BytesIO(sent["internal"]))
    width = float(reader.pages[0].mediabox.width)
    text = pdftotext(sent["internal"], mode="raw")
    for letter, word in (("W", LONG_ANALYSIS), ("Z", LONG_CONCLUSION)):
        runs = re.findall(f"{letter}{{20,}}", text)
        assert sum(len(run) for run in runs) == len(word), letter  # every character shown
        assert len(runs) > 10, letter  # on many lines
    # Nothing is drawn past the right margin: each glyph's x within the page.
    overflow = []

    def visit(text, cm, tm, font, size):
        x = tm[4] * cm[0] + cm[4]
        if text.strip() and x > width:
            overflow.append(text[:20])

    for page in reader.pages:
        page.extract_text(visitor_text=visit)
    assert not overflow


# --- the public PDF -------------------------------------------------------------------------


def test_public_pdf_has_validated_data_offices_and_no_names_notes_or_drafts(sent):
    assert sent["public_response"] == (200, "application/pdf")
    text = folded(sent["public"])
    assert "versión pública" in text
    assert "1.55" in text  # OE2.1 2016, validated
    # No person: the offices stand for them.
    for name in (sent["names"]["writer"], sent["names"]["checker"], "Quispe", "Huamán"):
        assert name not in text
    assert "val.opp" not in text and "val.dee" not in text
    lines = _signoff_lines(sent["public"])
    assert len(lines) == 2 and all(f"{sent['names']['opp']} (OPP)" in line for line in lines)
    # No internal note, no preliminary value, no unvalidated text.
    for note in NOTES:
        assert note not in text
    assert reports.ANNEX_TITLE not in text
    assert "preliminar" not in text
    assert "ANALISIS-ENVIADO-OE31" not in text and "FERIAS-ENVIADAS" not in text
    assert "DPE: sin reporte validado" in text
    assert "ANALISIS-OE21" not in text  # the portal publishes no análisis unless chosen
    assert "CONCLUSION-TEXTO" in text  # validated conclusions
    internal = folded(sent["internal"])
    assert "preliminar" in internal and "ANALISIS-OE21" in internal  # the same data inside


def test_portal_offers_the_pdf_of_a_year_whose_conclusions_are_validated(sent):
    page = sent["portal_page"]
    assert reverse("portal_report_pdf", args=[YEAR]) in page
    assert reverse("portal_report_pdf", args=[2017]) not in page
    assert reverse("portal_report_xlsx", args=[2017]) in page


@pytest.mark.parametrize("state", [None, "draft", "submitted"])
def test_portal_has_no_pdf_of_a_year_without_validated_conclusions(
    client, settings, validator, state
):
    settings.PESEM_PUBLIC_PORTAL = True
    if state:
        item = conclusion_services.conclusion_save(
            user=validator, year=YEAR, conclusions="C", recommendations="R", expected_version=None
        )
        if state == "submitted":
            conclusion_services.conclusion_submit(
                user=validator, item=item, expected_version=item.version
            )
    response = client.get(reverse("portal_report_pdf", args=[YEAR]))
    assert response.status_code == 404
    assert reverse("portal_report_pdf", args=[YEAR]) not in (
        client.get(reverse("portal_reports")).content.decode()
    )
    assert not PreparedReport.objects.exists()


# --- the page -------------------------------------------------------------------------------


def test_the_page_shows_the_annex_the_signoff_block_and_links_to_files_with_it(client, validator):
    client.force_login(validator)
    page = ok(client.get(reverse("report"), {"anio": YEAR})).content.decode()
    signoff = page.split('id="report-signoff"')[1].split("</dl>")[0]
    assert re.findall(r"<dt>(.*?)</dt>", signoff) == ["Elaborado por", "Aprobado por"]
    assert signoff.count("pendiente") == 2
    annex = page.split('id="report-annex"')[1]
    assert reports.ANNEX_TITLE in annex and NOTES[0] in annex  # internal page: always there
    assert f"{reverse('report_pdf', args=[YEAR])}?anexo=1" in page
    assert f"{reverse('report_download', args=[YEAR])}?anexo=1" in page


def test_a_line_toward_an_off_scale_value_stops_at_the_plots_edge():
    # From inside (y 100) to far above the top (y -100): cut where it crosses y 0.
    assert report_charts._clip_y(0, 100, 10, -100, 0, 200) == (0, 100, 5.0, 0)
    assert report_charts._clip_y(0, -50, 10, 300, 0, 200) == pytest.approx((10 / 7, 0, 50 / 7, 200))
    assert report_charts._clip_y(0, -50, 10, -20, 0, 200) is None  # wholly above
    assert report_charts._clip_y(0, 50, 10, 80, 0, 200) == (0, 50, 10, 80)


def test_public_report_shows_only_the_narrative_the_portal_publishes(validator, registrar_dpe):
    value = save_value(
        registrar_dpe,
        "OE2.1",
        YEAR,
        numerator=93,
        denominator=60,
        analysis="A-VALIDADO",
        measures="M-VALIDADAS",
    )
    value = submit(registrar_dpe, value)
    services.do_validate(user=validator, item=value, expected_version=value.version)
    status.ensure(YEAR)

    def oe21(**options) -> reports.ReportRow:
        report = reports.monitoring_report(year=YEAR, **options)
        return next(r for r in report.rows if r.indicator.code == "OE2.1")

    assert (oe21(public=True).analysis, oe21(public=True).measures) == ("", "")
    PortalSettings.objects.create(pk=1, publish_analysis=True)
    assert (oe21(public=True).analysis, oe21(public=True).measures) == ("A-VALIDADO", "")
    assert (oe21().analysis, oe21().measures) == ("A-VALIDADO", "M-VALIDADAS")  # inside: all
