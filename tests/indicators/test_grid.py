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

from indicators import entry, services
from indicators.models import Indicator, IndicatorValue, Target
from objectives.models import Directorate
from tests.conftest import enter_value, make_staff

pytestmark = pytest.mark.django_db

DGC_ORDER = ["OE3.1", "V1.2", "NAC.3"]  # objective, variable, national


def grid_url(code="DGC", year=2016):
    return reverse("grid", args=[code, year])


def form_of(response, code):
    return next(r.form for r in response.context["rows"] if r.entry.code == code)


def grid_data(response, typed=None, submit=False):
    """What the browser sends back: every input as the page shows it, then what was typed
    ({"OE3.1": {"numerator": "450"}})."""
    data = {}
    for row in response.context["rows"]:
        form = row.form
        if form is None:
            continue
        for name in form.fields:
            if name == "evidence_file":
                continue
            value = form[name].value()
            data[form.add_prefix(name)] = "" if value is None else value
        for name, value in (typed or {}).get(row.entry.code, {}).items():
            data[form.add_prefix(name)] = value
    data["submit" if submit else "save"] = ""
    return data


GOOD = {
    "OE3.1": {"numerator": "450", "denominator": "2,850,000", "note": "Fuente: ORH"},
    "V1.2": {"numerator": "9", "denominator": "10", "analysis": "Mejoró la atención."},
    "NAC.3": {"value": "938,178", "measures": "Seguir con la recaudación en línea."},
}


def post_grid(client, typed, submit=False, code="DGC", year=2016):
    page = client.get(grid_url(code, year))
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
    page = client.get(grid_url(year=2018)).content.decode()
    assert "(meta interpolada)" in page


def test_rows_are_ordered_by_objective_then_natural_code():
    assert sorted(["V10.1", "V9.1", "V1.2"], key=entry.natural_key) == ["V1.2", "V9.1", "V10.1"]
    dgc = Directorate.objects.get(code="DGC")
    assert [r.code for r in entry.entry_rows(directorate=dgc, year=2016)] == DGC_ORDER


def test_precision_comes_from_the_published_numbers():
    assert entry.published_places(["1.54", "1.62"]) == 2
    assert entry.published_places(["840 000", "938 178"]) == 0
    assert entry.published_places(["0.5", "0.75"]) == 2
    assert entry.published_places([]) == entry.DEFAULT_PLACES
    assert entry.published_places(["0.123456"]) == entry.MAX_PLACES


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
    response = client.get(grid_url())
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
    page = client.get(grid_url())
    services.value_save(  # someone else saves meanwhile (version 2)
        user=registrar_dgc,
        indicator=Indicator.objects.get(code="OE3.1"),
        year=2016,
        numerator=D(460),
        denominator=D(2_850_000),
        expected_version=1,
    )
    response = client.post(grid_url(), grid_data(page, {"NAC.3": GOOD["NAC.3"]}))
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
    page = client.get(grid_url())
    data = grid_data(page, {"OE3.1": {**GOOD["OE3.1"], "pending_file": key}})
    response = client.post(grid_url(), data)
    assert "ya no está disponible" in response.content.decode()
    assert not stored("OE3.1")
    for forged in (
        "../../etc/passwd",
        f"evidencia-pendiente/{registrar_dgc.pk}/../x",
        f"evidencia-pendiente/{registrar_dgc.pk}/{'a' * 32}/..",
    ):
        data = grid_data(page, {"OE3.1": {**GOOD["OE3.1"], "pending_file": forged}})
        assert "ya no está disponible" in client.post(grid_url(), data).content.decode()


def test_a_file_of_the_wrong_type_is_refused_on_its_row(client, registrar_dgc):
    client.force_login(registrar_dgc)
    page = client.get(grid_url())
    data = grid_data(page, GOOD)
    data[form_of(page, "NAC.3").add_prefix("evidence_file")] = SimpleUploadedFile(
        "virus.exe", b"MZ"
    )
    assert "Tipo de archivo no admitido" in client.post(grid_url(), data).content.decode()
    assert not IndicatorValue.objects.filter(year=2016, indicator__responsible__code="DGC")


# --- who may do what; read-only rows; withdrawing ------------------------------------------


def test_submitted_and_validated_rows_are_read_only(client, registrar_dgc, validator):
    enter_value(registrar_dgc, submit=True)
    enter_value(registrar_dgc, "V1.2", numerator=9, denominator=10, validator=validator)
    client.force_login(registrar_dgc)
    response = client.get(grid_url())
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
    # 403 (tests/indicators/test_draft_visibility.py); nobody but its registrars saves.
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
    pending = client.get(reverse("pending"), {"anio": 2016}).content.decode()
    assert f'href="{grid_url()}"' in pending
    directorate = client.get(reverse("directorate_detail", args=["DGC"]), {"anio": 2016})
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


def add_indicators(
    directorate_code: str, count: int, *, submitted: bool = False, start: int = 0
) -> None:
    """`count` more ratio indicators of the directorate, with history, targets and a 2016
    value (submitted when asked, else a draft)."""
    directorate = Directorate.objects.get(code=directorate_code)
    created = Indicator.objects.bulk_create(
        Indicator(
            code=f"SYN.{directorate_code}.{n}",
            name=f"Sintético {n}",
            numerator="n",
            denominator="d",
            level="variable",
            responsible=directorate,
            order=200 + n,
        )
        for n in range(start, start + count)
    )
    IndicatorValue.objects.bulk_create(
        IndicatorValue(
            indicator=i,
            year=y,
            value=D("0.5"),
            numerator=D(1),
            denominator=D(2),
            state=state,
            version=1,
        )
        for i in created
        for y, state in ((2014, "validated"), (2016, "submitted" if submitted else "draft"))
    )
    Target.objects.bulk_create(
        Target(indicator=i, kind=k, year=y, value=D(v), source="Anexo 6")
        for i in created
        for k, y, v in (("baseline", 2014, "0.5"), ("target", 2016, "0.6"), ("target", 2021, "1"))
    )


def count_queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params or {}).status_code == 200
    return len(ctx.captured_queries)


def test_grid_query_count_does_not_grow_with_the_indicators(
    client, registrar_dgc, django_assert_max_num_queries
):
    client.force_login(registrar_dgc)
    add_indicators("DGC", 2)  # 3 published + 2 = 5 rows
    count_queries(client, grid_url())  # warm caches (session, content types)
    small = count_queries(client, grid_url())
    add_indicators("DGC", 25, start=2)  # 30 rows
    assert len(client.get(grid_url()).context["rows"]) == 30
    assert count_queries(client, grid_url()) == small
    # session, user, plan years, directorate, profile (registrar?), groups, indicators,
    # values, targets, flags, articulated objectives, actions, the year's reports; the menu's
    # «Mis tareas» badge (context processor): plan years, open task count
    with django_assert_max_num_queries(15):
        client.get(grid_url())


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
    page = client.get(url).content.decode()
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
    page = client.get(reverse("indicator_detail", args=["V1.2"])).content.decode()
    assert 'Análisis del avance:</strong> <span class="note">Mejoró la atención.' in page
    page = client.get(reverse("indicator_detail", args=["NAC.3"])).content.decode()
    assert "Seguir con la recaudación en línea." in page
