"""An ampliación of the PESEM 2015-2021 to 2024: proposed by one person of the planning office
with its resolution and the new years' targets, approved by another (four eyes). Nothing
changes before approval; after it the plan's years reach 2024, the new years have their
targets, and the 2016 report, its files and its tablero keep every figure."""

import re
from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from indicators import services
from indicators.models import Indicator, IndicatorYearStatus, TargetRevision
from indicators.workflow import plan_services
from objectives.models import Plan, PlanVersion, Resolution
from tests.factories import as_read, enter_value, logged_in, ok, readable

pytestmark = [pytest.mark.django_db, pytest.mark.postgres, pytest.mark.usefixtures("portal_on")]

# The pages' year chooser: it offers the new years, which is navigation, not the report.
YEAR_CHOOSER = re.compile(r'<select id="id_anio" name="anio">.*?</select>')
PAGES_OF_2016 = [
    "/tablero/?anio=2016",
    "/reporte/?anio=2016",
    "/reporte/2016/xlsx/",
    "/reporte/2016/pdf/",
]
NEW_TARGETS = {"OE3.1": {2022: D("1.70"), 2023: D("1.80"), 2024: D("1.90")}}
# The plan's name in the ampliación: a report prints the name of the version it was read with.
NEW_NAME = "Plan Estratégico Sectorial Multianual (PESEM) de Relaciones Exteriores 2015-2024"


def propose(proposer, targets=None, horizon_end=2024):
    resolution = Resolution.objects.create(
        resolution_type="Resolución Ministerial", number="0456-2022-RE", date=date(2022, 6, 1)
    )
    return plan_services.version_propose(
        user=proposer,
        proposal=plan_services.Proposal(
            plan=Plan.objects.get(code="PESEM-RREE"),
            kind="ampliado",
            horizon_end=horizon_end,
            resolution=resolution,
            rationale="Ampliación del horizonte hasta 2024",
            name=NEW_NAME,
            targets={
                Indicator.objects.get(code=code): years
                for code, years in (NEW_TARGETS if targets is None else targets).items()
            },
        ),
    )


def seen(client) -> dict[str, str]:
    return {
        path: YEAR_CHOOSER.sub("", text) for path, text in as_read(client, PAGES_OF_2016).items()
    }


def test_an_extension_to_2024_leaves_the_2016_report_as_it_was(planning_office):
    office = planning_office
    registrar, proposer, approver = office.registrar, office.proposer, office.approver
    director = office.director
    reader = logged_in(director)
    figures = seen(reader)
    status_2016 = IndicatorYearStatus.objects.filter(year=2016).values_list(
        "indicator__code", "target", "achievement", "light", "trajectory"
    )
    before = set(status_2016)

    version = propose(proposer)
    # A draft changes nothing: the plan still ends in 2021, no new year can be entered.
    assert services.plan_years() == range(2015, 2022)
    with pytest.raises(ValidationError, match="fuera del periodo del plan"):
        services.check_year(2023, services.plan_years())

    plan_services.version_decide(user=approver, version=version, approve=True)
    assert services.plan_years() == range(2015, 2025)
    states = dict(Plan.objects.get(code="PESEM-RREE").versions.values_list("kind", "state"))
    assert states == {"nuevo": "reemplazado", "ampliado": "vigente"}
    # The new years have their targets, read as approved by the ampliación.
    assert IndicatorYearStatus.objects.get(indicator__code="OE3.1", year=2023).target == D("1.8")
    assert set(
        TargetRevision.objects.filter(version=version).values_list("year", "state", "reason")
    ) == {(y, "aprobada", "ampliacion") for y in (2022, 2023, 2024)}
    # A registrar enters a 2023 value.
    value = enter_value(registrar, "OE3.1", 2023, numerator=470, denominator=2_900_000)
    assert value.year == 2023
    # 2016 keeps every figure: statuses, tablero, report page and both files.
    assert set(status_2016) == before
    assert seen(reader) == figures
    # The year chooser offers the new years; the 2023 report answers.
    page = readable(ok(reader.get("/reporte/?anio=2023")))
    assert '<option value="2024">2024</option>' in page
    assert '<option value="2023" selected>2023</option>' in page
    # 2023 is read with the ampliación: its name; 2016 keeps the name it had.
    assert f'<p class="lead">{NEW_NAME}</p>' in page
    old_name = Plan.objects.get().name
    assert f'<p class="lead">{old_name}</p>' in figures["/reporte/?anio=2016"]
    assert NEW_NAME not in seen(reader)["/reporte/?anio=2016"]


def test_the_proposer_cannot_approve_and_a_discarded_draft_changes_nothing(planning_office):
    proposer, approver = planning_office.proposer, planning_office.approver
    version = propose(proposer)
    with pytest.raises(ValidationError, match="cuatro ojos"):
        plan_services.version_decide(user=proposer, version=version, approve=True)
    with pytest.raises(ValidationError, match="motivo"):
        plan_services.version_decide(user=approver, version=version, approve=False)
    plan_services.version_decide(
        user=approver, version=version, approve=False, note="Falta el oficio de CEPLAN"
    )
    version.refresh_from_db()
    assert version.state == "descartado" and version.decided_by == approver
    assert services.plan_years() == range(2015, 2022)
    assert set(TargetRevision.objects.filter(version=version).values_list("state", flat=True)) == {
        "rechazada"
    }
    # Discarded, it no longer blocks another proposal.
    assert propose(proposer).state == PlanVersion.State.DRAFT


def test_bad_proposals_are_refused_all_at_once_and_store_nothing(planning_office):
    proposer = planning_office.proposer
    versions, revisions = PlanVersion.objects.count(), TargetRevision.objects.count()
    with pytest.raises(ValidationError) as refused:
        propose(proposer, targets={"OE3.1": {2020: D("1.5"), 2026: D("2")}}, horizon_end=2021)
    messages = " ".join(refused.value.messages)
    assert "más allá de 2021" in messages
    assert "2020 no es un año nuevo del horizonte" in messages
    assert "es una modificación" in messages
    assert (PlanVersion.objects.count(), TargetRevision.objects.count()) == (versions, revisions)
    propose(proposer)
    with pytest.raises(ValidationError, match="Ya hay una versión en borrador"):
        propose(proposer)
