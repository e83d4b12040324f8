"""The report's XLSX and PDF are built once per official data version and served from storage;
on a large plan they are built by `manage.py build_reports` while the asker gets a waiting page
at once. Never an older version's file after a write."""

from __future__ import annotations

import io
import json
import re
from dataclasses import replace

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.test import Client
from openpyxl import load_workbook

from indicators.workflow import conclusion_services
from pesem.models import PreparedReport
from pesem.report import files as report_files
from tests.factories import body, enter_value, logged_in, make_staff, ok, pdf_text

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("portal_on"),
    pytest.mark.postgres,
]

# When a file was built, to the minute (the report prints it): not data.
BUILT_AT = re.compile(r"\d\d/\d\d/\d{4} \d\d:\d\d")
XLSX = "/reporte/2016/xlsx/"
PDF = "/reporte/2016/pdf/"


@pytest.fixture(autouse=True)
def kept_files(settings, tmp_path):
    settings.PESEM_PAGE_CACHE = True
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def staff(django_user_model):
    return {
        "registrar": make_staff(django_user_model, "reg.dgc", "registrador", "DGC"),
        "validator": make_staff(django_user_model, "val.opp", "validador", "OPP"),
        "director": make_staff(django_user_model, "dir.dpe", "director", "DPE"),
    }


@pytest.fixture
def large_plan(settings):
    """The plan counts as large: files are built by the command, not in the request."""
    settings.PESEM_REPORT_INLINE_MAX_INDICATORS = 0


def _oe31_value(content: bytes) -> object:
    """OE3.1's 2016 value in the XLSX's indicator sheet."""
    sheet = load_workbook(io.BytesIO(content))["Indicadores"]
    rows = list(sheet.iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if row and "Código" in row)
    titles = rows[header]
    for row in rows[header + 1 :]:
        record = dict(zip(titles, row, strict=False))
        if record.get("Código") == "OE3.1":
            return record["Valor obtenido 2016"]
    raise AssertionError("OE3.1 no está en la hoja Indicadores")


def test_small_plan_builds_in_the_request_once_then_streams_the_stored_copy(staff):
    director = logged_in(staff["director"])
    first = director.get(XLSX)
    assert first.status_code == 200
    assert first["Content-Disposition"] == 'attachment; filename="reporte-seguimiento-2016.xlsx"'
    row = PreparedReport.objects.get(year=2016, file_format="xlsx")
    assert row.state == PreparedReport.State.READY
    assert default_storage.exists(row.file_name)
    again = logged_in(staff["validator"]).get(XLSX)  # another audience, the same file
    assert again.status_code == 200
    assert again.streaming  # from storage, in chunks
    assert again["X-Page-Cache"] == "hit"
    assert again["Content-Disposition"] == first["Content-Disposition"]
    assert body(again) == first.content
    assert PreparedReport.objects.count() == 1


def test_a_kept_file_removed_from_storage_is_forgotten_and_built_again(staff):
    director = logged_in(staff["director"])
    first = director.get(XLSX)
    row = PreparedReport.objects.get(year=2016, file_format="xlsx")
    kept, opened = report_files.open_kept(2016, "xlsx", row.version)
    assert kept == row and opened is not None and opened.read() == first.content
    opened.close()
    default_storage.delete(row.file_name)  # gone behind the app's back (a cleaned volume)
    assert report_files.open_kept(2016, "xlsx", row.version) == (None, None)
    assert not PreparedReport.objects.exists()  # the row is forgotten
    again = director.get(XLSX)  # built again in the request, kept again
    assert again.status_code == 200 and not again.streaming
    assert load_workbook(io.BytesIO(again.content)).sheetnames == (
        load_workbook(io.BytesIO(first.content)).sheetnames
    )
    row = PreparedReport.objects.get(year=2016, file_format="xlsx")
    assert row.state == PreparedReport.State.READY and default_storage.exists(row.file_name)
    assert director.get(XLSX)["X-Page-Cache"] == "hit"


def test_the_files_with_and_without_the_annex_are_kept_apart(staff):
    director = logged_in(staff["director"])
    plain = director.get(XLSX)
    annex = director.get(XLSX, {"anexo": "1"})
    assert annex["Content-Disposition"] == (
        'attachment; filename="reporte-seguimiento-2016-con-anexo.xlsx"'
    )
    rows = {r.variant: r for r in PreparedReport.objects.filter(year=2016, file_format="xlsx")}
    assert set(rows) == {PreparedReport.Variant.INTERNAL, PreparedReport.Variant.ANNEX}
    assert rows["interno"].file_name != rows["anexo"].file_name
    # Each later download gets its own kept copy, never the other one.
    for query, with_notes, first in (({}, False, plain), ({"anexo": "1"}, True, annex)):
        again = director.get(XLSX, query)
        assert again["X-Page-Cache"] == "hit"
        content = body(again)
        assert content == first.content
        assert ("Calidad de datos" in load_workbook(io.BytesIO(content)).sheetnames) is with_notes
    assert PreparedReport.objects.count() == 2


def test_large_plan_waiting_page_keeps_asking_for_the_annex(staff, large_plan):
    director = logged_in(staff["director"])
    waiting = director.get(XLSX, {"anexo": "1"})
    assert waiting.status_code == 202
    page = waiting.content.decode()
    assert f'data-file-url="{XLSX}?anexo=1"' in page
    assert f'data-status-url="{XLSX}?anexo=1&amp;estado=1"' in page
    row = PreparedReport.objects.get()
    assert (row.variant, row.state) == (PreparedReport.Variant.ANNEX, PreparedReport.State.PENDING)
    out = io.StringIO()
    call_command("build_reports", stdout=out)
    assert "Preparado: reporte-seguimiento-2016-con-anexo.xlsx" in out.getvalue()
    assert json.loads(director.get(XLSX, {"anexo": "1", "estado": 1}).content)["listo"] is True
    assert json.loads(director.get(XLSX, {"estado": 1}).content)["listo"] is False


def test_the_public_pdf_of_a_large_plan_is_asked_for_and_answered_503(
    staff, large_plan, settings, django_user_model
):
    settings.PESEM_PUBLIC_PORTAL = True
    checker = make_staff(django_user_model, "val.dee", "validador", "OPP")
    item = conclusion_services.conclusion_save(
        user=staff["validator"],
        year=2016,
        conclusions="C",
        recommendations="R",
        expected_version=None,
    )
    item = conclusion_services.conclusion_submit(
        user=staff["validator"], item=item, expected_version=item.version
    )
    conclusion_services.conclusion_validate(user=checker, item=item, expected_version=item.version)
    response = Client().get("/publico/reportes/2016.pdf")
    assert response.status_code == 503
    assert response["Retry-After"] == "60" and "no-store" in response["Cache-Control"]
    assert "se está preparando" in response.content.decode()
    row = PreparedReport.objects.get()
    assert (row.variant, row.file_format, row.state, row.requested_by) == (
        PreparedReport.Variant.PUBLIC,
        PreparedReport.Format.PDF,
        PreparedReport.State.PENDING,
        None,
    )


def test_a_validated_value_gives_the_next_download_the_new_figure(staff):
    director = logged_in(staff["director"])
    before = body(director.get(XLSX))
    assert _oe31_value(before) in (None, "", "sin dato")
    enter_value(staff["registrar"], year=2016, validator=staff["validator"])
    after = body(director.get(XLSX))
    assert _oe31_value(after) not in (None, "", "sin dato")
    assert PreparedReport.objects.filter(file_format="xlsx").count() == 2  # one per version


def test_large_plan_answers_at_once_and_the_command_builds_the_file(staff, large_plan):
    director = logged_in(staff["director"])
    waiting = director.get(PDF)
    assert waiting.status_code == 202
    page = waiting.content.decode()
    assert "Reporte de seguimiento 2016 en PDF" in page
    assert "se está preparando" in page
    assert json.loads(director.get(PDF, {"estado": 1}).content)["listo"] is False
    logged_in(staff["validator"]).get(PDF)  # a second asker: the same request
    row = PreparedReport.objects.get()
    assert (row.state, row.requested_by) == (PreparedReport.State.PENDING, staff["director"])

    out = io.StringIO()
    call_command("build_reports", stdout=out)
    assert "Preparado: reporte-seguimiento-2016.pdf" in out.getvalue()
    assert "Preparados: 1, con error: 0" in out.getvalue()
    assert json.loads(director.get(PDF, {"estado": 1}).content)["listo"] is True
    served = director.get(PDF)
    assert served.status_code == 200
    assert served.streaming
    content = body(served)
    assert content.startswith(b"%PDF-")
    # The same report as one built now, but for the minute it was generated at.
    rebuilt = pdf_text(report_files.build_bytes(2016, "pdf"))
    assert BUILT_AT.sub("", pdf_text(content)) == BUILT_AT.sub("", rebuilt)
    # Nothing is asked for any more: a second run builds nothing.
    out = io.StringIO()
    call_command("build_reports", stdout=out)
    assert "Preparados: 0" in out.getvalue()


def test_after_a_write_the_old_file_is_never_served_and_is_purged(staff, large_plan):
    director = logged_in(staff["director"])
    director.get(XLSX)
    call_command("build_reports", stdout=io.StringIO())
    old = PreparedReport.objects.get()
    assert director.get(XLSX).status_code == 200
    enter_value(staff["registrar"], year=2016, validator=staff["validator"])
    assert director.get(XLSX).status_code == 202  # the new version is being prepared
    out = io.StringIO()
    call_command("build_reports", stdout=out)
    assert "archivos de versiones anteriores borrados: 1" in out.getvalue()
    assert not default_storage.exists(old.file_name)
    content = body(director.get(XLSX))
    assert _oe31_value(content) not in (None, "", "sin dato")


def test_a_draft_leaves_the_prepared_file_in_place(staff, large_plan):
    director = logged_in(staff["director"])
    director.get(XLSX)
    call_command("build_reports", stdout=io.StringIO())
    enter_value(staff["registrar"], year=2016, note="borrador")  # a draft, not sent
    assert director.get(XLSX).status_code == 200  # drafts never reach the report


def test_prebuild_prepares_the_default_years_files_without_a_request(staff, large_plan):
    year = report_files.default_year()
    call_command("build_reports", "--prebuild", stdout=io.StringIO())
    built = set(PreparedReport.objects.values_list("year", "file_format", "state"))
    assert built == {(year, "xlsx", "listo"), (year, "pdf", "listo")}
    response = logged_in(staff["director"]).get(f"/reporte/{year}/pdf/")
    assert response.status_code == 200


def test_a_failed_build_is_explained_and_can_be_asked_again(staff, large_plan, monkeypatch):
    director = logged_in(staff["director"])
    director.get(PDF)

    def broken(report, target):
        target.write(b"%PDF-1.7 half a file")
        raise RuntimeError("sin memoria")

    pdf = PreparedReport.Format.PDF
    monkeypatch.setitem(report_files.KINDS, pdf, replace(report_files.KINDS[pdf], write=broken))
    with pytest.raises(CommandError, match="No se pudieron preparar: .*sin memoria"):
        call_command("build_reports", stdout=io.StringIO())
    assert PreparedReport.objects.get().file_name == ""  # the half-written file is not kept
    page = director.get(PDF)
    assert page.status_code == 202
    assert "No se pudo preparar el archivo: RuntimeError: sin memoria" in page.content.decode()
    retry = director.get(PDF, {"reintentar": 1})
    assert retry.status_code == 302
    assert PreparedReport.objects.get().state == PreparedReport.State.PENDING
    monkeypatch.undo()
    call_command("build_reports", stdout=io.StringIO())
    assert director.get(PDF).status_code == 200


def test_a_year_outside_the_plan_is_not_found_and_asks_for_nothing(staff, large_plan):
    response = logged_in(staff["director"]).get("/reporte/1990/pdf/")
    assert response.status_code == 404
    assert not PreparedReport.objects.exists()


def test_serving_a_stored_file_costs_a_fixed_number_of_queries(
    staff, django_assert_max_num_queries
):
    director = logged_in(staff["director"])
    director.get(PDF)
    with django_assert_max_num_queries(6):  # session, user, version, the row, page-cache
        response = director.get(PDF)
    assert response.streaming


def test_a_file_that_would_say_the_same_is_kept_across_versions(staff):
    """A later year's value changes nothing 2016's files say: the files already built are
    served again, the same bytes (their generation time too), not rebuilt. A 2016 value
    gives new files."""
    director = logged_in(staff["director"])
    first = {path: body(ok(director.get(path))) for path in (XLSX, PDF)}
    kept = {row.file_format: row for row in PreparedReport.objects.all()}
    assert all(row.fingerprint for row in kept.values())
    enter_value(staff["registrar"], "OE3.1", 2018, numerator=460, validator=staff["validator"])
    for path, content in first.items():
        assert body(ok(director.get(path))) == content
    for row in PreparedReport.objects.exclude(pk__in=[r.pk for r in kept.values()]):
        assert row.version > kept[row.file_format].version
        assert row.file_name == kept[row.file_format].file_name
    assert PreparedReport.objects.count() == 4  # a row per version, one file per format
    enter_value(staff["registrar"], "OE3.1", 2016, numerator=450, validator=staff["validator"])
    changed = body(ok(director.get(XLSX)))
    assert changed != first[XLSX] and _oe31_value(changed) not in (None, "", "sin dato")


def test_the_command_keeps_a_file_that_would_say_the_same_and_purge_leaves_it(staff, large_plan):
    director = logged_in(staff["director"])
    director.get(XLSX)
    call_command("build_reports", stdout=io.StringIO())
    old = PreparedReport.objects.get()
    first = body(ok(director.get(XLSX)))
    enter_value(staff["registrar"], "OE3.1", 2018, numerator=460, validator=staff["validator"])
    assert director.get(XLSX).status_code == 202  # the new version is asked for
    out = io.StringIO()
    call_command("build_reports", stdout=out)
    assert "archivos de versiones anteriores borrados: 1" in out.getvalue()
    row = PreparedReport.objects.get()
    assert row.version > old.version and row.file_name == old.file_name
    assert row.build_seconds == 0  # kept, not built
    assert default_storage.exists(old.file_name)
    assert body(ok(director.get(XLSX))) == first
