"""Reads of plans and their versions (no writes)."""

from objectives.models import Plan, PlanVersion


def current_version(plan: Plan) -> PlanVersion | None:
    """The version a plan's pages show: the vigente one, else the latest created (None for a
    plan without versions). Reads `plan.versions.all()`, so a prefetch of "versions" saves the
    query."""
    versions = list(plan.versions.all())
    for version in versions:
        if version.state == PlanVersion.State.IN_FORCE:
            return version
    return max(versions, key=lambda v: (v.created_at, v.pk), default=None)
