"""Actor pages: the lists with search, an actor's variables, a variable's actors, the matrix."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from actors.filters import accent_pattern, fold
from actors.models import Actor, ActorInfluence
from tests.factories import ok

pytestmark = pytest.mark.django_db

LIST = reverse("actors")
PAGES = [
    LIST,
    reverse("actor_detail", args=["E2"]),
    reverse("variable_actors", args=["V1"]),
    reverse("actor_matrix"),
]
ROLES = ["plain_user", "registrar_dgc", "validator", "director_dpe"]


def table(page: str, table_id: str) -> str:
    match = re.search(rf'<table[^>]*id="{re.escape(table_id)}"[^>]*>(.*?)</table>', page, re.DOTALL)
    assert match, f"no table {table_id}"
    return match.group(1)


def text(fragment: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)).strip()


def body_rows(fragment: str) -> list[str]:
    """Text of each body row of a table."""
    bodies = re.findall(r"<tbody>(.*?)</tbody>", fragment, re.DOTALL)
    return [text(r) for b in bodies for r in re.findall(r"<tr[^>]*>(.*?)</tr>", b, re.DOTALL)]


class ExternalRefs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in {"src", "href", "action"} and value and re.match(r"(https?:)?//", value):
                self.found.append(f"<{tag} {name}={value}>")


# --- access -------------------------------------------------------------------------------


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("user", ROLES)
@pytest.mark.parametrize("url", PAGES)
def test_every_role_sees_the_pages(client, request, user, url):
    client.force_login(request.getfixturevalue(user))
    response = client.get(url)
    assert response.status_code == 200
    assert "<h1>¿" in response.content.decode()  # each page states its question


@pytest.mark.parametrize(
    "url",
    [
        reverse("actor_detail", args=["E999"]),
        reverse("actor_detail", args=["nadie"]),
        reverse("variable_actors", args=["V15"]),
        reverse("variable_actors", args=["V0"]),
        reverse("variable_actors", args=["X1"]),
        reverse("variable_actors", args=["V1a"]),
    ],
)
def test_unknown_actor_or_variable_is_404(client, plain_user, url):
    client.force_login(plain_user)
    assert client.get(url).status_code == 404


# --- lists and search ---------------------------------------------------------------------


def test_list_shows_state_groups_with_members_and_non_state_actors(client, plain_user):
    client.force_login(plain_user)
    page = ok(client.get(LIST)).content.decode()
    state = body_rows(table(page, "state-actors"))
    assert len(state) == 25 + 115
    assert state[0].startswith("E1 CONGRESO DE LA REPÚBLICA")
    assert any(
        r.startswith("E2 PRESIDENCIA DEL CONSEJO DE MINISTROS") and "PCM" in r for r in state
    )
    assert any(r.startswith("E2.4 Centro Nacional de Planeamiento Estratégico") for r in state)
    non_state = body_rows(table(page, "non-state-actors"))
    assert len(non_state) == 170
    assert non_state[0].startswith("NE1 Academia Nacional de Ciencia y Tecnología ANCYT")


def test_search_by_acronym_finds_the_entity_under_its_group(client, plain_user):
    client.force_login(plain_user)
    response = ok(client.get(LIST, {"q": "CEPLAN"}))
    page = response.content.decode()
    directory = response.context["directory"]
    assert [g.group.key for g in directory.state_groups] == ["E2"]
    assert [m.key for m in directory.state_groups[0].members] == ["E2.4"]
    assert directory.non_state == []
    state = body_rows(table(page, "state-actors"))
    assert state[0].startswith("E2 PRESIDENCIA DEL CONSEJO DE MINISTROS")
    assert state[1].startswith("E2.4 Centro Nacional de Planeamiento Estratégico de PCM CEPLAN")
    assert len(state) == 2
    assert "CONGRESO DE LA REPÚBLICA" not in page
    assert 'value="CEPLAN"' in page  # the search box keeps the query


def test_search_is_case_and_accent_insensitive(client, plain_user):
    client.force_login(plain_user)
    for query in ("ceplan", "planeamiento estrategico", "PLANEAMIENTO ESTRATÉGICO"):
        directory = ok(client.get(LIST, {"q": query})).context["directory"]
        keys = [m.key for g in directory.state_groups for m in g.members]
        assert "E2.4" in keys, query
    # "republica" finds the group spelled in capitals with an accent: "REPÚBLICA"
    directory = ok(client.get(LIST, {"q": "congreso republica"})).context["directory"]
    assert [g.group.key for g in directory.state_groups] == ["E1"]


def test_search_matching_a_group_lists_all_its_members(client, plain_user):
    client.force_login(plain_user)
    directory = ok(client.get(LIST, {"q": "PRESIDENCIA DEL CONSEJO"})).context["directory"]
    pcm = next(g for g in directory.state_groups if g.group.key == "E2")
    assert pcm.group_matches
    assert len(pcm.members) == Actor.objects.filter(parent__key="E2").count()


def test_search_finds_non_state_actors(client, plain_user):
    client.force_login(plain_user)
    response = ok(client.get(LIST, {"q": "alianza del pacífico"}))
    assert [a.key for a in response.context["directory"].non_state] == ["NE6"]
    assert response.context["directory"].state_groups == []
    assert "Ningún actor estatal coincide" in response.content.decode()


def test_empty_search_lists_everyone(client, plain_user):
    client.force_login(plain_user)
    directory = ok(client.get(LIST, {"q": "  "})).context["directory"]
    assert len(directory.state_groups) == 25 and len(directory.non_state) == 170


def test_search_form_is_labelled(client, plain_user):
    client.force_login(plain_user)
    page = ok(client.get(LIST)).content.decode()
    assert re.search(r'<label for="id_q">Buscar por nombre o siglas</label>', page)
    assert re.search(r'<input type="search" name="q"[^>]*id="id_q"', page)


def test_fold_and_pattern():
    assert fold("Perú ÑANDÚ Ç") == "peru nandu c"
    assert accent_pattern("Perú") == "p[eéèêë]r[uúùûü]"
    assert accent_pattern("a.b") == r"[aáàâä]\.b"


# --- influence matrix, both ways ----------------------------------------------------------


def test_actor_page_lists_the_variables_it_influences(client, plain_user):
    client.force_login(plain_user)
    page = ok(client.get(reverse("actor_detail", args=["E2"]))).content.decode()
    assert "PRESIDENCIA DEL CONSEJO DE MINISTROS" in page
    influences = body_rows(table(page, "influences"))
    assert any(
        r.startswith("V1 Protección y atención a las comunidades peruanas") for r in influences
    )
    assert "Presidencia del Consejo Ministros (PCM)" in table(page, "influences")  # as published
    assert f'href="{reverse("variable_actors", args=["V1"])}"' in page
    expected = ActorInfluence.objects.filter(
        actor__key="E2", direction=ActorInfluence.Direction.ON_VARIABLE
    ).count()
    assert len(influences) == expected
    members = body_rows(table(page, "members"))  # a group lists its entities
    assert any(r.startswith("E2.4 Centro Nacional de Planeamiento Estratégico") for r in members)


def test_member_page_links_back_to_its_group(client, plain_user):
    client.force_login(plain_user)
    page = ok(client.get(reverse("actor_detail", args=["E2.4"]))).content.decode()
    assert f'href="{reverse("actor_detail", args=["E2"])}"' in page
    assert "CEPLAN" in page


def test_variable_page_lists_actors_in_both_directions(client, plain_user):
    client.force_login(plain_user)
    page = ok(client.get(reverse("variable_actors", args=["V1"]))).content.decode()
    influencers = body_rows(table(page, "influencers"))
    assert influencers[0].startswith("1 Presidencia del Consejo Ministros (PCM)")
    assert "PRESIDENCIA DEL CONSEJO DE MINISTROS" in influencers[0]  # the matched actor
    assert f'href="{reverse("actor_detail", args=["E2"])}"' in table(page, "influencers")
    assert len(influencers) == 35
    influenced = body_rows(table(page, "influenced"))
    # Mentions not matched to a listed actor are shown as published.
    assert influenced == [
        "1 Ciudadanos peruanos o extranjeros que requieren servicios consulares en el Perú y "
        "en el exterior sin correspondencia en las listas",
        "2 Comunidades peruanas en el exterior sin correspondencia en las listas",
    ]


def test_variable_code_is_case_insensitive(client, plain_user):
    client.force_login(plain_user)
    assert client.get(reverse("variable_actors", args=["v5"])).status_code == 200


def test_list_counts_mentions_per_variable_and_links_to_each(client, plain_user):
    client.force_login(plain_user)
    page = ok(client.get(LIST)).content.decode()
    rows = body_rows(table(page, "variable-counts-table"))
    assert len(rows) == 14
    assert rows[0].endswith("35 2 2")  # V1: 35 influence it, it influences 2, 2 unmatched
    assert rows[12].endswith("51 3 " + str(_unmatched("V13")))
    for number in range(1, 15):
        assert f'href="{reverse("variable_actors", args=[f"V{number}"])}"' in page
    assert f'href="{reverse("actor_matrix")}"' in page


def _unmatched(code: str) -> int:
    return ActorInfluence.objects.filter(variable__number=int(code[1:]), actor__isnull=True).count()


def test_counts_chart_has_the_same_numbers(client, plain_user):
    client.force_login(plain_user)
    response = ok(client.get(LIST))
    figure = response.context["counts_figure"]
    on, from_ = figure["data"]
    assert on["x"][0] == "V1" and on["y"][0] == 35 and from_["y"][0] == 2
    assert figure["layout"]["xaxis"]["title"]["text"] == "Variable estratégica"
    assert 'data-figure="variable-counts"' in response.content.decode()


def test_matrix_marks_direction_per_actor_and_variable(client, plain_user):
    client.force_login(plain_user)
    response = ok(client.get(reverse("actor_matrix")))
    matrix = response.context["matrix"]
    assert [v.code for v in matrix.variables] == [f"V{n}" for n in range(1, 15)]
    pcm = next(r for r in matrix.rows if r.actor.key == "E2")
    assert pcm.cells[0] in {"on", "both"}
    assert matrix.unmatched == ActorInfluence.objects.filter(actor__isnull=True).count()
    matched_actors = ActorInfluence.objects.filter(actor__isnull=False).values("actor").distinct()
    assert len(matrix.rows) == matched_actors.count()
    # Anexo 3's order: state actors (groups, then their entities) before non-state ones.
    kinds = [r.actor.kind for r in matrix.rows]
    assert kinds == sorted(kinds, key=lambda k: k != Actor.Kind.STATE)
    assert matrix.rows[0].actor.key == "E1"  # Congreso de la República


# --- page hygiene -------------------------------------------------------------------------


@pytest.mark.parametrize("url", PAGES + [LIST + "?q=ceplan"])
def test_no_resource_from_another_host(client, plain_user, url):
    client.force_login(plain_user)
    page = ok(client.get(url)).content.decode()
    parser = ExternalRefs()
    parser.feed(page)
    assert parser.found == []
    assert "<script>" not in page


@pytest.mark.usefixtures("uncached")
def test_list_query_count_is_bounded(client, plain_user, django_assert_max_num_queries):
    client.force_login(plain_user)
    # session, user, user's groups (navigation); actors with mention counts; variables
    # with mention counts
    with django_assert_max_num_queries(5):
        assert client.get(LIST).status_code == 200
    # ... plus the ids of the actors matching the search
    with django_assert_max_num_queries(6):
        assert client.get(LIST, {"q": "ministerio"}).status_code == 200


@pytest.mark.usefixtures("uncached")
def test_actor_query_count_is_bounded(client, plain_user, django_assert_max_num_queries):
    client.force_login(plain_user)
    # session, user, user's groups (navigation); actor with its group; its mentions with
    # their variables; its member entities with their counts
    with django_assert_max_num_queries(6):
        assert client.get(reverse("actor_detail", args=["E2"])).status_code == 200


@pytest.mark.usefixtures("uncached")
def test_variable_query_count_is_bounded(client, plain_user, django_assert_max_num_queries):
    client.force_login(plain_user)
    # session, user, user's groups (navigation); variable, its groups; its mentions with
    # their actors and the actors' groups
    with django_assert_max_num_queries(6):
        assert client.get(reverse("variable_actors", args=["V13"])).status_code == 200


@pytest.mark.usefixtures("uncached")
def test_matrix_query_count_is_bounded(client, plain_user, django_assert_max_num_queries):
    client.force_login(plain_user)
    # session, user, user's groups (navigation); variables; every mention with its actor
    with django_assert_max_num_queries(5):
        assert client.get(reverse("actor_matrix")).status_code == 200


def test_too_long_search_says_why(client, plain_user):
    client.force_login(plain_user)
    response = client.get(LIST, {"q": "x" * 101})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
