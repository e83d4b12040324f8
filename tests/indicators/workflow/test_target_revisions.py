"""Target revisions: proposed by the planning office with reason, rationale and resolution,
approved or rejected by another person (four eyes), append-only, and only then the target
the computations use. The document's published targets stay as the originals."""

import logging
from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from indicators.models import Indicator, Target, TargetRevision
from indicators.selectors import indicator_facts_list, indicator_queryset
from indicators.workflow import target_services
from objectives.models import Resolution
from tests.factories import make_staff, ok

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

RESOLUTION = {
    "resolution_type": "Resolución Ministerial",
    "resolution_number": "0123-2019-RE",
    "resolution_date": "2019-03-15",
}


@pytest.fixture
def consular():
    return Indicator.objects.get(code="OE3.1")


@pytest.fixture
def second_validator(django_user_model):
    return make_staff(django_user_model, "val2.opp", "validador", "OPP")


def target_used(indicator, year):
    facts = indicator_facts_list(queryset=indicator_queryset().filter(pk=indicator.pk))[0]
    return facts.target_for(year)


def resolution():
    return Resolution.objects.create(
        resolution_type="Resolución Ministerial", number="0123-2019-RE", date=date(2019, 3, 15)
    )


def propose(user, indicator, **kw):
    args = {
        "year": 2018,
        "value": D("1.6"),
        "reason": "modificacion",
        "rationale": "Meta intermedia aprobada por la Alta Dirección",
        "resolution": resolution(),
    }
    return target_services.target_propose(user=user, indicator=indicator, **{**args, **kw})


def test_a_proposal_changes_nothing_until_another_person_approves_it(
    validator, second_validator, consular
):
    published = list(
        Target.objects.filter(indicator=consular).values_list("year", "value", "source")
    )
    before = target_used(consular, 2018)
    revision = propose(validator, consular)
    assert revision.state == "propuesta" and revision.previous_value == before.value
    assert target_used(consular, 2018).value == before.value
    target_services.target_decide(user=second_validator, revision=revision, approve=True)
    used = target_used(consular, 2018)
    assert used.value == D("1.6") and used.source == "Oficina de planeamiento"
    revision.refresh_from_db()
    assert revision.state == "aprobada" and revision.decided_by == second_validator
    # The published targets stay as the document prints them; the approved one is added.
    assert set(
        Target.objects.filter(indicator=consular).values_list("year", "value", "source")
    ) == {*published, (2018, D("1.6"), "Oficina de planeamiento")}
    assert TargetRevision.history.filter(id=revision.pk).first().history_user == second_validator


def test_the_proposer_may_not_approve_their_own_revision(validator, consular, caplog):
    revision = propose(validator, consular)
    caplog.set_level(logging.WARNING, logger="pesem.audit")
    with pytest.raises(ValidationError, match="Usted propuso esta revisión"):
        target_services.target_decide(user=validator, revision=revision, approve=True)
    revision.refresh_from_db()
    assert revision.state == "propuesta"
    assert any(getattr(r, "rule", "") == "four_eyes" for r in caplog.records)


def test_only_the_planning_office_proposes_and_decides(registrar_dgc, validator, consular):
    with pytest.raises(PermissionDenied):
        propose(registrar_dgc, consular)
    revision = propose(validator, consular)
    with pytest.raises(PermissionDenied):
        target_services.target_decide(user=registrar_dgc, revision=revision, approve=True)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"resolution": None}, "Indique la resolución"),
        ({"rationale": "  "}, "Indique el sustento"),
        ({"reason": "original"}, "Elija el motivo"),
        ({"year": 2030}, "fuera del periodo del plan"),
    ],
)
def test_a_revision_needs_its_resolution_rationale_reason_and_a_plan_year(
    validator, consular, changes, message
):
    with pytest.raises(ValidationError, match=message):
        propose(validator, consular, **changes)
    assert not TargetRevision.objects.exists()


def test_a_correction_may_go_without_a_resolution(validator, second_validator, consular):
    revision = propose(validator, consular, reason="correccion", resolution=None)
    target_services.target_decide(user=second_validator, revision=revision, approve=True)
    assert target_used(consular, 2018).value == D("1.6")


def test_a_rejection_needs_a_reason_and_leaves_the_target(validator, second_validator, consular):
    before = target_used(consular, 2018).value
    revision = propose(validator, consular)
    with pytest.raises(ValidationError, match="motivo del rechazo"):
        target_services.target_decide(user=second_validator, revision=revision, approve=False)
    target_services.target_decide(
        user=second_validator, revision=revision, approve=False, note="Falta la resolución firmada"
    )
    revision.refresh_from_db()
    assert revision.state == "rechazada" and revision.decision_note == "Falta la resolución firmada"
    assert target_used(consular, 2018).value == before


def test_revisions_are_append_only(validator, second_validator, consular):
    revision = propose(validator, consular)
    with pytest.raises(ValidationError, match="Ya hay una revisión propuesta"):
        propose(validator, consular, value=D("1.7"))
    target_services.target_decide(user=second_validator, revision=revision, approve=True)
    with pytest.raises(ValidationError, match="ya fue aprobada"):
        target_services.target_decide(user=second_validator, revision=revision, approve=False)
    stored = TargetRevision.objects.get(pk=revision.pk)
    stored.value = D("9")
    with pytest.raises(ValueError, match="no se modifica"):
        stored.save()
    with pytest.raises(ValueError, match="no se borra"):
        stored.delete()
    assert TargetRevision.objects.get(pk=revision.pk).value == D("1.6")
    # A later revision of the same year is a new row; both stay in the history.
    later = propose(validator, consular, value=D("1.65"))
    target_services.target_decide(user=second_validator, revision=later, approve=True)
    assert target_used(consular, 2018).value == D("1.65")
    assert list(
        TargetRevision.objects.filter(indicator=consular).values_list("value", flat=True)
    ) == [D("1.6"), D("1.65")]


def test_the_indicator_page_proposes_and_shows_the_history(
    client, validator, second_validator, consular
):
    client.force_login(validator)
    url = reverse("target_edit", args=[consular.code])
    form = {"year": "2018", "value": "1,234.5", "reason": "modificacion", "rationale": "R1"}
    # No resolution for a modification: refused with the reason next to the form, what was
    # typed still in it, nothing stored.
    page = ok(client.post(url, form)).content.decode()
    errors = page.split('id="target-errors"', 1)[1].split("</div>", 1)[0]
    assert "Revisión no guardada" in errors and "Indique la resolución" in errors
    assert 'value="1,234.5"' in page and ">R1</textarea>" in page
    assert not TargetRevision.objects.exists()
    # A value that is not a number: the field says so.
    page = ok(client.post(url, {**form, **RESOLUTION, "value": "mil"})).content.decode()
    assert "Nueva meta:" in page.split('id="target-errors"', 1)[1].split("</div>", 1)[0]
    assert not TargetRevision.objects.exists()
    page = ok(client.post(url, {**form, **RESOLUTION}, follow=True)).content.decode()
    assert "propuesta: otra persona" in page
    revision = TargetRevision.objects.get()
    assert revision.value == D("1234.5") and str(revision.resolution) == (
        "Resolución Ministerial N° 0123-2019-RE"
    )
    assert "1,234.50" in page and "Resolución Ministerial N° 0123-2019-RE" in page
    assert "R1" in page and "pendiente" in page


def test_the_revisions_page_lets_only_another_person_decide(
    client, validator, second_validator, consular
):
    revision = propose(validator, consular)
    client.force_login(validator)
    page = ok(client.get(reverse("target_revisions"))).content.decode()
    assert "Usted la propuso" in page and 'value="aprobar"' not in page
    ok(
        client.post(reverse("target_revisions"), {"revision": revision.pk, "decision": "aprobar"}),
        302,
    )
    assert TargetRevision.objects.get(pk=revision.pk).state == "propuesta"
    client.force_login(second_validator)
    page = ok(client.get(reverse("target_revisions"))).content.decode()
    assert 'value="aprobar"' in page and "OE3.1" in page
    page = ok(
        client.post(
            reverse("target_revisions"),
            {"revision": revision.pk, "decision": "aprobar"},
            follow=True,
        )
    ).content.decode()
    assert "aprobada: es la meta vigente" in page
    assert "No hay revisiones por decidir" in page
    assert TargetRevision.objects.get(pk=revision.pk).state == "aprobada"
    assert target_used(consular, 2018).value == D("1.6")


def test_the_revisions_page_is_the_planning_offices(client, registrar_dgc, director_dpe):
    for user in (registrar_dgc, director_dpe):
        client.force_login(user)
        ok(client.get(reverse("target_revisions")), 403)
    client.logout()
    ok(client.get(reverse("target_revisions")), 302)


def test_my_tasks_lists_the_revisions_waiting_and_who_may_decide_them(
    client, validator, second_validator, consular
):
    client.force_login(second_validator)
    page = ok(client.get(reverse("my_tasks"))).content.decode()
    assert "Ninguna revisión de meta espera decisión." in page
    propose(validator, consular)
    page = ok(client.get(reverse("my_tasks"))).content.decode()
    assert "Meta 2018 de" in page and "propuesta por val.opp" in page
    assert f'href="{reverse("target_revisions")}">Decidir</a>' in page
    client.force_login(validator)
    page = ok(client.get(reverse("my_tasks"))).content.decode()
    assert "Usted la propuso: otra persona debe decidirla." in page
