"""Entry pages: rules hold for hand-made requests, errors are Spanish and next to the field,
nothing is stored from a rejected form, pages read a bounded number of queries."""

from decimal import Decimal as D

import pytest
from django.test import Client
from django.urls import reverse

from indicators.models import ActionReport, IndicatorValue
from tests.factories import enter_value, ok

pytestmark = pytest.mark.django_db

ENTRY = "value_entry"


def entry_url(code="OE3.1", year=2016):
    return reverse(ENTRY, args=[code, year])


def test_registrar_enters_and_submits_from_the_form(client, registrar_dgc):
    client.force_login(registrar_dgc)
    page = client.get(entry_url()).content.decode()
    assert "N° de personal de las oficinas consulares" in page  # numerator's definition
    response = client.post(
        entry_url(),
        {"numerator": "450", "denominator": "2850000", "note": "Fuente: ORH", "submit": ""},
    )
    assert response.status_code == 302
    item = IndicatorValue.objects.get(indicator__code="OE3.1", year=2016)
    assert (item.state, item.value, item.note) == ("submitted", D("1.578947"), "Fuente: ORH")


@pytest.mark.parametrize(
    ("data", "field_error"),
    [
        ({"numerator": "450", "denominator": "0"}, "El denominador no puede ser cero."),
        ({"numerator": "cuatro", "denominator": "10"}, "«cuatro» no es un número"),
        ({"numerator": "-4", "denominator": "10"}, "no puede ser negativo"),
        ({"numerator": "1,5", "denominator": "10"}, "use punto decimal"),
        ({"numerator": "1.123456", "denominator": "10"}, "como máximo 4 decimales"),
        ({"numerator": "1" + "0" * 20, "denominator": "10"}, "demasiado grande"),
        ({"numerator": "", "denominator": ""}, "Este campo es obligatorio."),
        (
            {"numerator": "1", "denominator": "2", "note": "x" * 2001},
            "menos de 2000 caracteres (tiene 2001)",
        ),
        ({"numerator": "1", "denominator": "2", "evidence_url": "no es un enlace"}, "URL válida"),
    ],
)
def test_rejected_form_shows_spanish_error_and_stores_nothing(
    client, registrar_dgc, data, field_error
):
    client.force_login(registrar_dgc)
    response = client.post(entry_url(), data)
    assert response.status_code == 200
    assert field_error in response.content.decode()
    assert 'class="error field-error"' in response.content.decode()
    assert not IndicatorValue.objects.filter(indicator__code="OE3.1", year=2016).exists()


def test_hand_made_post_for_another_directorate_is_forbidden(client, registrar_dgc):
    client.force_login(registrar_dgc)
    response = client.post(entry_url("OE2.1"), {"numerator": "100", "denominator": "60"})
    assert response.status_code == 403
    assert "registrador de la dirección responsable" in response.content.decode()
    assert not IndicatorValue.objects.filter(indicator__code="OE2.1", year=2016).exists()


def test_registrar_cannot_validate_by_hand_made_post(client, registrar_dgc):
    item = enter_value(registrar_dgc, submit=True)
    client.force_login(registrar_dgc)
    url = reverse("value_transition", args=[item.pk, "validate"])
    assert client.post(url, {"version": item.version}).status_code == 403
    item.refresh_from_db()
    assert item.state == "submitted"


def test_post_without_csrf_token_is_refused(registrar_dgc):
    client = Client(enforce_csrf_checks=True)
    client.force_login(registrar_dgc)
    response = client.post(entry_url(), {"numerator": "1", "denominator": "2"})
    assert response.status_code == 403
    assert not IndicatorValue.objects.filter(indicator__code="OE3.1", year=2016).exists()


def test_stale_form_gets_conflict_message_with_current_value(client, registrar_dgc):
    client.force_login(registrar_dgc)
    ok(client.post(entry_url(), {"numerator": "450", "denominator": "2850000"}), 302)
    ok(
        client.post(entry_url(), {"numerator": "460", "denominator": "2850000", "version": "1"}),
        302,
    )
    response = ok(
        client.post(entry_url(), {"numerator": "470", "denominator": "2850000", "version": "1"})
    )
    page = response.content.decode()
    assert "Otra persona modificó este registro" in page and "Valor actual: 1.61 " in page
    assert IndicatorValue.objects.get(indicator__code="OE3.1", year=2016).numerator == D(460)


def test_notes_are_rendered_escaped(client, registrar_dgc):
    client.force_login(registrar_dgc)
    ok(
        client.post(
            entry_url(), {"numerator": "1", "denominator": "2", "note": "<script>alert(1)</script>"}
        ),
        302,
    )
    page = ok(client.get(reverse("indicator_detail", args=["OE3.1"]))).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_unknown_ids_are_404(client, registrar_dgc):
    client.force_login(registrar_dgc)
    assert client.get(reverse("indicator_detail", args=["NOPE"])).status_code == 404
    assert client.get(entry_url("NOPE")).status_code == 404
    assert client.get(entry_url(year=2030)).status_code == 404
    assert (
        client.post(
            reverse("value_transition", args=[999999, "submit"]), {"version": 1}
        ).status_code
        == 404
    )
    assert client.get(reverse("report_entry", args=["9.9", 2016])).status_code == 404


@pytest.mark.usefixtures("uncached")
def test_pending_lists_the_directorates_indicators_and_actions(
    client, registrar_dgc, django_assert_max_num_queries
):
    client.force_login(registrar_dgc)
    enter_value(registrar_dgc)
    # session, user, groups, profile+directorate, plan years, indicators, values, actions,
    # reports, directorates (filter), profile (entry buttons); the year's deadline; menu
    # badge (indicators.workflow.inbox.open_task_count): plan years, open-task counts
    with django_assert_max_num_queries(15):
        response = ok(client.get(reverse("pending"), {"anio": 2016}))
    page = response.content.decode()
    for code in ("OE3.1", "V1.2", "NAC.3"):
        assert code in page
    assert "OE2.1" not in page
    for action in ("3.1", "3.2", "3.3", "3.4"):
        assert f"{action} " in page
    assert "borrador" in page and "sin registrar" in page


def test_action_report_form(client, registrar_dgc):
    client.force_login(registrar_dgc)
    url = reverse("report_entry", args=["3.1", 2016])
    response = client.post(url, {"execution": "done", "percent": "80"})
    assert "Una acción culminada tiene 100 % de avance." in response.content.decode()
    assert not ActionReport.objects.exists()
    response = client.post(
        url, {"execution": "done", "percent": "100", "description": "SIGC", "submit": ""}
    )
    assert response.status_code == 302
    assert ActionReport.objects.get().state == "submitted"
    assert client.get(reverse("report_entry", args=["2.1", 2016])).status_code == 403


def test_validation_queue_is_for_the_planning_office(client, registrar_dgc, validator):
    enter_value(registrar_dgc, submit=True)
    client.force_login(registrar_dgc)
    assert client.get(reverse("validation_queue")).status_code == 403
    client.force_login(validator)
    page = client.get(reverse("validation_queue")).content.decode()
    assert "OE3.1" in page and "Validar" in page and "Devolver" in page


def test_return_without_reason_keeps_the_value_submitted(client, registrar_dgc, validator):
    item = enter_value(registrar_dgc, submit=True)
    client.force_login(validator)
    response = ok(
        client.post(
            reverse("value_transition", args=[item.pk, "return"]),
            {"version": item.version, "reason": ""},
            follow=True,
        )
    )
    assert "Indique el motivo." in response.content.decode()
    item.refresh_from_db()
    assert item.state == "submitted"


@pytest.mark.usefixtures("uncached")
def test_indicator_page_for_every_role_and_not_for_anonymous(
    client, registrar_dgc, validator, director_dpe, django_assert_max_num_queries
):
    url = reverse("indicator_detail", args=["OE2.2"])
    assert client.get(url).status_code == 302
    for user in (registrar_dgc, validator, director_dpe):
        client.force_login(user)
        # session, user, groups, profile, plan years, indicator, values, targets, flags,
        # articulated objectives, value history, target history, first year with data (chart);
        # menu badge (indicators.workflow.inbox.open_task_count): registrar plan years + open-task
        # counts, validator submitted count; target revisions; the series it continues or
        # that continue it (lineage)
        with django_assert_max_num_queries(17):
            page = ok(client.get(url)).content.decode()
        assert "Conflicto de metas 2021" in page
        assert "7.01" in page  # 2013 value


def test_evidence_file_is_uploaded_and_served_to_logged_in_users(
    client, registrar_dgc, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    client.force_login(registrar_dgc)
    upload = SimpleUploadedFile("acta.pdf", b"%PDF-1.4 acta", content_type="application/pdf")
    client.post(entry_url(), {"numerator": "1", "denominator": "2", "evidence_file": upload})
    item = IndicatorValue.objects.get(indicator__code="OE3.1", year=2016)
    url = reverse("evidence", args=["valor", item.pk])
    assert url in client.get(reverse("indicator_detail", args=["OE3.1"])).content.decode()
    response = client.get(url)
    assert b"".join(response.streaming_content) == b"%PDF-1.4 acta"
    client.logout()
    assert client.get(url).status_code == 302


def test_evidence_of_a_wrong_type_is_refused(client, registrar_dgc):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(registrar_dgc)
    upload = SimpleUploadedFile("virus.exe", b"MZ", content_type="application/octet-stream")
    page = ok(
        client.post(entry_url(), {"numerator": "1", "denominator": "2", "evidence_file": upload})
    )
    assert "Tipo de archivo no admitido" in page.content.decode()
    assert not IndicatorValue.objects.filter(year=2016).exists()


def test_transition_never_redirects_to_another_site(client, registrar_dgc):
    item = enter_value(registrar_dgc)
    client.force_login(registrar_dgc)
    url = reverse("value_transition", args=[item.pk, "submit"])
    response = client.post(url, {"version": item.version, "next": "//evil.example.com/"})
    assert response.status_code == 302 and response.url == "/indicadores/OE3.1/"
