"""The entry grid in Chromium: what a number gives is shown while typing (computed on the
server, Peruvian format), an absurd value is warned in words and asks for a justification,
Tab follows the reading order, Enter in a field submits nothing, the buttons do."""

import pytest

from indicators.models import IndicatorValue
from tests.factories import VIEWPORTS, click_and_load, make_staff

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
    click_and_load(page, page.get_by_role("button", name="Guardar borrador"))
    assert "guardada como borrador" in page.locator(".messages").inner_text()
    stored = IndicatorValue.objects.get(indicator__code="NAC.3", year=2016)
    assert stored.state == "draft" and stored.warnings


# --- the save bar, the phone's cards and a refused save, at 1280 and 390 px ------------------


def more_indicators(count: int) -> None:
    """`count` more DGC ratio indicators without values: a grid taller than the screen."""
    from indicators.models import Indicator
    from objectives.models import Directorate

    dgc = Directorate.objects.get(code="DGC")
    Indicator.objects.bulk_create(
        Indicator(
            plan=dgc.entity.plans.get(),
            code=f"EXT.{n}",
            name=f"Indicador adicional {n}",
            numerator="n",
            denominator="d",
            level="variable",
            responsible=dgc,
            order=300 + n,
        )
        for n in range(count)
    )


def open_grid(browser, live_server, viewport: str):
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="es-PE")
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Usuario").fill("reg.dgc")
    page.get_by_label("Contraseña").fill("clave-segura-1")
    click_and_load(page, page.get_by_role("button", name="Ingresar"))
    page.goto(f"{live_server.url}/direcciones/DGC/2016/registro/")
    return context, page


def hit_at_centre(page, name: str) -> bool:
    """The button is what a click at its centre reaches (nothing covers it) and it is on
    screen."""
    return page.evaluate(
        """name => {
            const button = Array.from(document.querySelectorAll('.actions button'))
                .find(b => b.textContent.trim() === name);
            const box = button.getBoundingClientRect();
            if (box.top < 0 || box.bottom > window.innerHeight || box.width === 0) return false;
            const hit = document.elementFromPoint(box.left + box.width / 2,
                                                  box.top + box.height / 2);
            return hit === button || button.contains(hit);
        }""",
        name,
    )


def serious_axe(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']}: {[n['target'] for n in v['nodes'][:3]]}"
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_save_bar_stays_visible_and_clickable_while_the_grid_scrolls(
    plan_tx, django_user_model, browser, live_server, viewport
):
    make_staff(django_user_model, "reg.dgc", "registrador", "DGC")
    more_indicators(12)
    context, page = open_grid(browser, live_server, viewport)
    try:
        height = page.evaluate("document.documentElement.scrollHeight")
        assert height > 3 * VIEWPORTS[viewport]["height"]  # the grid is long
        for fraction in (0.3, 0.6):
            page.evaluate(f"window.scrollTo(0, {int(height * fraction)})")
            # the wide table scrolled sideways too: the frozen column passes under the bar
            page.evaluate("document.querySelector('.table-scroll').scrollLeft = 400")
            page.wait_for_timeout(100)
            for name in ("Guardar borrador", "Guardar y enviar"):
                assert hit_at_centre(page, name), (viewport, fraction, name)
        # and the click works from there: a row typed in the middle of the grid is saved
        row = page.locator("tr.grid-row[data-code='EXT.6']")
        row.get_by_label("Numerador").fill("3")
        row.get_by_label("Denominador").fill("4")
        click_and_load(page, page.get_by_role("button", name="Guardar borrador"))
        assert "guardada como borrador" in page.locator(".messages").inner_text()
        assert IndicatorValue.objects.get(indicator__code="EXT.6", year=2016).numerator == 3
    finally:
        context.close()


def test_phone_shows_one_card_per_indicator_with_the_full_typed_number(
    plan_tx, django_user_model, browser, live_server
):
    make_staff(django_user_model, "reg.dgc", "registrador", "DGC")
    context, page = open_grid(browser, live_server, "phone")
    try:
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        revenue = page.locator("tr.grid-row[data-code='NAC.3']")
        value = revenue.get_by_label("Valor", exact=True)
        value.fill("1,020,000.50")
        output = revenue.locator("[data-out='value']")
        # (how many decimals the result shows is the indicator's display precision)
        page.wait_for_function(
            "el => el.textContent.startsWith('1,020,0')", arg=output.element_handle()
        )
        assert value.input_value() == "1,020,000.50"
        # The whole number is in view: the input is wider than its text, and most of the
        # screen wide (no frozen column beside it).
        sizes = value.evaluate("el => [el.scrollWidth, el.clientWidth]")
        assert sizes[0] <= sizes[1]
        assert value.bounding_box()["width"] > 300
        # One card: the row is the screen's width and its parts come one under the other.
        card = revenue.bounding_box()
        assert card["x"] >= 0 and card["x"] + card["width"] <= 390
        header = revenue.locator("th").bounding_box()
        inputs = revenue.locator("td.inputs").bounding_box()
        result = revenue.locator("td.result").bounding_box()
        texts = revenue.locator("td.texts").bounding_box()
        assert header["y"] < inputs["y"] < result["y"] < texts["y"]
        assert header["width"] > 300 and result["width"] > 300
        assert revenue.locator("td.result").is_visible()
        assert revenue.get_by_label("Análisis del avance").is_visible()
        # the card names each part
        assert (
            page.evaluate(
                "getComputedStyle(document.querySelector(\"tr[data-code='NAC.3'] td.result\"),"
                " '::before').content"
            )
            == '"Resultado"'
        )
        # the preview's warnings show on the card
        value.fill("3,200,000")
        revenue.locator("[data-out='warnings'] li").first.wait_for()
        assert revenue.locator("[data-out='warnings']").is_visible()
        assert serious_axe(page) == []
    finally:
        context.close()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_a_refused_save_puts_the_focus_on_a_summary_of_every_problem(
    plan_tx, django_user_model, browser, live_server, viewport
):
    make_staff(django_user_model, "reg.dgc", "registrador", "DGC")
    context, page = open_grid(browser, live_server, viewport)
    try:
        satisfaction = page.locator("tr.grid-row[data-code='V1.2']")
        satisfaction.get_by_label("Numerador").fill("1,5")
        satisfaction.get_by_label("Denominador").fill("10")
        revenue = page.locator("tr.grid-row[data-code='NAC.3']")
        revenue.get_by_label("Valor", exact=True).fill("3,200,000")
        # only the rows typed in are sent
        prefixes = dict(
            (code, page.locator(f"tr.grid-row[data-code='{code}']").get_attribute("id"))
            for code in ("V1.2", "NAC.3", "OE3.1")
        )
        with page.expect_request(lambda r: r.method == "POST") as posted:
            click_and_load(page, page.get_by_role("button", name="Guardar y enviar"))
        body = posted.value.post_data or ""
        summary = page.locator("#resumen-errores")
        assert summary.is_visible()
        assert page.evaluate("document.activeElement.id") == "resumen-errores"
        text = summary.inner_text()
        assert "No se guardó nada: 2 filas con problemas" in text
        assert "¿quiso decir 1.5?" in text
        assert "escriba una justificación para enviarlo" in text
        assert summary.locator("a").count() == 2
        pks = {code: row_id.removeprefix("fila-") for code, row_id in prefixes.items()}
        assert f'name="r{pks["NAC.3"]}-value"' in body
        assert f'name="r{pks["V1.2"]}-numerator"' in body
        assert f"r{pks['OE3.1']}-" not in body  # untouched: not sent
        # a link goes to its row, which shows its own problem
        summary.get_by_role("link", name="NAC.3", exact=False).click()
        assert page.url.endswith(f"#fila-{pks['NAC.3']}")
        assert "escriba una justificación" in page.locator(f"#fila-{pks['NAC.3']}").inner_text()
        assert not IndicatorValue.objects.filter(year=2016).exists()
        assert serious_axe(page) == []
    finally:
        context.close()
