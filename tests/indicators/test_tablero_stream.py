"""The tablero's CSV/TSV export streamed (selectors.tablero_stream): the header leaves before
any row is read, rows leave in list order as they are read, the bytes are those of the whole
export whatever the filters and codes, and the queries do not grow with the plan."""

import io
from decimal import Decimal as D
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from indicators import selectors
from indicators.filters import DashboardFilter
from indicators.models import Indicator, IndicatorValue, Target
from indicators.tables import DashboardTable, SafeTableExport
from indicators.workflow import status
from lib import spreadsheets
from objectives.models import Directorate, StrategicObjective
from tests.factories import grow_plan, ok

pytestmark = pytest.mark.postgres

# --- in_order: rows arriving in any order, passed on in list order --------------------------


def row(pk: int, code: str, level: str = "objective") -> SimpleNamespace:
    return SimpleNamespace(pk=pk, indicator=SimpleNamespace(level=level, code=code))


def arrivals(rows: list[SimpleNamespace], seen: list[int]):
    """The rows one by one, noting each as it is read."""
    for r in rows:
        seen.append(r.pk)
        yield r


def test_a_row_in_its_turn_leaves_before_the_next_is_read():
    seen: list[int] = []
    rows = [row(1, "OE1.1"), row(2, "OE1.2"), row(3, "OE1.10")]
    passed = selectors.in_order(arrivals(rows, seen), order=[1, 2, 3])
    assert next(passed).pk == 1 and seen == [1]
    assert [r.pk for r in passed] == [2, 3]


def test_an_early_row_waits_for_the_ones_before_it():
    seen: list[int] = []
    # SQL's order (code length, code) puts OE2.1 before OE1.10; natural order the reverse.
    rows = [row(1, "OE1.9"), row(3, "OE2.1"), row(2, "OE1.10"), row(4, "OE2.2")]
    passed = selectors.in_order(arrivals(rows, seen), order=[1, 2, 3, 4])
    assert next(passed).pk == 1 and seen == [1]
    assert next(passed).pk == 2 and seen == [1, 3, 2]
    assert next(passed).pk == 3 and seen == [1, 3, 2]
    assert [r.pk for r in passed] == [4]


def test_rows_the_two_reads_disagree_on_go_last_in_list_order():
    # Row 2 deleted between the reads: the ones after it are not lost.
    gone = [row(1, "OE1.1"), row(3, "OE1.3"), row(4, "V1.1", "variable")]
    assert [r.pk for r in selectors.in_order(iter(gone), order=[1, 2, 3, 4])] == [1, 3, 4]
    # Row 9 added between the reads: sent, after the rows of the first read.
    added = [row(9, "OE1.0"), row(1, "OE1.1"), row(2, "OE1.2")]
    assert [r.pk for r in selectors.in_order(iter(added), order=[1, 2])] == [1, 2, 9]


# --- the export, against the whole file ----------------------------------------------------


@pytest.fixture
def awkward_codes():
    """Indicators whose codes SQL and natural order disagree on (numbers of mixed widths,
    lower case, levels), with conflicting targets, on top of the published plan."""
    objective = StrategicObjective.objects.get(number=1)
    dpe = Directorate.objects.get(code="DPE")
    codes = [
        ("OE1.10", "objective"),
        ("OE2.10", "objective"),
        ("oe1.3", "objective"),
        ("OE1.1.2", "objective"),
        ("V1.10", "variable"),
        ("V100.1", "variable"),
        ("NAC.10", "national"),
        ("NAC.4", "national"),
    ]
    indicators = Indicator.objects.bulk_create(
        Indicator(
            plan=objective.plan,
            code=code,
            name=f"Indicador {code}",
            numerator="n",
            denominator="d",
            level=level,
            objective=objective if level == "objective" else None,
            responsible=dpe,
            order=500 + n,
        )
        for n, (code, level) in enumerate(codes)
    )
    IndicatorValue.objects.bulk_create(
        IndicatorValue(indicator=i, year=2016, value=D(n), state="validated")
        for n, i in enumerate(indicators)
    )
    Target.objects.bulk_create(
        Target(indicator=i, kind=kind, year=year, value=D(value), source=source)
        for i in indicators
        for kind, year, value, source in (
            ("baseline", 2014, "1", "Anexo 6"),
            ("target", 2016, "3", "Anexo 6"),
            ("target", 2021, "5", "Cuadro 5"),
            ("target", 2021, "4.5", "Anexo 6"),
        )
    )
    status.refresh()  # bulk_create sends no signals


def rows_seen(rows) -> list[tuple]:
    return [
        (
            r.pk,
            r.natural_rank,
            [(t.kind, t.year, t.value, t.source) for t in r.indicator.table_targets],
        )
        for r in rows
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("light", [None, "grey"])
def test_the_stream_gives_the_rows_of_tablero_rows(awkward_codes, light):
    statuses = selectors.tablero_statuses(
        year=2016, indicators=Indicator.objects.all(), light=light
    )
    whole = selectors.tablero_rows(statuses=statuses)
    assert whole, "some rows to compare"
    assert rows_seen(selectors.tablero_stream(statuses=statuses)) == rows_seen(whole)


def whole_export(fmt: str, params: dict) -> bytes:
    """The export as the view built it before streaming: every row read, then the file."""
    filterset = DashboardFilter(params, queryset=Indicator.objects.all())
    assert filterset.is_valid()
    statuses = selectors.tablero_statuses(
        year=2016, indicators=filterset.qs, light=params.get("light")
    )
    table = DashboardTable(selectors.tablero_rows(statuses=statuses))
    if "sort" in params:
        table.order_by = params["sort"]
    content = SafeTableExport(fmt, table).export()
    return content if isinstance(content, bytes) else content.encode("utf-8")


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "tsv"])
@pytest.mark.parametrize(
    "params",
    [{}, {"responsible": "DPE"}, {"level": "variable"}, {"light": "grey"}, {"sort": "-light"}],
)
def test_the_streamed_file_is_the_whole_file(client, validator, awkward_codes, fmt, params):
    client.force_login(validator)
    response = ok(client.get(reverse("home"), {"anio": 2016, "_export": fmt, **params}))
    assert response.streaming
    assert b"".join(response.streaming_content) == whole_export(fmt, params)


def sheet_values(content: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params", [{}, {"responsible": "DPE"}, {"light": "grey"}, {"sort": "-achievement"}]
)
def test_the_streamed_workbook_holds_the_cells_of_the_whole_one(
    client, validator, awkward_codes, params
):
    client.force_login(validator)
    response = ok(client.get(reverse("home"), {"anio": 2016, "_export": "xlsx", **params}))
    assert response.streaming
    assert response["Content-Type"] == spreadsheets.XLSX_CONTENT_TYPE
    streamed = sheet_values(b"".join(response.streaming_content))
    whole = sheet_values(whole_export("xlsx", params))
    # openpyxl writes "" as an empty string cell; the streamed sheet leaves the cell empty.
    assert streamed == [tuple(None if v == "" else v for v in row) for row in whole]
    assert len(streamed) > 1


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.usefixtures("uncached")
def test_the_first_bytes_leave_before_any_row_is_read(
    client, validator, django_assert_num_queries, fmt
):
    """The CSV's header, the workbook's fixed parts: then four queries for every row."""
    client.force_login(validator)
    response = ok(client.get(reverse("home"), {"anio": 2016, "_export": fmt}))
    chunks = iter(response.streaming_content)
    with django_assert_num_queries(0):
        first = next(chunks)
    # the rows' codes, their targets, their approved target revisions, the rows: then every
    # row without another query
    with django_assert_num_queries(4):
        rest = list(chunks)
    if fmt == "csv":
        assert first.startswith(b"C\xc3\xb3digo,Indicador,")
        assert len(rest) == Indicator.objects.count()
    else:
        assert first.startswith(b"PK")
        assert len(sheet_values(first + b"".join(rest))) == Indicator.objects.count() + 1


# --- queries that do not grow with the plan -------------------------------------------------


def export_queries(client, params: dict) -> int:
    """Queries of an export read to its last byte."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("home"), {"anio": 2016, **params})
        assert response.status_code == 200
        b"".join(response.streaming_content) if response.streaming else response.content
    return len(ctx.captured_queries)


EXPORTS = [
    {"_export": "csv"},
    {"_export": "tsv", "responsible": "DPE"},
    {"_export": "csv", "sort": "-achievement"},
    {"_export": "xlsx"},
]


@pytest.mark.django_db
@pytest.mark.usefixtures("uncached")
def test_export_queries_do_not_grow_with_the_plan(client, validator):
    client.force_login(validator)
    for params in EXPORTS:
        export_queries(client, params)  # warm caches (content types, sessions)
    small = [export_queries(client, params) for params in EXPORTS]
    grow_plan(176)  # 24 published indicators + 176 = 200
    assert Indicator.objects.count() == 200
    assert [export_queries(client, params) for params in EXPORTS] == small


@pytest.mark.django_db
@pytest.mark.usefixtures("uncached")
def test_export_query_count_pin(client, validator, django_assert_max_num_queries):
    client.force_login(validator)
    # session, user; plan years, first year with data; stored statuses complete (2 counts);
    # then, while the file is sent, the rows' codes, their targets, their approved target
    # revisions, the rows
    with django_assert_max_num_queries(10):
        export_queries(client, {"_export": "csv"})
