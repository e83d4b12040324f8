"""The entry grid in Chromium: what a number gives is shown while typing (computed on the
server, Peruvian format), an absurd value is warned in words and asks for a justification,
Tab follows the reading order, Enter in a field submits nothing, the buttons do."""

import pytest

from indicators.models import IndicatorValue
from tests.conftest import make_staff

pytestmark = pytest.mark.browser


def test_grid_preview_warnings_and_enter(plan_tx, django_user_model, page, login, live_server):
    make_staff(django_user_model, "reg.dgc", "registrador", "DGC")
    login("reg.dgc", "clave-segura-1")
    page.goto(f"{live_server.url}/pendientes/?anio=2016")
    page.locator("#grid-link").click()
    assert page.get_by_role("heading", level=1).inner_text() == (
        "¿Qué valores registra DGC para 2016?"
    )

    revenue = page.locator("tr.grid-row[data-code='NAC.3']")
    value = revenue.get_by_label("Valor", exact=True)
    value.fill("938,178")
    output = revenue.locator("[data-out='value']")
    page.wait_for_function("el => el.textContent === '938,178'", arg=output.element_handle())
    assert revenue.locator("[data-out='achievement']").inner_text() == "100.0 %"
    assert revenue.locator("[data-out='warnings'] li").count() == 0
    assert revenue.locator("[data-justification]").is_hidden()

    value.fill("3,200,000")  # an absurd revenue for the year: 341 % of the target
    page.wait_for_function("el => el.textContent === '3,200,000'", arg=output.element_handle())
    warning = revenue.locator("[data-out='warnings'] li").first
    warning.wait_for()
    assert "más del 200 %" in warning.inner_text()
    assert revenue.locator("[data-justification]").is_visible()

    consular = page.locator("tr.grid-row[data-code='OE3.1']")
    numerator = consular.get_by_label("Numerador")
    numerator.fill("3,200,000")
    consular.get_by_label("Denominador").fill("2,850,000")
    page.wait_for_function(
        "el => el.textContent === '11,228.07'",
        arg=consular.locator("[data-out='value']").element_handle(),
    )
    consular.locator("[data-out='warnings'] li").first.wait_for()
    warnings = consular.locator("[data-out='warnings']").inner_text()
    assert "más de 5 veces el de 2014 (1.62)" in warnings

    # Tab goes on in reading order: numerator, then denominator of the same row.
    numerator.focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name").endswith("-denominator")

    # Enter in a field submits nothing: the page stays, nothing is stored.
    page.evaluate("window.stillHere = true")
    value.focus()
    page.keyboard.press("Enter")
    page.wait_for_timeout(700)
    assert page.evaluate("window.stillHere === true")
    assert not IndicatorValue.objects.filter(year=2016).exists()

    # The buttons still work.
    numerator.fill("450")
    page.get_by_role("button", name="Guardar borrador").click()
    page.wait_for_load_state("networkidle")
    assert "guardada como borrador" in page.locator(".messages").inner_text()
    stored = IndicatorValue.objects.get(indicator__code="NAC.3", year=2016)
    assert stored.state == "draft" and stored.warnings
