"""A director filters the tablero and downloads the table as XLSX from its link, on a desktop
and on a phone: the workbook, sent while its rows are read, opens and holds the filtered
rows of the page."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from indicators.models import Indicator
from tests.factories import VIEWPORTS, make_staff, open_session

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_the_tablero_xlsx_link_downloads_the_filtered_rows(
    plan_tx, browser, live_server, django_user_model, viewport
):
    make_staff(django_user_model, "dir.dpe", "director", "DPE")
    context, page = open_session(browser, live_server, viewport, "dir.dpe")
    try:
        page.goto(f"{live_server.url}/?anio=2016&responsible=DPE")
        with page.expect_download() as download:
            page.get_by_role("link", name="XLSX", exact=True).click()
        assert download.value.suggested_filename == "tablero-2016.xlsx"
        with open(download.value.path(), "rb") as file:
            sheet = load_workbook(io.BytesIO(file.read())).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][:2] == ("Código", "Indicador")
        dpe = Indicator.objects.filter(responsible__code="DPE")
        assert sorted(r[0] for r in rows[1:]) == sorted(dpe.values_list("code", flat=True))
        assert len(rows) > 1
    finally:
        context.close()
