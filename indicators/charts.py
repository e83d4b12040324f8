"""Plotly figures of indicators and directorates, built from selector rows."""

from __future__ import annotations

import plotly.graph_objects as go

from indicators.models import Target, WorkflowState
from indicators.selectors import IndicatorFacts
from objectives.charts import as_float, as_json, base_layout, plain

LIGHT_COLORS = {"green": "#1e7b34", "yellow": "#b07d00", "red": "#b3261e", "grey": "#6b7280"}
SOURCE_SYMBOLS = {"Anexo 6": "diamond", "Cuadro 5": "square", "Oficina de planeamiento": "star"}


def indicator_figure(facts: IndicatorFacts, *, years: range, height: int = 380) -> dict:
    """Series (validated and preliminary), baseline, official targets by source, interpolated
    milestones and the projection to the final year."""
    indicator = facts.indicator
    fig = go.Figure()
    validated = sorted(facts.official_series.items())
    if validated:
        fig.add_trace(
            go.Scatter(
                x=[y for y, _ in validated],
                y=[as_float(v) for _, v in validated],
                mode="lines+markers",
                name="Valor validado",
                line={"color": "#1d2733", "width": 2},
                connectgaps=False,
            )
        )
    preliminary = [
        (v.year, v.value)
        for v in facts.values
        if v.state == WorkflowState.SUBMITTED and v.value is not None
    ]
    if preliminary:
        fig.add_trace(
            go.Scatter(
                x=[y for y, _ in preliminary],
                y=[as_float(v) for _, v in preliminary],
                mode="markers",
                name="Valor preliminar (por validar)",
                marker={"color": "#b07d00", "symbol": "circle-open", "size": 11},
            )
        )
    if facts.baseline:
        fig.add_trace(
            go.Scatter(
                x=[facts.baseline.year],
                y=[as_float(facts.baseline.value)],
                mode="markers",
                name="Línea de base",
                marker={"color": "#5b6672", "symbol": "triangle-up", "size": 12},
            )
        )
    by_source: dict[str, list[Target]] = {}
    for t in facts.targets:
        if t.kind == Target.Kind.TARGET and t.year is not None:
            by_source.setdefault(t.source, []).append(t)
    for source, targets in sorted(by_source.items()):
        fig.add_trace(
            go.Scatter(
                x=[t.year for t in targets],
                y=[as_float(t.value) for t in targets],
                mode="markers",
                name=f"Meta oficial ({plain(source)})",
                marker={"symbol": SOURCE_SYMBOLS.get(source, "x"), "size": 12, "color": "#8a1538"},
            )
        )
    milestones = [(y, facts.target_for(y)) for y in years if y not in facts.official]
    milestones = [(y, t) for y, t in milestones if t is not None and t.interpolated]
    if milestones:
        path = [(facts.baseline.year, facts.baseline.value)] if facts.baseline else []
        path += sorted([(y, t.value) for y, t in milestones] + list(facts.official.items()))
        fig.add_trace(
            go.Scatter(
                x=[y for y, _ in path],
                y=[as_float(v) for _, v in path],
                mode="lines",
                name="Hitos interpolados (no oficiales)",
                line={"dash": "dot", "color": "#8a1538", "width": 1},
            )
        )
    final_year = facts.final_year
    if validated and final_year:
        trajectory = facts.summary().trajectory
        if trajectory.projected_final is not None:
            fig.add_trace(
                go.Scatter(
                    x=[validated[-1][0], final_year],
                    y=[as_float(validated[-1][1]), as_float(trajectory.projected_final)],
                    mode="lines",
                    name=f"Proyección lineal a {final_year}",
                    line={"dash": "dash", "color": "#1a73e8"},
                )
            )
    layout = base_layout(
        f"{indicator.code}: {indicator.name[:70]}",
        x_title="Año",
        y_title=indicator.unit or "valor",
        height=height,
    )
    layout["xaxis"].update({"dtick": 1, "range": [years.start - 0.5, years.stop - 0.5]})
    fig.update_layout(**layout)
    return as_json(fig)


def directorate_progress_figure(rows: list, *, title: str) -> dict:
    """Per year: mean reported progress of the directorate's actions and the share of its
    indicators in green. `rows` are DirectorateYear rows."""
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=[r.year for r in rows],
            y=[as_float(r.action_progress) for r in rows],
            name="Avance promedio de acciones (%)",
            marker={"color": "#8a1538"},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[r.year for r in rows],
            y=[as_float(r.green_share) for r in rows],
            name="Indicadores en verde (%)",
            mode="lines+markers",
            marker={"color": LIGHT_COLORS["green"]},
        )
    )
    layout = base_layout(title, x_title="Año", y_title="Porcentaje")
    layout["yaxis"].update({"range": [0, 105], "tickformat": ",.0f"})
    layout["xaxis"]["dtick"] = 1
    fig.update_layout(**layout)
    return as_json(fig)


def directorate_comparison_figure(rows: list, *, year: int) -> dict:
    """One chart across all directorates for a year. `rows` are DirectorateSummary rows."""
    codes = [plain(r.directorate.code) for r in rows]
    series = [
        ("action_progress", "Avance promedio de acciones (%)", "#8a1538"),
        ("report_share", "Acciones con reporte validado (%)", "#5b6672"),
        ("green_share", "Indicadores en verde (%)", LIGHT_COLORS["green"]),
    ]
    fig = go.Figure(
        [
            go.Bar(
                x=codes,
                y=[as_float(getattr(r, attr)) for r in rows],
                name=name,
                marker={"color": color},
            )
            for attr, name, color in series
        ]
    )
    layout = base_layout(
        f"Avance por dirección responsable, {year}", x_title="Dirección", y_title="Porcentaje"
    )
    layout["barmode"] = "group"
    layout["yaxis"].update({"range": [0, 105], "tickformat": ",.0f"})
    fig.update_layout(**layout)
    return as_json(fig)
