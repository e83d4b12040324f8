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

HISTORY_ROWS = 20


@login_required
def calendar(request):
    access.require_validator(request.user)
    if request.method == "POST":
        form = DeadlineForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                calendar_services.deadline_set(
                    user=request.user,
                    year=data["year"],
                    due_date=data["due_date"],
                    reason=data["reason"],
                )
                messages.success(
                    request,
                    f"Fecha límite de {data['year']}: {data['due_date']:%d/%m/%Y}.",
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
    rows = [
        {
            "deadline": d,
            "days_left": d.days_left(today),
            "days_overdue": d.days_overdue(today),
            "form": DeadlineForm(
                initial={"year": d.year, "due_date": d.due}, auto_id=f"id_{d.year}_%s"
            ),
        }
        for d in deadlines.deadlines(services.plan_years()).values()
    ]
    history = ReportingDeadline.history.select_related("history_user").order_by("-history_date")[
        :HISTORY_ROWS
    ]
    return render(
        request,
        "indicators/calendar.html",
        {
            "rows": rows,
            "today": today,
            "history": history,
            "remind_days": deadlines.REMIND_DAYS_AHEAD,
        },
    )
