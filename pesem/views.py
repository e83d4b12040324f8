"""The project's own pages: the CSRF failure page, the health check and the account page (the
benchmark's trivial page)."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from indicators import access

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
