"""Two login limits in one django-axes callable (AXES_FAILURE_LIMIT).

Axes counts failures per lockout parameter (a username from an IP, and an IP whatever the
usernames) and compares the largest count with one limit. Password spraying (a few passwords
against many accounts from one IP) needs the IP to have a limit of its own, higher than a
user's, so that a whole office behind one address is not locked by a few mistyped passwords.
The callable returns the limit that makes axes' comparison equal to "this username from this
IP failed PESEM_LOGIN_FAILURES times, or this IP failed PESEM_LOGIN_IP_FAILURES times"."""

from __future__ import annotations

from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest


def _failures(**filters: object) -> int:
    total = AccessAttempt.objects.filter(**filters).aggregate(n=Sum("failures_since_start"))["n"]
    return total or 0


def failure_limit(request: HttpRequest, credentials: dict | None) -> int:
    ip = getattr(request, "axes_ip_address", None)
    ip_limit = settings.PESEM_LOGIN_IP_FAILURES
    username = get_client_username(request, credentials)
    if ip is None or not username:
        return ip_limit
    if _failures(username=username, ip_address=ip) >= settings.PESEM_LOGIN_FAILURES:
        # Axes compares the IP's count (the largest); this user's own limit is reached, so
        # any count locks.
        return 1
    return ip_limit
