"""Writes of the report's conclusions and recommendations (ReportConclusion, section 4 of the
monitoring report), with the same rules as every other write (indicators.services): the
planning office only, one transaction, the row locked, the version the form was read at
checked, a history record with the user and the reason, an audit line.

The text goes through the same states as values and action reports (draft, submitted,
validated; returned or reopened with a reason), but the generic transitions of
indicators.services do not fit it: there a registrar of the owning directorate submits and
the submitter is mailed about the outcome, while here one member of the planning office
writes and submits and ANOTHER validates (four eyes, the same rule as values: whoever wrote
or submitted the current text since its last validation cannot validate it, returns and
reopenings included; indicators.authorship). Only the validated text goes into the report's
files.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from indicators import access, authorship, services
from indicators.models import ReportConclusion, WorkflowState
from objectives import plans
from objectives.models import Plan

audit = logging.getLogger("pesem.audit")

MAX_TEXT = 20_000
WRITTEN = "redacción"
SUBMITTED = "enviado a validación"
VALIDATED = "validado"
# The same history prefixes as services._back_to_draft (inbox.py reads them).
RETURNED = "devuelto"
REOPENED = "reabierto"


def _describe(item: ReportConclusion) -> str:
    text = " ".join((item.conclusions or item.recommendations).split())
    return f"«{text[:80]}{'…' if len(text) > 80 else ''}»" if text else "(sin texto)"


def _save(item: ReportConclusion, user: User, reason: str) -> None:
    item.version += 1
    item.updated_by = user
    services.note_history(item, user, reason)
    item.save()
    audit.info(
        "write",
        extra={
            "user": user.get_username(),
            "what": "report_conclusion",
            "id": item.pk,
            "year": item.year,
            "state": item.state,
            "version": item.version,
            "reason": reason,
        },
    )


def _locked(item: ReportConclusion) -> ReportConclusion:
    return ReportConclusion.objects.select_for_update().get(pk=item.pk)


def _require_state(item: ReportConclusion, expected: str, verb: str) -> None:
    if item.state != expected:
        raise ValidationError(
            f"No se pueden {verb} unas conclusiones en estado «{item.get_state_display()}»."
        )


def _clean(text: str, label: str) -> str:
    text = (text or "").strip()
    if len(text) > MAX_TEXT:
        raise ValidationError({label: f"Máximo {MAX_TEXT:,} caracteres."})
    return text


@transaction.atomic
def conclusion_save(
    *,
    user: User,
    year: int,
    conclusions: str,
    recommendations: str,
    expected_version: int | None,
) -> ReportConclusion:
    """Write (or rewrite) the draft of a year's conclusions and recommendations."""
    access.require_validator(user)
    services.check_year(year, services.plan_years())
    conclusions = _clean(conclusions, "conclusions")
    recommendations = _clean(recommendations, "recommendations")
    if not conclusions and not recommendations:
        raise ValidationError({"conclusions": "Escriba las conclusiones o las recomendaciones."})
    plan = Plan.objects.get(code=plans.shown_code())  # the report's plan
    item = ReportConclusion.objects.select_for_update().filter(plan=plan, year=year).first()
    if item is None:
        if expected_version is not None:
            raise services.ConflictError("Este registro fue eliminado mientras usted lo editaba.")
        item = ReportConclusion(plan=plan, year=year, version=0)
    else:
        services.check_version(item, expected_version, _describe(item))
        if item.state != WorkflowState.DRAFT:
            raise ValidationError(
                "Las conclusiones están enviadas o validadas: devuélvalas o reábralas, con un "
                "motivo, antes de modificarlas."
            )
    item.conclusions, item.recommendations = conclusions, recommendations
    try:
        with transaction.atomic():
            _save(item, user, WRITTEN)
            authorship.record(item, user)
    except IntegrityError:
        raise services.ConflictError(
            "Otra persona registró las conclusiones de este año al mismo tiempo. Recargue la "
            "página para verlas."
        ) from None
    return item


@transaction.atomic
def conclusion_submit(
    *, user: User, item: ReportConclusion, expected_version: int | None
) -> ReportConclusion:
    item = _locked(item)
    access.require_validator(user)
    services.check_version(item, expected_version, _describe(item))
    _require_state(item, WorkflowState.DRAFT, "enviar")
    item.state = WorkflowState.SUBMITTED
    item.submitted_by, item.submitted_at = user, timezone.now()
    _save(item, user, SUBMITTED)
    authorship.record(item, user)
    return item


@transaction.atomic
def conclusion_validate(
    *, user: User, item: ReportConclusion, expected_version: int | None
) -> ReportConclusion:
    item = _locked(item)
    access.require_validator(user)
    services.check_version(item, expected_version, _describe(item))
    _require_state(item, WorkflowState.SUBMITTED, "validar")
    authorship.require_other_person(user, item)
    item.state = WorkflowState.VALIDATED
    item.validated_by, item.validated_at = user, timezone.now()
    item.return_reason = ""
    _save(item, user, VALIDATED)
    authorship.clear(item)
    return item


def _back_to_draft(
    user: User,
    item: ReportConclusion,
    reason: str,
    expected_version: int | None,
    *,
    from_state: str,
    verb: str,
    label: str,
) -> ReportConclusion:
    item = _locked(item)
    access.require_validator(user)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Indique el motivo."})
    services.check_version(item, expected_version, _describe(item))
    _require_state(item, from_state, verb)
    item.state = WorkflowState.DRAFT
    item.return_reason = reason
    item.validated_by, item.validated_at = None, None
    _save(item, user, f"{label}: {reason}")
    return item


@transaction.atomic
def conclusion_return(
    *, user: User, item: ReportConclusion, reason: str, expected_version: int | None
) -> ReportConclusion:
    """Send submitted conclusions back to draft, with a reason."""
    return _back_to_draft(
        user,
        item,
        reason,
        expected_version,
        from_state=WorkflowState.SUBMITTED,
        verb="devolver",
        label=RETURNED,
    )


@transaction.atomic
def conclusion_reopen(
    *, user: User, item: ReportConclusion, reason: str, expected_version: int | None
) -> ReportConclusion:
    """Unlock validated conclusions, with a reason; they leave the report's files until they
    are validated again."""
    return _back_to_draft(
        user,
        item,
        reason,
        expected_version,
        from_state=WorkflowState.VALIDATED,
        verb="reabrir",
        label=REOPENED,
    )


# Called with keyword arguments only; return and reopen also take a `reason`.
TRANSITIONS: dict[str, Callable[..., ReportConclusion]] = {
    "submit": conclusion_submit,
    "validate": conclusion_validate,
    "return": conclusion_return,
    "reopen": conclusion_reopen,
}
NEEDS_REASON = frozenset({"return", "reopen"})
