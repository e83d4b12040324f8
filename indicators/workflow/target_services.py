"""Target revisions: the planning office proposes a yearly target with its reason, rationale
and resolution; another person approves or rejects it (four eyes). Revisions are
append-only; an approved one becomes the target the computations use (the planning office's
Target row), and the document's published targets stay as they are."""

from __future__ import annotations

import logging
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from indicators import access, selectors, services
from indicators.models import Indicator, Target, TargetRevision
from objectives import plans
from objectives.models import Plan, PlanVersion, Resolution

audit = logging.getLogger("pesem.audit")

TARGET_REASONS_PROPOSED = [r for r in TargetRevision.Reason if r != TargetRevision.Reason.ORIGINAL]
RESOLUTION_NEEDED = (
    "Indique la resolución que aprueba la revisión (tipo, número y fecha): solo una "
    "corrección puede ir sin resolución."
)
IN_A_DRAFT_VERSION = (
    "Esta meta es parte de una versión del plan en borrador: se aprueba o descarta con la "
    "versión, en Versiones del plan."
)
OWN_REVISION = (
    "Usted propuso esta revisión: otra persona de la oficina de planeamiento debe "
    "aprobarla o rechazarla."
)


def resolution_typed(
    *, resolution_type: str, number: str, date: object, issuer: str = ""
) -> Resolution | None:
    """The resolution typed in a form: the stored one when it exists, else a new unsaved
    one; None when nothing was typed. Partly typed: a clear message. Stores nothing (a
    preview reads it)."""
    resolution_type, number, issuer = (
        (resolution_type or "").strip(),
        (number or "").strip(),
        (issuer or "").strip(),
    )
    if not (resolution_type or number or date):
        return None
    if not (resolution_type and number and date):
        raise ValidationError({"resolution": RESOLUTION_NEEDED})
    found = Resolution.objects.filter(
        resolution_type=resolution_type, number=number, date=date
    ).first()
    return found or Resolution(
        resolution_type=resolution_type, number=number, date=date, issuer=issuer
    )


def resolution_record(
    *, resolution_type: str, number: str, date: object, issuer: str = ""
) -> Resolution | None:
    """The resolution typed with a revision or a version, stored (found again when it was
    already stored), or None when nothing was typed (resolution_typed)."""
    resolution = resolution_typed(
        resolution_type=resolution_type, number=number, date=date, issuer=issuer
    )
    if resolution is not None and resolution.pk is None:
        resolution.save()
    return resolution


def waiting_revisions() -> list[TargetRevision]:
    """The proposed revisions decided one by one, oldest first, with their indicator,
    resolution and proposer (one query): the revisions page and the planning office's «Mis
    tareas» list them, each saying who may decide it."""
    return list(
        TargetRevision.objects.filter(state=TargetRevision.State.PROPOSED)
        # A draft version's targets wait with their version (plan_services.waiting_versions).
        .exclude(version__state=PlanVersion.State.DRAFT)
        .select_related("indicator", "resolution", "proposed_by")
        .order_by("proposed_at", "id")
    )


def target_in_force(indicator: Indicator, year: int) -> Decimal | None:
    """The target the computations use for `year` today (the planning office's, else the
    published one by source priority, else interpolated), as every page shows it."""
    facts = selectors.indicator_facts_list(
        queryset=selectors.indicator_queryset().filter(pk=indicator.pk)
    )
    target = facts[0].target_for(year) if facts else None
    return target.value if target else None


@transaction.atomic
def target_propose(
    *,
    user: User,
    indicator: Indicator,
    year: int,
    value: Decimal,
    reason: str,
    rationale: str,
    resolution: Resolution | None = None,
) -> TargetRevision:
    """The planning office proposes a new target for a year, with its reason, its rationale
    and the resolution that approves it (a correction may go without). Nothing changes in
    the computations until another person approves it (target_decide)."""
    access.require_validator(user)
    if reason not in TARGET_REASONS_PROPOSED:
        raise ValidationError(
            {"reason": "Elija el motivo: ampliación, actualización, modificación o corrección."}
        )
    rationale = (rationale or "").strip()
    if not rationale:
        raise ValidationError({"rationale": "Indique el sustento de la revisión."})
    if resolution is None and reason != TargetRevision.Reason.CORRECTION:
        raise ValidationError({"resolution": RESOLUTION_NEEDED})
    services.check_year(year, services.plan_years())
    indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
    if TargetRevision.objects.filter(
        indicator=indicator, year=year, state=TargetRevision.State.PROPOSED
    ).exists():
        raise ValidationError(
            {
                "year": f"Ya hay una revisión propuesta de la meta {year} de {indicator.code}: "
                "apruébela o recházela antes de proponer otra."
            }
        )
    plan = Plan.objects.filter(code=plans.shown_code()).first()
    revision = record_proposal(
        TargetRevision(
            indicator=indicator,
            year=year,
            value=value,
            previous_value=target_in_force(indicator, year),
            reason=reason,
            rationale=rationale,
            resolution=resolution,
            version=plans.current_version(plan) if plan else None,
            proposed_by=user,
        ),
        user,
        f"propuesta: {rationale}",
    )
    audit.info(
        "write",
        extra={
            "user": user.get_username(),
            "what": "target_revision",
            "action": "propose",
            "indicator": indicator.code,
            "year": year,
            "value": str(value),
            "reason": reason,
        },
    )
    return revision


@transaction.atomic
def target_decide(
    *,
    user: User,
    revision: TargetRevision,
    approve: bool,
    note: str = "",
) -> TargetRevision:
    """Another person of the planning office approves a proposed revision (its value becomes
    the target the computations use) or rejects it with a reason. Decided revisions never
    change again. A revision of a draft version is decided only with its version
    (plan_services.version_decide)."""
    access.require_validator(user)
    # FOR UPDATE OF the revision alone: PostgreSQL locks no row of an outer join's null side.
    revision = (
        TargetRevision.objects.select_for_update(of=("self",))
        .select_related("version")
        .get(pk=revision.pk)
    )
    if revision.state != TargetRevision.State.PROPOSED:
        raise ValidationError(
            f"Esta revisión ya fue {revision.get_state_display()}: recargue la página."
        )
    if revision.version is not None and revision.version.state == PlanVersion.State.DRAFT:
        raise ValidationError(IN_A_DRAFT_VERSION)
    note = decision_note(
        user,
        revision.proposed_by_id,
        revision.pk,
        OWN_REVISION,
        approve,
        note,
        "Indique el motivo del rechazo.",
    )
    return settle(revision, user, approve=approve, note=note)


def settle(
    revision: TargetRevision, user: User | None, *, approve: bool, note: str = ""
) -> TargetRevision:
    """Record the decision on a proposed revision (its checks already made): approved, its
    value becomes the target the computations use. Also how a version loaded as approved by
    its resolution approves its targets (plan_services.version_record), `user` being who
    loaded it (None: a command run without --user)."""
    revision.state = TargetRevision.State.APPROVED if approve else TargetRevision.State.REJECTED
    revision.decided_by = user
    revision.decided_at = timezone.now()
    revision.decision_note = note
    services.note_history(
        revision, user, f"{revision.get_state_display()}: {note or revision.rationale}"
    )
    revision.save()
    if approve:
        _apply_target(user, revision)
    audit.info(
        "write",
        extra={
            "user": user.get_username() if user else None,
            "what": "target_revision",
            "action": "approve" if approve else "reject",
            "indicator": revision.indicator.code,
            "year": revision.year,
            "value": str(revision.value),
        },
    )
    return revision


def record_proposal(revision: TargetRevision, user: User | None, history: str) -> TargetRevision:
    """Store a proposed revision, stamped now, with its history line: the one way a
    revision is proposed (one target here, the new years of an ampliación in plan_services)."""
    revision.proposed_at = timezone.now()
    services.note_history(revision, user, history)
    revision.save()
    return revision


def decision_note(
    user: User,
    proposed_by_id: int | None,
    item_id: int,
    own: str,
    approve: bool,
    note: str,
    reason_needed: str,
) -> str:
    """The checks of a four-eyes decision, shared by target revisions and plan versions: the
    proposer may not decide (refused with an audit line), and a refusal needs its reason.
    The note, trimmed."""
    if proposed_by_id == user.pk:
        audit.warning(
            "permission_denied",
            extra={"user": user.get_username(), "rule": "four_eyes", "id": item_id},
        )
        raise ValidationError(own)
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError({"note": reason_needed})
    return note


def _apply_target(user: User | None, revision: TargetRevision) -> Target:
    """The approved value becomes the planning office's target of the year, which the
    computations use first. Published targets stay as they are."""
    target = (
        Target.objects.select_for_update()
        .filter(
            indicator=revision.indicator,
            kind=Target.Kind.TARGET,
            year=revision.year,
            source=services.PLANNING_OFFICE_SOURCE,
        )
        .first()
    ) or Target(
        indicator=revision.indicator,
        kind=Target.Kind.TARGET,
        year=revision.year,
        source=services.PLANNING_OFFICE_SOURCE,
    )
    target.value = revision.value
    target.published_text = ""
    target.note = revision.rationale
    services.note_history(target, user, f"revisión aprobada: {revision.rationale}")
    target.save()
    return target
