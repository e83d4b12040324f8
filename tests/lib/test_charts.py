"""Every chart's layout leaves the top band to plotly's toolbar and keeps a long y-axis title
whole (lib.charts.base_layout)."""

from lib.charts import AXIS_TITLE_CHARS, MODEBAR_BAND, axis_title, base_layout


def test_title_sits_below_the_toolbar_band_inside_the_top_margin():
    layout = base_layout("Tasa de cobertura", x_title="Año", y_title="Porcentaje")
    title = layout["title"]
    assert title["yref"] == "container" and title["y"] == 1 and title["yanchor"] == "top"
    assert title["pad"]["t"] > MODEBAR_BAND
    # Title line plus a gap fit between the toolbar band and the plot.
    assert layout["margin"]["t"] >= title["pad"]["t"] + 20 + 10


def test_long_axis_title_is_broken_into_lines_and_escaped():
    unit = "Número de peruanos en el exterior atendidos por los consulados <por año>"
    text = axis_title(unit)
    lines = text.split("<br>")
    assert len(lines) == 3
    assert all(
        len(line.replace("&lt;", "<").replace("&gt;", ">")) <= AXIS_TITLE_CHARS for line in lines
    )
    assert " ".join(lines) == unit.replace("<", "&lt;").replace(">", "&gt;")
    assert base_layout("t", y_title=unit)["yaxis"]["title"]["text"] == text
    assert axis_title("Porcentaje") == "Porcentaje"  # short titles stay on one line
