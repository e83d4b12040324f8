import ipaddress
import logging
import re

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.signals import request_finished
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponseBadRequest, HttpResponseRedirect
from django.http.response import HttpResponseForbidden, HttpResponseNotFound
from django.template.loader import render_to_string
from django.urls import get_script_prefix, set_script_prefix
from django.utils.cache import patch_cache_control

from indicators import access
from objectives import plans
from objectives.models import Plan

audit = logging.getLogger("pesem.audit")


def client_ip(request: HttpRequest) -> str | None:
    """The client's address for login throttling (django-axes' AXES_CLIENT_IP_CALLABLE).

    With PESEM_PROXY_COUNT = 0 (Django faces clients), REMOTE_ADDR; X-Forwarded-For is
    ignored, as anybody can send it. Behind N proxies of ours, each appends the address it
    received the request from, so the client is the N-th entry from the right; entries further
    left come from the client and may be forged. A header shorter than that, or not an
    address, means the request did not come through our proxies: REMOTE_ADDR again.
    (django-ipware's proxy_count counts proxies written in the header, not ours, and keeps
    the left-most entry: a client could pick its own key.)"""
    remote = request.META.get("REMOTE_ADDR")
    count = settings.PESEM_PROXY_COUNT
    if count <= 0:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(hops) < count:
        return remote
    try:
        return str(ipaddress.ip_address(hops[-count]))
    except ValueError:
        return remote


class RejectNulMiddleware:
    """400 for a NUL character anywhere in the path or the query string: PostgreSQL refuses
    NUL in text, so such a request would otherwise reach a query and fail with a 500. Form
    fields are covered by Django's own null-character validator."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "%00" in query.lower() or "\x00" in query:
            return HttpResponseBadRequest(
                "Solicitud incorrecta: la dirección contiene caracteres no permitidos.",
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


class PrivateCacheMiddleware:
    """`Cache-Control: private, no-store` on every response to a logged-in user, so no browser
    or proxy keeps a page of the plan's figures or an evidence file. A view that set its own
    Cache-Control (a public, cacheable page) keeps it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response


class CookieNeverPublicMiddleware:
    """A response that sets a cookie (a session, a CSRF token, flash messages) is never kept by
    a browser or proxy for others: `public` becomes `private, no-store`. Placed before the
    session, CSRF and messages middlewares, so it sees the cookies they add on the way out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        control = response.get("Cache-Control", "")
        if response.cookies and "public" in control.lower():
            response["Cache-Control"] = "private, no-store"
        return response


class AuditRefusalMiddleware:
    """Logs every permission refusal (403) with who asked for what."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDenied):
            user = getattr(request, "user", None)
            audit.warning(
                "permission_denied",
                extra={
                    "user": user.get_username() if user and user.is_authenticated else None,
                    "method": request.method,
                    "path": request.path,
                    "reason": str(exception),
                },
            )
        return None


# --- the plan a request shows -------------------------------------------------------------
PLAN_PATH = re.compile(r"^/planes/(?P<code>[A-Za-z0-9][A-Za-z0-9_.-]{0,39})(?P<rest>/.*)?$")


def _no_plan(request: HttpRequest, code: str) -> HttpResponseNotFound:
    """404 for a plan that does not exist, or that the reader may not know of yet."""
    return HttpResponseNotFound(
        render_to_string("404.html", {"message": f"No existe el plan «{code}»."}, request)
    )


class PlanPathMiddleware:
    """Another plan's pages: /planes/<code>/<page> answers as <page> would, for the plan
    `code` (objectives.plans.shown_code). Today's addresses keep showing the PESEM 2015-2021,
    and /planes/PESEM-RREE/<page> redirects to them.

    The plan's part of the path becomes the script prefix, as a site mounted below a path:
    every view runs unchanged, and every address it writes (reverse, {% url %}, redirects)
    stays within the plan. The plan and the prefix hold until the response is closed (a
    streamed page is written after this middleware returns), then request_finished puts
    them back. An unknown plan answers 404; a signed-in person who may not open it
    (indicators.access.may_open_plan), 403 with an audit line."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        match = PLAN_PATH.match(request.path_info)
        if match is None:
            if plans.shown_code() != plans.SHOWN_CODE:  # left by a request that failed
                plans.show(plans.SHOWN_CODE)
            return self.get_response(request)
        code, rest = match["code"], match["rest"]
        if rest is None:
            return HttpResponseRedirect(f"{request.path}/")
        # One slash: "//host" would be read as another site by a redirect or a browser.
        rest = "/" + rest.lstrip("/")
        if code == plans.SHOWN_CODE:
            query = request.META.get("QUERY_STRING", "")
            target = get_script_prefix().rstrip("/") + rest
            return HttpResponseRedirect(f"{target}?{query}" if query else target)
        found = (
            Plan.objects.filter(code=code)
            .annotate(approved=Exists(plans.approved_versions(OuterRef("pk"))))
            .values("plan_type", "approved")
            .first()
        )
        if found is None:
            return _no_plan(request, code)
        outer = get_script_prefix()
        request.path_info = rest
        request.plan_code = code
        request.plan_type = found["plan_type"]
        # A nuevo plan waiting for its second person is not public yet (PlanAccessMiddleware).
        request.plan_approved = found["approved"]
        plans.enter_prefix(outer)
        set_script_prefix(f"{outer.rstrip('/')}/planes/{code}/")
        plans.show(code)
        return self.get_response(request)


class PlanAccessMiddleware:
    """After authentication: a signed-in person opens another plan's pages only if they may
    (the public's pages and the API stay open: they read validated data)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        code = getattr(request, "plan_code", None)
        if code is not None and not request.plan_approved and not request.user.is_authenticated:
            return _no_plan(request, code)
        if code is not None and not access.may_open_plan(request.user, code):
            audit.warning(
                "permission_denied",
                extra={"user": request.user.get_username(), "rule": f"plan {code}"},
            )
            return HttpResponseForbidden(
                render_to_string(
                    "403.html",
                    {"exception": f"Su unidad no participa en el plan «{code}»."},
                    request,
                )
            )
        return self.get_response(request)


def _plan_request_finished(**kwargs) -> None:
    """The response is closed: the next request (or a test's own code) starts at the
    PESEM and the site's own prefix again."""
    outer = plans.leave_prefix()
    if outer is not None:
        set_script_prefix(outer)
        plans.show(plans.SHOWN_CODE)


request_finished.connect(_plan_request_finished, dispatch_uid="pesem.plan_path")
