"""Cache and cookies: the portal never reads nor writes a session and no answer with a cookie
is public; only addresses a page reads with values in range are kept (the portal redirects
the rest to its canonical address, signed-in pages serve them unkept); a token's secret is
shown once in the page that issued it, never in a cookie."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from pesem.middleware import CookieNeverPublicMiddleware
from pesem.models import ApiToken
from tests.factories import enter_value, make_staff, ok

pytestmark = [pytest.mark.usefixtures("portal_on"), pytest.mark.postgres]


def _kept_entries() -> int:
    """Rows of the database cache (the test settings' cache), rate-limit counters included."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM pesem_cache")
        return int(cursor.fetchone()[0])


@pytest.fixture
def cache_on(settings):
    settings.PESEM_PAGE_CACHE = True
    cache.clear()  # not a model's table: a flush between tests leaves it


# --- the portal and sessions -------------------------------------------------------------


@pytest.mark.django_db
def test_a_signed_in_visitors_first_portal_page_after_a_write_sets_no_cookie(
    cache_on, django_user_model
):
    registrar = make_staff(django_user_model, "reg", "registrador", "DGC")
    validator = make_staff(django_user_model, "val", "validador", "OPP")
    client = Client()
    client.force_login(validator)
    assert client.get("/").status_code == 200  # the session remembers the audience
    enter_value(registrar, year=2016, validator=validator)  # the official version moves
    response = client.get(reverse("portal_home"))
    assert response.status_code == 200
    assert not response.cookies, response.cookies
    assert response["Cache-Control"] == "public, max-age=300"
    assert "Cookie" not in response.get("Vary", "")
    assert "Cerrar sesión" not in response.content.decode()  # the same page as anyone's


def test_an_answer_with_a_cookie_is_never_public():
    def view(request):
        response = HttpResponse("ok")
        response["Cache-Control"] = "public, max-age=300"
        response.set_cookie("sessionid", "abc")
        return response

    response = CookieNeverPublicMiddleware(view)(RequestFactory().get("/publico/"))
    assert response["Cache-Control"] == "private, no-store"
    plain = CookieNeverPublicMiddleware(lambda r: HttpResponse("ok"))(RequestFactory().get("/"))
    assert not plain.has_header("Cache-Control")


# --- addresses the portal keeps --------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("asked", "canonical"),
    [
        ("/publico/objetivos/2/?flood=1", "/publico/objetivos/2/"),
        ("/publico/objetivos/2/?anio=99999", "/publico/objetivos/2/"),
        ("/publico/objetivos/2/?anio=%C2%B2", "/publico/objetivos/2/"),
        ("/publico/objetivos/2/?anio=2016&flood=7", "/publico/objetivos/2/?anio=2016"),
        ("/publico/objetivos/2/?anio=2016&anio=2017", "/publico/objetivos/2/"),
        ("/publico/indicadores/OE3.1/?anio=2016", "/publico/indicadores/OE3.1/"),
        ("/publico/datos/plan.json?x=1", "/publico/datos/plan.json"),
    ],
)
def test_the_portal_redirects_other_addresses_to_the_canonical_one(
    cache_on, client, asked, canonical
):
    response = client.get(asked)
    assert response.status_code == 302 and response["Location"] == canonical
    assert client.get(canonical).status_code == 200


@pytest.mark.django_db
def test_a_flood_of_query_strings_keeps_no_portal_page(cache_on, client):
    # The rate-limit counter's row, and the years the portal offers (one row per version).
    client.get("/publico/objetivos/2/?anio=9000")
    before = _kept_entries()
    for n in range(1, 8):
        assert client.get(f"/publico/objetivos/2/?flood={n}").status_code == 302
        assert client.get(f"/publico/objetivos/2/?anio={9000 + n}").status_code == 302
    assert _kept_entries() == before
    assert client.get("/publico/objetivos/2/?anio=2016").status_code == 200
    assert _kept_entries() > before  # a canonical address is kept


# --- addresses the signed-in pages keep ---------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/?flood=1",
        "/?anio=99999",
        "/?per_page=100000",
        "/?page=0",
        "/?sort=nonsense",
        "/?anio=2016&anio=2017",
        "/indicadores/OE3.1/?anio=99999",
        "/direcciones/?anio=%C2%B2",
    ],
)
def test_unknown_parameters_and_values_out_of_range_are_never_kept(
    cache_on, django_user_model, path
):
    client = Client()
    client.force_login(make_staff(django_user_model, "dir", "director", "DGC"))
    ok(client.get("/"))  # the session and its remembered audience
    before = _kept_entries()
    for _ in range(2):
        response = ok(client.get(path))
        assert "X-Page-Cache" not in response
    assert _kept_entries() == before


@pytest.mark.django_db
def test_known_parameters_in_any_order_share_one_kept_copy(cache_on, django_user_model):
    client = Client()
    client.force_login(make_staff(django_user_model, "dir", "director", "DGC"))
    first = client.get("/?anio=2016&level=&per_page=25")
    assert first.status_code == 200 and "X-Page-Cache" not in first
    again = client.get("/?per_page=25&level=&anio=2016")
    assert again["X-Page-Cache"] == "hit"


# --- API tokens ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_new_tokens_secret_is_in_the_answer_and_in_no_cookie(client, superuser, validator):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:pesem_apitoken_add"), {"user": validator.pk, "name": "tablero BI"}
    )
    assert response.status_code == 200  # the page itself, not a redirect to a message
    token = ApiToken.objects.get()
    html = response.content.decode()
    secret = re.search(rf"Token: <code>({token.prefix}\.[A-Za-z0-9_-]+)</code>", html).group(1)
    assert token.key_hash == ApiToken.hash_secret(secret)
    assert "no-store" in response["Cache-Control"]
    assert all(secret not in morsel.value for morsel in response.cookies.values())
    assert "messages" not in response.cookies
    # Nothing carries it to the next page.
    listing = client.get(reverse("admin:pesem_apitoken_changelist"))
    assert secret not in listing.content.decode()
    assert all(secret not in morsel.value for morsel in listing.cookies.values())
