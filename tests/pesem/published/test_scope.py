"""What is public is decided once (pesem.published.scope): the portal's reads and the anonymous
read API list the same values and the same target notes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from indicators import services
from indicators.models import Indicator, Target
from pesem.published import reads, scope
from tests.factories import enter_value

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("portal_on")]


def test_only_validated_values_are_public_for_the_portal_and_the_api(
    client, registrar_dgc, validator
):
    enter_value(registrar_dgc, year=2016, validator=validator)
    enter_value(registrar_dgc, year=2017, numerator=457, submit=True)
    enter_value(registrar_dgc, year=2018, numerator=461)
    oe31 = scope.validated_values().filter(indicator__code="OE3.1")
    public_years = sorted(oe31.values_list("year", flat=True))
    assert 2016 in public_years and not {2017, 2018} & set(public_years)

    portal = reads.public_indicator(code="OE3.1")
    assert portal is not None and [v.year for v in portal.values] == public_years
    response = client.get("/api/v1/values?indicator=OE3.1")
    assert response.status_code == 200
    assert [row["year"] for row in response.json()["items"]] == public_years


def test_a_planning_office_targets_note_is_internal_for_both(client):
    indicator = Indicator.objects.get(code="OE3.1")
    Target.objects.create(
        indicator=indicator,
        kind=Target.Kind.TARGET,
        year=2030,
        value=Decimal("2.5"),
        source=services.PLANNING_OFFICE_SOURCE,
        note="Razón-interna-XQ",
    )
    (set_here,) = Target.objects.filter(indicator=indicator, year=2030)
    assert scope.public_target_note(set_here) == ""
    published = Target.objects.filter(indicator=indicator).exclude(note="").exclude(year=2030)
    for target in published:  # a published table's note stays public
        assert scope.public_target_note(target) == target.note

    portal = reads.public_indicator(code="OE3.1")
    assert portal is not None
    assert [t.note for t in portal.targets if t.year == 2030] == [""]
    response = client.get("/api/v1/targets?indicator=OE3.1&year=2030")
    assert response.status_code == 200
    assert [row["note"] for row in response.json()["items"]] == [""]
    assert "Razón-interna-XQ" not in response.content.decode()
