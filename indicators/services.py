"""Writes with rules: yearly values, action reports, targets, and their validation workflow.

Every function checks who is acting (indicators.access), validates its input with Spanish
messages, refuses stale writes (optimistic locking on `version`), runs in one transaction and
leaves a history record with the user and the reason.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Generic, Protocol, TypeVar, cast

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from indicators import access, authorship, entry_rows, progress
from indicators.mail import notifications
from indicators.models import (
    ActionReport,
    Indicator,
    IndicatorValue,
    Target,
    WorkflowItem,
    WorkflowState,
)
from lib import numbers
from objectives.models import Directorate, Plan, StrategicAction
from objectives.plans import SHOWN_CODE, shown_code

audit = logging.getLogger("pesem.audit")

# What goes through the validation workflow. The constrained type variable lets a transition
# return the same kind of item it was given.
WorkflowRecord = IndicatorValue | ActionReport
_Item = TypeVar("_Item", IndicatorValue, ActionReport)

PLANNING_OFFICE_SOURCE = Target.PLANNING_OFFICE_SOURCE
PART_LIMITS = {"max_integer_digits": 14, "max_decimals": 4}
VALUE_LIMITS = {"max_integer_digits": 14, "max_decimals": 6}


class ConflictError(ValidationError):
    """Somebody else changed the item since the form was read."""


SEMESTRAL_YEAR = (
    "El plan {code} se sigue por semestre: registre los valores en la planilla de cada "
    "semestre (S1 y S2); el valor del año es el de sus semestres validados."
)


def semestral_code(plan_id: int | None) -> str | None:
    """The code of the plan when it is followed by semester (one query), else None."""
    if plan_id is None:
        return None
    return (
        Plan.objects.filter(pk=plan_id, frequency=Plan.Frequency.SEMESTER)
        .values_list("code", flat=True)
        .first()
    )


def shown_semestral_code() -> str | None:
    """The shown plan's code when it is followed by semester, else None (no query for the
    PESEM, which is yearly)."""
    code = shown_code()
    if code == SHOWN_CODE:
        return None
    return (
        Plan.objects.filter(code=code, frequency=Plan.Frequency.SEMESTER)
        .values_list("code", flat=True)
        .first()
    )


def refuse_yearly_entry(plan_id: int | None) -> None:
    """A semestral plan's yearly value is made from its semesters, never typed (whatever the
    door: the grid, the value form, an import)."""
    code = semestral_code(plan_id)
    if code is not None:
        raise ValidationError(SEMESTRAL_YEAR.format(code=code))


def plan_years() -> range:
    plan = Plan.objects.filter(code=shown_code()).only("start_year", "end_year").first()
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
    """A number as typed by a person or read from a file (Peruvian format, 1,020,000.50, read
    by lib.numbers.parse_number): None for blank; Spanish errors prefixed by `label`."""
    text = raw if raw is None or isinstance(raw, str | int | float | Decimal) else str(raw)
    try:
        number = numbers.parse_number(text)
    except ValidationError as exc:
        raise ValidationError(f"{label}: {exc.messages[0]}", code="invalid") from None
    if number is None:
        return None
    if number < 0:
        raise ValidationError(f"{label}: no puede ser negativo.")
    integer_digits, decimals = numbers.digit_counts(number)
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
    check_whole_numbers(indicator, numerator=numerator, denominator=denominator, value=value)
    if indicator.is_ratio:
        if numerator is None or denominator is None:
            errors: dict[str, str] = {}
            if numerator is None:
                errors["numerator"] = "Ingrese el numerador."
            if denominator is None:
                errors["denominator"] = "Ingrese el denominador."
            raise ValidationError(errors)
        try:
            computed = progress.ratio(numerator, denominator, indicator.scale)
        except progress.RatioError as exc:
            field = "denominator" if denominator == 0 else "numerator"
            raise ValidationError({field: str(exc)}) from None
        computed = computed.quantize(Decimal("0.000001"))
        if value is not None:
            # The exponent is an int for a finite number, and parse_decimal refuses NaN and
            # infinity; the stubs also allow the 'n'/'N'/'F' of non-finite ones.
            places = max(0, -cast(int, value.as_tuple().exponent))
            if computed.quantize(Decimal(1).scaleb(-places)) != value:
                raise ValidationError(
                    {
                        "value": f"El valor {value} no coincide con numerador / denominador "
                        f"(= {numbers.format_number(computed, 4)}). "
                        "Deje el valor vacío o corríjalo."
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


WHOLE_LABELS = {"numerator": "El numerador", "denominator": "El denominador", "value": "El valor"}


def check_whole_numbers(
    indicator: Indicator,
    *,
    numerator: Decimal | None,
    denominator: Decimal | None,
    value: Decimal | None,
) -> None:
    """Counts (people, posts, meetings, activities: the indicator's *_is_whole flags) take
    whole numbers only; "938.178" typed for one is asked about as thousands written with a
    point (numbers.whole_number_error). Every such error at once, keyed by field."""
    typed = {"numerator": numerator, "denominator": denominator, "value": value}
    whole = {
        "numerator": indicator.numerator_is_whole,
        "denominator": indicator.denominator_is_whole,
        "value": indicator.value_is_whole and not indicator.is_ratio,
    }
    errors = {}
    for field, number in typed.items():
        problem = numbers.whole_number_error(number) if whole[field] else None
        if problem:
            errors[field] = f"{WHOLE_LABELS[field]} {problem}"
    if errors:
        raise ValidationError(errors)


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
    return numbers.format_for(item.indicator, item.value)


class _HistoryNotes(Protocol):
    """What django-simple-history reads from an instance when it saves it (its documented way
    to record who made a change and why). The models do not declare these attributes."""

    _history_user: User | None
    _change_reason: str


# django-simple-history's change reason is a 100-character column (PostgreSQL refuses a longer
# one). A return's whole reason is kept in the item's own `return_reason`, which the history
# row copies; the change reason is its label, shortened.
HISTORY_REASON_MAX = 100


def note_history(instance: models.Model, user: User | None, reason: str) -> None:
    """Who makes the coming save of `instance` and why, for its history row (every path that
    writes a historical model: items, deadlines, conclusions, targets)."""
    notes = cast(_HistoryNotes, instance)
    notes._history_user = user
    if len(reason) > HISTORY_REASON_MAX:
        reason = reason[: HISTORY_REASON_MAX - 1] + "…"
    notes._change_reason = reason


def save_item(item: WorkflowRecord, user: User | None, reason: str = "") -> None:
    """Save a value or a report with its next version, who changed it and why (history and
    audit log): the one write of every path, the grid's, the form's and the import's."""
    item.version += 1
    item.updated_by = user if user and user.is_authenticated else None
    note_history(item, item.updated_by, reason)
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


WARNINGS_NEED_JUSTIFICATION = (
    "Este valor tiene advertencias: escriba una justificación para enviarlo."
)


@dataclass(frozen=True)
class ValueInput:
    """What a registrar typed for one indicator in a year (entry form and grid rows)."""

    indicator: Indicator
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    value: Decimal | None = None
    note: str = ""
    analysis: str = ""
    measures: str = ""
    justification: str = ""
    evidence_url: str = ""
    evidence_file: File[bytes] | None = None
    expected_version: int | None = None


@transaction.atomic
def value_save(
    *,
    user: User,
    indicator: Indicator,
    year: int,
    numerator: Decimal | None,
    denominator: Decimal | None,
    value: Decimal | None = None,
    note: str = "",
    evidence_url: str = "",
    evidence_file: File[bytes] | None = None,
    expected_version: int | None = None,
    reason: str = "",
    analysis: str = "",
    measures: str = "",
    justification: str = "",
    submit: bool = False,
) -> IndicatorValue:
    """Create or edit the draft value of a year (registrador of the responsible directorate),
    storing the warnings it trips (progress.entry_warnings). With `submit` it is also sent to
    validation in the same transaction: refused, and nothing stored, when it has warnings and
    no justification."""
    access.require_registrar_of(user, indicator.responsible_id)
    refuse_yearly_entry(indicator.plan_id)
    data = ValueInput(
        indicator=indicator,
        numerator=numerator,
        denominator=denominator,
        value=value,
        note=note,
        analysis=analysis,
        measures=measures,
        justification=justification,
        evidence_url=evidence_url,
        evidence_file=evidence_file,
        expected_version=expected_version,
    )
    return _store_value(
        user,
        data,
        context=entry_rows.entry_row(indicator=indicator, year=year),
        years=plan_years(),
        reason=reason or "registro",
        submit=submit,
    )


def _store_value(
    user: User,
    data: ValueInput,
    *,
    context: entry_rows.EntryRow,
    years: range,
    reason: str,
    submit: bool,
    skip_unchanged: bool = False,
) -> IndicatorValue:
    """The write behind value_save and grid_save; `context` gives the previous validated
    value and the year's target the warnings are computed against."""
    indicator, year = data.indicator, context.year
    clean = clean_value(
        indicator,
        year,
        numerator=data.numerator,
        denominator=data.denominator,
        value=data.value,
        years=years,
    )
    item = IndicatorValue.objects.select_for_update().filter(indicator=indicator, year=year).first()
    if item is None:
        if data.expected_version is not None:
            raise ConflictError("Este registro fue eliminado mientras usted lo editaba.")
        item = IndicatorValue(indicator=indicator, year=year, version=0)
    else:
        check_version(item, data.expected_version, _describe_value(item))
        if item.state != WorkflowState.DRAFT:
            raise ValidationError(_locked_message(item))
    warnings = context.warnings_for(clean.value)
    justification = data.justification.strip()
    if submit and warnings and not justification:
        raise ValidationError({"justification": WARNINGS_NEED_JUSTIFICATION})
    fields: dict[str, object] = {
        "numerator": clean.numerator,
        "denominator": clean.denominator,
        "value": clean.value,
        "note": data.note,
        "analysis": data.analysis,
        "measures": data.measures,
        "justification": justification,
        "warnings": warnings,
        "evidence_url": data.evidence_url,
    }
    unchanged = (
        item.pk is not None
        and data.evidence_file is None
        and all(getattr(item, name) == new for name, new in fields.items())
    )
    if not (skip_unchanged and unchanged):
        for name, new in fields.items():
            setattr(item, name, new)
        if data.evidence_file is not None:
            item.evidence_file = data.evidence_file
        item.origin = IndicatorValue.Origin.USER
        item.source = "Registro en el sistema"
        try:
            with transaction.atomic():
                save_item(item, user, reason)
                authorship.record(item, user)
        except IntegrityError:
            raise ConflictError(
                "Otra persona registró este valor al mismo tiempo. Recargue la página para verlo."
            ) from None
    if submit:
        item = do_submit(user=user, item=item, expected_version=item.version)
    return item


class GridError(ValidationError):
    """Rows of an entry grid that could not be saved; nothing of the grid was stored. `rows`
    maps an indicator code to its messages by field ("__all__" for the row as a whole)."""

    def __init__(self, rows: dict[str, dict[str, list[str]]]) -> None:
        self.rows = rows
        super().__init__(
            {code: [m for msgs in fields.values() for m in msgs] for code, fields in rows.items()}
        )


def _by_field(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return exc.message_dict
    return {"__all__": exc.messages}


def _merge_errors(into: dict[str, list[str]], found: dict[str, list[str]]) -> dict[str, list[str]]:
    for field, messages in found.items():
        kept = into.setdefault(field, [])
        kept.extend(m for m in messages if m not in kept)
    return into


def _grid_row_problems(
    data: ValueInput, context: entry_rows.EntryRow, years: range, submit: bool
) -> dict[str, list[str]]:
    """Every problem of a grid row before anything is written: its numbers, its version, its
    state and, to send it, the justification its warnings need (_store_value stops at the
    first of these). The stored value is the one the row's context read in this transaction;
    _store_value checks again under lock when it writes."""
    found: dict[str, list[str]] = {}
    clean = None
    try:
        clean = clean_value(
            data.indicator,
            context.year,
            numerator=data.numerator,
            denominator=data.denominator,
            value=data.value,
            years=years,
        )
    except ValidationError as exc:
        _merge_errors(found, _by_field(exc))
    item = context.item
    try:
        if item is None:
            if data.expected_version is not None:
                raise ConflictError("Este registro fue eliminado mientras usted lo editaba.")
        else:
            check_version(item, data.expected_version, _describe_value(item))
            if item.state != WorkflowState.DRAFT:
                raise ValidationError(_locked_message(item))
    except ValidationError as exc:
        _merge_errors(found, _by_field(exc))
    if (
        submit
        and clean is not None
        and not data.justification.strip()
        and context.warnings_for(clean.value)
    ):
        _merge_errors(found, {"justification": [WARNINGS_NEED_JUSTIFICATION]})
    return found


@transaction.atomic
def grid_save(
    *,
    user: User,
    directorate: Directorate,
    year: int,
    rows: Sequence[ValueInput],
    submit: bool,
    refused: Mapping[str, Mapping[str, Sequence[str]]] | None = None,
) -> list[IndicatorValue]:
    """Save every row of a directorate's entry grid, and with `submit` send them, in one
    transaction: every row is checked first (its numbers, version, state, and the
    justification its warnings need to be sent), and any problem raises GridError with every
    problem of every row at once, nothing written.
    `refused` holds the problems the page found before (a number that does not parse): they
    are reported with the others, and every row is still checked. A draft whose content did
    not change is not written again (no new version, no history row), but is sent with the
    others."""
    access.require_registrar_of(user, directorate.pk)
    if rows:
        refuse_yearly_entry(rows[0].indicator.plan_id)
    years = plan_years()
    check_year(year, years)
    pks = {data.indicator.pk for data in rows}
    contexts = {
        row.code: row for row in entry_rows.entry_rows(directorate=directorate, year=year, pks=pks)
    }
    errors: dict[str, dict[str, list[str]]] = {}
    for code, fields in (refused or {}).items():
        _merge_errors(errors.setdefault(code, {}), {f: list(m) for f, m in fields.items()})
    for data in rows:
        context = contexts.get(data.indicator.code)
        if context is None:
            raise PermissionDenied(
                f"El indicador {data.indicator.code} no está a cargo de {directorate.code}."
            )
        found = _grid_row_problems(data, context, years, submit)
        if found:
            _merge_errors(errors.setdefault(data.indicator.code, {}), found)
    if errors:  # every problem at once, and nothing written
        raise GridError(errors)
    saved: list[IndicatorValue] = []
    for data in rows:
        try:
            with transaction.atomic():
                item = _store_value(
                    user,
                    data,
                    context=contexts[data.indicator.code],
                    years=years,
                    reason="registro (planilla)",
                    submit=submit,
                    skip_unchanged=True,
                )
        except ValidationError as exc:  # changed meanwhile (checked again under lock)
            errors[data.indicator.code] = _by_field(exc)
        else:
            saved.append(item)
    if errors:
        raise GridError(errors)
    return saved


def _locked_message(item: WorkflowItem) -> str:
    if item.state == WorkflowState.VALIDATED:
        return (
            "Este registro está validado y bloqueado: solo la oficina de planeamiento puede "
            "reabrirlo, indicando el motivo."
        )
    return "Este registro fue enviado a validación: no puede editarse hasta que sea devuelto."


# --- workflow transitions (values and action reports) -------------------------------------


def _owners(item: WorkflowRecord) -> int | None:
    if isinstance(item, IndicatorValue):
        return item.indicator.responsible_id
    return item.directorate_id


def _describe(item: WorkflowRecord) -> str:
    if isinstance(item, IndicatorValue):
        return _describe_value(item)
    return f"{item.get_execution_display()}, {numbers.format_number(item.percent)} %"


def _locked(model: type[_Item], item: _Item) -> _Item:
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


def _require_justification(item: WorkflowRecord) -> None:
    """A value that tripped warnings is sent only with the registrar's justification."""
    if isinstance(item, IndicatorValue) and item.warnings and not item.justification.strip():
        raise ValidationError({"justification": WARNINGS_NEED_JUSTIFICATION})


@transaction.atomic
def do_submit(*, user: User, item: _Item, expected_version: int | None) -> _Item:
    item = _locked(type(item), item)
    access.require_registrar_of(user, _owners(item))
    check_version(item, expected_version, _describe(item))
    _require_state(item, WorkflowState.DRAFT, "enviar")
    _require_justification(item)
    item.state = WorkflowState.SUBMITTED
    item.submitted_by, item.submitted_at = user, timezone.now()
    save_item(item, user, "enviado a validación")
    authorship.record(item, user)
    notifications.submitted([item], by=user)
    return item


@transaction.atomic
def do_validate(*, user: User, item: _Item, expected_version: int | None) -> _Item:
    item = _locked(type(item), item)
    access.require_validator(user)
    check_version(item, expected_version, _describe(item))
    _require_state(item, WorkflowState.SUBMITTED, "validar")
    authorship.require_other_person(user, item)
    item.state = WorkflowState.VALIDATED
    item.validated_by, item.validated_at = user, timezone.now()
    item.return_reason = ""
    save_item(item, user, "validado")
    authorship.clear(item)
    notifications.validated(item)
    return item


def _back_to_draft(
    user: User,
    item: _Item,
    reason: str,
    expected_version: int | None,
    *,
    from_state: str,
    verb: str,
    label: str,
) -> _Item:
    """The planning office sends an item back to its directorate, always with a reason. Who
    shaped the content stays recorded (indicators.authorship): returning is not validating,
    and returning one's own work does not let one validate it after a colleague re-sends it."""
    item = _locked(type(item), item)
    access.require_validator(user)
    reason = _require_reason(reason)
    check_version(item, expected_version, _describe(item))
    _require_state(item, from_state, verb)
    item.state = WorkflowState.DRAFT
    item.return_reason = reason
    item.validated_by, item.validated_at = None, None
    save_item(item, user, f"{label}: {reason}")
    return item


@transaction.atomic
def do_return(*, user: User, item: _Item, reason: str, expected_version: int | None) -> _Item:
    item = _back_to_draft(
        user,
        item,
        reason,
        expected_version,
        from_state=WorkflowState.SUBMITTED,
        verb="devolver",
        label="devuelto",
    )
    notifications.returned(item, item.return_reason)
    return item


@transaction.atomic
def do_reopen(*, user: User, item: _Item, reason: str, expected_version: int | None) -> _Item:
    """Unlock a validated item (only the planning office, with a reason)."""
    item = _back_to_draft(
        user,
        item,
        reason,
        expected_version,
        from_state=WorkflowState.VALIDATED,
        verb="reabrir",
        label="reabierto",
    )
    # The directorate has work again: its submitter hears why, as with a return.
    notifications.returned(item, item.return_reason, reopened=True)
    return item


@transaction.atomic
def do_withdraw(*, user: User, item: _Item, expected_version: int | None) -> _Item:
    """«Retirar envío»: whoever submitted an item takes it back to draft before the planning
    office validates it (to correct something they noticed after sending it)."""
    item = _locked(type(item), item)
    access.require_registrar_of(user, _owners(item))
    check_version(item, expected_version, _describe(item))
    _require_state(item, WorkflowState.SUBMITTED, "retirar el envío de")
    if item.submitted_by_id != user.pk:
        audit.warning(
            "permission_denied",
            extra={"user": user.get_username(), "rule": "withdraw_own_submission", "id": item.pk},
        )
        raise PermissionDenied("Solo quien envió el registro puede retirar el envío.")
    item.state = WorkflowState.DRAFT
    item.submitted_by, item.submitted_at = None, None
    save_item(item, user, "envío retirado")
    return item


def item_label(item: WorkflowRecord) -> str:
    """How a message names an item: «OE3.1 2016», «AE 3.1 · DGC · 2016»."""
    if isinstance(item, IndicatorValue):
        return f"{item.indicator.code} {item.year}"
    return str(item)


@dataclass
class BulkValidation(Generic[_Item]):
    """What validate_many did: the items validated, and each item it skipped (by its label,
    item_label) with the reasons."""

    done: list[_Item]
    skipped: dict[str, list[str]]


@transaction.atomic
def validate_many(
    *, user: User, items_with_versions: Sequence[tuple[_Item, int | None]]
) -> BulkValidation[_Item]:
    """Validate several items at once: each that may be validated is (each in its own
    savepoint), and each refused (changed since it was read, not submitted, shaped by this
    person: four eyes) is skipped with its reasons, so one such item does not sink the rest."""
    access.require_validator(user)
    result: BulkValidation[_Item] = BulkValidation(done=[], skipped={})
    for item, version in items_with_versions:
        try:
            with transaction.atomic():
                result.done.append(do_validate(user=user, item=item, expected_version=version))
        except ValidationError as exc:
            result.skipped[item_label(item)] = exc.messages
    return result


# Called with keyword arguments only; return and reopen also take a `reason`.
TRANSITIONS: dict[str, Callable[..., WorkflowRecord]] = {
    "submit": do_submit,
    "validate": do_validate,
    "return": do_return,
    "reopen": do_reopen,
}


# --- strategic action reports -------------------------------------------------------------


@transaction.atomic
def report_save(
    *,
    user: User,
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
            save_item(item, user, "registro")
            authorship.record(item, user)
    except IntegrityError:
        raise ConflictError(
            "Otra persona registró este reporte al mismo tiempo. Recargue la página para verlo."
        ) from None
    return item
