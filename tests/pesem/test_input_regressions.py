"""Inputs that answered 500 and now get a page or a Spanish refusal, one test each."""

import pytest
from django.urls import reverse

from indicators.models import IndicatorValue
from tests.factories import enter_value

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_tablero_ignores_a_page_size_in_the_address(client, validator):
    client.force_login(validator)
    normal = client.get(reverse("home"))
    for per_page in ("-1", "0", "1000000000", "²"):
        response = client.get(reverse("home"), {"per_page": per_page})
        assert response.status_code == 200
        # The same rows as without it: the page size is the site's own.
        assert len(response.context["table"].page.object_list) == len(
            normal.context["table"].page.object_list
        )


@pytest.mark.parametrize("page", ["-1", "0", "²", "999999", "abc"])
def test_tablero_answers_any_page_number(client, validator, page):
    client.force_login(validator)
    assert client.get(reverse("home"), {"page": page}).status_code == 200


def test_a_transition_with_a_next_that_is_not_a_path_goes_back_to_the_default_page(
    client, registrar_dgc, validator
):
    item = enter_value(registrar_dgc, "OE3.1", 2016, submit=True)
    client.force_login(validator)
    response = client.post(
        reverse("value_transition", args=[item.pk, "return"]),
        {"version": item.version, "reason": "Falta el sustento.", "next": "abc"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("indicator_detail", args=["OE3.1"])
    item.refresh_from_db()
    assert item.state == "draft"  # the action itself went through


def test_admin_history_of_an_id_that_is_not_a_number_is_404(client, superuser, registrar_dgc):
    client.force_login(superuser)
    item = enter_value(registrar_dgc, "OE3.1", 2016)
    assert client.get(f"/admin/indicators/indicatorvalue/{item.pk}/history/").status_code == 200
    assert client.get("/admin/indicators/indicatorvalue/x/history/").status_code == 404
    assert client.get(f"/admin/indicators/indicatorvalue/{item.pk}/history/x/").status_code == 404
    assert IndicatorValue.objects.filter(pk=item.pk).exists()
