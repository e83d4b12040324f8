"""Four eyes: nobody who entered, imported, edited or sent an item's current content validates
it, on any path (entry form, grid, queue, bulk, import, conclusions, action reports). A return
or a reopening keeps who shaped it, so an author cannot launder their work through a return;
only a validation starts a new round. Authorship is data (WorkflowItem.shaped_by), filled for
existing items from their history by migration 0006."""

import importlib
from decimal import Decimal as D

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse

from indicators import authorship, services
from indicators.entry import importing
from indicators.models import ActionReport, Indicator, IndicatorValue, ReportConclusion
from indicators.workflow import conclusion_services
from objectives.models import Directorate, StrategicAction
from tests.factories import enter_value, make_staff, ok, submit

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

REFUSED = "Usted participó en este valor: debe validarlo otra persona de la oficina de planeamiento"
WAY_OUT = "un administrador puede dar el rol de validador a otra persona"
QUEUE = "validation_queue"


def with_validator_role(user):
    user.groups.add(Group.objects.get(name="validador"))
    return user


@pytest.fixture
def both_roles(django_user_model):
    """A DGC registrar who also holds the planning office's role."""
    return with_validator_role(make_staff(django_user_model, "doble.dgc", "registrador", "DGC"))


@pytest.fixture
def second_validator(django_user_model):
    return make_staff(django_user_model, "val.dee", "validador", "OPP")


def shaped(item) -> set[str]:
    return set(item.shaped_by.values_list("username", flat=True))


def refused(user, item):
    """do_validate refuses `user` with the four-eyes sentence and changes nothing."""
    version = item.version
    with pytest.raises(ValidationError, match=REFUSED):
        services.do_validate(user=user, item=item, expected_version=version)
    item.refresh_from_db()
    assert (item.state, item.version, item.validated_by) == ("submitted", version, None)


def give_back(user, item, reason="Revisar la fuente"):
    return services.do_return(user=user, item=item, reason=reason, expected_version=item.version)


def import_csv(user, text: str, status: str):
    rows = importing.read_rows(text.encode(), "valores.csv")
    plan = importing.plan_import(rows, user=user)
    return importing.apply_import(plan, user=user, status=status)


# --- the three ways through a return (the audit) --------------------------------------------


def test_author_who_returns_their_own_value_cannot_validate_it_after_a_colleague_resends_it(
    both_roles, registrar_dgc, validator
):
    item = enter_value(both_roles, "V1.2", 2019, 9, 10, submit=True)
    item = give_back(both_roles, item)  # a return by the author is allowed...
    assert item.state == "draft" and item.return_reason == "Revisar la fuente"
    item = submit(registrar_dgc, item)  # ...a colleague re-sends it unchanged...
    assert (item.value, item.submitted_by) == (D("0.9"), registrar_dgc)
    assert shaped(item) == {"doble.dgc", "reg.dgc"}
    refused(both_roles, item)  # ...and the author still may not validate it
    item = services.do_validate(user=validator, item=item, expected_version=item.version)
    assert (item.state, item.validated_by) == ("validated", validator)


def test_validator_who_imported_a_value_cannot_validate_it_after_a_return_and_resend(
    validator, registrar_dgc, second_validator
):
    counts = import_csv(
        validator,
        "indicador,año,numerador,denominador,valor,nota\nOE3.1,2016,450,2850000,,\n",
        "submitted",
    )
    assert counts["written"] == 1
    item = IndicatorValue.objects.get(indicator__code="OE3.1", year=2016)
    assert (item.state, shaped(item)) == ("submitted", {"val.opp"})
    item = give_back(validator, item)
    item = submit(registrar_dgc, item)
    refused(validator, item)
    item = services.do_validate(user=second_validator, item=item, expected_version=item.version)
    assert item.state == "validated" and item.value == D("1.578947")


def test_conclusions_writer_cannot_validate_them_after_a_return_and_anothers_submit(
    validator, second_validator, django_user_model
):
    third = make_staff(django_user_model, "val.ter", "validador", "OPP")
    item = conclusion_services.conclusion_save(
        user=validator,
        year=2016,
        conclusions="Se avanzó en la cobertura consular.",
        recommendations="",
        expected_version=None,
    )
    item = conclusion_services.conclusion_submit(
        user=validator, item=item, expected_version=item.version
    )
    item = conclusion_services.conclusion_return(
        user=validator, item=item, reason="Precisar", expected_version=item.version
    )
    item = conclusion_services.conclusion_submit(
        user=second_validator, item=item, expected_version=item.version
    )
    for author in (validator, second_validator):
        with pytest.raises(ValidationError, match="Usted participó en estas conclusiones"):
            conclusion_services.conclusion_validate(
                user=author, item=item, expected_version=item.version
            )
    item.refresh_from_db()
    assert item.state == "submitted" and item.validated_by is None
    item = conclusion_services.conclusion_validate(
        user=third, item=item, expected_version=item.version
    )
    assert item.state == "validated" and shaped(item) == set()


# --- every path records who shaped the content ---------------------------------------------


def test_entry_form_author_cannot_validate_what_a_colleague_sent(both_roles, registrar_dgc):
    item = enter_value(both_roles)  # value_save, the single entry form
    item = submit(registrar_dgc, item)
    refused(both_roles, item)


def test_grid_author_cannot_validate_what_the_grid_sent(both_roles, validator):
    indicator = Indicator.objects.get(code="OE3.1")
    [item] = services.grid_save(
        user=both_roles,
        directorate=Directorate.objects.get(code="DGC"),
        year=2016,
        rows=[services.ValueInput(indicator=indicator, numerator=D(450), denominator=D(2_850_000))],
        submit=True,
    )
    assert item.state == "submitted" and shaped(item) == {"doble.dgc"}
    refused(both_roles, item)
    assert services.do_validate(user=validator, item=item, expected_version=item.version).state == (
        "validated"
    )


def test_importer_of_a_draft_cannot_validate_it_once_the_registrar_sends_it(
    validator, registrar_dgc
):
    import_csv(
        validator,
        "indicador,año,numerador,denominador,valor,nota\nOE3.1,2017,460,2900000,,\n",
        "draft",
    )
    item = IndicatorValue.objects.get(indicator__code="OE3.1", year=2017)
    item = submit(registrar_dgc, item)
    refused(validator, item)


def test_action_report_author_cannot_validate_it_after_returning_it(
    django_user_model, registrar_dpe, validator
):
    author = with_validator_role(make_staff(django_user_model, "doble.dpe", "registrador", "DPE"))
    report = services.report_save(
        user=author,
        action=StrategicAction.objects.get(code="2.1"),
        directorate=Directorate.objects.get(code="DPE"),
        year=2016,
        execution="in_progress",
        percent=D(60),
        description="Ferias en 12 OSE",
    )
    report = submit(author, report)
    report = give_back(author, report)
    report = submit(registrar_dpe, report)
    with pytest.raises(ValidationError, match="Usted participó en este reporte"):
        services.do_validate(user=author, item=report, expected_version=report.version)
    report.refresh_from_db()
    assert report.state == "submitted"
    report = services.do_validate(user=validator, item=report, expected_version=report.version)
    assert report.state == "validated" and shaped(report) == set()


def test_withdrawing_a_submission_keeps_the_sender_an_author(both_roles, registrar_dgc):
    item = enter_value(both_roles, submit=True)
    item = services.do_withdraw(user=both_roles, item=item, expected_version=item.version)
    assert item.submitted_by is None and shaped(item) == {"doble.dgc"}
    item = submit(registrar_dgc, item)
    refused(both_roles, item)


def test_returning_validating_or_reopening_is_not_shaping(registrar_dgc, validator):
    item = enter_value(registrar_dgc, submit=True)
    item = give_back(validator, item)
    assert shaped(item) == {"reg.dgc"}
    item = submit(registrar_dgc, item)
    assert shaped(item) == {"reg.dgc"}
    item = services.do_validate(user=validator, item=item, expected_version=item.version)
    assert shaped(item) == set()
    item = services.do_reopen(
        user=validator, item=item, reason="cifra corregida", expected_version=item.version
    )
    assert shaped(item) == set()


def test_a_validation_starts_a_new_round(both_roles, registrar_dgc, validator):
    """After another person validated the author's value, a later round the author did not
    touch is theirs to validate."""
    item = enter_value(both_roles, submit=True)
    item = services.do_validate(user=validator, item=item, expected_version=item.version)
    item = services.do_reopen(
        user=validator, item=item, reason="Actualizar la fuente", expected_version=item.version
    )
    item = services.value_save(
        user=registrar_dgc,
        indicator=item.indicator,
        year=item.year,
        numerator=D(455),
        denominator=D(2_850_000),
        expected_version=item.version,
        submit=True,
    )
    assert shaped(item) == {"reg.dgc"}
    item = services.do_validate(user=both_roles, item=item, expected_version=item.version)
    assert (item.state, item.validated_by) == ("validated", both_roles)


def test_import_without_a_user_writes_validated_values_with_no_authors(registrar_dgc):
    """The import command without --user loads records kept outside the system (validated)."""
    item = enter_value(registrar_dgc)
    assert shaped(item) == {"reg.dgc"}
    import_csv(
        None,
        "indicador,año,numerador,denominador,valor,nota\nOE3.1,2016,451,2850000,,\n",
        "validated",
    )
    item.refresh_from_db()
    assert item.state == "validated" and shaped(item) == set()


# --- the queue and bulk validation ------------------------------------------------------------


def test_queue_validate_button_path_refuses_the_author_and_changes_nothing(
    client, both_roles, registrar_dgc
):
    item = submit(registrar_dgc, enter_value(both_roles))
    client.force_login(both_roles)
    response = client.post(
        reverse(QUEUE), {"validar_uno": item.pk, f"version-{item.pk}": item.version}
    )
    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    item.refresh_from_db()
    assert item.state == "submitted" and item.validated_by is None


def test_bulk_validation_skips_the_authors_rows_and_validates_the_others(
    client, both_roles, registrar_dgc
):
    own = submit(registrar_dgc, enter_value(both_roles))
    other = enter_value(registrar_dgc, "V1.2", 2016, 9, 10, submit=True)
    client.force_login(both_roles)
    response = ok(
        client.post(
            reverse(QUEUE),
            {
                "validar": [own.pk, other.pk],
                f"version-{own.pk}": own.version,
                f"version-{other.pk}": other.version,
                "validar_seleccionados": "",
            },
            follow=True,
        )
    )
    page = response.content.decode()
    assert "1 valor(es) validado(s): V1.2 2016." in page
    assert f"OE3.1 2016 no se validó: {REFUSED}" in page
    states = dict(IndicatorValue.objects.filter(year=2016).values_list("indicator__code", "state"))
    assert states == {"OE3.1": "submitted", "V1.2": "validated"}


def test_validate_many_lists_the_authors_item_as_skipped(both_roles, registrar_dgc):
    own = submit(registrar_dgc, enter_value(both_roles))
    other = enter_value(registrar_dgc, "V1.2", 2016, 9, 10, submit=True)
    result = services.validate_many(
        user=both_roles, items_with_versions=[(own, own.version), (other, other.version)]
    )
    assert [services.item_label(i) for i in result.done] == ["V1.2 2016"]
    assert result.skipped == {"OE3.1 2016": [authorship.refusal(IndicatorValue)]}


def test_pages_read_the_same_rule_as_the_service(both_roles, registrar_dgc, validator):
    own = submit(registrar_dgc, enter_value(both_roles))
    other = enter_value(registrar_dgc, "V1.2", 2016, 9, 10, submit=True)
    assert authorship.shaped_pks(both_roles, [own, other]) == {own.pk}
    assert authorship.shaped_pks(validator, [own, other]) == set()
    assert authorship.has_shaped(both_roles, own) and not authorship.has_shaped(both_roles, other)
    marked = IndicatorValue.objects.annotate(
        mine=authorship.shaped_exists(IndicatorValue, both_roles)
    ).filter(mine=True)
    assert list(marked) == [own]
    assert WAY_OUT in authorship.refusal(IndicatorValue)


# --- existing items: migration 0006 fills authorship from their history ---------------------


def fill_from_history():
    migration = importlib.import_module("indicators.migrations.0006_workflow_shaped_by")
    for model in (IndicatorValue, ActionReport, ReportConclusion):
        model.shaped_by.through.objects.all().delete()
    migration.fill_shaped_by(apps, None)


def test_migration_reads_authorship_from_history_including_rounds_before_a_return(
    both_roles, registrar_dgc, registrar_dpe, validator
):
    laundered = enter_value(both_roles, "V1.2", 2016, 9, 10, submit=True)
    laundered = submit(registrar_dgc, give_back(both_roles, laundered))
    validated = enter_value(registrar_dpe, "OE2.1", 2016, 93, 60, validator=validator)
    reopened = enter_value(registrar_dgc, validator=validator)
    reopened = services.do_reopen(
        user=validator, item=reopened, reason="Revisar", expected_version=reopened.version
    )
    fill_from_history()
    assert shaped(laundered) == {"doble.dgc", "reg.dgc"}
    assert shaped(validated) == set()
    assert shaped(reopened) == set()  # its content was validated; the new round is empty
    refused(both_roles, laundered)


def test_conclusions_page_shows_the_writer_why_instead_of_the_validate_button(
    client, validator, second_validator
):
    item = conclusion_services.conclusion_save(
        user=validator,
        year=2016,
        conclusions="Se avanzó en la cobertura consular.",
        recommendations="",
        expected_version=None,
    )
    conclusion_services.conclusion_submit(user=validator, item=item, expected_version=item.version)
    client.force_login(validator)
    page = ok(client.get("/reporte/2016/conclusiones/")).content.decode()
    assert "Usted participó en estas conclusiones" in page
    assert 'name="action" value="validate"' not in page
    client.force_login(second_validator)
    page = ok(client.get("/reporte/2016/conclusiones/")).content.decode()
    assert "Usted participó" not in page
    assert 'name="action" value="validate"' in page
