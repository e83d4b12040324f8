"""Writes of the reporting calendar: the planning office sets the date by which a plan year's
values and action reports are due (ReportingDeadline; reads in indicators.deadlines)."""

from __future__ import annotations

import logging
from datetime import date

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from indicators import access, services
from indicators.models import ReportingDeadline, TargetRevision
from indicators.workflow import status
from objectives import plans
from objectives.models import Plan

audit = logging.getLogger("pesem.audit")

# A due date more than this many years after its plan year is taken for a typing mistake.
LATEST_YEARS_AFTER = 5


@transaction.atomic
def deadline_set(
    *, user: User, year: int, due_date: date, reason: str, semester: int = 0
) -> ReportingDeadline:
    """Set (or change) the due date of a period of the shown plan (a year, or a semestral
    plan's semester); only the planning office, with a reason. The change is kept in the
    deadline's history (who, when, before, after, why)."""
    access.require_validator(user)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Indique el motivo."})
    plan = Plan.objects.get(code=plans.shown_code())
    if semester not in (0, 1, 2):
        raise ValidationError({"semester": "El periodo es el año, S1 o S2."})
    if semester and plan.frequency != Plan.Frequency.SEMESTER:
        raise ValidationError(
            {"semester": f"El plan {plan.code} se sigue por año: no tiene semestres."}
        )
    services.check_year(year, services.plan_years())
    if due_date < date(year, 1, 1):
        raise ValidationError(
            {"due_date": f"La fecha límite de {year} no puede ser anterior al inicio de ese año."}
        )
    if due_date.year > year + LATEST_YEARS_AFTER:
        raise ValidationError(
            {
                "due_date": f"La fecha límite de {year} no puede ser posterior al "
                f"31/12/{year + LATEST_YEARS_AFTER}."
            }
        )
    deadline = (
        ReportingDeadline.objects.select_for_update()
        .filter(plan=plan, year=year, semester=semester)
        .first()
    )
    previous = deadline.due_date if deadline else None
    if deadline is None:
        deadline = ReportingDeadline(plan=plan, year=year, semester=semester)
    deadline.due_date = due_date
    deadline.updated_by = user
    services.note_history(deadline, user, reason)
    try:
        with transaction.atomic():
            deadline.save()
    except IntegrityError:
        raise services.ConflictError(
            "Otra persona fijó la fecha de este periodo al mismo tiempo. Recargue la página para "
            "verla."
        ) from None
    # A year's figures use the targets in force at its deadline (deadlines.Deadline.closes):
    # a moved deadline may take in, or leave out, a revision approved in between.
    revised = (
        TargetRevision.objects.filter(state=TargetRevision.State.APPROVED, indicator__plan=plan)
        .exclude(reason=TargetRevision.Reason.CORRECTION)
        .values_list("indicator_id", flat=True)
        .distinct()
    )
    if revised:
        status.refresh(list(revised))
    audit.info(
        "write",
        extra={
            "user": user.get_username(),
            "what": "reporting_deadline",
            "id": deadline.pk,
            "plan": plan.code,
            "year": year,
            "semester": semester,
            "before": previous.isoformat() if previous else None,
            "due_date": due_date.isoformat(),
            "reason": reason,
        },
    )
    return deadline
