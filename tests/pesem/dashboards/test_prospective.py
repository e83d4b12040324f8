"""The prospective analysis page (/prospectiva/) against the loaded plan."""

import json
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from indicators.models import Indicator, IndicatorValue, WorkflowState
from tests.factories import built, ok

pytestmark = pytest.mark.django_db

URL = reverse("prospective")


def row(page: str, row_id: str) -> str:
    match = re.search(rf'<tr[^>]*id="{re.escape(row_id)}"[^>]*>(.*?)</tr>', page, re.DOTALL)
    assert match, f"no row {row_id}"
    return match.group(1)


def table(page: str, table_id: str) -> str:
    match = re.search(rf'<table[^>]*id="{re.escape(table_id)}"[^>]*>(.*?)</table>', page, re.DOTALL)
    assert match, f"no table {table_id}"
    return match.group(1)


def cells(fragment: str) -> list[str]:
    texts = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", fragment, re.DOTALL)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", t)).strip() for t in texts]


def body_rows(fragment: str) -> list[list[str]]:
    """Cell texts of each row in the table's body."""
    body = re.search(r"<tbody>(.*?)</tbody>", fragment, re.DOTALL).group(1)
    return [cells(r) for r in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.DOTALL)]


class ExternalRefs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in {"src", "href", "action"} and value and re.match(r"(https?:)?//", value):
                self.found.append(f"<{tag} {name}={value}>")


def external_refs(page: str) -> list[str]:
    parser = ExternalRefs()
    parser.feed(page)
    return parser.found


# --- access -------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("user", ["plain_user", "registrar_dgc", "validator", "director_dpe"])
def test_every_role_sees_the_page(client, request, user):
    client.force_login(request.getfixturevalue(user))
    response = client.get(URL)
    assert response.status_code == 200
    assert "¿Qué supuso el plan sobre el mundo?" in response.content.decode()


# --- trends -------------------------------------------------------------------------------


def test_trend_scores_in_peruvian_format(client, plain_user):
    client.force_login(plain_user)
    page = ok(client.get(URL)).content.decode()
    t7 = cells(row(page, "tendencia-7"))
    assert t7[0] == "7"
    assert t7[2:7] == ["4", "5", "5", "4.67", "4.67"]  # ratings, computed, published
    t13 = cells(row(page, "tendencia-13"))
    assert t13[2:7] == ["4", "3", "4", "3.67", "3.67"]
    assert len(re.findall(r'<tr id="tendencia-\d+"', page)) == 23


def test_trend_table_marks_impacted_components(client, plain_user):
    client.force_login(plain_user)
    page = ok(client.get(URL)).content.decode()
    assert cells(row(page, "tendencia-16"))[-4:] == ["no", "no", "no", "sí"]
    assert cells(row(page, "tendencia-10"))[-4:] == ["sí", "sí", "sí", "sí"]


def test_heatmap_is_23_trends_by_4_components(client, plain_user):
    client.force_login(plain_user)
    response = ok(client.get(URL))
    page = response.content.decode()
    embedded = re.search(
        r'<script id="trend-heatmap" type="application/json">(.*?)</script>', page, re.DOTALL
    )
    assert embedded, "heatmap JSON not embedded with json_script"
    figure = json.loads(embedded.group(1))
    assert figure == response.context["trend_heatmap"]
    heatmap = figure["data"][0]
    assert heatmap["type"] == "heatmap"
    assert len(heatmap["z"]) == 23 and all(len(r) == 4 for r in heatmap["z"])
    assert heatmap["y"][15] == "T16" and heatmap["x"] == ["C1", "C2", "C3", "C4"]
    assert heatmap["z"][15] == [0, 0, 0, 1]  # trend 16 only impacts component 4
    assert heatmap["z"][0] == [0, 0, 1, 0]
    assert figure["layout"]["title"]["text"].startswith("Componentes")
    assert figure["layout"]["xaxis"]["title"]["text"] == "Componente"
    assert figure["layout"]["yaxis"]["title"]["text"] == "Tendencia"
    assert 'data-figure="trend-heatmap"' in page


# --- variables ----------------------------------------------------------------------------


def test_variables_with_groups(client, plain_user):
    client.force_login(plain_user)
    page = ok(client.get(URL)).content.decode()
    for number in range(1, 15):
        assert f'id="V{number}"' in page
    groups = body_rows(table(page, "variable-groups"))
    assert groups == [
        ["G1", "Ámbito bilateral", "V2 V3 V4 V5 V6 V7 V8 V9 V11 V12 V14"],
        ["G2", "Ámbito multilateral", "V6 V8 V9 V10 V11 V13"],
        ["G3", "Ámbito consular", "V1"],
    ]


def test_v14_table_keeps_the_2013_jump(client, plain_user):
    client.force_login(plain_user)
    page = ok(client.get(URL)).content.decode()
    v14 = table(page, "tabla-V14")
    assert cells(v14)[:5] == ["Indicador", "2011", "2012", "2013", "2014"]
    assert cells(v14)[6:] == ["0.72", "0.70", "63.00", "1.52"]


def test_missing_year_is_a_gap_never_zero(client, plain_user):
    client.force_login(plain_user)
    page = ok(client.get(URL)).content.decode()
    v1 = cells(table(page, "tabla-V1"))  # V1.1 has 2014 only, V1.2 has 2013 only
    assert v1[:3] == ["Indicador", "2013", "2014"]
    assert v1[4:6] == ["sin dato", "1.62"]
    assert v1[7:9] == ["0.91", "sin dato"]
    chart = next(
        fig
        for block, fig in built(client, URL).context["variable_charts"]
        if block.variable.number == 1
    )
    assert [t["y"] for t in chart["data"]] == [[None, 1.62], [0.91, None]]
    assert chart["data"][0]["connectgaps"] is False


def test_only_validated_values_are_counted(client, plain_user):
    indicator = Indicator.objects.get(code="OE2.1")
    IndicatorValue.objects.create(
        indicator=indicator, year=2015, value="99.5", state=WorkflowState.SUBMITTED
    )
    client.force_login(plain_user)
    page = ok(client.get(URL)).content.decode()
    v14 = cells(table(page, "tabla-V14"))
    assert "2015" not in v14 and "99.50" not in page


def test_variable_without_validated_values_says_so(client, plain_user):
    client.force_login(plain_user)
    response = ok(client.get(URL))
    page = response.content.decode()
    assert 'id="tabla-V6"' not in page
    v6 = re.search(r'<article class="variable" id="V6">(.*?)</article>', page, re.DOTALL).group(1)
    assert "Sin valores validados" in v6
    assert 'href="/actores/variable/V6/"' in v6


# --- scenarios ----------------------------------------------------------------------------


def test_scenarios_with_group_directions(client, plain_user):
    client.force_login(plain_user)
    page = ok(client.get(URL)).content.decode()
    assert [r[:4] for r in body_rows(table(page, "scenarios"))] == [
        ["N° 1", "+1 mejora", "-1 empeora", "+1 mejora"],
        ["N° 2", "0 se mantiene", "-1 empeora", "+1 mejora"],
        ["N° 3", "+1 mejora", "+1 mejora", "+1 mejora"],
    ]


def test_resemblance_reasoning_for_the_loaded_plan(client, plain_user):
    """Plan data only: V12.1 fell from 0.78 (2011) to 0.59 (2012) and has no value from 2014
    on; every other indicator has a single value from 2014 on or none. So G1 worsens, G2 and
    G3 stay, and every scenario differs in the three groups: a three-way tie."""
    client.force_login(plain_user)
    page = ok(client.get(URL)).content.decode()
    movements = table(page, "indicator-movements")
    v12 = re.search(r"<tr><th scope=\"row\">OE4.1.*?</tr>", movements, re.DOTALL).group(0)
    assert cells(v12) == [
        "OE4.1 (V12.1)",
        "V12",
        "G1",
        "0.78 (2011)",
        "0.59 (2012)",
        "-24.4 %",
        "serie completa (sin valores desde 2014)",
        "-1 empeora",
    ]
    v14 = re.search(r"<tr><th scope=\"row\">OE2.1.*?</tr>", movements, re.DOTALL).group(0)
    assert cells(v14)[3:] == ["1.52 (2014)", "1.52 (2014)", "0.0 %", "desde 2014", "0 se mantiene"]
    assert "sin datos" in movements  # V6.1 and others have no validated value

    groups = body_rows(table(page, "group-directions"))
    assert [(g[0][:2], g[2], g[3]) for g in groups] == [
        ("G1", "-1", "-1 empeora"),
        ("G2", "0", "0 se mantiene"),
        ("G3", "0", "0 se mantiene"),
    ]
    matches = table(page, "scenario-matches")
    assert matches.count("no coincide") == 9
    most_similar = re.search(r'<p class="conclusion" id="most-similar">(.*?)</p>', page, re.DOTALL)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", most_similar.group(1)))
    assert "Empate" in text and "N° 1, N° 2 y N° 3" in text and "3 de 3 grupos" in text


def test_new_validated_values_change_the_most_similar_scenario(client, plain_user):
    """Before: a three-way tie. Validated 2015 values where G1 and G3 rise and G2 falls make
    reality match scenario 1 (G1 +1, G2 -1, G3 +1) exactly."""
    client.force_login(plain_user)
    before = ok(client.get(URL)).context["overview"]
    assert [s.number for s in before.most_similar] == [1, 2, 3]

    def validated(code: str, value: str) -> None:
        IndicatorValue.objects.create(
            indicator=Indicator.objects.get(code=code),
            year=2015,
            value=value,
            state=WorkflowState.VALIDATED,
        )

    validated("OE2.1", "1.80")  # V14.1, G1: up from 1.52
    validated("V2.2", "0.90")  # G1: up from 0.80
    validated("V5.1", "0.40")  # G1: up from 0.33
    validated("V9.2", "0.50")  # V9 is in G1 and G2: down from 0.98
    validated("OE3.1", "2.00")  # V1.1, G3: up from 1.62
    # G1: three rises, V9.2's fall and V12.1's fall (2011-2012) sum to +1.
    after = ok(client.get(URL))
    overview = after.context["overview"]
    assert [g.observation.direction for g in overview.group_rows] == [1, -1, 1]
    assert [s.number for s in overview.most_similar] == [1]
    assert [s.distance for s in overview.scenarios] == [0, 1, 1]
    page = after.content.decode()
    assert "se parece más al escenario exploratorio N° 1" in page


# --- risks and opportunities --------------------------------------------------------------


def test_risks_and_opportunities_grouped_by_scenario(client, plain_user):
    client.force_login(plain_user)
    page = ok(client.get(URL)).content.decode()
    blocks = {
        n: re.search(
            rf'<article class="risk-block" id="riesgos-escenario-{n}">(.*?)</article>',
            page,
            re.DOTALL,
        ).group(1)
        for n in (1, 2, 3)
    }
    # Risk 1 belongs to scenarios 1, 2 and 3: it appears under each.
    for n in (1, 2, 3):
        assert "<strong>R1.</strong>" in blocks[n]
    assert (
        "Riesgos (10)" in blocks[1] and "Riesgos (12)" in blocks[2] and "Riesgos (8)" in blocks[3]
    )
    assert "Oportunidades (8)" in blocks[1] and "Oportunidades (3)" in blocks[2]
    assert "Oportunidades (10)" in blocks[3]
    assert "<strong>R11.</strong>" in blocks[2] and "<strong>R11.</strong>" not in blocks[1]
    assert "<strong>O12.</strong>" in blocks[3] and "<strong>O12.</strong>" not in blocks[2]


# --- page hygiene -------------------------------------------------------------------------


def test_no_resource_from_another_host(client, plain_user):
    client.force_login(plain_user)
    page = ok(client.get(URL)).content.decode()
    assert external_refs(page) == []
    assert "<script>" not in page  # no inline script: data goes through json_script
    assert "/static/vendor/plotly.min.js" in page


@pytest.mark.usefixtures("uncached")
def test_query_count_is_bounded(client, plain_user, django_assert_max_num_queries):
    client.force_login(plain_user)
    # session, user, user's groups (navigation); components; trends, trend components;
    # variable groups; variables, variables' groups; variable indicators (+ variable),
    # their validated values; scenarios, scenario directions; risks and opportunities,
    # their scenarios
    with django_assert_max_num_queries(15):
        assert client.get(URL).status_code == 200


@pytest.mark.usefixtures("uncached")
def test_query_count_does_not_grow_with_values(client, plain_user, django_assert_max_num_queries):
    for indicator in Indicator.objects.filter(variable__isnull=False):
        for year in range(2015, 2019):
            IndicatorValue.objects.update_or_create(
                indicator=indicator,
                year=year,
                defaults={"value": year - 2000, "state": WorkflowState.VALIDATED},
            )
    client.force_login(plain_user)
    with django_assert_max_num_queries(15):  # the same 15 queries as above
        assert client.get(URL).status_code == 200
