"""The reporting calendar: by when each plan year's values and action reports are due, and
how late an item is. One query for all years; the planning office edits the dates in the app
(ReportingDeadline); a year without a row is due on 31 March of the next year."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from indicators.models import ReportingDeadline

# Reminders go out for plan years due within this many days, or already past due.
REMIND_DAYS_AHEAD = 15


def default_due_date(year: int) -> date:
    return date(year + 1, 3, 31)


@dataclass(frozen=True)
class Deadline:
    year: int
    due: date
    custom: bool  # set by the planning office, not the default

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
    wanted = list(years)
    custom = dict(ReportingDeadline.objects.filter(year__in=wanted).values_list("year", "due_date"))
    return {y: Deadline(y, custom.get(y) or default_due_date(y), y in custom) for y in wanted}


def deadline(year: int) -> Deadline:
    return deadlines([year])[year]


def today() -> date:
    """Today in Lima (settings.TIME_ZONE)."""
    return timezone.localdate()
