"""A citizen on a phone opens the public portal, without an account: the plan's home and an
objective with its charts, drawn by our own plotly.js, nothing fetched from another host."""

import pytest

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
