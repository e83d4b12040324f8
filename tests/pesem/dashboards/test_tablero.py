"""A tablero that tells the truth: how many indicators each status summary rests
on, the year a page opens on and why, indicators in natural order, what the light and the
trajectory each judge, the four lights per directorate, charts an odd value does not flatten,
legends clear of axis titles, and a long page with an index."""

from __future__ import annotations

import re
from decimal import Decimal as D
from html.parser import HTMLParser
from pathlib import Path

import django_tables2 as tables
import pytest
from django.conf import settings
from django.urls import reverse
from django_tables2 import RequestConfig

from indicators import charts, progress, selectors
from indicators.models import Indicator, IndicatorValue
from indicators.progress import Coverage, Light
from indicators.tables import DashboardTable
from indicators.workflow import status
from lib import charts as chart_scale
from lib.charts import base_layout
from objectives.ordering import indicator_key, natural_key
from tests.factories import enter_value, grow_plan, ok

pytestmark = pytest.mark.usefixtures("portal_on")

# --- pure functions ------------------------------------------------------------------------


def test_natural_key_compares_numbers_as_numbers():
    codes = ["V10.1", "OE1.10", "V2.1", "OE1.2", "V9.2", "NAC.1", "OE10.1", "v2.2"]
    assert sorted(codes, key=natural_key) == [
        "NAC.1",
        "OE1.2",
        "OE1.10",
        "OE10.1",
        "V2.1",
        "v2.2",
        "V9.2",
        "V10.1",
    ]


def test_indicator_key_puts_objective_then_variable_then_national():
    rows = [
        ("national", "NAC.1"),
        ("variable", "V10.1"),
        ("variable", "V2.1"),
        ("objective", "OE2.1"),
        ("objective", "OE1.10"),
        ("objective", "OE1.2"),
        ("unknown", "A1"),
    ]
    assert [code for _, code in sorted(rows, key=lambda r: indicator_key(*r))] == [
        "OE1.2",
        "OE1.10",
        "OE2.1",
        "V2.1",
        "V10.1",
        "NAC.1",
        "A1",
    ]


@pytest.mark.parametrize(
    ("validated", "total", "half"),
    [
        (13, 24, True),
        (12, 24, True),  # exactly half is at least half
        (11, 24, False),
        (12, 25, False),
        (13, 25, True),
        (1, 1, True),
        (1, 2, True),
        (0, 1, False),
        (0, 0, False),  # nothing to count is never covered
    ],
)
def test_covers_half(validated, total, half):
    assert progress.covers_half(validated, total) is half
    assert Coverage(validated, total).at_least_half is half


def test_coverage_counts_values_not_zeros():
    assert progress.coverage([D(1), None, D(0), None]) == Coverage(2, 4)
    assert progress.coverage([]) == Coverage(0, 0)


def test_light_shares_add_up_to_100_and_count_grey():
    shares = progress.light_shares([Light.YELLOW, Light.GREY, Light.GREY])
    assert shares is not None
    assert shares[Light.GREEN] == 0 and shares[Light.RED] == 0
    assert shares[Light.GREY] == pytest.approx(2 * shares[Light.YELLOW])
    assert sum(shares.values()) == pytest.approx(100)
    assert progress.light_shares([]) is None


V14 = {2011: D("0.72"), 2012: D("0.70"), 2013: D("63.00"), 2014: D("1.52")}


def test_off_scale_is_the_odd_value_not_its_neighbours():
    assert chart_scale.off_scale_years(V14) == [2013]
    low = {2011: D("50"), 2012: D("52"), 2013: D("0.5"), 2014: D("55")}
    assert chart_scale.off_scale_years(low) == [2013]


@pytest.mark.parametrize(
    "series",
    [
        {2011: D(1), 2012: D(3), 2013: D(9), 2014: D(27), 2015: D(81)},  # steady, no jump
        {2011: D("37.25"), 2012: D("37.50"), 2013: D("39.82"), 2014: D(0)},  # V4: a zero
        {2011: D(1), 2012: D(100)},  # two values: no middle to judge
        {},
    ],
)
def test_nothing_off_scale(series):
    assert chart_scale.off_scale_years(series) == []


def test_axis_range_pads_the_values():
    low, high = chart_scale.axis_range([D("0.70"), D("0.72"), D("1.52")])
    assert low < D("0.70") and D("1.52") < high < D(2)
    assert high - D("1.52") == D("0.70") - low  # the same padding above and below
    assert chart_scale.axis_range([D(2)]) == (D("1.8"), D("2.2"))
    assert chart_scale.axis_range([D(0)]) == (D("-0.1"), D("0.1"))
    assert chart_scale.axis_range([]) is None


def test_layout_keeps_the_legend_off_the_axis_title_and_fits_any_width():
    layout = base_layout("T", x_title="Año", y_title="valor", height=320)
    legend = layout["legend"]
    # At the very bottom of the figure, below the margin plotly grows for the axis's tick
    # labels and title; not a fraction of the plot's height below it (y = -0.2 fell on the
    # title of a 320 px chart).
    assert legend["yref"] == "container" and legend["y"] == 0 and legend["yanchor"] == "bottom"
    assert layout["xaxis"]["automargin"] is True and layout["yaxis"]["automargin"] is True
    assert "width" not in layout and layout["autosize"] is True
    script = Path(settings.BASE_DIR, "static/js/charts.js").read_text(encoding="utf-8")
    assert "responsive: true" in script


# --- pages ---------------------------------------------------------------------------------


def _set_validated(code: str, year: int, value: str) -> None:
    """A validated value as `import_values` without --user stores it (the statuses follow on
    save)."""
    IndicatorValue.objects.update_or_create(
        indicator=Indicator.objects.get(code=code),
        year=year,
        defaults={"value": D(value), "state": "validated"},
    )


@pytest.fixture
def year_2016(registrar_dpe, registrar_dgc, validator):
    enter_value(registrar_dpe, "OE2.1", 2016, 93, 60, validator=validator)  # 97.48 %: green
    enter_value(registrar_dgc, "OE3.1", 2016, 130, 1_000_000, validator=validator)  # yellow


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _codes(html: str, table_id: str) -> list[str]:
    table = html.split(f'id="{table_id}"')[1].split("</table>")[0]
    return re.findall(r'href="/indicadores/([^/]+)/"', table)


@pytest.mark.django_db
def test_published_history_alone_opens_on_the_plans_first_year(client, director_dpe):
    # The document's 2011-2014 history is validated but comes before the plan: 2014 has no
    # target, so the pages open on 2015 and say why.
    client.force_login(director_dpe)
    for name, args in (
        ("home", []),
        ("objective_detail", [2]),
        ("directorates", []),
        ("directorate_detail", ["DPE"]),
        ("report", []),
    ):
        page = _text(ok(client.get(reverse(name, args=args))).content.decode())
        assert (
            "Se muestra 2015: primer año del plan; todavía no hay valores enviados o "
            "validados en 2015-2021." in page
        ), name
        assert "Se muestra 2014" not in page, name
    home = ok(client.get(reverse("home"))).content.decode()
    select = home.split('id="id_anio"')[1].split("</select>")[0]
    assert re.findall(r'value="(\d+)"', select) == [str(y) for y in range(2015, 2022)]


@pytest.mark.django_db
def test_one_sent_value_moves_the_internal_pages_to_its_year(client, director_dpe, registrar_dpe):
    # A value sent (not yet validated) for 2016: one indicator of 24 is enough.
    enter_value(registrar_dpe, "OE2.1", 2016, 93, 60, submit=True)
    assert IndicatorValue.objects.get(indicator__code="OE2.1", year=2016).state == "submitted"
    client.force_login(director_dpe)
    for name, args in (
        ("home", []),
        ("objective_detail", [2]),
        ("directorates", []),
        ("directorate_detail", ["DPE"]),
        ("report", []),
    ):
        page = _text(ok(client.get(reverse(name, args=args))).content.decode())
        assert "Se muestra 2016: último año del plan con valores enviados o validados." in page
    # A year asked for is shown without the explanation.
    page = ok(client.get(reverse("home"), {"anio": 2015})).content.decode()
    assert 'id="year-choice"' not in page


@pytest.mark.django_db
def test_a_year_before_the_plan_is_refused_with_the_reason(client, director_dpe):
    client.force_login(director_dpe)
    for name in ("home", "report", "directorates"):
        response = client.get(reverse(name), {"anio": 2014})
        assert response.status_code == 200
        page = _text(response.content.decode())
        assert (
            "El año 2014 está fuera del horizonte del plan (2015-2021): no tiene metas, "
            "semáforo ni reporte. Se muestra 2015" in page
        ), name
    assert "Reporte de seguimiento 2014" not in _text(
        client.get(reverse("report"), {"anio": 2014}).content.decode()
    )
    for name in ("report_pdf", "report_download"):
        response = client.get(reverse(name, args=[2014]))
        assert response.status_code == 404
        assert (
            "No hay reporte de 2014: el año está fuera del horizonte del plan (2015-2021), "
            "sin metas ni semáforo." in response.content.decode()
        )


@pytest.mark.django_db
def test_coverage_sentences_with_their_counts(client, director_dpe, year_2016):
    client.force_login(director_dpe)
    home = ok(client.get(reverse("home"), {"anio": 2016})).content.decode()
    overall = _text(home.split('id="overall-coverage"')[1].split("</p>")[0])
    assert "2 de 24 indicadores con dato validado en 2016" in overall
    cards = {
        number: _text(card)
        for number, card in re.findall(
            r'/objetivos/(\d)/\?anio=2016">OE\d</a>(.*?)</article>', home, re.S
        )
    }
    assert "1 de 3 indicadores con dato validado en 2016" in cards["2"]  # OE2.1 of 2.1-2.3
    assert "1 de 1 indicador con dato validado en 2016" in cards["3"]
    assert "0 de 2 indicadores con dato validado en 2016" in cards["1"]

    objective = _text(
        ok(client.get(reverse("objective_detail", args=[2]), {"anio": 2016})).content.decode()
    )
    assert "1 de 3 indicadores con dato validado en 2016" in objective

    directorates = ok(client.get(reverse("directorates"), {"anio": 2016})).content.decode()
    assert "Indicadores con dato validado en 2016" in directorates
    dgc = re.search(r'<a href="/direcciones/DGC/\?anio=2016">DGC</a>.*?</tr>', directorates, re.S)
    assert "1 de 3" in _text(dgc.group(0))  # OE3.1, V1.2, NAC.3

    detail = _text(
        ok(client.get(reverse("directorate_detail", args=["DGC"]), {"anio": 2016})).content.decode()
    )
    assert "1 de 3 indicadores con dato validado en 2016" in detail


@pytest.mark.django_db
def test_every_list_is_objective_then_variable_then_national_in_natural_order(
    client, director_dpe, year_2016
):
    client.force_login(director_dpe)
    expected = sorted(
        Indicator.objects.values_list("level", "code"), key=lambda r: indicator_key(*r)
    )
    expected_codes = [code for _, code in expected]
    assert expected_codes[:7] == ["OE1.1", "OE1.2", "OE2.1", "OE2.2", "OE2.3", "OE3.1", "OE4.1"]
    assert expected_codes.index("V2.1") < expected_codes.index("V10.1")
    assert expected_codes[-3:] == ["NAC.1", "NAC.2", "NAC.3"]

    home = ok(client.get(reverse("home"), {"anio": 2016})).content.decode()
    assert _codes(home, "dashboard-table") == expected_codes
    response = ok(client.get(reverse("home"), {"anio": 2016, "_export": "csv"}))
    exported = b"".join(response.streaming_content).decode()
    assert [line.split(",")[0] for line in exported.splitlines()[1:]] == expected_codes
    # Sorting by code is natural too, both ways.
    by_code = ok(client.get(reverse("home"), {"anio": 2016, "sort": "-code"})).content.decode()
    assert _codes(by_code, "dashboard-table") == expected_codes[::-1]

    objective = ok(client.get(reverse("objective_detail", args=[2]), {"anio": 2016}))
    assert _codes(objective.content.decode(), "objective-indicators") == [
        "OE2.1",
        "OE2.2",
        "OE2.3",
    ]
    assert [f.indicator.code for f, _ in objective.context["figures"]] == [
        "OE2.1",
        "OE2.2",
        "OE2.3",
    ]
    detail = ok(client.get(reverse("directorate_detail", args=["DGC"]), {"anio": 2016}))
    assert _codes(detail.content.decode(), "directorate-indicators") == ["OE3.1", "V1.2", "NAC.3"]


@pytest.mark.django_db
def test_light_and_trajectory_are_explained_where_both_appear(client, director_dpe, year_2016):
    client.force_login(director_dpe)
    for name, args in (
        ("home", []),
        ("objective_detail", [2]),
        ("directorate_detail", ["DPE"]),
    ):
        page = ok(client.get(reverse(name, args=args), {"anio": 2016})).content.decode()
        note = _text(page.split('id="light-trajectory-note"')[1].split("</dl>")[0])
        assert "Semáforo compara el valor validado de 2016 con la meta de ese mismo año" in note
        assert "verde desde 95 %" in note and "amarillo desde 75 %" in note
        assert "Trayectoria mira la meta final del plan" in note
        assert "en verde este año y «en riesgo»" in note


@pytest.mark.django_db
def test_directorates_chart_stacks_the_four_lights(client, director_dpe, year_2016):
    client.force_login(director_dpe)
    response = ok(client.get(reverse("directorates"), {"anio": 2016}))
    figure = response.context["figure"]
    assert figure["layout"]["barmode"] == "stack"
    traces = figure["data"]
    assert [t["name"] for t in traces] == [
        "Verde",
        "Amarillo",
        "Rojo",
        "Gris (sin dato validado o sin meta)",
    ]
    assert [t["marker"]["color"] for t in traces] == [charts.LIGHT_COLORS[c] for c in Light]
    dgc = traces[0]["x"].index("DGC")
    shares = [t["y"][dgc] for t in traces]
    assert shares[1] == pytest.approx(100 / 3)  # OE3.1 yellow; V1.2 and NAC.3 grey
    assert shares[3] == pytest.approx(200 / 3)
    assert sum(shares) == pytest.approx(100)
    dpe = traces[0]["x"].index("DPE")
    assert [t["y"][dpe] for t in traces] == pytest.approx([100, 0, 0, 0])  # OE2.1 green
    # The same shares in the table.
    page = response.content.decode()
    row = re.search(r'<a href="/direcciones/DGC/\?anio=2016">DGC</a>.*?</tr>', page, re.S)
    assert "33 % (1)" in row.group(0) and "67 % (2)" in row.group(0)


@pytest.mark.django_db
def test_chart_keeps_the_63_outlier_visible_without_flattening_the_series(client, director_dpe):
    client.force_login(director_dpe)
    figure = ok(client.get(reverse("indicator_detail", args=["OE2.1"]))).context["figure"]
    low, high = figure["layout"]["yaxis"]["range"]
    # The scale of the other values and the targets (2.87 in 2021), not of 63.00.
    assert 2.87 < high < 6.3 and low < 0.70
    validated = next(t for t in figure["data"] if t["name"] == "Valor validado")
    assert 63.0 in validated["y"]  # still in its series (the line leaves the plot there)
    edge = next(t for t in figure["data"] if t["name"].startswith("Valor fuera de escala"))
    assert edge["x"] == [2013] and edge["y"] == [high] and edge["customdata"] == [63.0]
    assert edge["marker"]["symbol"] == ["triangle-up"]
    [note] = figure["layout"]["annotations"]
    assert note["text"] == "63.00 ↑ fuera de escala"
    assert (note["x"], note["y"]) == (2013, high)
    # The objective page draws the same chart.
    page = ok(client.get(reverse("objective_detail", args=[2]), {"anio": 2014}))
    figures = {f.indicator.code: fig for f, fig in page.context["figures"]}
    assert figures["OE2.1"]["layout"]["annotations"][0]["text"] == "63.00 ↑ fuera de escala"


@pytest.mark.django_db
def test_chart_without_an_outlier_keeps_plotlys_own_range(client, director_dpe):
    client.force_login(director_dpe)
    figure = ok(client.get(reverse("indicator_detail", args=["OE1.1"]))).context["figure"]
    assert "range" not in figure["layout"]["yaxis"]
    assert not figure["layout"].get("annotations")


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.index_links: list[str] = []
        self.headings: list[dict] = []
        self._in_index = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.add(attributes["id"])
        if tag == "nav" and attributes.get("id") == "indice":
            self._in_index = True
        if tag == "a" and self._in_index:
            self.index_links.append(attributes["href"])
        if tag == "h2":
            self.headings.append(attributes)

    def handle_endtag(self, tag):
        if tag == "nav":
            self._in_index = False


@pytest.mark.django_db
def test_prospective_page_has_an_index_to_every_section(client, director_dpe):
    client.force_login(director_dpe)
    page = ok(client.get(reverse("prospective"))).content.decode()
    parser = _Anchors()
    parser.feed(page)
    assert "indice" in parser.ids
    targets = [href.removeprefix("#") for href in parser.index_links]
    assert all(href.startswith("#") for href in parser.index_links)
    assert set(targets) <= parser.ids  # every link of the index lands somewhere
    for section in ("tendencias", "variables", "escenarios", "parecido", "riesgos"):
        assert section in targets
    assert "V14" in targets and "V1" in targets  # and each variable
    text = _text(page.split('id="indice"')[1].split("</nav>")[0])
    for label in ("Tendencias", "Variables", "Escenarios", "Riesgos y oportunidades"):
        assert label in text
    assert all(h.get("id") for h in parser.headings)  # every section heading has an id
    sections = re.findall(r"<section id=\"[^\"]+\".*?</section>", page, re.S)
    assert len(sections) == 5
    for section in sections:
        assert '<a href="#indice">Volver al índice</a>' in section


# --- query counts -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("uncached")
def test_query_counts_of_the_tablero_with_and_without_a_year(
    client, validator, year_2016, django_assert_max_num_queries
):
    client.force_login(validator)
    ok(client.get(reverse("home")))  # warm caches (content types, session)
    # session, user, groups; plan years, first year with data; stored statuses complete (2
    # counts); objectives, counts by light and validated value, worst rows per objective;
    # filter choices (objectives, directorates); every row of the year (sorted in natural
    # order in Python), their targets; the user's directorate; menu badge (submitted count)
    with django_assert_max_num_queries(16):
        ok(client.get(reverse("home"), {"anio": 2016}))
    # the same and the coverage of every year, which chooses the year
    with django_assert_max_num_queries(17):
        ok(client.get(reverse("home")))
    # session, user, groups; directorate; plan years, first year; coverage of every year;
    # actions, reports, indicator reads (5); menu badge
    with django_assert_max_num_queries(15):
        ok(client.get(reverse("directorate_detail", args=["DPE"])))


@pytest.mark.django_db
def test_a_card_lists_its_worst_indicators_red_first_in_list_order(client, director_dpe):
    """A card shows CARD_ROWS indicators: the worst light first, each light in list order
    (SYN.2 before SYN.10, not the string order), and links the rest by their number."""
    grow_plan(12)  # SYN.0 .. SYN.11 on OE2, each 1.2 against a target of 1.3: yellow
    IndicatorValue.objects.filter(indicator__code__in=["SYN.0", "SYN.1"], year=2016).update(
        value=D("0.1")
    )
    status.refresh()
    client.force_login(director_dpe)
    home = ok(client.get(reverse("home"), {"anio": 2016})).content.decode()
    card = home.split('/objetivos/2/?anio=2016">OE2</a>')[1].split("</article>")[0]
    listed = re.findall(r'href="/indicadores/([^/]+)/"', card)
    lights = dict(re.findall(r'href="/indicadores/([^/]+)/".*?class="light light-(\w+)"', card))
    # The string order would put SYN.10 and SYN.11 right after the red ones.
    assert listed == [f"SYN.{n}" for n in range(8)]
    assert [lights[code] for code in listed] == [Light.RED.value] * 2 + [Light.YELLOW.value] * 6
    # OE2.1 to OE2.3 and the twelve: 15 on the card's objective, 8 shown.
    assert "y 7 más</a>" in card


class _Awkward(tables.Table):
    """Cells the row tag leaves to django-tables2 (a link, a callable accessor, a display
    label), next to plain ones."""

    code = tables.Column(linkify=lambda record: f"/x/{record.pk}/")
    level = tables.Column()  # a field with choices: its label
    shown = tables.Column(accessor="indicator__code", default="ninguno")
    label = tables.Column(accessor="__str__")

    def render_shown(self, value, record, bound_row):
        return f"{value}·{record.pk % 2}·{bound_row.record.pk}"


@pytest.mark.django_db
def test_the_row_tag_writes_the_stock_templates_bytes(year_2016, rf):
    """Each table, rendered with the row tag and with django-tables2's own template."""
    statuses = selectors.tablero_statuses(year=2016, indicators=Indicator.objects.all())
    request = rf.get("/", {"sort": "-light"})

    def both(make):
        ours, stock = make(), make()
        stock.template_name = "django_tables2/table.html"
        for table in (ours, stock):
            RequestConfig(request, paginate=False).configure(table)
        return ours.as_html(request), stock.as_html(request)

    dashboard = both(lambda: DashboardTable(selectors.tablero_rows(statuses=statuses)))
    assert dashboard[0] == dashboard[1] and dashboard[0].count("<tr ") == 24
    assert "sin dato" in dashboard[0] and "light-yellow" in dashboard[0]

    class AwkwardOnTag(_Awkward):
        class Meta:
            template_name = "indicators/_dashboard_table.html"

    indicators = list(Indicator.objects.order_by("pk")[:6])
    for i in indicators:
        i.indicator = None if i.pk % 3 else i
    awkward = both(lambda: AwkwardOnTag(indicators))
    assert awkward[0] == awkward[1]
    assert '<a href="/x/' in awkward[0] and "ninguno" in awkward[0]
    assert Indicator.Level(indicators[0].level).label in awkward[0]
