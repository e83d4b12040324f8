"""The monitoring report's chart of an indicator, as a small SVG drawn here in Python.

The same markup goes into the report page (inline) and into the PDF (WeasyPrint draws inline
SVG as vectors). Why not the site's plotly charts: plotly draws in the browser, and its
static export needs kaleido, which drives a headless Chrome; the PDF is built on the server
without a browser. Why not matplotlib: a second plotting library (and its build time, ~50 ms a
chart) for a line and a few markers. This is a few dozen lines, deterministic, and fast enough
to draw every chart on every request.

Every text (code, unit, labels) is escaped; numbers on the axis are in Peruvian format
(lib.numbers.format_number). Only geometry is computed here: the plan's arithmetic
(achievement, interpolation) comes in already done, from the stored statuses.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from django.utils.safestring import SafeString, mark_safe

from lib import numbers

WIDTH, HEIGHT = 640, 250
LEFT, RIGHT, TOP, BOTTOM = 70, 16, 14, 62
YEAR_LABELS = 12  # years named on the axis at most (pesem.report.charts._year_labels)
FONT = "DejaVu Sans, Verdana, sans-serif"
INK, MUTED, GRID, ACCENT = "#1d2733", "#5b6672", "#d8dee4", "#8a1538"
OFF_SCALE = "#b3261e"  # indicators.charts.OFF_SCALE_COLOR
MAX_TICK_PLACES = 6
# DejaVu Sans's advance widths (units of an em of 2048), for the characters of the axis
# labels. WeasyPrint draws every SVG text anchored elsewhere than at its start as a group of
# its own (a form XObject with its resources): ten a chart, half the bytes of a report of
# 5,000 indicators. The PDF's charts (`placed=True`: the PDF's font is DejaVu Sans) therefore
# start each label where its width puts it; the page's keep their anchors, the browser's font
# being whatever the reader has.
EM = 2048
ADVANCES = {**dict.fromkeys("0123456789", 1303), ",": 651, ".": 651, " ": 651, "-": 739}
ADVANCES.update({"%": 1946, "\u2212": 1716})


@dataclass(frozen=True)
class ChartTarget:
    year: int
    value: Decimal
    interpolated: bool


def _nice_step(span: float, ticks: int = 4) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving about `ticks` intervals."""
    raw = span / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power  # pragma: no cover - the loop always returns


def _ticks(low: float, high: float) -> tuple[list[float], int]:
    """Tick values covering [low, high] and the decimals they need."""
    if high == low:
        pad = abs(high) * 0.1 or 1.0
        low, high = low - pad, high + pad
    step = _nice_step(high - low)
    first = math.floor(low / step) * step
    last = math.ceil(high / step) * step
    count = round((last - first) / step)
    places = min(MAX_TICK_PLACES, max(0, -math.floor(math.log10(step) + 1e-9)))
    return [first + i * step for i in range(count + 1)], places


def _label(value: float, places: int) -> str:
    return numbers.format_number(Decimal(repr(round(value, places))), places)


def _year_labels(first: int, last: int) -> list[int]:
    """Every year while they fit (YEAR_LABELS at most); over longer spans the years that are
    multiples of 2, 5, 10... (the first step that fits): thirty labels four characters wide
    would overlap on the axis, and each one costs the PDF a text to lay out."""
    years = list(range(first, last + 1))
    for step in (1, 2, 5, 10, 20, 50):
        shown = years if step == 1 else [y for y in years if y % step == 0]
        if len(shown) <= YEAR_LABELS:
            return shown
    return years[:: len(years) // YEAR_LABELS + 1]


def text_width(text: str, size: float) -> float | None:
    """The text's width in DejaVu Sans at `size` (None for a character not in ADVANCES)."""
    if any(ch not in ADVANCES for ch in text):
        return None
    return sum(ADVANCES[ch] for ch in text) / EM * size


def _text(
    x: float,
    y: float,
    text: str,
    *,
    anchor: str = "middle",
    size: int = 11,
    placed: bool = False,
    fill: str = INK,
) -> str:
    width = text_width(text, size) if placed and anchor != "start" else None
    if width is not None:
        x -= width if anchor == "end" else width / 2
        anchor = "start"
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
        f'font-family="{FONT}" fill="{fill}">{escape(text)}</text>'
    )


def indicator_svg(
    *,
    code: str,
    unit: str,
    years: range,
    series: Sequence[tuple[int, Decimal]],
    targets: Sequence[ChartTarget],
    baseline: tuple[int, Decimal] | None,
    placed: bool = False,
    off_scale: Collection[int] = (),
) -> SafeString:
    """The indicator's validated values, its targets (official and interpolated, marked
    apart) and its baseline, over `years` (widened to the baseline and the first value).
    `placed`: axis labels start where their width in DejaVu Sans puts them (the PDF's).
    `off_scale`: years of a value that would flatten the rest (lib.charts.off_scale_years, the
    page's rule): the axis leaves it out, as the page's chart does (indicators.charts), and
    it is drawn at the plot's edge with a red marker and its number, "fuera de escala"."""
    label = f"Gráfico de {code}: valores validados, metas y línea de base"
    numbers_shown = [v for y, v in series if y not in off_scale] + [t.value for t in targets]
    if baseline is not None:
        numbers_shown.append(baseline[1])
    if not numbers_shown or not years:
        return mark_safe(
            f'<svg role="img" aria-label={quoteattr(label)} width="{WIDTH}" height="40" '
            f'viewBox="0 0 {WIDTH} 40">'
            + _text(WIDTH / 2, 24, f"{code}: sin datos para graficar")
            + "</svg>"
        )
    first_year = min([years.start, *(y for y, _ in series)] + ([baseline[0]] if baseline else []))
    last_year = max(years.stop - 1, *(y for y, _ in series), *(t.year for t in targets))
    values = [float(v) for v in numbers_shown] or [float(v) for _, v in series]
    ticks, tick_places = _ticks(min(values), max(values))
    low, high = ticks[0], ticks[-1]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    span_years = max(last_year - first_year, 1)

    def px(year: int) -> float:
        return LEFT + (year - first_year) / span_years * plot_w

    def py(value: Decimal | float) -> float:
        """The value's height, held at the plot's edge (only an off-scale value is past it)."""
        share = min(max((float(value) - low) / (high - low), 0.0), 1.0)
        return TOP + plot_h - share * plot_h

    parts = [
        f'<svg role="img" aria-label={quoteattr(label)} width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" class="report-chart-svg">',
        f"<title>{escape(label)}</title>",
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
    ]
    for tick in ticks:
        y = py(tick)
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(_text(LEFT - 6, y + 4, _label(tick, tick_places), anchor="end", placed=placed))
    for year in _year_labels(first_year, last_year):
        parts.append(_text(px(year), TOP + plot_h + 16, str(year), size=10, placed=placed))
    parts.append(
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" '
        f'stroke="{MUTED}" stroke-width="1"/>'
    )
    if unit:
        parts.append(
            f'<text x="12" y="{TOP + plot_h / 2:.1f}" font-size="10" font-family="{FONT}" '
            f'fill="{MUTED}" text-anchor="middle" '
            f'transform="rotate(-90 12 {TOP + plot_h / 2:.1f})">{escape(unit[:60])}</text>'
        )
    # Targets: the path baseline -> targets dotted, official ones as filled diamonds and
    # interpolated milestones as open circles (they are not official).
    path = ([baseline] if baseline else []) + [(t.year, t.value) for t in targets]
    path = sorted(set(path))
    if len(path) > 1:
        points = " ".join(f"{px(y):.1f},{py(v):.1f}" for y, v in path)
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{ACCENT}" stroke-width="1" '
            'stroke-dasharray="3 3"/>'
        )
    for t in targets:
        x, y = px(t.year), py(t.value)
        if t.interpolated:
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="#ffffff" stroke="{ACCENT}" '
                'stroke-width="1.2"/>'
            )
        else:
            parts.append(
                f'<polygon points="{x:.1f},{y - 6:.1f} {x + 6:.1f},{y:.1f} {x:.1f},{y + 6:.1f} '
                f'{x - 6:.1f},{y:.1f}" fill="{ACCENT}"/>'
            )
    if baseline is not None:
        x, y = px(baseline[0]), py(baseline[1])
        parts.append(
            f'<polygon points="{x:.1f},{y - 7:.1f} {x + 6:.1f},{y + 5:.1f} {x - 6:.1f},'
            f'{y + 5:.1f}" fill="{MUTED}"/>'
        )
    if series:
        outside_any = any(float(v) > high or float(v) < low for _, v in series)
        if len(series) > 1 and not outside_any:
            points = " ".join(f"{px(y):.1f},{py(v):.1f}" for y, v in series)
            parts.append(
                f'<polyline points="{points}" fill="none" stroke="{INK}" stroke-width="2"/>'
            )
        elif len(series) > 1:
            # The line keeps going toward the off-scale value and stops at the plot's edge,
            # as the page's chart (clipped by plotly) draws it.
            def true_y(value: Decimal) -> float:
                return TOP + plot_h - (float(value) - low) / (high - low) * plot_h

            for (y1, v1), (y2, v2) in zip(series, series[1:], strict=False):
                segment = _clip_y(px(y1), true_y(v1), px(y2), true_y(v2), TOP, TOP + plot_h)
                if segment is not None:
                    a, b, c, d = segment
                    parts.append(
                        f'<line x1="{a:.1f}" y1="{b:.1f}" x2="{c:.1f}" y2="{d:.1f}" '
                        f'stroke="{INK}" stroke-width="2"/>'
                    )
        middle = (first_year + last_year) / 2
        for y, v in series:
            outside = float(v) > high or float(v) < low
            if not outside:
                parts.append(f'<circle cx="{px(y):.1f}" cy="{py(v):.1f}" r="3.5" fill="{INK}"/>')
                continue
            parts.append(_off_scale_mark(px(y), py(v), v, above=float(v) > high, left=y > middle))
    parts.append(_legend(TOP + plot_h + 40))
    parts.append("</svg>")
    return mark_safe("".join(parts))


def _clip_y(
    x1: float, y1: float, x2: float, y2: float, top: float, bottom: float
) -> tuple[float, float, float, float] | None:
    """The part of the segment between the heights `top` and `bottom` (SVG: top < bottom),
    None when it lies wholly above or below."""
    if max(y1, y2) < top or min(y1, y2) > bottom:
        return None

    def inside(x: float, y: float) -> tuple[float, float]:
        edge = top if y < top else bottom if y > bottom else None
        if edge is None:
            return x, y
        return x1 + (x2 - x1) * (edge - y1) / (y2 - y1), edge  # y1 != y2: one end is inside

    (a, b), (c, d) = inside(x1, y1), inside(x2, y2)
    return a, b, c, d


def _off_scale_mark(x: float, y: float, value: Decimal, *, above: bool, left: bool) -> str:
    """A red triangle at the edge, pointing the way the value lies, and its number written
    beside it (toward the chart's middle), as the page's chart annotates it."""
    if above:
        symbol = f"{x:.1f},{y - 1:.1f} {x + 6:.1f},{y + 10:.1f} {x - 6:.1f},{y + 10:.1f}"
    else:
        symbol = f"{x:.1f},{y + 1:.1f} {x + 6:.1f},{y - 10:.1f} {x - 6:.1f},{y - 10:.1f}"
    text = f"{numbers.format_number(value)} {'↑' if above else '↓'} fuera de escala"
    # A white box under the words (as the page's annotation has), so that the line toward
    # the value does not cross them; its width from DejaVu Sans's average advance.
    width = len(text) * 0.62 * 10 + 6
    text_x = x - 9 if left else x + 9
    text_y = y + 10 if above else y - 3
    box_x = text_x - width + 3 if left else text_x - 3
    return (
        f'<polygon points="{symbol}" fill="{OFF_SCALE}"/>'
        f'<rect x="{box_x:.1f}" y="{text_y - 10:.1f}" width="{width:.1f}" height="13" '
        'fill="#ffffff" fill-opacity="0.85"/>'
        + _text(text_x, text_y, text, anchor="end" if left else "start", size=10, fill=OFF_SCALE)
    )


def _legend(y: float) -> str:
    items = [
        (f'<circle cx="0" cy="-4" r="3.5" fill="{INK}"/>', "Valor validado"),
        (f'<polygon points="0,-10 6,-4 0,2 -6,-4" fill="{ACCENT}"/>', "Meta oficial"),
        (
            f'<circle cx="0" cy="-4" r="3.5" fill="#ffffff" stroke="{ACCENT}" stroke-width="1.2"/>',
            "Meta interpolada (no oficial)",
        ),
        (f'<polygon points="0,-11 6,1 -6,1" fill="{MUTED}"/>', "Línea de base"),
    ]
    x, parts = LEFT, []
    for symbol, text in items:
        parts.append(f'<g transform="translate({x},{y:.1f})">{symbol}</g>')
        parts.append(_text(x + 10, y, text, anchor="start", size=10))
        x += 24 + 6 * len(text)
    return "".join(parts)
