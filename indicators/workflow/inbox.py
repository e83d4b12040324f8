"""«Mis tareas»: what a person has to do now, across every plan year.

A registrar's tasks are their directorate's: items the planning office sent back (returned, or
reopened after validation: a draft with a reason), drafts not yet sent, and what is not entered
at all (values of the indicators it is responsible for, reports of the main actions it is
responsible for, Cuadro 6) for the plan years that are due: the deadline is at most
OWED_DAYS_AHEAD days away or past, and the year is not after the one being reported now. A
validator's tasks are the submitted values and reports, by directorate, oldest first.

`open_task_count` is the number on the menu's badge, with the same rules as the page: returned
+ drafts + not entered in an overdue year for a registrar; submitted for a validator.

Every read runs a fixed number of queries whatever the plan's size or the number of items.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.auth.models import User as AuthUser
from django.db.models import F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from indicators import access, authorship, deadlines, semester_tasks, services
from indicators.models import (
    ActionReport,
    Indicator,
    IndicatorValue,
    ReportingDeadline,
    WorkflowState,
)
from objectives import plans
from objectives.models import Directorate, Plan, Role, StrategicAction

User = AbstractBaseUser | AnonymousUser

# Not-entered items show up this many days before their year's deadline.
OWED_DAYS_AHEAD = 60
# The roles that have tasks (and a badge); others get a short page pointing to the tablero.
TASK_ROLES = frozenset({Role.REGISTRAR, Role.VALIDATOR})
# The history reasons services._back_to_draft writes when the planning office returns or
# reopens an item: how we find who sent it back, and when.
RETURN_PREFIX = "devuelto: "
REOPEN_PREFIX = "reabierto: "


def reporting_year(*, years: range, today: date) -> int | None:
    """The plan year being reported now: the one just closed (today's year - 1) while it is
    within the plan; the plan's last year once the plan is over; its first before it starts.
    None without a plan."""
    if not years:
        return None
    return min(max(today.year - 1, years.start), years.stop - 1)


@dataclass(frozen=True)
class Due:
    """A plan year's deadline as seen on `today`."""

    year: int
    due: date
    custom: bool  # set by the planning office, not the default
    days_left: int
    days_overdue: int

    @property
    def overdue(self) -> bool:
        return self.days_overdue > 0


def _due(deadline: deadlines.Deadline, today: date) -> Due:
    return Due(
        year=deadline.year,
        due=deadline.due,
        custom=deadline.custom,
        days_left=deadline.days_left(today),
        days_overdue=deadline.days_overdue(today),
    )


def due_of(*, year: int, today: date) -> Due:
    """One year's deadline: one query."""
    return _due(deadlines.deadline(year), today)


# --- a registrar's tasks ------------------------------------------------------------------


@dataclass(frozen=True)
class Task:
    """Something a directorate owes: a value of an indicator or a report of an action for a
    year, not entered (item None), in draft, or sent back."""

    kind: str  # "value" or "report"
    code: str
    name: str
    year: int
    due: Due
    item: IndicatorValue | ActionReport | None = None
    returned_by: str = ""
    returned_at: datetime | None = None
    reopened: bool = False  # sent back after validation rather than returned

    @property
    def is_value(self) -> bool:
        return self.kind == "value"


@dataclass
class YearOwed:
    """What is not entered at all for one due year."""

    due: Due
    values: list[Task] = field(default_factory=list)
    reports: list[Task] = field(default_factory=list)


@dataclass
class RegistrarInbox:
    directorate: Directorate
    returned: list[Task]
    drafts: list[Task]
    owed: list[YearOwed]  # due years with something not entered, oldest first
    dues: list[Due]  # the deadlines of the due years, oldest first

    @property
    def overdue_missing(self) -> int:
        return sum(len(y.values) + len(y.reports) for y in self.owed if y.due.overdue)

    @property
    def open_count(self) -> int:
        """What the badge counts (open_task_count)."""
        return len(self.returned) + len(self.drafts) + self.overdue_missing


def _who(user: AuthUser | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _sent_back(model: type[IndicatorValue] | type[ActionReport], ids: list[int]) -> dict[int, Any]:
    """{item id: its latest history record that returned or reopened it}: one query (none
    without ids)."""
    if not ids:
        return {}
    rows = (
        model.history.filter(id__in=ids)
        .filter(
            Q(history_change_reason__startswith=RETURN_PREFIX)
            | Q(history_change_reason__startswith=REOPEN_PREFIX)
        )
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    return {row.id: row for row in rows}  # the latest wins


def _task(
    kind: str, code: str, name: str, due: Due, item: IndicatorValue | ActionReport, back: Any
) -> Task:
    return Task(
        kind=kind,
        code=code,
        name=name,
        year=due.year,
        due=due,
        item=item,
        returned_by=_who(back.history_user) if back else "",
        returned_at=back.history_date if back else None,
        reopened=bool(back and (back.history_change_reason or "").startswith(REOPEN_PREFIX)),
    )


def due_years(dues: dict[int, Due], *, years: range, today: date) -> list[Due]:
    """The plan years whose missing items are owed now: deadline at most OWED_DAYS_AHEAD
    days away, and the year not after the one being reported (a year already overdue is owed
    whatever its number), oldest first."""
    current = reporting_year(years=years, today=today)
    horizon = today + timedelta(days=OWED_DAYS_AHEAD)
    return [
        d
        for year, d in sorted(dues.items())
        if d.overdue or (current is not None and year <= current and d.due <= horizon)
    ]


# A semestral plan's yearly values come from its semesters (its grids per period, listed by
# indicators.semester_tasks): only a yearly plan's indicators owe a yearly value.
YEARLY = Plan.Frequency.ANNUAL


def registrar_inbox(*, directorate: Directorate, years: range, today: date) -> RegistrarInbox:
    """A directorate's tasks in every plan year: at most seven queries (deadlines,
    indicators, values, actions, reports, and who sent back values and reports)."""
    dues = {y: _due(d, today) for y, d in deadlines.deadlines(years).items()}
    owed_years = due_years(dues, years=years, today=today)
    indicators = list(
        Indicator.objects.filter(
            responsible=directorate, plan=plans.shown_plan(), plan__frequency=YEARLY
        )
        .order_by("level", "order", "code")
        .only("id", "code", "name")
    )
    values = list(
        IndicatorValue.objects.filter(
            indicator__responsible=directorate,
            indicator__plan=plans.shown_plan(),
            indicator__plan__frequency=YEARLY,
            year__in=years,
        )
        .select_related("indicator")
        .order_by("year", "indicator__level", "indicator__order", "indicator__code")
    )
    # Reports are made on main actions only (the entry page refuses sub-actions).
    actions = list(
        StrategicAction.objects.filter(
            responsibles=directorate, parent=None, plan=plans.shown_plan()
        )
        .order_by("objective__number", "order")
        .only("id", "code", "name")
    )
    reports = list(
        ActionReport.objects.filter(
            directorate=directorate, action__plan=plans.shown_plan(), year__in=years
        )
        .select_related("action")
        .order_by("year", "action__objective__number", "action__order")
    )
    everything: list[IndicatorValue | ActionReport] = [*values, *reports]
    drafts = [i for i in everything if i.state == WorkflowState.DRAFT]
    back_values = _sent_back(
        IndicatorValue, [i.pk for i in drafts if i.return_reason and isinstance(i, IndicatorValue)]
    )
    back_reports = _sent_back(
        ActionReport, [i.pk for i in drafts if i.return_reason and isinstance(i, ActionReport)]
    )

    returned: list[Task] = []
    draft_tasks: list[Task] = []
    for item in drafts:
        if isinstance(item, IndicatorValue):
            task = _task(
                "value",
                item.indicator.code,
                item.indicator.name,
                dues[item.year],
                item,
                back_values.get(item.pk),
            )
        else:
            task = _task(
                "report",
                item.action.code,
                item.action.name,
                dues[item.year],
                item,
                back_reports.get(item.pk),
            )
        (returned if item.return_reason else draft_tasks).append(task)
    returned.sort(key=lambda t: (t.year, t.kind != "value"))
    draft_tasks.sort(key=lambda t: (t.year, t.kind != "value"))

    entered_values = {(v.indicator_id, v.year) for v in values}
    entered_reports = {(r.action_id, r.year) for r in reports}
    owed = []
    for due in owed_years:
        year_owed = YearOwed(
            due,
            values=[
                Task("value", i.code, i.name, due.year, due)
                for i in indicators
                if (i.pk, due.year) not in entered_values
            ],
            reports=[
                Task("report", a.code, a.name, due.year, due)
                for a in actions
                if (a.pk, due.year) not in entered_reports
            ],
        )
        if year_owed.values or year_owed.reports:
            owed.append(year_owed)
    return RegistrarInbox(
        directorate=directorate,
        returned=returned,
        drafts=draft_tasks,
        owed=owed,
        dues=owed_years,
    )


# --- a validator's tasks ------------------------------------------------------------------


@dataclass(frozen=True)
class Waiting:
    """A submitted value or report waiting for the planning office."""

    kind: str  # "value" or "report"
    code: str
    name: str
    year: int
    item: IndicatorValue | ActionReport
    submitted_by: str
    days_waiting: int | None
    # This person shaped the content (indicators.authorship): another person validates it.
    shaped: bool

    @property
    def refusal(self) -> str:
        """Why this person may not validate it, and the way out (shown when `shaped`)."""
        return authorship.refusal(type(self.item))

    @property
    def is_value(self) -> bool:
        return self.kind == "value"


@dataclass
class DirectorateQueue:
    code: str  # "" for values of indicators without a responsible directorate
    name: str
    items: list[Waiting]


_NEVER = datetime.min.replace(tzinfo=UTC)


def _oldest_first(item: IndicatorValue | ActionReport) -> tuple[bool, datetime]:
    return (item.submitted_at is None, item.submitted_at or _NEVER)


def validator_inbox(*, user: User, today: date) -> list[DirectorateQueue]:
    """Submitted values and reports by directorate; the directorate waiting longest first,
    and within each the oldest submission first; each marked when this person shaped it
    (four eyes, as services.do_validate decides): two queries."""
    values = (
        IndicatorValue.objects.filter(
            state=WorkflowState.SUBMITTED, indicator__plan=plans.shown_plan()
        )
        .select_related("indicator__responsible", "submitted_by")
        .annotate(viewer_shaped=authorship.shaped_exists(IndicatorValue, user))
    )
    reports = (
        ActionReport.objects.filter(state=WorkflowState.SUBMITTED, action__plan=plans.shown_plan())
        .select_related("action", "directorate", "submitted_by")
        .annotate(viewer_shaped=authorship.shaped_exists(ActionReport, user))
    )
    items: list[IndicatorValue | ActionReport] = [*values, *reports]
    items.sort(key=_oldest_first)
    queues: dict[str, DirectorateQueue] = {}
    for item in items:
        if isinstance(item, IndicatorValue):
            directorate = item.indicator.responsible
            kind, code, name = "value", item.indicator.code, item.indicator.name
        else:
            directorate = item.directorate
            kind, code, name = "report", item.action.code, item.action.name
        key = directorate.code if directorate else ""
        if key not in queues:
            queues[key] = DirectorateQueue(
                key,
                (directorate.name or directorate.code) if directorate else "Sin dirección",
                [],
            )
        waited = (
            (today - timezone.localtime(item.submitted_at).date()).days
            if item.submitted_at
            else None
        )
        queues[key].items.append(
            Waiting(
                kind=kind,
                code=code,
                name=name,
                year=item.year,
                item=item,
                submitted_by=_who(item.submitted_by),
                days_waiting=waited,
                shaped=item.viewer_shaped,
            )
        )
    return list(queues.values())  # in order of each directorate's oldest item


# --- the badge ----------------------------------------------------------------------------


def _count(queryset: QuerySet[Any]) -> Subquery:
    """COUNT(*) of `queryset` as a scalar subquery (correlated when it uses OuterRef)."""
    return Subquery(
        queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n"),
        output_field=IntegerField(),
    )


def _registrar_open_count(*, user: AuthUser, years: range, today: date) -> int:
    """Returned + drafts + not entered in an overdue year, of the user's directorate: one
    query (counts as subqueries of the directorate row), whatever the plan's size."""
    if not years:
        return 0
    plan_years = list(years)
    # A year is overdue once its deadline has passed: the planning office's date where it
    # set one (ReportingDeadline), else the default (indicators.deadlines).
    default_overdue = [y for y in plan_years if deadlines.default_due_date(y) < today]
    custom = ReportingDeadline.objects.filter(
        plan=plans.shown_plan(), semester=0, year__in=plan_years
    )
    overdue_year = Q(year__in=custom.filter(due_date__lt=today).values("year")) | (
        Q(year__in=default_overdue) & ~Q(year__in=custom.values("year"))
    )
    directorate = OuterRef("pk")
    values = IndicatorValue.objects.filter(
        indicator__responsible=directorate,
        indicator__plan=plans.shown_plan(),
        indicator__plan__frequency=YEARLY,
    )
    reports = ActionReport.objects.filter(directorate=directorate, action__plan=plans.shown_plan())
    owed_reports = reports.filter(action__responsibles=directorate, action__parent=None)
    row = (
        Directorate.objects.filter(staff__user=user)
        .annotate(
            n_indicators=_count(
                Indicator.objects.filter(
                    responsible=directorate, plan=plans.shown_plan(), plan__frequency=YEARLY
                )
            ),
            n_actions=_count(
                StrategicAction.objects.filter(
                    responsibles=directorate, parent=None, plan=plans.shown_plan()
                )
            ),
            custom_overdue=_count(custom.filter(due_date__lt=today)),
            custom_of_default=_count(custom.filter(year__in=default_overdue)),
            values_in_overdue=_count(values.filter(overdue_year)),
            reports_in_overdue=_count(owed_reports.filter(overdue_year)),
            drafts=_count(values.filter(year__in=plan_years, state=WorkflowState.DRAFT)),
            report_drafts=_count(reports.filter(year__in=plan_years, state=WorkflowState.DRAFT)),
        )
        .values(
            "n_indicators",
            "n_actions",
            "custom_overdue",
            "custom_of_default",
            "values_in_overdue",
            "reports_in_overdue",
            "drafts",
            "report_drafts",
        )
        .first()
    )
    if row is None:  # no directorate: nothing to do
        return 0
    # A count over an empty year list is compiled as NULL, not 0 (Django's EmptyResultSet).
    counts: dict[str, int] = {key: count or 0 for key, count in row.items()}
    overdue_years = len(default_overdue) - counts["custom_of_default"] + counts["custom_overdue"]
    missing = (
        counts["n_indicators"] * overdue_years
        - counts["values_in_overdue"]
        + counts["n_actions"] * overdue_years
        - counts["reports_in_overdue"]
    )
    return counts["drafts"] + counts["report_drafts"] + missing


def _validator_open_count() -> int:
    """Submitted values and reports: one query."""
    submitted = Q(state=WorkflowState.SUBMITTED)
    # order_by(): no default ordering inside a UNION.
    return (
        IndicatorValue.objects.filter(submitted, indicator__plan=plans.shown_plan())
        .order_by()
        .values("pk")
        .union(
            ActionReport.objects.filter(submitted, action__plan=plans.shown_plan())
            .order_by()
            .values("pk"),
            all=True,
        )
        .count()
    )


def open_task_count(*, user: AuthUser, today: date) -> int:
    """The badge: a registrar's open tasks (two queries: plan years, counts), a validator's
    (one query); both for a person with both roles."""
    user_roles = access.roles(user)
    total = 0
    if Role.REGISTRAR in user_roles:
        total += _registrar_open_count(user=user, years=services.plan_years(), today=today)
        # A semestral plan's semesters due and not sent (no query for the PESEM).
        unit = access.directorate_of(user) if plans.shown_code() != plans.SHOWN_CODE else None
        if unit is not None:
            tasks = semester_tasks.registrar_tasks(directorate=unit, today=today)
            total += sum(t.owed for t in tasks)
    if Role.VALIDATOR in user_roles:
        total += _validator_open_count()
        total += sum(q.waiting for q in semester_tasks.validator_queues())
    return total
