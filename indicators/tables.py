"""The tablero's indicator table over stored yearly statuses: display in render_*, export
values in value_*. Rows arrive in list order (objective, variable, national; codes in natural
order), each with its `natural_rank`, which the columns use to break ties, and its indicator's
`table_targets`: as a list (selectors.tablero_rows), sorted by a column in Python, or for the
exports as StreamedRows (selectors.tablero_stream), read while the file is written. The
tablero's exports are written row by row as they are read: stream_delimited (CSV and TSV)
and stream_workbook (XLSX); SafeTableExport builds the same cells whole."""

from __future__ import annotations

import csv
import inspect
from collections.abc import Callable, Iterator
from typing import Any

import django_tables2 as tables
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django_tables2.data import TableData
from django_tables2.export import TableExport
from tablib import Dataset

from indicators import progress
from indicators.models import IndicatorYearStatus
from lib import numbers, spreadsheets
from objectives import plans

LIGHTS = {light.value: light for light in progress.Light}
# How pages and exports mark a responsible the document does not publish.
SYSTEM_ASSIGNED = "(asignada por el sistema)"


def _targets(row: IndicatorYearStatus, year: int) -> str:
    # The indicator's targets (not baselines), set by the selectors: see the docstring.
    published = [t for t in row.indicator.table_targets if t.year == year]
    shown = (numbers.format_for(row.indicator, t.value) for t in published)
    text = " / ".join(f"{value} ({t.source})" for value, t in zip(shown, published, strict=True))
    return text or "sin meta"


def _signed(function: Callable[..., Any]) -> Callable[..., Any]:
    """`function`, called by keyword, carrying its signature (inspect.signature returns a
    function's __signature__ without building it)."""

    def call(**kwargs: Any) -> Any:
        return function(**kwargs)

    call.__signature__ = inspect.signature(function)  # type: ignore[attr-defined]
    return call


class StreamedRows(TableData):
    """A table's rows as an iterator, read once while an export is written: never counted,
    paginated or sorted (a column's order needs every row first: give a list then)."""


class DashboardTable(tables.Table):
    code = tables.Column("Código", accessor="indicator__code", order_by=("natural_rank",))
    name = tables.Column("Indicador", accessor="indicator__name", orderable=False)
    objective = tables.Column(
        "Objetivo",
        accessor="indicator__objective__code",
        order_by=("indicator__objective__number", "natural_rank"),
        default="—",
    )
    responsible = tables.Column("Responsable", accessor="indicator__responsible__code", default="—")
    latest = tables.Column("Último valor", accessor="latest_value")
    # In the exports only (the page shows the year next to the value): a file named for a
    # year must say when its last value is from (OE4.1's 0.59 is 2012's).
    latest_year = tables.Column("Año del último valor", accessor="latest_year", visible=False)
    target_2016 = tables.Column("Meta 2016", accessor="pk", orderable=False)
    target_2021 = tables.Column("Meta 2021", accessor="pk", orderable=False)
    achievement = tables.Column("Cumplimiento", accessor="achievement")
    light = tables.Column("Semáforo", accessor="light", order_by=("light_rank", "natural_rank"))
    trajectory = tables.Column("Trayectoria a 2021", accessor="trajectory")
    flags = tables.Column("Observaciones", accessor="flags", orderable=False)

    # The page shows the light right after the indicator, so a phone sees it without scrolling
    # the table sideways; exports keep the columns in declaration order.
    PAGE_SEQUENCE = ("code", "name", "light", "achievement", "...")

    class Meta:
        attrs = {"class": "dashboard", "id": "dashboard-table"}
        orderable = True
        empty_text = "Ningún indicador cumple los filtros."
        # The stock template with each row written in Python (templatetags/table_rows.py).
        template_name = "indicators/_dashboard_table.html"

    def __init__(self, *args, milestones: tuple[int, int] = plans.PESEM_MILESTONES, **kwargs):
        super().__init__(*args, **kwargs)
        # The plan's two target years (objectives.plans.milestones): 2016 and 2021 for the
        # PESEM. The column names stay (the exports' keys); their headers say the years.
        self.milestones = milestones
        self.columns["target_2016"].column.verbose_name = f"Meta {milestones[0]}"
        self.columns["target_2021"].column.verbose_name = f"Meta {milestones[1]}"
        self.columns["trajectory"].column.verbose_name = f"Trayectoria a {milestones[1]}"
        # django-tables2 asks each cell's render/value function for its signature, to pass
        # only the arguments it takes (utils.call_with_appropriate): inspect.signature built
        # it again for every cell, a tenth of the tablero's build. Asked once here instead.
        for column in self.columns.columns.values():
            column.render = _signed(column.render)
            column.value = _signed(column.value)

    def render_code(self, record: IndicatorYearStatus):
        code = record.indicator.code
        return format_html('<a href="{}">{}</a>', reverse("indicator_detail", args=[code]), code)

    def render_objective(self, value):
        return value

    def render_latest(self, record: IndicatorYearStatus):
        if record.latest_year is None:
            return mark_safe('<span class="muted">sin dato</span>')  # noqa: S308 - constant
        return format_html(
            "{} <small>({})</small>",
            numbers.format_for(record.indicator, record.latest_value),
            record.latest_year,
        )

    def render_target_2016(self, record: IndicatorYearStatus):
        return _targets(record, self.milestones[0])

    def render_target_2021(self, record: IndicatorYearStatus):
        return _targets(record, self.milestones[1])

    def render_achievement(self, record: IndicatorYearStatus):
        if record.achievement is None:
            return format_html('<span class="muted">{}</span>', record.achievement_note)
        return f"{numbers.format_number(record.achievement, 1)} %"

    def render_light(self, record: IndicatorYearStatus):
        return format_html(
            '<span class="light light-{}"><span aria-hidden="true">●</span> {}</span>',
            record.light,
            progress.LIGHT_LABELS[LIGHTS[record.light]],
        )

    def render_trajectory(self, value):
        return progress.TRAJECTORY_LABELS[progress.TrajectoryStatus(value)]

    def render_flags(self, record: IndicatorYearStatus):
        count = len(record.flags)
        if not count:
            return "—"
        return format_html('<span title="{}">{}</span>', " | ".join(record.flags), count)

    # Exports carry plain values, the same numbers the page shows.
    def value_code(self, record: IndicatorYearStatus):
        return record.indicator.code

    def value_objective(self, value):
        return value if value not in (None, "—") else "—"

    def value_responsible(self, record: IndicatorYearStatus):
        """The code, marked as the portal marks it when the document does not publish it."""
        responsible = record.indicator.responsible
        if responsible is None:
            return "—"
        if record.indicator.responsible_published:
            return responsible.code
        return f"{responsible.code} {SYSTEM_ASSIGNED}"

    def value_latest_year(self, record: IndicatorYearStatus):
        return record.latest_year if record.latest_year is not None else ""

    def value_latest(self, record: IndicatorYearStatus):
        return float(record.latest_value) if record.latest_value is not None else ""

    def value_achievement(self, record: IndicatorYearStatus):
        if record.achievement is None:
            return record.achievement_note
        return round(float(record.achievement), 2)

    def value_light(self, record: IndicatorYearStatus):
        return progress.LIGHT_LABELS[LIGHTS[record.light]]

    def value_trajectory(self, value):
        return self.render_trajectory(value)

    def value_flags(self, record: IndicatorYearStatus):
        return " | ".join(record.flags)


class SafeTableExport(TableExport):
    """django-tables2's export limited to CSV, TSV and XLSX, written so that no text cell runs
    as a formula in a spreadsheet (lib.spreadsheets): CSV/TSV text starting with
    `=+-@`, tab or CR gets a leading `'`; XLSX writes it as a quote-prefixed string."""

    FORMATS = {
        f: TableExport.FORMATS[f] for f in (TableExport.CSV, TableExport.TSV, TableExport.XLSX)
    }

    @classmethod
    def is_valid_format(cls, export_format: str | None) -> bool:
        return export_format in cls.FORMATS

    def export(self) -> bytes | str:
        rows = [self.dataset.headers, *self.dataset]
        if self.format == TableExport.XLSX:
            return spreadsheets.xlsx_bytes({self.dataset.title[:31]: rows})
        safe = Dataset(headers=spreadsheets.neutralize_row(rows[0]), title=self.dataset.title)
        for row in rows[1:]:
            safe.append(spreadsheets.neutralize_row(row))
        return safe.export(self.format)


class _Line:
    """csv.writer's file: hands back each line written instead of keeping it."""

    def write(self, line: str) -> str:
        return line


def stream_delimited(
    export_format: str, table: tables.Table, filename: str
) -> StreamingHttpResponse:
    """A CSV or TSV export sent as its rows are rendered: the header leaves before any row is
    read, each row as soon as it is (with StreamedRows), and no copy of the whole file is held
    (thousands of indicators make a file of megabytes). Cells are those of SafeTableExport,
    formula-like text quoted; the bytes are the same as tablib's (csv module, `\\r\\n`
    lines)."""
    writer = csv.writer(_Line(), delimiter="\t" if export_format == TableExport.TSV else ",")

    def lines() -> Iterator[str]:
        for row in table.as_values():
            yield writer.writerow(spreadsheets.neutralize_row(row))

    response = StreamingHttpResponse(lines(), content_type=TableExport.FORMATS[export_format])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def stream_workbook(title: str, table: tables.Table, filename: str) -> StreamingHttpResponse:
    """An XLSX export sent while its rows are rendered (lib.spreadsheets.stream_xlsx):
    the package's fixed parts leave before any row is read, and the cells are those of
    SafeTableExport, formula-like text kept as text."""
    response = StreamingHttpResponse(
        spreadsheets.stream_xlsx(title, table.as_values()),
        content_type=spreadsheets.XLSX_CONTENT_TYPE,
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
