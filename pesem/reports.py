"""The yearly monitoring report (reporte de seguimiento), following CEPLAN's usual structure:
summary, results per objective, actions per directorate, data-quality notes. One read for the
page and its XLSX, so both show the same numbers; it reads the stored yearly statuses."""

from __future__ import annotations

from dataclasses import dataclass

from indicators import progress, selectors
from indicators.models import ActionReport, IndicatorYearStatus
from objectives import spreadsheets
from objectives.charts import as_float
from objectives.models import Plan, StrategicObjective


@dataclass
class ReportRow:
    status: IndicatorYearStatus
    baseline: progress.Point | None

    @property
    def indicator(self):
        return self.status.indicator


@dataclass
class ReportObjective:
    objective: StrategicObjective
    rows: list[ReportRow]
    counts: dict[progress.Light, int]


@dataclass
class ActionLine:
    objective: int
    code: str
    name: str
    importance: int | None
    directorate: str
    report: ActionReport | None


@dataclass
class MonitoringReport:
    year: int
    plan: Plan | None
    cards: list[ReportObjective]
    actions: list[ActionLine]
    counts: dict[progress.Light, int]

    @property
    def flags(self) -> list[tuple[str, str]]:
        return [(r.indicator.code, f) for c in self.cards for r in c.rows for f in r.status.flags]


def monitoring_report(*, year: int) -> MonitoringReport:
    statuses = (
        IndicatorYearStatus.objects.filter(year=year, indicator__objective__isnull=False)
        .select_related("indicator")
        .prefetch_related("indicator__targets")
        .order_by("indicator__order", "indicator__code")
    )
    by_objective: dict[int, list[ReportRow]] = {}
    for s in statuses:
        row = ReportRow(s, selectors.baseline_point(list(s.indicator.targets.all())))
        by_objective.setdefault(s.indicator.objective_id, []).append(row)
    cards = [
        ReportObjective(
            o,
            by_objective.get(o.pk, []),
            progress.light_counts(
                progress.Light(r.status.light) for r in by_objective.get(o.pk, [])
            ),
        )
        for o in StrategicObjective.objects.all()
    ]
    actions = []
    summaries = selectors.directorate_summaries(year=year)
    for summary in summaries:
        for action in summary.actions:
            actions.append(
                ActionLine(
                    objective=action.objective.number,
                    code=action.code,
                    name=action.name,
                    importance=action.importance,
                    directorate=summary.directorate.code,
                    report=summary.reports.get(action.pk),
                )
            )
    # An action's directorates in Cuadro 6's order (the first may lead), as prefetched.
    place = {
        (action.code, d.code): n
        for summary in summaries
        for action in summary.actions
        for n, d in enumerate(action.responsibles.all())
    }
    actions.sort(
        key=lambda a: (
            a.objective,
            [int(p) for p in a.code.split(".")],
            place.get((a.code, a.directorate), 0),
            a.directorate,
        )
    )
    counts = {light: sum(c.counts[light] for c in cards) for light in progress.Light}
    return MonitoringReport(
        year=year, plan=Plan.objects.first(), cards=cards, actions=actions, counts=counts
    )


def _table(records: list[dict[str, object]]) -> list[list[object]]:
    """Rows of a sheet: the records' keys as header, then their values."""
    if not records:
        return []
    return [list(records[0]), *(list(r.values()) for r in records)]


def report_xlsx(report: MonitoringReport) -> bytes:
    """The report's sheets, every text written as text (objectives.spreadsheets): an action's
    description typed as `=...` never runs as a formula."""
    summary = _table(
        [
            {
                "Objetivo": f"OE{c.objective.number}",
                "Nombre": c.objective.name,
                "Indicadores": len(c.rows),
                **{
                    progress.LIGHT_LABELS[light].capitalize(): c.counts[light]
                    for light in progress.Light
                },
            }
            for c in report.cards
        ]
    )
    indicators = _table(
        [
            {
                "Objetivo": f"OE{c.objective.number}",
                "Código": r.indicator.code,
                "Indicador": r.indicator.name,
                "Línea de base": as_float(r.baseline.value) if r.baseline else None,
                "Año base": r.baseline.year if r.baseline else None,
                f"Meta {report.year}": as_float(r.status.target),
                "Meta interpolada": r.status.target_interpolated
                if r.status.target is not None
                else None,
                f"Valor obtenido {report.year}": as_float(r.status.value),
                "Cumplimiento (%)": (
                    round(float(r.status.achievement), 2)
                    if r.status.achievement is not None
                    else None
                ),
                "Nota de cumplimiento": r.status.achievement_note,
                "Semáforo": progress.LIGHT_LABELS[progress.Light(r.status.light)],
                "Trayectoria": progress.TRAJECTORY_LABELS[
                    progress.TrajectoryStatus(r.status.trajectory)
                ],
                "Valor preliminar (por validar)": as_float(r.status.preliminary),
            }
            for c in report.cards
            for r in c.rows
        ]
    )
    actions = _table(
        [
            {
                "Objetivo": f"OE{a.objective}",
                "Acción": a.code,
                "Nombre": a.name,
                "Importancia": a.importance,
                "Dirección": a.directorate,
                "Situación": a.report.get_execution_display() if a.report else "sin reporte",
                "Avance (%)": as_float(a.report.percent) if a.report else None,
                "Estado": a.report.get_state_display() if a.report else "sin registrar",
                "Qué se hizo": a.report.description if a.report else "",
            }
            for a in report.actions
        ]
    )
    quality = _table([{"Código": code, "Observación": text} for code, text in report.flags])
    return spreadsheets.xlsx_bytes(
        {
            "Resumen": summary,
            "Indicadores": indicators,
            "Acciones": actions,
            "Calidad de datos": quality,
        }
    )
