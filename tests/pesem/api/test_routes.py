"""The read API (/api/v1/): who gets in, what each caller sees, filters, pages, the same
numbers as the stored statuses, rate limits and fixed query counts."""

from __future__ import annotations

import json
import logging
import re
import uuid
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib.admin.sites import site as admin_site
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from indicators import services
from indicators.models import (
    ActionReport,
    Indicator,
    IndicatorValue,
    IndicatorYearStatus,
    WorkflowState,
)
from indicators.workflow import status
from objectives.models import Directorate, StrategicAction
from pesem.api.schemas import plain_decimal
from pesem.limits import rate as ratelimit
from pesem.models import ApiToken, PortalSettings
from tests.factories import enter_value, make_staff, ok

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("portal_on"), pytest.mark.postgres]

API = "/api/v1"
LIST_ENDPOINTS = [
    "plan",
    "objectives",
    "objectives/3",
    "actions",
    "directorates",
    "indicators",
    "indicators/OE3.1",
    "indicators/V1.1",
    "values",
    "targets",
    "statuses",
    "action-reports",
]
RETURN_REASON = "Motivo-de-devolución-QZX"
INTERNAL_NOTE = "Nota-interna-WKV"
INTERNAL_ANALYSIS = "Análisis-interno-JHP"


@pytest.fixture(autouse=True)
def fresh_cache(settings):
    """Rate-limit counters in a cache of this test only."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"api-tests-{uuid.uuid4()}",
        }
    }


# tests/pesem/conftest.py opens the portal for every test here; these say it per test.
@pytest.fixture
def open_portal(settings):
    settings.PESEM_PUBLIC_PORTAL = True


@pytest.fixture
def closed_portal(settings):
    settings.PESEM_PUBLIC_PORTAL = False


def issue_token(user, *, revoked: bool = False) -> str:
    prefix, secret = ApiToken.new_secret()
    ApiToken.objects.create(
        user=user,
        name="prueba",
        prefix=prefix,
        key_hash=ApiToken.hash_secret(secret),
        revoked_at=timezone.now() if revoked else None,
    )
    return secret


def bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def workflow(registrar_dgc, validator):
    """OE3.1 (DGC) in every state, each non-validated one with a number found nowhere else:
    2016 validated (with a note and analysis), 2017 submitted, 2018 draft, 2019 returned;
    and action 3.1's 2016 report of DGC as a draft."""
    validated = enter_value(registrar_dgc, year=2016, validator=validator)
    validated.note, validated.analysis = INTERNAL_NOTE, INTERNAL_ANALYSIS
    validated.save(update_fields=["note", "analysis"])
    submitted = enter_value(registrar_dgc, year=2017, numerator=457, submit=True)
    draft = enter_value(registrar_dgc, year=2018, numerator=461)
    returned = enter_value(registrar_dgc, year=2019, numerator=463, submit=True)
    returned = services.do_return(
        user=validator, item=returned, reason=RETURN_REASON, expected_version=returned.version
    )
    report = services.report_save(
        user=registrar_dgc,
        action=StrategicAction.objects.get(code="3.1"),
        directorate=Directorate.objects.get(code="DGC"),
        year=2016,
        execution=ActionReport.Progress.IN_PROGRESS,
        percent=Decimal("63.17"),
        description="Informe-borrador-PLM",
    )
    return SimpleNamespace(
        validated=validated, submitted=submitted, draft=draft, returned=returned, report=report
    )


def secrets_of(workflow) -> list[str]:
    """Every text by which a non-validated item could leak."""
    texts = [RETURN_REASON, "Informe-borrador-PLM", '"63.17"', "reg.dgc", "val.opp"]
    for item in (workflow.submitted, workflow.draft, workflow.returned):
        item.refresh_from_db()
        texts += [plain_decimal(item.value), f'"{plain_decimal(item.numerator)}"']
    return texts


def get(client, path: str, **extra):
    return client.get(f"{API}/{path}", **extra)


def values_of(response) -> dict[int, dict]:
    return {row["year"]: row for row in response.json()["items"]}


# --- who gets in --------------------------------------------------------------------------


@pytest.mark.parametrize("path", LIST_ENDPOINTS)
def test_anonymous_is_refused_while_the_portal_is_off(client, closed_portal, path):
    response = get(client, path)
    assert response.status_code == 401
    assert "API pública no está habilitada" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("path", LIST_ENDPOINTS)
def test_anonymous_gets_in_when_the_portal_is_on(client, open_portal, path):
    assert get(client, path).status_code == 200


def test_a_valid_token_gets_in_while_the_portal_is_off(client, closed_portal, validator):
    response = get(client, "values?indicator=OE3.1", **bearer(issue_token(validator)))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert "Authorization" in response["Vary"]


@pytest.mark.parametrize(
    "header",
    [
        "Bearer 0123abcd.not-the-secret",
        "Bearer nothing-like-a-token",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Token abc",
    ],
)
def test_a_wrong_token_is_refused_even_with_the_open_portal(client, open_portal, validator, header):
    issue_token(validator)
    response = get(client, "values", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["detail"] in {
        "Token de API no válido o revocado.",
        "Cabecera Authorization no válida: use «Bearer <token>».",
    }


def test_a_token_with_a_known_prefix_but_another_secret_is_refused(client, validator):
    secret = issue_token(validator)
    prefix = secret.split(".")[0]
    response = get(client, "values", **bearer(f"{prefix}.otro-secreto"))
    assert response.status_code == 401


def test_a_revoked_token_is_refused(client, open_portal, validator):
    response = get(client, "values", **bearer(issue_token(validator, revoked=True)))
    assert response.status_code == 401
    assert response.json()["detail"] == "Token de API no válido o revocado."


def test_a_token_of_a_deactivated_user_is_refused(client, validator):
    secret = issue_token(validator)
    validator.is_active = False
    validator.save(update_fields=["is_active"])
    assert get(client, "values", **bearer(secret)).status_code == 401


def test_a_token_records_its_last_use_at_most_once_a_minute(client, validator):
    secret = issue_token(validator)
    token = ApiToken.objects.get()
    assert token.last_used_at is None
    get(client, "plan", **bearer(secret))
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    with CaptureQueriesContext(connection) as queries:
        get(client, "plan", **bearer(secret))
    assert not [q for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    get(client, "plan", **bearer(secret))
    token.refresh_from_db()
    assert token.last_used_at > first


def test_a_signed_in_user_reads_with_the_session(client, registrar_dgc):
    client.force_login(registrar_dgc)
    response = get(client, "values?indicator=OE3.1")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_the_api_only_reads(client, validator):
    response = client.post(f"{API}/values", **bearer(issue_token(validator)))
    assert response.status_code == 405


# --- what each caller sees ----------------------------------------------------------------


def test_the_public_never_sees_an_unvalidated_number_a_user_name_or_a_reason(
    client, open_portal, workflow
):
    hidden = secrets_of(workflow)
    paths = [
        *LIST_ENDPOINTS,
        "values?indicator=OE3.1&limit=500",
        "values?state=submitted",
        "values?state=draft",
        "values?state=returned",
        "action-reports?state=draft",
        *[f"statuses?year={year}&limit=500" for year in range(2014, 2022)],
    ]
    for path in paths:
        response = get(client, path)
        assert response.status_code == 200, path
        body = response.content.decode()
        leaked = [text for text in hidden if text in body]
        assert leaked == [], f"{path} muestra {leaked}"
        assert "Cache-Control" not in response  # public data, no per-user copy


def test_the_public_sees_validated_values_only_and_no_preliminary(client, open_portal, workflow):
    rows = values_of(get(client, "values?indicator=OE3.1"))
    assert {year: row["state"] for year, row in rows.items() if year >= 2015} == {2016: "validated"}
    assert rows[2016]["value"] == plain_decimal(workflow.validated.value)
    assert rows[2016]["submitted_by"] is None and rows[2016]["validated_by"] is None
    status_2017 = get(client, "statuses?year=2017&indicator=OE3.1").json()["items"]
    assert all(s["preliminary"] is None for s in status_2017)


def test_the_public_gets_narrative_fields_only_when_published(client, open_portal, workflow):
    row = values_of(get(client, "values?indicator=OE3.1"))[2016]
    assert row["note"] is None and row["analysis"] is None
    PortalSettings.objects.create(pk=1, publish_value_note=True)
    row = values_of(get(client, "values?indicator=OE3.1"))[2016]
    assert row["note"] == INTERNAL_NOTE
    assert row["analysis"] is None  # still not published


def test_the_public_never_sees_evidence(client, open_portal, workflow):
    IndicatorValue.objects.filter(pk=workflow.validated.pk).update(
        evidence_url="https://intranet.example/evidencia.pdf",
        evidence_file="evidence/2017/acta-dgc.pdf",
    )
    body = get(client, "values?indicator=OE3.1").content.decode()
    assert "intranet.example" not in body and "acta-dgc" not in body


def test_a_validator_sees_every_state_with_reasons_and_people(client, workflow, validator):
    response = get(client, "values?indicator=OE3.1", **bearer(issue_token(validator)))
    rows = values_of(response)
    assert {y: r["state"] for y, r in rows.items() if y >= 2015} == {
        2016: "validated",
        2017: "submitted",
        2018: "draft",
        2019: "returned",
    }
    assert rows[2019]["return_reason"] == RETURN_REASON
    assert rows[2017]["submitted_by"] == "reg.dgc"
    assert rows[2016]["validated_by"] == "val.opp"
    assert rows[2016]["note"] == INTERNAL_NOTE
    statuses = get(client, "statuses?year=2017", **bearer(issue_token(validator))).json()
    oe31 = next(s for s in statuses["items"] if s["indicator"] == "OE3.1")
    assert oe31["preliminary"] == plain_decimal(workflow.submitted.value)


def test_the_state_filter_picks_each_state(client, workflow, validator):
    secret = issue_token(validator)
    for state, year in [("submitted", 2017), ("draft", 2018), ("returned", 2019)]:
        rows = get(client, f"values?indicator=OE3.1&state={state}", **bearer(secret)).json()
        assert [r["year"] for r in rows["items"]] == [year]


def test_a_registrar_sees_their_directorate_unvalidated_values_and_evidence(
    client, workflow, registrar_dgc
):
    IndicatorValue.objects.filter(pk=workflow.draft.pk).update(
        evidence_url="https://intranet.example/acta.pdf", evidence_file="evidence/2018/acta.pdf"
    )
    rows = values_of(get(client, "values?indicator=OE3.1", **bearer(issue_token(registrar_dgc))))
    assert {y: r["state"] for y, r in rows.items() if y >= 2015} == {
        2016: "validated",
        2017: "submitted",
        2018: "draft",
        2019: "returned",
    }
    assert rows[2018]["evidence_url"] == "https://intranet.example/acta.pdf"
    assert rows[2018]["evidence_file"] == reverse("evidence", args=["valor", workflow.draft.pk])


def test_a_registrar_of_another_directorate_sees_validated_and_sent_values_and_no_evidence(
    client, workflow, registrar_dpe
):
    IndicatorValue.objects.filter(pk=workflow.validated.pk).update(
        evidence_url="https://intranet.example/acta.pdf", evidence_file="evidence/2016/acta.pdf"
    )
    secret = issue_token(registrar_dpe)
    rows = values_of(get(client, "values?indicator=OE3.1", **bearer(secret)))
    shown = {y: (r["state"], r["preliminary"]) for y, r in rows.items() if y >= 2015}
    assert shown == {2016: ("validated", False), 2017: ("submitted", True)}
    assert rows[2016]["evidence_url"] is None and rows[2016]["evidence_file"] is None
    statuses = get(client, "statuses?year=2017", **bearer(secret)).json()["items"]
    preliminary = next(s for s in statuses if s["indicator"] == "OE3.1")["preliminary"]
    assert preliminary == plain_decimal(workflow.submitted.value)
    reports = get(client, "action-reports", **bearer(secret)).json()
    assert reports["count"] == 0  # DGC's draft report
    own = get(client, "action-reports", **bearer(issue_token(workflow.report.updated_by)))
    assert [r["state"] for r in own.json()["items"]] == ["draft"]


def test_a_director_sees_every_state_of_their_directorate_only(
    client, django_user_model, workflow, director_dpe
):
    director_dgc = make_staff(django_user_model, "dir.dgc", "director", "DGC")
    rows = values_of(get(client, "values?indicator=OE3.1", **bearer(issue_token(director_dgc))))
    assert {2016, 2017, 2018, 2019} <= set(rows)
    rows = values_of(get(client, "values?indicator=OE3.1", **bearer(issue_token(director_dpe))))
    assert {2017, 2018, 2019} & set(rows) == {2017}


def test_indicator_flags_quote_no_draft_number_to_who_may_not_see_it(
    client, open_portal, registrar_dgc, registrar_dpe
):
    # A draft far out of OE3.1's history: its registrar was warned of the jump when saving it
    # (the entry warnings); no flag quotes a draft, to anyone, until it is sent.
    item = enter_value(registrar_dgc, year=2018, numerator=99_000)
    assert any("más de 5 veces" in w for w in item.warnings), item.warnings
    for extra in ({}, bearer(issue_token(registrar_dpe)), bearer(issue_token(registrar_dgc))):
        shown = get(client, "indicators/OE3.1", **extra).json()
        assert not any("2018" in f for f in shown["flags"]), shown["flags"]


def test_an_indicator_is_found_by_alias(client, open_portal):
    assert get(client, "indicators/V1.1").json()["code"] == "OE3.1"
    assert get(client, "indicators/OE3.1").json()["aliases"] == ["V1.1"]
    missing = get(client, "indicators/XX9")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "No existe el indicador XX9."


def test_a_baseline_year_the_system_inferred_says_so(client, open_portal):
    """Anexo 6 gives OE1.1's baseline (0.69) without a year; the system dates it 2014."""
    targets = get(client, "indicators/OE1.1").json()["targets"]
    baseline = next(t for t in targets if t["kind"] == "baseline" and t["source"] == "Anexo 6")
    assert baseline["year"] == 2014 and baseline["year_inferred"] is True
    target = next(t for t in targets if t["kind"] == "target" and t["year"] == 2021)
    assert target["year_inferred"] is False
    exported = ok(client.get("/publico/datos/plan.json")).json()
    oe11 = next(i for i in exported["indicators"] if i["code"] == "OE1.1")
    assert oe11["baseline"]["year_inferred"] is True


# --- the same numbers as the pages --------------------------------------------------------


def test_statuses_are_the_stored_yearly_statuses(client, open_portal, registrar_dgc, validator):
    enter_value(registrar_dgc, year=2016, validator=validator)
    status.ensure(2016)
    items = get(client, "statuses?year=2016&limit=500").json()["items"]
    stored = {
        s.indicator.code: s
        for s in IndicatorYearStatus.objects.filter(year=2016).select_related("indicator")
    }
    assert len(items) == len(stored) == Indicator.objects.count()
    for row in items:
        s = stored[row["indicator"]]
        assert row["light"] == s.light
        assert row["trajectory"] == s.trajectory
        for name in ("achievement", "value", "target", "latest_value"):
            got, want = row[name], getattr(s, name)
            assert (Decimal(got) if got is not None else None) == want, (row["indicator"], name)
    oe31 = next(r for r in items if r["indicator"] == "OE3.1")
    assert oe31["value"] is not None and oe31["achievement"] is not None


def test_decimals_are_exact_strings(client, open_portal):
    rows = get(client, "values?indicator=OE1.1&year=2014").json()["items"]
    assert rows[0]["value"] == "0.69"
    target = get(client, "targets?indicator=NAC.1&kind=baseline").json()["items"][0]
    assert target["value"] == "900"


def test_without_a_year_statuses_are_of_the_latest_plan_year_with_a_validated_value(
    client, open_portal, registrar_dgc, validator
):
    # Only the document's 2011-2014 history is validated: before the plan, so the plan's
    # first year, never 2014 (no target, no light).
    assert IndicatorValue.objects.filter(state=WorkflowState.VALIDATED, year=2014).exists()
    assert {i["year"] for i in get(client, "statuses").json()["items"]} == {2015}
    enter_value(registrar_dgc, year=2017, validator=validator)
    enter_value(registrar_dgc, year=2019, numerator=461, submit=True)  # sent, not validated
    items = get(client, "statuses").json()["items"]
    assert {i["year"] for i in items} == {2017}
    # A token holder of the planning office sees the same default: the API's rule is the
    # public's (validated values), whoever asks.
    token = bearer(issue_token(validator))
    assert {i["year"] for i in get(client, "statuses", **token).json()["items"]} == {2017}


def test_a_year_outside_the_plan_has_no_statuses(client, open_portal):
    # 2014 has stored statuses (the document's history) but no target: no lights.
    status.ensure(2014)
    assert IndicatorYearStatus.objects.filter(year=2014).exists()
    for year in (2014, 2022):
        assert get(client, f"statuses?year={year}").json()["count"] == 0


def test_a_year_without_statuses_gives_an_empty_list(client, open_portal):
    assert get(client, "statuses?year=1990").json() == {
        "count": 0,
        "next": None,
        "previous": None,
        "items": [],
    }


# --- index, labels and order -------------------------------------------------------------


def test_the_index_links_the_docs_the_schema_and_each_list(client, closed_portal):
    # Answered even while the public portal is closed: it holds no data.
    response = client.get(f"{API}/")
    assert response.status_code == 200
    body = response.json()
    assert body["docs"] == "http://testserver/api/v1/docs"
    assert body["schema"] == "http://testserver/api/v1/openapi.json"
    assert body["portal"] is None
    urls = {e["path"]: e["url"] for e in body["endpoints"]}
    assert urls["/api/v1/statuses"] == "http://testserver/api/v1/statuses"
    assert urls["/api/v1/indicators/{code}"] is None
    assert client.get(body["docs"]).status_code == 200
    assert client.get(body["schema"]).json()["info"]["version"] == "1"


def test_the_index_links_the_portal_while_it_is_open(client, open_portal):
    assert get(client, "").json()["portal"] == "http://testserver/publico/"


def test_each_code_has_its_spanish_label_as_in_the_csvs(
    client, open_portal, registrar_dgc, validator
):
    enter_value(registrar_dgc, year=2016, validator=validator)  # OE3.1 1.58 vs 1.54: green
    _validated_report(registrar_dgc, validator, 2016)
    rows = {r["indicator"]: r for r in get(client, "statuses?year=2016").json()["items"]}
    oe31, oe21 = rows["OE3.1"], rows["OE2.1"]
    assert (oe31["light"], oe31["light_label"]) == ("green", "verde")
    assert (oe21["light"], oe21["light_label"]) == ("grey", "gris")
    assert oe31["level_label"] == "objetivo estratégico"
    labels = {(r["trajectory"], r["trajectory_label"]) for r in rows.values()}
    assert labels <= {
        ("achieved", "meta final ya alcanzada"),
        ("on_track", "en camino"),
        ("off_track", "en riesgo"),
        ("unknown", "sin datos suficientes"),
    }
    # The codes still filter.
    green = get(client, "statuses?year=2016&light=green").json()["items"]
    assert {r["light_label"] for r in green} == {"verde"}
    value = get(client, "values?indicator=OE3.1&year=2016").json()["items"][0]
    assert (value["state"], value["state_label"]) == ("validated", "validado")
    report = get(client, "action-reports?year=2016").json()["items"][0]
    assert (report["state_label"], report["execution_label"]) == ("validado", "en ejecución")
    target = get(client, "targets?indicator=OE3.1&kind=baseline").json()["items"][0]
    assert target["kind_label"] == "línea de base"
    indicator = get(client, "indicators/OE3.1").json()
    assert (indicator["direction"], indicator["direction_label"]) == ("ascending", "ascendente")


def test_labels_are_in_the_schema(client, open_portal):
    schemas = ok(client.get(f"{API}/openapi.json")).json()["components"]["schemas"]
    light = schemas["StatusOut"]["properties"]["light_label"]
    assert light["type"] == "string" and "«off_track»" not in light["description"]
    assert "«green»: verde" in light["description"]
    assert (
        "«off_track»: en riesgo"
        in schemas["StatusOut"]["properties"]["trajectory_label"]["description"]
    )


def test_indicators_and_statuses_follow_the_published_order(client, open_portal):
    codes = [i["code"] for i in get(client, "indicators?objective=2").json()["items"]]
    assert codes == ["OE2.1", "OE2.2", "OE2.3"]  # Cuadro 5, not Anexo 2's V3.1, V3.2, V14.1
    every = [i["code"] for i in get(client, "indicators").json()["items"]]
    assert every[:7] == ["OE1.1", "OE1.2", "OE2.1", "OE2.2", "OE2.3", "OE3.1", "OE4.1"]
    assert every.index("V2.1") < every.index("V10.1") < every.index("NAC.1")
    statuses = [s["indicator"] for s in get(client, "statuses?objective=2").json()["items"]]
    assert statuses == ["OE2.1", "OE2.2", "OE2.3"]
    assert get(client, "objectives/2").json()["indicators"] == ["OE2.1", "OE2.2", "OE2.3"]


# --- filters and pages --------------------------------------------------------------------


def test_filters_by_objective_directorate_and_level(client, open_portal):
    by_objective = get(client, "indicators?objective=3").json()["items"]
    assert {i["objective"] for i in by_objective} == {3}
    by_directorate = get(client, "indicators?directorate=DGC").json()["items"]
    assert {i["code"] for i in by_directorate} == {"OE3.1", "V1.2", "NAC.3"}
    national = get(client, "indicators?level=national").json()["items"]
    assert {i["code"] for i in national} == {"NAC.1", "NAC.2", "NAC.3"}
    values = get(client, "values?directorate=DGC&year=2014").json()["items"]
    assert {v["indicator"] for v in values} <= {"OE3.1", "V1.2", "NAC.3"}
    assert {v["year"] for v in values} == {2014}
    statuses = get(client, "statuses?level=objective&objective=2").json()["items"]
    assert {s["indicator"] for s in statuses} == {"OE2.1", "OE2.2", "OE2.3"}
    actions = get(client, "actions?objective=3&directorate=DGC").json()["items"]
    assert actions and all(a["objective"] == 3 and "DGC" in a["responsibles"] for a in actions)


def test_pages_have_count_next_and_previous(client, open_portal):
    first = get(client, "indicators?limit=10").json()
    assert first["count"] == Indicator.objects.count() == 24
    assert len(first["items"]) == 10 and first["previous"] is None
    assert first["next"].endswith(f"{API}/indicators?limit=10&offset=10")
    second = ok(client.get(first["next"])).json()
    assert second["previous"].endswith("offset=0")
    last = ok(client.get(second["next"])).json()
    assert len(last["items"]) == 4 and last["next"] is None
    codes = [i["code"] for page in (first, second, last) for i in page["items"]]
    assert len(set(codes)) == 24


def test_a_page_past_the_end_is_empty(client, open_portal):
    page = get(client, "indicators?offset=1000").json()
    assert page["items"] == [] and page["count"] == 24 and page["next"] is None


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("limit=501", "limit"),
        ("limit=0", "limit"),
        ("offset=-1", "offset"),
        ("year=abc", "year"),
        ("year=99999", "year"),
        ("level=todos", "level"),
        ("state=perdido", "state"),
        ("indicator=OE%C3%91", "indicator"),
        ("directorate=DGC-DGC-DGC-DGC-DGC-DGC", "directorate"),
    ],
)
def test_bad_parameters_get_a_spanish_422(client, open_portal, query, param):
    response = get(client, f"values?{query}")
    assert response.status_code == 422
    body = response.json()
    assert body["detail"].startswith("Parámetros no válidos")
    assert param in [e["param"] for e in body["errors"]]


def test_a_nul_character_is_refused_without_a_server_error(client, open_portal):
    assert get(client, "values?indicator=OE%00").status_code == 400


# --- rate limits --------------------------------------------------------------------------


@pytest.fixture
def frozen_window(monkeypatch):
    """Every request of the test falls in one rate-limit window."""
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: 1_800_000_010.0))


def test_the_public_is_limited_per_address(client, open_portal, settings, frozen_window):
    settings.PESEM_API_PUBLIC_PER_MINUTE = 3
    assert [get(client, "plan").status_code for _ in range(3)] == [200, 200, 200]
    refused = get(client, "plan")
    assert refused.status_code == 429
    assert refused.json()["detail"].startswith("Demasiadas solicitudes")
    assert int(refused["Retry-After"]) > 0
    other = get(client, "plan", REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200


def test_a_token_is_limited_on_its_own(client, settings, validator, frozen_window):
    settings.PESEM_API_TOKEN_PER_MINUTE = 2
    first, second = issue_token(validator), issue_token(validator)
    assert [get(client, "plan", **bearer(first)).status_code for _ in range(2)] == [200, 200]
    assert get(client, "plan", **bearer(first)).status_code == 429
    assert get(client, "plan", **bearer(second)).status_code == 200


def test_failed_tokens_count_against_the_address(client, settings, frozen_window):
    settings.PESEM_API_PUBLIC_PER_MINUTE = 2
    codes = [get(client, "plan", **bearer("0123abcd.x")).status_code for _ in range(3)]
    assert codes == [401, 401, 429]


# --- fixed query counts -------------------------------------------------------------------


def _validated_report(registrar, validator, year: int) -> None:
    report = services.report_save(
        user=registrar,
        action=StrategicAction.objects.get(code="3.1"),
        directorate=Directorate.objects.get(code="DGC"),
        year=year,
        execution=ActionReport.Progress.IN_PROGRESS,
        percent=Decimal(40),
        description="",
    )
    report = services.do_submit(user=registrar, item=report, expected_version=report.version)
    services.do_validate(user=validator, item=report, expected_version=report.version)


def _more_data(registrar_dgc, validator) -> None:
    """Ten more indicators of DGC with validated values, more values of OE3.1, more
    reports."""
    dgc = Directorate.objects.get(code="DGC")
    for n in range(10):
        indicator = Indicator.objects.create(
            code=f"X{n}.1", name=f"Indicador adicional {n}", level="variable", responsible=dgc
        )
        IndicatorValue.objects.create(
            indicator=indicator, year=2016, value=Decimal(n), state=WorkflowState.VALIDATED
        )
    for year in (2017, 2018):
        enter_value(registrar_dgc, year=year, validator=validator)
        _validated_report(registrar_dgc, validator, year)


def _count(client, path: str, **extra) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = get(client, path, **extra)
    assert response.status_code == 200, response.content
    assert response.json().get("count", 1) > 0, path  # a page query was made
    return len(queries.captured_queries)


# Queries of each list, for the public and for a validator's token. The public's reads of
# the values, targets, statuses and reports add one query: which narrative fields the
# office published (PortalSettings). A token adds two: the token with its user, and the
# user's groups (roles), or one where the roles do not matter.
PINNED = {
    # indicator codes; objectives, actions, responsibles (public layer). A list: no count.
    "objectives": (4, 5),
    "actions": (3, 4),  # objectives, actions, responsibles (public layer). A list: no count.
    "directorates": (2, 3),  # count, page
    "indicators": (3, 4),  # count, page, articulated objectives
    "values?limit=500": (3, 4),  # count, page
    "targets?limit=500": (3, 4),  # count, page
    # plan years, latest plan year with a validated value, status.ensure's two counts,
    # count, page
    "statuses?limit=500": (7, 8),
    "action-reports": (3, 4),  # count, page
}


@pytest.mark.parametrize("path", PINNED)
def test_list_endpoints_run_a_fixed_number_of_queries(
    client, open_portal, registrar_dgc, validator, path
):
    _validated_report(registrar_dgc, validator, 2016)
    status.ensure(2016)
    callers = {"public": {}, "validator": bearer(issue_token(validator))}
    get(client, path, **callers["validator"])  # the token's first use writes last_used_at
    for (who, extra), pinned in zip(callers.items(), PINNED[path], strict=True):
        assert _count(client, path, **extra) == pinned, who
    _more_data(registrar_dgc, validator)
    status.refresh()
    for (who, extra), pinned in zip(callers.items(), PINNED[path], strict=True):
        assert _count(client, path, **extra) == pinned, f"{who}, con más datos"


# --- admin: issuing and revoking tokens ---------------------------------------------------


def test_issuing_a_token_shows_the_secret_once_and_stores_only_its_hash(
    client, superuser, validator, caplog
):
    client.force_login(superuser)
    with caplog.at_level(logging.INFO, logger="pesem.audit"):
        response = client.post(
            reverse("admin:pesem_apitoken_add"),
            {"user": validator.pk, "name": "tablero BI"},
            follow=True,
        )
    assert response.status_code == 200
    token = ApiToken.objects.get()
    shown = re.search(
        rf"Token: <code>({token.prefix}\.[A-Za-z0-9_-]+)</code>", response.content.decode()
    )
    assert shown is not None
    secret = shown.group(1)
    assert token.key_hash == ApiToken.hash_secret(secret) and secret not in token.key_hash
    assert get(client, "plan", **bearer(secret)).status_code == 200
    # Never again: not on the token's page, not in the list.
    page = client.get(reverse("admin:pesem_apitoken_change", args=[token.pk])).content.decode()
    listing = client.get(reverse("admin:pesem_apitoken_changelist")).content.decode()
    assert secret not in page and secret not in listing
    assert token.prefix in listing
    lines = [r for r in caplog.records if r.getMessage() == "write"]
    assert any(r.operation == "add" and r.user == "root" for r in lines)
    assert all(secret not in json.dumps(r.__dict__, default=str) for r in caplog.records)


def test_revoking_a_token_in_admin_refuses_it_and_writes_an_audit_line(
    client, superuser, validator, caplog
):
    secret = issue_token(validator)
    token = ApiToken.objects.get()
    client.force_login(superuser)
    with caplog.at_level(logging.INFO, logger="pesem.audit"):
        client.post(
            reverse("admin:pesem_apitoken_changelist"),
            {"action": "revoke", "_selected_action": [token.pk]},
        )
    token.refresh_from_db()
    assert token.revoked_at is not None
    client.logout()
    assert get(client, "plan", **bearer(secret)).status_code == 401
    revoke = [r for r in caplog.records if getattr(r, "operation", "") == "revoke"]
    assert len(revoke) == 1 and revoke[0].user == "root" and revoke[0].id == token.pk


def test_the_token_admin_is_registered():
    assert ApiToken in admin_site._registry
