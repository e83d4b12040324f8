"""A year's figures use the targets in force at the year's deadline: a modification approved
later leaves the year's stored statuses, tablero, report page and report files as they were,
while the indicator page shows the target in force now. A correction fixes the record, so it
counts whenever it was approved. Moving a deadline moves what counts."""

import re
from datetime import date, datetime
from decimal import Decimal as D

import pytest
from django.utils import timezone

from indicators.models import Indicator, IndicatorYearStatus
from indicators.workflow import calendar_services, target_services
from objectives.models import Resolution
from pesem.report import content
from tests.factories import enter_value, logged_in, make_staff, ok, readable

pytestmark = [pytest.mark.django_db, pytest.mark.postgres, pytest.mark.usefixtures("portal_on")]

# When a file or page was built (to the minute): not data.
GENERATED = re.compile(r"(Fecha de generación:|Generado el) \d\d/\d\d/\d{4} \d\d:\d\d")
# What a reader of 2016 sees: the tablero, the report page and both report files.
PAGES_OF_2016 = [
    "/tablero/?anio=2016",
    "/reporte/?anio=2016",
    "/reporte/2016/xlsx/",
    "/reporte/2016/pdf/",
]


@pytest.fixture
def office(django_user_model):
    """Two people of the planning office (four eyes), a director who reads, and OE3.1's 2016
    value validated."""
    registrar = make_staff(django_user_model, "reg.dgc", "registrador", "DGC")
    proposer = make_staff(django_user_model, "val.opp", "validador", "OPP")
    approver = make_staff(django_user_model, "val2.opp", "validador", "OPP")
    director = make_staff(django_user_model, "dir.dgc", "director", "DGC")
    enter_value(registrar, "OE3.1", 2016, numerator=450, validator=proposer)
    return proposer, approver, director


def revise(office, year, value, *, reason="modificacion", when=None, monkeypatch=None):
    """A revision proposed by one person and approved by the other (at `when`, if given)."""
    proposer, approver, _ = office
    resolution = None
    if reason != "correccion":
        resolution = Resolution.objects.create(
            resolution_type="Resolución Ministerial",
            number=f"R-{year}-{value}",
            date=date(2017, 1, 2),
        )
    revision = target_services.target_propose(
        user=proposer,
        indicator=Indicator.objects.get(code="OE3.1"),
        year=year,
        value=D(value),
        reason=reason,
        rationale="Meta revisada",
        resolution=resolution,
    )
    if when is not None:
        monkeypatch.setattr(target_services.timezone, "now", lambda: when)
    target_services.target_decide(user=approver, revision=revision, approve=True)
    if when is not None:
        monkeypatch.undo()
    return revision


def stored(year):
    return IndicatorYearStatus.objects.values("target", "achievement", "light").get(
        indicator__code="OE3.1", year=year
    )


def seen(client) -> dict[str, str]:
    return {path: GENERATED.sub("", readable(ok(client.get(path)))) for path in PAGES_OF_2016}


def chart_targets(year):
    report = content.monitoring_report(year=year)
    rows = [r for o in report.objectives for r in o.rows if r.status.indicator.code == "OE3.1"]
    return rows[0].targets


def test_a_modification_approved_after_the_deadline_leaves_the_year_as_it_was(office):
    director = logged_in(office[2])
    before, figures, line = stored(2016), seen(director), chart_targets(2016)
    final = stored(2021)
    revise(office, 2016, "1.9")
    revise(office, 2021, "2.5")
    # Today is after 2016's and 2021's deadlines: their figures stay as approved then...
    assert stored(2016) == before and stored(2021) == final
    assert chart_targets(2016) == line
    assert seen(director) == figures
    # ...and the indicator page shows the targets in force now.
    page = readable(ok(director.get("/indicadores/OE3.1/")))
    assert "1.90" in page and "2.50" in page


def test_a_revision_approved_before_the_deadline_counts_for_its_year(office, monkeypatch):
    original = stored(2016)
    lima = timezone.get_current_timezone()
    revise(office, 2016, "1.9", when=datetime(2017, 2, 1, 10, tzinfo=lima), monkeypatch=monkeypatch)
    in_force = stored(2016)
    assert in_force["target"] == D("1.9") and in_force != original
    assert [t.value for t in chart_targets(2016) if t.year == 2016] == [D("1.9")]
    # A second one, approved today, is after the deadline: 2016 keeps the February one.
    revise(office, 2016, "2.4")
    assert stored(2016) == in_force

    # The planning office moves 2016's deadline before February 2017: the revision approved
    # then no longer counts for 2016; moved back, it does again.
    proposer = office[0]
    calendar_services.deadline_set(
        user=proposer, year=2016, due_date=date(2017, 1, 20), reason="cierre adelantado"
    )
    assert stored(2016) == original
    calendar_services.deadline_set(
        user=proposer, year=2016, due_date=date(2017, 3, 31), reason="cierre de siempre"
    )
    assert stored(2016) == in_force


def test_a_correction_counts_whenever_it_was_approved(office):
    director = logged_in(office[2])
    figures = seen(director)
    revise(office, 2016, "1.9", reason="correccion")
    assert stored(2016)["target"] == D("1.9")
    assert [t.value for t in chart_targets(2016) if t.year == 2016] == [D("1.9")]
    assert seen(director) != figures
