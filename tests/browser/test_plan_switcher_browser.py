"""Another plan's pages in the browser, at desktop and phone width, with the made-up PEI
(PEI-EJEMPLO, semestral, loaded only by tests): a registrar of the PEI's own «DGC» signs in,
starts in the PEI, finds the plan switcher, types the first semester's value in the grid of
the period and reads it against the year's target. Axe finds no serious or critical
violation, and nothing scrolls sideways on the phone."""

from decimal import Decimal as D

import pytest

from indicators.entry import semesters
from indicators.models import SemesterValue
from objectives import plans
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
def test_a_pei_registrar_types_a_semester_in_the_pei(
    plan_tx, django_user_model, browser, live_server, viewport
):
    load_example_pei()
    make_staff(django_user_model, "reg.ejemplo", "registrador", "DGC", entity="EJEMPLO")
    context, page = open_session(browser, live_server, viewport, "reg.ejemplo")
    try:
        response = page.goto(f"{live_server.url}/")
        assert response is not None and response.status == 200
        assert "/planes/PEI-EJEMPLO/" in page.url  # their entity's plan
        assert "Seguimiento del PEI · PEI-EJEMPLO" in page.locator("header").inner_text()
        if viewport == "phone" and not page.get_by_role("link", name="Planes").is_visible():
            page.get_by_role("button", name="Menú").click()
        click_and_load(page, page.get_by_role("link", name="Planes"))
        listed = page.locator("#plan-list").inner_text()
        assert "PEI-EJEMPLO" in listed and "PESEM-RREE" not in listed
        problems = page_problems(page, viewport, "planes")
        page.goto(f"{live_server.url}/planes/PEI-EJEMPLO/direcciones/DGC/2024/registro/")
        click_and_load(page, page.locator("#semester-links").get_by_role("link", name="2024-S1"))
        page.get_by_label("Valor de IND.OEI.01 en 2024-S1").fill("650.5")
        click_and_load(page, page.get_by_role("button", name="Guardar y enviar a validación"))
        grid = page.locator("#semester-grid").inner_text()
        assert "650.5" in grid and "50.0 %" in grid and "enviado" in grid
        problems += page_problems(page, viewport, "registro del semestre")
    finally:
        context.close()
    stored = SemesterValue.objects.get(indicator__code="IND.OEI.01", year=2024, semester=1)
    assert stored.value == D("650.5") and stored.state == "submitted"
    assert not problems, problems_report(problems)


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_planning_office_validates_a_semester_and_reads_its_report(
    plan_tx, django_user_model, browser, live_server, viewport
):
    """The made-up PEI (PEI-EJEMPLO, not real data): a sent 2024-S1 waits in «Mis tareas»;
    the planning office validates it on its grid, reads the semestral calendar and the
    report's «Avance por semestre»."""
    pei = load_example_pei()
    registrar = make_staff(django_user_model, "reg.ejemplo", "registrador", "DGC", entity="EJEMPLO")
    make_staff(django_user_model, "val.opp", "validador", "OPP")
    indicator = pei.indicators.get(code="IND.OEI.01")
    with plans.showing("PEI-EJEMPLO"):
        semesters.semester_save(
            user=registrar,
            plan=pei,
            directorate=indicator.responsible,
            year=2024,
            semester=1,
            rows=[semesters.SemesterInput(indicator.pk, "650.5", "", None)],
            submit=True,
        )
    context, page = open_session(browser, live_server, viewport, "val.opp")
    try:
        page.goto(f"{live_server.url}/planes/PEI-EJEMPLO/validacion/")
        assert "DGC 2024-S1" in page.locator("#semester-queues").inner_text()
        problems = page_problems(page, viewport, "validación (semestres)")
        page.goto(f"{live_server.url}/planes/PEI-EJEMPLO/mis-tareas/")
        queue = page.locator("#semester-queues")
        problems += page_problems(page, viewport, "mis tareas (semestres)")
        click_and_load(page, queue.get_by_role("link", name="DGC 2024-S1"))
        problems += page_problems(page, viewport, "registro del semestre (validación)")
        click_and_load(page, page.get_by_role("button", name="Validar"))
        assert "IND.OEI.01 2024-S1: validado." in page.locator(".messages").inner_text()
        page.goto(f"{live_server.url}/planes/PEI-EJEMPLO/calendario/")
        assert "2024-S1" in page.locator("#calendar").inner_text()
        problems += page_problems(page, viewport, "calendario semestral")
        page.goto(f"{live_server.url}/planes/PEI-EJEMPLO/reporte/?anio=2024")
        table = page.locator("#semester-table").inner_text()
        assert "650.5" in table and "50.0 %" in table
        problems += page_problems(page, viewport, "reporte (avance por semestre)")
    finally:
        context.close()
    assert not problems, problems_report(problems)
    stored = SemesterValue.objects.get(indicator=indicator, year=2024, semester=1)
    assert stored.state == "validated"
