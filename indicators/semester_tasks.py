"""«Mis tareas» of a semestral plan, per period: a unit's semesters to enter (due, or due
within deadlines.REMIND_DAYS_AHEAD days) and those the planning office has to validate. The
PESEM is followed by year: no query for it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from indicators import deadlines, services
from indicators.models import Indicator, SemesterValue, WorkflowState
from objectives import plans
from objectives.models import Directorate


@dataclass(frozen=True)
class SemesterTask:
    """A unit's semester: how many of its indicators have no value sent yet, how many of
    those are drafts and how many came back from the planning office."""

    deadline: deadlines.Deadline
    owed: int
    drafts: int
    returned: int
    today: date

    @property
    def overdue(self) -> bool:
        return self.deadline.due < self.today


@dataclass(frozen=True)
class SemesterQueue:
    """A unit's semester with values sent for validation."""

    unit: Directorate
    year: int
    semester: int
    waiting: int

    @property
    def period(self) -> str:
        return f"{self.year}-S{self.semester}"


def registrar_tasks(*, directorate: Directorate, today: date) -> list[SemesterTask]:
    """The unit's semesters of the shown plan that are due (or due within the reminder's
    days) and still owe a value sent to validation: three queries."""
    if services.shown_semestral_code() is None:
        return []
    indicators = list(
        Indicator.objects.filter(plan=plans.shown_plan(), responsible=directorate).values_list(
            "pk", flat=True
        )
    )
    if not indicators:
        return []
    horizon = services.plan_years()
    soon = [
        d
        for d in deadlines.semester_deadlines(horizon).values()
        if d.due <= date.fromordinal(today.toordinal() + deadlines.REMIND_DAYS_AHEAD)
    ]
    sent, drafts, returned = Counter(), Counter(), Counter()
    for year, semester, state, reason in SemesterValue.objects.filter(
        indicator__in=indicators, year__in={d.year for d in soon}
    ).values_list("year", "semester", "state", "return_reason"):
        key = (year, semester)
        if state != WorkflowState.DRAFT:
            sent[key] += 1
        elif reason:
            returned[key] += 1
        else:
            drafts[key] += 1
    tasks = []
    for d in soon:
        key = (d.year, d.semester)
        owed = len(indicators) - sent[key]
        if owed:
            tasks.append(SemesterTask(d, owed, drafts[key], returned[key], today))
    return tasks


def validator_queues() -> list[SemesterQueue]:
    """The shown plan's semesters with values waiting for validation, by unit: one query."""
    if services.shown_semestral_code() is None:
        return []
    waiting = Counter(
        SemesterValue.objects.filter(
            state=WorkflowState.SUBMITTED, indicator__plan=plans.shown_plan()
        ).values_list("indicator__responsible", "year", "semester")
    )
    units = Directorate.objects.in_bulk({unit for unit, _, _ in waiting})
    return [
        SemesterQueue(units[unit], year, semester, count)
        for (unit, year, semester), count in sorted(waiting.items(), key=lambda w: w[0][1:])
        if unit in units
    ]
