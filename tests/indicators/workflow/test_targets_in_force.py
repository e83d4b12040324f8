"""A year's figures use the targets in force at the year's deadline: a modification approved
later leaves the year's stored statuses, tablero, report page and report files as they were,
while the indicator page shows the target in force now. A correction fixes the record, so it
counts whenever it was approved. Moving a deadline moves what counts."""

from datetime import date, datetime
from decimal import Decimal as D

import pytest
from django.utils import timezone

from indicators.models import Indicator, IndicatorYearStatus
from indicators.workflow import calendar_services, target_services
from objectives.models import Resolution
from pesem.report import content
from tests.factories import as_read, logged_in, ok, readable

pytestmark = [pytest.mark.django_db, pytest.mark.postgres, pytest.mark.usefixtures("portal_on")]

# What a reader of 2016 sees: the tablero, the report page and both report files.
PAGES_OF_2016 = [
    "/tablero/?anio=2016",
    "/reporte/?anio=2016",
    "/reporte/2016/xlsx/",
    "/reporte/2016/pdf/",
]


def revise(office, year, value, *, reason="modificacion", when=None, monkeypatch=None):
    """A revision proposed by one person and approved by the other (at `when`, if given)."""
    resolution = None
    if reason != "correccion":
        resolution = Resolution.objects.create(
            resolution_type="Resolución Ministerial",
            number=f"R-{year}-{value}",
            date=date(2017, 1, 2),
        )
    revision = target_services.target_propose(
        user=office.proposer,
        indicator=Indicator.objects.get(code="OE3.1"),
        year=year,
        value=D(value),
        reason=reason,
        rationale="Meta revisada",
        resolution=resolution,
    )
    if when is not None:
        monkeypatch.setattr(target_services.timezone, "now", lambda: when)
    target_services.target_decide(user=office.approver, revision=revision, approve=True)
    if when is not None:
        monkeypatch.undo()
    return revision


def stored(year):
    return IndicatorYearStatus.objects.values("target", "achievement", "light").get(
        indicator__code="OE3.1", year=year
    )


def chart_targets(year):
    report = content.monitoring_report(year=year)
    rows = [r for o in report.objectives for r in o.rows if r.status.indicator.code == "OE3.1"]
    return rows[0].targets


def test_a_modification_approved_after_the_deadline_leaves_the_year_as_it_was(planning_office):
    director = logged_in(planning_office.director)
    before, figures, line = stored(2016), as_read(director, PAGES_OF_2016), chart_targets(2016)
    final = stored(2021)
    revise(planning_office, 2016, "1.9")
    revise(planning_office, 2021, "2.5")
    # Today is after 2016's and 2021's deadlines: their figures stay as approved then...
    assert stored(2016) == before and stored(2021) == final
    assert chart_targets(2016) == line
    assert as_read(director, PAGES_OF_2016) == figures
    # ...and the indicator page shows the targets in force now.
    page = readable(ok(director.get("/indicadores/OE3.1/")))
    assert "1.90" in page and "2.50" in page


def test_a_revision_approved_before_the_deadline_counts_for_its_year(planning_office, monkeypatch):
    original = stored(2016)
    lima = timezone.get_current_timezone()
    revise(
        planning_office,
        2016,
        "1.9",
        when=datetime(2017, 2, 1, 10, tzinfo=lima),
        monkeypatch=monkeypatch,
    )
    in_force = stored(2016)
    assert in_force["target"] == D("1.9") and in_force != original
    assert [t.value for t in chart_targets(2016) if t.year == 2016] == [D("1.9")]
    # A second one, approved today, is after the deadline: 2016 keeps the February one.
    revise(planning_office, 2016, "2.4")
    assert stored(2016) == in_force

    # The planning office moves 2016's deadline before February 2017: the revision approved
    # then no longer counts for 2016; moved back, it does again.
    proposer = planning_office.proposer
    calendar_services.deadline_set(
        user=proposer, year=2016, due_date=date(2017, 1, 20), reason="cierre adelantado"
    )
    assert stored(2016) == original
    calendar_services.deadline_set(
        user=proposer, year=2016, due_date=date(2017, 3, 31), reason="cierre de siempre"
    )
    assert stored(2016) == in_force


def test_a_correction_counts_whenever_it_was_approved(planning_office):
    director = logged_in(planning_office.director)
    figures = as_read(director, PAGES_OF_2016)
    revise(planning_office, 2016, "1.9", reason="correccion")
    assert stored(2016)["target"] == D("1.9")
    assert [t.value for t in chart_targets(2016) if t.year == 2016] == [D("1.9")]
    assert as_read(director, PAGES_OF_2016) != figures
