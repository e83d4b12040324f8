import ipaddress
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBadRequest
from django.utils.cache import patch_cache_control

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
