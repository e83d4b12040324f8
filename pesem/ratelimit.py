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
    # add() is atomic in every backend: the first request of the window creates the counter.
    if cache.add(key, 1, timeout=window + 5):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout=window + 5)
        return True
    return count <= limit


def hit_client(request: HttpRequest, scope: str, *, limit: int, window: int = 60) -> bool:
    """hit() keyed on the client's IP as our proxies report it (pesem.middleware.client_ip)."""
    return hit(scope, client_ip(request) or "unknown", limit=limit, window=window)
