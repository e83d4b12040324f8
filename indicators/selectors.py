"""Reads of indicators with everything needed to judge them, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Prefetch, QuerySet

from indicators import progress
from indicators.models import Indicator, IndicatorValue, Target, WorkflowState


def thresholds() -> progress.Thresholds:
    return progress.Thresholds(
        green=Decimal(str(settings.PESEM_LIGHT_GREEN)),
        yellow=Decimal(str(settings.PESEM_LIGHT_YELLOW)),
    )


@dataclass
class IndicatorFacts:
    """An indicator with its series, baseline, official targets and findings, computed once
    by indicators.progress for pages and exports alike."""

    indicator: Indicator
    values: list[IndicatorValue]
    targets: list[Target]
    baseline: progress.Point | None = None
    official: dict[int, Decimal] = field(default_factory=dict)
    official_sources: dict[int, str] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)

    @property
    def series(self) -> dict[int, Decimal]:
        """Every stored value, whatever its state (for data-quality checks)."""
        return {v.year: v.value for v in self.values if v.value is not None}

    @property
    def official_series(self) -> dict[int, Decimal]:
        """Validated values only: what dashboards and exports count."""
        return {
            v.year: v.value
            for v in self.values
            if v.value is not None and v.state == WorkflowState.VALIDATED
        }

    def target_for(self, year: int) -> progress.YearTarget | None:
        return progress.target_for_year(year, self.baseline, self.official, self.official_sources)

    def achievement_for(self, year: int, value: Decimal | None) -> progress.Achievement:
        target = self.target_for(year)
        return progress.achievement(
            value, target.value if target else None, self.indicator.direction
        )

    def value_rows(self) -> list[ValueRow]:
        rows = []
        for v in self.values:
            result = self.achievement_for(v.year, v.value)
            rows.append(
                ValueRow(
                    value=v,
                    target=self.target_for(v.year),
                    achievement=result,
                    light=progress.light(result, thresholds()),
                )
            )
        return rows

    @property
    def final_year(self) -> int | None:
        return max(self.official) if self.official else None

    def summary(self) -> Summary:
        official = self.official_series
        latest_year = max(official) if official else None
        latest_value = official.get(latest_year) if latest_year else None
        final_year = self.final_year
        latest_result = (
            self.achievement_for(latest_year, latest_value)
            if latest_year
            else progress.achievement(None, None, self.indicator.direction)
        )
        trajectory = progress.trajectory(
            self.baseline,
            progress.Point(latest_year, latest_value) if latest_year else None,
            progress.Point(final_year, self.official[final_year]) if final_year else None,
            self.indicator.direction,
        )
        return Summary(
            latest_year=latest_year,
            latest_value=latest_value,
            latest_achievement=latest_result,
            achievement_2016=self.achievement_for(2016, official.get(2016)),
            achievement_2021=self.achievement_for(2021, official.get(2021)),
            light=progress.light(latest_result, thresholds()),
            trajectory=trajectory,
        )


@dataclass(frozen=True)
class ValueRow:
    value: IndicatorValue
    target: progress.YearTarget | None
    achievement: progress.Achievement
    light: progress.Light


@dataclass(frozen=True)
class Summary:
    latest_year: int | None
    latest_value: Decimal | None
    latest_achievement: progress.Achievement
    achievement_2016: progress.Achievement
    achievement_2021: progress.Achievement
    light: progress.Light
    trajectory: progress.Trajectory


def _build_facts(indicator: Indicator) -> IndicatorFacts:
    values = list(indicator.values.all())
    targets = list(indicator.targets.all())
    facts = IndicatorFacts(indicator=indicator, values=values, targets=targets)
    priority = settings.PESEM_TARGET_SOURCE_PRIORITY
    baselines = [
        (t.year or 0, t.value, t.source) for t in targets if t.kind == Target.Kind.BASELINE
    ]
    if baselines:
        chosen, _ = progress.pick_official(baselines, priority)
        year, value = next(iter(sorted(chosen.items())))
        facts.baseline = progress.Point(year, value) if year else None
    published = [(t.year, t.value, t.source) for t in targets if t.kind == Target.Kind.TARGET]
    facts.official, facts.official_sources = progress.pick_official(published, priority)

    flags = [f.text for f in indicator.flags.all()]
    flags += progress.target_conflicts(published)
    if not indicator.direction_published:
        flags.append(
            "Sentido esperado no publicado en el documento: se asume "
            f"{indicator.get_direction_display()}."
        )
    flags += progress.direction_conflicts(indicator.direction, facts.baseline, facts.official)
    flags += progress.series_jumps(facts.series, Decimal(str(settings.PESEM_JUMP_FACTOR)))
    for year, value in sorted(facts.series.items()):
        if progress.out_of_range(value, indicator.plausible_min, indicator.plausible_max):
            flags.append(
                f"Valor {progress.fmt(value)} de {year} fuera del rango plausible "
                f"({progress.fmt(indicator.plausible_min)} a "
                f"{progress.fmt(indicator.plausible_max)})."
            )
    facts.flags = flags
    return facts


def indicator_queryset() -> QuerySet[Indicator]:
    return Indicator.objects.select_related(
        "variable", "objective", "responsible", "national_objective"
    ).prefetch_related(
        Prefetch("values", queryset=IndicatorValue.objects.order_by("year")),
        "targets",
        "flags",
        "articulated_objectives",
    )


def indicator_facts_list(*, queryset: QuerySet[Indicator] | None = None) -> list[IndicatorFacts]:
    """Every indicator with its facts: one query for indicators and one per prefetched
    relation (values, targets, flags, articulated objectives), whatever the data size."""
    qs = queryset if queryset is not None else indicator_queryset()
    return [_build_facts(indicator) for indicator in qs]


# --- history ------------------------------------------------------------------------------

TRACKED_VALUE_FIELDS = {
    "numerator": "numerador",
    "denominator": "denominador",
    "value": "valor",
    "state": "estado",
    "note": "nota",
    "evidence_url": "enlace",
    "evidence_file": "archivo",
}
TRACKED_TARGET_FIELDS = {"value": "valor", "year": "año", "source": "fuente"}


@dataclass(frozen=True)
class HistoryRow:
    when: object
    who: str
    what: str
    changes: list[tuple[str, str, str]]  # (field, before, after)
    reason: str


def _diff_rows(records, fields: dict[str, str], describe) -> list[HistoryRow]:
    rows = []
    previous: dict[int, object] = {}
    for rec in records:  # ordered by history_date, history_id
        before = previous.get(rec.id)
        changes = []
        for name, label in fields.items():
            new = getattr(rec, name)
            old = getattr(before, name) if before is not None else None
            if before is None and new in (None, ""):
                continue
            if before is None or old != new:
                changes.append((label, _show(old), _show(new)))
        previous[rec.id] = rec
        if before is not None and not changes:
            continue
        rows.append(
            HistoryRow(
                when=rec.history_date,
                who=rec.history_user.get_username()
                if rec.history_user
                else "sistema (carga del plan)",
                what=describe(rec),
                changes=changes,
                reason=rec.history_change_reason or "",
            )
        )
    return rows


def _show(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, Decimal):
        return progress.fmt(value, 4)
    labels = dict(WorkflowState.choices)
    return str(labels.get(value, value))


def indicator_history(indicator: Indicator) -> list[HistoryRow]:
    """Every change of the indicator's values and targets, newest first (two queries)."""
    values = (
        IndicatorValue.history.filter(indicator_id=indicator.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    targets = (
        Target.history.filter(indicator_id=indicator.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    rows = _diff_rows(values, TRACKED_VALUE_FIELDS, lambda r: f"Valor {r.year}")
    rows += _diff_rows(
        targets,
        TRACKED_TARGET_FIELDS,
        lambda r: f"{'Meta' if r.kind == 'target' else 'Línea de base'} {r.year or ''}",
    )
    return sorted(rows, key=lambda r: r.when, reverse=True)


# --- the year's work ----------------------------------------------------------------------


@dataclass(frozen=True)
class PendingIndicator:
    indicator: Indicator
    value: IndicatorValue | None


@dataclass(frozen=True)
class PendingAction:
    action: object
    report: object | None


def pending_entries(
    *, directorate, year: int
) -> tuple[list[PendingIndicator], list[PendingAction]]:
    """Everything a directorate must report for a year, with its state: four queries."""
    from indicators.models import ActionReport
    from objectives.models import StrategicAction

    indicators = list(Indicator.objects.filter(responsible=directorate).order_by("level", "order"))
    values = {
        v.indicator_id: v
        for v in IndicatorValue.objects.filter(indicator__in=indicators, year=year)
    }
    actions = list(
        StrategicAction.objects.filter(responsibles=directorate, parent=None)
        .select_related("objective")
        .order_by("objective__number", "order")
    )
    reports = {
        r.action_id: r for r in ActionReport.objects.filter(directorate=directorate, year=year)
    }
    return (
        [PendingIndicator(i, values.get(i.pk)) for i in indicators],
        [PendingAction(a, reports.get(a.pk)) for a in actions],
    )


def submitted_items(*, year: int | None = None) -> tuple[list[IndicatorValue], list]:
    """What waits for the planning office: submitted values and action reports."""
    from indicators.models import ActionReport

    values = IndicatorValue.objects.filter(state=WorkflowState.SUBMITTED).select_related(
        "indicator__responsible", "submitted_by"
    )
    reports = ActionReport.objects.filter(state=WorkflowState.SUBMITTED).select_related(
        "action", "directorate", "submitted_by"
    )
    if year is not None:
        values, reports = values.filter(year=year), reports.filter(year=year)
    return list(values.order_by("indicator__code", "year")), list(reports)
