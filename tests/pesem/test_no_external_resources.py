"""Pages work offline and under a strict CSP: no resource from another host, no inline
script. Each page is checked as it is served (200, its own heading), never an error page."""

import pytest
from django.urls import reverse

from tests.factories import EXTERNAL, INLINE_SCRIPT

pytestmark = pytest.mark.django_db

# Each page, its URL arguments, and a text only that page shows (its heading).
PAGES = [
    ("home", [], "¿Qué objetivos e indicadores van bien en"),
    ("plan", [], "Plan Estratégico Sectorial Multianual"),
    ("objective_detail", [1], "¿Cómo avanza el OE1?"),
    ("indicator_detail", ["OE3.1"], "<h1>OE3.1"),
    ("directorates", [], "¿Cómo avanza cada dirección responsable en"),
    ("directorate_detail", ["DGC"], "<h1>¿Cómo avanza"),
    ("report", [], "<h1>Reporte de seguimiento"),
    ("pending", [], "¿Qué falta registrar en"),
    ("validation_queue", [], "¿Qué espera validación"),
    ("import_upload", [], "Importar valores desde un archivo"),
    ("prospective", [], "¿Qué supuso el plan sobre el mundo?"),
    ("actors", [], "¿Quiénes influyen en las variables estratégicas"),
    ("value_entry", ["OE3.1", 2016], "Registrar OE3.1 · 2016"),
    ("report_entry", ["3.1", 2016], "Reporte de la acción 3.1 · DGC · 2016"),
]


@pytest.mark.parametrize(("name", "args", "heading"), PAGES, ids=[page[0] for page in PAGES])
def test_page_has_no_external_resource_and_no_inline_script(
    client, validator, registrar_dgc, name, args, heading
):
    user = registrar_dgc if name in {"value_entry", "report_entry", "pending"} else validator
    client.force_login(user)
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200, name
    html = response.content.decode()
    assert heading in html, name
    assert not EXTERNAL.search(html)
    assert not INLINE_SCRIPT.search(html)


def test_login_page_too(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Ingresar</h1>" in html
    assert not EXTERNAL.search(html) and not INLINE_SCRIPT.search(html)


def test_the_checks_find_an_external_resource_and_an_inline_script():
    """The two patterns are not blind: they match what they must refuse, not what is allowed."""
    assert EXTERNAL.search('<script src="https://cdn.example.org/plotly.js"></script>')
    assert EXTERNAL.search('<link rel="stylesheet" href="//fonts.example.org/a.css">')
    assert not EXTERNAL.search('<script src="/static/js/plotly.min.js"></script>')
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script type="application/json">{}</script>')
    assert not INLINE_SCRIPT.search('<script src="/static/js/app.js"></script>')
