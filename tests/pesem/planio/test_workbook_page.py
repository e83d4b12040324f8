"""The plan workbook page (/plan/libro/): the planning office downloads the template and the
plan as it stands, uploads a filled workbook and reads its problems (nothing stored) or its
difference; confirmed, the version is proposed and waits for another person on the
versions page. Only the planning office opens it."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from objectives.models import Plan, PlanVersion, Resolution
from tests.factories import (
    example_pei_workbook,
    logged_in,
    ok,
    plan_extension_workbook,
    readable,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("portal_on")]

PAGE = "/plan/libro/"


def upload(client, content: bytes, name: str = "ampliacion.xlsx") -> str:
    return readable(
        ok(client.post(PAGE, {"accion": "revisar", "file": SimpleUploadedFile(name, content)}))
    )


def test_the_template_and_the_current_plan_download_as_workbooks(planning_office):
    client = logged_in(planning_office.proposer)
    page = readable(ok(client.get(PAGE)))
    assert "Plantilla vacía (XLSX)" in page and "El plan vigente como libro" in page
    for path, first_sheet_rows in (
        ("/plan/libro/plantilla.xlsx", 14),
        ("/plan/libro/actual.xlsx", 14),
    ):
        response = ok(client.get(path))
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        book = load_workbook(io.BytesIO(response.content))
        assert book.sheetnames[0] == "Plan" and book["Plan"].max_row == first_sheet_rows
    current = load_workbook(io.BytesIO(ok(client.get("/plan/libro/actual.xlsx")).content))
    assert current["Plan"]["B3"].value == "PESEM-RREE"


def test_problems_are_listed_and_nothing_is_stored(planning_office):
    client = logged_in(planning_office.proposer)
    before = (PlanVersion.objects.count(), Resolution.objects.count())
    wrong = plan_extension_workbook(horizonte_fin=2020, resolucion_fecha="1 de junio")
    page = upload(client, wrong)
    problems = page.split('id="workbook-problems"')[1]
    assert "El libro tiene 3 problemas" in problems
    assert "Hoja «Metas», fila 22, columna «periodo»: 2023 está fuera del horizonte 2015-2021" in (
        problems
    )
    assert "Hoja «Plan», fila 8, columna «valor»: horizonte_fin: una ampliación" in problems
    assert "resolucion_fecha: escriba la fecha como AAAA-MM-DD" in problems
    assert 'value="proponer"' not in page
    page = upload(client, b"no es un libro", "roto.xlsx")
    assert "No se pudo leer el archivo XLSX" in page
    assert (PlanVersion.objects.count(), Resolution.objects.count()) == before


def test_a_previewed_workbook_is_proposed_and_waits_for_another_person(planning_office):
    client = logged_in(planning_office.proposer)
    page = upload(client, plan_extension_workbook())
    preview = page.split('id="preview"')[1]
    assert "Vista previa: ampliación del PESEM" in preview
    assert "<td>OE3.1</td><td>2023</td><td>—</td><td>1,234.50</td>" in preview
    assert PlanVersion.objects.count() == 1  # a preview stores nothing
    page = readable(ok(client.post(PAGE, {"accion": "proponer"}, follow=True)))
    assert "Ampliación propuesta desde ampliacion.xlsx" in page
    version = PlanVersion.objects.get(state="borrador")
    assert (version.horizon_end, version.proposed_by) == (2024, planning_office.proposer)
    assert "Usted la propuso" in page.split('id="draft"')[1]
    # Confirming twice finds nothing waiting.
    page = readable(ok(client.post(PAGE, {"accion": "proponer"}, follow=True)))
    assert "No hay un libro revisado que proponer" in page
    assert PlanVersion.objects.filter(state="borrador").count() == 1
    approver = logged_in(planning_office.approver)
    page = readable(
        ok(
            approver.post(
                "/plan/versiones/", {"version": version.pk, "decision": "aprobar"}, follow=True
            )
        )
    )
    assert "Ampliación aprobada" in page
    assert Plan.objects.get().end_year == 2024


def test_only_the_planning_office_opens_the_page(planning_office):
    for user in (planning_office.registrar, planning_office.director):
        client = logged_in(user)
        for path in (PAGE, "/plan/libro/plantilla.xlsx", "/plan/libro/actual.xlsx"):
            ok(client.get(path), 403)
        ok(client.post(PAGE, {"accion": "proponer"}), 403)


def pei_workbook_bytes() -> bytes:
    out = io.BytesIO()
    example_pei_workbook().save(out)
    return out.getvalue()


def test_a_new_plan_is_previewed_proposed_and_approved_by_another_person(planning_office):
    """The made-up PEI (PEI-EJEMPLO, not real data) through the page: a preview of what it
    creates, a borrador the public does not see, the proposer refused, another person of the
    office approving it; it is then vigente and public."""
    client = logged_in(planning_office.proposer)
    page = upload(client, pei_workbook_bytes(), "pei.xlsx")
    preview = page.split('id="new-plan-preview"')[1]
    assert "Vista previa: plan nuevo PEI-EJEMPLO" in preview
    assert "Se crearán 3 unidades, 2 objetivos, 3 acciones, 2 indicadores con 3 metas y 3" in (
        preview
    )
    assert not Plan.objects.filter(code="PEI-EJEMPLO").exists()  # a preview stores nothing
    page = readable(ok(client.post(PAGE, {"accion": "proponer"}, follow=True)))
    assert "Plan nuevo PEI-EJEMPLO propuesto desde pei.xlsx" in page
    version = PlanVersion.objects.get(plan__code="PEI-EJEMPLO")
    assert (version.kind, version.state, version.proposed_by) == (
        "nuevo",
        "borrador",
        planning_office.proposer,
    )
    # Not public while it waits: the portal, the list of plans and the API do not show it.
    public = Client()
    ok(public.get("/planes/PEI-EJEMPLO/publico/"), 404)
    assert "PEI-EJEMPLO" not in readable(ok(public.get("/planes/")))
    assert "PEI-EJEMPLO" not in ok(public.get("/api/v1/plans")).content.decode()
    ok(public.get("/api/v1/plans/PEI-EJEMPLO/indicators"), 404)
    # The proposer does not approve it.
    versions = "/planes/PEI-EJEMPLO/plan/versiones/"
    ok(client.post(versions, {"version": version.pk, "decision": "aprobar"}, follow=True))
    version.refresh_from_db()
    assert version.state == "borrador"
    approver = logged_in(planning_office.approver)
    ok(approver.post(versions, {"version": version.pk, "decision": "aprobar"}, follow=True))
    version.refresh_from_db()
    assert version.state == "vigente" and version.decided_by == planning_office.approver
    assert "Plan Estratégico Institucional de ejemplo" in readable(
        ok(public.get("/planes/PEI-EJEMPLO/publico/"))
    )
    assert "PEI-EJEMPLO" in ok(public.get("/api/v1/plans")).content.decode()
