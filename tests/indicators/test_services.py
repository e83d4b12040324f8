"""Writes with rules: entry, workflow, locks, concurrency, history, targets, action reports."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from indicators import services
from indicators.models import ActionReport, Indicator, IndicatorValue
from indicators.selectors import indicator_history
from objectives.models import Directorate, StrategicAction

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def consular():
    return Indicator.objects.get(code="OE3.1")  # responsible: DGC, scale x10,000


def save(user, indicator, year=2016, numerator=D(450), denominator=D(2_850_000), **kw):
    return services.value_save(
        user=user,
        indicator=indicator,
        year=year,
        numerator=numerator,
        denominator=denominator,
        **kw,
    )


def test_registrar_saves_a_draft_computed_from_its_parts(registrar_dgc, consular):
    item = save(registrar_dgc, consular)
    assert item.state == "draft" and item.version == 1 and item.origin == "user"
    assert item.numerator == D(450) and item.denominator == D(2_850_000)
    assert item.value == (D(450) / D(2_850_000) * 10_000).quantize(D("0.000001"))


@pytest.mark.parametrize(
    ("numerator", "denominator", "field", "message"),
    [
        (D(450), D(0), "denominator", "El denominador no puede ser cero."),
        (D(-1), D(10), "numerator", "no pueden ser negativos"),
        (None, D(10), "numerator", "Ingrese el numerador."),
    ],
)
def test_bad_parts_are_rejected_and_nothing_stored(
    registrar_dgc, consular, numerator, denominator, field, message
):
    with pytest.raises(ValidationError) as exc:
        save(registrar_dgc, consular, numerator=numerator, denominator=denominator)
    assert message in " ".join(exc.value.message_dict[field])
    assert not IndicatorValue.objects.filter(indicator=consular, year=2016).exists()


def test_year_outside_the_plan_is_rejected(registrar_dgc, consular):
    with pytest.raises(ValidationError, match="fuera del periodo del plan"):
        save(registrar_dgc, consular, year=2022)


def test_value_inconsistent_with_parts_is_rejected(registrar_dgc, consular):
    with pytest.raises(ValidationError, match="no coincide"):
        save(registrar_dgc, consular, value=D("2.5"))
    assert save(registrar_dgc, consular, value=D("1.58")).value == D("1.578947")


def test_value_only_indicator_takes_no_parts(registrar_dgc):
    national = Indicator.objects.get(code="NAC.3")  # revenue, DGC
    with pytest.raises(ValidationError, match="valor único"):
        save(registrar_dgc, national)
    item = services.value_save(
        user=registrar_dgc,
        indicator=national,
        year=2016,
        numerator=None,
        denominator=None,
        value=D("938178"),
    )
    assert item.value == D("938178") and item.numerator is None


# --- who may do what ---------------------------------------------------------------------

ROLES = ["registrar_dgc", "registrar_dpe", "validator", "director_dpe", "administrator"]


@pytest.mark.parametrize("role", ROLES)
def test_only_the_responsible_registrar_enters_a_value(request, role, consular):
    user = request.getfixturevalue(role)
    if role == "registrar_dgc":
        assert save(user, consular).pk
    else:
        with pytest.raises(PermissionDenied):
            save(user, consular)
        assert not IndicatorValue.objects.filter(indicator=consular, year=2016).exists()


@pytest.mark.parametrize("role", ROLES)
def test_only_the_responsible_registrar_submits(request, role, registrar_dgc, consular):
    item = save(registrar_dgc, consular)
    user = request.getfixturevalue(role) if role != "registrar_dgc" else registrar_dgc
    if role == "registrar_dgc":
        assert services.do_submit(user=user, item=item, expected_version=1).state == "submitted"
    else:
        with pytest.raises(PermissionDenied):
            services.do_submit(user=user, item=item, expected_version=1)
        item.refresh_from_db()
        assert item.state == "draft"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ["validate", "return"])
def test_only_the_planning_office_validates_or_returns(
    request, role, action, registrar_dgc, consular
):
    item = save(registrar_dgc, consular)
    item = services.do_submit(user=registrar_dgc, item=item, expected_version=1)
    user = request.getfixturevalue(role) if role != "registrar_dgc" else registrar_dgc
    kwargs = {"user": user, "item": item, "expected_version": item.version}
    if action == "return":
        kwargs["reason"] = "revisar el denominador"
    if role == "validator":
        result = services.TRANSITIONS[action](**kwargs)
        assert result.state == ("validated" if action == "validate" else "draft")
    else:
        with pytest.raises(PermissionDenied):
            services.TRANSITIONS[action](**kwargs)
        item.refresh_from_db()
        assert item.state == "submitted"


# --- workflow ----------------------------------------------------------------------------


def submitted(registrar, indicator):
    item = save(registrar, indicator)
    return services.do_submit(user=registrar, item=item, expected_version=item.version)


def test_forbidden_transitions(registrar_dgc, validator, consular):
    draft = save(registrar_dgc, consular)
    with pytest.raises(
        ValidationError, match="No se puede validar un registro en estado «borrador»"
    ):
        services.do_validate(user=validator, item=draft, expected_version=draft.version)
    with pytest.raises(ValidationError, match="No se puede reabrir"):
        services.do_reopen(user=validator, item=draft, reason="x", expected_version=draft.version)
    sent = services.do_submit(user=registrar_dgc, item=draft, expected_version=draft.version)
    with pytest.raises(ValidationError, match="No se puede enviar"):
        services.do_submit(user=registrar_dgc, item=sent, expected_version=sent.version)
    with pytest.raises(ValidationError, match="enviado a validación"):
        save(registrar_dgc, consular, expected_version=sent.version)


def test_return_needs_a_reason_and_goes_back_to_draft(registrar_dgc, validator, consular):
    item = submitted(registrar_dgc, consular)
    with pytest.raises(ValidationError, match="Indique el motivo"):
        services.do_return(user=validator, item=item, reason="  ", expected_version=item.version)
    item = services.do_return(
        user=validator,
        item=item,
        reason="El denominador no es el de 2016",
        expected_version=item.version,
    )
    assert item.state == "draft" and item.return_reason == "El denominador no es el de 2016"
    corrected = save(
        registrar_dgc, consular, denominator=D(2_900_000), expected_version=item.version
    )
    assert corrected.state == "draft" and corrected.denominator == D(2_900_000)


def test_a_long_return_reason_is_kept_whole(registrar_dgc, validator, consular):
    """The history's change reason holds 100 characters (PostgreSQL refused a longer one with
    a 500); the whole reason stays on the item and in its history row."""
    item = submitted(registrar_dgc, consular)
    reason = "El denominador no corresponde al padrón consular de 2016. " * 30
    item = services.do_return(
        user=validator, item=item, reason=reason, expected_version=item.version
    )
    item.refresh_from_db()
    assert item.state == "draft" and item.return_reason == reason.strip()
    last = item.history.order_by("-history_id").first()
    assert last.return_reason == reason.strip()
    assert last.history_change_reason.startswith("devuelto: El denominador")
    assert len(last.history_change_reason) == 100


def test_validated_value_is_locked_until_the_planning_office_reopens_it(
    registrar_dgc, validator, consular
):
    item = submitted(registrar_dgc, consular)
    item = services.do_validate(user=validator, item=item, expected_version=item.version)
    assert item.state == "validated" and item.validated_by == validator

    with pytest.raises(ValidationError, match="validado y bloqueado"):
        save(registrar_dgc, consular, numerator=D(500), expected_version=item.version)
    with pytest.raises(PermissionDenied):
        services.do_reopen(
            user=registrar_dgc, item=item, reason="quiero corregir", expected_version=item.version
        )

    item = services.do_reopen(
        user=validator,
        item=item,
        reason="Cifra de personal corregida por ORH",
        expected_version=item.version,
    )
    assert item.state == "draft" and item.validated_by is None
    item = save(registrar_dgc, consular, numerator=D(500), expected_version=item.version)
    assert item.numerator == D(500)


def test_concurrent_edit_is_refused_with_the_current_value(registrar_dgc, consular):
    first = save(registrar_dgc, consular)
    read_version = first.version  # two people open the form at version 1
    save(registrar_dgc, consular, numerator=D(460), expected_version=read_version)
    with pytest.raises(services.ConflictError) as exc:
        save(registrar_dgc, consular, numerator=D(470), expected_version=read_version)
    message = exc.value.messages[0]
    assert "Otra persona modificó este registro" in message
    # 460 / 2,850,000 x 10,000: the value that is stored now, with the indicator's precision.
    assert "Valor actual: 1.61 " in message
    assert IndicatorValue.objects.get(indicator=consular, year=2016).numerator == D(460)


def test_creating_when_someone_else_created_first_is_a_conflict(registrar_dgc, consular):
    save(registrar_dgc, consular)
    with pytest.raises(services.ConflictError):
        save(registrar_dgc, consular, numerator=D(1))  # form opened before the value existed


def test_history_keeps_who_when_before_after_and_why(registrar_dgc, validator, consular):
    item = submitted(registrar_dgc, consular)
    item = services.do_return(
        user=validator, item=item, reason="Falta el sustento", expected_version=item.version
    )
    save(registrar_dgc, consular, numerator=D(460), expected_version=item.version)

    rows = indicator_history(consular)
    latest = rows[0]
    assert latest.who == "reg.dgc" and latest.what == "Valor 2016"
    # Parts as typed, the value with the indicator's precision.
    assert ("numerador", "450", "460") in latest.changes
    assert ("valor", "1.58", "1.61") in latest.changes
    returned = next(r for r in rows if r.reason.startswith("devuelto"))
    assert returned.who == "val.opp"
    assert ("estado", "enviado", "borrador") in returned.changes
    assert returned.reason == "devuelto: Falta el sustento"


# --- strategic action reports ------------------------------------------------------------


def report(user, code="3.1", directorate="DGC", **kw):
    values = {"execution": "in_progress", "percent": D(40), "description": "Se abrieron 3 ODE."}
    values.update(kw)
    return services.report_save(
        user=user,
        action=StrategicAction.objects.get(code=code),
        directorate=Directorate.objects.get(code=directorate),
        year=2016,
        **values,
    )


def test_registrar_reports_an_action_of_its_directorate(registrar_dgc, validator):
    item = report(registrar_dgc)
    assert (item.state, item.percent, item.execution) == ("draft", D(40), "in_progress")
    item = services.do_submit(user=registrar_dgc, item=item, expected_version=item.version)
    item = services.do_validate(user=validator, item=item, expected_version=item.version)
    assert item.state == "validated"
    assert ActionReport.history.filter(id=item.pk).count() == 3


def test_registrar_cannot_report_another_directorates_action(registrar_dgc):
    with pytest.raises(PermissionDenied, match="no es responsable"):
        report(registrar_dgc, code="2.1", directorate="DGC")
    with pytest.raises(PermissionDenied):
        report(registrar_dgc, code="2.1", directorate="DPE")
    assert not ActionReport.objects.exists()


@pytest.mark.parametrize(
    ("execution", "percent", "message"),
    [
        ("not_started", D(10), "no iniciada tiene 0 %"),
        ("done", D(90), "culminada tiene 100 %"),
        ("in_progress", D(120), "entre 0 y 100"),
    ],
)
def test_report_progress_must_agree_with_its_status(registrar_dgc, execution, percent, message):
    with pytest.raises(ValidationError, match=message):
        report(registrar_dgc, execution=execution, percent=percent)
    assert not ActionReport.objects.exists()
