"""Rate limits shared by every process: a fixed-window counter that parallel requests count
up atomically, never in process memory.

- With Redis (REDIS_URL, django-redis) or a process-local cache, the cache counts: add() sets
  a window's counter once (SET NX), incr() is Redis' INCR (django-redis runs it as one script,
  so an expired key is never recreated without a timeout).
- With the database cache (the default), whose incr() reads and then writes (300 parallel
  requests got 270 answers against a limit of 120), a row of pesem.RateCounter is counted up
  in one SQL statement: INSERT ... ON CONFLICT DO UPDATE ... RETURNING, on PostgreSQL and on
  SQLite (3.35 or later) alike."""

from __future__ import annotations

import hashlib
import time
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpRequest

from pesem.middleware import client_ip
from pesem.models import RateCounter

# Backends whose incr() is atomic: Redis' INCR, or a lock in this process.
ATOMIC_BACKENDS = ("redis", "locmem")
# SQLite allows one writer at a time: a statement that finds the database locked is tried
# again this many times before the request is refused as over the limit (never a 500).
TRIES = 50
PAUSE = 0.01  # s between tries


def _cache_counts() -> bool:
    backend = settings.CACHES["default"]["BACKEND"].lower()
    return any(name in backend for name in ATOMIC_BACKENDS)


def _key(scope: str, ident: str, start: int) -> str:
    key = f"rl:{scope}:{ident}:{start}"
    if len(key) > 200:  # an ident from outside (an address) is short; a long one is hashed
        key = f"rl:{scope}:{hashlib.sha256(ident.encode()).hexdigest()}:{start}"
    return key


def _count_in_cache(key: str, window: int) -> int:
    # Most requests find the window's counter: incr() first (one round trip on Redis). The
    # first of a window creates it with add(), atomic in every backend; when another request
    # created it in between, count on it.
    try:
        return int(cache.incr(key))
    except ValueError:
        if cache.add(key, 1, timeout=window + 5):
            return 1
        try:
            return int(cache.incr(key))
        except ValueError:  # expired in between
            return 1


def _upsert_sql() -> str:
    q = connection.ops.quote_name
    table = q(RateCounter._meta.db_table)
    return (
        f"INSERT INTO {table} ({q('key')}, {q('hits')}, {q('expires_at')}) "  # noqa: S608
        f"VALUES (%s, 1, %s) ON CONFLICT ({q('key')}) "
        f"DO UPDATE SET {q('hits')} = {table}.{q('hits')} + 1 RETURNING {q('hits')}"
    )


def _delete_sql() -> str:
    q = connection.ops.quote_name
    table = q(RateCounter._meta.db_table)
    return f"DELETE FROM {table} WHERE {q('expires_at')} < %s"  # noqa: S608


def _count_in_database(key: str, start: int, window: int) -> int | None:
    """The window's count after this request, in one statement; None when the database
    stayed locked (SQLite under a burst)."""
    expires = datetime.fromtimestamp((start + 1) * window + 5, tz=UTC)
    now = datetime.fromtimestamp(time.time(), tz=UTC)
    ops = connection.ops
    for _ in range(TRIES):
        try:
            with connection.cursor() as cursor:
                cursor.execute(_upsert_sql(), [key, ops.adapt_datetimefield_value(expires)])
                hits = int(cursor.fetchone()[0])
            break
        except DatabaseError as exc:
            if "locked" not in str(exc).lower():
                raise
            time.sleep(PAUSE)
    else:
        return None
    if hits == 1:
        # A new window: the past ones go (one indexed delete). Apart from the count, so a
        # delete that finds the database locked never counts the request twice; the past
        # rows then go with the next new window.
        try:
            with connection.cursor() as cursor:
                cursor.execute(_delete_sql(), [ops.adapt_datetimefield_value(now)])
        except DatabaseError as exc:
            if "locked" not in str(exc).lower():
                raise
    return hits


def hit(scope: str, ident: str, *, limit: int, window: int = 60) -> bool:
    """Count one request of `ident` in `scope`; False when it is over `limit` per `window`
    seconds (the request should get 429)."""
    start = int(time.time()) // window
    key = _key(scope, ident, start)
    if _cache_counts():
        return _count_in_cache(key, window) <= limit
    count = _count_in_database(key, start, window)
    return count is not None and count <= limit


def hit_client(request: HttpRequest, scope: str, *, limit: int, window: int = 60) -> bool:
    """hit() keyed on the client's IP as our proxies report it (pesem.middleware.client_ip)."""
    return hit(scope, client_ip(request) or "unknown", limit=limit, window=window)
