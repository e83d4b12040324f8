"""The year's work end to end in Chromium: enter, submit, return, correct, validate."""

import re

import pytest

from indicators.models import IndicatorValue
from tests.factories import make_staff

pytestmark = pytest.mark.browser


def test_registrar_and_planning_office_complete_a_value(
    plan_tx, django_user_model, browser, live_server
):
    make_staff(django_user_model, "reg.dgc", "registrador", "DGC")
    make_staff(django_user_model, "val.opp", "validador", "OPP")

    def session(username):
        context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="es-PE")
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Usuario").fill(username)
        page.get_by_label("Contraseña").fill("clave-segura-1")
        page.get_by_role("button", name="Ingresar").click()
        return context, page

    reg_ctx, reg = session("reg.dgc")
    # The year's work from one screen.
    reg.get_by_role("link", name="Pendientes del año").click()
    reg.get_by_label("Año").select_option("2016")
    reg.get_by_role("button", name="Ver").click()
    row = reg.locator("#pending-indicators tr", has_text="OE3.1")
    assert "sin registrar" in row.inner_text()
    row.get_by_role("link", name="Registrar").click()

    # A wrong denominator is refused next to the field, in Spanish.
    reg.get_by_label("Numerador").fill("450")
    reg.get_by_label("Denominador").fill("0")
    assert "el denominador no puede ser cero" in reg.locator("#ratio-preview").inner_text()
    reg.get_by_role("button", name="Guardar y enviar a validación").click()
    assert "El denominador no puede ser cero." in reg.locator(".has-error").inner_text()
    assert not IndicatorValue.objects.filter(indicator__code="OE3.1", year=2016).exists()

    reg.get_by_label("Denominador").fill("2850000")
    # Shown before saving, with the indicator's precision as every page shows it.
    assert reg.locator("#ratio-preview").inner_text() == "1.58"
    reg.get_by_role("button", name="Guardar y enviar a validación").click()
    assert "enviado a validación" in reg.locator(".messages").inner_text()

    val_ctx, val = session("val.opp")
    val.get_by_role("link", name="Validación", exact=True).click()
    row = val.locator("#submitted-values tr", has_text="OE3.1")
    row.get_by_label("Motivo de devolución").fill(
        "El denominador debe ser la población 2016 del INEI"
    )
    row.get_by_role("button", name="Devolver").click()
    assert "devuelto" in val.locator(".messages").inner_text()

    reg.goto(f"{live_server.url}/pendientes/?anio=2016")
    row = reg.locator("#pending-indicators tr", has_text="OE3.1")
    assert "Devuelto: El denominador debe ser la población 2016 del INEI" in row.inner_text()
    row.get_by_role("link", name="Editar").click()
    reg.get_by_label("Denominador").fill("2900000")
    reg.get_by_role("button", name="Guardar y enviar a validación").click()

    val.goto(f"{live_server.url}/validacion/")
    val.locator("#submitted-values tr", has_text="OE3.1").get_by_role(
        "button", name="Validar"
    ).click()
    assert "validado" in val.locator(".messages").inner_text()

    reg.goto(f"{live_server.url}/indicadores/OE3.1/")
    row = reg.locator("#values tr", has_text="2016")
    text = row.inner_text()
    assert "validado" in text and "1.55" in text  # 450 / 2,900,000 x 10,000
    assert re.search(r"100\.\d %|9\d\.\d %", text)  # achievement against the 1.54 target
    history = reg.locator("#history").inner_text()
    assert "devuelto: El denominador debe ser la población 2016 del INEI" in history
    assert "val.opp" in history and "reg.dgc" in history
    reg_ctx.close()
    val_ctx.close()
