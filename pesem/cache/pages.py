"""Rendered pages kept per data version (pesem.cache.data), so a page read a thousand times
between two saves is built once.

Which pages, and for whom a copy is valid:
- AUDIENCE pages (dashboards, the plan, an indicator, actors, the report and its files) look the
  same to every user with the same roles, directorate, staff and superuser flags: one copy per
  audience. The key also names whose drafts the reader may see (access.drafts_scope_of), so a
  copy showing drafts is never served to someone the rule of indicators/access.py refuses.
- SESSION pages (a person's own work: Mis tareas, Pendientes, the grid, the validation queue)
  carry buttons that depend on who the person is: one copy per session.
The parts of a copy that are personal are put back at every answer: the user's name and task
badge in the header (between `<!--pc:...-->` markers in base.html) and the CSRF tokens of the
forms. A request with flash messages waiting, any method but GET, and any answer but 200 are
never cached. Keys carry today's date (deadline texts count days) and the data version, read
before the page is built, so a copy never outlives the write that made it stale.

DRAFT_BLIND pages never show a draft to anyone (they read validated and submitted values, and
action reports and conclusions only once sent): they are keyed on the official counter
(pesem.cache.data), so registrars saving drafts do not make them stale. An indicator's page
lists its own values and their history, drafts included for who may read them, and nothing of
other indicators' drafts: it is keyed on the official counter plus a mark of its own values' writes
(datacache.value_history_mark), so a draft saved of another indicator leaves it kept.
Personal pages are keyed on every write. tests/pesem/cache/test_pages_drafts.py saves drafts of each
kind and requires every DRAFT_BLIND page to be the same for every role before and after.

One build per key at a time: after a write, the first request for a page builds it and the
others asking for the same copy meanwhile wait for it (up to WAIT seconds, then build it
themselves) instead of all building it at once on the same cores."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.html import escape

from indicators import access, deadlines, progress, selectors, services
from indicators.models import Indicator
from indicators.tables import DashboardTable, SafeTableExport
from pesem.cache import data as datacache
from pesem.cache import personal

AUDIENCE = "audience"
SESSION = "session"
PAGES = {
    "home": AUDIENCE,
    "tablero": AUDIENCE,
    "plan": AUDIENCE,
    "objective_detail": AUDIENCE,
    "prospective": AUDIENCE,
    "directorates": AUDIENCE,
    "directorate_detail": AUDIENCE,
    # The report's XLSX and PDF are kept as files per official version (pesem.report.files).
    "report": AUDIENCE,
    "indicator_detail": AUDIENCE,
    "actors": AUDIENCE,
    "actor_matrix": AUDIENCE,
    "variable_actors": AUDIENCE,
    "actor_detail": AUDIENCE,
    "my_tasks": SESSION,
    "pending": SESSION,
    "grid": SESSION,
    "validation_queue": SESSION,
    # The plan switcher: the plans this audience may open (roles and unit), no drafts.
    "plans": AUDIENCE,
    # A semestral plan's grid of a period: a workspace with drafts, as the yearly grid.
    "semester_grid": SESSION,
}
DRAFT_BLIND = {
    "plans",
    "home",
    "tablero",
    "plan",
    "objective_detail",
    "prospective",
    "directorates",
    "directorate_detail",
    "report",
    "actors",
    "actor_matrix",
    "variable_actors",
    "actor_detail",
}
# Pages keyed on the official counter plus a mark of their own drafts, computed from the URL's
# arguments (one query): see the module's docstring.
OWN_DRAFTS = {
    "indicator_detail": lambda kwargs: datacache.value_history_mark(kwargs["code"]),
}


# --- which addresses are kept -----------------------------------------------------------------
#
# A copy is kept per address, so an address must be one of a bounded few: only the query
# parameters a page reads, each with a value it may take (or empty, as a filter form sends
# «todos»), each once. Anything else (`?flood=N`, `anio=99999`, `per_page=100000`, a search
# text) is served as the view answers it, never kept.


def page_years() -> range:
    """The years a dashboard offers (?anio=), per official data version: one cache read."""
    return datacache.cached(
        ("page-years",),
        lambda: selectors.dashboard_years(years=services.plan_years()),
        official=True,
    )


def _year(raw: str) -> bool:
    return len(raw) == 4 and raw.isascii() and raw.isdigit() and int(raw) in page_years()


def _pattern(regex: str) -> Callable[[str], bool]:
    compiled = re.compile(regex)
    return lambda raw: compiled.fullmatch(raw) is not None


def _one_of(values: Iterable[str]) -> Callable[[str], bool]:
    allowed = frozenset(values)
    return lambda raw: raw in allowed


_CODE = _pattern(r"[A-Za-z0-9][A-Za-z0-9._-]{0,19}")
_YEAR_ONLY = {"anio": _year}
PARAMS: dict[str, dict[str, Callable[[str], bool]]] = {
    "home": {
        "anio": _year,
        "objective": _pattern(r"[1-9][0-9]?"),
        "responsible": _CODE,
        "level": _one_of(Indicator.Level.values),
        "light": _one_of(light.value for light in progress.Light),
        "page": _pattern(r"[1-9][0-9]{0,3}"),
        "per_page": _pattern(r"[1-9][0-9]?|100"),
        "sort": _one_of(
            prefix + name for name in DashboardTable.base_columns for prefix in ("", "-")
        ),
        "_export": _one_of(SafeTableExport.FORMATS),
    },
    "plan": {},
    "objective_detail": _YEAR_ONLY,
    "directorates": _YEAR_ONLY,
    "directorate_detail": _YEAR_ONLY,
    "report": _YEAR_ONLY,
    "indicator_detail": _YEAR_ONLY,
    "pending": {"anio": _year, "direccion": _CODE},
    "validation_queue": _YEAR_ONLY,
}
# The menu's tablero (/tablero/) reads what the site's address does: its year and filters
# (the year chooser sends them to the page it is on).
PARAMS["tablero"] = PARAMS["home"]


def canonical_query(name: str, request: HttpRequest) -> str | None:
    """The query string of a keepable address of page `name`, its parameters sorted; None when
    the address has a parameter the page does not read, one twice, or a value out of range."""
    known = PARAMS.get(name, {})
    pairs = []
    for param, values in request.GET.lists():
        check = known.get(param)
        if check is None or len(values) != 1:
            return None
        if values[0] and not check(values[0]):
            return None
        pairs.append((param, values[0]))
    return urlencode(sorted(pairs))


WAIT = 10.0  # s: how long a request waits for another process building the same copy
POLL = 0.02  # s
# The personal parts base.html marks, each once, in the header.
MARKS = ("user", "badge")
CSRF_VALUE = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]*)"')
KEPT_HEADERS = ("Content-Type", "Content-Disposition")


def _has_messages(request: HttpRequest) -> bool:
    """Flash messages waiting for this request (cookie or session storage): the page must be
    rendered for them."""
    return "messages" in request.COOKIES or bool(request.session.get("_messages"))


def _audience(request: HttpRequest, kind: str) -> str:
    """Who a copy is for. A person's roles and directorate are remembered in the session while
    the official counter stays (pesem.cache.personal)."""
    user = request.user
    if kind == SESSION:
        return f"s:{request.session.session_key}"
    roles, directorate = personal.audience(request)
    request._pagecache_roles = frozenset(roles)  # type: ignore[attr-defined]  # for _fill
    # Whose drafts the copy may show (access.can_see_drafts_of): it is a function of the
    # parts before it, stated apart so the key names the rule it serves.
    drafts = access.drafts_scope_of(roles, directorate, is_superuser=user.is_superuser)
    return (
        f"a:{','.join(roles)}:{directorate}:{int(user.is_staff)}:{int(user.is_superuser)}:{drafts}"
    )


def _page_key(
    request: HttpRequest, kind: str, name: str, kwargs: dict[str, Any], query: str | None = None
) -> str:
    if query is None:
        query = canonical_query(name, request) or ""
    versions = personal.versions(request)  # read once: the menu's badge reuses it
    own_drafts = OWN_DRAFTS.get(name)
    official = name in DRAFT_BLIND or own_drafts is not None
    parts = [
        "page",
        name,
        request.path,
        query,
        _audience(request, kind),
        deadlines.today().isoformat(),  # the today the page counts days from
    ]
    if own_drafts is not None:
        parts.append(own_drafts(kwargs))
    return datacache.key(
        *parts,
        version=versions.official if official else versions.number,
        official=official,
    )


def _wait_for(key: str) -> dict[str, Any] | None:
    """The copy another request is building under `key`, once it is kept; None when that
    build ends without keeping one (an error) or takes longer than WAIT."""
    lock = f"{key}:building"
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        time.sleep(POLL)
        entry: dict[str, Any] | None = cache.get(key)
        if entry is not None:
            return entry
        if cache.get(lock) is None:
            return cache.get(key)  # type: ignore[no-any-return]
    return None


def _personal_parts(request: HttpRequest) -> dict[str, str]:
    user = request.user
    name = escape(user.get_full_name() or user.get_username())
    roles = getattr(request, "_pagecache_roles", None)  # set by _audience
    count = personal.open_task_count(request, personal.roles(request) if roles is None else roles)
    badge = render_to_string("_badge.html", {"open_tasks": count})  # as base.html includes it
    return {"user": name, "badge": badge}


def _fill(request: HttpRequest, content: bytes) -> bytes:
    """The kept copy with this reader's parts put back: name, badge, CSRF tokens. One copy of
    the page, spliced from slices (a kept plan page at 5,000 indicators is megabytes: a regex
    substitution per part copied it three times, and decoding it twice more)."""
    parts = _personal_parts(request)
    spans: list[tuple[int, int, bytes]] = []  # (start, end, what goes there)
    for mark in MARKS:
        opening, closing = f"<!--pc:{mark}-->".encode(), f"<!--/pc:{mark}-->".encode()
        start = content.find(opening)
        end = content.find(closing, start) if start >= 0 else -1
        if end >= 0:
            spans.append((start + len(opening), end, parts[mark].encode()))
    if b"csrfmiddlewaretoken" in content:
        token = get_token(request).encode()
        spans += [(m.start(1), m.end(1), token) for m in CSRF_VALUE.finditer(content)]
    pieces, position = [], 0
    for start, end, value in sorted(spans):
        pieces += [content[position:start], value]
        position = end
    pieces.append(content[position:])
    return b"".join(pieces)


def _kept_when_sent(chunks: Iterator[bytes], key: str, headers: dict[str, str]) -> Iterator[bytes]:
    """The chunks of a streamed answer, passed on as they come; kept as one copy when the
    last one has gone (not when the client leaves halfway)."""
    sent = []
    for chunk in chunks:
        sent.append(chunk)
        yield chunk
    cache.set(key, {"content": b"".join(sent), "headers": headers}, datacache.TIMEOUT)


# --- one kept-copy mechanism, used by the middleware below and by the portal -------------------


def claim(key: str) -> tuple[dict[str, Any] | None, bool]:
    """The kept copy under `key`, or (None, building): the first asker of a missing copy gets
    building=True and must build it (then keep() and release()); the others wait for it (up to
    WAIT seconds, then build it themselves, with building=False)."""
    entry: dict[str, Any] | None = cache.get(key)
    if entry is not None:
        return entry, False
    building = cache.add(f"{key}:building", 1, int(WAIT) + 20)
    if not building:
        entry = _wait_for(key)
    return entry, building


def keep(key: str, response: HttpResponse) -> None:
    """Keep a 200 answer under `key`: at once, or once sent whole when it is streamed."""
    if response.status_code != 200:
        return
    headers = {h: response[h] for h in KEPT_HEADERS if response.has_header(h)}
    if response.streaming:
        # A streamed export leaves as it is built and is kept once sent whole.
        response.streaming_content = _kept_when_sent(response.streaming_content, key, headers)
    else:
        cache.set(key, {"content": response.content, "headers": headers}, datacache.TIMEOUT)


def release(key: str) -> None:
    """Requests waiting for the copy under `key` stop waiting (it is kept, or failed)."""
    cache.delete(f"{key}:building")


def replay(entry: dict[str, Any], request: HttpRequest | None = None) -> HttpResponse:
    """A kept copy as an answer; with `request`, its personal parts put back (_fill)."""
    content: bytes = entry["content"]
    headers: dict[str, str] = entry["headers"]
    if request is not None and headers.get("Content-Type", "").startswith("text/html"):
        content = _fill(request, content)
    response = HttpResponse(content)
    for name, value in headers.items():
        response[name] = value
    response["X-Page-Cache"] = "hit"
    return response


class PageCacheMiddleware:
    """After authentication and messages: serves a kept copy of a cacheable page, or keeps the
    page the view renders."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            response: HttpResponse = self.get_response(request)
            key = getattr(request, "_page_cache_key", None)
            if key:
                keep(key, response)
            return response
        finally:
            key = getattr(request, "_page_cache_key", None)
            if key and getattr(request, "_page_cache_building", False):
                release(key)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if not settings.PESEM_PAGE_CACHE or request.method != "GET":
            return None
        match = request.resolver_match
        # view_name carries the namespace: the API's "plan" is not the plan page.
        name = match.view_name if match else ""
        kind = PAGES.get(name)
        if kind is None or not request.user.is_authenticated or _has_messages(request):
            return None
        if kind == SESSION and not request.session.session_key:
            return None
        query = canonical_query(name, request)
        if query is None:
            return None  # answered as the view says, never kept (see PARAMS)
        key = _page_key(request, kind, name, view_kwargs, query)
        entry, building = claim(key)
        if entry is None:
            request._page_cache_key = key  # type: ignore[attr-defined]  # kept on the way out
            request._page_cache_building = building  # type: ignore[attr-defined]
            return None
        return replay(entry, request)
