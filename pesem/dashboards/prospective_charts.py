"""Plotly figures of the prospective analysis, built from prospective_selectors rows."""

from __future__ import annotations

from lib.charts import as_float, base_layout, figure, plain, trace
from objectives.models import Component
from pesem.dashboards.prospective_selectors import TrendRow, VariableBlock, variable_indicator_code

ACCENT = "#8a1538"
EMPTY = "#eef1f4"
SERIES_COLORS = ["#8a1538", "#1d2733", "#1a73e8", "#b07d00"]


def trend_heatmap_figure(components: list[Component], trends: list[TrendRow]) -> dict:
    """Trend x component matrix (Gráficos 2-5): 1 where the trend impacts the component."""
    x = [f"C{c.number}" for c in components]
    y = [f"T{row.trend.number}" for row in trends]
    z = [[1 if impact else 0 for impact in row.impacts] for row in trends]
    hover = [
        [
            f"Tendencia {row.trend.number} · componente {c.number}: "
            + ("impacta" if impact else "no impacta")
            for c, impact in zip(components, row.impacts, strict=True)
        ]
        for row in trends
    ]
    heatmap = trace(
        "heatmap",
        x=x,
        y=y,
        z=z,
        zmin=0,
        zmax=1,
        colorscale=[[0, EMPTY], [1, ACCENT]],
        showscale=False,
        xgap=2,
        ygap=2,
        text=hover,
        hoverinfo="text",
    )
    layout = base_layout(
        "Componentes del modelo conceptual que impacta cada tendencia",
        x_title="Componente",
        y_title="Tendencia",
        height=max(360, 24 * len(trends) + 110),
    )
    layout["xaxis"].update({"type": "category", "side": "top"})
    layout["yaxis"] = {
        "title": layout["yaxis"]["title"],
        "automargin": True,
        "type": "category",
        "autorange": "reversed",  # T1 on top, as in the table
    }
    # Room for the title (below the toolbar's band) above the top axis and its label.
    layout["margin"]["t"] = layout["margin"]["t"] + 60
    return figure([heatmap], layout)


def variable_series_figure(block: VariableBlock) -> dict:
    """Validated values of the variable's indicators by year; a missing year is a gap."""
    traces = [
        trace(
            "scatter",
            x=block.years,
            y=[as_float(v) for v in row.cells],
            mode="lines+markers",
            name=plain(variable_indicator_code(row.indicator)),
            line={"color": SERIES_COLORS[index % len(SERIES_COLORS)], "width": 2},
            connectgaps=False,
        )
        for index, row in enumerate(block.rows)
        if row.series
    ]
    layout = base_layout(
        f"{block.variable.code}: valores validados de sus indicadores",
        x_title="Año",
        y_title="Valor del indicador",
        height=300,
    )
    layout["xaxis"].update({"dtick": 1})
    layout["showlegend"] = True
    return figure(traces, layout)
