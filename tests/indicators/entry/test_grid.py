"""The entry grid (/direcciones/<code>/<year>/registro/): a directorate's year on one page,
all rows saved in one transaction, a bad row stores nothing and keeps everything typed,
warnings need a justification, the submitter withdraws, read-only rows, the live preview,
and a query count that does not grow with the number of indicators."""

import re
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators import entry_rows, services
from indicators.models import Indicator, IndicatorValue
from objectives.models import Directorate
from tests.factories import add_indicators, built, enter_value, grid_data, make_staff, ok

pytestmark = pytest.mark.django_db

DGC_ORDER = ["OE3.1", "V1.2", "NAC.3"]  # objective, variable, national


def grid_url(code="DGC", year=2016):
    return reverse("grid", args=[code, year])


def form_of(response, code):
    return next(r.form for r in response.context["rows"] if r.entry.code == code)


GOOD = {
    "OE3.1": {"numerator": "450", "denominator": "2,850,000", "note": "Fuente: ORH"},
    "V1.2": {"numerator": "9", "denominator": "10", "analysis": "Mejoró la atención."},
    "NAC.3": {"value": "938,178", "measures": "Seguir con la recaudación en línea."},
}


def post_grid(client, typed, submit=False, code="DGC", year=2016):
    page = built(client, grid_url(code, year))
    return client.post(grid_url(code, year), grid_data(page, typed, submit))


def stored(code, year=2016):
    return IndicatorValue.objects.filter(indicator__code=code, year=year).first()


# --- what the grid shows -------------------------------------------------------------------


def test_grid_lists_every_indicator_the_directorate_owes_with_its_context(client, registrar_dgc):
    client.force_login(registrar_dgc)
    response = client.get(grid_url())
    assert response.status_code == 200
    assert [r.entry.code for r in response.context["rows"]] == DGC_ORDER
    page = response.content.decode()
    assert "¿Qué valores registra DGC para 2016?" in page
    assert "1.62 (2014)" in page  # last validated value before the year
    assert '1.54 <small class="muted">(meta publicada)</small>' in page
    assert "por cada 10,000 peruanos en el exterior" in page  # unit
    assert "Número de personal de las oficinas consulares" in page  # numerator definition
    assert page.count('inputmode="decimal"') == 5  # 2 + 2 parts, 1 value
    assert "versión" not in page
    assert '<script src="/static/js/grid.js"></script>' in page
    # the directorate's action reports for the year are one click away
    assert reverse("report_entry", args=["3.1", 2016]) in page


def test_a_year_without_published_target_shows_the_interpolated_one(client, registrar_dgc):
    client.force_login(registrar_dgc)
    page = ok(client.get(grid_url(year=2018))).content.decode()
    assert "(meta interpolada)" in page


def test_rows_are_ordered_by_objective_then_natural_code():
    assert sorted(["V10.1", "V9.1", "V1.2"], key=entry_rows.natural_key) == [
        "V1.2",
        "V9.1",
        "V10.1",
    ]
    dgc = Directorate.objects.get(code="DGC")
    assert [r.code for r in entry_rows.entry_rows(directorate=dgc, year=2016)] == DGC_ORDER


def test_precision_comes_from_the_published_numbers():
    assert entry_rows.published_places(["1.54", "1.62"]) == 2
    assert entry_rows.published_places(["840 000", "938 178"]) == 0
    assert entry_rows.published_places(["0.5", "0.75"]) == 2
    assert entry_rows.published_places([]) == entry_rows.DEFAULT_PLACES
    assert entry_rows.published_places(["0.123456"]) == entry_rows.MAX_PLACES


def test_stored_draft_is_prefilled_the_peruvian_way(client, registrar_dgc):
    services.value_save(
        user=registrar_dgc,
        indicator=Indicator.objects.get(code="NAC.3"),
        year=2016,
        numerator=None,
        denominator=None,
        value=D("1020000.5"),
    )
    enter_value(registrar_dgc, numerator=460, denominator=2_875_000)  # 1.6 exactly
    client.force_login(registrar_dgc)
    response = ok(client.get(grid_url()))
    assert form_of(response, "NAC.3")["value"].value() == "1,020,000.5"
    assert form_of(response, "OE3.1")["denominator"].value() == "2,875,000"
    page = response.content.decode()
    assert 'value="1,020,000.5"' in page and "1.600000" not in page
    assert 'Valor calculado: <output data-out="value">1.60</output>' in page


# --- saving ---------------------------------------------------------------------------------


def test_all_rows_are_saved_together_as_drafts(client, registrar_dgc):
    client.force_login(registrar_dgc)
    response = post_grid(client, GOOD)
    assert response.status_code == 302 and response.url == grid_url()
    consular, satisfaction, revenue = stored("OE3.1"), stored("V1.2"), stored("NAC.3")
    assert (consular.state, consular.value) == ("draft", D("1.578947"))
    assert consular.note == "Fuente: ORH"
    assert satisfaction.value == D("0.9") and satisfaction.analysis == "Mejoró la atención."
    assert revenue.value == D(938178) and revenue.measures.startswith("Seguir")
    assert all(v.warnings == [] for v in (consular, satisfaction, revenue))


def test_save_and_submit_sends_every_row(client, registrar_dgc):
    client.force_login(registrar_dgc)
    response = post_grid(client, GOOD, submit=True)
    assert response.status_code == 302
    assert {stored(code).state for code in DGC_ORDER} == {"submitted"}
    messages = [str(m) for m in client.get(grid_url()).context["messages"]]
    assert "Planilla 2016: 3 valor(es) enviados a validación." in messages


def test_blank_rows_are_skipped_not_refused(client, registrar_dgc):
    client.force_login(registrar_dgc)
    response = post_grid(client, {"NAC.3": {"value": "938,178"}})
    assert response.status_code == 302
    assert stored("NAC.3") and not stored("OE3.1") and not stored("V1.2")


def test_unchanged_draft_is_not_written_again_but_is_sent(client, registrar_dgc):
    item = enter_value(registrar_dgc)
    client.force_login(registrar_dgc)
    post_grid(client, {})  # nothing changed
    item.refresh_from_db()
    assert item.version == 1 and item.history.count() == 1
    post_grid(client, {}, submit=True)
    item.refresh_from_db()
    assert item.state == "submitted"


def test_one_bad_row_stores_nothing_and_keeps_what_was_typed_in_every_row(client, registrar_dgc):
    client.force_login(registrar_dgc)
    typed = {**GOOD, "V1.2": {"numerator": "9", "denominator": "0", "analysis": "Bajó."}}
    response = post_grid(client, typed)
    assert response.status_code == 200
    assert not IndicatorValue.objects.filter(year=2016, indicator__responsible__code="DGC")
    page = response.content.decode()
    for kept in ('value="2,850,000"', 'value="938,178"', "Fuente: ORH", "Bajó.", "Seguir con"):
        assert kept in page
    row = re.search(r'<tr class="grid-row row-error"[^>]*data-code="V1.2".*?</tr>', page, re.S)
    assert row and "El denominador no puede ser cero." in row.group(0)
    assert page.count("row-error") == 1  # the error is on that row only


def test_a_service_refusal_after_good_rows_rolls_every_row_back(client, registrar_dgc):
    """OE3.1 is written first; V1.2 is refused by the service (one part missing): the whole
    grid is one transaction, so OE3.1 is not stored either."""
    client.force_login(registrar_dgc)
    response = post_grid(client, {**GOOD, "V1.2": {"numerator": "9"}})
    assert response.status_code == 200
    assert "Ingrese el denominador." in response.content.decode()
    assert not IndicatorValue.objects.filter(year=2016, indicator__responsible__code="DGC")


def test_a_number_the_parser_refuses_is_shown_on_its_row(client, registrar_dgc):
    client.force_login(registrar_dgc)
    response = post_grid(client, {**GOOD, "NAC.3": {"value": "1,5"}})
    assert "use punto decimal: ¿quiso decir 1.5?" in response.content.decode()
    assert not IndicatorValue.objects.filter(year=2016, indicator__responsible__code="DGC")


def test_stale_row_is_a_conflict_on_that_row_and_nothing_is_stored(client, registrar_dgc):
    client.force_login(registrar_dgc)
    enter_value(registrar_dgc)
    page = ok(client.get(grid_url()))
    services.value_save(  # someone else saves meanwhile (version 2)
        user=registrar_dgc,
        indicator=Indicator.objects.get(code="OE3.1"),
        year=2016,
        numerator=D(460),
        denominator=D(2_850_000),
        expected_version=1,
    )
    response = ok(client.post(grid_url(), grid_data(page, {"NAC.3": GOOD["NAC.3"]})))
    assert "Otra persona modificó este registro" in response.content.decode()
    assert stored("OE3.1").numerator == D(460) and not stored("NAC.3")


# --- warnings and justification --------------------------------------------------------------


def test_value_with_warnings_is_saved_as_draft_with_its_warnings(client, registrar_dgc):
    client.force_login(registrar_dgc)
    post_grid(client, {"NAC.3": {"value": "3,200,000"}})
    item = stored("NAC.3")
    assert item.state == "draft"
    assert item.warnings == [
        "El cumplimiento sería 341.1 % de la meta del año (938,178): más del 200 %"
    ]


def test_sending_a_value_with_warnings_needs_a_justification(client, registrar_dgc, validator):
    client.force_login(registrar_dgc)
    typed = {**GOOD, "NAC.3": {"value": "3,200,000"}}
    response = post_grid(client, typed, submit=True)
    page = response.content.decode()
    assert "Este valor tiene advertencias: escriba una justificación para enviarlo." in page
    assert "más del 200 %" in page  # the warning is shown on the row, in words
    assert not IndicatorValue.objects.filter(year=2016, indicator__responsible__code="DGC")

    reason = "Incluye la recaudación extraordinaria por el proceso electoral."
    typed["NAC.3"]["justification"] = reason
    assert post_grid(client, typed, submit=True).status_code == 302
    item = stored("NAC.3")
    assert item.state == "submitted" and item.justification == reason
    assert item.history.filter(justification=reason).exists()  # kept in the history

    client.force_login(validator)
    queue = client.get(reverse("validation_queue")).content.decode()
    assert reason in queue and "más del 200 %" in queue


def test_do_submit_refuses_a_draft_with_warnings_and_no_justification(registrar_dgc):
    item = services.value_save(
        user=registrar_dgc,
        indicator=Indicator.objects.get(code="NAC.3"),
        year=2016,
        numerator=None,
        denominator=None,
        value=D(3_200_000),
    )
    with pytest.raises(ValidationError) as exc:
        services.do_submit(user=registrar_dgc, item=item, expected_version=item.version)
    assert exc.value.message_dict == {"justification": [services.WARNINGS_NEED_JUSTIFICATION]}
    item.refresh_from_db()
    assert item.state == "draft"


def test_value_save_with_submit_is_one_transaction(registrar_dgc):
    with pytest.raises(ValidationError, match="advertencias"):
        services.value_save(
            user=registrar_dgc,
            indicator=Indicator.objects.get(code="NAC.3"),
            year=2016,
            numerator=None,
            denominator=None,
            value=D(3_200_000),
            submit=True,
        )
    assert not stored("NAC.3")


# --- evidence -------------------------------------------------------------------------------


def test_chosen_file_survives_an_error_in_another_row(client, registrar_dgc, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(registrar_dgc)
    page = client.get(grid_url())
    data = grid_data(page, {**GOOD, "V1.2": {"numerator": "9", "denominator": "0"}})
    data[form_of(page, "OE3.1").add_prefix("evidence_file")] = SimpleUploadedFile(
        "acta.pdf", b"%PDF-1.4 acta", content_type="application/pdf"
    )
    refused = client.post(grid_url(), data)
    assert "Archivo elegido: acta.pdf" in refused.content.decode()
    key = form_of(refused, "OE3.1")["pending_file"].value()
    assert key.startswith(f"evidencia-pendiente/{registrar_dgc.pk}/")
    assert default_storage.exists(key)
    assert not IndicatorValue.objects.filter(year=2016, indicator__responsible__code="DGC")

    # the registrar fixes the other row and saves again, without choosing the file again
    fixed = grid_data(refused, {"V1.2": {"denominator": "10"}})
    assert client.post(grid_url(), fixed).status_code == 302
    item = stored("OE3.1")
    assert item.evidence_file.name.startswith("evidence/")
    assert item.evidence_file.read() == b"%PDF-1.4 acta"
    assert not default_storage.exists(key)  # the kept copy is gone
    page = client.get(grid_url()).content.decode()
    assert reverse("evidence", args=["valor", item.pk]) in page  # attached file is visible


def test_a_forged_pending_key_is_refused(
    client, registrar_dgc, django_user_model, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    other = make_staff(django_user_model, "reg2.dgc", "registrador", "DGC")  # their kept file
    key = default_storage.save(
        f"evidencia-pendiente/{other.pk}/{'a' * 32}/ajeno.pdf", SimpleUploadedFile("x", b"x")
    )
    client.force_login(registrar_dgc)
    page = ok(client.get(grid_url()))
    data = grid_data(page, {"OE3.1": {**GOOD["OE3.1"], "pending_file": key}})
    response = ok(client.post(grid_url(), data))
    assert "ya no está disponible" in response.content.decode()
    assert not stored("OE3.1")
    for forged in (
        "../../etc/passwd",
        f"evidencia-pendiente/{registrar_dgc.pk}/../x",
        f"evidencia-pendiente/{registrar_dgc.pk}/{'a' * 32}/..",
    ):
        data = grid_data(page, {"OE3.1": {**GOOD["OE3.1"], "pending_file": forged}})
        assert "ya no está disponible" in ok(client.post(grid_url(), data)).content.decode()


def test_a_file_of_the_wrong_type_is_refused_on_its_row(client, registrar_dgc):
    client.force_login(registrar_dgc)
    page = ok(client.get(grid_url()))
    data = grid_data(page, GOOD)
    data[form_of(page, "NAC.3").add_prefix("evidence_file")] = SimpleUploadedFile(
        "virus.exe", b"MZ"
    )
    assert "Tipo de archivo no admitido" in ok(client.post(grid_url(), data)).content.decode()
    assert not IndicatorValue.objects.filter(year=2016, indicator__responsible__code="DGC")


# --- who may do what; read-only rows; withdrawing ------------------------------------------


def test_submitted_and_validated_rows_are_read_only(client, registrar_dgc, validator):
    enter_value(registrar_dgc, submit=True)
    enter_value(registrar_dgc, "V1.2", numerator=9, denominator=10, validator=validator)
    client.force_login(registrar_dgc)
    response = ok(client.get(grid_url()))
    rows = {r.entry.code: r for r in response.context["rows"]}
    assert rows["OE3.1"].form is None and rows["V1.2"].form is None
    assert rows["NAC.3"].form is not None
    page = response.content.decode()
    assert f'name="r{rows["OE3.1"].entry.indicator.pk}-numerator"' not in page
    assert "enviado" in page and "validado" in page and "2,850,000" in page


def test_readers_of_the_drafts_read_the_grid_and_cannot_save(
    client, django_user_model, registrar_dpe, director_dpe, validator
):
    # Its director and the planning office read DGC's grid; who may not read its drafts gets
    # 403 (tests/indicators/test_access.py); nobody but its registrars saves.
    director_dgc = make_staff(django_user_model, "dir.dgc", "director", "DGC")
    for reader in (director_dgc, validator):
        client.force_login(reader)
        response = client.get(grid_url())
        assert response.status_code == 200 and "Solo lectura" in response.content.decode()
        assert all(r.form is None for r in response.context["rows"])
        assert client.post(grid_url(), {"save": ""}).status_code == 403
    for other in (director_dpe, registrar_dpe):
        client.force_login(other)
        assert client.get(grid_url()).status_code == 403
        assert client.post(grid_url(), {"save": ""}).status_code == 403
    assert not IndicatorValue.objects.filter(year=2016, indicator__responsible__code="DGC")


def test_grid_save_refuses_an_indicator_of_another_directorate(registrar_dgc):
    with pytest.raises(PermissionDenied):
        services.grid_save(
            user=registrar_dgc,
            directorate=Directorate.objects.get(code="DGC"),
            year=2016,
            rows=[
                services.ValueInput(
                    indicator=Indicator.objects.get(code="OE2.1"),
                    numerator=D(1),
                    denominator=D(2),
                )
            ],
            submit=False,
        )


def test_unknown_directorate_or_year_is_404(client, registrar_dgc):
    client.force_login(registrar_dgc)
    assert client.get(grid_url("NOPE")).status_code == 404
    assert client.get(grid_url(year=2030)).status_code == 404


def test_the_submitter_withdraws_a_submission(client, registrar_dgc, django_user_model):
    client.force_login(registrar_dgc)
    post_grid(client, GOOD, submit=True)
    item = stored("OE3.1")
    page = client.get(grid_url()).content.decode()
    assert page.count("Retirar envío") == 3
    withdraw = reverse("grid_withdraw", args=["DGC", 2016, item.pk])
    response = client.post(withdraw, {"version": item.version}, follow=True)
    assert "envío retirado" in response.content.decode()
    item.refresh_from_db()
    assert item.state == "draft" and item.submitted_by is None
    assert item.history.first().history_change_reason == "envío retirado"
    # the row can be edited again
    assert form_of(client.get(grid_url()), "OE3.1") is not None

    colleague = make_staff(django_user_model, "reg2.dgc", "registrador", "DGC")
    other = stored("V1.2")
    client.force_login(colleague)
    assert "Retirar envío" not in client.get(grid_url()).content.decode()
    url = reverse("grid_withdraw", args=["DGC", 2016, other.pk])
    assert client.post(url, {"version": other.version}).status_code == 403
    other.refresh_from_db()
    assert other.state == "submitted"


def test_a_validated_value_cannot_be_withdrawn(registrar_dgc, validator):
    item = enter_value(registrar_dgc, validator=validator)
    with pytest.raises(ValidationError, match="No se puede retirar el envío de un registro"):
        services.do_withdraw(user=registrar_dgc, item=item, expected_version=item.version)
    draft = enter_value(registrar_dgc, "V1.2", numerator=9, denominator=10)
    with pytest.raises(ValidationError, match="estado «borrador»"):
        services.do_withdraw(user=registrar_dgc, item=draft, expected_version=draft.version)


def test_pending_and_directorate_pages_link_to_the_grid(client, registrar_dgc):
    client.force_login(registrar_dgc)
    pending = ok(client.get(reverse("pending"), {"anio": 2016})).content.decode()
    assert f'href="{grid_url()}"' in pending
    directorate = ok(client.get(reverse("directorate_detail", args=["DGC"]), {"anio": 2016}))
    assert f'href="{grid_url()}"' in directorate.content.decode()


# --- live preview ------------------------------------------------------------------------------


def preview(client, **params):
    return client.get(reverse("grid_preview"), {"anio": 2016, **params})


def test_preview_computes_on_the_server_and_formats_the_peruvian_way(client, registrar_dgc):
    client.force_login(registrar_dgc)
    data = preview(client, indicador="OE3.1", numerador="3,200,000", denominador="2,850,000").json()
    assert data["value"] == "11,228.07"
    assert data["achievement"] == "729,095.5 %"
    assert data["warnings"][0] == "El valor es más de 5 veces el de 2014 (1.62)"
    assert data["target"] == "1.54" and data["target_label"] == "meta publicada"
    data = preview(client, indicador="OE3.1", numerador="450", denominador="2,850,000").json()
    assert (data["value"], data["light"], data["warnings"]) == ("1.58", "green", [])


def test_preview_says_what_is_wrong(client, registrar_dgc):
    client.force_login(registrar_dgc)
    data = preview(client, indicador="OE3.1", numerador="450", denominador="0").json()
    assert data["error"] == "El denominador no puede ser cero." and data["value"] == ""
    data = preview(client, indicador="NAC.3", valor="1,5").json()
    assert data["errors"]["value"].startswith("Valor: use punto decimal")
    assert preview(client, indicador="NOPE").status_code == 404
    outside = {"indicador": "NAC.3", "anio": "2030"}
    assert client.get(reverse("grid_preview"), outside).status_code == 404


def test_preview_needs_a_login(client):
    assert preview(client, indicador="NAC.3", valor="1").status_code == 302


# --- query counts ----------------------------------------------------------------------------


def count_queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params or {}).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.usefixtures("uncached")
def test_grid_query_count_does_not_grow_with_the_indicators(
    client, registrar_dgc, django_assert_max_num_queries
):
    client.force_login(registrar_dgc)
    add_indicators("DGC", 2)  # 3 published + 2 = 5 rows
    count_queries(client, grid_url())  # warm caches (session, content types)
    small = count_queries(client, grid_url())
    add_indicators("DGC", 25, start=2)  # 30 rows
    assert len(ok(client.get(grid_url())).context["rows"]) == 30
    assert count_queries(client, grid_url()) == small
    # session, user, plan years, directorate, profile (registrar?), groups, the page's order
    # (every indicator's code, light), indicators, values, targets, flags, articulated
    # objectives, actions, the year's reports; the menu's «Mis tareas» badge (context
    # processor): plan years, open task count
    with django_assert_max_num_queries(16):
        ok(client.get(grid_url()))


def test_preview_query_count_is_fixed(client, registrar_dgc, django_assert_max_num_queries):
    client.force_login(registrar_dgc)
    preview(client, indicador="OE3.1", numerador="1", denominador="2")
    # session, user, indicator, plan years, indicator (facts), values, targets, flags,
    # articulated objectives
    with django_assert_max_num_queries(9):
        preview(client, indicador="OE3.1", numerador="1", denominador="2")


# --- the single-indicator form and the indicator page --------------------------------------


def test_value_form_has_the_grids_context_and_narrative(client, registrar_dgc):
    enter_value(registrar_dgc, numerator=460, denominator=2_875_000)  # 1.6
    client.force_login(registrar_dgc)
    url = reverse("value_entry", args=["OE3.1", 2016])
    page = ok(client.get(url)).content.decode()
    for text in (
        "por cada 10,000 peruanos en el exterior",
        "1.62 (2014)",
        '1.54 <small class="muted">(meta publicada)</small>',
        "Análisis del avance",
        "Medidas adoptadas o propuestas",
        "Justificación de las advertencias",
        'value="2,875,000"',
        "/static/js/grid.js",
    ):
        assert text in page
    assert "versión" not in page and "1.600000" not in page


def test_value_form_refuses_to_send_a_warned_value_without_justification(client, registrar_dgc):
    client.force_login(registrar_dgc)
    url = reverse("value_entry", args=["NAC.3", 2016])
    response = client.post(url, {"value": "3,200,000", "submit": ""})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Este valor tiene advertencias" in page and "más del 200 %" in page
    assert not stored("NAC.3")  # neither sent nor saved
    response = client.post(
        url,
        {
            "value": "3,200,000",
            "justification": "Recaudación extraordinaria.",
            "analysis": "Se superó la meta.",
            "measures": "Mantener la recaudación en línea.",
            "submit": "",
        },
    )
    assert response.status_code == 302
    item = stored("NAC.3")
    assert item.state == "submitted" and item.justification == "Recaudación extraordinaria."
    assert item.analysis == "Se superó la meta." and item.warnings


def test_indicator_page_shows_the_narrative_with_each_value(client, registrar_dgc):
    client.force_login(registrar_dgc)
    post_grid(client, GOOD)
    page = ok(client.get(reverse("indicator_detail", args=["V1.2"]))).content.decode()
    assert 'Análisis del avance:</strong> <span class="note">Mejoró la atención.' in page
    page = ok(client.get(reverse("indicator_detail", args=["NAC.3"]))).content.decode()
    assert "Seguir con la recaudación en línea." in page


# --- a refused save reports every problem at once ----------------------------------------------


def summary_of(page: str) -> str:
    found = re.search(r'<div class="error-summary".*?</div>', page, re.S)
    assert found, "no summary at the top"
    return found.group(0)


def row_html(page: str, code: str) -> str:
    found = re.search(
        rf'<tr class="grid-row[^"]*"[^>]*data-code="{re.escape(code)}".*?</tr>', page, re.S
    )
    assert found
    return found.group(0)


def test_a_refused_save_lists_every_problem_of_every_row_at_once(client, registrar_dgc):
    """A number that does not parse (V1.2) and a warned value without justification (NAC.3)
    come back together on the first attempt, in a summary that links to each row."""
    enter_value(registrar_dgc)  # OE3.1 stored: it must stay as it is
    client.force_login(registrar_dgc)
    typed = {
        **GOOD,
        "V1.2": {"numerator": "1,5", "denominator": "10"},
        "NAC.3": {"value": "3,200,000"},
    }
    response = post_grid(client, typed, submit=True)
    assert response.status_code == 200
    page = response.content.decode()
    summary = summary_of(page)
    assert "No se guardó nada: 2 filas con problemas" in summary
    assert 'tabindex="-1"' in summary and "autofocus" in summary
    satisfaction = Indicator.objects.get(code="V1.2")
    revenue = Indicator.objects.get(code="NAC.3")
    assert f'href="#fila-{satisfaction.pk}"' in summary
    assert f'href="#fila-{revenue.pk}"' in summary
    assert "Numerador: use punto decimal: ¿quiso decir 1.5?" in summary
    assert (
        "Justificación de las advertencias: Este valor tiene advertencias: escriba una "
        "justificación para enviarlo." in summary
    )
    assert page.index("error-summary") < page.index('id="grid"')  # at the top
    assert "Este valor tiene advertencias" in row_html(page, "NAC.3")
    assert "¿quiso decir 1.5?" in row_html(page, "V1.2")
    # nothing stored: OE3.1 as it was, the others absent
    item = stored("OE3.1")
    assert (item.numerator, item.version, item.state) == (D(450), 1, "draft")
    assert not stored("V1.2") and not stored("NAC.3")


def test_one_row_with_two_problems_shows_both(client, registrar_dgc):
    """A file of the wrong type and a missing justification on the same row: both at once."""
    client.force_login(registrar_dgc)
    page = ok(client.get(grid_url()))
    data = grid_data(page, {"NAC.3": {"value": "3,200,000"}}, submit=True)
    form = form_of(page, "NAC.3")
    data[form.add_prefix("evidence_file")] = SimpleUploadedFile("macro.exe", b"MZ")
    response = ok(client.post(grid_url(), data))
    row = row_html(response.content.decode(), "NAC.3")
    assert "Tipo de archivo no admitido" in row
    assert "Este valor tiene advertencias: escriba una justificación para enviarlo." in row
    assert "No se guardó nada: 1 fila con problemas" in response.content.decode()
    assert not stored("NAC.3")


def test_a_save_that_goes_through_shows_no_summary(client, registrar_dgc):
    client.force_login(registrar_dgc)
    response = post_grid(client, GOOD)
    assert response.status_code == 302
    assert "error-summary" not in client.get(grid_url()).content.decode()


# --- only the rows typed in are sent --------------------------------------------------------


def only_rows(response, codes, typed=None, submit=False):
    """What grid.js sends: the inputs of the rows typed in (`codes`) only."""
    data = grid_data(response, typed, submit)
    keep = {form_of(response, code).prefix for code in codes}
    return {k: v for k, v in data.items() if "-" not in k or k.split("-", 1)[0] in keep}


def test_rows_not_sent_keep_what_is_stored(client, registrar_dgc):
    item = enter_value(registrar_dgc, note="Fuente: ORH")
    client.force_login(registrar_dgc)
    page = client.get(grid_url())
    response = client.post(grid_url(), only_rows(page, ["NAC.3"], GOOD))
    assert response.status_code == 302
    assert stored("NAC.3").value == D(938178)
    item.refresh_from_db()  # OE3.1 was not sent: untouched, not cleared
    assert (item.numerator, item.note, item.version) == (D(450), "Fuente: ORH", 1)
    assert not stored("V1.2")


def test_save_and_send_also_sends_the_drafts_not_sent(client, registrar_dgc):
    item = enter_value(registrar_dgc)
    client.force_login(registrar_dgc)
    page = client.get(grid_url())
    response = client.post(grid_url(), only_rows(page, ["NAC.3"], GOOD, submit=True))
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.state == "submitted" and item.numerator == D(450)
    assert item.history.count() == 2  # saved once, then sent: not written again
    assert stored("NAC.3").state == "submitted"


def test_a_stored_draft_not_sent_that_cannot_be_sent_is_shown_with_its_problem(
    client, registrar_dgc
):
    """NAC.3's stored draft has warnings and no justification: sending the grid is refused
    on that row, shown as stored, and the row is sent with the next attempt."""
    services.value_save(
        user=registrar_dgc,
        indicator=Indicator.objects.get(code="NAC.3"),
        year=2016,
        numerator=None,
        denominator=None,
        value=D(3_200_000),
    )
    client.force_login(registrar_dgc)
    page = client.get(grid_url())
    response = client.post(grid_url(), only_rows(page, ["OE3.1"], GOOD, submit=True))
    assert response.status_code == 200
    html = response.content.decode()
    row = row_html(html, "NAC.3")
    assert "Este valor tiene advertencias" in row
    assert 'value="3,200,000"' in row and "data-changed" in row
    assert "No se guardó nada: 1 fila con problemas" in summary_of(html)
    assert stored("NAC.3").state == "draft" and not stored("OE3.1")


# --- at size: pages of the grid --------------------------------------------------------------


def test_a_large_grid_is_shown_in_pages(client, registrar_dgc):
    from indicators.entry.grid_views import PAGE_SIZE

    client.force_login(registrar_dgc)
    add_indicators("DGC", 2 * PAGE_SIZE + 20)  # 3 published + 120: three pages
    order = [
        code for _, code in entry_rows.entry_order(directorate=Directorate.objects.get(code="DGC"))
    ]
    everything = [
        r.code
        for r in entry_rows.entry_rows(directorate=Directorate.objects.get(code="DGC"), year=2016)
    ]
    assert order == everything  # the light order is the grid's order
    first = client.get(grid_url())
    assert [r.entry.code for r in first.context["rows"]] == order[:PAGE_SIZE]
    html = first.content.decode()
    assert f"Filas 1–{PAGE_SIZE} de 123 (página 1 de 3)" in html
    assert 'href="?pagina=2"' in html
    last = client.get(grid_url(), {"pagina": "3"})
    assert [r.entry.code for r in last.context["rows"]] == order[2 * PAGE_SIZE :]
    assert len(order[2 * PAGE_SIZE :]) == 23 and order[-1] == "NAC.3"  # national ones last
    # odd page numbers go to one address a page (each address is a copy in the page cache)
    for raw, url in (("²", grid_url()), ("1", grid_url()), ("99", grid_url() + "?pagina=3")):
        response = client.get(grid_url(), {"pagina": raw})
        assert (response.status_code, response.url) == (302, url)


def test_a_whole_page_is_saved_within_djangos_field_limit(client, registrar_dgc, settings):
    """123 rows, every row of a page sent (no JavaScript): the POST stays under
    DATA_UPLOAD_MAX_NUMBER_FIELDS and _FILES, and the page's rows are stored. Before pages,
    the whole grid posted over 1,100 fields and got 400."""
    client.force_login(registrar_dgc)
    add_indicators("DGC", 120)
    page = client.get(grid_url(), {"pagina": "2"})
    html = page.content.decode()
    form = html[html.index('id="grid-form"') : html.index("</form>", html.index('id="grid-form"'))]
    assert len(re.findall(r'<(?:input|textarea)[^>]*name="r', form)) + 3 < (
        settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    )
    assert form.count('type="file"') <= settings.DATA_UPLOAD_MAX_NUMBER_FILES
    typed = {r.entry.code: {"numerator": "3", "denominator": "4"} for r in page.context["rows"]}
    response = client.post(grid_url() + "?pagina=2", grid_data(page, typed))
    assert response.status_code == 302 and response.url == grid_url() + "?pagina=2"
    codes = set(typed)
    changed = IndicatorValue.objects.filter(year=2016, numerator=3)
    assert set(changed.values_list("indicator__code", flat=True)) == codes
    assert IndicatorValue.objects.filter(year=2016, numerator=1).count() == 120 - len(codes)


@pytest.mark.usefixtures("uncached")
def test_grid_query_count_is_the_same_on_any_page_of_a_large_grid(
    client, registrar_dgc, django_assert_max_num_queries
):
    client.force_login(registrar_dgc)
    count_queries(client, grid_url())
    small = count_queries(client, grid_url())
    add_indicators("DGC", 300)
    assert count_queries(client, grid_url()) == small
    assert count_queries(client, grid_url(), {"pagina": "7"}) == small


# --- input that once answered 500 ------------------------------------------------------------


def test_a_code_with_a_superscript_digit_does_not_break_the_grid(client, registrar_dgc):
    """An indicator code saved in admin as "V8²" ("²".isdigit() is true, int("²") fails)."""
    Indicator.objects.create(
        code="V8²",
        name="Código con superíndice",
        numerator="n",
        denominator="d",
        level="variable",
        responsible=Directorate.objects.get(code="DGC"),
        order=99,
    )
    assert entry_rows.natural_key("V8²") < entry_rows.natural_key("V10")
    client.force_login(registrar_dgc)
    response = client.get(grid_url())
    assert response.status_code == 200
    assert "V8²" in [r.entry.code for r in response.context["rows"]]
    page = built(client, grid_url())  # the second GET would be the kept copy
    typed = {"V8²": {"numerator": "1", "denominator": "2"}}
    assert client.post(grid_url(), grid_data(page, typed)).status_code == 302
    assert stored("V8²").value == D("0.5")


def test_withdraw_with_a_superscript_version_is_a_conflict_not_an_error(client, registrar_dgc):
    item = enter_value(registrar_dgc, submit=True)
    client.force_login(registrar_dgc)
    url = reverse("grid_withdraw", args=["DGC", 2016, item.pk])
    response = client.post(url, {"version": "²"}, follow=True)
    assert response.status_code == 200
    assert "Otra persona modificó este registro" in response.content.decode()
    item.refresh_from_db()
    assert item.state == "submitted"


def test_preview_with_a_superscript_year_is_404(client, registrar_dgc):
    client.force_login(registrar_dgc)
    response = client.get(reverse("grid_preview"), {"indicador": "NAC.3", "anio": "²"})
    assert response.status_code == 404


def test_grid_inputs_are_written_as_djangos_own_widget_templates_write_them():
    """The grid's faster widget renderer gives the same HTML as Django's templates, escaping
    included, for every input of a row (bound, with errors, and unbound with a stored value)."""
    from django.forms.renderers import DjangoTemplates

    from indicators.entry.grid_forms import GridRowForm, GridWidgetRenderer

    dgc = Directorate.objects.get(code="DGC")
    rows = {r.code: r for r in entry_rows.entry_rows(directorate=dgc, year=2016)}
    tricky = '"><script>alert(1)</script> & «ñ»'
    for code in ("OE3.1", "NAC.3"):
        row = rows[code]
        prefix = f"r{row.indicator.pk}-"
        data = {
            prefix + name: tricky
            for name in ("numerator", "denominator", "value", "note", "analysis", "measures")
        }
        data[prefix + "evidence_url"] = "javascript:alert(1)"
        data[prefix + "version"] = "3"
        fast = GridRowForm(data, row=row)
        plain = GridRowForm(data, row=row, renderer=DjangoTemplates())
        fast.is_valid(), plain.is_valid()
        assert isinstance(fast.renderer, GridWidgetRenderer)
        assert fast.errors  # aria-invalid and aria-describedby are written too
        for name in fast.fields:
            assert str(fast[name]) == str(plain[name]), name
        assert "<script>" not in str(fast["note"])


def test_a_refused_grid_writes_nothing_at_all(client, registrar_dgc, monkeypatch):
    """Every row is checked before any is written: a refusal writes no row only to roll it
    back (no audit line nor mail for a write that did not happen)."""
    writes = []
    original = services.save_item
    monkeypatch.setattr(
        services, "save_item", lambda *a, **k: writes.append(a) or original(*a, **k)
    )
    client.force_login(registrar_dgc)
    response = post_grid(client, {**GOOD, "NAC.3": {"value": "1,5"}})
    assert response.status_code == 200 and writes == []
    response = post_grid(client, {**GOOD, "V1.2": {"numerator": "9"}}, submit=True)
    assert "Ingrese el denominador." in response.content.decode() and writes == []
    assert post_grid(client, GOOD).status_code == 302 and len(writes) == 3
