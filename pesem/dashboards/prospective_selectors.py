"""Reads for the prospective analysis page: trends, variables with their indicators' series,
scenarios compared with the observed data, risks and opportunities by scenario.

Everything comes from a fixed number of queries (see `prospective_overview`); the scenario
arithmetic is in objectives/scenarios.py."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch

from indicators.models import Indicator, IndicatorValue, WorkflowState
from objectives.models import (
    Component,
    RiskOpportunity,
    Scenario,
    StrategicVariable,
    Trend,
    VariableGroup,
)
from pesem.dashboards import scenarios as scen


def direction_label(direction: int | None) -> str:
    """'+1 mejora', '0 se mantiene', '-1 empeora'; 'sin datos' for None."""
    if direction is None:
        return "sin datos"
    sign = f"{direction:+d}" if direction else "0"
    return f"{sign} {scen.DIRECTION_LABELS[direction]}"


def variable_indicator_code(indicator: Indicator) -> str:
    """The indicator's code in Anexo 2 (V5.2 for OE1.1), which orders it within its variable."""
    return indicator.alias if indicator.alias.startswith("V") else indicator.code


def _code_key(code: str) -> tuple[tuple[int, ...], str]:
    # V5.2 before V5.10: numbers compare as numbers.
    return tuple(int(n) for n in re.findall(r"\d+", code)), code


# --- trends -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendRow:
    trend: Trend
    impacts: list[bool]  # one per component, in component order

    @property
    def score(self) -> Decimal:
        return self.trend.score

    @property
    def score_differs(self) -> bool:
        published = self.trend.published_score
        return published is not None and published != self.trend.score


# --- variables and their series -----------------------------------------------------------


@dataclass(frozen=True)
class SeriesRow:
    indicator: Indicator
    series: dict[int, Decimal]  # validated values only; a missing year is a gap
    cells: list[Decimal | None]  # aligned with the block's years


@dataclass(frozen=True)
class VariableBlock:
    variable: StrategicVariable
    groups: list[VariableGroup]
    years: list[int]  # every year from the first to the last with a validated value
    rows: list[SeriesRow]

    @property
    def has_data(self) -> bool:
        return bool(self.years)

    @property
    def group_codes(self) -> str:
        return ", ".join(g.code for g in self.groups)


# --- scenarios ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MovementRow:
    indicator: Indicator
    group_codes: list[str]
    movement: scen.IndicatorMovement

    @property
    def label(self) -> str:
        return direction_label(self.movement.direction)


@dataclass(frozen=True)
class GroupRow:
    group: VariableGroup
    observation: scen.GroupObservation

    @property
    def label(self) -> str:
        return direction_label(self.observation.direction)


@dataclass(frozen=True)
class ScenarioCell:
    group_code: str
    expected: int | None
    matches: bool

    @property
    def label(self) -> str:
        return direction_label(self.expected) if self.expected is not None else "no descrito"


@dataclass(frozen=True)
class ScenarioRow:
    scenario: Scenario
    cells: list[ScenarioCell]  # one per group, in group order
    distance: int
    is_most_similar: bool

    @property
    def match_count(self) -> int:
        return sum(1 for c in self.cells if c.matches)


@dataclass(frozen=True)
class RiskBlock:
    scenario: Scenario
    risks: list[RiskOpportunity]
    opportunities: list[RiskOpportunity]


@dataclass(frozen=True)
class ProspectiveOverview:
    components: list[Component]
    trends: list[TrendRow]
    groups: list[VariableGroup]
    variables: list[VariableBlock]
    movements: list[MovementRow]
    group_rows: list[GroupRow]
    scenarios: list[ScenarioRow]
    most_similar: list[Scenario]
    best_distance: int | None
    risk_blocks: list[RiskBlock]
    baseline_year: int = scen.BASELINE_YEAR
    tolerance_percent: Decimal = scen.TOLERANCE * 100


def _trend_rows(components: list[Component]) -> list[TrendRow]:
    # trends, trend-component links (prefetch)
    rows = []
    for trend in Trend.objects.prefetch_related("components"):
        impacted = {c.id for c in trend.components.all()}
        rows.append(TrendRow(trend=trend, impacts=[c.id in impacted for c in components]))
    return rows


def _variable_blocks(
    variables: list[StrategicVariable], indicators: list[Indicator]
) -> tuple[list[VariableBlock], dict[str, dict[int, Decimal]]]:
    by_variable: dict[int, list[Indicator]] = {}
    for indicator in indicators:
        by_variable.setdefault(indicator.variable_id, []).append(indicator)
    series_by_code = {
        i.code: {v.year: v.value for v in i.values.all()} for i in indicators
    }  # values are prefetched validated and non-null
    blocks = []
    for variable in variables:
        members = by_variable.get(variable.id, [])
        years_seen = {y for i in members for y in series_by_code[i.code]}
        years = list(range(min(years_seen), max(years_seen) + 1)) if years_seen else []
        rows = [
            SeriesRow(
                indicator=i,
                series=series_by_code[i.code],
                cells=[series_by_code[i.code].get(y) for y in years],
            )
            for i in members
        ]
        blocks.append(
            VariableBlock(
                variable=variable, groups=list(variable.groups.all()), years=years, rows=rows
            )
        )
    return blocks, series_by_code


def prospective_overview() -> ProspectiveOverview:
    """Everything the prospective page shows, in 12 queries whatever the data size:
    components; trends + their components; groups; variables + their groups; variable
    indicators + their validated values; scenarios + their directions; risks and
    opportunities + their scenarios."""
    components = list(Component.objects.all())
    trends = _trend_rows(components)
    groups = list(VariableGroup.objects.all())
    variables = list(StrategicVariable.objects.prefetch_related("groups"))
    indicators = sorted(
        Indicator.objects.filter(variable__isnull=False)
        .select_related("variable")
        .prefetch_related(
            Prefetch(
                "values",
                queryset=IndicatorValue.objects.filter(
                    state=WorkflowState.VALIDATED, value__isnull=False
                ).order_by("year"),
            )
        ),
        key=lambda i: _code_key(variable_indicator_code(i)),
    )
    blocks, series_by_code = _variable_blocks(variables, indicators)

    group_codes_of_variable = {v.id: [g.code for g in v.groups.all()] for v in variables}
    scenario_list = list(Scenario.objects.prefetch_related("directions"))
    group_code_by_id = {g.id: g.code for g in groups}
    expected = {
        s.number: {group_code_by_id[d.group_id]: d.direction for d in s.directions.all()}
        for s in scenario_list
    }
    result = scen.resemblance(
        series=series_by_code,
        indicator_groups={i.code: group_codes_of_variable[i.variable_id] for i in indicators},
        group_codes=[g.code for g in groups],
        scenarios=expected,
    )

    movements = [
        MovementRow(
            indicator=i,
            group_codes=group_codes_of_variable[i.variable_id],
            movement=result.indicators[i.code],
        )
        for i in indicators
    ]
    group_rows = [GroupRow(group=g, observation=result.groups[g.code]) for g in groups]
    matches = {m.number: m for m in result.scenarios}
    scenario_rows = [
        ScenarioRow(
            scenario=s,
            cells=[
                ScenarioCell(
                    g.code, matches[s.number].expected[g.code], matches[s.number].matches[g.code]
                )
                for g in groups
            ],
            distance=matches[s.number].distance,
            is_most_similar=s.number in result.most_similar,
        )
        for s in scenario_list
    ]

    risk_blocks = {s.id: RiskBlock(s, [], []) for s in scenario_list}
    for item in RiskOpportunity.objects.prefetch_related("scenarios").order_by("kind", "number"):
        for s in item.scenarios.all():
            block = risk_blocks[s.id]
            kind_list = (
                block.risks if item.kind == RiskOpportunity.Kind.RISK else block.opportunities
            )
            kind_list.append(item)

    return ProspectiveOverview(
        components=components,
        trends=trends,
        groups=groups,
        variables=blocks,
        movements=movements,
        group_rows=group_rows,
        scenarios=scenario_rows,
        most_similar=[s for s in scenario_list if s.number in result.most_similar],
        best_distance=result.distance,
        risk_blocks=list(risk_blocks.values()),
    )
