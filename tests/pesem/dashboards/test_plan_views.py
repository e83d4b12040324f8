from datetime import date

import pytest
from django.urls import reverse

from objectives.models import Plan, Resolution
from tests.factories import ok

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("plan"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_home_shows_plan_objectives_indicators_and_targets(client, plain_user):
    client.force_login(plain_user)
    page = ok(client.get(reverse("plan"))).content.decode()
    assert "Plan Estratégico Sectorial Multianual" in page
    assert "potencia regional emergente" in page  # vision
    for code in ("OE1.1", "OE1.2", "OE2.1", "OE2.2", "OE2.3", "OE3.1", "OE4.1"):
        assert code in page
    assert "14.50" in page and "7.38" in page  # both published 2021 targets of OE2.2
    assert "conflicto" in page
    assert "1.62" in page  # OE3.1 baseline, Peruvian decimal point


@pytest.mark.usefixtures("uncached")
def test_home_query_count_is_bounded(client, plain_user, django_assert_max_num_queries):
    client.force_login(plain_user)
    # session, user, user's groups (navigation), plan, indicators, values, targets, flags,
    # articulated objectives, objectives; the plan's versions with their resolutions
    with django_assert_max_num_queries(11):
        assert client.get(reverse("plan")).status_code == 200


def test_home_lists_the_versions_and_flags_an_unknown_resolution(client, plain_user):
    client.force_login(plain_user)
    page = ok(client.get(reverse("plan"))).content.decode()
    versions = page.split('<table id="plan-versions">', 1)[1].split("</table>", 1)[0]
    assert "nuevo" in versions and "2015–2021" in versions and "finalizado" in versions
    assert "Resolución desconocida" in versions
    assert "Las páginas muestran la versión nuevo (horizonte nuevo) 2015–2021 (finalizado)" in page


def test_home_names_a_known_resolution(client, plain_user):
    plan = Plan.objects.get()
    version = plan.versions.get()
    version.resolution = Resolution.objects.create(
        resolution_type="Resolución Ministerial",
        number="0123-2015-RE",
        date=date(2015, 6, 1),
        ceplan_oficio="Oficio N° 045-2015-CEPLAN/DNCP",
    )
    version.save()
    client.force_login(plain_user)
    page = ok(client.get(reverse("plan"))).content.decode()
    assert "Resolución Ministerial N° 0123-2015-RE del 01/06/2015" in page
    assert "Oficio N° 045-2015-CEPLAN/DNCP" in page
    assert "Resolución desconocida" not in page
