"""The reporting calendar page: by when each plan year is due; the planning office edits it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from indicators import access, deadlines, services
from indicators.form_fields import errors_text
from indicators.models import ReportingDeadline
from indicators.workflow import calendar_services
from indicators.workflow.calendar_forms import DeadlineForm
from objectives import plans
from objectives.models import Plan

HISTORY_ROWS = 20


def _period(year: int, semester: int) -> str:
    return f"{year}-S{semester}" if semester else str(year)


@login_required
def calendar(request):
    access.require_validator(request.user)
    if request.method == "POST":
        form = DeadlineForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = calendar_services.deadline_set(
                    user=request.user,
                    year=data["year"],
                    due_date=data["due_date"],
                    reason=data["reason"],
                    semester=data["semester"] or 0,
                )
                messages.success(
                    request,
                    f"Fecha límite de {_period(saved.year, saved.semester)}: "
                    f"{data['due_date']:%d/%m/%Y}.",
                )
            except ValidationError as exc:
                messages.error(request, "Fecha no guardada: " + " ".join(exc.messages))
        else:
            messages.error(
                request,
                "Fecha no guardada: " + errors_text(form),
            )
        return redirect("calendar")
    today = deadlines.today()
    plan = Plan.objects.filter(code=plans.shown_code()).first()
    semestral = plan is not None and plan.frequency == Plan.Frequency.SEMESTER
    # A semestral plan is reported by semester: its calendar is S1 and S2 of each year.
    found = (
        list(deadlines.semester_deadlines(services.plan_years()).values())
        if semestral
        else list(deadlines.deadlines(services.plan_years()).values())
    )
    rows = [
        {
            "deadline": d,
            "days_left": d.days_left(today),
            "days_overdue": d.days_overdue(today),
            "form": DeadlineForm(
                initial={"year": d.year, "semester": d.semester, "due_date": d.due},
                auto_id=f"id_{d.period}_%s",
            ),
        }
        for d in found
    ]
    history = (
        ReportingDeadline.history.filter(plan=plans.shown_plan())
        .select_related("history_user")
        .order_by("-history_date")[:HISTORY_ROWS]
    )
    return render(
        request,
        "indicators/calendar.html",
        {
            "rows": rows,
            "today": today,
            "history": history,
            "remind_days": deadlines.REMIND_DAYS_AHEAD,
            "semestral": semestral,
        },
    )
