"""A target revision in the browser, at desktop and phone width: one person of the planning
office proposes it from the indicator page with its resolution (typed as Peru writes
numbers), the revisions page tells them another person must decide it, and a colleague
approves it; the indicator page then shows the new target and the history. Axe finds no
serious or critical violation on either page, and nothing scrolls sideways on the phone."""

from decimal import Decimal as D

import pytest

from indicators.models import Target, TargetRevision
from tests.factories import open_session, page_problems, problems_report

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_a_revision_is_proposed_by_one_person_and_approved_by_another(
    office, browser, live_server, viewport
):
    context, page = open_session(browser, live_server, viewport, "val.opp")
    try:
        response = page.goto(f"{live_server.url}/indicadores/OE3.1/")
        assert response is not None and response.status == 200
        problems = page_problems(page, viewport, "indicador")
        form = page.locator("form.target-form")
        form.get_by_label("Año").fill("2018")
        form.get_by_label("Nueva meta").fill("1,234.5")
        form.get_by_label("Sustento (interno)").fill("Meta revisada por la Alta Dirección")
        # Without its resolution a modification is refused; what was typed stays.
        form.get_by_role("button", name="Proponer revisión").click()
        page.wait_for_load_state("load")
        assert "Indique la resolución" in page.locator("#target-errors").inner_text()
        assert page.get_by_label("Nueva meta").input_value() == "1,234.5"
        problems += page_problems(page, viewport, "indicador (revisión rechazada)")
        form = page.locator("form.target-form")
        form.get_by_label("Tipo de resolución").fill("Resolución Ministerial")
        form.get_by_label("Número de resolución").fill("0123-2019-RE")
        form.get_by_label("Fecha de la resolución").fill("2019-03-15")
        form.get_by_role("button", name="Proponer revisión").click()
        page.wait_for_load_state("load")
        assert "otra persona de la oficina de planeamiento debe aprobarla" in page.content()
        revisions = page.locator("#target-revisions")
        assert "1,234.50" in revisions.inner_text() and "pendiente" in revisions.inner_text()

        page.get_by_role("link", name="Revisiones de metas").first.click()
        page.wait_for_load_state("load")
        assert "Usted la propuso" in page.locator("#proposed").inner_text()
        assert page.get_by_role("button", name="Aprobar").count() == 0
        problems += page_problems(page, viewport, "revisiones de metas")
    finally:
        context.close()
    assert TargetRevision.objects.get().state == "propuesta"

    context, page = open_session(browser, live_server, viewport, "val2.opp")
    try:
        response = page.goto(f"{live_server.url}/metas/revisiones/")
        assert response is not None and response.status == 200
        page.get_by_role("button", name="Aprobar").click()
        page.wait_for_load_state("load")
        assert "aprobada: es la meta vigente" in page.content()
        problems += page_problems(page, viewport, "revisiones de metas (decidida)")
        page.goto(f"{live_server.url}/indicadores/OE3.1/")
        assert "aprobada" in page.locator("#target-revisions").inner_text()
    finally:
        context.close()
    assert not problems, problems_report(problems)
    assert Target.objects.get(indicator__code="OE3.1", year=2018).value == D("1234.5")
