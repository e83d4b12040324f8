"""Writes of plan versions: an ampliación extends the vigente version's horizon and adds the
new years' targets, approved by its resolution and by a second person of the planning office
(four eyes). Until then nothing changes: the draft version and its targets wait. On approval
the version becomes vigente, the one it extends reemplazado, the plan's years reach the new
horizon and the targets become approved revisions (indicators.workflow.target_services).
A past year keeps the version and targets in force when it was read (indicators.deadlines).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from indicators import access
from indicators.models import Indicator, TargetRevision
from indicators.workflow import status, target_services
from objectives import plans
from objectives.models import Plan, PlanVersion, Resolution

audit = logging.getLogger("pesem.audit")

OWN_VERSION = (
    "Usted propuso esta versión: la aprueba o descarta otra persona de la oficina de "
    "planeamiento (cuatro ojos)."
)


@transaction.atomic
def extension_propose(
    *,
    user: User,
    plan: Plan,
    horizon_end: int,
    resolution: Resolution | None,
    rationale: str,
    targets: Mapping[Indicator, Mapping[int, Decimal]],
) -> PlanVersion:
    """A draft ampliación of `plan` to `horizon_end` with the new years' targets. Every
    problem is reported at once, in Spanish; nothing is stored then."""
    access.require_validator(user)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    errors: dict[str, list[str]] = {}
    if horizon_end <= plan.end_year:
        errors.setdefault("horizon_end", []).append(
            f"Una ampliación extiende el horizonte más allá de {plan.end_year}."
        )
    if resolution is None:
        errors.setdefault("resolution", []).append(target_services.RESOLUTION_NEEDED)
    rationale = (rationale or "").strip()
    if not rationale:
        errors.setdefault("rationale", []).append("Indique el sustento de la ampliación.")
    if plan.versions.filter(state=PlanVersion.State.DRAFT).exists():
        errors.setdefault("__all__", []).append(
            "Ya hay una versión en borrador de este plan: apruébela o descártela antes de "
            "proponer otra."
        )
    for indicator, years in targets.items():
        for year in sorted(years):
            if not plan.end_year < year <= horizon_end:
                errors.setdefault("targets", []).append(
                    f"{indicator.code}: {year} no es un año nuevo del horizonte "
                    f"({plan.end_year + 1} a {horizon_end}); cambiar la meta de un año que "
                    "ya está en el plan es una modificación."
                )
    if errors:
        raise ValidationError(errors)
    current = plans.current_version(plan)
    version = PlanVersion.objects.create(
        plan=plan,
        kind=PlanVersion.Kind.EXTENDED,
        name=current.name if current else plan.name,
        horizon_start=plan.start_year,
        horizon_end=horizon_end,
        state=PlanVersion.State.DRAFT,
        resolution=resolution,
        proposed_by=user,
    )
    for indicator, years in targets.items():
        for year, value in sorted(years.items()):
            target_services.record_proposal(
                TargetRevision(
                    indicator=indicator,
                    year=year,
                    value=value,
                    previous_value=None,
                    reason=TargetRevision.Reason.EXTENSION,
                    rationale=rationale,
                    resolution=resolution,
                    version=version,
                    proposed_by=user,
                ),
                user,
                f"ampliación propuesta: {rationale}",
            )
    audit.info(
        "write",
        extra={
            "user": user.get_username(),
            "what": "plan_version",
            "action": "propose",
            "plan": plan.code,
            "horizon_end": horizon_end,
            "targets": sum(len(years) for years in targets.values()),
        },
    )
    return version


@transaction.atomic
def version_decide(
    *, user: User, version: PlanVersion, approve: bool, note: str = ""
) -> PlanVersion:
    """Another person of the planning office approves a draft version (it becomes vigente,
    with its targets) or discards it with a reason (its targets are rejected)."""
    access.require_validator(user)
    version = PlanVersion.objects.select_for_update().select_related("plan").get(pk=version.pk)
    if version.state != PlanVersion.State.DRAFT:
        raise ValidationError(
            f"Esta versión ya está {version.get_state_display()}: recargue la página."
        )
    note = target_services.decision_note(
        user,
        version.proposed_by_id,
        version.pk,
        OWN_VERSION,
        approve,
        note,
        "Indique el motivo para descartar la versión.",
    )
    plan = Plan.objects.select_for_update().get(pk=version.plan_id)
    if approve:
        # The plan's years first: the new years' targets are years of the plan.
        plan.end_year = max(plan.end_year, version.horizon_end)
        plan.save(update_fields=["end_year"])
    for revision in version.target_revisions.filter(state=TargetRevision.State.PROPOSED):
        target_services.target_decide(
            user=user, revision=revision, approve=approve, note="" if approve else note
        )
    if approve:
        plan.versions.filter(
            state__in=[PlanVersion.State.IN_FORCE, PlanVersion.State.FINISHED]
        ).update(state=PlanVersion.State.REPLACED)
        version.state = PlanVersion.State.IN_FORCE
    else:
        version.state = PlanVersion.State.DISCARDED
    version.decided_by = user
    # After its targets' approvals: the version takes effect with all of them.
    version.decided_at = timezone.now()
    version.save(update_fields=["state", "decided_by", "decided_at"])
    if approve:
        status.refresh()  # the new years' statuses, read at this moment (deadlines.read_at)
    audit.info(
        "write",
        extra={
            "user": user.get_username(),
            "what": "plan_version",
            "action": "approve" if approve else "discard",
            "plan": plan.code,
            "id": version.pk,
            "note": note,
        },
    )
    return version
