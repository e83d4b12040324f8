"""Scheduled mails: what each directorate still owes, what waits for validation, who is late.

- Reminders (`send_reminders`, daily): for every registrar (an active user of the registrador
  group with a directorate and an e-mail address), the plan years whose due date
  (indicators.deadlines) is at most REMIND_DAYS_AHEAD days away or already past, and
  for each,
  what their directorate has not delivered: values of the indicators it is responsible for
  that are missing, in draft or returned (code, name and the link to the indicator's row in
  the grid); reports of the strategic actions it is responsible for (Cuadro 6) that are
  missing, in draft or returned. One mail per person and day (dedupe_key
  `reminder:<user id>:<date>`), none to a person who owes nothing.
- Validation backlog (`send_validation_backlog`, daily): every validator, while anything waits
  for validation, gets the queue oldest first with how long each item has waited. One per
  person and day (`backlog:<user id>:<date>`).
- Weekly overdue summary (`send_overdue_summary`, weekly): for the plan years past their due
  date, the director users of each directorate that still owes something get what their
  directorate owes, and the validators get every late directorate. One per person and ISO
  week (`overdue:<user id>:<year>-W<week>`).

Each queue_* function writes outbox rows holding the day (`data["today"]`); the render_*
functions make the text when the row is sent (indicators.mail.outbox), from what is owed or
waiting then: an item delivered in between is no longer listed, and a mail with nothing left
to say is not sent.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.models import User
from django.template.loader import render_to_string
from django.urls import reverse

from indicators import deadlines, semester_tasks
from indicators.deadlines import REMIND_DAYS_AHEAD
from indicators.mail import emails
from indicators.mail.notifications import (
    grid_row_url,
    grid_url,
    plan_url,
    queue_context,
    semester_grid_url,
)
from indicators.models import (
    ActionReport,
    Indicator,
    IndicatorValue,
    OutboundMail,
    SemesterValue,
    WorkflowState,
)
from indicators.services import plan_years
from objectives import plans
from objectives.models import Directorate, Plan, Role, StrategicAction


@dataclass(frozen=True)
class Owing:
    """One thing a directorate owes, as a mail names it."""

    code: str  # "OE3.1" / "AE 3.1"
    name: str
    url: str  # the indicator's row in the grid / the action's report page


@dataclass
class Owed:
    """What one directorate has not delivered for one year, in plan order."""

    missing_values: list[Owing] = field(default_factory=list)
    draft_values: list[Owing] = field(default_factory=list)
    returned_values: list[Owing] = field(default_factory=list)
    missing_reports: list[Owing] = field(default_factory=list)
    draft_reports: list[Owing] = field(default_factory=list)
    returned_reports: list[Owing] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.sections())

    def sections(self) -> list[tuple[str, list[Owing]]]:
        parts = [
            ("Indicadores sin valor registrado", self.missing_values),
            ("Indicadores en borrador, sin enviar a validación", self.draft_values),
            ("Indicadores devueltos por la oficina de planeamiento", self.returned_values),
            ("Acciones estratégicas sin reporte", self.missing_reports),
            ("Reportes de acciones en borrador, sin enviar a validación", self.draft_reports),
            ("Reportes devueltos por la oficina de planeamiento", self.returned_reports),
        ]
        return [(label, things) for label, things in parts if things]

    @property
    def count(self) -> int:
        return sum(len(things) for _, things in self.sections())


def due_years(today: date) -> list[deadlines.Deadline]:
    """Plan years due within REMIND_DAYS_AHEAD days, or already past due, oldest first."""
    horizon = today + timedelta(days=REMIND_DAYS_AHEAD)
    return [d for d in deadlines.deadlines(plan_years()).values() if d.due <= horizon]


def late_years(today: date) -> list[deadlines.Deadline]:
    """Plan years whose due date has passed, oldest first."""
    return [d for d in deadlines.deadlines(plan_years()).values() if d.due < today]


def owed(*, directorate_ids: set[int], years: list[int]) -> dict[tuple[int, int], Owed]:
    """{(directorate id, year): Owed}, only where something is owed. Five queries."""
    codes = dict(Directorate.objects.filter(pk__in=directorate_ids).values_list("pk", "code"))
    indicators = list(
        Indicator.objects.filter(responsible_id__in=directorate_ids, plan=plans.shown_plan())
        .order_by("level", "order", "code")
        .values_list("pk", "code", "name", "responsible_id")
    )
    values = {
        (indicator_id, year): (state, reason)
        for indicator_id, year, state, reason in IndicatorValue.objects.filter(
            indicator_id__in=[row[0] for row in indicators], year__in=years
        ).values_list("indicator_id", "year", "state", "return_reason")
    }
    # Reports are made on main actions only (the entry page refuses sub-actions).
    responsibilities = list(
        StrategicAction.responsibles.through.objects.filter(
            directorate_id__in=directorate_ids,
            strategicaction__parent=None,
            strategicaction__plan=plans.shown_plan(),
        )
        .order_by("strategicaction__objective__number", "strategicaction__order")
        .values_list(
            "strategicaction_id",
            "strategicaction__code",
            "strategicaction__name",
            "directorate_id",
        )
    )
    reports = {
        (action_id, directorate_id, year): (state, reason)
        for action_id, directorate_id, year, state, reason in ActionReport.objects.filter(
            directorate_id__in=directorate_ids, year__in=years, action__plan=plans.shown_plan()
        ).values_list("action_id", "directorate_id", "year", "state", "return_reason")
    }
    result: dict[tuple[int, int], Owed] = defaultdict(Owed)
    for year in years:
        for indicator_id, code, name, directorate_id in indicators:
            state, reason = values.get((indicator_id, year), (None, ""))
            if state not in (None, WorkflowState.DRAFT):
                continue
            thing = Owing(code, name, grid_row_url(codes[directorate_id], year, indicator_id))
            owes = result[directorate_id, year]
            if state is None:
                owes.missing_values.append(thing)
            else:
                (owes.returned_values if reason else owes.draft_values).append(thing)
        for action_id, code, name, directorate_id in responsibilities:
            state, reason = reports.get((action_id, directorate_id, year), (None, ""))
            if state not in (None, WorkflowState.DRAFT):
                continue
            url = plan_url(reverse("report_entry", args=[code, year]))
            thing = Owing(f"AE {code}", name, url)
            owes = result[directorate_id, year]
            if state is None:
                owes.missing_reports.append(thing)
            else:
                (owes.returned_reports if reason else owes.draft_reports).append(thing)
    return {key: value for key, value in result.items() if value}


def when(deadline: deadlines.Deadline, today: date) -> str:
    """'vence el 31/03/2017, faltan 5 días' / 'vence hoy, 31/03/2017' /
    'vencido hace 3 días (venció el 31/03/2017)': templates/emails/_when.txt, from the
    deadline's numbers."""
    context = {
        "due": deadline.due,
        "left": deadline.days_left(today) if today < deadline.due else None,
        "overdue": deadline.days_overdue(today) if today > deadline.due else None,
    }
    return render_to_string("emails/_when.txt", context).strip()


@dataclass(frozen=True)
class YearOwed:
    """One year of one directorate in a mail: its deadline, what is owed, the grid."""

    year: int
    when: str
    owed: Owed
    grid_url: str


@dataclass(frozen=True)
class DirectorateOwed:
    code: str
    name: str
    years: list[YearOwed]


def _directorates_owed(
    due: list[deadlines.Deadline], directorates: list[Directorate], today: date
) -> list[DirectorateOwed]:
    owed_by = owed(directorate_ids={d.pk for d in directorates}, years=[d.year for d in due])
    result = []
    for directorate in directorates:
        years = [
            YearOwed(d.year, when(d, today), owes, grid_url(directorate.code, d.year))
            for d in due
            if (owes := owed_by.get((directorate.pk, d.year)))
        ]
        if years:
            result.append(DirectorateOwed(directorate.code, directorate.name, years))
    return result


def _greeting(user: User) -> dict[str, object]:
    return {"name": user.get_full_name() or user.get_username()}


def _today(rows: list[OutboundMail]) -> date:
    """The day the newest row was written for (the command's --today)."""
    day = rows[-1].data.get("today")
    return date.fromisoformat(day) if day else deadlines.today()


def _queue_once(rows: list[OutboundMail]) -> int:
    """Write rows whose dedupe_key is not there yet; the number written."""
    already = set(
        OutboundMail.objects.filter(dedupe_key__in=[r.dedupe_key for r in rows]).values_list(
            "dedupe_key", flat=True
        )
    )
    fresh = [r for r in rows if r.dedupe_key not in already]
    # ignore_conflicts: a second run at the same moment writes nothing twice (unique key).
    OutboundMail.objects.bulk_create(fresh, ignore_conflicts=True)
    return len(fresh)


def _scheduled(kind: str, user: User, today: date, period: str) -> OutboundMail:
    """The outbox row of one scheduled mail: it holds the day it was written for, and its
    dedupe_key `<kind>:<user id>:<period>` (a day, or an ISO week) makes it once a period."""
    return OutboundMail(
        kind=kind,
        recipient=user,
        to_email=user.email,
        data={"today": today.isoformat()},
        dedupe_key=f"{kind}:{user.pk}:{period}",
    )


def _active_with_address(role: str) -> list[User]:
    return list(
        User.objects.filter(is_active=True, groups__name=role)
        .exclude(email="")
        .select_related("profile__directorate")
        .distinct()
        .order_by("pk")
    )


# --- registrars: what their directorate owes ----------------------------------------------


def _directorate_of(user: User) -> Directorate | None:
    profile = getattr(user, "profile", None)
    return profile.directorate if profile is not None else None


@dataclass(frozen=True)
class SemesterOwed:
    """A semestral plan's semester a unit still owes, in a mail."""

    task: semester_tasks.SemesterTask
    when: str
    url: str


@dataclass(frozen=True)
class PlanOwed:
    """What a unit owes in a plan other than the PESEM: its years (a yearly plan) or its
    semesters (a semestral one)."""

    plan: Plan
    unit: str
    years: DirectorateOwed | None
    semesters: list[SemesterOwed]
    unit_id: int = 0


def _owed_in(plan: Plan, directorate: Directorate, today: date) -> DirectorateOwed | list:
    """What `directorate` owes in `plan` (shown): its due years, or its due semesters."""
    if plan.frequency == Plan.Frequency.SEMESTER:
        return [
            SemesterOwed(
                task,
                when(task.deadline, today),
                semester_grid_url(directorate.code, task.deadline.year, task.deadline.semester),
            )
            for task in semester_tasks.registrar_tasks(directorate=directorate, today=today)
        ]
    owing = _directorates_owed(due_years(today), [directorate], today)
    return owing[0] if owing else []


def _other_plans() -> list[Plan]:
    return list(Plan.objects.exclude(code=plans.SHOWN_CODE).select_related("entity"))


def queue_reminders(*, today: date) -> int:
    """Write today's reminder rows to the outbox (one per registrar whose unit owes something
    in any plan: the PESEM's due years, another plan's due years or semesters); the number
    written. Running it again the same day writes nothing."""
    registrars = [
        (user, directorate)
        for user in _active_with_address(Role.REGISTRAR)
        if (directorate := _directorate_of(user)) is not None
    ]
    owing: set[int] = set()
    due = due_years(today)
    if due:
        owed_by = owed(
            directorate_ids={directorate.pk for _, directorate in registrars},
            years=[d.year for d in due],
        )
        owing = {directorate_id for directorate_id, _ in owed_by}
    for plan in _other_plans():
        with plans.showing(plan.code):
            for _, directorate in registrars:
                if directorate.pk not in owing and _owed_in(plan, directorate, today):
                    owing.add(directorate.pk)
    rows = [
        _scheduled(OutboundMail.Kind.REMINDER, user, today, today.isoformat())
        for user, directorate in registrars
        if directorate.pk in owing
    ]
    return _queue_once(rows)


def render_reminder(user: User | None, rows: list[OutboundMail]) -> emails.Rendered | None:
    directorate = _directorate_of(user) if user is not None else None
    if user is None or directorate is None:
        return None
    today = _today(rows)
    owing = _directorates_owed(due_years(today), [directorate], today)
    others = []
    for plan in _other_plans():
        with plans.showing(plan.code):
            found = _owed_in(plan, directorate, today)
        if isinstance(found, DirectorateOwed):
            others.append(PlanOwed(plan, directorate.code, found, []))
        elif found:
            others.append(PlanOwed(plan, directorate.code, None, found))
    if not owing and not others:
        return None
    return emails.render(
        "reminder",
        {**_greeting(user), "directorate": owing[0] if owing else None, "other_plans": others},
    )


# --- validators: what waits for validation ------------------------------------------------


def queue_backlog(*, today: date) -> int:
    """One row per validator while anything waits for validation; the number written."""
    waiting = (
        IndicatorValue.objects.filter(state=WorkflowState.SUBMITTED).exists()
        or ActionReport.objects.filter(state=WorkflowState.SUBMITTED).exists()
        or SemesterValue.objects.filter(state=WorkflowState.SUBMITTED).exists()
    )
    if not waiting:
        return 0
    rows = [
        _scheduled(OutboundMail.Kind.BACKLOG, user, today, today.isoformat())
        for user in _active_with_address(Role.VALIDATOR)
    ]
    return _queue_once(rows)


def render_backlog(user: User | None, rows: list[OutboundMail]) -> emails.Rendered | None:
    # Oldest first: what has waited longest is what to look at.
    context = queue_context(user, rows[0].to_email, _today(rows), oldest_first=True)
    return emails.render("backlog", context) if context else None


# --- weekly: who is late ------------------------------------------------------------------


def _week(today: date) -> str:
    iso = today.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def _late_in(plan: Plan, directorates: list[Directorate], today: date) -> list[PlanOwed]:
    """What these units owe past its due date in `plan` (shown): its late years, or a
    semestral plan's late semesters."""
    found = []
    for directorate in directorates:
        owed_here = _owed_in(plan, directorate, today)
        if isinstance(owed_here, DirectorateOwed):
            years = [y for y in owed_here.years if y.year in {d.year for d in late_years(today)}]
            if years:
                found.append(
                    PlanOwed(
                        plan,
                        directorate.code,
                        DirectorateOwed(owed_here.code, owed_here.name, years),
                        [],
                        directorate.pk,
                    )
                )
        else:
            overdue = [s for s in owed_here if s.task.overdue]
            if overdue:
                found.append(PlanOwed(plan, directorate.code, None, overdue, directorate.pk))
    return found


def _late_elsewhere(directorates: list[Directorate], today: date) -> list[PlanOwed]:
    found = []
    for plan in _other_plans():
        with plans.showing(plan.code):
            found += _late_in(plan, directorates, today)
    return found


def queue_overdue_summary(*, today: date) -> int:
    """One row per director user of a late directorate and per validator (when any
    directorate is late, in any plan); the number written. Once per person and ISO week."""
    late = late_years(today)
    late_ids: set[int] = set()
    if late:
        owed_by = owed(
            directorate_ids=set(Directorate.objects.values_list("pk", flat=True)),
            years=[d.year for d in late],
        )
        late_ids = {directorate_id for directorate_id, _ in owed_by}
    late_ids |= {other.unit_id for other in _late_elsewhere(list(Directorate.objects.all()), today)}
    if not late_ids:
        return 0
    directors = [
        u
        for u in _active_with_address(Role.DIRECTOR)
        if (d := _directorate_of(u)) is not None and d.pk in late_ids
    ]
    recipients = {u.pk: u for u in directors + _active_with_address(Role.VALIDATOR)}
    rows = [
        _scheduled(OutboundMail.Kind.OVERDUE, user, today, _week(today))
        for user in sorted(recipients.values(), key=lambda u: u.pk)
    ]
    return _queue_once(rows)


def render_overdue(user: User | None, rows: list[OutboundMail]) -> emails.Rendered | None:
    """A validator reads every late directorate; a director, their own."""
    if user is None:
        return None
    if user.groups.filter(name=Role.VALIDATOR).exists():
        directorates = list(Directorate.objects.order_by("code"))
    elif (own := _directorate_of(user)) is not None:
        directorates = [own]
    else:
        return None
    today = _today(rows)
    late = _directorates_owed(late_years(today), directorates, today)
    elsewhere = _late_elsewhere(directorates, today)
    if not late and not elsewhere:
        return None
    context = {
        **_greeting(user),
        "late": late,
        "all_directorates": len(directorates) > 1,
        "today": today,
        "other_plans": elsewhere,
        "other_codes": sorted({p.plan.code for p in elsewhere}),
    }
    return emails.render("overdue", context)
