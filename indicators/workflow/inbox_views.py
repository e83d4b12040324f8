"""«Mis tareas» and where a login lands."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from indicators import access, deadlines, semester_tasks, services
from indicators.workflow import inbox, plan_services, target_services
from objectives import plans
from objectives.models import Role


@login_required
def landing(request):
    """settings.LOGIN_REDIRECT_URL: registrars and validators land on their tasks, everyone
    else on the tablero. A login with ?next= goes there instead (LoginView reads it first)."""
    if access.roles(request.user) & inbox.TASK_ROLES:
        return redirect("my_tasks")
    return redirect("home")


@login_required
def my_tasks(request):
    user_roles = access.roles(request.user)
    today = deadlines.today()
    registrar = None
    directorate = None
    if Role.REGISTRAR in user_roles:
        directorate = access.directorate_of(request.user)
        if directorate is not None:
            registrar = inbox.registrar_inbox(
                directorate=directorate, years=services.plan_years(), today=today
            )
    semester_work = (
        semester_tasks.registrar_tasks(directorate=directorate, today=today)
        if registrar is not None and directorate is not None
        else []
    )
    semester_queues = []
    queues = revisions = versions = None
    if Role.VALIDATOR in user_roles:
        semester_queues = semester_tasks.validator_queues()
        queues = inbox.validator_inbox(user=request.user, today=today)
        revisions = target_services.waiting_revisions()
        versions = [
            (v, plans.plan_address(v.plan.code, "plan/versiones/"), plan_services.version_name(v))
            for v in plan_services.waiting_versions()
        ]
    return render(
        request,
        "indicators/my_tasks.html",
        {
            "today": today,
            "is_registrar": Role.REGISTRAR in user_roles,
            "directorate": directorate,
            "registrar": registrar,
            "queues": queues,
            "revisions": revisions,
            "versions": versions,
            "semester_tasks": semester_work,
            "semester_queues": semester_queues,
        },
    )
