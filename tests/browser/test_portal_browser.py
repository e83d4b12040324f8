"""A citizen on a phone opens the public portal, without an account: the plan's home and an
objective with its charts, drawn by our own plotly.js, nothing fetched from another host. At
desktop and phone width the home says which year it shows and why, shows when the data last
changed and whom to ask, and links the API's documentation page; axe finds nothing serious on
either."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.factories import VIEWPORTS, click_and_load

pytestmark = pytest.mark.browser


def test_portal_home_and_objective_at_phone_width(plan_tx, settings, page, live_server):
    settings.PESEM_PUBLIC_PORTAL = True
    external = []
    page.on(
        "request",
        lambda r: (
            external.append(r.url)
            if not r.url.startswith(live_server.url) and not r.url.startswith("data:")
            else None
        ),
    )
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(live_server.url + "/publico/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Plan Estratégico")
    assert page.locator("#oe3").is_visible()
    assert "gris" in page.locator("#oe3 .counts").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll

    page.locator("#oe2 h3 a").click()
    assert page.get_by_role("heading", level=1).inner_text() == "¿Cómo avanza el OE2?"
    page.wait_for_selector("[data-figure='chart-OE2.1'][data-drawn='true']")
    chart = page.locator("[data-figure='chart-OE2.1']")
    assert chart.locator("svg.main-svg").count() >= 1  # drawn by plotly.js from our static
    box = chart.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert "OE2.1" in page.locator("#portal-indicators").inner_text()

    page.get_by_role("link", name="Ver la ficha y la tabla de valores de OE2.1").click()
    page.wait_for_selector("[data-figure='indicator-chart'][data-drawn='true']")
    assert "Ficha técnica" in page.content()
    assert external == []  # no request left our own host


def _serious(page) -> list[str]:
    """axe-core's serious and critical findings on the page (none expected)."""
    results = Axe().run(page)
    return [
        f"{v['id']} [{v['impact']}]: "
        + "; ".join(", ".join(map(str, n["target"])) for n in v["nodes"][:5])
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def _foreign_requests(page, live_server) -> list[str]:
    requests: list[str] = []
    page.on(
        "request",
        lambda r: (
            requests.append(r.url)
            if not r.url.startswith(live_server.url) and not r.url.startswith("data:")
            else None
        ),
    )
    return requests


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_portal_home_says_its_year_shows_its_facts_and_links_the_api(
    plan_tx, settings, browser, live_server, viewport
):
    settings.PESEM_PUBLIC_PORTAL = True
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="es-PE")
    page = context.new_page()
    try:
        external = _foreign_requests(page, live_server)
        page.goto(live_server.url + "/publico/")
        # Only the document's history is validated (before the plan): the plan's first year.
        assert (
            page.locator("#year-choice")
            .inner_text()
            .startswith("Se muestra 2015: primer año del plan; todavía no hay valores validados")
        )
        assert page.locator("#id_anio").input_value() == "2015"
        facts = page.locator("#portal-facts").inner_text()
        assert "Contacto: Dirección General de Estudios" in facts
        assert "Última actualización: todavía no hay datos validados." in facts
        assert (
            page.get_by_role("navigation", name="Portal público")
            .get_by_role("link", name="API")
            .is_visible()
        )
        assert _serious(page) == []
        width = VIEWPORTS[viewport]["width"]
        assert page.evaluate("document.documentElement.scrollWidth") <= width

        click_and_load(
            page,
            page.get_by_role("navigation", name="Portal público").get_by_role("link", name="API"),
        )
        assert page.get_by_role("heading", level=1).inner_text().startswith("PESEM: API de lectura")
        assert page.evaluate("document.documentElement.lang") == "es-PE"
        assert page.locator("#api-v1-statuses").is_visible()
        assert _serious(page) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert external == []
    finally:
        context.close()
