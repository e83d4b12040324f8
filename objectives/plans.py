"""Reads of plans and their versions (no writes)."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from datetime import datetime

from django.db.models import QuerySet, Subquery
from django.urls import get_script_prefix

from objectives.models import Plan, PlanVersion

APPROVED = [PlanVersion.State.IN_FORCE, PlanVersion.State.FINISHED, PlanVersion.State.REPLACED]


def approved_versions(plan: object) -> QuerySet[PlanVersion]:
    """A plan's approved versions (vigente, finalizado, reemplazado): not a borrador nor a
    descartado one. `plan` is a plan or an expression (OuterRef)."""
    return PlanVersion.objects.filter(plan=plan, state__in=APPROVED)


def current_version(plan: Plan) -> PlanVersion | None:
    """The version a plan's pages show: the vigente one, else the latest created (None for a
    plan without versions). Reads `plan.versions.all()`, so a prefetch of "versions" saves the
    query."""
    versions = list(plan.versions.all())
    for version in versions:
        if version.state == PlanVersion.State.IN_FORCE:
            return version
    return max(versions, key=lambda v: (v.created_at, v.pk), default=None)


def version_at(plan: Plan, moment: datetime) -> PlanVersion | None:
    """The version in force at `moment`: the last one approved by then (one loaded as
    approved, with no approval time, from the start); never a draft or a discarded one. A
    past year's report prints its horizon, so an ampliación approved later leaves that report
    as it was. One query."""
    approved = [
        v
        for v in plan.versions.filter(state__in=APPROVED)
        if v.decided_at is None or v.decided_at <= moment
    ]
    return max(
        approved,
        key=lambda v: (v.decided_at is not None, v.decided_at or moment, v.pk),
        default=None,
    )


# --- the plan the pages show ---------------------------------------------------------------
# Every page, file, export and API answer that is not addressed by a plan's code shows one
# plan: the PESEM 2015-2021 at today's addresses, another plan under /planes/<code>/ (the
# request's plan, set by pesem.middleware.PlanPathMiddleware for that request only). Outside
# a request (commands, tests, the bench) it is the PESEM.
SHOWN_CODE = "PESEM-RREE"

_shown: ContextVar[str] = ContextVar("shown_plan_code", default=SHOWN_CODE)


def shown_code() -> str:
    """The code of the plan this request shows."""
    return _shown.get()


def show(code: str) -> Token[str]:
    """Shows the plan `code` until `unshow(token)` (the middleware, per request)."""
    return _shown.set(code)


def unshow(token: Token[str]) -> None:
    _shown.reset(token)


@contextmanager
def showing(code: str) -> Iterator[None]:
    """Within the block, reads show the plan `code` (commands, tests and the bench)."""
    token = show(code)
    try:
        yield
    finally:
        unshow(token)


# The site's own script prefix while a request shows another plan below /planes/<code>/
# (pesem.middleware.PlanPathMiddleware), to write addresses outside that plan.
_outer_prefix: ContextVar[str | None] = ContextVar("outer_script_prefix", default=None)


def enter_prefix(outer: str) -> None:
    _outer_prefix.set(outer)


def leave_prefix() -> str | None:
    """The site's own prefix to put back, once (None when the request showed the PESEM)."""
    outer = _outer_prefix.get()
    _outer_prefix.set(None)
    return outer


def site_prefix() -> str:
    """The site's own script prefix, outside any plan's ("/" at the root)."""
    outer = _outer_prefix.get()
    return outer if outer is not None else get_script_prefix()


def plan_address(code: str, page: str = "") -> str:
    """The address of a plan's `page` ("" its start, "tablero/", ...): today's addresses for
    the PESEM 2015-2021, /planes/<code>/<page> for another plan."""
    if code == SHOWN_CODE:
        return f"{site_prefix()}{page}"
    return f"{site_prefix()}planes/{code}/{page}"


def shown_plan() -> Subquery:
    """The shown plan's id, as a subquery: `Indicator.objects.filter(plan=shown_plan())` adds
    no query of its own."""
    return Subquery(Plan.objects.filter(code=shown_code()).values("pk")[:1])


def shown_entity() -> Subquery:
    """The shown plan's entity's id (its units), as a subquery."""
    return Subquery(Plan.objects.filter(code=shown_code()).values("entity")[:1])


# The two target columns of the plan page and the tablero, and the tablero's trajectory: the
# PESEM 2015-2021 publishes its targets for 2016 and 2021 (Cuadro 5); another plan shows the
# first and last years of its horizon.
PESEM_MILESTONES = (2016, 2021)


def milestones(plan: Plan | None = None) -> tuple[int, int]:
    """The shown plan's two target years (no query for the PESEM, nor when `plan` is given)."""
    code = shown_code()
    if code == SHOWN_CODE:
        return PESEM_MILESTONES
    if plan is None:
        plan = Plan.objects.filter(code=code).only("start_year", "end_year").first()
    return (plan.start_year, plan.end_year) if plan else PESEM_MILESTONES
