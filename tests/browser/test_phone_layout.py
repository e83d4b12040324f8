"""On a phone (390 px) and a desktop (1280 px): the tablero's light sits beside the indicator,
the long pages (Prospectiva, Actores) fold into short screens, the calendar fits the screen,
the header's controls are comfortable to tap, a chart's toolbar never covers its title, and a
registrar opening the site starts from «Mis tareas»."""

import pytest

from tests.factories import VIEWPORTS, click_and_load, enter_value, make_staff, open_session, settle

pytestmark = pytest.mark.browser

# Height of a folded long page: 29,800 px (Prospectiva) and 31,300 px (Actores) before.
MAX_PAGE_HEIGHT = {"desktop": 4_000, "phone": 6_000}
MIN_TARGET = 24  # px, WCAG 2.2 (2.5.8)


@pytest.fixture
def people(plan_tx, django_user_model):
    registrar = make_staff(django_user_model, "reg.dgc", "registrador", "DGC")
    validator = make_staff(django_user_model, "val.opp", "validador", "OPP")
    make_staff(django_user_model, "dir.dpe", "director", "DPE")
    enter_value(registrar, year=2015, numerator=440, denominator=2_800_000, validator=validator)


def page_width(page) -> tuple[int, int]:
    return page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )


def overlap(a: dict, b: dict) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_tablero_light_is_beside_the_indicator(people, browser, live_server, viewport):
    context, page = open_session(browser, live_server, viewport, "dir.dpe")
    try:
        page.goto(live_server.url + "/tablero/?anio=2015")
        table = page.locator("#dashboard-table")
        headers = table.locator("thead th").all_inner_texts()
        assert [h.strip() for h in headers[:3]] == ["Código", "Indicador", "Semáforo"]
        row = table.locator("tbody tr").filter(has_text="OE3.1")
        light = row.locator(".light")
        assert "verde" in light.inner_text()  # 440 of 2,800,000 validated for 2015
        width = VIEWPORTS[viewport]["width"]
        for row_index in range(table.locator("tbody tr").count()):
            box = table.locator("tbody tr").nth(row_index).locator("td .light").bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, (
                row_index,
                box,
            )
        assert page.evaluate("document.querySelector('.table-scroll').scrollLeft") == 0
        scroll_width, client_width = page_width(page)
        assert scroll_width <= client_width
    finally:
        context.close()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_prospective_page_is_folded_into_a_short_screen(people, browser, live_server, viewport):
    context, page = open_session(browser, live_server, viewport, "dir.dpe")
    try:
        page.goto(live_server.url + "/prospectiva/")
        settle(page)
        height = page.evaluate("document.documentElement.scrollHeight")
        assert height < MAX_PAGE_HEIGHT[viewport], height
        assert page.locator("#tabla-V14").is_hidden()
        assert page.locator("#riesgos-escenario-1 li").first.is_hidden()

        # The index opens the folded variable and scrolls to it; its chart gets the width.
        page.locator("#indice").get_by_role("link", name="V14", exact=True).click()
        v14 = page.locator("#tabla-V14")
        v14.wait_for(state="visible")
        assert "63.00" in v14.inner_text()
        chart = page.locator("[data-figure='serie-V14']")
        page.wait_for_function(
            "document.querySelector(\"[data-figure='serie-V14'] svg.main-svg\")"
            ".getBoundingClientRect().width > 200"
        )
        box = chart.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= VIEWPORTS[viewport]["width"]

        # A fold opens by hand too: the risks of scenario 2.
        page.locator("#riesgos-escenario-2 summary").click()
        assert page.locator("#riesgos-escenario-2").get_by_text("R11.").is_visible()
        scroll_width, client_width = page_width(page)
        assert scroll_width <= client_width
    finally:
        context.close()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_actors_page_is_folded_and_a_search_opens_its_results(
    people, browser, live_server, viewport
):
    context, page = open_session(browser, live_server, viewport, "dir.dpe")
    try:
        page.goto(live_server.url + "/actores/")
        settle(page)
        height = page.evaluate("document.documentElement.scrollHeight")
        assert height < MAX_PAGE_HEIGHT[viewport], height
        assert page.locator("#state-actors").is_hidden()
        assert page.locator("#non-state-actors").is_hidden()

        page.get_by_role("link", name="Actores no estatales").click()
        assert page.locator("#non-state-actors").is_visible()
        assert (
            "Academia Nacional de Ciencia y Tecnología"
            in page.locator("#non-state-actors").inner_text()
        )

        page.get_by_label("Buscar por nombre o siglas").fill("CEPLAN")
        click_and_load(page, page.get_by_role("button", name="Buscar"))
        state = page.locator("#state-actors")
        assert state.is_visible()  # the search's results are open
        assert "Centro Nacional de Planeamiento Estratégico" in state.inner_text()
        scroll_width, client_width = page_width(page)
        assert scroll_width <= client_width
    finally:
        context.close()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_calendar_fits_the_screen(people, browser, live_server, viewport):
    context, page = open_session(browser, live_server, viewport, "val.opp")
    try:
        response = page.goto(live_server.url + "/calendario/")
        assert response.status == 200
        assert page.locator("#calendar tbody tr").count() >= 5
        scroll_width, client_width = page_width(page)
        assert scroll_width <= client_width, (scroll_width, client_width)
    finally:
        context.close()


SMALL_TARGETS = """() => Array.from(document.querySelectorAll(
        'header a, header button, header select, main select, main button'))
    .filter(e => !e.closest('.modebar') && e.getClientRects().length)
    .map(e => [e.tagName.toLowerCase() + ' «' + e.textContent.trim().slice(0, 20) + '»',
               e.getBoundingClientRect()])
    .filter(([, r]) => r.width < %d || r.height < %d)
    .map(([name, r]) => name + ' ' + Math.round(r.width) + 'x' + Math.round(r.height))"""


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_header_and_form_controls_are_big_enough_to_tap(people, browser, live_server, viewport):
    context, page = open_session(browser, live_server, viewport, "val.opp")
    try:
        for path in ("/tablero/", "/objetivos/1/", "/calendario/"):
            page.goto(live_server.url + path)
            menu = page.get_by_role("button", name="Menú")
            if menu.is_visible():
                menu.click()  # the links folded behind it count too
            assert page.get_by_role("button", name="Salir").is_visible()
            small = page.evaluate(SMALL_TARGETS % (MIN_TARGET, MIN_TARGET))
            assert small == [], (path, small)
            year = page.locator("#id_anio").first
            if year.count():
                assert year.bounding_box()["height"] >= 28
            assert page.get_by_role("button", name="Salir").bounding_box()["height"] >= 30
    finally:
        context.close()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_chart_toolbar_leaves_the_title_and_axis_title_whole(
    people, browser, live_server, viewport
):
    context, page = open_session(browser, live_server, viewport, "dir.dpe")
    try:
        for path in ("/indicadores/OE3.1/", "/objetivos/3/?anio=2015", "/direcciones/"):
            page.goto(live_server.url + path)
            settle(page)
            charts = page.locator("div[data-figure]")
            assert charts.count() >= 1, path
            for index in range(charts.count()):
                chart = charts.nth(index)
                chart.scroll_into_view_if_needed()
                chart.hover()  # the toolbar shows while the pointer is over the chart
                toolbar = chart.locator(".modebar")
                toolbar.wait_for(state="visible")
                title = chart.locator(".gtitle")
                assert title.count() == 1, path
                title_box, toolbar_box = title.bounding_box(), toolbar.bounding_box()
                assert not overlap(title_box, toolbar_box), (path, index, title_box, toolbar_box)
                figure = chart.locator("svg.main-svg").first.bounding_box()
                for axis_title in chart.locator(".ytitle").all():
                    box = axis_title.bounding_box()
                    assert box["y"] >= figure["y"] - 1, (path, index, box, figure)
                    assert box["y"] + box["height"] <= figure["y"] + figure["height"] + 1
                    assert box["x"] >= figure["x"] - 1, (path, index, box, figure)
    finally:
        context.close()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_registrar_opening_the_site_starts_from_my_tasks(people, browser, live_server, viewport):
    context, page = open_session(browser, live_server, viewport, "reg.dgc")
    try:
        page.goto(live_server.url + "/")
        assert page.url == live_server.url + "/mis-tareas/"
        assert page.get_by_role("heading", level=1).is_visible()
        menu = page.get_by_role("button", name="Menú")
        if menu.is_visible():
            menu.click()
        click_and_load(page, page.locator("#site-nav").get_by_role("link", name="Tablero"))
        assert page.url == live_server.url + "/tablero/"
        assert page.locator("#dashboard-table").is_visible()
    finally:
        context.close()
