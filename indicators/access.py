"""Who may do what (domain.md, "The people and their rights"). Services call these before
every write, so a hand-made POST gets the same answer as the button that is not shown."""

from __future__ import annotations

import logging

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet

from indicators.models import WorkflowState
from objectives import plans
from objectives.models import Directorate, Entity, Plan, PlanVersion, Role, StaffProfile

User = AbstractBaseUser | AnonymousUser
audit = logging.getLogger("pesem.audit")


def roles(user: User) -> frozenset[str]:
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_pesem_roles", None)
    if cached is None:
        names = {g.name for g in user.groups.all()}
        cached = frozenset(names & set(Role.values))
        user._pesem_roles = cached
    return cached


def directorate_id_of(user: User) -> int | None:
    if not user.is_authenticated:
        return None
    try:
        return user.profile.directorate_id
    except StaffProfile.DoesNotExist:
        return None


def directorate_of(user: User) -> Directorate | None:
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_pesem_directorate"):
        user._pesem_directorate = Directorate.objects.filter(staff__user=user).first()
    return user._pesem_directorate


def is_registrar_of(user: User, directorate_ids: set[int | None] | int | None) -> bool:
    ids = directorate_ids if isinstance(directorate_ids, set) else {directorate_ids}
    own = directorate_id_of(user)
    return Role.REGISTRAR in roles(user) and own is not None and own in ids


def is_validator(user: User) -> bool:
    return Role.VALIDATOR in roles(user)


def _refuse(user: User, rule: str) -> None:
    audit.warning(
        "permission_denied",
        extra={"user": user.get_username() if user.is_authenticated else None, "rule": rule},
    )


def require_registrar_of(user: User, directorate_ids: set[int | None] | int | None) -> None:
    if not is_registrar_of(user, directorate_ids):
        _refuse(user, "registrar_of_responsible_directorate")
        raise PermissionDenied(
            "Solo el registrador de la dirección responsable puede registrar o enviar esta "
            "información."
        )


def require_validator(user: User) -> None:
    if not is_validator(user):
        _refuse(user, "planning_office")
        raise PermissionDenied(
            "Solo la oficina de planeamiento (validador) puede realizar esta acción."
        )


# --- who reads what -----------------------------------------------------------------------
#
# One rule for every page, download and API answer (README, "Quién ve qué"):
# - a validated value or report: everyone who reads the data (the public through the portal);
# - a submitted one: every signed-in user, marked «preliminar»;
# - a draft (returned ones included), with its texts (note, análisis, medidas, justification)
#   and the evidence of any item: its directorate's registrars and director users, the planning
#   office's validators, and administrators (the group, or a superuser).

DRAFT_READERS_OF_OWN = frozenset({Role.REGISTRAR, Role.DIRECTOR})
DRAFT_READERS_OF_ALL = frozenset({Role.VALIDATOR, Role.ADMINISTRATOR})


def sees_all_drafts(user: User) -> bool:
    """Validators, administrators and superusers read every directorate's drafts."""
    if not user.is_authenticated:
        return False
    return bool(getattr(user, "is_superuser", False)) or bool(roles(user) & DRAFT_READERS_OF_ALL)


def drafts_directorate_id(user: User) -> int | None:
    """The one directorate whose drafts a registrar or director user reads (their own), None
    for anyone else (sees_all_drafts is asked apart)."""
    if not roles(user) & DRAFT_READERS_OF_OWN:
        return None
    return directorate_id_of(user)


def can_see_drafts_of(user: User, directorate_id: int | None) -> bool:
    """May `user` read the drafts of `directorate_id`: their values and reports, the texts and
    the evidence. A value whose indicator has no responsible directorate is read by
    validators and administrators only."""
    if sees_all_drafts(user):
        return True
    own = drafts_directorate_id(user)
    return own is not None and directorate_id == own


def drafts_scope(user: User) -> str:
    """What can_see_drafts_of depends on, as a short text: part of the key of every kept page
    (pesem.cache.pages), so a copy is never served to someone who may not read what it shows."""
    if not user.is_authenticated:
        return "none"
    return drafts_scope_of(
        roles(user), directorate_id_of(user), is_superuser=bool(getattr(user, "is_superuser", 0))
    )


def drafts_scope_of(
    user_roles: frozenset[str] | set[str] | list[str],
    directorate_id: int | None,
    *,
    is_superuser: bool,
) -> str:
    """drafts_scope from a signed-in user's roles, directorate and superuser flag (as the page
    cache remembers them): "all", "d<id>" or "none"."""
    names = set(user_roles)
    if is_superuser or names & DRAFT_READERS_OF_ALL:
        return "all"
    if names & DRAFT_READERS_OF_OWN and directorate_id is not None:
        return f"d{directorate_id}"
    return "none"


def can_see_item(user: User, state: str, directorate_id: int | None) -> bool:
    """A workflow item (yearly value or action report) in `state` of `directorate_id`."""
    if state == WorkflowState.VALIDATED:
        return True
    if state == WorkflowState.SUBMITTED:
        return user.is_authenticated
    return can_see_drafts_of(user, directorate_id)


def can_see_evidence(user: User, directorate_id: int | None) -> bool:
    """An item's evidence (link and file), whatever its state: the same readers as its
    drafts. Attachments are internal working papers; the published figure is the value."""
    return can_see_drafts_of(user, directorate_id)


# --- which plans a person opens (the plan switcher, /planes/<code>/) --------------------------


def sees_every_plan(user: User) -> bool:
    """The sector's planning office, its directors and administrators (a unit of a sector,
    or none) and superusers open every plan; a registrar, or anybody of a pliego's unit, the
    plans of visible_plans."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    if not roles(user) - {Role.REGISTRAR}:
        return False
    unit = directorate_of(user)
    return unit is None or unit.entity.kind == Entity.Kind.SECTOR


def visible_plans(user: User) -> QuerySet[Plan]:
    """The plans a signed-in person may open: every plan (sees_every_plan), else the plans of
    their unit's entity and those where their unit is responsible for an action or an
    indicator (APCI's staff: APCI's PEI and the PESEM, where APCI answers for OE4.1). The
    public reads every plan's validated data through the portal and the API, not here."""
    if sees_every_plan(user):
        return Plan.objects.all()
    unit_id = directorate_id_of(user)
    if unit_id is None:
        return Plan.objects.none()
    return Plan.objects.filter(
        Q(entity__units=unit_id)
        | Q(actions__responsibles=unit_id)
        | Q(indicators__responsible=unit_id)
    ).distinct()


def may_open_plan(user: User, code: str) -> bool:
    """A signed-in person may open the plan `code` (anonymous callers: the public pages)."""
    if not user.is_authenticated or sees_every_plan(user):
        return True
    return visible_plans(user).filter(code=code).exists()


def default_plan_code(user: User) -> str:
    """The plan a person's site address opens: the vigente plan of their unit's entity (the
    latest starting one if several), else that entity's latest plan; the PESEM for the public
    and for a person without a unit or whose entity has no plan. One query."""
    if not user.is_authenticated:
        return plans.SHOWN_CODE
    in_force = PlanVersion.objects.filter(plan=OuterRef("pk"), state=PlanVersion.State.IN_FORCE)
    found = (
        Plan.objects.filter(entity__units__staff__user=user)
        .annotate(in_force=Exists(in_force))
        .order_by("-in_force", "-start_year", "code")
        .values_list("code", flat=True)
        .first()
    )
    return found or plans.SHOWN_CODE
