"""Shared chart helpers: Spanish labels and the house layout, figures written as the plain dicts
plotly.js draws (trace, figure: what plotly's objects would give, without their validation);
and the scale of a chart (which values would flatten the rest, the y-axis range), plain arithmetic
over Decimals."""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

FONT = "system-ui, -apple-system, Segoe UI, Roboto, sans-serif"


def as_float(value: Decimal | None) -> float | None:
    """A stored Decimal as the float plotly and spreadsheets take; None stays None."""
    return float(value) if value is not None else None


def plain(text: object) -> str:
    """Text that plotly shows as text. Plotly renders a subset of HTML in titles, axis titles,
    tick labels, trace names and hover text (`<a href>` becomes a live link), and names typed in
    admin reach them: every such string goes through here, escaped (plotly shows `&lt;` as
    `<`)."""
    return html.escape(str(text))


# Plotly's toolbar (modebar) takes the top MODEBAR_BAND px of a figure, at the right: the title
# sits below that band, so the toolbar never covers it.
MODEBAR_BAND = 30
TITLE_LINE = 20  # px: a 15 px title line
AXIS_TITLE_CHARS = 34  # a 12 px axis title line along a plot about 230 px tall


def axis_title(text: object) -> str:
    """An axis title broken into lines (escaped, then joined with plotly's <br>) so a long
    unit stays whole along the y axis instead of running past the plot's ends and being cut."""
    lines: list[str] = []
    for word in str(text).split():
        if lines and len(lines[-1]) + 1 + len(word) <= AXIS_TITLE_CHARS:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(plain(line) for line in lines)


def base_layout(title: str, *, x_title: str = "", y_title: str = "", height: int = 360) -> dict:
    """Our styling of every chart. Fits any width (no fixed width: autosize, and the drawing
    script passes responsive: true). The legend sits at the very bottom of the figure
    (yref "container"): plotly grows the bottom margin for it after the axis's tick labels
    and title, so it never covers the x-axis title, as a legend placed at a fraction of the
    plot's height below it did (y = -0.2 lands on the title of a 320 px chart)."""
    return {
        "title": {
            "text": plain(title),
            "x": 0,
            "xanchor": "left",
            "y": 1,
            "yref": "container",
            "yanchor": "top",
            "pad": {"t": MODEBAR_BAND + 4, "l": 10},
            "font": {"size": 15},
        },
        # No plotly theme embedded in every figure (it weighs ~7 KB a chart): our own styling.
        "template": "none",
        "xaxis": {"title": {"text": plain(x_title)}, "automargin": True, "showgrid": False},
        "yaxis": {
            "title": {"text": axis_title(y_title)},
            "automargin": True,
            "tickformat": ",.2f",
            "gridcolor": "#e6e9ed",
            "zeroline": False,
        },
        "separators": ".,",
        "height": height,
        "autosize": True,
        "margin": {"l": 60, "r": 20, "t": MODEBAR_BAND + TITLE_LINE + 30, "b": 50},
        "font": {"family": FONT, "size": 12},
        "legend": {
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "y": 0,
            "yanchor": "bottom",
            "yref": "container",
        },
        "plot_bgcolor": "#ffffff",
        "paper_bgcolor": "#ffffff",
    }


# What plotly writes for `"template": "none"`: its empty template, which still names the
# scatter trace's defaults.
NO_TEMPLATE = {"data": {"scatter": [{"type": "scatter"}]}}


def trace(kind: str, **props: Any) -> dict[str, Any]:
    """A trace as `go.<Kind>(**props).to_plotly_json()` writes it, built as a plain dict:
    plotly's validation cost a page tens of milliseconds a figure (issue 22, cheap misses).
    Its constructors set properties in alphabetical order, nested ones too, and add the type
    last; a property set to None is left out."""
    return {**_alphabetical(props), "type": kind}


def figure(traces: list[dict[str, Any]], layout: dict[str, Any]) -> dict[str, Any]:
    """The figure `go.Figure(traces).update_layout(**layout)` gives through `to_json()`, as
    the plain dict json_script embeds. The layout takes plotly's order: the template first,
    then at every level the nested objects (dicts) before the other values, each group in
    the order given."""
    layout = dict(layout)
    template = layout.pop("template", None)
    ordered = _objects_first(layout)
    if template == "none":
        ordered = {"template": NO_TEMPLATE, **ordered}
    return {"data": traces, "layout": ordered}


def _alphabetical(props: dict[str, Any]) -> dict[str, Any]:
    return {
        key: _alphabetical(value) if isinstance(value, dict) else _plain_value(value)
        for key, value in sorted(props.items())
        if value is not None
    }


def _objects_first(props: dict[str, Any]) -> dict[str, Any]:
    objects = {k: _objects_first(v) for k, v in props.items() if isinstance(v, dict)}
    rest = {
        k: _plain_value(v) for k, v in props.items() if v is not None and not isinstance(v, dict)
    }
    return {**objects, **rest}


def _plain_value(value: Any) -> Any:
    """Lists for every sequence (a range, a tuple), annotations in plotly's order."""
    if isinstance(value, (list, tuple, range)):
        return [_alphabetical(v) if isinstance(v, dict) else _plain_value(v) for v in value]
    return value


# --- scale: which values fit on the axis ---------------------------------------------------

AXIS_PADDING = Decimal("0.1")


def off_scale_years(series: Mapping[int, Decimal], factor: Decimal = Decimal(5)) -> list[int]:
    """Years whose value would flatten the rest of the series on a chart: a jump (more than
    `factor` times the previous or next non-zero value, or less than its 1/`factor`, as
    indicators.progress.series_jumps flags it) that is also more than `factor` times away
    from the median of the non-zero values. The median test picks the odd value itself, not
    its neighbours (V14: 0.72, 0.70, 63.00, 1.52 -> only 2013), and a steady growth without
    jumps is never off scale. Zeros are never off scale (an axis may well include 0, and
    series_jumps already asks to check them); fewer than three non-zero values have no middle
    to judge."""
    points = [(year, value) for year, value in sorted(series.items()) if value > 0]
    if len(points) < 3:
        return []
    values = sorted(value for _, value in points)
    middle = len(values) // 2
    median = values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2

    def apart(a: Decimal, b: Decimal) -> bool:
        return a / b > factor or b / a > factor

    found = []
    for index, (year, value) in enumerate(points):
        neighbours = [points[i][1] for i in (index - 1, index + 1) if 0 <= i < len(points)]
        if any(apart(value, n) for n in neighbours) and apart(value, median):
            found.append(year)
    return found


def axis_range(
    values: Iterable[Decimal], padding: Decimal = AXIS_PADDING
) -> tuple[Decimal, Decimal] | None:
    """A y-axis range that shows every value with `padding` (a share of the span) above and
    below; a single level gets a band of `padding` times its size (1 around 0). None without
    values."""
    listed = list(values)
    if not listed:
        return None
    low, high = min(listed), max(listed)
    span = high - low if high != low else (abs(high) or Decimal(1))
    return low - span * padding, high + span * padding
