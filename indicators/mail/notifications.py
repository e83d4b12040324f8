"""E-mails about the validation workflow: outbox rows written when something happens, and the
text of those mails rendered when they are sent.

Writing (returned, validated, submitted) only adds outbox rows (OutboundMail), inside the
caller's transaction: a change that rolls back leaves no mail. A row holds data, not text:
which item, which event, the reason given. Call them right after the transition is saved, so
`item` holds its new state and `item.updated_by` is the person who acted; nobody is mailed
about their own action.

- returned / reopened / validated: a row per event for whoever submitted the item. Items
  without a submitter (loaded from the document, imported without a user, or whose submitter
  was deleted) go to the registrars of the directorate that owns them instead: after the
  transition `updated_by` is the validator who acted, so it cannot stand in for the submitter.
  When the outbox is sent, all of a person's unsent decisions make one mail
  (`render_decisions`): three validations in a minute are one mail.
- submitted: a row per validator saying "the queue changed" (none added while one is unsent).
  When it is sent, the digest shows the queue as it stands then (`render_digest`): what still
  waits, once each, with indicator names and values in the indicator's precision; an item
  withdrawn or already validated in between is not in it.

Rendering (render_*) reads the data as it stands at sending time and fills
templates/emails/ (indicators.mail.emails); indicators.mail.outbox calls it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils import timezone

from indicators import authorship, entry_rows, selectors
from indicators.mail import emails
from indicators.models import (
    ActionReport,
    Indicator,
    IndicatorValue,
    OutboundMail,
    SemesterValue,
    WorkflowState,
)
from lib import numbers
from objectives import plans
from objectives.models import Role

WorkflowRecord = IndicatorValue | ActionReport | SemesterValue

VALUE, REPORT, SEMESTER = "value", "report", "semester"
RETURNED, REOPENED, VALIDATED = "returned", "reopened", "validated"
DECISION_KINDS = (OutboundMail.Kind.RETURNED, OutboundMail.Kind.VALIDATED)


# --- links and names ----------------------------------------------------------------------


def absolute_url(path: str) -> str:
    """A link that works from a mail: settings.PESEM_SITE_URL + path."""
    return f"{settings.PESEM_SITE_URL}{path}"


def inbox_url() -> str | None:
    # The personal inbox ("my_tasks") may be absent from a trimmed URLconf.
    try:
        return absolute_url(reverse("my_tasks"))
    except NoReverseMatch:
        return None


def plan_url(path: str) -> str:
    """A page of the shown plan (objectives.plans.shown_code) from a path reversed anywhere:
    today's address for the PESEM, /planes/<code>/... for another plan."""
    return absolute_url(
        plans.plan_address(plans.shown_code(), path.removeprefix(get_script_prefix()))
    )


def grid_url(directorate_code: str, year: int) -> str:
    """The directorate's entry grid for a year (of the shown plan)."""
    return plan_url(reverse("grid", args=[directorate_code, year]))


def semester_grid_url(unit_code: str, year: int, semester: int) -> str:
    """A unit's grid of a semestral plan's semester (of the shown plan)."""
    return plan_url(reverse("semester_grid", args=[unit_code, year, semester]))


def grid_row_url(directorate_code: str, year: int, indicator_pk: int) -> str:
    """An indicator's row in its directorate's grid: templates/indicators/grid.html gives each
    row the id `fila-<indicator pk>`."""
    return f"{grid_url(directorate_code, year)}#fila-{indicator_pk}"


def indicator_url(indicator: Indicator, year: int) -> str:
    """Where a mail sends someone about an indicator's year: its row in the grid; its page
    when no directorate is responsible for it (no grid has it)."""
    if indicator.responsible is None:
        return absolute_url(reverse("indicator_detail", args=[indicator.code]) + f"?anio={year}")
    return grid_row_url(indicator.responsible.code, year, indicator.pk)


def report_url(report: ActionReport) -> str:
    return absolute_url(reverse("report_entry", args=[report.action.code, report.year]))


def person_name(user: User | None, address: str = "") -> str:
    if user is None:
        return address
    return user.get_full_name() or user.get_username()


def _local_day(moment: datetime | None) -> date | None:
    return timezone.localdate(moment) if moment is not None else None


# --- writing events -----------------------------------------------------------------------


def _owner_id(item: WorkflowRecord | SemesterValue) -> int | None:
    if isinstance(item, IndicatorValue | SemesterValue):
        return item.indicator.responsible_id
    return item.directorate_id


def _recipients(item: WorkflowRecord) -> list[User]:
    """Who hears about a decision on `item`: its submitter, else its directorate's registrars;
    never the person who just acted (item.updated_by), never anyone without an address."""
    actor_id = item.updated_by_id
    submitter = item.submitted_by
    if submitter is not None:
        if submitter.is_active and submitter.email and submitter.pk != actor_id:
            return [submitter]
        return []
    owner = _owner_id(item)
    if owner is None:
        return []
    registrars = (
        User.objects.filter(
            is_active=True, groups__name=Role.REGISTRAR, profile__directorate_id=owner
        )
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )
    if actor_id is not None:
        registrars = registrars.exclude(pk=actor_id)
    return list(registrars)


def _decision(kind: str, item: WorkflowRecord, event: str, reason: str = "") -> None:
    data = {
        "event": event,
        "model": (
            VALUE
            if isinstance(item, IndicatorValue)
            else SEMESTER
            if isinstance(item, SemesterValue)
            else REPORT
        ),
        "id": item.pk,
        "reason": reason,
    }
    OutboundMail.objects.bulk_create(
        OutboundMail(kind=kind, recipient=user, to_email=user.email, data=data)
        for user in _recipients(item)
    )


def returned(item: WorkflowRecord, reason: str, *, reopened: bool = False) -> None:
    """The planning office sent `item` back to draft (returned, or reopened once validated).
    The reason is kept as given: the item's own reason changes with the next round."""
    _decision(OutboundMail.Kind.RETURNED, item, REOPENED if reopened else RETURNED, reason)


def validated(item: WorkflowRecord) -> None:
    """The planning office validated `item`: it now counts as official."""
    _decision(OutboundMail.Kind.VALIDATED, item, VALIDATED)


def submitted(items: Iterable[WorkflowRecord], by: User | None) -> None:
    """Items entered the validation queue: each validator (but the submitter) gets a digest of
    the queue at the next sending, unless one is already waiting to be sent. Two queries."""
    if not any(item.state == WorkflowState.SUBMITTED for item in items):
        return
    validators = (
        User.objects.filter(is_active=True, groups__name=Role.VALIDATOR)
        .exclude(email="")
        .exclude(
            pk__in=OutboundMail.objects.filter(
                kind=OutboundMail.Kind.SUBMITTED, sent_at__isnull=True, recipient__isnull=False
            ).values("recipient_id")
        )
        .distinct()
        .order_by("pk")
    )
    if by is not None:
        validators = validators.exclude(pk=by.pk)
    # Two requests at once may both add a row for someone: the sender merges a person's
    # unsent digests into one mail (indicators.mail.outbox).
    OutboundMail.objects.bulk_create(
        OutboundMail(
            kind=OutboundMail.Kind.SUBMITTED,
            recipient=user,
            to_email=user.email,
            data={"submitted_by": by.pk if by is not None else None},
        )
        for user in validators
    )


# --- what an item is, for reading --------------------------------------------------------


@dataclass(frozen=True)
class ItemLine:
    """One value or action report as a mail names it."""

    kind: str  # VALUE / REPORT / SEMESTER
    code: str  # "OE3.1" / "AE 3.1"
    year: int | str  # a semester's period: "2024-S1"
    name: str  # the indicator's or the action's name
    directorate: str  # code of the responsible directorate, "" when none
    number: str  # the value in the indicator's precision / the report's percent: "1.58", "40"
    unit: str  # the indicator's unit / the report's execution: "en ejecución"
    url: str  # the grid row / the report's entry page
    submitted_by: str = ""
    submitted_on: date | None = None
    # The mail's reader shaped the item's content (indicators.authorship, the rule
    # services.do_validate enforces): another person validates it.
    shaped: bool = False

    def days_waiting(self, today: date) -> int | None:
        if self.submitted_on is None:
            return None
        return max((today - self.submitted_on).days, 0)


def _value_lines(values: list[IndicatorValue]) -> dict[int, ItemLine]:
    """{value pk: line}, values shown with their indicator's precision, as the validation
    queue shows them (entry_rows.validation_rows: five queries)."""
    lines = {}
    for row in entry_rows.validation_rows(values=values):
        item, indicator = row.item, row.indicator
        assert item is not None
        lines[item.pk] = ItemLine(
            kind=VALUE,
            code=indicator.code,
            year=item.year,
            name=indicator.name,
            directorate=indicator.responsible.code if indicator.responsible else "",
            number=row.value_text,
            unit=indicator.unit,
            url=indicator_url(indicator, item.year),
            submitted_by=person_name(item.submitted_by) if item.submitted_by else "",
            submitted_on=_local_day(item.submitted_at),
        )
    return lines


def _report_line(report: ActionReport) -> ItemLine:
    return ItemLine(
        kind=REPORT,
        code=f"AE {report.action.code}",
        year=report.year,
        name=report.action.name,
        directorate=report.directorate.code,
        number=numbers.format_number(report.percent, 0),
        unit=report.get_execution_display(),
        url=report_url(report),
        submitted_by=person_name(report.submitted_by) if report.submitted_by else "",
        submitted_on=_local_day(report.submitted_at),
    )


def _semester_line(item: SemesterValue) -> ItemLine:
    """A semestral plan's semester value, linked to its grid within its plan's addresses."""
    indicator = item.indicator
    unit = indicator.responsible.code if indicator.responsible else ""
    with plans.showing(indicator.plan.code):
        url = plan_url(reverse("semester_grid", args=[unit, item.year, item.semester]))
    return ItemLine(
        kind=SEMESTER,
        code=indicator.code,
        year=item.period,
        name=indicator.name,
        directorate=unit,
        number=numbers.format_for(indicator, item.value) if item.value is not None else "—",
        unit=indicator.unit,
        url=url,
        submitted_by=person_name(item.submitted_by) if item.submitted_by else "",
        submitted_on=_local_day(item.submitted_at),
    )


def _waiting_plans() -> list[str]:
    """The codes of the plans with something sent for validation (one query), the PESEM
    first."""
    sent = WorkflowState.SUBMITTED
    # order_by(): no default ordering inside a UNION.
    codes = set(
        IndicatorValue.objects.filter(state=sent)
        .order_by()
        .values_list("indicator__plan__code", flat=True)
        .union(
            ActionReport.objects.filter(state=sent)
            .order_by()
            .values_list("action__plan__code", flat=True),
            SemesterValue.objects.filter(state=sent)
            .order_by()
            .values_list("indicator__plan__code", flat=True),
        )
    )
    return sorted(codes, key=lambda code: (code != plans.SHOWN_CODE, code))


def waiting_queue(reader: User | None = None) -> list[ItemLine]:
    """What waits for validation now in every plan, as each plan's queue lists it: values (by
    code and year), action reports, then a semestral plan's semesters; each once, marked
    `shaped` where `reader` shaped it (four eyes, as the validation queue marks it:
    indicators.authorship), each linked within its plan's addresses. One query, and about ten
    a plan with something waiting."""
    found: list[ItemLine] = []
    for code in _waiting_plans():
        with plans.showing(code):
            values, reports = selectors.submitted_items()
            lines = _value_lines(values) if values else {}
            shaped_values = authorship.shaped_pks(reader, values) if reader is not None else set()
            shaped_reports = authorship.shaped_pks(reader, reports) if reader is not None else set()
            halves = list(
                SemesterValue.objects.filter(
                    state=WorkflowState.SUBMITTED, indicator__plan=plans.shown_plan()
                )
                .select_related("indicator__responsible", "indicator__plan", "submitted_by")
                .order_by("indicator__code", "year", "semester")
            )
            shaped_halves = authorship.shaped_pks(reader, halves) if reader is not None else set()
            found += [replace(lines[v.pk], shaped=v.pk in shaped_values) for v in values]
            found += [replace(_report_line(r), shaped=r.pk in shaped_reports) for r in reports]
            found += [replace(_semester_line(h), shaped=h.pk in shaped_halves) for h in halves]
    return found


# --- rendering at sending time -------------------------------------------------------------


def _base_context(user: User | None, address: str) -> dict[str, object]:
    return {"name": person_name(user, address), "inbox_url": inbox_url()}


@dataclass(frozen=True)
class Decision:
    event: str  # RETURNED / REOPENED / VALIDATED
    item: ItemLine
    reason: str


def render_decisions(user: User | None, rows: list[OutboundMail]) -> emails.Rendered | None:
    """One mail with every decision in `rows` (one person's unsent returns, reopenings and
    validations), oldest first, each with the item's name, its value now and its link."""
    wanted = [r.data for r in rows if r.data.get("id")]
    value_ids = {d["id"] for d in wanted if d.get("model") == VALUE}
    report_ids = {d["id"] for d in wanted if d.get("model") == REPORT}
    semester_lines = {
        s.pk: _semester_line(s)
        for s in SemesterValue.objects.filter(
            pk__in={d["id"] for d in wanted if d.get("model") == SEMESTER}
        ).select_related("indicator__responsible", "indicator__plan", "submitted_by")
    }
    values = list(
        IndicatorValue.objects.filter(pk__in=value_ids).select_related(
            "indicator__responsible", "submitted_by"
        )
    )
    value_lines = _value_lines(values) if values else {}
    report_lines = {
        r.pk: _report_line(r)
        for r in ActionReport.objects.filter(pk__in=report_ids).select_related(
            "action", "directorate", "submitted_by"
        )
    }
    decisions = []
    for data in wanted:
        lines = {VALUE: value_lines, SEMESTER: semester_lines}.get(
            data.get("model", ""), report_lines
        )
        line = lines.get(data["id"])
        if line is not None:  # an item deleted since has nothing left to say
            decisions.append(Decision(data["event"], line, data.get("reason", "")))
    if not decisions:
        return None
    context = {
        **_base_context(user, rows[0].to_email),
        "decisions": decisions,
        "validated": sum(d.event == VALIDATED for d in decisions),
        "returned": sum(d.event == RETURNED for d in decisions),
        "reopened": sum(d.event == REOPENED for d in decisions),
    }
    return emails.render("decisions", context)


def queue_context(
    user: User | None, address: str, today: date, *, oldest_first: bool = False
) -> dict[str, object] | None:
    """The validation queue as it stands, for a validator's mail (each item with the days it
    has waited); None when it is empty."""
    queue = waiting_queue(user)
    if not queue:
        return None
    waiting = [(line, line.days_waiting(today)) for line in queue]
    if oldest_first:
        waiting.sort(key=lambda pair: -(pair[1] or 0))
    days = [d for _, d in waiting if d is not None]
    return {
        **_base_context(user, address),
        "queue": waiting,
        "count": len(queue),
        "oldest_days": max(days) if days else None,
        "queue_url": absolute_url(reverse("validation_queue")),
    }


def render_digest(user: User | None, rows: list[OutboundMail]) -> emails.Rendered | None:
    """The validation queue as it stands when the mail is sent: nothing when it is empty."""
    context = queue_context(user, rows[0].to_email, timezone.localdate())
    return emails.render("submitted", context) if context else None
