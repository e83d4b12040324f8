"""Kept pages: built once per data version and audience, personal parts put back on every
answer, never kept across a write, never shared between audiences or sessions where the page
is personal."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from indicators import services
from indicators.models import Indicator
from tests.factories import logged_in, make_staff, ok

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _csrf(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_a_dashboard_is_built_once_then_served_with_the_readers_own_name(django_user_model):
    ana = make_staff(django_user_model, "ana", "director", "DPE")
    ana.first_name = "Ana"
    ana.save()
    luis = make_staff(django_user_model, "luis", "director", "DPE")
    luis.first_name = "Luis"
    luis.save()
    first = logged_in(ana).get("/direcciones/?anio=2016")
    assert first.status_code == 200 and "X-Page-Cache" not in first
    again = logged_in(luis).get("/direcciones/?anio=2016")
    assert again["X-Page-Cache"] == "hit"
    html = again.content.decode()
    assert "<!--pc:user-->Luis<!--/pc:user-->" in html and ">Ana<" not in html
    assert again["Cache-Control"] == "private, no-store"


def test_a_write_makes_every_kept_page_stale(django_user_model):
    registrar = make_staff(django_user_model, "reg", "registrador", "DGC")
    director = logged_in(make_staff(django_user_model, "dir", "director", "DGC"))
    assert "777,777" not in director.get("/indicadores/NAC.3/").content.decode()
    assert director.get("/indicadores/NAC.3/")["X-Page-Cache"] == "hit"
    services.value_save(
        user=registrar,
        indicator=Indicator.objects.get(code="NAC.3"),
        year=2016,
        numerator=None,
        denominator=None,
        value=Decimal("777777"),
    )
    page = director.get("/indicadores/NAC.3/")
    assert "X-Page-Cache" not in page  # rebuilt
    assert "777,777" in page.content.decode()


def test_audiences_do_not_share_a_copy(django_user_model):
    director = logged_in(make_staff(django_user_model, "dir", "director", "DGC"))
    validator = logged_in(make_staff(django_user_model, "val", "validador", "OPP"))
    director.get("/")
    served = validator.get("/")
    assert "X-Page-Cache" not in served
    assert "Validación" in served.content.decode()


def test_personal_pages_are_kept_per_session_with_a_fresh_csrf_token(django_user_model):
    registrar = make_staff(django_user_model, "reg", "registrador", "DGC")
    first_session, second_session = logged_in(registrar), logged_in(registrar)
    first = first_session.get("/direcciones/DGC/2016/registro/")
    again = first_session.get("/direcciones/DGC/2016/registro/")
    assert again["X-Page-Cache"] == "hit"
    # The kept copy's token is replaced by one valid for this request's session.
    assert _csrf(again.content.decode()) != _csrf(first.content.decode())
    other = second_session.get("/direcciones/DGC/2016/registro/")
    assert "X-Page-Cache" not in other


def test_a_page_with_a_message_waiting_is_rendered_for_it(django_user_model):
    registrar = make_staff(django_user_model, "reg", "registrador", "DGC")
    client = logged_in(registrar)
    client.get("/direcciones/DGC/2016/registro/")
    response = client.post("/direcciones/DGC/2016/registro/", {"save": ""}, follow=True)
    assert response.status_code == 200
    assert "X-Page-Cache" not in response


def test_a_role_change_reaches_a_logged_in_session_at_once(django_user_model):
    """The audience is remembered in the session while the official version stays; a role
    given by an administrator moves it, so the same session gets the new role's copy."""
    from django.contrib.auth.models import Group

    person = make_staff(django_user_model, "ana", "director", "DGC")
    client = logged_in(person)
    assert "/validacion/" not in ok(client.get("/")).content.decode()
    person.groups.add(Group.objects.get(name="validador"))
    served = ok(client.get("/"))
    assert "X-Page-Cache" not in served
    assert "Validación" in served.content.decode()


def test_a_streamed_export_is_kept_once_sent_whole(django_user_model):
    director = logged_in(make_staff(django_user_model, "dir", "director", "DGC"))
    first = director.get("/?anio=2016&_export=csv")
    assert first.streaming
    sent = b"".join(first.streaming_content)
    again = director.get("/?anio=2016&_export=csv")
    assert again["X-Page-Cache"] == "hit"
    assert again.content == sent
    assert again["Content-Disposition"] == 'attachment; filename="tablero-2016.csv"'
