"""Pages that combine the plan's structure with its monitoring: the plan, an objective,
the account page, and the health check."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from indicators import access, charts, selectors, status
from pesem.dashboard_views import page_year
from pesem.selectors import objective_page, plan_overview

MAX_CHARTS = 12
CSRF_MESSAGE = (
    "La sesión expiró o el formulario se envió desde otra página: vuelva a cargar la página "
    "e intente de nuevo."
)


def csrf_failure(request, reason: str = ""):
    """CSRF_FAILURE_VIEW: the site's own 403 page in Spanish, instead of Django's English one
    (which also names the technical reason)."""
    return render(request, "403.html", {"exception": CSRF_MESSAGE}, status=403)


@never_cache
def healthz(request):
    """200 when the database answers, 503 otherwise; reveals nothing else."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means "not healthy"
        return HttpResponse("unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


@login_required
def home(request):
    plan, blocks = plan_overview()
    return render(request, "objectives/home.html", {"plan": plan, "blocks": blocks})


@login_required
def objective_detail(request, number: int):
    chosen = page_year(request)
    year, years = chosen.year, chosen.years
    status.ensure(year)
    # One chart per indicator, up to MAX_CHARTS (a published objective has two or three);
    # the table lists every indicator.
    page = objective_page(number=number, year=year, max_charts=MAX_CHARTS)
    if page is None:
        raise Http404("Objetivo no encontrado.")
    figures = [
        (facts, charts.indicator_figure(facts, years=years, height=320)) for facts in page.charted
    ]
    action_rows = [
        (a, [(d, page.latest_reports.get((a.pk, d.pk))) for d in a.responsibles.all()])
        for a in page.actions
    ]
    return render(
        request,
        "objectives/objective.html",
        {
            "page": page,
            "figures": figures,
            "charts_truncated": len(page.statuses) > MAX_CHARTS,
            "action_rows": action_rows,
            "year": year,
            "years": chosen.plan_years,
            "year_choice": chosen.choice,
            "thresholds": selectors.thresholds(),
        },
    )


@login_required
def account(request):
    """Who am I here: name, directorate and roles (also the benchmark's trivial page)."""
    return render(
        request,
        "objectives/account.html",
        {
            "directorate": access.directorate_of(request.user),
            "roles": sorted(access.roles(request.user)),
        },
    )
