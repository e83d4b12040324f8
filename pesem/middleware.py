import logging

from django.core.exceptions import PermissionDenied

audit = logging.getLogger("pesem.audit")


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
