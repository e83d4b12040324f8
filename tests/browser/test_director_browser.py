"""A director who has never seen the system finds what is at risk, sees why, compares
directorates and downloads the report: in Chromium."""

import io

import pytest
from openpyxl import load_workbook

from tests.factories import make_staff

pytestmark = pytest.mark.browser


def test_director_path(plan_tx, django_user_model, page, login, live_server):
    make_staff(django_user_model, "dir.dpe", "director", "DPE")
    external = []
    page.on(
        "request",
        lambda r: (
            external.append(r.url)
            if not r.url.startswith(live_server.url) and not r.url.startswith("data:")
            else None
        ),
    )
    login("dir.dpe", "clave-segura-1")

    assert page.get_by_role("heading", level=1).inner_text().startswith("¿Qué objetivos")
    page.get_by_label("Dirección").select_option("DPE")
    page.get_by_role("button", name="Filtrar").click()
    table = page.locator("#dashboard-table")
    assert "OE2.1" in table.inner_text() and "OE3.1" not in table.inner_text()

    table.get_by_role("link", name="OE2.1").click()
    page.wait_for_selector("[data-figure='indicator-chart'][data-drawn='true']")
    chart = page.locator("[data-figure='indicator-chart']")
    assert chart.locator("svg.main-svg").count() >= 1  # drawn by plotly.js from our static
    assert "Meta oficial (Anexo 6)" in chart.inner_text()

    page.get_by_role("link", name="Direcciones").click()
    page.wait_for_selector("[data-figure='directorates-chart'][data-drawn='true']")
    assert "DPE" in page.locator("#directorates-table").inner_text()

    page.get_by_role("link", name="Reporte de seguimiento").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Descargar XLSX").click()
    download = download_info.value
    assert download.suggested_filename.startswith("reporte-seguimiento-")
    book = load_workbook(io.BytesIO(open(download.path(), "rb").read()))
    assert "Indicadores" in book.sheetnames

    page.set_viewport_size({"width": 390, "height": 844})  # phone width
    page.goto(live_server.url + "/")
    assert page.locator("main").bounding_box()["width"] <= 390
    assert external == []  # no request left our own host
