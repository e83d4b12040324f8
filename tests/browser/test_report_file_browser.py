"""A director asks for the report's PDF on a large plan: the waiting page (no serious axe
violation, desktop and phone) checks back by itself and starts the download once
`build_reports` has built the file."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from pesem.models import PreparedReport
from tests.factories import (
    VIEWPORTS,
    click_and_load,
    make_staff,
    open_session,
    phone_problems,
    problems_report,
    serious_violations,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def large_plan(plan_tx, settings, tmp_path, django_user_model):
    settings.PESEM_PAGE_CACHE = True
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PESEM_REPORT_INLINE_MAX_INDICATORS = 0
    make_staff(django_user_model, "dir.dpe", "director", "DPE")


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_the_waiting_page_starts_the_download_once_the_file_is_built(
    large_plan, browser, live_server, viewport
):
    context, page = open_session(browser, live_server, viewport, "dir.dpe")
    try:
        page.goto(f"{live_server.url}/reporte/?anio=2016")
        click_and_load(page, page.get_by_role("link", name="Descargar PDF"))
        status = page.get_by_role("status")
        assert "se está preparando" in status.inner_text()
        problems = serious_violations(page, "reporte en preparación")
        if viewport == "phone":
            problems += phone_problems(page, "reporte en preparación")
        assert not problems, problems_report(problems)
        assert PreparedReport.objects.get().state == PreparedReport.State.PENDING

        call_command("build_reports", stdout=io.StringIO())  # what the timer runs
        with page.expect_download(timeout=30_000) as download:
            pass  # the page checks every 5 s and then starts the download by itself
        assert download.value.suggested_filename == "reporte-seguimiento-2016.pdf"
        with open(download.value.path(), "rb") as file:
            assert file.read(5) == b"%PDF-"
        assert "está listo" in status.inner_text()
    finally:
        context.close()
