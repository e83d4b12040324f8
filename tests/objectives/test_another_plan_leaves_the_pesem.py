"""A second plan in the database leaves the PESEM 2015-2021 as it is: a made-up PEI
(PEI-EJEMPLO, not real data, never loaded by default) whose entity has its own «DGC», whose
objective is OE1 and whose indicator is OE3.1, with a validated value, changes no page, file
or API answer of the PESEM, for the staff and for the public."""

from decimal import Decimal as D

import pytest
from django.test import Client

from indicators.models import Indicator, IndicatorValue, Target
from indicators.workflow import status
from objectives.models import (
    Directorate,
    Plan,
    StrategicAction,
    StrategicObjective,
)
from tests.factories import BUILD_TIME, example_pei, logged_in, ok, portal_urls, readable

pytestmark = [pytest.mark.django_db, pytest.mark.postgres, pytest.mark.usefixtures("portal_on")]

STAFF_PAGES = [
    "/",
    "/tablero/?anio=2016",
    "/plan/",
    "/objetivos/1/",
    "/objetivos/3/",
    "/indicadores/OE3.1/",
    "/direcciones/?anio=2016",
    "/direcciones/DGC/?anio=2016",
    "/pendientes/?anio=2016",
    "/reporte/?anio=2016",
    "/reporte/2016/xlsx/",
    "/reporte/2016/pdf/",
    "/validacion/?anio=2016",
    "/calendario/",
    "/plan/versiones/",
    "/plan/libro/actual.xlsx",
    "/prospectiva/",
    "/mis-tareas/",
    "/api/v1/plan",
    "/api/v1/indicators?limit=500",
    "/api/v1/statuses?year=2016&limit=500",
    "/api/v1/targets?indicator=OE3.1",
    "/api/v1/values?limit=500",
    "/api/v1/plans/PESEM-RREE/indicators",
]
PUBLIC_PAGES = [
    "/publico/",
    "/publico/objetivos/3/",
    "/publico/indicadores/OE3.1/",
    "/publico/datos/",
    "/publico/datos/datapackage.json",
]


def make_example_pei() -> Plan:
    pei = example_pei()
    entity = pei.entity
    unit = Directorate.objects.create(entity=entity, code="DGC", name="DGC de ejemplo")
    objective = StrategicObjective.objects.create(plan=pei, number=1, name="Objetivo de ejemplo")
    action = StrategicAction.objects.create(objective=objective, code="1.1", name="Acción")
    action.responsibles.add(unit)
    indicator = Indicator.objects.create(
        code="OE3.1",
        name="Indicador de ejemplo",
        level="objective",
        objective=objective,
        responsible=unit,
    )
    Target.objects.create(indicator=indicator, kind="baseline", year=2015, value=D(1))
    Target.objects.create(indicator=indicator, kind="target", year=2016, value=D(5))
    IndicatorValue.objects.create(indicator=indicator, year=2016, value=D(9), state="validated")
    status.refresh()
    return pei


def public_pages() -> list[str]:
    """The portal's pages and downloads (one indicator's files, not every indicator's)."""
    return PUBLIC_PAGES + [
        url for url in portal_urls() if "/indicadores/" not in url or "OE3.1" in url
    ]


def seen(staff, public) -> dict[str, str]:
    pages = {p: readable(ok(staff.get(p))) for p in STAFF_PAGES}
    pages |= {p: readable(ok(public.get(p))) for p in public_pages()}
    return {p: BUILD_TIME.sub("", text) for p, text in pages.items()}


def test_another_plan_leaves_every_pesem_page_as_it_was(planning_office):
    # The planning office reads every page a director reads, and its own.
    office, public = logged_in(planning_office.proposer), Client()
    before = seen(office, public)
    make_example_pei()
    after = seen(office, public)
    changed = [p for p in before if before[p] != after[p]]
    assert not changed, changed
    # The tablero offers the PESEM's levels only (an action's indicator is a PEI's).
    assert 'value="action"' not in after["/tablero/?anio=2016"]
