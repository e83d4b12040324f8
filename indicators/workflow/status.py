"""Stored yearly statuses (IndicatorYearStatus): rebuilt from indicators.progress after every
write, read by the tablero. The arithmetic stays in progress.py; this only keeps its results."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from contextlib import contextmanager
from datetime import datetime

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save

from indicators import deadlines, progress, selectors, services
from indicators.models import (
    Indicator,
    IndicatorFlag,
    IndicatorValue,
    IndicatorYearStatus,
    Target,
    WorkflowState,
)
from objectives import plans
from objectives.models import Plan

BATCH = 500


def _rows(
    facts: selectors.IndicatorFacts, years: range, closes: dict[int, datetime]
) -> list[IndicatorYearStatus]:
    rows = []
    for year in years:
        in_force = facts.as_approved_at(closes[year])
        s = in_force.status_as_of(year)
        rows.append(
            IndicatorYearStatus(
                indicator_id=facts.indicator.pk,
                year=year,
                value=s.value,
                preliminary=s.preliminary.value if s.preliminary else None,
                latest_year=s.latest_year,
                latest_value=s.latest_value,
                target=s.target.value if s.target else None,
                target_interpolated=bool(s.target and s.target.interpolated),
                achievement=s.achievement.percent,
                achievement_note=s.achievement.note,
                light=s.light.value,
                light_rank=progress.LIGHT_RANK[s.light.value],
                trajectory=s.trajectory.status.value,
                flags=in_force.flags,
            )
        )
    return rows


@transaction.atomic
def refresh(indicator_ids: Iterable[int] | None = None) -> int:
    """Recompute the statuses of these indicators (all when None) for every year of their
    plan: the shown plan's dashboard years (from its first value), another plan's horizon."""
    chosen = (
        Indicator.objects.all()
        if indicator_ids is None
        else Indicator.objects.filter(pk__in=list(indicator_ids))
    )
    by_plan: dict[int, list[int]] = {}
    for pk, plan_id in chosen.values_list("pk", "plan_id"):
        by_plan.setdefault(plan_id, []).append(pk)
    written = 0
    for plan in Plan.objects.filter(pk__in=list(by_plan)):
        if plan.code == plans.SHOWN_CODE:  # the PESEM: its dashboards' years
            with plans.showing(plan.code):
                plan_years = services.plan_years()
                years = selectors.dashboard_years(years=plan_years) if plan_years else range(0)
        else:
            years = plan.years
        if not years:
            continue
        written += _refresh(by_plan[plan.pk], years)
        if indicator_ids is None:
            # Years outside the plan's range (none normally) must not linger.
            IndicatorYearStatus.objects.filter(indicator__plan=plan).exclude(
                year__in=list(years)
            ).delete()
    return written


def _refresh(ids: list[int], years: range) -> int:
    # Each year with the targets in force when it is read (its deadline, as a rule).
    closes = deadlines.read_at(years)
    written = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        # Lock the indicators first: two writes refreshing the same indicator at once (two
        # years of one indicator) then run one after the other instead of inserting twice.
        list(Indicator.objects.select_for_update().filter(pk__in=chunk).values_list("pk"))
        facts = selectors.indicator_facts_list(
            queryset=selectors.indicator_queryset(light=True, revisions=True, any_plan=True).filter(
                pk__in=chunk
            )
        )
        IndicatorYearStatus.objects.filter(indicator_id__in=chunk).delete()
        rows = [row for f in facts for row in _rows(f, years, closes)]
        IndicatorYearStatus.objects.bulk_create(rows, batch_size=2000)
        written += len(rows)
    return written


def is_complete(year: int) -> bool:
    """Every indicator of the shown plan has a stored status for the year (two counts)."""
    shown = plans.shown_plan()
    stored = IndicatorYearStatus.objects.filter(year=year, indicator__plan=shown).count()
    return stored == Indicator.objects.filter(plan=shown).count()


def ensure(year: int) -> None:
    """Before a page reads the year's stored statuses: rebuild them if any is missing (a new
    install, or a bulk load that sent no signals)."""
    if not is_complete(year):
        # The shown plan's only: another plan's statuses do not make this year complete.
        refresh(Indicator.objects.filter(plan=plans.shown_plan()).values_list("pk", flat=True))


# --- keeping the copy current -------------------------------------------------------------
# Any save or delete of an indicator, value, target or flag, from services, imports, the
# admin or a shell, refreshes that indicator. Bulk loads suspend this and refresh once.

_suspended = threading.local()


@contextmanager
def suspended():
    previous = getattr(_suspended, "on", False)
    _suspended.on = True
    try:
        yield
    finally:
        _suspended.on = previous


def _state_before(sender, instance, **kwargs) -> None:
    """Before a yearly value is saved: its stored state (None for a new row), read under the
    service's row lock, so the save can tell a draft kept a draft (draft_only)."""
    if getattr(_suspended, "on", False) or kwargs.get("raw"):
        return
    stored = None
    if instance.pk is not None and not instance._state.adding:
        stored = sender.objects.filter(pk=instance.pk).values_list("state", flat=True).first()
    instance._state_before = stored


def draft_only(instance: object, *, created: bool = False, deleted: bool = False) -> bool:
    """A yearly value that is a draft after the write and was a draft (or nothing) before,
    or a draft deleted. Nothing computed from values counts a draft (statuses, lights,
    coverage, flags: selectors.IndicatorFacts.series), so such a write changes no status and
    no page that shows official data only. Unknown before-state: not draft-only."""
    if not isinstance(instance, IndicatorValue) or instance.state != WorkflowState.DRAFT:
        return False
    if created or deleted:
        return True
    return getattr(instance, "_state_before", None) == WorkflowState.DRAFT


def _changed(sender, instance, **kwargs) -> None:
    if getattr(_suspended, "on", False) or kwargs.get("raw"):
        return
    deleted = kwargs.get("signal") is post_delete
    if draft_only(instance, created=bool(kwargs.get("created")), deleted=deleted):
        return  # the statuses count no draft
    indicator_id = instance.pk if isinstance(instance, Indicator) else instance.indicator_id
    if isinstance(instance, Indicator) and deleted:
        return  # its statuses went with it (cascade)
    refresh([indicator_id])


def connect() -> None:
    pre_save.connect(_state_before, sender=IndicatorValue, dispatch_uid="status-state-before")
    for model in (Indicator, IndicatorValue, Target, IndicatorFlag):
        post_save.connect(_changed, sender=model, dispatch_uid=f"status-save-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"status-del-{model.__name__}")
