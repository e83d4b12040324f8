"""Plan versions in the browser, at desktop and phone width: one person of the planning
office looks at a modificación's grid, chooses an ampliación's new horizon, types the
resolution and a new year's target as Peru writes numbers, previews the difference against
the version in force and proposes it; another approves it. Axe finds no serious or critical
violation, and nothing scrolls sideways on the phone."""

import io
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from objectives.models import Plan, PlanVersion
from pesem.planio import workbook
from tests.factories import (
    click_and_load,
    example_pei_workbook,
    load_example_pei,
    open_session,
    page_problems,
    plan_extension_workbook,
    problems_report,
)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_an_extension_is_previewed_proposed_and_approved_by_another_person(
    office, browser, live_server, viewport
):
    context, page = open_session(browser, live_server, viewport, "val.opp")
    try:
        # A modificación's grid brings the targets in force, one field per year of the horizon.
        response = page.goto(f"{live_server.url}/plan/versiones/?tipo=modificacion")
        assert response is not None and response.status == 200
        assert page.get_by_label("Meta 2021 de OE3.1").input_value() != ""
        problems = page_problems(page, viewport, "versiones del plan (modificación)")
        click_and_load(page, page.get_by_role("link", name="Ampliación"))
        page.get_by_label("Extender el horizonte 2015-2021 hasta").select_option("2023")
        click_and_load(page, page.get_by_role("button", name="Mostrar los años nuevos"))
        form = page.locator("#version-form")
        assert form.get_by_label("Meta 2023 de OE3.1").count() == 1
        assert form.get_by_label("Meta 2024 de OE3.1").count() == 0
        form.get_by_label("Tipo de resolución").fill("Resolución Ministerial")
        form.get_by_label("Número de resolución").fill("0456-2022-RE")
        form.get_by_label("Fecha de la resolución").fill("2022-06-01")
        form.get_by_label("Sustento (interno)").fill("Ampliación del horizonte hasta 2023")
        form.get_by_label("Meta 2022 de OE3.1").fill("1,234.5")
        click_and_load(page, form.get_by_role("button", name="Vista previa"))
        preview = page.locator("#preview").inner_text()
        assert "2015-2021 pasa a 2015-2023" in preview and "1,234.50" in preview
        assert PlanVersion.objects.count() == 1  # a preview stores nothing
        problems += page_problems(page, viewport, "versiones del plan (vista previa)")
        click_and_load(page, page.get_by_role("button", name="Proponer la ampliación"))
        assert "Ampliación propuesta" in page.locator(".messages").inner_text()
        assert "Usted la propuso" in page.locator("#draft").inner_text()
        assert page.get_by_role("button", name="Aprobar la ampliación").count() == 0
    finally:
        context.close()
    assert PlanVersion.objects.get(state="borrador").horizon_end == 2023

    context, page = open_session(browser, live_server, viewport, "val2.opp")
    try:
        response = page.goto(f"{live_server.url}/plan/versiones/")
        assert response is not None and response.status == 200
        assert "1,234.50" in page.locator("#draft").inner_text()
        problems += page_problems(page, viewport, "versiones del plan (por decidir)")
        click_and_load(page, page.get_by_role("button", name="Aprobar la ampliación"))
        assert "aprobada: es la versión vigente" in page.locator(".messages").inner_text()
        assert "2015-2023" in page.locator("#versions").inner_text()
    finally:
        context.close()
    assert not problems, problems_report(problems)
    plan = Plan.objects.get()
    assert plan.end_year == 2023
    assert plan.versions.get(state="vigente").target_revisions.get().value == D("1234.5")


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_a_workbook_is_checked_previewed_and_proposed(office, browser, live_server, viewport):
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    context, page = open_session(browser, live_server, viewport, "val.opp")
    try:
        response = page.goto(f"{live_server.url}/plan/libro/")
        assert response is not None and response.status == 200
        field = page.get_by_label("Libro del plan (XLSX)")
        field.set_input_files(
            {
                "name": "ampliacion.xlsx",
                "mimeType": xlsx,
                "buffer": plan_extension_workbook(resolucion_fecha="1 de junio"),
            }
        )
        click_and_load(page, page.get_by_role("button", name="Revisar"))
        problems_list = page.locator("#workbook-problems").inner_text()
        assert "Hoja «Plan», fila 12, columna «valor»: resolucion_fecha" in problems_list
        problems = page_problems(page, viewport, "libro del plan (problemas)")
        page.get_by_label("Libro del plan (XLSX)").set_input_files(
            {"name": "ampliacion.xlsx", "mimeType": xlsx, "buffer": plan_extension_workbook()}
        )
        click_and_load(page, page.get_by_role("button", name="Revisar"))
        assert "1,234.50" in page.locator("#preview").inner_text()
        problems += page_problems(page, viewport, "libro del plan (vista previa)")
        click_and_load(page, page.get_by_role("button", name="Proponer la ampliación"))
        message = page.locator(".messages").inner_text()
        assert "Ampliación propuesta desde ampliacion.xlsx" in message
        assert "Usted la propuso" in page.locator("#draft").inner_text()
    finally:
        context.close()
    assert not problems, problems_report(problems)
    assert PlanVersion.objects.get(state="borrador").horizon_end == 2024


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_a_new_plan_is_proposed_from_its_workbook_and_approved_by_another_person(
    office, browser, live_server, viewport
):
    """The made-up PEI's workbook (PEI-EJEMPLO, not real data) through the page."""
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = io.BytesIO()
    example_pei_workbook().save(book)
    context, page = open_session(browser, live_server, viewport, "val.opp")
    try:
        page.goto(f"{live_server.url}/plan/libro/")
        page.get_by_label("Libro del plan (XLSX)").set_input_files(
            {"name": "pei.xlsx", "mimeType": xlsx, "buffer": book.getvalue()}
        )
        click_and_load(page, page.get_by_role("button", name="Revisar"))
        assert "2 indicadores con 3 metas" in page.locator("#new-plan-preview").inner_text()
        problems = page_problems(page, viewport, "libro del plan (plan nuevo)")
        click_and_load(page, page.get_by_role("button", name="Proponer el plan nuevo PEI-EJEMPLO"))
        assert "/planes/PEI-EJEMPLO/plan/versiones/" in page.url
        assert "Usted la propuso" in page.locator("#draft").inner_text()
    finally:
        context.close()
    context, page = open_session(browser, live_server, viewport, "val2.opp")
    try:
        page.goto(f"{live_server.url}/mis-tareas/")
        tasks = page.locator("#version-tasks")
        click_and_load(page, tasks.get_by_role("link", name="Decidir la versión nueva del plan"))
        assert "Plan nuevo PEI-EJEMPLO" in page.locator("#new-plan-contents").inner_text()
        problems += page_problems(page, viewport, "versiones del plan nuevo (por decidir)")
        click_and_load(page, page.get_by_role("button", name="Aprobar la versión nueva del plan"))
        assert "aprobada: es la versión vigente" in page.locator(".messages").inner_text()
    finally:
        context.close()
    assert not problems, problems_report(problems)
    assert PlanVersion.objects.get(plan__code="PEI-EJEMPLO").state == "vigente"


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_an_actualizacion_lists_its_element_changes_before_it_is_proposed(
    office, browser, live_server, viewport
):
    """The made-up PEI (PEI-EJEMPLO, not real data) updated from its workbook."""
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    pei = load_example_pei()
    book = load_workbook(io.BytesIO(workbook.plan_workbook(pei)))
    values = {
        "version": "actualizado",
        "resolucion_tipo": "Resolución de Dirección Ejecutiva",
        "resolucion_numero": "030-2025-EJEMPLO/DE",
        "resolucion_fecha": "2025-03-10",
    }
    for row in book["Plan"].iter_rows(min_row=2):
        if row[0].value in values:
            row[1].value = values[row[0].value]
    book["Objetivos"].append(["OEI.03", "Objetivo nuevo de ejemplo"])
    content = io.BytesIO()
    book.save(content)
    context, page = open_session(browser, live_server, viewport, "val.opp")
    try:
        page.goto(f"{live_server.url}/planes/PEI-EJEMPLO/plan/libro/")
        page.get_by_label("Libro del plan (XLSX)").set_input_files(
            {"name": "actualizacion.xlsx", "mimeType": xlsx, "buffer": content.getvalue()}
        )
        click_and_load(page, page.get_by_role("button", name="Revisar"))
        changes = page.locator("#element-changes").inner_text()
        assert "Objetivo nuevo OEI.03: «Objetivo nuevo de ejemplo»." in changes
        problems = page_problems(page, viewport, "libro del plan (actualización)")
        click_and_load(page, page.get_by_role("button", name="Proponer la actualización"))
        assert (
            "Actualización propuesta desde actualizacion.xlsx"
            in page.locator(".messages").inner_text()
        )
        assert "OEI.03" in page.locator("#draft").inner_text()
    finally:
        context.close()
    assert not problems, problems_report(problems)
    assert pei.versions.get(state="borrador").kind == "actualizado"
