"""Reads of indicators with everything needed to judge them, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Prefetch, QuerySet

from indicators import progress
from indicators.models import Indicator, IndicatorValue, Target


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
        return {v.year: v.value for v in self.values if v.value is not None}

    def target_for(self, year: int) -> progress.YearTarget | None:
        return progress.target_for_year(year, self.baseline, self.official, self.official_sources)


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
