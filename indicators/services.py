"""Writes with rules: yearly values, action reports, targets, and their validation workflow.

Every function checks who is acting (indicators.access), validates its input with Spanish
messages, refuses stale writes (optimistic locking on `version`), runs in one transaction and
leaves a history record with the user and the reason.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from indicators import access, progress
from indicators.models import (
    ActionReport,
    Indicator,
    IndicatorValue,
    Target,
    WorkflowItem,
    WorkflowState,
)
from objectives.models import Directorate, Plan, StrategicAction

audit = logging.getLogger("pesem.audit")

PLANNING_OFFICE_SOURCE = "Oficina de planeamiento"
PART_LIMITS = {"max_integer_digits": 14, "max_decimals": 4}
VALUE_LIMITS = {"max_integer_digits": 14, "max_decimals": 6}


class ConflictError(ValidationError):
    """Somebody else changed the item since the form was read."""


def plan_years() -> range:
    plan = Plan.objects.only("start_year", "end_year").first()
    return plan.years if plan else range(0)


# --- input checks shared by forms and imports ---------------------------------------------


def check_year(year: int, years: range) -> None:
    if year not in years:
        raise ValidationError(
            {
                "year": f"El año {year} está fuera del periodo del plan "
                f"({years.start}-{years.stop - 1})."
            }
        )


def parse_decimal(
    raw: object, label: str, *, max_integer_digits: int, max_decimals: int
) -> Decimal | None:
    """A number as typed by a person or read from a file: None for blank; Spanish errors."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        raise ValidationError(f"{label}: «{raw}» no es un número.")
    try:
        number = raw if isinstance(raw, Decimal) else Decimal(str(raw).strip())
    except InvalidOperation:
        raise ValidationError(
            f"{label}: «{raw}» no es un número (use punto decimal, p. ej. 1.58)."
        ) from None
    if not number.is_finite():
        raise ValidationError(f"{label}: «{raw}» no es un número.")
    if number < 0:
        raise ValidationError(f"{label}: no puede ser negativo.")
    sign, digits, exponent = number.normalize().as_tuple()
    decimals = max(0, -exponent)
    integer_digits = len(digits) + exponent if len(digits) + exponent > 0 else 0
    if integer_digits > max_integer_digits:
        raise ValidationError(f"{label}: el número es demasiado grande.")
    if decimals > max_decimals:
        raise ValidationError(f"{label}: admite como máximo {max_decimals} decimales.")
    return number


@dataclass(frozen=True)
class CleanValue:
    numerator: Decimal | None
    denominator: Decimal | None
    value: Decimal


def clean_value(
    indicator: Indicator,
    year: int,
    *,
    numerator: Decimal | None,
    denominator: Decimal | None,
    value: Decimal | None,
    years: range,
) -> CleanValue:
    """Check a yearly value against the indicator's definition; errors keyed by field."""
    check_year(year, years)
    if indicator.is_ratio:
        errors = {}
        if numerator is None:
            errors["numerator"] = "Ingrese el numerador."
        if denominator is None:
            errors["denominator"] = "Ingrese el denominador."
        if errors:
            raise ValidationError(errors)
        try:
            computed = progress.ratio(numerator, denominator, indicator.scale)
        except progress.RatioError as exc:
            field = "denominator" if denominator == 0 else "numerator"
            raise ValidationError({field: str(exc)}) from None
        computed = computed.quantize(Decimal("0.000001"))
        if value is not None:
            places = max(0, -value.as_tuple().exponent)
            if computed.quantize(Decimal(1).scaleb(-places)) != value:
                raise ValidationError(
                    {
                        "value": f"El valor {value} no coincide con numerador / denominador "
                        f"(= {progress.fmt(computed, 4)}). Deje el valor vacío o corríjalo."
                    }
                )
        return CleanValue(numerator, denominator, computed)
    if numerator is not None or denominator is not None:
        raise ValidationError(
            {
                "value": "Este indicador se registra como un valor único, "
                "sin numerador ni denominador."
            }
        )
    if value is None:
        raise ValidationError({"value": "Ingrese el valor."})
    return CleanValue(None, None, value)


def check_version(item: WorkflowItem, expected_version: int | None, describe: str) -> None:
    if expected_version is not None and item.version == expected_version:
        return
    by = f" por {item.updated_by}" if item.updated_by else ""
    raise ConflictError(
        f"Otra persona modificó este registro{by} mientras usted lo editaba. "
        f"Valor actual: {describe} (estado: {item.get_state_display()}). "
        "Revise el valor actual y vuelva a intentarlo."
    )


def _describe_value(item: IndicatorValue) -> str:
    return progress.fmt(item.value, 4)


def _save(item: WorkflowItem, user, reason: str = "") -> None:
    item.version += 1
    item.updated_by = user if user and user.is_authenticated else None
    item._history_user = item.updated_by
    item._change_reason = reason
    item.save()
    audit.info(
        "write",
        extra={
            "user": item.updated_by.get_username() if item.updated_by else None,
            "what": item._meta.model_name,
            "id": item.pk,
            "indicator": getattr(getattr(item, "indicator", None), "code", None),
            "action": getattr(getattr(item, "action", None), "code", None),
            "year": item.year,
            "state": item.state,
            "version": item.version,
            "reason": reason,
        },
    )


# --- yearly values ------------------------------------------------------------------------


@transaction.atomic
def value_save(
    *,
    user,
    indicator: Indicator,
    year: int,
    numerator: Decimal | None,
    denominator: Decimal | None,
    value: Decimal | None = None,
    note: str = "",
    evidence_url: str = "",
    evidence_file: UploadedFile | None = None,
    expected_version: int | None = None,
    reason: str = "",
) -> IndicatorValue:
    """Create or edit the draft value of a year (registrador of the responsible directorate)."""
    access.require_registrar_of(user, indicator.responsible_id)
    clean = clean_value(
        indicator,
        year,
        numerator=numerator,
        denominator=denominator,
        value=value,
        years=plan_years(),
    )
    item = IndicatorValue.objects.select_for_update().filter(indicator=indicator, year=year).first()
    if item is None:
        if expected_version is not None:
            raise ConflictError("Este registro fue eliminado mientras usted lo editaba.")
        item = IndicatorValue(indicator=indicator, year=year, version=0)
    else:
        check_version(item, expected_version, _describe_value(item))
        if item.state != WorkflowState.DRAFT:
            raise ValidationError(_locked_message(item))
    item.numerator, item.denominator, item.value = clean.numerator, clean.denominator, clean.value
    item.note = note
    item.evidence_url = evidence_url
    if evidence_file is not None:
        item.evidence_file = evidence_file
    item.origin = IndicatorValue.Origin.USER
    item.source = "Registro en el sistema"
    try:
        with transaction.atomic():
            _save(item, user, reason or "registro")
    except IntegrityError:
        raise ConflictError(
            "Otra persona registró este valor al mismo tiempo. Recargue la página para verlo."
        ) from None
    return item


def _locked_message(item: WorkflowItem) -> str:
    if item.state == WorkflowState.VALIDATED:
        return (
            "Este registro está validado y bloqueado: solo la oficina de planeamiento puede "
            "reabrirlo, indicando el motivo."
        )
    return "Este registro fue enviado a validación: no puede editarse hasta que sea devuelto."


# --- workflow transitions (values and action reports) -------------------------------------


def _owners(item: WorkflowItem) -> int | None:
    if isinstance(item, IndicatorValue):
        return item.indicator.responsible_id
    return item.directorate_id


def _describe(item: WorkflowItem) -> str:
    if isinstance(item, IndicatorValue):
        return _describe_value(item)
    return f"{item.get_execution_display()}, {progress.fmt(item.percent)} %"


def _locked(model: type[WorkflowItem], item: WorkflowItem) -> WorkflowItem:
    return model.objects.select_for_update().get(pk=item.pk)


def _require_state(item: WorkflowItem, expected: str, verb: str) -> None:
    if item.state != expected:
        raise ValidationError(
            f"No se puede {verb} un registro en estado «{item.get_state_display()}»."
        )


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Indique el motivo."})
    return reason


@transaction.atomic
def do_submit(*, user, item: WorkflowItem, expected_version: int | None) -> WorkflowItem:
    item = _locked(type(item), item)
    access.require_registrar_of(user, _owners(item))
    check_version(item, expected_version, _describe(item))
    _require_state(item, WorkflowState.DRAFT, "enviar")
    item.state = WorkflowState.SUBMITTED
    item.submitted_by, item.submitted_at = user, timezone.now()
    _save(item, user, "enviado a validación")
    return item


@transaction.atomic
def do_validate(*, user, item: WorkflowItem, expected_version: int | None) -> WorkflowItem:
    item = _locked(type(item), item)
    access.require_validator(user)
    check_version(item, expected_version, _describe(item))
    _require_state(item, WorkflowState.SUBMITTED, "validar")
    item.state = WorkflowState.VALIDATED
    item.validated_by, item.validated_at = user, timezone.now()
    item.return_reason = ""
    _save(item, user, "validado")
    return item


def _back_to_draft(
    user,
    item: WorkflowItem,
    reason: str,
    expected_version: int | None,
    *,
    from_state: str,
    verb: str,
    label: str,
) -> WorkflowItem:
    """The planning office sends an item back to its directorate, always with a reason."""
    item = _locked(type(item), item)
    access.require_validator(user)
    reason = _require_reason(reason)
    check_version(item, expected_version, _describe(item))
    _require_state(item, from_state, verb)
    item.state = WorkflowState.DRAFT
    item.return_reason = reason
    item.validated_by, item.validated_at = None, None
    _save(item, user, f"{label}: {reason}")
    return item


@transaction.atomic
def do_return(
    *, user, item: WorkflowItem, reason: str, expected_version: int | None
) -> WorkflowItem:
    return _back_to_draft(
        user,
        item,
        reason,
        expected_version,
        from_state=WorkflowState.SUBMITTED,
        verb="devolver",
        label="devuelto",
    )


@transaction.atomic
def do_reopen(
    *, user, item: WorkflowItem, reason: str, expected_version: int | None
) -> WorkflowItem:
    """Unlock a validated item (only the planning office, with a reason)."""
    return _back_to_draft(
        user,
        item,
        reason,
        expected_version,
        from_state=WorkflowState.VALIDATED,
        verb="reabrir",
        label="reabierto",
    )


TRANSITIONS = {
    "submit": do_submit,
    "validate": do_validate,
    "return": do_return,
    "reopen": do_reopen,
}


# --- strategic action reports -------------------------------------------------------------


@transaction.atomic
def report_save(
    *,
    user,
    action: StrategicAction,
    directorate: Directorate,
    year: int,
    execution: str,
    percent: Decimal,
    description: str,
    evidence_url: str = "",
    evidence_file: UploadedFile | None = None,
    expected_version: int | None = None,
) -> ActionReport:
    if not action.responsibles.filter(pk=directorate.pk).exists():
        raise PermissionDenied(
            f"La dirección {directorate.code} no es responsable de la acción {action.code}."
        )
    access.require_registrar_of(user, directorate.pk)
    years = plan_years()
    check_year(year, years)
    if not Decimal(0) <= percent <= Decimal(100):
        raise ValidationError({"percent": "El avance debe estar entre 0 y 100 %."})
    if execution == ActionReport.Progress.NOT_STARTED and percent != 0:
        raise ValidationError({"percent": "Una acción no iniciada tiene 0 % de avance."})
    if execution == ActionReport.Progress.DONE and percent != 100:
        raise ValidationError({"percent": "Una acción culminada tiene 100 % de avance."})
    item = (
        ActionReport.objects.select_for_update()
        .filter(action=action, directorate=directorate, year=year)
        .first()
    )
    if item is None:
        if expected_version is not None:
            raise ConflictError("Este reporte fue eliminado mientras usted lo editaba.")
        item = ActionReport(action=action, directorate=directorate, year=year, version=0)
    else:
        check_version(item, expected_version, _describe(item))
        if item.state != WorkflowState.DRAFT:
            raise ValidationError(_locked_message(item))
    item.execution, item.percent, item.description = execution, percent, description
    item.evidence_url = evidence_url
    if evidence_file is not None:
        item.evidence_file = evidence_file
    try:
        with transaction.atomic():
            _save(item, user, "registro")
    except IntegrityError:
        raise ConflictError(
            "Otra persona registró este reporte al mismo tiempo. Recargue la página para verlo."
        ) from None
    return item


# --- targets ------------------------------------------------------------------------------


@transaction.atomic
def target_set(*, user, indicator: Indicator, year: int, value: Decimal, reason: str) -> Target:
    """The planning office fixes the target of a year. Published targets stay as they are;
    this adds (or changes) the planning office's own, which computations use first."""
    access.require_validator(user)
    reason = _require_reason(reason)
    years = plan_years()
    check_year(year, years)
    target = (
        Target.objects.select_for_update()
        .filter(
            indicator=indicator, kind=Target.Kind.TARGET, year=year, source=PLANNING_OFFICE_SOURCE
        )
        .first()
    ) or Target(
        indicator=indicator, kind=Target.Kind.TARGET, year=year, source=PLANNING_OFFICE_SOURCE
    )
    target.value = value
    target.published_text = ""
    target.note = reason
    target._history_user = user
    target._change_reason = reason
    target.save()
    audit.info(
        "write",
        extra={
            "user": user.get_username(),
            "what": "target",
            "indicator": indicator.code,
            "year": year,
            "value": str(value),
            "reason": reason,
        },
    )
    return target
