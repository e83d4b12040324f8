"""An existing database keeps every figure through the plan-lifecycle migrations (plans,
versions, resolutions, target revisions):
a plan with values in every state, statuses, a target the planning office fixed before
revisions existed, users, history and mails is taken back to the schema before those
migrations (objectives 0003, indicators 0008) and forward again, and every page, file and API
answer shows the same figures as before. The one addition is the revision row the old target
became (indicators 0010), listed on its indicator page."""

import re
from decimal import Decimal as D

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from indicators import services
from indicators.models import (
    Indicator,
    IndicatorValue,
    OutboundMail,
    Target,
    TargetRevision,
)
from pesem.planio.loading import load_plan
from tests.factories import enter_value, make_staff, readable

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

BEFORE_PLAN_LIFECYCLE = [
    ("objectives", "0003_action_responsible_order"),
    ("indicators", "0008_merge_display_precision"),
]
STAFF_PAGES = [
    "/",
    "/tablero/?anio=2016",
    "/tablero/?anio=2019",
    "/plan/",
    "/objetivos/1/",
    "/objetivos/3/",
    "/indicadores/OE3.1/",
    "/indicadores/OE2.1/",
    "/direcciones/?anio=2016",
    "/direcciones/DGC/?anio=2016",
    "/pendientes/?anio=2016",
    "/reporte/?anio=2016",
    "/prospectiva/",
    "/api/v1/statuses?year=2016&limit=500",
    "/api/v1/statuses?year=2019&limit=500",
    "/api/v1/targets?indicator=OE3.1",
    "/api/v1/values?limit=500",
]
PUBLIC_PAGES = [
    "/publico/",
    "/publico/objetivos/3/",
    "/publico/indicadores/OE3.1/",
    "/publico/datos/",
]
# The indicator page's list of target revisions: the migration adds the old target's row.
REVISIONS = re.compile(r'<h3 id="revisiones">.*?</table></div>', re.S)
# What differs between two renderings of the same data: tokens and build times.
NOISE = [
    re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"'),
    re.compile(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}(:\d{2})?"),
    re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[^\"<]*"),
]


def shown(client: Client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    text = REVISIONS.sub("", readable(response))
    for pattern in NOISE:
        text = pattern.sub("", text)
    return text


def everything(director: Client, public: Client) -> dict[str, str]:
    return {p: shown(director, p) for p in STAFF_PAGES} | {
        p: shown(public, p) for p in PUBLIC_PAGES
    }


def test_every_figure_survives_the_plan_lifecycle_migrations(
    django_user_model, settings, portal_on
):
    settings.PESEM_PAGE_CACHE = False  # every page built from the data, never a kept copy
    load_plan(django_settings.PLAN_FIXTURES_DIR)
    registrar = make_staff(django_user_model, "reg.dgc", "registrador", "DGC")
    validator = make_staff(django_user_model, "val.opp", "validador", "OPP")
    make_staff(django_user_model, "dir.dpe", "director", "DPE")
    dpe = make_staff(django_user_model, "reg.dpe", "registrador", "DPE")
    enter_value(registrar, year=2016, numerator=450, denominator=2_850_000, validator=validator)
    enter_value(registrar, year=2017, numerator=460, denominator=2_900_000, submit=True)
    enter_value(registrar, year=2018, numerator=470, denominator=2_950_000)
    enter_value(dpe, "OE2.1", 2016, 93, 60, validator=validator)
    # A target fixed the way the planning office did before revisions existed.
    target = Target(
        indicator=Indicator.objects.get(code="OE3.1"),
        kind=Target.Kind.TARGET,
        year=2019,
        source=services.PLANNING_OFFICE_SOURCE,
        value=D("1.7"),
        note="Meta intermedia de la Alta Dirección",
    )
    services.note_history(target, validator, "Meta intermedia de la Alta Dirección")
    target.save()
    values = sorted(IndicatorValue.objects.values_list("indicator__code", "year", "state", "value"))
    histories = IndicatorValue.history.count(), Target.history.count()
    mails = OutboundMail.objects.count()

    director, public = Client(), Client()
    director.force_login(django_user_model.objects.get(username="dir.dpe"))
    before = everything(director, public)
    assert '"value": "1.7"' in before["/api/v1/targets?indicator=OE3.1"].replace('":"', '": "')

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE_PLAN_LIFECYCLE)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    director = Client()
    director.force_login(django_user_model.objects.get(username="dir.dpe"))
    after = everything(director, public)
    changed = [path for path in before if before[path] != after[path]]
    assert changed == []
    assert (
        sorted(IndicatorValue.objects.values_list("indicator__code", "year", "state", "value"))
        == values
    )
    assert (IndicatorValue.history.count(), Target.history.count()) == histories
    assert OutboundMail.objects.count() == mails
    # The old target is now an approved correction, proposed by whoever fixed it.
    [revision] = TargetRevision.objects.all()
    assert (revision.year, revision.value, revision.reason, revision.state) == (
        2019,
        D("1.7"),
        "correccion",
        "aprobada",
    )
    assert revision.proposed_by == validator and revision.decided_by is None
    page = director.get("/indicadores/OE3.1/").content.decode()
    assert "Fijada antes de las revisiones de metas" in page
