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

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from indicators import progress
from lib import spreadsheets
from pesem.report.content import (
    ANNEX_NOTE,
    ANNEX_TITLE,
    LIGHT_FILLS,
    MonitoringReport,
    ReportRow,
    light_label,
    local_date,
)

TITLE_SIZE, SUBTITLE_SIZE = 14, 12
PERCENT = "0.0%"
INTEGER = "#,##0"
YEAR = "0"
YES, NO = "Sí", "No"
Column = spreadsheets.Column


def number_format(places: int) -> str:
    """'#,##0' for whole numbers, '#,##0.00' for two decimals: Excel shows the number with
    the indicator's precision and keeps it a number."""
    return INTEGER + ("." + "0" * places if places > 0 else "")


def _num(value: Decimal | int | None, fmt: str) -> spreadsheets.Styled:
    """A number cell with its display format."""
    return spreadsheets.Styled(None if value is None else float(value), number_format=fmt)


def _light(light: str | None) -> object:
    """A light cell: its word on its colour (the placeholder when there is no light)."""
    if not light:
        return progress.NO_VALUE
    return spreadsheets.Styled(light_label(light), fill=_argb(LIGHT_FILLS[light]), bold=True)


def _argb(colour: str) -> str:
    """'#a9d8b4' -> 'FFA9D8B4' (opaque), as Excel writes colours."""
    return "FF" + colour.lstrip("#").upper()


def _yes_no(flag: bool) -> str:
    return YES if flag else NO


def _percent(value: Decimal | None) -> spreadsheets.Styled:
    # Excel's percentage format shows a fraction: 97.48 (percent, stored) -> 0.9748 -> 97.5%.
    return _num(None if value is None else value / progress.HUNDRED, PERCENT)


def _heading(text: str, size: float) -> spreadsheets.Styled:
    return spreadsheets.Styled(text, bold=True, size=size)


def _sheet(
    title: str,
    report: MonitoringReport,
    generated: str,
    *,
    section: str,
    columns: Sequence[Column],
    rows: Sequence[Sequence[object]],
    notes: Sequence[str] = (),
) -> spreadsheets.TableSheet:
    """A table of the report under its title block (lib.spreadsheets.table_sheet: the header
    frozen with an autofilter, printed on A4 landscape, one page wide)."""
    above: list[list[object]] = [
        [_heading(report.ministry, TITLE_SIZE)],
        [_heading(report.plan_name, SUBTITLE_SIZE)],
        [_heading(f"Reporte de seguimiento {report.year} · {section}", SUBTITLE_SIZE)],
        [f"Fecha de corte: {report.cutoff_text}"],
        [f"Fecha de generación: {generated}"],
        *([note] for note in notes),
        [],
    ]
    return spreadsheets.TableSheet(title, columns, rows, above=above)


def _summary(report: MonitoringReport, generated: str) -> list[spreadsheets.TableSheet]:
    previous = report.previous_year
    summary = _sheet(
        "Resumen",
        report,
        generated,
        section=report.section_titles[0],
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
                _light(o.light),
                _light(o.previous_light),
                _num(len(o.rows), INTEGER),
                *(_num(o.counts[light], INTEGER) for light in progress.Light),
                _num(o.with_value, INTEGER),
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
    changed = _sheet(
        "Cambios de semáforo",
        report,
        generated,
        section=report.section_titles[0],
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
                _light(c.before),
                _light(c.after),
            ]
            for c in changes
        ],
    )
    return [summary, changed]


def _indicator_row(code: str, r: ReportRow) -> list[object]:
    fmt = number_format(r.places)
    status = r.status
    return [
        code,
        r.indicator.code,
        r.indicator.name,
        r.indicator.unit,
        _num(r.baseline.value if r.baseline else None, fmt),
        _num(r.baseline.year if r.baseline else None, YEAR),
        _num(status.target, fmt),
        r.target_kind,
        _num(status.value, fmt),
        _yes_no(r.has_value),
        _percent(status.achievement),
        status.achievement_note,
        _light(status.light),
        r.trajectory_label,
        _num(status.preliminary, fmt),
        r.analysis,
        r.measures,
    ]


def _progress(report: MonitoringReport, generated: str) -> list[spreadsheets.TableSheet]:
    year = report.year
    indicators = _sheet(
        "Indicadores",
        report,
        generated,
        section=report.section_titles[1],
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
    actions = _sheet(
        "Acciones",
        report,
        generated,
        section=report.section_titles[1],
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
                _num(a.importance, INTEGER),
                a.responsible_codes,
                _num(a.validated_count, INTEGER),
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
    return [indicators, actions]


def _quality(report: MonitoringReport, generated: str) -> spreadsheets.TableSheet:
    return _sheet(
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


def _conclusions(report: MonitoringReport, generated: str) -> spreadsheets.TableSheet:
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
    return _sheet(
        "Conclusiones",
        report,
        generated,
        section=report.section_titles[2],
        columns=[Column("Apartado", 18), Column("Texto", 110, wrap=True)],
        rows=rows,
    )


def _semesters(report: MonitoringReport, generated: str) -> spreadsheets.TableSheet:
    """A semestral plan's indicators by semester, each read against the year's target."""
    return _sheet(
        "Semestres",
        report,
        generated,
        section=report.semester_title,
        notes=[report.semester_note],
        columns=[
            Column("Indicador", 14),
            Column("Nombre", 50, wrap=True),
            Column(f"{report.year}-S1", 14),
            Column("Avance al S1", 14),
            Column(f"{report.year}-S2", 14),
            Column("Avance al S2", 14),
            Column("Valor del año", 14),
            Column(f"Meta {report.year}", 14),
            Column("Cómo se lee", 60, wrap=True),
        ],
        rows=[
            [
                s.code,
                s.name,
                s.s1,
                s.progress_s1,
                s.s2,
                s.progress_s2,
                s.year_value,
                s.target,
                s.reading.capitalize() + ".",
            ]
            for s in report.semesters
        ],
    )


def report_tables(
    report: MonitoringReport, *, generated_at: datetime | None = None
) -> list[spreadsheets.TableSheet]:
    """The workbook's sheets, as data (their rows and columns)."""
    generated = local_date(generated_at or timezone.now(), with_time=True)
    sheets = [
        *_summary(report, generated),
        *_progress(report, generated),
        *([_semesters(report, generated)] if report.semesters else []),
        _conclusions(report, generated),
    ]
    if report.annex:
        sheets.append(_quality(report, generated))
    return sheets


def report_xlsx(report: MonitoringReport, *, generated_at: datetime | None = None) -> bytes:
    return spreadsheets.styled_xlsx(report_tables(report, generated_at=generated_at))
