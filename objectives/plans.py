"""Reads of plans and their versions (no writes)."""

from datetime import datetime

from django.db.models import Subquery

from objectives.models import Plan, PlanVersion

APPROVED = [PlanVersion.State.IN_FORCE, PlanVersion.State.FINISHED, PlanVersion.State.REPLACED]


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
# Today every page, file, export and API answer that is not addressed by a plan's code shows
# the PESEM 2015-2021; a second plan (a PEI) in the database changes none of them. The plan
# and period switcher (a later slice) will choose it per request.
SHOWN_CODE = "PESEM-RREE"


def shown_plan() -> Subquery:
    """The shown plan's id, as a subquery: `Indicator.objects.filter(plan=shown_plan())` adds
    no query of its own."""
    return Subquery(Plan.objects.filter(code=SHOWN_CODE).values("pk")[:1])


def shown_entity() -> Subquery:
    """The shown plan's entity's id (its units), as a subquery."""
    return Subquery(Plan.objects.filter(code=SHOWN_CODE).values("entity")[:1])
