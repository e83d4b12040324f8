"""Reads for the plan's pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Max, Min, Prefetch

from indicators import progress
from indicators.models import ActionReport, Indicator, IndicatorYearStatus, Target
from indicators.selectors import (
    IndicatorFacts,
    indicator_facts_list,
    indicator_queryset,
    list_order,
)
from objectives import plans
from objectives.models import (
    Plan,
    StrategicAction,
    StrategicObjective,
    responsibles_prefetch,
)


@dataclass
class TargetCell:
    year: int | None
    values: list[Target]  # one per source table

    @property
    def in_conflict(self) -> bool:
        return len({t.value for t in self.values}) > 1


@dataclass
class ObjectiveIndicatorRow:
    facts: IndicatorFacts
    baseline: list[Target]
    target_first: TargetCell  # the plan's first target year (objectives.plans.milestones)
    target_final: TargetCell


@dataclass
class ObjectiveBlock:
    objective: StrategicObjective
    rows: list[ObjectiveIndicatorRow]


def _cell(targets: list[Target], year: int) -> TargetCell:
    return TargetCell(year, [t for t in targets if t.kind == Target.Kind.TARGET and t.year == year])


def plan_overview() -> tuple[Plan | None, list[ObjectiveBlock]]:
    """The plan and, per objective, its indicators with baseline and their targets of the
    plan's two target years (2016 and 2021 for the PESEM) as published by each table: plan,
    objectives, and the indicator reads (fixed count)."""
    plan = Plan.objects.filter(code=plans.shown_code()).first()
    first, final = plans.milestones(plan)
    facts = sorted(
        indicator_facts_list(queryset=indicator_queryset().filter(objective__isnull=False)),
        key=lambda f: list_order(f.indicator),
    )
    blocks = {
        o.id: ObjectiveBlock(o, [])
        for o in StrategicObjective.objects.filter(plan=plans.shown_plan())
    }
    for f in facts:
        targets = f.targets
        blocks[f.indicator.objective_id].rows.append(
            ObjectiveIndicatorRow(
                facts=f,
                baseline=[t for t in targets if t.kind == Target.Kind.BASELINE],
                target_first=_cell(targets, first),
                target_final=_cell(targets, final),
            )
        )
    return plan, list(blocks.values())


@dataclass
class ObjectivePage:
    objective: StrategicObjective
    statuses: list  # IndicatorYearStatus of every indicator of the objective in the year
    charted: list  # IndicatorFacts of the first `max_charts` indicators, for their charts
    actions: list
    latest_reports: dict  # (action_id, directorate_id) -> latest ActionReport
    coverage: progress.Coverage  # its indicators with a validated value in the year


def objective_page(*, number: int, year: int, max_charts: int) -> ObjectivePage | None:
    """An objective with its indicators' stored status in `year` (and full facts for the
    first `max_charts`, to draw them), its actions with responsibles and each responsible's
    latest report: fixed number of queries whatever the number of indicators. Indicators in
    list order (objectives.ordering), sorted in Python after the queries."""
    objective = StrategicObjective.objects.filter(plan=plans.shown_plan(), number=number).first()
    if objective is None:
        return None
    statuses = sorted(
        IndicatorYearStatus.objects.filter(
            year=year, indicator__objective=objective
        ).select_related("indicator"),
        key=lambda s: list_order(s.indicator),
    )
    # The first `max_charts` in the table's order: chosen from the statuses just read.
    charted_ids = [s.indicator_id for s in statuses[:max_charts]]
    charted = sorted(
        indicator_facts_list(queryset=indicator_queryset(light=True).filter(pk__in=charted_ids)),
        key=lambda f: list_order(f.indicator),
    )
    actions = list(
        StrategicAction.objects.filter(objective=objective, parent=None)
        .prefetch_related(
            responsibles_prefetch(),  # Cuadro 6's order: the first may lead
            Prefetch("sub_actions", queryset=StrategicAction.objects.order_by("order")),
        )
        .order_by("order")
    )
    latest: dict = {}
    for r in ActionReport.objects.filter(action__objective=objective).order_by("year"):
        latest[(r.action_id, r.directorate_id)] = r
    return ObjectivePage(
        objective, statuses, charted, actions, latest, progress.coverage(s.value for s in statuses)
    )


# --- the articulation matrix ---------------------------------------------------------------


@dataclass
class FeedingIndicator:
    indicator: Indicator
    status: IndicatorYearStatus | None  # its stored status in the year (None: none stored)


@dataclass
class FeedingObjective:
    objective: StrategicObjective  # a lower plan's objective (a PEI's OEI)
    total: int  # its indicators
    lights: dict[str, int]  # its indicators by light in the year (grey: no status either)
    indicators: list[FeedingIndicator]  # listed for the plan chosen only


@dataclass
class MatrixRow:
    objective: StrategicObjective  # the shown plan's objective (the PESEM's OES)
    feeding: list[FeedingObjective]


def articulation_matrix(year: int, plan_code: str = "") -> list[MatrixRow]:
    """Each objective of the shown plan (the PESEM) with the objectives of the plans that
    articulate to it (the PEIs'), each with its indicators counted by light in `year` from
    the stored statuses; the indicators themselves, with their status, for the plan
    `plan_code` only (a sector's PEIs hold tens of thousands). Four queries, six with a
    plan chosen, whatever the number of plans."""
    objectives = list(
        StrategicObjective.objects.filter(plan=plans.shown_plan())
        .order_by("number")
        .prefetch_related(
            Prefetch(
                "lower_objectives",
                queryset=StrategicObjective.objects.select_related("plan").order_by(
                    "plan__code", "number"
                ),
            )
        )
    )
    lower = {o.pk for objective in objectives for o in objective.lower_objectives.all()}
    totals = dict(
        Indicator.objects.filter(objective__in=lower)
        .values("objective")
        .annotate(n=Count("id"))
        .values_list("objective", "n")
    )
    lights: dict[int, dict[str, int]] = {}
    for objective_id, light, n in (
        IndicatorYearStatus.objects.filter(year=year, indicator__objective__in=lower)
        .values("indicator__objective", "light")
        .annotate(n=Count("id"))
        .values_list("indicator__objective", "light", "n")
    ):
        lights.setdefault(objective_id, {})[light] = n
    listed: dict[int, list[FeedingIndicator]] = {}
    if plan_code:
        chosen = list(
            Indicator.objects.filter(objective__in=lower, plan__code=plan_code).order_by(
                "order", "code"
            )
        )
        statuses = {
            s.indicator_id: s
            for s in IndicatorYearStatus.objects.filter(year=year, indicator__in=chosen)
        }
        for indicator in chosen:
            listed.setdefault(indicator.objective_id, []).append(
                FeedingIndicator(indicator, statuses.get(indicator.pk))
            )

    def counted(objective: StrategicObjective) -> FeedingObjective:
        by_light = {
            light.value: lights.get(objective.pk, {}).get(light.value, 0)
            for light in progress.Light
        }
        total = totals.get(objective.pk, 0)
        # An indicator without a stored status in the year counts as grey, as on the tablero.
        by_light[progress.Light.GREY.value] += total - sum(by_light.values())
        return FeedingObjective(objective, total, by_light, listed.get(objective.pk, []))

    return [
        MatrixRow(objective, [counted(o) for o in objective.lower_objectives.all()])
        for objective in objectives
    ]


def articulated_years() -> range:
    """The years of the plans that articulate to the shown plan (one query); empty when none
    does."""
    found = Plan.objects.filter(upper_plan__code=plans.shown_code()).aggregate(
        start=Min("start_year"), end=Max("end_year")
    )
    if found["start"] is None:
        return range(0)
    return range(found["start"], found["end"] + 1)
