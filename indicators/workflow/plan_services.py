"""Writes of plan versions, each approved by its resolution and by a second person of the
planning office (four eyes):
- an ampliación extends the vigente version's horizon and adds the new years' targets;
- a modificación revises targets of years inside the horizon, each with the rationale.
Until the decision nothing changes: the draft version and its targets wait. On approval the
version becomes vigente, the one before it reemplazado, the plan's years reach the new
horizon and the targets become approved revisions (indicators.workflow.target_services).
A past year keeps the version and targets in force when it was read (indicators.deadlines).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from indicators import access, progress, selectors
from indicators.models import Indicator, TargetRevision
from indicators.workflow import plan_elements, status, target_services
from objectives import plans
from objectives.models import Plan, PlanVersion, Resolution

audit = logging.getLogger("pesem.audit")

OWN_VERSION = (
    "Usted propuso esta versión: la aprueba o descarta otra persona de la oficina de "
    "planeamiento (cuatro ojos)."
)
EXTENDED, MODIFIED = PlanVersion.Kind.EXTENDED, PlanVersion.Kind.MODIFIED
UPDATED = PlanVersion.Kind.UPDATED
# The kinds of version made here, the reason their targets are revised for, and their name.
KINDS = {
    EXTENDED: (TargetRevision.Reason.EXTENSION, "ampliación"),
    MODIFIED: (TargetRevision.Reason.MODIFICATION, "modificación"),
    UPDATED: (TargetRevision.Reason.UPDATE, "actualización"),
}
# The kinds within the horizon: their targets revise those in force.
WITHIN = (MODIFIED, UPDATED)

NEW_PLAN_NAME = "versión nueva del plan"


def version_name(version: PlanVersion) -> str:
    """How the pages name a version to decide: «ampliación», «modificación», or a new
    plan's «versión nueva del plan» (a nuevo workbook proposed in the browser)."""
    if version.kind in KINDS:
        return KINDS[version.kind][1]
    return NEW_PLAN_NAME


Targets = Mapping[Indicator, Mapping[int, Decimal]]
# The target each indicator and year has today, as every page shows it (None: no target).
InForce = Mapping[tuple[int, int], progress.YearTarget | None]


@dataclass(frozen=True)
class TargetChange:
    indicator: Indicator
    year: int
    value: Decimal
    previous: Decimal | None


@dataclass(frozen=True)
class Proposal:
    """A version as typed: its plan and kind, the horizon's end (an ampliación's new one; a
    modificación's is the plan's), the approving resolution, the rationale and the targets
    by indicator and year."""

    plan: Plan
    kind: str
    horizon_end: int
    resolution: Resolution | None
    rationale: str
    targets: Targets
    # A target's own justification (a workbook's `justificacion`), else the rationale.
    rationales: Mapping[tuple[int, int], str] = field(default_factory=dict)
    # The plan's name in this version (blank: the name it has).
    name: str = ""
    # An actualización's changes to the elements (indicators.workflow.plan_elements).
    elements: tuple[dict, ...] = ()


@dataclass(frozen=True)
class Difference:
    """What a version changes against the one in force: shown before it is proposed and
    while it waits for its decision."""

    plan: Plan
    kind: str
    horizon_before: tuple[int, int]
    horizon_after: tuple[int, int]
    targets: list[TargetChange]
    # An ampliación's indicators left without a target in some new year, with those years.
    without_target: list[tuple[Indicator, list[int]]]
    # An actualización's changes to the elements, in words.
    elements: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return KINDS[self.kind][1]


def in_force(
    indicators: list[Indicator], years: range
) -> dict[tuple[int, int], progress.YearTarget | None]:
    """The targets in force today of these indicators and years (selectors.IndicatorFacts:
    the planning office's, else the published one, else interpolated); a query per relation."""
    facts = selectors.indicator_facts_list(
        queryset=selectors.indicator_queryset().filter(pk__in=[i.pk for i in indicators])
    )
    return {(f.indicator.pk, year): f.target_for(year) for f in facts for year in years}


def changes(kind: str, targets: Targets, now: InForce) -> list[TargetChange]:
    """The typed targets that change something: in a modificación a target typed as it
    already is changes nothing and is left out."""
    found = []
    for indicator, years in targets.items():
        for year in sorted(years):
            target = now.get((indicator.pk, year)) if kind in WITHIN else None
            previous = target.value if target else None
            if kind in WITHIN and previous == years[year]:
                continue
            found.append(TargetChange(indicator, year, years[year], previous))
    return found


def version_errors(proposal: Proposal, now: InForce) -> dict[str, list[str]]:
    """Every reason a version would be refused, in Spanish, by field (none: it may be
    proposed). Reads only: the preview shows them before anything is stored."""
    plan, kind, horizon_end = proposal.plan, proposal.kind, proposal.horizon_end
    resolution, rationale, targets = proposal.resolution, proposal.rationale, proposal.targets
    errors: dict[str, list[str]] = {}
    name = KINDS[kind][1]
    if kind == EXTENDED and horizon_end <= plan.end_year:
        errors.setdefault("horizon_end", []).append(
            f"Una ampliación extiende el horizonte más allá de {plan.end_year}."
        )
    if resolution is None:
        errors.setdefault("resolution", []).append(target_services.RESOLUTION_NEEDED)
    if not (rationale or "").strip():
        errors.setdefault("rationale", []).append(f"Indique el sustento de la {name}.")
    if plan.versions.filter(state=PlanVersion.State.DRAFT).exists():
        errors.setdefault("__all__", []).append(
            "Ya hay una versión en borrador de este plan: apruébela o descártela antes de "
            "proponer otra."
        )
    for indicator, years in targets.items():
        for year in sorted(years):
            if kind == EXTENDED and not plan.end_year < year <= horizon_end:
                errors.setdefault("targets", []).append(
                    f"{indicator.code}: {year} no es un año nuevo del horizonte "
                    f"({plan.end_year + 1} a {horizon_end}); cambiar la meta de un año que "
                    "ya está en el plan es una modificación."
                )
            if kind in WITHIN and year not in plan.years:
                errors.setdefault("targets", []).append(
                    f"{indicator.code}: {year} está fuera del horizonte {plan.start_year}-"
                    f"{plan.end_year}; añadir años es una ampliación."
                )
    if "targets" not in errors:
        found = changes(kind, targets, now)
        if not found and not proposal.elements:
            errors.setdefault("targets", []).append(
                "Indique al menos una meta de los años nuevos del horizonte."
                if kind == EXTENDED
                else "Ninguna meta cambia: escriba al menos una meta distinta de la vigente."
            )
        waiting = set(
            TargetRevision.objects.filter(
                state=TargetRevision.State.PROPOSED,
                indicator__in=[c.indicator for c in found],
            ).values_list("indicator_id", "year")
        )
        for change in found:
            if (change.indicator.pk, change.year) in waiting:
                errors.setdefault("targets", []).append(
                    f"{change.indicator.code}: ya hay una revisión propuesta de la meta "
                    f"{change.year}; apruébela o recházela en Revisiones de metas antes."
                )
    return errors


def difference(
    *,
    plan: Plan,
    kind: str,
    horizon_end: int,
    found: list[TargetChange],
    indicators: list[Indicator],
    elements: tuple[dict, ...] | list[dict] = (),
) -> Difference:
    """The difference a version of `plan` with these changes makes, `indicators` being the
    plan's, in their order."""
    order = {indicator.pk: n for n, indicator in enumerate(indicators)}
    found = sorted(found, key=lambda c: (order.get(c.indicator.pk, 0), c.year))
    missing = []
    if kind == EXTENDED:
        typed = {(c.indicator.pk, c.year) for c in found}
        for indicator in indicators:
            lacking = [
                year
                for year in range(plan.end_year + 1, horizon_end + 1)
                if (indicator.pk, year) not in typed
            ]
            if lacking:
                missing.append((indicator, lacking))
    return Difference(
        plan=plan,
        kind=kind,
        horizon_before=(plan.start_year, plan.end_year),
        horizon_after=(plan.start_year, max(horizon_end, plan.end_year)),
        targets=found,
        without_target=missing,
        elements=tuple(plan_elements.describe(change) for change in elements),
    )


def version_difference(version: PlanVersion, indicators: list[Indicator]) -> Difference:
    """A draft version's difference against the version in force, from its proposed
    targets (one query)."""
    by_pk = {indicator.pk: indicator for indicator in indicators}
    found = [
        TargetChange(by_pk[r.indicator_id], r.year, r.value, r.previous_value)
        for r in version.target_revisions.all()
    ]
    return difference(
        plan=version.plan,
        kind=version.kind,
        horizon_end=version.horizon_end,
        found=found,
        indicators=indicators,
        elements=version.element_changes,
    )


def waiting_versions() -> list[PlanVersion]:
    """The draft versions waiting for their decision, oldest first, with plan, resolution and
    proposer (one query): the versions page and «Mis tareas» list them."""
    return list(
        PlanVersion.objects.filter(state=PlanVersion.State.DRAFT)
        .select_related("plan", "resolution", "proposed_by")
        .order_by("created_at", "id")
    )


@transaction.atomic
def version_propose(*, user: User, proposal: Proposal) -> PlanVersion:
    """A draft version (an ampliación to a new horizon's end, or a modificación within the
    horizon) with its targets, for another person to decide (version_decide). Every problem
    is reported at once, in Spanish (version_errors); nothing is stored then."""
    access.require_validator(user)
    return _create(user, proposal, proposer=user)


@transaction.atomic
def version_record(*, user: User | None, proposal: Proposal) -> PlanVersion:
    """A version approved by its resolution, loaded as such (the command load_plan_workbook):
    vigente at once, the one before it reemplazado, its targets approved. `user` is who
    loaded it (None: a command run without --user). The same checks as a proposal."""
    # No proposer: nobody in the application proposed it; `user` loaded it and is its history's.
    version = _create(user, proposal, proposer=None)
    return _settle(version, user, approve=True, note="aprobada por su resolución (carga)")


def _create(user: User | None, proposal: Proposal, *, proposer: User | None) -> PlanVersion:
    if proposal.kind not in KINDS:
        raise ValidationError("Elija el tipo de versión: ampliación o modificación.")
    plan = Plan.objects.select_for_update().get(pk=proposal.plan.pk)
    kind, resolution, targets = proposal.kind, proposal.resolution, proposal.targets
    horizon_end = plan.end_year if kind in WITHIN else proposal.horizon_end
    proposal = replace(proposal, plan=plan, horizon_end=horizon_end)
    now = in_force(list(targets), plan.years) if kind in WITHIN else {}
    errors = version_errors(proposal, now)
    if errors:
        raise ValidationError(errors)
    rationale = proposal.rationale.strip()
    reason, name = KINDS[kind]
    current = plans.current_version(plan)
    version = PlanVersion.objects.create(
        plan=plan,
        kind=kind,
        name=proposal.name or (current.name if current else plan.name),
        horizon_start=plan.start_year,
        horizon_end=horizon_end,
        state=PlanVersion.State.DRAFT,
        resolution=resolution,
        proposed_by=proposer,
        element_changes=list(proposal.elements),
    )
    found = changes(kind, targets, now)
    for change in found:
        own = proposal.rationales.get((change.indicator.pk, change.year), "").strip()
        target_services.record_proposal(
            TargetRevision(
                indicator=change.indicator,
                year=change.year,
                value=change.value,
                previous_value=change.previous,
                reason=reason,
                rationale=own or rationale,
                resolution=resolution,
                version=version,
                proposed_by=proposer,
            ),
            user,
            f"{name} propuesta: {own or rationale}",
        )
    audit.info(
        "write",
        extra={
            "user": user.get_username() if user else None,
            "what": "plan_version",
            "action": "propose",
            "kind": kind,
            "plan": plan.code,
            "horizon_end": horizon_end,
            "targets": len(found),
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
    return _settle(version, user, approve=approve, note=note)


def retire_predecessor(plan: Plan) -> None:
    """A new plan took effect: the plan it follows (a new PESEM after the old one) has its
    vigente or finalizado version reemplazado."""
    if plan.predecessor_id is None:
        return
    PlanVersion.objects.filter(
        plan_id=plan.predecessor_id,
        state__in=[PlanVersion.State.IN_FORCE, PlanVersion.State.FINISHED],
    ).update(state=PlanVersion.State.REPLACED)


def _settle(version: PlanVersion, user: User | None, *, approve: bool, note: str) -> PlanVersion:
    """Record the decision on a draft version (its checks already made) and on its targets."""
    plan = Plan.objects.select_for_update().get(pk=version.plan_id)
    if approve:
        # The plan's years first: the new years' targets are years of the plan.
        plan.end_year = max(plan.end_year, version.horizon_end)
        plan.save(update_fields=["end_year"])
        # An actualización's elements: renamed or new ones, before their targets.
        if version.element_changes:
            with status.suspended():
                plan_elements.apply(plan, version.element_changes, user)
    # One refresh of the statuses at the end, not one per approved target.
    with status.suspended():
        for revision in version.target_revisions.filter(state=TargetRevision.State.PROPOSED):
            target_services.settle(revision, user, approve=approve, note="" if approve else note)
    if approve:
        plan.versions.filter(
            state__in=[PlanVersion.State.IN_FORCE, PlanVersion.State.FINISHED]
        ).update(state=PlanVersion.State.REPLACED)
        version.state = PlanVersion.State.IN_FORCE
        if version.kind == PlanVersion.Kind.NEW:
            retire_predecessor(plan)
    else:
        version.state = PlanVersion.State.DISCARDED
    version.decided_by = user
    # After its targets' approvals: the version takes effect with all of them.
    version.decided_at = timezone.now()
    version.save(update_fields=["state", "decided_by", "decided_at"])
    if approve:
        # The plan's statuses (its new years', read at this moment: deadlines.read_at); the
        # other plans' do not change.
        status.refresh(Indicator.objects.filter(plan=plan).values_list("pk", flat=True))
    audit.info(
        "write",
        extra={
            "user": user.get_username() if user else None,
            "what": "plan_version",
            "action": "approve" if approve else "discard",
            "plan": plan.code,
            "id": version.pk,
            "note": note,
        },
    )
    return version
