"""What the header shows of the person reading (their roles and the «Mis tareas» badge),
remembered in their session per data version, for kept pages (pesem.cache.pages) and rendered
ones (pesem.context_processors) alike.

Counting a registrar's or validator's open tasks takes two or three queries and was most of a
logged-in request's cost. The count is remembered with the data version `number` (every write
moves it, drafts included, and drafts change a registrar's tasks), the user and today's date
(tasks fall due with deadlines); the roles and directorate with the `official` counter (any
change to users, groups or staff profiles is an official write). The version is read once per
request and before anything it stamps is counted, so a remembered figure is never older than
the last acknowledged write, in any process.

Without the page cache (the test settings, whose writes roll back and never move the version)
nothing is remembered."""

from __future__ import annotations

from typing import cast

from django.conf import settings
from django.contrib.auth.models import User
from django.http import HttpRequest

from indicators import access, deadlines
from indicators.workflow import inbox
from objectives import plans
from pesem.cache import data as datacache

AUDIENCE_KEY = "_pagecache_audience"  # [official, user pk, roles, directorate id]
TASKS_KEY = "_pesem_open_tasks"  # [number, user pk, ISO date, plan code, count]


def _remembers(request: HttpRequest) -> bool:
    """A session to remember in (not a request made without the middleware, and not a new
    one that remembering would create)."""
    session = getattr(request, "session", None)
    return settings.PESEM_PAGE_CACHE and session is not None and session.session_key is not None


def versions(request: HttpRequest) -> datacache.Versions:
    """The data version as first read in this request (one query, the first time)."""
    read: datacache.Versions | None = getattr(request, "_pesem_versions", None)
    if read is None:
        read = datacache.current()
        request._pesem_versions = read  # type: ignore[attr-defined]
    return read


def audience(request: HttpRequest) -> tuple[list[str], int | None]:
    """The user's roles (sorted) and directorate id, remembered in the session for as long as
    the official counter stays (two queries when it moved)."""
    user = request.user
    official = versions(request).official
    remembered = request.session.get(AUDIENCE_KEY)
    if remembered and remembered[0] == official and remembered[1] == user.pk:
        return sorted(remembered[2]), remembered[3]
    roles, directorate = sorted(access.roles(user)), access.directorate_id_of(user)
    request.session[AUDIENCE_KEY] = [official, user.pk, roles, directorate]
    return roles, directorate


def roles(request: HttpRequest) -> frozenset[str]:
    """The user's roles for the menu: access.roles' when the view already asked it (kept on
    the user object: no query), else the session's (audience: the version read once)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return frozenset()
    # access.roles keeps its answer on the user object; once a view has checked access the
    # roles cost nothing, and reading the version for them would cost a query.
    if getattr(user, "_pesem_roles", None) is not None or not _remembers(request):
        return access.roles(user)
    return frozenset(audience(request)[0])


def open_task_count(request: HttpRequest, user_roles: frozenset[str]) -> int | None:
    """The «Mis tareas» badge: None for a person without tasks; else the count, recounted
    only when the data version, the user or the date moved since this session last counted."""
    if not user_roles & inbox.TASK_ROLES:
        return None
    user = cast(User, request.user)  # roles with tasks are a signed-in person's
    today = deadlines.today()
    if not _remembers(request):
        return inbox.open_task_count(user=user, today=today)
    # read before counting; the tasks are the shown plan's (objectives.plans.shown_code)
    stamp = [versions(request).number, user.pk, today.isoformat(), plans.shown_code()]
    remembered = request.session.get(TASKS_KEY)
    if remembered and remembered[:4] == stamp:
        return int(remembered[4])
    count = inbox.open_task_count(user=user, today=today)
    request.session[TASKS_KEY] = [*stamp, count]
    return count
