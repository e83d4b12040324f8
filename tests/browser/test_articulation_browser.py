"""The matriz de articulación in the browser, at desktop and phone width, with the made-up
PEI (PEI-EJEMPLO, loaded only by tests) articulated to the PESEM: a director chooses the year
and reads what feeds OE4. Axe finds no serious or critical violation, and nothing scrolls
sideways on the phone."""

import pytest

from tests.factories import (
    click_and_load,
    load_example_pei,
    make_staff,
    open_session,
    page_problems,
    problems_report,
)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_a_director_reads_what_feeds_each_pesem_objective(
    plan_tx, django_user_model, browser, live_server, viewport
):
    make_staff(django_user_model, "dir.dpe", "director", "DPE")
    load_example_pei()
    context, page = open_session(browser, live_server, viewport, "dir.dpe")
    try:
        response = page.goto(f"{live_server.url}/plan/")
        assert response is not None and response.status == 200
        click_and_load(page, page.get_by_role("link", name="matriz de articulación"))
        page.get_by_label("Año").select_option("2024")
        click_and_load(page, page.get_by_role("button", name="Ver"))
        problems = page_problems(page, viewport, "matriz de articulación")
        oe4 = page.locator("#oes-OE4")
        click_and_load(
            page, oe4.get_by_role("link", name="Ver los indicadores del PEI-EJEMPLO").first
        )
        oe4 = page.locator("#oes-OE4").inner_text()
        assert "IND.OEI.01" in oe4 and "1,320.0" in oe4 and "verde" in oe4
        problems += page_problems(page, viewport, "matriz de articulación (un plan)")
    finally:
        context.close()
    assert not problems, problems_report(problems)
