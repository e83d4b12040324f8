"""A registrar imports their directorate's values in Chromium, at desktop and phone width:
upload, a preview with Peruvian numbers, target and warnings, the four-eyes notice, confirm.
A row of another directorate gets a Spanish message and nothing is stored. axe-core finds no
serious or critical node on the page at any step."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from indicators.models import IndicatorValue
from tests.factories import VIEWPORTS, click_and_load, make_staff

pytestmark = pytest.mark.browser

HEADER = "indicador,año,numerador,denominador,valor,nota\n"
GOOD = HEADER + "OE3.1,2016,450,2850000,,Personal según ORH\nNAC.3,2016,,,3200000,\n"
FOREIGN = HEADER + "OE3.1,2016,450,2850000,,\nOE2.1,2016,95,60,,\n"


def serious(page) -> list[str]:
    return [
        f"{v['id']} [{v['impact']}]: {', '.join(str(n['target']) for n in v['nodes'][:3])}"
        for v in Axe().run(page).response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def document_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def choose(page, name: str, content: str) -> None:
    page.get_by_label("Archivo CSV o XLSX").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": content.encode()}
    )
    click_and_load(page, page.get_by_role("button", name="Revisar archivo"))


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_registrar_imports_their_values_after_a_formatted_preview(
    plan_tx, django_user_model, browser, live_server, viewport
):
    make_staff(django_user_model, "reg.dgc", "registrador", "DGC")
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="es-PE")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Usuario").fill("reg.dgc")
        page.get_by_label("Contraseña").fill("clave-segura-1")
        click_and_load(page, page.get_by_role("button", name="Ingresar"))
        if viewport == "phone":
            page.get_by_role("button", name="Menú").click()
        page.get_by_role("link", name="Importar", exact=True).click()
        page.wait_for_url("**/importar/")
        assert "su dirección (DGC)" in page.locator("main").inner_text()
        problems = serious(page)

        # Bad input: a row of another directorate. Spanish message, nothing stored.
        choose(page, "ajeno.csv", FOREIGN)
        errors = page.locator("#preview").inner_text()
        assert "no se importará nada" in errors
        assert "Fila 3: OE2.1 está a cargo de DPE, no de su dirección (DGC)" in errors
        assert page.get_by_role("button", name="Confirmar importación").count() == 0
        assert not IndicatorValue.objects.filter(year=2016).exists()
        problems += serious(page)

        choose(page, "valores.csv", GOOD)
        preview = page.locator("#preview")
        consular = preview.locator("tr", has_text="OE3.1 · 2016").inner_text()
        assert "450 / 2,850,000" in consular and "1.58" in consular and "1.54" in consular
        assert "102.5 %" in consular and "verde" in consular
        count = preview.locator("tr", has_text="NAC.3 · 2016").inner_text()
        assert "3,200,000" in count and "938,178" in count and "3200000" not in count
        assert "El cumplimiento sería 341.1 % de la meta del año (938,178): más del 200 %" in count
        assert "Sin justificación" in count
        notice = page.locator("#import-author-notice")
        assert notice.is_visible()
        assert "Usted figurará como autor de estas 2 filas" in notice.inner_text()
        problems += serious(page)
        if viewport == "phone":
            assert document_width(page) <= 391  # the preview table scrolls inside its box
        assert not IndicatorValue.objects.filter(year=2016).exists()  # not yet

        click_and_load(page, page.get_by_role("button", name="Confirmar importación"))
        assert "Importación completa: 2 nuevos" in page.locator(".messages").inner_text()
        problems += serious(page)
    finally:
        context.close()
    assert not problems, problems
    stored = dict(IndicatorValue.objects.filter(year=2016).values_list("indicator__code", "state"))
    assert stored == {"OE3.1": "draft", "NAC.3": "draft"}
