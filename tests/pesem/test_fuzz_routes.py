"""No 500 from input, on every route the URL resolver knows, admin and API included.

For each route: its URL parameters get random and nasty text (and real codes, years and ids,
so the view's own code runs past its lookups), its query string gets any of the parameters
the site reads, and a POST sends any of the form fields the site's pages show (harvested from
the pages themselves) with random and nasty values. Every answer is a page or a refusal (below
500). A few examples per route keep the whole run within a couple of minutes."""

from __future__ import annotations

import re
import urllib.parse

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators.models import ActionReport, IndicatorValue
from tests.factories import enter_value, kept_for_the_module, make_staff

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

EXAMPLES_PER_ROUTE = 6
FUZZ = settings(
    max_examples=EXAMPLES_PER_ROUTE,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

NASTY = [
    "",
    "\x00",
    "2016\x00",
    "²",
    "٢٠١٦",
    "２０１６",
    "-1",
    "0",
    "99999",
    "99999999999999999999999",
    '"',
    "'",
    "=1+1",
    "<script>",
    "1,020,000.50",
    "1e400",
    "NaN",
    "\u202e",
    "abc",
    "../..",
    "x" * 300,
]
# Real values, so that a random draw also reaches the code behind the lookups.
REAL = [
    "OE3.1",
    "OE2.1",
    "NAC.3",
    "V8.1",
    "DGC",
    "DPE",
    "OPP",
    "1.1",
    "2.3",
    "valor",
    "reporte",
    "submit",
    "validate",
    "return",
    "reopen",
    "withdraw",
    "2016",
    "2015",
    "2021",
    "1",
    "2",
    "tendencias",
    "indicadores",
    "draft",
    "submitted",
    "validated",
    "csv",
    "xlsx",
]
text = st.one_of(st.text(max_size=30), st.sampled_from(NASTY), st.sampled_from(REAL))
QUERY_NAMES = [
    "anio",
    "year",
    "periodo",
    "page",
    "per_page",
    "sort",
    "q",
    "o",
    "p",
    "indicador",
    "indicator",
    "direccion",
    "objective",
    "responsible",
    "level",
    "light",
    "state",
    "code",
    "_export",
    "format",
    "next",
    "version",
    "limit",
    "offset",
    "anexo",
    "flood",
    "_changelist_filters",
    "all",
    "e",
]


def _walk(patterns, prefix=()):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, (*prefix, pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield (*prefix, pattern.pattern)


def _route_id(parts) -> str:
    return "".join(str(part) for part in parts) or "/"


ROUTES = sorted(_walk(get_resolver().url_patterns), key=_route_id)


def _part(pattern) -> st.SearchStrategy[str]:
    """A strategy for one piece of the path."""
    if isinstance(pattern, RoutePattern):
        route = str(pattern)
        pieces = re.split(r"<(?:\w+:)?(\w+)>", route)
        strategies = []
        for i, piece in enumerate(pieces):
            if i % 2 == 0:
                strategies.append(st.just(piece))
            else:
                strategies.append(text.map(lambda s: urllib.parse.quote(s, safe="")))
        return st.tuples(*strategies).map("".join)
    assert isinstance(pattern, RegexPattern)
    regex = str(pattern).lstrip("^").rstrip("$") or ""
    if not regex:
        return st.just("")
    return st.from_regex(re.compile(regex), fullmatch=True).map(
        lambda s: urllib.parse.quote(s, safe="/")
    )


def _path(parts) -> st.SearchStrategy[str]:
    return st.tuples(*(_part(p) for p in parts)).map(lambda pieces: "/" + "".join(pieces))


def _form_fields_of(html: str) -> set[str]:
    return set(re.findall(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"', html))


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker, tmp_path_factory):
    """A superuser (every page, admin included), some data in every workflow state, and the
    names of every form field the main pages show: written once per test process."""
    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("fuzz"))
    with kept_for_the_module(django_db_blocker), media:
        user_model = get_user_model()
        registrar = make_staff(user_model, "reg.dgc", "registrador", "DGC")
        validator = make_staff(user_model, "val.opp", "validador", "OPP")
        enter_value(registrar, "OE3.1", 2016, validator=validator)
        enter_value(registrar, "OE3.1", 2017, submit=True)
        enter_value(registrar, "OE3.1", 2018)
        root = user_model.objects.create_superuser("root", "root@example.org", "clave-segura-1")
        client = Client()
        client.force_login(root)
        ids = [str(pk) for pk in IndicatorValue.objects.values_list("pk", flat=True)]
        ids += [str(pk) for pk in ActionReport.objects.values_list("pk", flat=True)]
        yield root, sorted(_harvest(client, root)), ids


def _harvest(client, root) -> set[str]:
    fields: set[str] = set()
    for page in (
        "/",
        "/indicadores/OE3.1/",
        "/indicadores/OE3.1/2019/registrar/",
        "/indicadores/OE3.1/metas/",
        "/direcciones/DGC/2016/registro/",
        "/acciones/1.1/2016/reporte/",
        "/validacion/",
        "/calendario/",
        "/importar/",
        "/reporte/",
        "/reporte/2016/conclusiones/",
        "/cuenta/",
        "/admin/auth/user/add/",
        f"/admin/auth/user/{root.pk}/change/",
        "/admin/objectives/directorate/add/",
        "/admin/indicators/indicator/1/change/",
    ):
        fields.update(_form_fields_of(client.get(page).content.decode("utf-8", "replace")))
    return fields


@pytest.mark.parametrize("parts", ROUTES, ids=_route_id)
def test_route_answers_any_input(site, parts, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    root, fields, ids = site
    client = Client()  # a session of its own: the route may be the logout
    client.force_login(root)
    values = st.one_of(text, st.sampled_from(ids))
    query = st.dictionaries(st.sampled_from(QUERY_NAMES), values, max_size=4)
    form = st.dictionaries(st.sampled_from(fields), values, max_size=8)

    @FUZZ
    @given(path=_path(parts), query=query, form=form)
    def run(path, query, form):
        response = client.get(path, query)
        assert response.status_code < 500, (path, query, response.status_code)
        response = client.post(path + "?" + urllib.parse.urlencode(query), form)
        assert response.status_code < 500, (path, query, form, response.status_code)

    run()
