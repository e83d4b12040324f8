"""The matriz de articulación (/articulacion/): each objective of the PESEM with the objectives
of the PEIs that articulate to it, their indicators and their status in the chosen year. The
made-up PEI (PEI-EJEMPLO, loaded only by tests) feeds OE4 with two objectives; its indicators'
statuses are stored for its own horizon (2024-2027), and the PESEM's stay as they were."""

import pytest

from indicators.models import IndicatorYearStatus
from tests.factories import load_example_pei, logged_in, ok, readable

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

PAGE = "/articulacion/"


def section(page: str, code: str) -> str:
    return page.split(f'id="oes-{code}"')[1].split("</section>")[0]


def test_without_a_pei_the_page_says_so(planning_office):
    page = readable(ok(logged_in(planning_office.director).get(PAGE)))
    assert "Ningún plan se articula todavía al PESEM" in page


def test_each_pesem_objective_shows_what_feeds_it_and_its_status(
    planning_office, django_assert_max_num_queries
):
    pesem_statuses = set(
        IndicatorYearStatus.objects.filter(indicator__plan__code="PESEM-RREE").values_list(
            "indicator_id", "year", "light", "target"
        )
    )
    load_example_pei()
    assert (
        set(
            IndicatorYearStatus.objects.filter(indicator__plan__code="PESEM-RREE").values_list(
                "indicator_id", "year", "light", "target"
            )
        )
        == pesem_statuses
    )
    assert sorted(
        IndicatorYearStatus.objects.filter(indicator__code="IND.OEI.01").values_list(
            "year", flat=True
        )
    ) == [2024, 2025, 2026, 2027]
    client = logged_in(planning_office.director)
    client.get(PAGE)  # session, user
    with django_assert_max_num_queries(12):
        page = readable(ok(client.get(PAGE, {"anio": 2024})))
    oe4 = section(page, "OE4")
    # One row per PEI objective: its indicators counted by light (grey: no value or target).
    oei1 = oe4.split("OEI.01. Mejorar la gestión de la cooperación técnica internacional")[1]
    assert oei1.split("</tr>")[0].replace("\n", "").replace(" ", "") == (
        "</td><td>2</td><td>1</td><td>0</td><td>0</td><td>1</td>"
    )
    assert "OEI.02. Modernizar la gestión institucional" in oe4
    assert "IND.OEI.01" not in oe4  # the indicators are listed for a chosen plan
    assert "Ningún objetivo de un PEI se articula a este objetivo." in section(page, "OE1")
    assert '<option value="2027">2027</option>' in page
    assert '<option value="2024" selected>2024</option>' in page
    assert 'href="?anio=2024&amp;plan=PEI-EJEMPLO#oes-OE4"' in oe4
    with django_assert_max_num_queries(14):
        page = readable(ok(client.get(PAGE, {"anio": 2024, "plan": "PEI-EJEMPLO"})))
    oe4 = section(page, "OE4")
    row = oe4.split("IND.OEI.01. Monto de cooperación canalizada")[1].split("</tr>")[0]
    assert "<td>1,320.0</td><td>1,300.0</td>" in row and "verde" in row
    assert "IND.AEI.01.02. Porcentaje de ONGD registradas en línea" in oe4
    assert "Sin indicadores." in oe4  # OEI.02 has none
    # 2026: no value yet, its target interpolated between 2024 and 2027.
    later = section(readable(ok(client.get(PAGE, {"anio": 2026, "plan": "PEI-EJEMPLO"}))), "OE4")
    assert "<td>sin dato</td><td>1,433.3" in later.split("IND.OEI.01.")[1]
