"""A semestral plan's values per semester (SemesterValue): the unit's grid for a period reads
them here, and every write goes through these services (lock, version, four eyes, history
with the acting user, audit line). Once a semester is validated, its year's value
(IndicatorValue) becomes the indicator's aggregation of the year's validated semesters
(progress.yearly_value), so the yearly pages, reports and API read semestral plans as any
other. The arithmetic is in progress.py."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from indicators import access, authorship, progress, selectors, services
from indicators.mail import notifications
from indicators.models import Indicator, IndicatorValue, SemesterValue, WorkflowState
from lib import numbers
from objectives import plans
from objectives.models import Directorate, Plan
from objectives.ordering import indicator_key

User = AbstractBaseUser | AnonymousUser

NOT_SEMESTRAL = "El plan {code} se sigue por año: no tiene semestres."
LOCKED = "{label}: el valor fue enviado o validado y ya no se edita aquí."


def period_label(year: int, semester: int) -> str:
    return f"{year}-S{semester}"


def check_period(plan: Plan, year: int, semester: int) -> None:
    """A semester of a semestral plan, inside its horizon; Spanish refusals otherwise."""
    if plan.frequency != Plan.Frequency.SEMESTER:
        raise ValidationError(NOT_SEMESTRAL.format(code=plan.code))
    if semester not in (1, 2):
        raise ValidationError("El semestre es 1 o 2 (S1 o S2).")
    services.check_year(year, plan.years)


@dataclass
class SemesterRow:
    """An indicator the unit owes in the semester: what is stored, both semesters' values (for
    the year's value so far), the target of the year and the semester's progress against
    it."""

    indicator: Indicator
    item: SemesterValue | None
    semesters: list[Decimal | None]
    target: Decimal | None
    achievement: progress.Achievement
    reading: str
    typed: str = ""
    typed_note: str = ""
    error: str = ""

    @property
    def editable(self) -> bool:
        return self.item is None or self.item.state == WorkflowState.DRAFT

    @property
    def shown_value(self) -> str:
        if self.item is None or self.item.value is None:
            return ""
        return numbers.format_for(self.indicator, self.item.value)

    @property
    def so_far(self) -> str:
        """The year's value so far, as the progress reads it."""
        semester = self.item.semester if self.item else len(self.semesters)
        value = progress.yearly_value(self.semesters[:semester], self.indicator.aggregation)
        return "" if value is None else numbers.format_for(self.indicator, value)


def semester_rows(directorate: Directorate, year: int, semester: int) -> list[SemesterRow]:
    """The unit's indicators in the shown plan, in the plan's order, with the semester's
    stored value and progress. Four queries whatever their number (the indicators, their
    semester values, their targets' reads)."""
    indicators = list(Indicator.objects.filter(plan=plans.shown_plan(), responsible=directorate))
    indicators.sort(key=lambda i: indicator_key(i.level, i.code))
    stored: dict[tuple[int, int], SemesterValue] = {
        (v.indicator_id, v.semester): v
        for v in SemesterValue.objects.filter(indicator__in=indicators, year=year)
    }
    facts = {
        f.indicator.pk: f
        for f in selectors.indicator_facts_list(
            queryset=selectors.indicator_queryset().filter(pk__in=[i.pk for i in indicators])
        )
    }
    rows = []
    for indicator in indicators:
        values = [
            stored[(indicator.pk, s)].value if (indicator.pk, s) in stored else None for s in (1, 2)
        ]
        found = facts.get(indicator.pk)
        target = found.target_for(year) if found else None
        target_value = target.value if target else None
        rows.append(
            SemesterRow(
                indicator=indicator,
                item=stored.get((indicator.pk, semester)),
                semesters=values,
                target=target_value,
                achievement=progress.semester_achievement(
                    values, semester, indicator.aggregation, target_value, indicator.direction
                ),
                reading=progress.SEMESTER_READING[progress.Aggregation(indicator.aggregation)],
            )
        )
    return rows


# --- writes -------------------------------------------------------------------------------


class SemesterError(ValidationError):
    """Problems of a save, by indicator id: nothing was stored."""

    def __init__(self, rows: dict[int, str]):
        self.rows = rows
        super().__init__(list(rows.values()))


@dataclass(frozen=True)
class SemesterInput:
    indicator_id: int
    text: str
    note: str
    version: int | None


def _describe(item: SemesterValue) -> str:
    if item.value is None:
        return "sin valor"
    return numbers.format_for(item.indicator, item.value)


@transaction.atomic
def semester_save(
    *,
    user: User,
    plan: Plan,
    directorate: Directorate,
    year: int,
    semester: int,
    rows: list[SemesterInput],
    submit: bool = False,
) -> list[SemesterValue]:
    """Store the semester's values typed by the unit's registrar, as drafts, or sent to
    validation with `submit`. Every problem is reported at once (SemesterError, in Spanish)
    and then nothing is stored. A row typed as it is stored is left alone."""
    check_period(plan, year, semester)
    access.require_registrar_of(user, directorate.pk)
    own = {
        i.pk: i
        for i in Indicator.objects.filter(
            plan=plan, responsible=directorate, pk__in=[r.indicator_id for r in rows]
        )
    }
    period = period_label(year, semester)
    locked = {
        v.indicator_id: v
        for v in SemesterValue.objects.select_for_update().filter(
            indicator__in=list(own), year=year, semester=semester
        )
    }
    problems: dict[int, str] = {}
    changes: list[tuple[SemesterValue, Decimal | None, str]] = []
    for row in rows:
        indicator = own.get(row.indicator_id)
        if indicator is None:
            problems[row.indicator_id] = "El indicador no está a cargo de la unidad en este plan."
            continue
        label = f"{indicator.code} {period}"
        try:
            value = services.parse_decimal(row.text, label, **services.VALUE_LIMITS)
        except ValidationError as exc:
            problems[indicator.pk] = exc.messages[0]
            continue
        note = row.note.strip()
        item = locked.get(indicator.pk)
        if item is None:
            if value is None and not note:
                continue
            item = SemesterValue(
                indicator=indicator, year=year, semester=semester, version=0, value=None
            )
        else:
            if row.version is not None and item.version != row.version:
                try:
                    services.check_version(item, row.version, _describe(item))
                except ValidationError as exc:
                    problems[indicator.pk] = f"{label}: {exc.messages[0]}"
                    continue
            same = item.value == value and item.note == note
            if item.state != WorkflowState.DRAFT:
                if not same:
                    problems[indicator.pk] = LOCKED.format(label=label)
                continue
            if same and not submit:
                continue
        if submit and value is None:
            problems[indicator.pk] = f"{label}: escriba el valor para enviarlo."
            continue
        changes.append((item, value, note))
    if problems:
        raise SemesterError(problems)
    saved = []
    now = timezone.now()
    for item, value, note in changes:
        item.value, item.note = value, note
        reason = "registro del semestre"
        if submit:
            item.state = WorkflowState.SUBMITTED
            item.submitted_by, item.submitted_at = user, now
            reason = "enviado a validación"
        services.save_item(item, user, reason)
        authorship.record(item, user)
        saved.append(item)
    if submit:
        notifications.submitted(saved, by=user)  # the validators' digest of the queue
    return saved


def _locked(item: SemesterValue, expected_version: int | None) -> SemesterValue:
    found = SemesterValue.objects.select_for_update().select_related("indicator").get(pk=item.pk)
    services.check_version(found, expected_version, _describe(found))
    return found


@transaction.atomic
def semester_validate(
    *, user: User, item: SemesterValue, expected_version: int | None
) -> SemesterValue:
    """The planning office validates a sent semester (not one its validator shaped: four
    eyes), and the year's value becomes the aggregation of the year's validated semesters."""
    access.require_validator(user)
    item = _locked(item, expected_version)
    if item.state != WorkflowState.SUBMITTED:
        raise ValidationError(
            f"No se puede validar un registro en estado «{item.get_state_display()}»."
        )
    authorship.require_other_person(user, item)
    item.state = WorkflowState.VALIDATED
    item.validated_by, item.validated_at = user, timezone.now()
    item.return_reason = ""
    services.save_item(item, user, "validado")
    authorship.clear(item)
    settle_year(item.indicator, item.year, user)
    notifications.validated(item)
    return item


@transaction.atomic
def semester_return(
    *, user: User, item: SemesterValue, reason: str, expected_version: int | None
) -> SemesterValue:
    """The planning office sends a sent semester back to its unit, always with a reason."""
    access.require_validator(user)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Indique el motivo de la devolución.")
    item = _locked(item, expected_version)
    if item.state != WorkflowState.SUBMITTED:
        raise ValidationError(
            f"No se puede devolver un registro en estado «{item.get_state_display()}»."
        )
    item.state = WorkflowState.DRAFT
    item.return_reason = reason
    item.submitted_by, item.submitted_at = None, None
    services.save_item(item, user, f"devuelto: {reason}")
    notifications.returned(item, reason)
    return item


@transaction.atomic
def semester_reopen(
    *, user: User, item: SemesterValue, reason: str, expected_version: int | None
) -> SemesterValue:
    """The planning office reopens a validated semester, always with a reason: it goes back
    to its unit as a draft, and the year's value is the aggregation of the semesters still
    validated (none: the year has no value)."""
    access.require_validator(user)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Indique el motivo de la reapertura.")
    item = _locked(item, expected_version)
    if item.state != WorkflowState.VALIDATED:
        raise ValidationError(
            f"No se puede reabrir un registro en estado «{item.get_state_display()}»."
        )
    item.state = WorkflowState.DRAFT
    item.return_reason = reason
    item.submitted_by, item.submitted_at = None, None
    item.validated_by, item.validated_at = None, None
    services.save_item(item, user, f"reabierto: {reason}")
    settle_year(item.indicator, item.year, user)
    notifications.returned(item, reason, reopened=True)
    return item


def settle_year(indicator: Indicator, year: int, user: User) -> IndicatorValue | None:
    """The year's value of a semestral indicator: its validated semesters (S1, S2) by its
    aggregation (último valor, suma, promedio), stored as the validated value of the year
    with who validated and why; the statuses follow (indicators.workflow.status, on save)."""
    semesters = dict(
        SemesterValue.objects.filter(
            indicator=indicator, year=year, state=WorkflowState.VALIDATED
        ).values_list("semester", "value")
    )
    value = progress.yearly_value([semesters.get(1), semesters.get(2)], indicator.aggregation)
    item = IndicatorValue.objects.select_for_update().filter(indicator=indicator, year=year).first()
    if value is None:
        if item is not None and item.value is not None:
            # No semester validated any more (one was reopened): the year has no value.
            item.value = item.numerator = item.denominator = None
            item.state = WorkflowState.DRAFT
            item.validated_by, item.validated_at = None, None
            item.note = "Sin semestres validados: el año no tiene valor."
            services.save_item(item, user, "sin semestres validados")
        return item
    if item is None:
        item = IndicatorValue(indicator=indicator, year=year, version=0)
    listed = " y ".join(f"S{s}" for s in sorted(semesters))
    aggregation = progress.Aggregation(indicator.aggregation)
    item.value = value
    item.numerator = item.denominator = None
    item.note = f"Valor del año a partir de {listed} validados ({aggregation.value})."
    item.state = WorkflowState.VALIDATED
    item.validated_by = user if user.is_authenticated else None
    item.validated_at = timezone.now()
    services.save_item(item, user, "valor anual de los semestres validados")
    return item
