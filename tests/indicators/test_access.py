"""Who reads what (indicators/access.py): a draft, its texts and the evidence of any item
are
read by its directorate's registrars and director users, the planning office's validators and
administrators; a sent value by every signed-in user, marked «preliminar»; the public reads
validated values only. Every page that shows values, the evidence downloads and the API apply
the same rule, for every role."""

from __future__ import annotations

import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from indicators import access, services
from indicators.models import ActionReport, IndicatorValue
from indicators.templatetags.pesem import num
from objectives.models import Directorate, StrategicAction
from pesem.models import ApiToken
from tests.factories import enter_value, make_staff, ok

pytestmark = pytest.mark.django_db

# OE3.1 belongs to DGC. Each text or number below is found nowhere else in the plan.
SENT_NOTE = "Nota-enviada-KQX"
SENT_ANALYSIS = "Analisis-enviado-KQX"
DRAFT_NOTE = "Nota-borrador-ZWV"
DRAFT_ANALYSIS = "Analisis-borrador-ZWV"
DRAFT_JUSTIFICATION = "Justificacion-borrador-ZWV"
DRAFT_NUMERATOR = "<td>461</td>"  # as the pages print it (a count: no decimals)
REPORT_DRAFT = "Informe-borrador-ZWV"
RETURN_REASON = "Motivo-devolucion-ZWV"

# Who may read DGC's drafts, and who may not.
SEES = ("registrar_own", "director_own", "validator", "administrator", "superuser")
BLIND = ("no_role", "registrar_other", "director_other")
SIGNED_IN = SEES + BLIND


@pytest.fixture
def people(django_user_model, plain_user, registrar_dgc, registrar_dpe, director_dpe, validator):
    admin = make_staff(django_user_model, "adm", "administrador", "OPP")
    root = django_user_model.objects.create_superuser("root", "root@example.org", "clave-1-root")
    # A superuser who is not staff: the page cache's key told users apart by is_staff only.
    root.is_staff = False
    root.save(update_fields=["is_staff"])
    return {
        "no_role": plain_user,
        "registrar_own": registrar_dgc,
        "registrar_other": registrar_dpe,
        "director_own": make_staff(django_user_model, "dir.dgc", "director", "DGC"),
        "director_other": director_dpe,
        "validator": validator,
        "administrator": admin,
        "superuser": root,
    }


def _store(name: str, content: bytes) -> str:
    return default_storage.save(name, ContentFile(content))


@pytest.fixture
def data(people, settings, tmp_path):
    """OE3.1 2016 validated (with an evidence file), 2017 sent (with a note and analysis),
    2018 a draft with note, análisis, justification and an evidence file, 2019 returned; DGC's
    2016 report on action 3.1 a draft with an evidence file."""
    settings.MEDIA_ROOT = tmp_path
    registrar, validator = people["registrar_own"], people["validator"]
    validated = enter_value(registrar, year=2016, validator=validator)
    sent = enter_value(registrar, year=2017, numerator=457, note=SENT_NOTE)
    IndicatorValue.objects.filter(pk=sent.pk).update(analysis=SENT_ANALYSIS)
    sent = services.do_submit(user=registrar, item=sent, expected_version=sent.version)
    draft = enter_value(registrar, year=2018, numerator=461, note=DRAFT_NOTE)
    returned = enter_value(registrar, year=2019, numerator=463, submit=True)
    services.do_return(
        user=validator, item=returned, reason=RETURN_REASON, expected_version=returned.version
    )
    IndicatorValue.objects.filter(pk=draft.pk).update(
        analysis=DRAFT_ANALYSIS,
        justification=DRAFT_JUSTIFICATION,
        evidence_url="https://intranet.example/borrador-zwv",
        evidence_file=_store("evidencia/borrador.pdf", b"%PDF borrador"),
    )
    IndicatorValue.objects.filter(pk=validated.pk).update(
        evidence_file=_store("evidencia/validado.pdf", b"%PDF validado")
    )
    report = services.report_save(
        user=registrar,
        action=StrategicAction.objects.get(code="3.1"),
        directorate=Directorate.objects.get(code="DGC"),
        year=2016,
        execution=ActionReport.Progress.IN_PROGRESS,
        percent=Decimal("63"),
        description=REPORT_DRAFT,
    )
    ActionReport.objects.filter(pk=report.pk).update(
        evidence_file=_store("evidencia/informe.pdf", b"%PDF informe")
    )
    return SimpleNamespace(validated=validated, sent=sent, draft=draft, report=report)


def _as(people, who: str | None) -> Client:
    client = Client()
    if who is not None:
        client.force_login(people[who])
    return client


DRAFT_TEXTS = (DRAFT_NOTE, DRAFT_ANALYSIS, DRAFT_NUMERATOR, "borrador-zwv", RETURN_REASON)


# --- the rule -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", SIGNED_IN)
def test_the_rule_names_who_reads_a_directorates_drafts(people, who):
    dgc = Directorate.objects.get(code="DGC").pk
    assert access.can_see_drafts_of(people[who], dgc) is (who in SEES)
    assert access.can_see_evidence(people[who], dgc) is (who in SEES)
    scope = access.drafts_scope(people[who])
    assert (scope in ("all", f"d{dgc}")) is (who in SEES)


def test_nobody_anonymous_reads_a_draft_or_a_sent_value():
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    dgc = Directorate.objects.get(code="DGC").pk
    assert not access.can_see_drafts_of(anonymous, dgc)
    assert not access.can_see_item(anonymous, "submitted", dgc)
    assert access.can_see_item(anonymous, "validated", dgc)
    assert access.drafts_scope(anonymous) == "none"


# --- the indicator's page -----------------------------------------------------------------


@pytest.mark.parametrize("who", SIGNED_IN)
def test_indicator_page_shows_drafts_only_to_their_readers_and_sent_values_to_all(
    people, data, who
):
    response = _as(people, who).get(reverse("indicator_detail", args=["OE3.1"]))
    assert response.status_code == 200
    html = response.content.decode()
    years = {row.value.year for row in response.context["rows"]}
    # Sent and validated values for everyone signed in; the sent one marked «preliminar».
    assert {2016, 2017} <= years
    assert SENT_NOTE in html and SENT_ANALYSIS in html and "(preliminar)" in html
    if who in SEES:
        assert {2018, 2019} <= years
        for text in (DRAFT_NOTE, DRAFT_ANALYSIS, DRAFT_NUMERATOR, RETURN_REASON):
            assert text in html
        assert reverse("evidence", args=["valor", data.draft.pk]) in html
        assert reverse("evidence", args=["valor", data.validated.pk]) in html
    else:
        assert not {2018, 2019} & years
        for text in DRAFT_TEXTS:
            assert text not in html, text  # neither the table nor the history
        assert "/evidencia/" not in html


def test_indicator_page_asks_anonymous_callers_to_sign_in(data):
    response = Client().get(reverse("indicator_detail", args=["OE3.1"]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_history_shows_a_blind_reader_one_sent_content_after_the_other(people, data):
    """A value sent, returned (a draft again), corrected and sent again: who may not read the
    drafts sees the second sending as a change from the first one, not the draft between."""
    registrar, validator = people["registrar_own"], people["validator"]
    item = enter_value(registrar, code="OE3.1", year=2020, numerator=471, submit=True)
    item = services.do_return(
        user=validator, item=item, reason="Corrija-ZWV", expected_version=item.version
    )
    item = services.value_save(
        user=registrar,
        indicator=item.indicator,
        year=2020,
        numerator=Decimal(473),
        denominator=Decimal(2_850_000),
        note="Intermedia-ZWV",
        expected_version=item.version,
    )
    services.do_submit(user=registrar, item=item, expected_version=item.version)
    blind = _as(people, "no_role").get(reverse("indicator_detail", args=["OE3.1"]))
    rows = [h for h in blind.context["history"] if h.what == "Valor 2020"]
    changes = [c for h in rows for c in h.changes if c[0] == "numerador"]
    # The first sending (from nothing to 471), then the second (471 to 473): no draft between.
    assert [(before, after) for _, before, after in changes] == [
        ("471", "473"),
        ("—", "471"),
    ]
    html = blind.content.decode()
    assert "Corrija-ZWV" not in html
    seer = _as(people, "validator").get(reverse("indicator_detail", args=["OE3.1"]))
    assert "Corrija-ZWV" in seer.content.decode()


# --- the directorate's grid and list of pending work -------------------------------------


@pytest.mark.parametrize("who", SIGNED_IN)
def test_grid_is_read_by_the_readers_of_its_drafts_and_refused_to_others(people, data, who):
    response = _as(people, who).get(reverse("grid", args=["DGC", 2018]))
    html = response.content.decode()
    if who in SEES:
        assert response.status_code == 200
        assert "461" in html
    else:
        assert response.status_code == 403
        assert "solo la ven los registradores y el director" in html
        for text in DRAFT_TEXTS:
            assert text not in html


@pytest.mark.parametrize("who", SIGNED_IN)
def test_directorate_page_links_its_grid_only_to_the_readers_of_its_drafts(people, who):
    response = _as(people, who).get("/direcciones/DGC/?anio=2016")
    assert response.status_code == 200
    assert ('id="grid-link"' in response.content.decode()) is (who in SEES)


def test_grid_asks_anonymous_callers_to_sign_in(data):
    response = Client().get(reverse("grid", args=["DGC", 2018]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("who", SIGNED_IN)
def test_pending_list_hides_draft_figures_and_reasons_from_other_readers(people, data, who):
    client = _as(people, who)
    html = ok(client.get(reverse("pending") + "?direccion=DGC&anio=2018")).content.decode()
    returned = ok(client.get(reverse("pending") + "?direccion=DGC&anio=2019")).content.decode()
    report = ok(client.get(reverse("pending") + "?direccion=DGC&anio=2016")).content.decode()
    grid_link = reverse("grid", args=["DGC", 2018])
    figure = f"<td>{num(data.draft.value)}</td>"
    if who in SEES:
        assert figure in html and grid_link in html and "no visible" not in html
        assert RETURN_REASON in returned and "63 %" in report
    else:
        assert figure not in html and "no visible" in html and grid_link not in html
        assert RETURN_REASON not in returned and "63 %" not in report


# --- evidence downloads ------------------------------------------------------------------


@pytest.mark.parametrize("who", SIGNED_IN)
def test_evidence_downloads_follow_the_rule_whatever_the_state(people, data, who):
    client = _as(people, who)
    files = {
        reverse("evidence", args=["valor", data.draft.pk]): b"%PDF borrador",
        reverse("evidence", args=["valor", data.validated.pk]): b"%PDF validado",
        reverse("evidence", args=["reporte", data.report.pk]): b"%PDF informe",
    }
    for url, content in files.items():
        response = client.get(url)
        if who in SEES:
            assert response.status_code == 200, url
            assert b"".join(response.streaming_content) == content
        else:
            # As for an id that does not exist: sequential ids tell nothing.
            assert response.status_code == 404, url
            assert content not in response.content


def test_evidence_asks_anonymous_callers_to_sign_in(data):
    response = Client().get(reverse("evidence", args=["valor", data.draft.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- the API ------------------------------------------------------------------------------


def _api_values(client: Client, **extra) -> dict[int, dict]:
    response = client.get("/api/v1/values?indicator=OE3.1&limit=500", **extra)
    assert response.status_code == 200, response.content
    return {row["year"]: row for row in response.json()["items"]}


def _token(user) -> dict[str, str]:
    prefix, secret = ApiToken.new_secret()
    ApiToken.objects.create(
        user=user, name="prueba", prefix=prefix, key_hash=ApiToken.hash_secret(secret)
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.mark.parametrize("who", SIGNED_IN)
def test_api_and_page_show_the_same_values_to_each_role(people, data, who):
    page = _as(people, who).get(reverse("indicator_detail", args=["OE3.1"]))
    on_page = {row.value.year: str(row.value.state) for row in page.context["rows"]}
    for client, extra in ((_as(people, who), {}), (Client(), _token(people[who]))):
        rows = _api_values(client, **extra)
        in_api = {
            year: ("draft" if r["state"] == "returned" else r["state"]) for year, r in rows.items()
        }
        assert in_api == on_page
        assert rows[2017]["preliminary"] is True and rows[2016]["preliminary"] is False
        assert rows[2017]["note"] == SENT_NOTE
        draft_evidence = rows.get(2018, {}).get("evidence_file")
        validated_evidence = rows[2016]["evidence_file"]
        if who in SEES:
            assert draft_evidence == reverse("evidence", args=["valor", data.draft.pk])
            assert validated_evidence == reverse("evidence", args=["valor", data.validated.pk])
            assert rows[2018]["note"] == DRAFT_NOTE
        else:
            assert 2018 not in rows and validated_evidence is None
            body = ok(client.get("/api/v1/values?indicator=OE3.1", **extra)).content.decode()
            for text in DRAFT_TEXTS:
                assert text not in body


@pytest.mark.parametrize("who", SIGNED_IN)
def test_api_action_reports_follow_the_rule(people, data, who):
    response = _as(people, who).get("/api/v1/action-reports?directorate=DGC")
    items = response.json()["items"]
    if who in SEES:
        assert [(r["state"], r["description"]) for r in items] == [("draft", REPORT_DRAFT)]
    else:
        assert items == [] and REPORT_DRAFT not in response.content.decode()


def test_the_public_reads_validated_values_only(settings, data):
    settings.PESEM_PUBLIC_PORTAL = True
    rows = _api_values(Client())
    assert {y for y in rows if y >= 2016} == {2016}
    assert rows[2016]["preliminary"] is False and rows[2016]["evidence_file"] is None


# --- pages that never show a draft --------------------------------------------------------


def _without_tokens(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


@pytest.mark.parametrize("path", ["/?anio=2018", "/direcciones/DGC/?anio=2018", "/objetivos/3/"])
def test_dashboards_are_the_same_before_and_after_a_draft(people, path):
    client = _as(people, "no_role")
    before = _without_tokens(ok(client.get(path)).content.decode())
    enter_value(people["registrar_own"], year=2018, numerator=461, note=DRAFT_NOTE)
    after = _without_tokens(ok(client.get(path)).content.decode())
    assert after == before and DRAFT_NOTE not in after


@pytest.mark.parametrize("who", SIGNED_IN)
def test_shared_pages_name_a_draft_report_without_its_figures(people, data, who):
    """The objective and directorate pages are one copy for all (pesem.cache.pages.DRAFT_BLIND):
    a draft report is named «borrador» there, its situation and percent left to the pending
    list of who may read it."""
    client = _as(people, who)
    objective = ok(client.get("/objetivos/3/")).content.decode()
    assert "2016, borrador" in objective and "63 %" not in objective
    directorate = ok(client.get("/direcciones/DGC/")).content.decode()
    assert "63 %" not in directorate and REPORT_DRAFT not in directorate
