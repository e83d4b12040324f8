"""Plotly figures of the influence matrix, built from actors.selectors rows."""

from __future__ import annotations

from actors.selectors import VariableCount
from lib.charts import base_layout, figure, plain, trace


def variable_counts_figure(rows: list[VariableCount]) -> dict:
    """Mentions of the matrix per variable, in each direction."""
    codes = [plain(r.variable.code) for r in rows]
    traces = [
        trace(
            "bar",
            x=codes,
            y=[r.on_count for r in rows],
            name="Actores que influyen sobre la variable",
            marker={"color": "#8a1538"},
        ),
        trace(
            "bar",
            x=codes,
            y=[r.from_count for r in rows],
            name="Actores sobre los que influye la variable",
            marker={"color": "#5b6672"},
        ),
    ]
    layout = base_layout(
        "Menciones de la matriz de influencia por variable",
        x_title="Variable estratégica",
        y_title="Número de menciones",
    )
    layout["barmode"] = "group"
    layout["xaxis"].update({"type": "category"})
    layout["yaxis"]["tickformat"] = ",d"
    return figure(traces, layout)
