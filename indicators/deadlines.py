"""The reporting calendar of the shown plan: by when each year's values and action reports
are due (a semestral plan: each semester's values), and how late an item is. One query for all
periods; the planning office edits the dates in the app (ReportingDeadline); a period without
a row is due on its default date: a year and its S2 on 31 March of the next year, an S1 on 31
July of its year."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.utils import timezone

from indicators.models import ReportingDeadline
from objectives import plans
from objectives.models import PlanVersion

# Reminders go out for plan years due within this many days, or already past due.
REMIND_DAYS_AHEAD = 15


def default_due_date(year: int, semester: int = 0) -> date:
    if semester == 1:
        return date(year, 7, 31)
    return date(year + 1, 3, 31)


@dataclass(frozen=True)
class Deadline:
    year: int
    due: date
    custom: bool  # set by the planning office, not the default
    semester: int = 0  # 0: the year; 1, 2: a semestral plan's semester

    @property
    def period(self) -> str:
        """«2024», or «2024-S1» for a semester."""
        return f"{self.year}-S{self.semester}" if self.semester else str(self.year)

    def days_overdue(self, today: date) -> int:
        """Days past the due date (0 on or before it)."""
        return max((today - self.due).days, 0)

    def days_left(self, today: date) -> int:
        return max((self.due - today).days, 0)

    @property
    def closes(self) -> datetime:
        """The end of the due date in Lima: the targets approved by then are the year's
        (IndicatorFacts.as_approved_at); a revision approved later leaves the year's figures,
        report and tablero as they were."""
        return timezone.make_aware(datetime.combine(self.due + timedelta(days=1), time.min))


def deadlines(years: Iterable[int]) -> dict[int, Deadline]:
    """The shown plan's years (one query)."""
    wanted = list(years)
    custom = dict(
        ReportingDeadline.objects.filter(
            plan=plans.shown_plan(), semester=0, year__in=wanted
        ).values_list("year", "due_date")
    )
    return {y: Deadline(y, custom.get(y) or default_due_date(y), y in custom) for y in wanted}


def semester_deadlines(years: Iterable[int]) -> dict[tuple[int, int], Deadline]:
    """The shown plan's semesters of these years, S1 and S2 (one query)."""
    wanted = list(years)
    custom = {
        (y, s): due
        for y, s, due in ReportingDeadline.objects.filter(
            plan=plans.shown_plan(), semester__in=[1, 2], year__in=wanted
        ).values_list("year", "semester", "due_date")
    }
    return {
        (y, s): Deadline(
            y, custom.get((y, s)) or default_due_date(y, s), (y, s) in custom, semester=s
        )
        for y in wanted
        for s in (1, 2)
    }


def read_at(years: Iterable[int]) -> dict[int, datetime]:
    """The moment each year's figures are read at: the targets approved by then are the
    year's (IndicatorFacts.as_approved_at). The close of its deadline; for a year that an
    ampliación approved later added to the horizon, the moment of that approval (before it,
    the year was no part of the plan). Two queries; the shown plan's versions."""
    wanted = list(years)
    # Approved versions in the order they took effect; one loaded as approved first.
    versions = sorted(
        PlanVersion.objects.filter(plan=plans.shown_plan(), state__in=plans.APPROVED).values_list(
            "horizon_end", "decided_at"
        ),
        key=lambda v: (v[1] is not None, v[1] or datetime.min.replace(tzinfo=UTC)),
    )
    moments = {}
    for year, d in deadlines(wanted).items():
        reached = next((at for end, at in versions if end >= year), None)
        moments[year] = max(d.closes, reached) if reached else d.closes
    return moments


def deadline(year: int) -> Deadline:
    return deadlines([year])[year]


def today() -> date:
    """Today in Lima (settings.TIME_ZONE)."""
    return timezone.localdate()
