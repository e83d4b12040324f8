"""Another plan's own pages: /planes/<code>/<page> shows that plan (a made-up PEI, PEI-EJEMPLO,
not real data, loaded only by tests) with the same views as the PESEM's, whose addresses keep
showing the PESEM 2015-2021. The plan switcher (/planes/) lists the plans a person may open;
a person's site address opens their entity's plan."""

import io
import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from indicators.models import IndicatorValue, ReportConclusion
from objectives import plans
from objectives.models import Directorate, Plan, PlanVersion, StrategicAction
from pesem.models import PreparedReport
from tests.factories import (
    built,
    grid_data,
    load_example_pei,
    logged_in,
    make_staff,
    ok,
    plan_extension_workbook,
    readable,
)

pytestmark = [pytest.mark.django_db, pytest.mark.postgres, pytest.mark.usefixtures("portal_on")]

PEI = "/planes/PEI-EJEMPLO"


def without_token(response) -> bytes:
    """The page without its CSRF token (masked anew on every answer, kept or not)."""
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", response.content)


def links(response) -> set[str]:
    return set(re.findall(r'href="([^"#?]+)', response.content.decode()))


@pytest.fixture
def pei():
    return load_example_pei()


@pytest.fixture
def pei_registrar(pei):
    """A registrar of the PEI's own «DGC» (the entity EJEMPLO's, not the ministry's)."""
    return make_staff(get_user_model(), "reg.ejemplo", "registrador", "DGC", entity="EJEMPLO")


def test_the_pei_tablero_shows_its_own_indicators_targets_and_years(validator, pei):
    page = ok(logged_in(validator).get(f"{PEI}/tablero/?anio=2024")).content.decode()
    assert "Seguimiento del PEI · PEI-EJEMPLO" in page
    assert "IND.OEI.01" in page and "1,320.0" in page and "101.5 %" in page
    assert "OEI.01" in page  # its objectives' own codes
    assert "OE3.1" not in page  # no indicator of the PESEM
    # Its own years and target years, not the PESEM's 2016 and 2021.
    assert "Meta 2024" in page and "Meta 2027" in page and "Trayectoria a 2027" in page
    assert "Meta 2016" not in page
    assert '<option value="2027"' in page and '<option value="2016"' not in page


def test_every_link_of_a_pei_page_stays_in_the_plan(validator, pei):
    response = ok(logged_in(validator).get(f"{PEI}/tablero/?anio=2024"))
    found = links(response)
    assert f"{PEI}/indicadores/IND.OEI.01/" in found
    assert f"{PEI}/reporte/" in found and f"{PEI}/plan/" in found
    staying = {a for a in found if not a.startswith(("/static/", "/planes/", "/accounts/"))}
    assert staying == set(), staying
    assert "/planes/" in found  # the switcher


def test_the_pesem_keeps_its_addresses(validator, pei):
    client = logged_in(validator)
    page = ok(client.get("/tablero/?anio=2016")).content.decode()
    assert "Seguimiento del PESEM" in page and "OE3.1" in page and "IND.OEI.01" not in page
    assert "Meta 2016" in page and "Meta 2021" in page
    moved = ok(client.get("/planes/PESEM-RREE/tablero/?anio=2016"), 302)
    assert moved["Location"] == "/tablero/?anio=2016"
    assert ok(client.get("/planes/PEI-EJEMPLO"), 302)["Location"] == f"{PEI}/"


def test_a_request_leaves_the_pesem_shown_afterwards(validator, pei):
    ok(logged_in(validator).get(f"{PEI}/plan/"))
    assert plans.shown_code() == "PESEM-RREE"
    assert reverse("tablero") == "/tablero/"


def test_an_unknown_plan_is_not_found_in_spanish(validator):
    response = ok(logged_in(validator).get("/planes/PEI-NOEXISTE/tablero/"), 404)
    assert "No existe el plan «PEI-NOEXISTE»." in response.content.decode()


def test_the_pei_plan_report_and_files_read_the_pei(validator, pei):
    client = logged_in(validator)
    plan_page = ok(client.get(f"{PEI}/plan/")).content.decode()
    assert "Plan Estratégico Institucional de ejemplo 2024-2027" in plan_page
    assert "Meta 2024" in plan_page and "OEI.02" in plan_page
    report = ok(client.get(f"{PEI}/reporte/?anio=2024")).content.decode()
    assert "Plan Estratégico Institucional de ejemplo 2024-2027" in report
    assert "1,320.0" in report and "OE3.1" not in report
    pdf = ok(client.get(f"{PEI}/reporte/2024/pdf/"))
    assert pdf["Content-Type"] == "application/pdf"
    xlsx = ok(client.get(f"{PEI}/reporte/2024/xlsx/"))
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_kept_pages_are_kept_per_plan(validator, pei):
    """Pages are kept (the test settings keep them as production does): the PESEM's and the
    PEI's tablero are two pages, each read again from its own copy."""
    client = logged_in(validator)
    first_pei = without_token(ok(client.get(f"{PEI}/tablero/")))
    first_pesem = without_token(ok(client.get("/tablero/")))
    assert b"IND.OEI.01" in first_pei and b"IND.OEI.01" not in first_pesem
    assert without_token(ok(client.get(f"{PEI}/tablero/"))) == first_pei
    assert without_token(ok(client.get("/tablero/"))) == first_pesem


def test_a_value_entered_in_the_pei_grid_is_stored_for_the_pei(pei_registrar, pei):
    Plan.objects.filter(pk=pei.pk).update(frequency="anual")  # a PEI followed by year
    client = logged_in(pei_registrar)
    grid = built(client, f"{PEI}/direcciones/DGC/2025/registro/")
    page = grid.content.decode()
    assert "IND.OEI.01" in page and "OE3.1" not in page
    typed = {"IND.OEI.01": {"value": "1,410.5", "analysis": "Mejoró la canalización."}}
    ok(client.post(f"{PEI}/direcciones/DGC/2025/registro/", grid_data(grid, typed)), 302)
    value = IndicatorValue.objects.get(indicator__code="IND.OEI.01", year=2025)
    assert value.value == Decimal("1410.5") and value.indicator.plan.code == "PEI-EJEMPLO"
    assert value.history.first().history_user == pei_registrar
    # The PESEM's grid of the ministry's «DGC» is not theirs.
    assert ok(client.get("/direcciones/DGC/2020/registro/"), 403)


def test_the_switcher_lists_the_plans_a_person_may_open(validator, registrar_dgc, pei_registrar):
    everything = ok(logged_in(validator).get("/planes/")).content.decode()
    assert "PEI-EJEMPLO" in everything and "PESEM-RREE" in everything
    assert f'href="{PEI}/tablero/"' in everything and 'href="/tablero/"' in everything
    # The ministry's DGC takes part in the PESEM only.
    own = ok(logged_in(registrar_dgc).get("/planes/")).content.decode()
    assert "PESEM-RREE" in own and "PEI-EJEMPLO" not in own
    # The PEI's DGC takes part in the PEI only, until it answers for a PESEM action too (as
    # APCI, an entity with its own PEI, answers for the PESEM's OE4.1).
    theirs = logged_in(pei_registrar)
    page = ok(theirs.get("/planes/")).content.decode()
    assert "PEI-EJEMPLO" in page and "PESEM-RREE" not in page
    action = StrategicAction.objects.get(plan__code="PESEM-RREE", code="4.1")
    action.responsibles.add(Directorate.objects.get(code="DGC", entity__code="EJEMPLO"))
    page = ok(theirs.get("/planes/")).content.decode()
    assert "PEI-EJEMPLO" in page and "PESEM-RREE" in page


def test_a_person_of_another_plan_is_refused_with_a_reason(registrar_dgc, pei):
    response = ok(logged_in(registrar_dgc).get(f"{PEI}/tablero/"), 403)
    assert "Su unidad no participa en el plan «PEI-EJEMPLO»." in response.content.decode()


def test_the_site_address_opens_the_plan_of_the_persons_entity(pei_registrar, registrar_dgc):
    assert ok(logged_in(pei_registrar).get("/"), 302)["Location"] == f"{PEI}/"
    # The registrar starts from «Mis tareas», within the plan.
    assert ok(logged_in(pei_registrar).get(f"{PEI}/"), 302)["Location"] == f"{PEI}/mis-tareas/"
    assert ok(logged_in(registrar_dgc).get("/"), 302)["Location"] == "/mis-tareas/"


def test_the_public_reads_a_pei_portal_and_the_list_of_plans(pei):
    client = Client()
    portal = ok(client.get(f"{PEI}/publico/")).content.decode()
    assert "Plan Estratégico Institucional de ejemplo 2024-2027" in portal
    assert "Mejorar la gestión de la cooperación técnica internacional" in portal
    assert "Seguimiento del PEI · PEI-EJEMPLO · Portal público" in portal
    listed = ok(client.get("/planes/")).content.decode()
    assert f'href="{PEI}/publico/"' in listed and 'href="/publico/"' in listed
    # Staff pages still ask for a login, within the plan.
    login = ok(client.get(f"{PEI}/tablero/"), 302)["Location"]
    assert login.startswith(f"{PEI}/accounts/login/")
    indicator = ok(client.get(f"{PEI}/publico/indicadores/IND.OEI.01/")).content.decode()
    assert "Monto de cooperación canalizada" in indicator and "1,320.0" in indicator


def test_the_validation_tasks_are_the_plans_own(pei_registrar, validator, pei):
    """A value sent in the PEI waits in the PEI's «Mis tareas» of the planning office, not in
    the PESEM's, and each plan's menu badge counts its own."""
    Plan.objects.filter(pk=pei.pk).update(frequency="anual")  # a PEI followed by year
    client = logged_in(pei_registrar)
    grid = built(client, f"{PEI}/direcciones/DGC/2025/registro/")
    typed = {"IND.OEI.01": {"value": "1,410.5"}}
    ok(client.post(f"{PEI}/direcciones/DGC/2025/registro/", grid_data(grid, typed, True)), 302)
    assert IndicatorValue.objects.get(indicator__code="IND.OEI.01", year=2025).state == "submitted"
    office = logged_in(validator)
    theirs = ok(office.get(f"{PEI}/mis-tareas/")).content.decode()
    assert "IND.OEI.01" in theirs
    ours = ok(office.get("/mis-tareas/")).content.decode()
    assert "IND.OEI.01" not in ours
    queue = ok(office.get(f"{PEI}/validacion/?anio=2025")).content.decode()
    assert "IND.OEI.01" in queue


def test_a_pei_report_speaks_of_its_entity_and_institutional_objectives(validator, pei):
    report = ok(logged_in(validator).get(f"{PEI}/reporte/?anio=2024")).content.decode()
    assert "Entidad de ejemplo" in report and "Ministerio de Relaciones Exteriores" not in report
    assert "objetivo estratégico institucional y acción estratégica institucional" in report
    assert "objetivos estratégicos institucionales" in report
    assert "sectorial" not in report
    pesem = ok(logged_in(validator).get("/reporte/?anio=2016")).content.decode()
    assert "Ministerio de Relaciones Exteriores" in pesem
    assert "objetivo estratégico sectorial y acción estratégica sectorial" in pesem


def test_kept_files_and_page_years_are_the_plans_own(validator, pei):
    """What the cache keeps beside pages (the portal's downloads, the years a dashboard
    offers) is kept per plan: the PESEM's first does not answer for the PEI."""
    public = Client()
    pesem = ok(public.get("/publico/datos/datapackage.json")).content.decode()
    theirs = ok(public.get(f"{PEI}/publico/datos/datapackage.json")).content.decode()
    title = '"title": "Seguimiento del Plan Estratégico Institucional de ejemplo 2024-2027"'
    assert title in theirs and title not in pesem
    assert '"title": "Seguimiento del Plan Estratégico Sectorial Multianual' in pesem
    office = logged_in(validator)
    ok(office.get("/tablero/?anio=2016"))
    ok(office.get(f"{PEI}/tablero/?anio=2024"))
    # The PEI's 2024 is one of its page years: its tablero is kept like the PESEM's.
    assert ok(office.get(f"{PEI}/tablero/?anio=2024"))["X-Page-Cache"] == "hit"
    assert ok(office.get("/tablero/?anio=2016"))["X-Page-Cache"] == "hit"


def test_a_semestral_plans_year_is_not_typed(pei_registrar, pei):
    """The made-up PEI is followed by semester: its yearly grid reads, links to S1 and S2,
    and refuses a year typed by hand (the form, the grid, an import)."""
    client = logged_in(pei_registrar)
    grid = ok(client.get(f"{PEI}/direcciones/DGC/2025/registro/")).content.decode()
    pk = pei.indicators.get(code="IND.OEI.01").pk
    assert 'id="semester-links"' in grid and f'name="r{pk}-value"' not in grid
    refused = ok(client.post(f"{PEI}/direcciones/DGC/2025/registro/", {"save": ""}), 403)
    assert "se sigue por semestre" in refused.content.decode()
    assert not IndicatorValue.objects.filter(indicator__plan=pei, year=2025).exists()


def test_the_open_data_names_each_plans_own_target_years(pei):
    public = Client()
    theirs = ok(public.get(f"{PEI}/publico/datos/plan.json")).json()
    [row] = [i for i in theirs["indicators"] if i["code"] == "IND.OEI.01"]
    assert set(row["summary"]) >= {"achievement_2024", "achievement_2027", "on_track_2027"}
    assert row["summary"]["achievement_2024"] == 101.538462  # 1,320 / 1,300
    pesem = ok(public.get("/publico/datos/plan.json")).json()
    [oe31] = [i for i in pesem["indicators"] if i["code"] == "OE3.1"]
    assert set(oe31["summary"]) >= {"achievement_2016", "achievement_2021", "on_track_2021"}


def test_the_switcher_and_a_semester_grid_are_kept(validator, pei):
    office = logged_in(validator)
    ok(office.get("/planes/"))
    assert ok(office.get("/planes/"))["X-Page-Cache"] == "hit"
    grid = f"{PEI}/direcciones/DGC/2024-S1/registro/"
    ok(office.get(grid))
    assert ok(office.get(grid))["X-Page-Cache"] == "hit"
    # A plan approved meanwhile is listed at once (every write moves the data version).
    PlanVersion.objects.filter(plan=pei).update(state="vigente")
    Plan.objects.filter(pk=pei.pk).update(name="PEI renombrado")
    pei.refresh_from_db()
    pei.save()
    assert "X-Page-Cache" not in ok(office.get("/planes/"))


def test_each_plans_report_has_its_own_conclusions(validator, django_user_model, pei):
    """The PEI's 2024 conclusions are the PEI's: the PESEM, extended to 2024 or not, keeps
    its own (one per plan and year)."""
    office = logged_in(validator)
    data = {"conclusions": "Conclusión del PEI de ejemplo", "recommendations": "", "save": ""}
    ok(office.post(f"{PEI}/reporte/2024/conclusiones/", data), 302)
    stored = ReportConclusion.objects.get(year=2024)
    assert stored.plan == pei and stored.conclusions == "Conclusión del PEI de ejemplo"
    form = ok(office.get(f"{PEI}/reporte/2024/conclusiones/")).content.decode()
    assert "Conclusión del PEI de ejemplo" in form
    pesem_form = ok(office.get("/reporte/2016/conclusiones/")).content.decode()
    assert "Conclusión del PEI de ejemplo" not in pesem_form


def test_a_plan_address_never_redirects_to_another_site(validator):
    client = logged_in(validator)
    moved = ok(client.get("/planes/PESEM-RREE//ejemplo.invalid/tablero/"), 302)
    assert moved["Location"] == "/ejemplo.invalid/tablero/"


def test_report_files_are_kept_per_plan(validator, pei, tmp_path):
    """The PESEM extended to 2024 and the PEI both have a 2024 report: each plan's files are
    its own, at the same data version."""
    path = tmp_path / "ampliacion.xlsx"
    path.write_bytes(plan_extension_workbook())
    call_command("load_plan_workbook", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    office = logged_in(validator)
    theirs = readable(ok(office.get(f"{PEI}/reporte/2024/xlsx/")))
    ours = readable(ok(office.get("/reporte/2024/xlsx/")))
    assert "IND.OEI.01" in theirs and "OE3.1" not in theirs
    assert "OE3.1" in ours and "IND.OEI.01" not in ours
    assert PreparedReport.objects.filter(year=2024, file_format="xlsx").count() == 2
