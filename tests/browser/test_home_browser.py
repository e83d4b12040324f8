import pytest

pytestmark = pytest.mark.browser


def test_user_logs_in_and_sees_the_plan(plan_tx, django_user_model, page, login, live_server):
    django_user_model.objects.create_user("directora", password="clave-segura-1")

    page.goto(live_server.url + "/plan/")
    assert "/accounts/login/" in page.url  # login required

    login("directora", "clave-segura-1")
    page.goto(live_server.url + "/plan/")

    assert page.get_by_role("heading", level=1).inner_text().startswith("Plan Estratégico")
    objective_3 = page.locator("#oe3")
    assert "Tasa de cobertura de servicios consulares" in objective_3.inner_text()
    assert "1.62" in objective_3.inner_text()
    assert page.locator("#oe2 .flag").count() >= 2  # OE2.2 and OE2.3 target conflicts


def test_wrong_password_shows_spanish_error(plan_tx, django_user_model, page, login):
    django_user_model.objects.create_user("directora", password="clave-segura-1")
    login("directora", "otra-clave")
    assert page.get_by_role("alert").inner_text().startswith("Usuario o contraseña incorrectos")
