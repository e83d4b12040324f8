"""Reminders of what each directorate still owes for the plan years that are due soon or late.

For every registrar (an active user of the registrador group with a directorate and an
e-mail address): the plan years whose due date (indicators.deadlines) is at most
REMIND_DAYS_AHEAD days away or already past, and for each, what their directorate has not
delivered: values of the indicators it is responsible for that are missing, in draft or
returned; reports of the strategic actions it is responsible for (Cuadro 6) that are missing,
in draft or returned. One mail per person and day (dedupe_key `reminder:<user id>:<date>`),
none to a person who owes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.models import User
from django.urls import reverse

from indicators import deadlines, numbers
from indicators.models import ActionReport, Indicator, IndicatorValue, OutboundMail, WorkflowState
from indicators.notifications import SIGNATURE, absolute_url, one_line
from indicators.services import plan_years
from objectives.models import Role, StrategicAction

REMIND_DAYS_AHEAD = 15


@dataclass
class Owed:
    """What one directorate has not delivered for one year (codes, in plan order)."""

    missing_values: list[str] = field(default_factory=list)
    draft_values: list[str] = field(default_factory=list)
    returned_values: list[str] = field(default_factory=list)
    missing_reports: list[str] = field(default_factory=list)
    draft_reports: list[str] = field(default_factory=list)
    returned_reports: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return any(self.lines())

    def lines(self) -> list[str]:
        parts = [
            ("Indicadores sin valor registrado", self.missing_values),
            ("Indicadores en borrador, sin enviar a validación", self.draft_values),
            ("Indicadores devueltos por la oficina de planeamiento", self.returned_values),
            ("Acciones estratégicas sin reporte", self.missing_reports),
            ("Reportes de acciones en borrador, sin enviar a validación", self.draft_reports),
            ("Reportes devueltos por la oficina de planeamiento", self.returned_reports),
        ]
        return [f"- {label}: {', '.join(codes)}" for label, codes in parts if codes]


def due_years(today: date) -> list[deadlines.Deadline]:
    """Plan years due within REMIND_DAYS_AHEAD days, or already past due, oldest first."""
    horizon = today + timedelta(days=REMIND_DAYS_AHEAD)
    return [d for d in deadlines.deadlines(plan_years()).values() if d.due <= horizon]


def _registrars() -> list[User]:
    return list(
        User.objects.filter(
            is_active=True, groups__name=Role.REGISTRAR, profile__directorate__isnull=False
        )
        .exclude(email="")
        .select_related("profile__directorate")
        .distinct()
        .order_by("pk")
    )


def owed(*, directorate_ids: set[int], years: list[int]) -> dict[tuple[int, int], Owed]:
    """{(directorate id, year): Owed}, only where something is owed. Four queries."""
    indicators = list(
        Indicator.objects.filter(responsible_id__in=directorate_ids)
        .order_by("level", "order", "code")
        .values_list("pk", "code", "responsible_id")
    )
    values = {
        (indicator_id, year): (state, reason)
        for indicator_id, year, state, reason in IndicatorValue.objects.filter(
            indicator_id__in=[pk for pk, _, _ in indicators], year__in=years
        ).values_list("indicator_id", "year", "state", "return_reason")
    }
    # Reports are made on main actions only (the entry page refuses sub-actions).
    responsibilities = list(
        StrategicAction.responsibles.through.objects.filter(
            directorate_id__in=directorate_ids, strategicaction__parent=None
        )
        .order_by("strategicaction__objective__number", "strategicaction__order")
        .values_list("strategicaction_id", "strategicaction__code", "directorate_id")
    )
    reports = {
        (action_id, directorate_id, year): (state, reason)
        for action_id, directorate_id, year, state, reason in ActionReport.objects.filter(
            directorate_id__in=directorate_ids, year__in=years
        ).values_list("action_id", "directorate_id", "year", "state", "return_reason")
    }
    result: dict[tuple[int, int], Owed] = defaultdict(Owed)
    for year in years:
        for indicator_id, code, directorate_id in indicators:
            state, reason = values.get((indicator_id, year), (None, ""))
            if state is None:
                result[directorate_id, year].missing_values.append(code)
            elif state == WorkflowState.DRAFT:
                owed_list = result[directorate_id, year]
                (owed_list.returned_values if reason else owed_list.draft_values).append(code)
        for action_id, code, directorate_id in responsibilities:
            state, reason = reports.get((action_id, directorate_id, year), (None, ""))
            if state is None:
                result[directorate_id, year].missing_reports.append(code)
            elif state == WorkflowState.DRAFT:
                owed_list = result[directorate_id, year]
                (owed_list.returned_reports if reason else owed_list.draft_reports).append(code)
    return {key: value for key, value in result.items() if value}


def _plural(n: int, one: str, many: str) -> str:
    return f"{numbers.format_number(n, 0)} {one if n == 1 else many}"


def when(deadline: deadlines.Deadline, today: date) -> str:
    """'vence el 31/03/2017, faltan 5 días' / 'vence hoy, 31/03/2017' /
    'vencido hace 3 días (venció el 31/03/2017)'."""
    due = f"{deadline.due:%d/%m/%Y}"
    if today < deadline.due:
        left = deadline.days_left(today)
        verb = "falta" if left == 1 else "faltan"
        return f"vence el {due}, {verb} {_plural(left, 'día', 'días')}"
    if today == deadline.due:
        return f"vence hoy, {due}"
    return f"vencido hace {_plural(deadline.days_overdue(today), 'día', 'días')} (venció el {due})"


def _body(user: User, directorate_code: str, sections: list[str]) -> str:
    name = user.get_full_name() or user.get_username()
    return (
        f"Hola, {name}:\n\n"
        f"Su dirección ({directorate_code}) tiene información pendiente para el seguimiento "
        "del PESEM.\n\n" + "\n\n".join(sections) + "\n" + SIGNATURE
    )


def queue_reminders(*, today: date) -> int:
    """Write today's reminder rows to the outbox; the number written. Running it again the
    same day writes nothing (dedupe_key)."""
    due = due_years(today)
    if not due:
        return 0
    registrars = _registrars()
    directorate_ids = {user.profile.directorate_id for user in registrars}
    owed_by = owed(directorate_ids=directorate_ids, years=[d.year for d in due])
    pending_path = reverse("pending")
    rows = []
    for user in registrars:
        directorate = user.profile.directorate
        sections = []
        for deadline in due:
            owes = owed_by.get((directorate.pk, deadline.year))
            if owes:
                link = absolute_url(f"{pending_path}?anio={deadline.year}")
                sections.append(
                    f"Año {deadline.year}: {when(deadline, today)}\n"
                    + "\n".join(owes.lines())
                    + f"\nRegístrelos aquí: {link}"
                )
        if not sections:
            continue
        years = ", ".join(str(d.year) for d in due if (directorate.pk, d.year) in owed_by)
        rows.append(
            OutboundMail(
                kind=OutboundMail.Kind.REMINDER,
                recipient=user,
                to_email=user.email,
                subject=one_line(f"Recordatorio PESEM: pendientes de {directorate.code} ({years})"),
                body=_body(user, directorate.code, sections),
                dedupe_key=f"reminder:{user.pk}:{today.isoformat()}",
            )
        )
    already = set(
        OutboundMail.objects.filter(dedupe_key__in=[r.dedupe_key for r in rows]).values_list(
            "dedupe_key", flat=True
        )
    )
    fresh = [r for r in rows if r.dedupe_key not in already]
    # ignore_conflicts: a second run at the same moment writes nothing twice (unique key).
    OutboundMail.objects.bulk_create(fresh, ignore_conflicts=True)
    return len(fresh)
