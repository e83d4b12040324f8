"""Plotly figures of indicators and directorates, built from selector rows."""

from __future__ import annotations

from decimal import Decimal

from indicators import progress
from indicators.models import Target, WorkflowState
from indicators.selectors import IndicatorFacts
from lib.charts import as_float, axis_range, base_layout, figure, plain, trace
from lib.numbers import format_number

LIGHT_COLORS = {"green": "#1e7b34", "yellow": "#b07d00", "red": "#b3261e", "grey": "#6b7280"}
SOURCE_SYMBOLS = {"Anexo 6": "diamond", "Cuadro 5": "square", "Oficina de planeamiento": "star"}
LIGHT_NAMES = {
    "green": "Verde",
    "yellow": "Amarillo",
    "red": "Rojo",
    "grey": "Gris (sin dato validado o sin meta)",
}
OFF_SCALE_COLOR = "#b3261e"


def indicator_figure(facts: IndicatorFacts, *, years: range, height: int = 380) -> dict:
    """Series (validated and preliminary), baseline, official targets by source, interpolated
    milestones and the projection to the final year."""
    indicator = facts.indicator
    traces: list[dict] = []
    off_scale = set(facts.off_scale_years)
    scale: list[Decimal] = []  # every value drawn except the off-scale ones: the y-axis range
    validated = sorted(facts.official_series.items())
    scale += [v for y, v in validated if y not in off_scale]
    if validated:
        traces.append(
            trace(
                "scatter",
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
    scale += [v for y, v in preliminary if y not in off_scale]
    if preliminary:
        traces.append(
            trace(
                "scatter",
                x=[y for y, _ in preliminary],
                y=[as_float(v) for _, v in preliminary],
                mode="markers",
                name="Valor preliminar (por validar)",
                marker={"color": "#b07d00", "symbol": "circle-open", "size": 11},
            )
        )
    if facts.baseline:
        scale.append(facts.baseline.value)
        traces.append(
            trace(
                "scatter",
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
        scale += [t.value for t in targets]
        traces.append(
            trace(
                "scatter",
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
        scale += [v for _, v in path]
        traces.append(
            trace(
                "scatter",
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
            if validated[-1][0] not in off_scale:  # a pace measured from an odd value is odd too
                scale.append(trajectory.projected_final)
            traces.append(
                trace(
                    "scatter",
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
    _keep_off_scale_visible(traces, layout, validated + preliminary, off_scale, scale, years)
    return figure(traces, layout)


def _keep_off_scale_visible(
    traces: list[dict],
    layout: dict,
    points: list[tuple[int, Decimal]],
    off_scale: set[int],
    scale: list[Decimal],
    years: range,
) -> None:
    """A value flagged off scale (V14 2013 = 63.00 between 0.70 and 1.52) would flatten the
    rest of the series into a line at the bottom. The y-axis covers the other values
    (lib.charts.axis_range); the odd value keeps its place in its series' line, which leaves
    the plot at the edge, gets a marker at that edge and its number written beside it."""
    bounds = axis_range(scale) if off_scale else None
    if bounds is None:
        return
    low, high = bounds
    outside = [(y, v) for y, v in points if y in off_scale and (v > high or v < low)]
    if not outside:
        return
    layout["yaxis"]["range"] = [as_float(low), as_float(high)]
    middle = (years.start + years.stop - 1) / 2
    traces.append(
        trace(
            "scatter",
            x=[y for y, _ in outside],
            y=[as_float(high if v > high else low) for _, v in outside],
            customdata=[as_float(v) for _, v in outside],
            mode="markers",
            name="Valor fuera de escala (número anotado)",
            marker={
                "symbol": ["triangle-up" if v > high else "triangle-down" for _, v in outside],
                "size": 13,
                "color": OFF_SCALE_COLOR,
            },
            cliponaxis=False,
            hovertemplate="%{x}: %{customdata:,.2f} (fuera de escala)<extra></extra>",
        )
    )
    layout["annotations"] = [
        {
            "x": year,
            "y": as_float(high if value > high else low),
            "text": f"{format_number(value)} {'↑' if value > high else '↓'} fuera de escala",
            "showarrow": False,
            "xanchor": "left" if year <= middle else "right",
            "xshift": 9 if year <= middle else -9,
            "yanchor": "top" if value > high else "bottom",
            "font": {"size": 11, "color": OFF_SCALE_COLOR},
            "bgcolor": "rgba(255, 255, 255, 0.85)",
        }
        for year, value in outside
    ]


def directorate_progress_figure(rows: list, *, title: str) -> dict:
    """Per year: mean reported progress of the directorate's actions and the share of its
    indicators in green. `rows` are DirectorateYear rows."""
    traces = [
        trace(
            "bar",
            x=[r.year for r in rows],
            y=[as_float(r.action_progress) for r in rows],
            name="Avance promedio de acciones (%)",
            marker={"color": "#8a1538"},
        ),
        trace(
            "scatter",
            x=[r.year for r in rows],
            y=[as_float(r.green_share) for r in rows],
            name="Indicadores en verde (%)",
            mode="lines+markers",
            marker={"color": LIGHT_COLORS["green"]},
        ),
    ]
    layout = base_layout(title, x_title="Año", y_title="Porcentaje")
    layout["yaxis"].update({"range": [0, 105], "tickformat": ",.0f"})
    layout["xaxis"]["dtick"] = 1
    return figure(traces, layout)


def directorate_comparison_figure(rows: list, *, year: int) -> dict:
    """Across directorates, the share of each one's indicators in green, yellow, red and grey
    in `year` (stacked bars adding up to 100 %), from the stored statuses: green alone would
    hide whether the rest is behind (red) or merely without data (grey). `rows` are
    DirectorateSummary rows; one without indicators draws no bar."""
    codes = [plain(r.directorate.code) for r in rows]
    # getattr: a row without the statuses' shares (one built by hand) draws no bar.
    shares = [getattr(r, "light_shares", None) or {} for r in rows]
    counts = [getattr(r, "light_counts", None) or {} for r in rows]
    traces = [
        trace(
            "bar",
            x=codes,
            y=[as_float(s.get(light)) for s in shares],
            customdata=[c.get(light, 0) for c in counts],
            name=LIGHT_NAMES[light],
            marker={"color": LIGHT_COLORS[light]},
            hovertemplate=f"%{{x}}: %{{y:.0f}} % (%{{customdata}})<extra>{LIGHT_NAMES[light]}"
            "</extra>",
        )
        for light in progress.Light
    ]
    layout = base_layout(
        f"Indicadores de cada dirección por semáforo, {year}",
        x_title="Dirección",
        y_title="Porcentaje de sus indicadores",
    )
    layout["barmode"] = "stack"
    layout["legend"]["traceorder"] = "normal"  # green first, as the bars stack from the bottom
    layout["yaxis"].update({"range": [0, 100], "tickformat": ",.0f", "ticksuffix": " %"})
    return figure(traces, layout)
