"""Dashboards: every page for every role, the same numbers as export_plan, query counts that do
not grow with the plan, the XLSX report."""

import csv
import io
import re
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from indicators import selectors, services
from indicators.models import ActionReport, Indicator, IndicatorValue, Target
from indicators.tables import DashboardTable, SafeTableExport
from objectives.models import Directorate, StrategicAction
from pesem.planio.export import plan_as_dict
from tests.factories import enter_value, grow_plan, ok

pytestmark = pytest.mark.django_db

PAGES = [
    ("home", [], {"anio": 2016}),
    ("objective_detail", [2], {"anio": 2016}),
    ("indicator_detail", ["OE2.1"], {}),
    ("directorates", [], {"anio": 2016}),
    ("directorate_detail", ["DPE"], {"anio": 2016}),
    ("report", [], {"anio": 2016}),
    ("report_download", [2016], {}),
    ("plan", [], {}),
    ("pending", [], {"anio": 2016}),
]
ROLES = ["registrar_dgc", "validator", "director_dpe", "administrator"]


@pytest.fixture
def year_2016(registrar_dpe, registrar_dgc, validator):
    enter_value(registrar_dpe, "OE2.1", 2016, 93, 60, validator=validator)  # 1.55 vs 1.59: 97.48 %
    enter_value(registrar_dgc, "OE3.1", 2016, 130, 1_000_000, validator=validator)  # 1.30: yellow
    report = services.report_save(
        user=registrar_dpe,
        action=StrategicAction.objects.get(code="2.1"),
        directorate=Directorate.objects.get(code="DPE"),
        year=2016,
        execution="in_progress",
        percent=D(60),
        description="Ferias en 12 OSE",
    )
    report = services.do_submit(user=registrar_dpe, item=report, expected_version=report.version)
    services.do_validate(user=validator, item=report, expected_version=report.version)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "args", "params"), PAGES)
def test_every_page_renders_for_every_role(request, client, role, name, args, params, year_2016):
    client.force_login(request.getfixturevalue(role))
    response = client.get(reverse(name, args=args), params)
    assert response.status_code == 200


@pytest.mark.parametrize(("name", "args", "params"), PAGES)
def test_anonymous_is_sent_to_login(client, name, args, params):
    response = client.get(reverse(name, args=args), params)
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_tablero_numbers_equal_the_export(client, director_dpe, year_2016):
    client.force_login(director_dpe)
    response = ok(client.get(reverse("home"), {"anio": 2016, "_export": "csv"}))
    text = b"".join(response.streaming_content).decode("utf-8")
    rows = {r["Código"]: r for r in csv.DictReader(io.StringIO(text))}
    exported = {i["code"]: i for i in plan_as_dict()["indicators"]}
    for code in ("OE2.1", "OE3.1"):
        value = next(v for v in exported[code]["values"] if v["year"] == 2016)
        assert float(rows[code]["Cumplimiento"]) == value["achievement"]
        assert float(rows[code]["Último valor"]) == value["value"]
        assert rows[code]["Semáforo"] == {"green": "verde", "yellow": "amarillo"}[value["light"]]
    assert rows["OE2.1"]["Cumplimiento"] == "97.48"
    page = ok(client.get(reverse("home"), {"anio": 2016})).content.decode()
    assert "97.5 %" in page and "84.4 %" in page


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_tablero_csv_is_streamed_with_the_bytes_of_a_whole_export(
    client, director_dpe, year_2016, fmt
):
    """Rows leave as they are rendered (first byte before the last row is read, at any plan
    size) and the file is byte for byte what django-tables2/tablib would have built whole."""
    client.force_login(director_dpe)
    response = ok(client.get(reverse("home"), {"anio": 2016, "_export": fmt}))
    assert response.streaming
    assert response["Content-Disposition"] == f'attachment; filename="tablero-2016.{fmt}"'
    streamed = b"".join(response.streaming_content)
    statuses = selectors.tablero_statuses(year=2016, indicators=Indicator.objects.all(), light=None)
    whole = SafeTableExport(fmt, DashboardTable(selectors.tablero_rows(statuses=statuses)))
    assert streamed == whole.export().encode("utf-8")
    assert streamed.count(b"\r\n") == Indicator.objects.count() + 1


def test_tablero_filters_by_directorate_and_light(client, director_dpe, year_2016):
    client.force_login(director_dpe)
    page = ok(client.get(reverse("home"), {"anio": 2016, "responsible": "DPE"})).content.decode()
    table = page.split('id="dashboard-table"')[1]
    assert "OE2.1" in table and "OE3.1" not in table
    page = ok(client.get(reverse("home"), {"anio": 2016, "light": "yellow"})).content.decode()
    table = page.split('id="dashboard-table"')[1]
    assert "OE3.1" in table and "OE2.1" not in table


def test_tablero_xlsx_export(client, director_dpe, year_2016):
    client.force_login(director_dpe)
    response = ok(client.get(reverse("home"), {"anio": 2016, "_export": "xlsx"}))
    assert response["Content-Disposition"] == 'attachment; filename="tablero-2016.xlsx"'
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.title == "Tablero 2016"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Código"
    assert any(r[0] == "OE2.1" and 97.48 in r for r in rows)


def test_report_xlsx_opens_and_contains_the_years_values(client, director_dpe, year_2016):
    client.force_login(director_dpe)
    response = ok(client.get(reverse("report_download", args=[2016])))
    book = load_workbook(io.BytesIO(response.content))
    # A sheet per table of the report's sections, each under a title block (the details are
    # in tests/pesem/report/test_content.py).
    assert book.sheetnames == [
        "Resumen",
        "Cambios de semáforo",
        "Indicadores",
        "Acciones",
        "Conclusiones",
    ]
    indicators = list(book["Indicadores"].iter_rows(values_only=True))
    header = next(r for r in indicators if r[0] == "Objetivo")
    row = next(r for r in indicators if r[1] == "OE2.1")
    assert row[header.index("Valor obtenido 2016")] == 1.55
    assert round(row[header.index("Cumplimiento")] * 100, 2) == 97.48  # a percentage cell
    assert row[header.index("Semáforo")] == "verde"
    actions = list(book["Acciones"].iter_rows(values_only=True))
    assert any(r[1] == "2.1" and r[7] == "DPE: en ejecución, 60 %" for r in actions)
    # The data-quality notes are internal: in the annex, asked for with ?anexo=1.
    response = ok(client.get(reverse("report_download", args=[2016]), {"anexo": "1"}))
    book = load_workbook(io.BytesIO(response.content))
    quality = [r[3] for r in book["Calidad de datos"].iter_rows(values_only=True)]
    assert any(str(q).startswith("Conflicto de metas 2021") for q in quality)


def test_report_page_follows_ceplan_structure(client, director_dpe, year_2016):
    client.force_login(director_dpe)
    page = ok(client.get(reverse("report"), {"anio": 2016})).content.decode()
    for heading in (
        "1. Resumen ejecutivo",
        "2. Avance por objetivo estratégico sectorial y acción estratégica sectorial",
        "3. Conclusiones y recomendaciones",
        "Anexo. Observaciones de calidad de datos",
    ):
        assert heading in page
    assert "97.5 %" in page and "Ferias" not in page  # description is in the XLSX only
    assert "@media print" in open("static/css/pesem.css", encoding="utf-8").read()


def test_directorate_pages(client, director_dpe, year_2016):
    client.force_login(director_dpe)
    page = ok(client.get(reverse("directorates"), {"anio": 2016})).content.decode()
    assert 'data-figure="directorates-chart"' in page
    row = re.search(r'<a href="/direcciones/DPE/\?anio=2016">DPE</a>.*?</tr>', page, re.S).group(0)
    assert "60.0 %" in row  # mean validated progress of DPE's reports
    assert "¿Quién no ha reportado 2016?" in page
    missing = page.split('id="missing-table"')[1]
    assert "DGC" in missing and "3.1" in missing
    detail = ok(
        client.get(reverse("directorate_detail", args=["DPE"]), {"anio": 2016})
    ).content.decode()
    assert "OE2.1" in detail and "2.1 Articular" in detail


def test_objective_page_has_indicators_charts_and_actions(client, director_dpe, year_2016):
    client.force_login(director_dpe)
    page = ok(client.get(reverse("objective_detail", args=[2]), {"anio": 2016})).content.decode()
    for code in ("OE2.1", "OE2.2", "OE2.3"):
        assert f'data-figure="chart-{code}"' in page
    assert "DPE</a>: 2016, en ejecución (60 %), validado" in page


def test_indicator_chart_distinguishes_sources_and_interpolation(client, director_dpe):
    client.force_login(director_dpe)
    response = ok(client.get(reverse("indicator_detail", args=["OE2.2"])))
    figure = response.context["figure"]
    names = [t["name"] for t in figure["data"]]
    assert "Meta oficial (Anexo 6)" in names and "Meta oficial (Cuadro 5)" in names
    assert "Hitos interpolados (no oficiales)" in names
    cuadro5 = next(t for t in figure["data"] if t["name"] == "Meta oficial (Cuadro 5)")
    assert cuadro5["y"] == [14.5]
    assert figure["layout"]["xaxis"]["title"]["text"] == "Año"


# --- query counts that do not grow with the plan ----------------------------------------

SCALED_PAGES = PAGES + [("validation_queue", [], {}), ("prospective", [], {}), ("actors", [], {})]


def count_queries(client, name, args, params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse(name, args=args), params).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.usefixtures("uncached")
def test_query_counts_do_not_grow_with_the_plan(client, validator, year_2016):
    client.force_login(validator)
    for page in SCALED_PAGES:
        count_queries(client, *page)  # warm caches (content types, sessions)
    small = {page[0]: count_queries(client, *page) for page in SCALED_PAGES}
    grow_plan(176)  # 24 published indicators + 176 = 200
    assert Indicator.objects.count() == 200
    large = {page[0]: count_queries(client, *page) for page in SCALED_PAGES}
    assert large == small


@pytest.mark.usefixtures("uncached")
def test_query_count_pins(client, validator, year_2016, django_assert_max_num_queries):
    client.force_login(validator)
    # session, user, groups; plan years, first year with data; stored statuses complete (2
    # counts); paginator count; objectives, counts by light, worst rows per objective; filter
    # choices (objectives, directorates); page of rows, their targets; the user's directorate;
    # menu badge (indicators.workflow.inbox.open_task_count: submitted count)
    with django_assert_max_num_queries(17):
        ok(client.get(reverse("home"), {"anio": 2016}))
    # session, user, groups; plan years, first year; stored statuses complete (2 counts);
    # actions, responsibles, reports of the year, statuses of the year, directorates; the
    # user's directorate; the year's deadline; menu badge (submitted count)
    with django_assert_max_num_queries(15):
        ok(client.get(reverse("directorates"), {"anio": 2016}))
    # session, user, groups; plan years, first year; stored statuses complete (2 counts);
    # the year's statuses with indicators, their targets, their approved target revisions,
    # the plan's approved versions and the year's deadline (when the year is read), their
    # values, every year's statuses; objectives with the plan; the version in force then;
    # reports, actions, responsibles; conclusions; menu badge (submitted count)
    with django_assert_max_num_queries(21):
        ok(client.get(reverse("report"), {"anio": 2016}))
    # session, user, groups; plan years, first year; stored statuses complete (2 counts);
    # objective; statuses of its indicators; charted indicators (5 reads); actions,
    # responsibles, sub-actions; reports; menu badge (submitted count)
    with django_assert_max_num_queries(19):
        ok(client.get(reverse("objective_detail", args=[2]), {"anio": 2016}))
    # session, user, groups; directorate; plan years, first year; actions, reports, indicator
    # reads (5), used for every year and the chosen one; menu badge (submitted count)
    with django_assert_max_num_queries(14):
        ok(client.get(reverse("directorate_detail", args=["DPE"]), {"anio": 2016}))


def test_action_reports_count_only_when_validated(client, director_dpe, registrar_dgc):
    services.report_save(
        user=registrar_dgc,
        action=StrategicAction.objects.get(code="3.1"),
        directorate=Directorate.objects.get(code="DGC"),
        year=2016,
        execution="in_progress",
        percent=D(50),
        description="",
    )
    client.force_login(director_dpe)
    page = ok(client.get(reverse("directorates"), {"anio": 2016})).content.decode()
    row = re.search(r'<a href="/direcciones/DGC/\?anio=2016">DGC</a>.*?</tr>', page, re.S).group(0)
    assert "sin dato" in row  # a draft is not progress
    assert ActionReport.objects.count() == 1


def live_and_stored(year):
    from indicators.models import IndicatorYearStatus
    from indicators.selectors import dashboard_rows

    def six(p):  # the stored column keeps 6 decimals (PostgreSQL; SQLite may keep more)
        return p.quantize(D("0.000001")) if p is not None else None

    live = {
        r.indicator.code: (
            r.status.value,
            six(r.status.achievement.percent),
            r.status.light.value,
            r.status.trajectory.status.value,
        )
        for r in dashboard_rows(year=year)
    }
    stored = {
        s.indicator.code: (s.value, six(s.achievement), s.light, s.trajectory)
        for s in IndicatorYearStatus.objects.filter(year=year).select_related("indicator")
    }
    return live, stored


def test_stored_statuses_follow_every_kind_of_write(year_2016, client, superuser):
    live, stored = live_and_stored(2016)
    assert stored == live and stored["OE2.1"][2] == "green"

    # An administrator edits a target in Django admin (no service involved).
    target = Target.objects.get(indicator__code="OE2.1", kind="target", year=2016, source="Anexo 6")
    target.value = D("2.5")
    target.save()
    # Someone deletes a value from the shell.
    IndicatorValue.objects.filter(indicator__code="OE3.1", year=2016).delete()

    live, stored = live_and_stored(2016)
    assert stored == live
    assert stored["OE2.1"][2] == "red"  # 1.55 against 2.50: 62 %
    assert stored["OE3.1"][0] is None


def test_refresh_statuses_command_rebuilds_every_year(capsys):
    from django.core.management import call_command

    from indicators.models import IndicatorYearStatus

    IndicatorYearStatus.objects.all().delete()
    call_command("refresh_statuses")
    assert "Estados recalculados: 264" in capsys.readouterr().out  # 24 indicators x 2011-2021
    assert IndicatorYearStatus.objects.filter(year=2016).count() == Indicator.objects.count()
