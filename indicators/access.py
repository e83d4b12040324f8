"""Who may do what (domain.md, "The people and their rights"). Services call these before
every write, so a hand-made POST gets the same answer as the button that is not shown."""

from __future__ import annotations

import logging

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied

from objectives.models import Directorate, Role, StaffProfile

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
