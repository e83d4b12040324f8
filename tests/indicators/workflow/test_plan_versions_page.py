"""The plan versions page (/plan/versiones/): one person of the planning office previews an
ampliación of the PESEM 2015-2021 (nothing is stored), proposes it with its resolution, and
another approves or discards it. Bad input comes back in Spanish with what was typed, and
stores nothing. A draft version's targets are decided only with their version."""

import re
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from indicators import services
from indicators.models import Indicator, Target, TargetRevision
from indicators.workflow import target_services
from lib import numbers
from objectives.models import Plan, PlanVersion, Resolution
from tests.factories import logged_in, ok, readable

pytestmark = pytest.mark.django_db

PAGE = "/plan/versiones/"


def form_data(**changes) -> dict[str, str]:
    """The ampliación to 2024 as typed: its resolution, rationale and OE3.1's new targets."""
    oe31 = Indicator.objects.get(code="OE3.1").pk
    data = {
        "horizon_end": "2024",
        "resolution_type": "Resolución Ministerial",
        "resolution_number": "0456-2022-RE",
        "resolution_date": "01/06/2022",
        "rationale": "Ampliación del horizonte hasta 2024",
        f"meta-{oe31}-2022": "1,234.5",
        f"meta-{oe31}-2023": "1.8",
        "accion": "vista-previa",
    }
    data.update(changes)
    return data


def posted(client, **changes) -> str:
    """The page answered to the ampliación typed with these changes."""
    return readable(ok(client.post(PAGE, form_data(**changes))))


def stored() -> tuple[int, int, int]:
    return (
        PlanVersion.objects.count(),
        TargetRevision.objects.count(),
        Resolution.objects.count(),
    )


def test_a_preview_shows_the_difference_and_stores_nothing(planning_office):
    proposer = logged_in(planning_office.proposer)
    page = readable(ok(proposer.get(PAGE, {"hasta": "2024"})))
    assert "Versiones del PESEM" in page and "<strong>Ampliación</strong> (años nuevos)" in page
    oe31 = Indicator.objects.get(code="OE3.1").pk
    for year in (2022, 2023, 2024):
        assert f'name="meta-{oe31}-{year}"' in page
    assert f'name="meta-{oe31}-2025"' not in page
    before = stored()

    page = posted(proposer)
    assert before == stored()
    preview = page.split('id="preview"')[1]
    assert "2015-2021</strong> pasa a\n  <strong>2015-2024" in preview
    assert "<td>OE3.1</td><td>2022</td><td>—</td><td>1,234.50</td>" in preview
    assert "<td>OE3.1</td><td>2023</td><td>—</td><td>1.80</td>" in preview
    # OE3.1 has no 2024 target: said, not refused.
    assert "OE3.1 (2024)" in preview
    assert 'value="proponer"' in page
    # What was typed is still in the form.
    assert 'value="1,234.5"' in page


def test_bad_input_comes_back_in_spanish_and_stores_nothing(planning_office):
    proposer = logged_in(planning_office.proposer)
    oe31 = Indicator.objects.get(code="OE3.1").pk
    before = stored()
    for accion in ("vista-previa", "proponer"):
        page = posted(
            proposer,
            resolution_number="",
            rationale="",
            accion=accion,
            **{f"meta-{oe31}-2022": "1.234,5"},
        )
        errors = page.split('id="version-errors"')[1].split("</div>")[0]
        assert "La ampliación no se propuso" in errors
        assert "Meta 2022 de OE3.1" in errors
        assert "Sustento: Este campo es obligatorio." in errors
        assert 'value="1.234,5"' in page
        assert 'value="proponer"' not in page
        assert before == stored()
    # The numbers are fine but the resolution is partly typed and no target at all.
    page = posted(
        proposer, resolution_number="", **{f"meta-{oe31}-2022": "", f"meta-{oe31}-2023": ""}
    )
    assert "Indique la resolución que aprueba" in page
    assert "Indique al menos una meta de los años nuevos" in page
    assert before == stored()


def test_proposed_by_one_person_approved_by_another(planning_office):
    proposer = logged_in(planning_office.proposer)
    response = proposer.post(PAGE, form_data(accion="proponer"), follow=True)
    page = readable(ok(response))
    assert "Ampliación propuesta" in page
    version = PlanVersion.objects.get(state="borrador")
    assert (version.kind, version.horizon_end, version.proposed_by) == (
        "ampliado",
        2024,
        planning_office.proposer,
    )
    assert str(version.resolution) == "Resolución Ministerial N° 0456-2022-RE"
    assert set(version.target_revisions.values_list("year", "value", "state")) == {
        (2022, D("1234.5"), "propuesta"),
        (2023, D("1.8"), "propuesta"),
    }
    draft = page.split('id="draft"')[1]
    assert "Usted la propuso" in draft and "Aprobar la ampliación" not in draft
    # Nothing counts yet.
    assert services.plan_years() == range(2015, 2022)

    approver = logged_in(planning_office.approver)
    # Its targets wait with their version: not on the revisions page, not decidable alone.
    revisions_page = readable(ok(approver.get("/metas/revisiones/")))
    assert "No hay revisiones por decidir" in revisions_page
    with pytest.raises(ValidationError, match="se aprueba o descarta con la versión"):
        target_services.target_decide(
            user=planning_office.approver,
            revision=version.target_revisions.first(),
            approve=True,
        )
    tasks = readable(ok(approver.get("/mis-tareas/")))
    assert "Ampliación del PESEM" in tasks.split('id="version-tasks"')[1]

    page = readable(ok(approver.get(PAGE)))
    assert "<td>OE3.1</td><td>2022</td><td>—</td><td>1,234.50</td>" in page.split('id="draft"')[1]
    page = readable(
        ok(approver.post(PAGE, {"version": version.pk, "decision": "aprobar"}, follow=True))
    )
    assert "Ampliación aprobada" in page
    version.refresh_from_db()
    assert (version.state, version.decided_by) == ("vigente", planning_office.approver)
    assert services.plan_years() == range(2015, 2025)
    assert Plan.objects.get().end_year == 2024
    assert Target.objects.get(
        indicator__code="OE3.1", year=2022, source=Target.PLANNING_OFFICE_SOURCE
    ).value == D("1234.5")
    versions = page.split('id="versions"')[1]
    assert "ampliado" in versions and "vigente" in versions and "reemplazado" in versions
    # The next ampliación starts from the new horizon.
    assert 'name="hasta"' in page and '<option value="2025"' in page


def test_a_discard_needs_its_reason_and_changes_nothing(planning_office):
    logged_in(planning_office.proposer).post(PAGE, form_data(accion="proponer"))
    version = PlanVersion.objects.get(state="borrador")
    approver = logged_in(planning_office.approver)
    page = readable(
        ok(approver.post(PAGE, {"version": version.pk, "decision": "descartar"}, follow=True))
    )
    assert "Versión no decidida: Indique el motivo para descartar la versión." in page
    version.refresh_from_db()
    assert version.state == "borrador"
    page = readable(
        ok(
            approver.post(
                PAGE,
                {"version": version.pk, "decision": "descartar", "note": "Falta el oficio"},
                follow=True,
            )
        )
    )
    assert "descartada: el plan sigue como estaba" in page
    version.refresh_from_db()
    assert version.state == "descartado"
    assert services.plan_years() == range(2015, 2022)
    # The proposer cannot decide their own.
    logged_in(planning_office.proposer).post(PAGE, form_data(accion="proponer"))
    again = PlanVersion.objects.get(state="borrador")
    page = readable(
        ok(
            logged_in(planning_office.proposer).post(
                PAGE, {"version": again.pk, "decision": "aprobar"}, follow=True
            )
        )
    )
    assert "cuatro ojos" in page
    again.refresh_from_db()
    assert again.state == "borrador"


def test_a_modification_revises_targets_within_the_horizon(planning_office):
    """A modificación: the grid brings the targets in force; only the ones changed are
    revisions (with the target they replace); approved, they count."""
    proposer = logged_in(planning_office.proposer)
    oe31 = Indicator.objects.get(code="OE3.1")
    page = readable(ok(proposer.get(PAGE, {"tipo": "modificacion"})))
    assert "Metas del horizonte 2015-2021" in page
    # The 2021 target in force: the document's, by source priority.
    published = target_services.target_in_force(oe31, 2021)
    assert published is not None
    # The grid's 2021 field brings the published target, as Peru writes it.
    field = page.split(f'name="meta-{oe31.pk}-2021"')[1].split(">")[0]
    assert f'value="{numbers.format_for_input(published, oe31.decimals)}"' in field
    before = stored()
    # The form as the browser sends it: every field as the page filled it.
    grid = {
        name: (re.search(r'value="([^"]*)"', tag) or [None, ""])[1]
        for tag, name in re.findall(r'(<input[^>]*name="(meta-\d+-\d+)"[^>]*>)', page)
    }
    assert len(grid) == 7 * Indicator.objects.count()
    data = {
        **form_data(
            tipo="modificacion",
            horizon_end="2021",
            rationale="Meta 2021 revisada por la Alta Dirección",
        ),
        **grid,
    }
    del data[f"meta-{oe31.pk}-2022"], data[f"meta-{oe31.pk}-2023"]
    # Every target as it was: nothing changes, said so.
    page = readable(ok(proposer.post(PAGE, data)))
    assert "Ninguna meta cambia" in page
    data[f"meta-{oe31.pk}-2021"] = "2.25"
    page = readable(ok(proposer.post(PAGE, data)))
    preview = page.split('id="preview"')[1]
    assert "sin cambio" in preview and "Metas revisadas: 1" in preview
    assert (
        f"<td>OE3.1</td><td>2021</td><td>{numbers.format_for(oe31, published)}</td>"
        "<td>2.25</td>" in preview
    )
    assert before == stored()
    ok(proposer.post(PAGE, {**data, "accion": "proponer"}, follow=True))
    version = PlanVersion.objects.get(state="borrador")
    assert (version.kind, version.horizon_end) == ("modificado", 2021)
    revision = version.target_revisions.get()
    assert (revision.year, revision.value, revision.previous_value, revision.reason) == (
        2021,
        D("2.25"),
        published,
        "modificacion",
    )
    page = readable(
        ok(
            logged_in(planning_office.approver).post(
                PAGE, {"version": version.pk, "decision": "aprobar"}, follow=True
            )
        )
    )
    assert "Modificación aprobada" in page
    assert target_services.target_in_force(oe31, 2021) == D("2.25")
    assert services.plan_years() == range(2015, 2022)


def test_only_the_planning_office_opens_the_page(planning_office):
    for user in (planning_office.registrar, planning_office.director):
        ok(logged_in(user).get(PAGE), 403)
        ok(logged_in(user).post(PAGE, form_data(accion="proponer")), 403)
    assert not PlanVersion.objects.filter(state="borrador").exists()
