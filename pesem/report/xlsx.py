"""The monitoring report as an XLSX workbook, from the same rows as the page and the PDF
(pesem.report.content.monitoring_report): one sheet per table of the report's sections, each naming
its section in its title block: 1. Resumen and Cambios de semáforo, 2. Indicadores and
Acciones, 3. Conclusiones (with "Elaborado por / Aprobado por"), and, only when the report is
asked with its annex, Calidad de datos (the internal notes about the source document).

Each sheet opens with a title block (ministry, plan, year and section, cut-off and generation
dates), then a bold, filled header row that stays frozen and carries an autofilter. Numbers are
numbers, shown with their indicator's precision ('#,##0.00'); achievements are percentages
(the cell holds the fraction, 0.9748, shown as 97.5%); a light is a coloured cell with its
word; yes/no is «Sí»/«No». Every cell is written through lib.spreadsheets, so a text
typed as `=...` stays text.

Every sheet prints on A4 in landscape, one page wide (as many pages long as it needs), with
its header row repeated on each page.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from indicators import progress
from lib import spreadsheets
from pesem.report.content import (
    ANNEX_NOTE,
    ANNEX_TITLE,
    LIGHT_FILLS,
    SECTION_TITLES,
    MonitoringReport,
    ReportRow,
    light_label,
    local_date,
)

HEADER_FILL = PatternFill("solid", fgColor="8A1538")
HEADER_FONT = Font(bold=True, color="FFFFFF")
TITLE_FONT = Font(bold=True, size=14)
SUBTITLE_FONT = Font(bold=True, size=12)
PERCENT = "0.0%"
INTEGER = "#,##0"
YEAR = "0"
YES, NO = "Sí", "No"


def number_format(places: int) -> str:
    """'#,##0' for whole numbers, '#,##0.00' for two decimals: Excel shows the number with
    the indicator's precision and keeps it a number."""
    return INTEGER + ("." + "0" * places if places > 0 else "")


@dataclass(frozen=True)
class Num:
    """A number cell with its display format."""

    value: Decimal | int | None
    fmt: str


@dataclass(frozen=True)
class Light:
    """A light cell: its word on its colour."""

    light: str | None


@dataclass(frozen=True)
class Column:
    title: str
    width: float
    wrap: bool = False


def _argb(colour: str) -> str:
    """'#a9d8b4' -> 'FFA9D8B4' (opaque), as Excel writes colours."""
    return "FF" + colour.lstrip("#").upper()


def _yes_no(flag: bool) -> str:
    return YES if flag else NO


def _percent(value: Decimal | None) -> Num:
    # Excel's percentage format shows a fraction: 97.48 (percent, stored) -> 0.9748 -> 97.5%.
    return Num(None if value is None else value / progress.HUNDRED, PERCENT)


def _plain(cell: object) -> object:
    if isinstance(cell, Num):
        return None if cell.value is None else float(cell.value)
    if isinstance(cell, Light):
        return light_label(cell.light) if cell.light else progress.NO_VALUE
    return cell


def _sheet(
    workbook: Workbook,
    title: str,
    report: MonitoringReport,
    generated: str,
    *,
    section: str,
    columns: Sequence[Column],
    rows: Sequence[Sequence[object]],
    notes: Sequence[str] = (),
) -> Worksheet:
    sheet = workbook.create_sheet(title=title)
    block: list[list[object]] = [
        [report.ministry],
        [report.plan_name],
        [f"Reporte de seguimiento {report.year} · {section}"],
        [f"Fecha de corte: {report.cutoff_text}"],
        [f"Fecha de generación: {generated}"],
        *([note] for note in notes),
        [],
    ]
    header_row = len(block) + 1
    spreadsheets.write_rows(
        sheet, [*block, [c.title for c in columns], *([_plain(c) for c in row] for row in rows)]
    )
    sheet["A1"].font = TITLE_FONT
    sheet["A2"].font = SUBTITLE_FONT
    sheet["A3"].font = SUBTITLE_FONT
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width
        header = sheet.cell(row=header_row, column=index)
        header.font = HEADER_FONT
        header.fill = HEADER_FILL
        header.alignment = Alignment(wrap_text=True, vertical="top")
    for offset, row in enumerate(rows, start=header_row + 1):
        for index, original in enumerate(row, start=1):
            cell = sheet.cell(row=offset, column=index)
            if isinstance(original, Num):
                cell.number_format = original.fmt
            elif isinstance(original, Light) and original.light:
                cell.fill = PatternFill("solid", fgColor=_argb(LIGHT_FILLS[original.light]))
                cell.font = Font(bold=True)
            if columns[index - 1].wrap:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            else:
                cell.alignment = Alignment(vertical="top")
    last_row = header_row + len(rows)
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1).coordinate
    sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(len(columns))}{last_row}"
    _print_setup(sheet, header_row)
    return sheet


def _print_setup(sheet: Worksheet, header_row: int) -> None:
    """A4 landscape, every column on one page's width (fitToHeight 0: as many pages down as
    the rows need), the header row printed again at the top of each page."""
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{header_row}:{header_row}"


def _summary(book: Workbook, report: MonitoringReport, generated: str) -> None:
    previous = report.previous_year
    _sheet(
        book,
        "Resumen",
        report,
        generated,
        section=SECTION_TITLES[0],
        notes=[
            report.objective_sentence,
            report.objective_rule,
            report.indicator_sentence,
            f"Cobertura: {report.coverage_text}.",
        ],
        columns=[
            Column("Objetivo", 10),
            Column("Nombre", 60, wrap=True),
            Column(f"Semáforo {report.year}", 14),
            Column(f"Semáforo {previous}", 14),
            Column("Indicadores", 12),
            *(Column(progress.LIGHT_LABELS[light].capitalize(), 10) for light in progress.Light),
            Column(f"Con dato validado en {report.year}", 16),
        ],
        rows=[
            [
                o.code,
                o.objective.name,
                Light(o.light),
                Light(o.previous_light),
                Num(len(o.rows), INTEGER),
                *(Num(o.counts[light], INTEGER) for light in progress.Light),
                Num(o.with_value, INTEGER),
            ]
            for o in report.objectives
        ],
    )
    changes = report.changes
    if not report.has_previous:
        note = f"No hay estados guardados de {previous}: no hay con qué comparar."
    elif not changes:
        note = f"Ningún semáforo cambió respecto de {previous}."
    else:
        note = f"Semáforos que cambiaron respecto de {previous}: {len(changes)}."
    _sheet(
        book,
        "Cambios de semáforo",
        report,
        generated,
        section=SECTION_TITLES[0],
        notes=[note],
        columns=[
            Column("Nivel", 12),
            Column("Código", 10),
            Column("Nombre", 60, wrap=True),
            Column(f"Semáforo {previous}", 14),
            Column(f"Semáforo {report.year}", 14),
        ],
        rows=[
            [
                "objetivo" if c.is_objective else "indicador",
                c.code,
                c.name,
                Light(c.before),
                Light(c.after),
            ]
            for c in changes
        ],
    )


def _indicator_row(code: str, r: ReportRow) -> list[object]:
    fmt = number_format(r.places)
    status = r.status
    return [
        code,
        r.indicator.code,
        r.indicator.name,
        r.indicator.unit,
        Num(r.baseline.value if r.baseline else None, fmt),
        Num(r.baseline.year if r.baseline else None, YEAR),
        Num(status.target, fmt),
        r.target_kind,
        Num(status.value, fmt),
        _yes_no(r.has_value),
        _percent(status.achievement),
        status.achievement_note,
        Light(status.light),
        r.trajectory_label,
        Num(status.preliminary, fmt),
        r.analysis,
        r.measures,
    ]


def _progress(book: Workbook, report: MonitoringReport, generated: str) -> None:
    year = report.year
    _sheet(
        book,
        "Indicadores",
        report,
        generated,
        section=SECTION_TITLES[1],
        notes=[
            "Metas «interpolada»: hito lineal entre metas publicadas, no es una meta oficial. "
            "Análisis y medidas: solo de valores validados."
        ],
        columns=[
            Column("Objetivo", 10),
            Column("Código", 10),
            Column("Indicador", 50, wrap=True),
            Column("Unidad", 18, wrap=True),
            Column("Línea de base", 14),
            Column("Año de la línea de base", 12),
            Column(f"Meta {year}", 14),
            Column("Tipo de meta", 12),
            Column(f"Valor obtenido {year}", 14),
            Column(f"Con dato validado en {year}", 14),
            Column("Cumplimiento", 13),
            Column("Nota de cumplimiento", 30, wrap=True),
            Column("Semáforo", 12),
            Column("Trayectoria a la meta final", 22),
            Column("Valor preliminar (por validar)", 16),
            Column("Análisis del avance", 50, wrap=True),
            Column("Medidas adoptadas o propuestas", 50, wrap=True),
        ],
        rows=[_indicator_row(o.code, r) for o in report.objectives for r in o.rows],
    )
    _sheet(
        book,
        "Acciones",
        report,
        generated,
        section=SECTION_TITLES[1],
        notes=[
            "Una fila por acción estratégica; sus direcciones responsables en el orden del "
            "Cuadro 6. «Qué se hizo»: solo de reportes validados."
        ],
        columns=[
            Column("Objetivo", 10),
            Column("Acción", 9),
            Column("Nombre", 50, wrap=True),
            Column("Importancia", 12),
            Column("Direcciones responsables", 22, wrap=True),
            Column("Reportes validados", 12),
            Column("Avance validado (promedio)", 14),
            Column(f"Avance por dirección en {year}", 50, wrap=True),
            Column("Qué se hizo", 50, wrap=True),
        ],
        rows=[
            [
                o.code,
                a.code,
                a.name,
                Num(a.importance, INTEGER),
                a.responsible_codes,
                Num(a.validated_count, INTEGER),
                _percent(a.validated_progress),
                a.progress_text,
                "; ".join(
                    f"{r.directorate.code}: {r.description}"
                    for r in a.responsibles
                    if r.description
                ),
            ]
            for o in report.objectives
            for a in o.actions
        ],
    )


def _quality(book: Workbook, report: MonitoringReport, generated: str) -> None:
    _sheet(
        book,
        "Calidad de datos",
        report,
        generated,
        section=ANNEX_TITLE,
        notes=[ANNEX_NOTE],
        columns=[
            Column("Objetivo", 10),
            Column("Código", 10),
            Column("Indicador", 40, wrap=True),
            Column("Observación", 90, wrap=True),
        ],
        rows=[
            [o.code, r.indicator.code, r.indicator.name, flag]
            for o in report.objectives
            for r in o.rows
            for flag in r.status.flags
        ],
    )


def _conclusions(book: Workbook, report: MonitoringReport, generated: str) -> None:
    c = report.validated_conclusion
    if c is None:
        rows: list[list[object]] = [["Estado", report.conclusion_pending]]
    else:
        rows = [
            ["Conclusiones", c.conclusions],
            ["Recomendaciones", c.recommendations],
            ["Validadas el", local_date(c.validated_at)],
        ]
    rows += [[s.label, s.text] for s in report.signoffs]
    _sheet(
        book,
        "Conclusiones",
        report,
        generated,
        section=SECTION_TITLES[2],
        columns=[Column("Apartado", 18), Column("Texto", 110, wrap=True)],
        rows=rows,
    )


def report_xlsx(report: MonitoringReport, *, generated_at: datetime | None = None) -> bytes:
    generated = local_date(generated_at or timezone.now(), with_time=True)
    book = Workbook()
    book.remove(book.active)
    _summary(book, report, generated)
    _progress(book, report, generated)
    _conclusions(book, report, generated)
    if report.annex:
        _quality(book, report, generated)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
