"""Rate limits shared by every process: a fixed-window counter in Django's cache (the
database cache by default, Redis when REDIS_URL is set), never in process memory."""

from __future__ import annotations

import time

from django.core.cache import cache
from django.http import HttpRequest

from pesem.middleware import client_ip


def hit(scope: str, ident: str, *, limit: int, window: int = 60) -> bool:
    """Count one request of `ident` in `scope`; False when it is over `limit` per `window`
    seconds (the request should get 429)."""
    start = int(time.time()) // window
    key = f"rl:{scope}:{ident}:{start}"
    # Most requests find the window's counter: incr() first (one round trip on Redis). The
    # first of a window creates it with add(), atomic in every backend; when another request
    # created it in between, count on it.
    try:
        count = cache.incr(key)
    except ValueError:
        if cache.add(key, 1, timeout=window + 5):
            return True
        try:
            count = cache.incr(key)
        except ValueError:  # expired in between
            return True
    return count <= limit


def hit_client(request: HttpRequest, scope: str, *, limit: int, window: int = 60) -> bool:
    """hit() keyed on the client's IP as our proxies report it (pesem.middleware.client_ip)."""
    return hit(scope, client_ip(request) or "unknown", limit=limit, window=window)
