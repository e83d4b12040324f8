"""/api/v1/plans and /api/v1/plans/{code}: every plan with its code, type, entity and
frequency, and one plan with its versions and their resolutions; read like /api/v1/plan."""

import uuid
from datetime import date
from decimal import Decimal as D

import pytest

from indicators.models import Indicator
from indicators.workflow import target_services
from objectives.models import Entity, Plan, PlanVersion, Resolution
from tests.factories import load_example_pei, make_staff, ok

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

API = "/api/v1"


@pytest.fixture(autouse=True)
def fresh_cache(settings):
    """Rate-limit counters in a cache of this test only."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"api-plans-{uuid.uuid4()}",
        }
    }


@pytest.fixture
def open_portal(settings):
    settings.PESEM_PUBLIC_PORTAL = True


@pytest.fixture
def closed_portal(settings):
    settings.PESEM_PUBLIC_PORTAL = False


RREE = {"code": "RREE", "name": "Relaciones Exteriores", "kind": "sector", "sector": None}


def test_the_list_has_the_pesem(client, open_portal):
    response = client.get(f"{API}/plans")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and body["next"] is None and body["previous"] is None
    assert body["items"] == [
        {
            "code": "PESEM-RREE",
            "type": "PESEM",
            "name": Plan.objects.get().name,
            "entity": RREE,
            "frequency": "anual",
        }
    ]


def test_the_pesem_with_its_first_version_and_an_unknown_resolution(client, open_portal):
    response = client.get(f"{API}/plans/PESEM-RREE")
    assert response.status_code == 200
    body = response.json()
    assert (body["code"], body["type"], body["entity"], body["frequency"]) == (
        "PESEM-RREE",
        "PESEM",
        RREE,
        "anual",
    )
    assert body["versions"] == [
        {
            "id": PlanVersion.objects.get().pk,
            "kind": "nuevo",
            "state": "finalizado",
            "name": Plan.objects.get().name,
            "horizon_start": 2015,
            "horizon_end": 2021,
            "current": True,
            "resolution_known": False,
            "resolution": None,
        }
    ]


def test_a_new_plan_with_a_known_resolution_and_pages(client, open_portal):
    sector = Entity.objects.get(code="RREE")
    apci = Entity.objects.create(code="APCI", name="Agencia", kind="pliego", sector=sector)
    plan = Plan.objects.create(
        code="PEI-APCI",
        plan_type="PEI",
        entity=apci,
        frequency="semestral",
        name="PEI de APCI 2020-2023",
        short_name="PEI APCI",
        sector="Relaciones Exteriores",
        start_year=2020,
        end_year=2023,
        vision="",
        desired_scenario="",
    )
    resolution = Resolution.objects.create(
        resolution_type="Resolución Directoral Ejecutiva",
        number="045-2020-APCI/DE",
        date=date(2020, 3, 2),
        issuer="APCI",
    )
    PlanVersion.objects.create(
        plan=plan,
        kind="nuevo",
        name="PEI 2020-2022",
        horizon_start=2020,
        horizon_end=2022,
        state="reemplazado",
        resolution=resolution,
    )
    PlanVersion.objects.create(
        plan=plan,
        kind="ampliado",
        name="PEI 2020-2023",
        horizon_start=2020,
        horizon_end=2023,
        state="vigente",
    )

    page = ok(client.get(f"{API}/plans?limit=1")).json()
    assert page["count"] == 2
    assert [p["code"] for p in page["items"]] == ["PEI-APCI"]  # by code
    assert page["next"].endswith("limit=1&offset=1")
    second = ok(client.get(f"{API}/plans?limit=1&offset=1")).json()
    assert [p["code"] for p in second["items"]] == ["PESEM-RREE"]

    body = ok(client.get(f"{API}/plans/PEI-APCI")).json()
    assert body["name"] == "PEI 2020-2023"  # the vigente version's name
    assert body["frequency"] == "semestral"
    assert body["entity"] == {"code": "APCI", "name": "Agencia", "kind": "pliego", "sector": "RREE"}
    first, extended = body["versions"]
    assert (first["kind"], first["state"], first["current"]) == ("nuevo", "reemplazado", False)
    assert first["resolution_known"] is True
    assert first["resolution"] == {
        "type": "Resolución Directoral Ejecutiva",
        "number": "045-2020-APCI/DE",
        "date": "2020-03-02",
        "issuer": "APCI",
        "ceplan_oficio": "",
    }
    assert (extended["kind"], extended["current"], extended["resolution"]) == (
        "ampliado",
        True,
        None,
    )
    assert extended["resolution_known"] is False


def test_an_unknown_code_is_a_spanish_404(client, open_portal):
    response = client.get(f"{API}/plans/PEI-NADA")
    assert response.status_code == 404
    assert response.json() == {"detail": "No existe el plan PEI-NADA."}


def test_a_malformed_code_is_a_spanish_422(client, open_portal):
    response = client.get(f"{API}/plans/{'X' * 41}")
    assert response.status_code == 422
    assert response.json()["detail"] == "Parámetros no válidos: code."


@pytest.mark.parametrize("path", ["plans", "plans/PESEM-RREE"])
def test_anonymous_is_refused_while_the_portal_is_off(client, closed_portal, path):
    response = client.get(f"{API}/{path}")
    assert response.status_code == 401
    assert "API pública no está habilitada" in response.json()["detail"]


@pytest.mark.parametrize("path", ["plans", "plans/PESEM-RREE"])
def test_a_signed_in_user_reads_while_the_portal_is_off(
    client, closed_portal, django_user_model, path
):
    client.force_login(make_staff(django_user_model, "reg.x", "registrador", "DGC"))
    response = client.get(f"{API}/{path}")
    assert response.status_code == 200
    assert "PESEM-RREE" in response.content.decode()
    assert response["Cache-Control"] == "private, no-store"


def test_the_list_runs_a_fixed_number_of_queries(client, open_portal, django_assert_num_queries):
    # count, page of plans with entity and sector, their versions with resolutions
    with django_assert_num_queries(3):
        assert client.get(f"{API}/plans").status_code == 200
    Plan.objects.create(
        code="PEI-MRE",
        plan_type="PEI",
        entity=Entity.objects.get(code="RREE"),
        name="PEI",
        short_name="PEI MRE",
        sector="RREE",
        start_year=2020,
        end_year=2023,
        vision="",
        desired_scenario="",
    )
    # A plan without an approved version is not public yet (a nuevo plan waiting for its
    # second person).
    assert client.get(f"{API}/plans").json()["count"] == 1
    PlanVersion.objects.create(
        plan=Plan.objects.get(code="PEI-MRE"),
        kind="nuevo",
        horizon_start=2020,
        horizon_end=2023,
        state="vigente",
    )
    with django_assert_num_queries(3):
        assert client.get(f"{API}/plans").json()["count"] == 2


def test_the_pesems_indicators_with_their_targets_and_revisions(
    client, open_portal, django_user_model
):
    proposer = make_staff(django_user_model, "val.opp", "validador", "OPP")
    approver = make_staff(django_user_model, "val2.opp", "validador", "OPP")
    indicator = Indicator.objects.get(code="OE3.1")
    before = ok(client.get(f"{API}/plans/PESEM-RREE/indicators", {"limit": 500})).json()
    assert before["count"] == Indicator.objects.count()
    [row] = [i for i in before["items"] if i["code"] == "OE3.1"]
    published = {t["period"]: t["value"] for t in row["targets"]}
    assert row["aggregation"] == "ultimo"  # the default: the PESEM is followed by year
    assert published and all(r["reason"] == "original" for r in row["revisions"])
    resolution = Resolution.objects.create(
        resolution_type="Resolución Ministerial", number="0123-2019-RE", date=date(2019, 3, 15)
    )
    revision = target_services.target_propose(
        user=proposer,
        indicator=indicator,
        year=2021,
        value=D("1.234567"),
        reason="modificacion",
        rationale="SUSTENTO-INTERNO",
        resolution=resolution,
    )
    target_services.target_decide(user=approver, revision=revision, approve=True)
    response = ok(client.get(f"{API}/plans/PESEM-RREE/indicators", {"limit": 500}))
    assert "SUSTENTO-INTERNO" not in response.content.decode()
    assert "val.opp" not in response.content.decode()
    [row] = [i for i in response.json()["items"] if i["code"] == "OE3.1"]
    # Exact, never rounded to the indicator's two display decimals.
    assert {t["period"]: t["value"] for t in row["targets"]} == {**published, "2021": "1.234567"}
    last = row["revisions"][-1]
    assert (last["period"], last["value"], last["reason"]) == ("2021", "1.234567", "modificacion")
    assert last["resolution"]["number"] == "0123-2019-RE"
    assert last["previous_value"] == published["2021"]


def test_an_unknown_plan_or_version_is_a_404_in_spanish(client, open_portal):
    response = ok(client.get(f"{API}/plans/NO-EXISTE/indicators"), 404)
    assert "No existe el plan NO-EXISTE" in response.json()["detail"]
    response = ok(client.get(f"{API}/plans/PESEM-RREE/indicators", {"version": 99999}), 404)
    assert "no tiene la versión 99999" in response.json()["detail"]


def test_the_pesems_values_and_statuses_of_a_period_are_those_of_the_plan_wide_lists(
    client, open_portal, validated
):
    values = ok(client.get(f"{API}/plans/PESEM-RREE/values", {"period": "2016"})).json()
    assert values == ok(client.get(f"{API}/values", {"year": 2016})).json() | {
        "next": None,
        "previous": None,
    }
    assert values["count"] > 0 and {v["year"] for v in values["items"]} == {2016}
    assert all(v["state"] == "validated" for v in values["items"])
    statuses = ok(
        client.get(f"{API}/plans/PESEM-RREE/statuses", {"period": "2016", "limit": 500})
    ).json()
    assert (
        statuses["items"]
        == (ok(client.get(f"{API}/statuses", {"year": 2016, "limit": 500})).json()["items"])
    )
    assert statuses["count"] == Indicator.objects.count()
    after = ok(client.get(f"{API}/plans/PESEM-RREE/statuses", {"period": "2030"})).json()
    assert after["count"] == 0


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2016-S1", "se sigue por año: use period=2016"),
        ("2016-S3", "Parámetros no válidos: period."),
        ("16", "Parámetros no válidos: period."),
    ],
)
def test_a_period_the_plan_does_not_follow_is_refused_in_spanish(
    client, open_portal, period, message
):
    for endpoint in ("values", "statuses"):
        response = ok(client.get(f"{API}/plans/PESEM-RREE/{endpoint}", {"period": period}), 422)
        assert message in response.json()["detail"]


def test_targets_as_approved_at_an_earlier_version_leave_out_later_revisions(
    client, open_portal, django_user_model
):
    proposer = make_staff(django_user_model, "val.opp", "validador", "OPP")
    approver = make_staff(django_user_model, "val2.opp", "validador", "OPP")
    plan = Plan.objects.get(code="PESEM-RREE")
    first = PlanVersion.objects.get(plan=plan)
    first.state = "reemplazado"
    first.save()
    resolution = Resolution.objects.create(
        resolution_type="Resolución Ministerial", number="0500-2021-RE", date=date(2021, 6, 1)
    )
    second = PlanVersion.objects.create(
        plan=plan,
        kind="modificado",
        name=plan.name,
        horizon_start=2015,
        horizon_end=2021,
        state="vigente",
        resolution=resolution,
    )
    revision = target_services.target_propose(
        user=proposer,
        indicator=Indicator.objects.get(code="OE3.1"),
        year=2021,
        value=D("2.5"),
        reason="modificacion",
        rationale="x",
        resolution=resolution,
    )
    assert revision.version == second
    target_services.target_decide(user=approver, revision=revision, approve=True)

    def target_2021(**params):
        body = ok(client.get(f"{API}/plans/PESEM-RREE/indicators", {"limit": 500, **params}))
        [row] = [i for i in body.json()["items"] if i["code"] == "OE3.1"]
        return {t["period"]: t["value"] for t in row["targets"]}["2021"], row["revisions"]

    now, revisions = target_2021()
    assert now == "2.5" and revisions[-1]["reason"] == "modificacion"
    then, revisions = target_2021(version=first.pk)
    assert then != "2.5" and all(r["reason"] == "original" for r in revisions)


def test_a_loaded_pei_answers_through_the_plan_endpoints(client, open_portal):
    """The made-up PEI (PEI-EJEMPLO, loaded only by tests), semestral and articulated to the
    PESEM: its indicators with their targets, its validated 2024 value and its 2024 status,
    read through the endpoints that name it; the PESEM's answers leave it out."""
    load_example_pei()
    plans_list = ok(client.get("/api/v1/plans")).json()["items"]
    pei = next(p for p in plans_list if p["code"] == "PEI-EJEMPLO")
    assert (pei["type"], pei["frequency"], pei["entity"]["code"], pei["entity"]["sector"]) == (
        "PEI",
        "semestral",
        "EJEMPLO",
        "RREE",
    )
    rows = ok(client.get("/api/v1/plans/PEI-EJEMPLO/indicators")).json()["items"]
    assert sorted(r["code"] for r in rows) == ["IND.AEI.01.02", "IND.OEI.01"]
    amount = next(r for r in rows if r["code"] == "IND.OEI.01")
    assert amount["aggregation"] == "suma"
    assert {t["period"]: D(t["value"]) for t in amount["targets"]} == {
        "2024": D("1300"),
        "2027": D("1500"),
    }
    values = ok(client.get("/api/v1/plans/PEI-EJEMPLO/values", {"period": "2024"})).json()
    assert [(v["indicator"], D(v["value"])) for v in values["items"]] == [("IND.OEI.01", D("1320"))]
    statuses = ok(client.get("/api/v1/plans/PEI-EJEMPLO/statuses", {"period": "2024"})).json()
    light = {s["indicator"]: s["light"] for s in statuses["items"]}
    assert light == {"IND.AEI.01.02": "grey", "IND.OEI.01": "green"}
    pesem = ok(client.get("/api/v1/plans/PESEM-RREE/values", {"limit": 500})).json()
    assert all(not v["indicator"].startswith("IND.") for v in pesem["items"])
