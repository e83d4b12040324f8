"""Headless Chromium (Debian's /usr/bin/chromium) driven by playwright."""

import os
from pathlib import Path

import pytest

from tests.factories import click_and_load, make_staff

CHROMIUM = os.environ.get("PESEM_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        message = f"Chromium no está instalado en {CHROMIUM} (apt-get install -y chromium)."
        if os.environ.get("PESEM_REQUIRE_BROWSER") or os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="es-PE")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def login(page, live_server):
    def do_login(username: str, password: str) -> None:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Usuario").fill(username)
        page.get_by_label("Contraseña").fill(password)
        click_and_load(page, page.get_by_role("button", name="Ingresar"))

    return do_login


@pytest.fixture
def office(plan_tx, django_user_model):
    """Two people of the planning office: one proposes, the other decides (four eyes)."""
    make_staff(django_user_model, "val.opp", "validador", "OPP")
    make_staff(django_user_model, "val2.opp", "validador", "OPP")
