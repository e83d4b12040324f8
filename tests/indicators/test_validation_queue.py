"""The planning office's queue (/validacion/): each submitted value with its target, previous
validated value, the achievement and light it would get, warnings, justification, narrative
and evidence; several validated in one transaction; one returned with its own reason, errors
on that row; a query count that does not grow with the queue."""

import re
from decimal import Decimal as D

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators import services
from indicators.models import Indicator, IndicatorValue
from objectives.models import Directorate, StrategicAction
from tests.factories import add_indicators, enter_value, make_staff, ok

pytestmark = pytest.mark.django_db

QUEUE = "validation_queue"


@pytest.fixture
def sent(registrar_dgc):
    """Three DGC values waiting for validation; NAC.3's with a warning and its justification."""
    consular = enter_value(registrar_dgc, submit=True)  # 1.578947 vs 1.54
    satisfaction = enter_value(registrar_dgc, "V1.2", numerator=9, denominator=10, submit=True)
    revenue = services.value_save(
        user=registrar_dgc,
        indicator=Indicator.objects.get(code="NAC.3"),
        year=2016,
        numerator=None,
        denominator=None,
        value=D(3_200_000),
        analysis="La recaudación subió por el proceso electoral.",
        measures="Mantener el pago en línea.",
        justification="Recaudación extraordinaria del proceso electoral.",
        evidence_url="https://www.rree.gob.pe/recaudacion-2016.pdf",
        submit=True,
    )
    return {"OE3.1": consular, "V1.2": satisfaction, "NAC.3": revenue}


def row_html(page, code):
    rows = re.findall(r'<tr class="[^"]*" data-pk="\d+">.*?</tr>', page, re.S)
    found = [row for row in rows if f">{code}</a>" in row]
    assert len(found) == 1, code
    return found[0]


def versions(items):
    return {f"version-{item.pk}": item.version for item in items}


def test_each_row_has_what_the_validator_needs_to_judge_it(client, validator, sent):
    client.force_login(validator)
    page = ok(client.get(reverse(QUEUE))).content.decode()
    consular = row_html(page, "OE3.1")
    assert "450" in consular and "2,850,000" in consular and "<strong>1.58</strong>" in consular
    assert '1.54 <small class="muted">(meta publicada)</small>' in consular
    assert "1.62 (2014)" in consular  # previous validated value
    assert "102.5 %" in consular and "verde" in consular  # what it would get
    assert "Sin advertencias" in consular
    revenue = row_html(page, "NAC.3")
    assert "<strong>3,200,000</strong>" in revenue and "938,178" in revenue
    assert "341.1 %" in revenue and "más del 200 %" in revenue
    assert "Recaudación extraordinaria del proceso electoral." in revenue
    assert "La recaudación subió por el proceso electoral." in revenue
    assert "Mantener el pago en línea." in revenue
    assert 'href="https://www.rree.gob.pe/recaudacion-2016.pdf"' in revenue
    assert "1.578947" not in page and "3200000.000000" not in page and "versión" not in page
    assert page.count('type="checkbox" name="validar"') == 3


def test_several_values_are_validated_at_once(client, validator, sent):
    client.force_login(validator)
    chosen = [sent["OE3.1"], sent["NAC.3"]]
    response = ok(
        client.post(
            reverse(QUEUE),
            {
                "validar": [str(i.pk) for i in chosen],
                **versions(sent.values()),
                "validar_seleccionados": "",
            },
            follow=True,
        )
    )
    assert "2 valor(es) validado(s): OE3.1 2016, NAC.3 2016." in response.content.decode()
    states = dict(IndicatorValue.objects.filter(year=2016).values_list("indicator__code", "state"))
    assert states == {"OE3.1": "validated", "NAC.3": "validated", "V1.2": "submitted"}
    assert IndicatorValue.objects.get(pk=sent["OE3.1"].pk).validated_by == validator


def test_bulk_validation_validates_what_it_may_and_lists_what_it_skipped(client, validator, sent):
    client.force_login(validator)
    data = {
        "validar": [str(i.pk) for i in sent.values()],
        **versions(sent.values()),
        "validar_seleccionados": "",
    }
    data[f"version-{sent['V1.2'].pk}"] = sent["V1.2"].version - 1  # read before a change
    response = ok(client.post(reverse(QUEUE), data, follow=True))
    page = response.content.decode()
    assert "2 valor(es) validado(s): OE3.1 2016, NAC.3 2016." in page
    assert "V1.2 2016 no se validó: Otra persona modificó este registro" in page
    states = dict(IndicatorValue.objects.filter(year=2016).values_list("indicator__code", "state"))
    assert states == {"OE3.1": "validated", "NAC.3": "validated", "V1.2": "submitted"}
    assert [r.item.pk for r in response.context["rows"]] == [sent["V1.2"].pk]  # still waits


def test_bulk_validation_with_nothing_valid_stores_nothing_and_says_why_on_each_row(
    client, validator, sent
):
    client.force_login(validator)
    stale = {f"version-{item.pk}": item.version - 1 for item in sent.values()}
    chosen = [sent["OE3.1"], sent["V1.2"]]
    response = client.post(
        reverse(QUEUE),
        {"validar": [str(i.pk) for i in chosen], **stale, "validar_seleccionados": ""},
    )
    assert response.status_code == 200
    page = response.content.decode()
    summary = page.split('id="error-summary"')[1].split("</section>")[0]
    assert "No se guardó nada: 2 filas con problemas" in summary
    assert f'href="#fila-{sent["OE3.1"].pk}"' in summary
    assert f'href="#fila-{sent["V1.2"].pk}"' in summary
    assert "Otra persona modificó este registro" in row_html(page, "OE3.1")
    assert "Otra persona" not in row_html(page, "NAC.3")
    assert set(IndicatorValue.objects.filter(year=2016).values_list("state", flat=True)) == {
        "submitted"
    }
    assert page.count("checked") == 2  # the selection is kept


def test_the_row_button_validates_only_that_row(client, validator, sent):
    client.force_login(validator)
    ok(
        client.post(reverse(QUEUE), {"validar_uno": sent["V1.2"].pk, **versions(sent.values())}),
        302,
    )
    assert IndicatorValue.objects.get(pk=sent["V1.2"].pk).state == "validated"
    assert IndicatorValue.objects.get(pk=sent["OE3.1"].pk).state == "submitted"


def test_nothing_checked_is_said(client, validator, sent):
    client.force_login(validator)
    response = ok(client.post(reverse(QUEUE), {"validar_seleccionados": ""}, follow=True))
    assert "Marque al menos un valor para validar." in response.content.decode()


def test_a_value_is_returned_with_its_own_reason(client, validator, registrar_dgc, sent):
    client.force_login(validator)
    item = sent["OE3.1"]
    data = {
        "devolver": item.pk,
        f"motivo-{item.pk}": "El denominador debe ser la población 2016 del INEI",
        f"motivo-{sent['V1.2'].pk}": "otra razón, no enviada",
        **versions(sent.values()),
    }
    response = ok(client.post(reverse(QUEUE), data, follow=True))
    assert "OE3.1 2016: devuelto." in response.content.decode()
    item.refresh_from_db()
    assert item.state == "draft"
    assert item.return_reason == "El denominador debe ser la población 2016 del INEI"
    assert IndicatorValue.objects.get(pk=sent["V1.2"].pk).state == "submitted"


def test_a_return_without_reason_shows_the_error_on_that_row(client, validator, sent):
    client.force_login(validator)
    item = sent["NAC.3"]
    data = {
        "devolver": item.pk,
        f"motivo-{item.pk}": "  ",
        f"motivo-{sent['V1.2'].pk}": "Revisar la encuesta",
        **versions(sent.values()),
    }
    response = ok(client.post(reverse(QUEUE), data))
    page = response.content.decode()
    assert "Indique el motivo." in row_html(page, "NAC.3")
    assert "Indique el motivo." not in row_html(page, "V1.2")
    assert 'value="Revisar la encuesta"' in row_html(page, "V1.2")  # typed text kept
    item.refresh_from_db()
    assert item.state == "submitted"


def test_a_refused_return_reports_every_problem_at_once_in_a_summary_that_takes_focus(
    client, validator, sent
):
    client.force_login(validator)
    item = sent["NAC.3"]
    data = {"devolver": item.pk, f"motivo-{item.pk}": "", **versions(sent.values())}
    data[f"version-{item.pk}"] = item.version - 1  # and read before a change
    response = client.post(reverse(QUEUE), data)
    assert response.status_code == 200
    page = response.content.decode()
    summary = page.split('<section class="error-summary"')[1].split("</section>")[0]
    assert 'id="error-summary" tabindex="-1" autofocus' in summary
    assert "No se guardó nada: 1 fila con problemas" in summary
    assert f'<a href="#fila-{item.pk}">NAC.3 2016</a>' in summary
    assert f'id="fila-{item.pk}"' in row_html(page, "NAC.3")
    for problem in ("Indique el motivo.", "Otra persona modificó este valor"):
        assert problem in summary and problem in row_html(page, "NAC.3")
    item.refresh_from_db()
    assert (item.state, item.return_reason) == ("submitted", "")
    assert 'id="error-summary"' not in client.get(reverse(QUEUE)).content.decode()


def test_rows_the_person_shaped_say_why_and_have_no_validate_button(
    client, django_user_model, registrar_dgc, validator, sent
):
    """A DGC registrar who is also a validator entered V1.2 and an action report, which a
    colleague sent: those rows say why, with no button nor checkbox; the others keep both."""
    both = make_staff(django_user_model, "doble.dgc", "registrador", "DGC")
    both.groups.add(Group.objects.get(name="validador"))
    own = services.do_return(
        user=both, item=sent["V1.2"], reason="Revisar", expected_version=sent["V1.2"].version
    )
    own = services.value_save(
        user=both,
        indicator=own.indicator,
        year=2016,
        numerator=D(8),
        denominator=D(10),
        expected_version=own.version,
    )
    own = services.do_submit(user=registrar_dgc, item=own, expected_version=own.version)
    report = services.report_save(
        user=both,
        action=StrategicAction.objects.get(code="3.1"),
        directorate=Directorate.objects.get(code="DGC"),
        year=2016,
        execution="in_progress",
        percent=D(40),
        description="Avance",
    )
    report = services.do_submit(user=registrar_dgc, item=report, expected_version=report.version)
    client.force_login(both)
    page = ok(client.get(reverse(QUEUE))).content.decode()
    refusal = "Usted participó en este valor: debe validarlo otra persona de la oficina de"
    mine = row_html(page, "V1.2")
    assert refusal in mine and "un administrador puede dar el rol de validador" in mine
    assert 'name="validar_uno"' not in mine and 'type="checkbox"' not in mine
    assert 'name="devolver"' in mine  # returning stays possible
    for code in ("OE3.1", "NAC.3"):
        assert refusal not in row_html(page, code)
        assert 'name="validar_uno"' in row_html(page, code)
    reports = page.split('id="submitted-reports"')[1]
    assert "Usted participó en este reporte" in reports
    assert reverse("report_transition", args=[report.pk, "validate"]) not in reports
    assert reverse("report_transition", args=[report.pk, "return"]) in reports

    client.force_login(validator)
    page = ok(client.get(reverse(QUEUE))).content.decode()
    assert "Usted participó" not in page
    assert reverse("report_transition", args=[report.pk, "validate"]) in page


def test_only_the_planning_office_uses_the_queue(client, registrar_dgc, sent):
    client.force_login(registrar_dgc)
    assert client.get(reverse(QUEUE)).status_code == 403
    post = {"validar": [sent["OE3.1"].pk], **versions(sent.values()), "validar_seleccionados": ""}
    assert client.post(reverse(QUEUE), post).status_code == 403
    assert IndicatorValue.objects.get(pk=sent["OE3.1"].pk).state == "submitted"


def test_validate_many_validates_each_it_may_and_reports_the_others(validator, registrar_dgc, sent):
    with pytest.raises(PermissionDenied):
        services.validate_many(user=registrar_dgc, items_with_versions=[(sent["V1.2"], 2)])
    draft = services.do_return(
        user=validator, item=sent["V1.2"], reason="Revisar", expected_version=sent["V1.2"].version
    )
    result = services.validate_many(
        user=validator,
        items_with_versions=[(sent["OE3.1"], sent["OE3.1"].version), (draft, draft.version)],
    )
    assert [(services.item_label(i), i.state) for i in result.done] == [("OE3.1 2016", "validated")]
    assert list(result.skipped) == ["V1.2 2016"]
    assert "No se puede validar" in result.skipped["V1.2 2016"][0]
    assert IndicatorValue.objects.get(pk=sent["OE3.1"].pk).state == "validated"
    assert IndicatorValue.objects.get(pk=draft.pk).state == "draft"


def count_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse(QUEUE)).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.usefixtures("uncached")
def test_queue_query_count_does_not_grow_with_the_queue(
    client, validator, django_assert_max_num_queries
):
    client.force_login(validator)
    add_indicators("DPE", 5, submitted=True)
    count_queries(client)  # warm caches
    small = count_queries(client)
    add_indicators("DGC", 25, submitted=True, start=5)
    assert len(ok(client.get(reverse(QUEUE))).context["rows"]) == 30
    assert count_queries(client) == small
    # session, user, groups, submitted values, submitted reports, the values this person
    # shaped (four eyes; the reports they shaped is one more when reports wait), indicators,
    # values, targets, flags, articulated objectives, plan years (year filter, and the
    # menu's «Mis tareas» badge), the badge's open task count
    with django_assert_max_num_queries(13):
        ok(client.get(reverse(QUEUE)))
