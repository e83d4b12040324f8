"""Four eyes: who shaped an item's current content, and the rule that none of them validates it.

Authorship is data (WorkflowItem.shaped_by), written by every path that puts content in the
system: the entry form and the grid (services._store_value), sending (services.do_submit),
action reports (services.report_save), imports (importing.apply_import) and the report's
conclusions (conclusion_services). A return or a reopening keeps it, so an author who returns
an item, or has it re-sent by a colleague, still cannot validate it; only a validation clears
it, and the next round starts empty. Pages read the same rule (`shaped_pks`, `shaped_exists`)
to say who may validate, before anyone clicks.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import Exists, Model, OuterRef

from indicators.models import (
    ActionReport,
    IndicatorValue,
    ReportConclusion,
    SemesterValue,
    WorkflowItem,
)

audit = logging.getLogger("pesem.audit")

User = AbstractBaseUser | AnonymousUser
Item = IndicatorValue | ActionReport | ReportConclusion | SemesterValue

# What the person who may not validate an item reads, wherever it is refused or shown.
NOT_YOURS = {
    IndicatorValue: (
        "Usted participó en este valor: debe validarlo otra persona de la oficina de planeamiento."
    ),
    SemesterValue: (
        "Usted participó en este valor del semestre: debe validarlo otra persona de la oficina "
        "de planeamiento."
    ),
    ActionReport: (
        "Usted participó en este reporte: debe validarlo otra persona de la oficina de "
        "planeamiento."
    ),
    ReportConclusion: (
        "Usted participó en estas conclusiones: debe validarlas otra persona de la oficina "
        "de planeamiento."
    ),
}
# The way out when the planning office has a single validator: access.is_validator reads
# the «validador» role only, which administrators assign in Django admin.
WAY_OUT = (
    "Si no hay otra, un administrador puede dar el rol de validador a otra persona de la "
    "oficina de planeamiento."
)


def _link(model: type[WorkflowItem]) -> str:
    """The through table's column naming the item (Django names it after the model)."""
    return f"{model._meta.model_name}_id"


def record(item: Item, user: User | None) -> None:
    """`user` entered, imported, edited or sent the item's current content (after its save:
    it needs a primary key). Anonymous writes (the import command without --user) add no
    one."""
    if user is None or not user.is_authenticated:
        return
    # One INSERT, a no-op when already recorded (the through table is unique per pair).
    through: type[Model] = type(item).shaped_by.through
    through._default_manager.bulk_create(
        [through(**{_link(type(item)): item.pk, "user_id": user.pk})], ignore_conflicts=True
    )


def clear(item: Item) -> None:
    """The item was validated: its next round of content starts with no authors."""
    item.shaped_by.clear()


def has_shaped(user: User, item: Item) -> bool:
    """One query."""
    if not user.is_authenticated:
        return False
    through = type(item).shaped_by.through
    return through._default_manager.filter(
        **{_link(type(item)): item.pk, "user_id": user.pk}
    ).exists()


def shaped_pks(user: User, items: Iterable[Item]) -> set[int]:
    """The ids of `items` (all of one model) that `user` shaped: one query, none without
    items."""
    items = list(items)
    if not items or not user.is_authenticated:
        return set()
    model = type(items[0])
    return set(
        model.shaped_by.through._default_manager.filter(
            **{f"{_link(model)}__in": [i.pk for i in items], "user_id": user.pk}
        ).values_list(_link(model), flat=True)
    )


def shaped_exists(model: type[WorkflowItem], user: User) -> Exists:
    """Whether `user` shaped the row, to annotate a queryset of `model` (no extra query)."""
    return Exists(
        model.shaped_by.through._default_manager.filter(
            **{_link(model): OuterRef("pk"), "user_id": user.pk if user.is_authenticated else None}
        )
    )


def refusal(model: type[WorkflowItem]) -> str:
    """Why a person may not validate an item of `model`, with the way out."""
    return f"{NOT_YOURS[model]} {WAY_OUT}"


def require_other_person(user: User, item: Item) -> None:
    """Four eyes: nobody who shaped the current content validates it."""
    if not has_shaped(user, item):
        return
    audit.warning(
        "permission_denied",
        extra={"user": user.get_username(), "rule": "four_eyes", "id": item.pk},
    )
    raise ValidationError(refusal(type(item)))
