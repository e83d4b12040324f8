"""The site's address (/): a registrar starts from «Mis tareas»; every other role, and any
tablero link with a year or filter, shows the tablero, which the menu links at /tablero/."""

import re

import pytest
from django.urls import reverse

from tests.factories import ok

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("portal_on")]

TABLERO_HEADING = "¿Qué objetivos e indicadores van bien en"


def test_registrar_opening_the_site_lands_on_my_tasks(client, registrar_dgc):
    client.force_login(registrar_dgc)
    response = client.get("/")
    assert response.status_code == 302 and response.url == reverse("my_tasks")
    page = client.get(response.url).content.decode()
    assert TABLERO_HEADING not in page
    # The tablero stays one click away, from the menu.
    assert re.search(r'<a href="/tablero/">Tablero</a>', page)


def test_registrar_reaches_the_tablero_from_the_menu_and_from_year_links(client, registrar_dgc):
    client.force_login(registrar_dgc)
    tablero = client.get(reverse("tablero"))
    assert tablero.status_code == 200
    assert TABLERO_HEADING in tablero.content.decode()
    # A tablero link with a year (crumbs, bookmarks) still shows the tablero.
    with_year = client.get("/", {"anio": 2016})
    assert with_year.status_code == 200
    assert f"{TABLERO_HEADING} 2016?" in with_year.content.decode()


@pytest.mark.parametrize("role", ["validator", "director_dpe", "administrator"])
def test_other_roles_keep_the_tablero_at_the_site_address(client, request, role):
    client.force_login(request.getfixturevalue(role))
    response = client.get("/")
    assert response.status_code == 200
    assert TABLERO_HEADING in response.content.decode()


def test_tablero_page_shows_the_light_third_and_exports_keep_their_columns(client, validator):
    client.force_login(validator)
    page = ok(client.get(reverse("tablero"), {"anio": 2016})).content.decode()
    table = re.search(r'<table[^>]*id="dashboard-table".*?</thead>', page, re.DOTALL).group(0)
    headers = [
        re.sub(r"<[^>]+>", "", h).strip()
        for h in re.findall(r"<th[^>]*>(.*?)</th>", table, re.DOTALL)
    ]
    assert headers[:4] == ["Código", "Indicador", "Semáforo", "Cumplimiento"]
    assert len(headers) == 11  # no column lost by the new order
    exported = ok(client.get(reverse("tablero"), {"anio": 2016, "_export": "csv"}))
    first_line = b"".join(exported.streaming_content).decode().splitlines()[0]
    assert first_line.split(",")[:4] == ["Código", "Indicador", "Objetivo", "Responsable"]
