"""Every main page, at desktop and phone width, has no serious or critical axe-core
violation (axe-core ships inside axe-playwright-python: nothing is downloaded at test time).
At phone width the menu folds behind a "Menú" button and no page scrolls sideways: wide tables
scroll inside their own box."""

import pytest

from indicators import services
from indicators.models import Indicator, IndicatorValue
from tests.factories import (
    PASSWORD,
    VIEWPORTS,
    click_and_load,
    enter_value,
    make_staff,
    open_session,
    phone_problems,
    problems_report,
    serious_violations,
    settle,
)

pytestmark = pytest.mark.browser


# Who sees each page: the registrar of DGC enters values, the planning office validates and
# imports, a director reads the rest.
PAGES = {
    "dir.dpe": [
        ("tablero", "/"),
        ("tablero del menú", "/tablero/?anio=2015"),
        ("objetivo", "/objetivos/1/"),
        ("indicador", "/indicadores/OE3.1/"),
        ("direcciones", "/direcciones/"),
        ("dirección", "/direcciones/DGC/"),
        ("reporte", "/reporte/"),
        ("prospectiva", "/prospectiva/"),
        ("actores", "/actores/"),
        ("matriz de actores", "/actores/matriz/"),
        ("plan", "/plan/"),
    ],
    "reg.dgc": [
        ("pendientes", "/pendientes/?anio=2016"),
        ("registro", "/direcciones/DGC/2016/registro/"),
        ("mis tareas", "/mis-tareas/"),
    ],
    "val.opp": [
        ("validación", "/validacion/"),
        ("importar", "/importar/"),
        ("calendario", "/calendario/"),
        ("revisiones de metas", "/metas/revisiones/"),
    ],
}
# The public portal, without an account (its own layout: no «Menú» button).
PORTAL_PAGES = [
    ("portal", "/publico/"),
    ("portal: objetivo", "/publico/objetivos/3/"),
    ("portal: indicador", "/publico/indicadores/OE3.1/"),
    ("portal: datos", "/publico/datos/"),
]

IMPORT_CSV = "indicador,año,numerador,denominador,valor,nota\nOE3.1,2017,460,2900000,,\n"


@pytest.fixture
def monitoring(plan_tx, django_user_model):
    """The three roles, and values in every state so the queues and tables have rows."""
    registrar = make_staff(django_user_model, "reg.dgc", "registrador", "DGC")
    validator = make_staff(django_user_model, "val.opp", "validador", "OPP")
    make_staff(django_user_model, "dir.dpe", "director", "DPE")
    enter_value(registrar, year=2015, numerator=440, denominator=2_800_000, validator=validator)
    enter_value(registrar, year=2016, submit=True)  # waits in the validation queue
    returned = enter_value(registrar, year=2017, numerator=460, denominator=2_900_000, submit=True)
    services.do_return(
        user=validator,
        item=returned,
        reason="Falta el medio de verificación",
        expected_version=returned.version,
    )
    states = dict(
        IndicatorValue.objects.filter(indicator__code="OE3.1", year__gte=2015).values_list(
            "year", "state"
        )
    )
    assert states == {2015: "validated", 2016: "submitted", 2017: "draft"}


def check_pages(page, live_server, viewport: str, pages) -> list[str]:
    problems = []
    for name, path in pages:
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, (name, path, response)
        settle(page)
        if page.locator("details.fold").count():
            # A long page's folds (Prospectiva, Actores) opened first: axe reads what they
            # hide as well as their summaries, in one run.
            page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
            settle(page)
            name = f"{name} (pliegues abiertos)"
        problems += serious_violations(page, name)
        if viewport == "phone":
            problems += phone_problems(page, name)
    return problems


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("username", list(PAGES))
def test_main_pages_have_no_serious_axe_violations(
    monitoring, browser, live_server, username, viewport
):
    context, page = open_session(browser, live_server, viewport, username)
    try:
        problems = check_pages(page, live_server, viewport, PAGES[username])
    finally:
        context.close()
    assert not problems, problems_report(problems)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_import_preview_has_no_serious_axe_violations(monitoring, browser, live_server, viewport):
    context, page = open_session(browser, live_server, viewport, "val.opp")
    try:
        page.goto(live_server.url + "/importar/")
        page.get_by_label("Archivo CSV o XLSX").set_input_files(
            {"name": "valores.csv", "mimeType": "text/csv", "buffer": IMPORT_CSV.encode()}
        )
        click_and_load(page, page.get_by_role("button", name="Revisar archivo"))
        assert "Vista previa: 1 filas" in page.locator("#preview").inner_text()
        problems = serious_violations(page, "vista previa de importación")
        if viewport == "phone":
            problems += phone_problems(page, "vista previa de importación")
    finally:
        context.close()
    assert not problems, problems_report(problems)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_login_page_has_no_serious_axe_violations(plan_tx, browser, live_server, viewport):
    context, page = open_session(browser, live_server, viewport, None)
    try:
        problems = serious_violations(page, "ingreso")
        if viewport == "phone":  # no menu before logging in
            problems += phone_problems(page, "ingreso", menu=False)
        page.get_by_label("Usuario").fill("nadie")
        page.get_by_label("Contraseña").fill("otra-clave")
        page.get_by_role("button", name="Ingresar").click()
        page.get_by_role("alert").wait_for()
        problems += serious_violations(page, "ingreso con error")
    finally:
        context.close()
    assert not problems, problems_report(problems)


def test_phone_menu_opens_and_wide_screens_always_show_it(monitoring, browser, live_server):
    context, page = open_session(browser, live_server, "phone", "dir.dpe")
    try:
        button = page.get_by_role("button", name="Menú")
        nav = page.locator("nav[aria-label='Navegación principal']")
        assert button.get_attribute("aria-controls") == nav.get_attribute("id")
        assert button.is_visible() and nav.is_hidden()
        button.click()
        assert button.get_attribute("aria-expanded") == "true"
        click_and_load(page, nav.get_by_role("link", name="Direcciones"))
        assert page.get_by_role("heading", level=1).is_visible()
        assert nav.is_hidden()  # a new page starts with the menu folded

        # A wide table scrolls in its own box, its first column stays in view.
        box = page.locator(".table-scroll").first
        assert box.get_attribute("tabindex") == "0" and box.get_attribute("role") == "region"
        assert box.get_attribute("aria-label")
        page.set_viewport_size(VIEWPORTS["desktop"])
        assert button.is_hidden() and nav.is_visible()  # wide: always visible, no button
    finally:
        context.close()


def test_without_javascript_the_menu_stays_visible(monitoring, browser, live_server):
    context = browser.new_context(
        viewport=VIEWPORTS["phone"], locale="es-PE", java_script_enabled=False
    )
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Usuario").fill("dir.dpe")
        page.get_by_label("Contraseña").fill(PASSWORD)
        click_and_load(page, page.get_by_role("button", name="Ingresar"))
        assert page.locator("nav[aria-label='Navegación principal']").is_visible()
        assert page.get_by_role("button", name="Menú").count() == 0
    finally:
        context.close()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_public_portal_pages_have_no_serious_axe_violations(
    monitoring, settings, browser, live_server, viewport
):
    settings.PESEM_PUBLIC_PORTAL = True
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="es-PE")
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems = []
    try:
        for name, path in PORTAL_PAGES:
            response = page.goto(live_server.url + path)
            assert response is not None and response.status == 200, (name, path, response)
            settle(page)
            problems += serious_violations(page, name)
            if viewport == "phone":
                problems += phone_problems(page, name, menu=False)
            # A table box that scrolls is reachable by keyboard, and named.
            for box in page.locator(".table-wrap").all():
                assert box.get_attribute("tabindex") == "0", (name, box.inner_html()[:80])
                assert box.get_attribute("role") == "region" and box.get_attribute("aria-label")
    finally:
        context.close()
    assert not problems, problems_report(problems)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_admin_pages_have_no_serious_axe_violations(
    monitoring, django_user_model, browser, live_server, viewport
):
    """Django's admin as the administrator uses it: the index, a list, a user and an
    indicator. Axe only: the admin's own layout scrolls its wide lists sideways on a phone."""
    django_user_model.objects.create_superuser("root", "root@example.org", PASSWORD)
    registrar = django_user_model.objects.get(username="reg.dgc")
    indicator = Indicator.objects.get(code="OE3.1")
    pages = [
        ("admin", "/admin/"),
        ("admin: indicadores", "/admin/indicators/indicator/"),
        ("admin: valores", "/admin/indicators/indicatorvalue/"),
        ("admin: usuario", f"/admin/auth/user/{registrar.pk}/change/"),
        ("admin: indicador", f"/admin/indicators/indicator/{indicator.pk}/change/"),
    ]
    context, page = open_session(browser, live_server, viewport, "root")
    problems = []
    try:
        for name, path in pages:
            response = page.goto(live_server.url + path)
            assert response is not None and response.status == 200, (name, path, response)
            page.wait_for_load_state("load", timeout=45_000)
            assert page.locator("#content").is_visible(), name
            problems += serious_violations(page, name)
    finally:
        context.close()
    assert not problems, problems_report(problems)
