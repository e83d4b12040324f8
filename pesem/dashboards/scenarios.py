"""Which exploratory scenario does reality resemble most? Plain functions, no ORM.

The plan (section I.5) describes three exploratory scenarios, each a direction per scenario
group (G1 bilateral, G2 multilateral, G3 consular): +1 the group's variables improve, 0 they
stay, -1 they worsen. Here the observed direction of each group is derived from the validated
series of the indicators of its variables, and each scenario is compared with it:

1. For each indicator, compare its latest validated value with its earliest validated value
   from the baseline year (2014) on; when it has no value from 2014 on, compare the first and
   the last validated values it has (the 2011-2013 history).
2. The indicator moved +1 if it rose by more than the tolerance (2 % of the first value's
   magnitude), -1 if it fell by more than that, 0 otherwise. From a first value of 0 any
   change counts (2 % of zero is zero). One value alone means no movement (0).
3. A group's observed direction is the sign of the sum of its indicators' movements (0 when
   none of its indicators has data). An indicator whose variable sits in two groups counts in
   both.
4. A scenario's distance is the number of groups whose expected direction differs from the
   observed one (a group the scenario does not describe counts as differing); the most
   similar scenarios are those at the smallest distance, all of them when tied.

Assumption: every indicator is ascending (more is better). The document never states the
expected direction of an indicator and the plan is loaded with all of them ascending (README,
"Direction not published"), so a rise means the group improves. A descending indicator would
need its movement negated before it is summed; these functions do not do that.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

# Anexo 6 dates the objective indicators' baselines in 2014: "since the baseline" starts there.
BASELINE_YEAR = 2014
# Smaller relative changes are read as "se mantiene": the published ratios carry two decimals,
# so a change of a rounding unit on values near 1 must not count as a trend.
TOLERANCE = Decimal("0.02")

IMPROVES, STAYS, WORSENS = 1, 0, -1
DIRECTION_LABELS = {IMPROVES: "mejora", STAYS: "se mantiene", WORSENS: "empeora"}


@dataclass(frozen=True)
class Comparison:
    """The two values an indicator's movement is judged on."""

    first_year: int
    first_value: Decimal
    last_year: int
    last_value: Decimal
    since_baseline: bool  # False: no value from the baseline year on, whole series used

    @property
    def change_percent(self) -> Decimal | None:
        """Relative change in percent; None when the first value is zero."""
        if self.first_value == 0:
            return None
        return (self.last_value - self.first_value) / abs(self.first_value) * 100


@dataclass(frozen=True)
class IndicatorMovement:
    comparison: Comparison | None  # None: no validated value at all
    direction: int | None  # None: no data, counts as nothing


@dataclass(frozen=True)
class GroupObservation:
    code: str
    total: int  # sum of the movements of the group's indicators with data
    with_data: int  # how many of its indicators have data
    indicators: int  # how many indicators it has
    direction: int


@dataclass(frozen=True)
class ScenarioMatch:
    number: int
    expected: dict[str, int | None]  # group code -> expected direction (None: not described)
    matches: dict[str, bool]  # group code -> expected == observed
    distance: int


@dataclass(frozen=True)
class Resemblance:
    indicators: dict[str, IndicatorMovement]
    groups: dict[str, GroupObservation]
    scenarios: list[ScenarioMatch]
    most_similar: list[int]  # scenario numbers at the smallest distance, ascending
    distance: int | None  # that smallest distance; None without scenarios


def sign(number: int | Decimal) -> int:
    return (number > 0) - (number < 0)


def comparison(
    series: Mapping[int, Decimal], *, baseline_year: int = BASELINE_YEAR
) -> Comparison | None:
    """Earliest value from the baseline year on versus the latest one; without values from
    the baseline year on, the first versus the last of the whole series. None without data.

    `series` maps year to validated value; a missing year is a gap (never zero)."""
    if not series:
        return None
    recent = sorted(year for year in series if year >= baseline_year)
    years = recent or sorted(series)
    first, last = years[0], years[-1]
    return Comparison(
        first_year=first,
        first_value=series[first],
        last_year=last,
        last_value=series[last],
        since_baseline=bool(recent),
    )


def movement(first: Decimal, last: Decimal, *, tolerance: Decimal = TOLERANCE) -> int:
    """+1 if `last` exceeds `first` by more than `tolerance` x |first|, -1 if it is below by
    more than that, 0 otherwise (ascending indicators: see the module docstring)."""
    margin = tolerance * abs(first)
    if last - first > margin:
        return IMPROVES
    if first - last > margin:
        return WORSENS
    return STAYS


def indicator_movement(
    series: Mapping[int, Decimal],
    *,
    baseline_year: int = BASELINE_YEAR,
    tolerance: Decimal = TOLERANCE,
) -> IndicatorMovement:
    pair = comparison(series, baseline_year=baseline_year)
    if pair is None:
        return IndicatorMovement(comparison=None, direction=None)
    return IndicatorMovement(
        comparison=pair,
        direction=movement(pair.first_value, pair.last_value, tolerance=tolerance),
    )


def group_direction(movements: Iterable[int | None]) -> int:
    """Sign of the sum of the movements; indicators without data (None) add nothing."""
    return sign(sum(m for m in movements if m is not None))


def scenario_distance(expected: Mapping[str, int], observed: Mapping[str, int]) -> int:
    """Number of observed groups whose expected direction differs (absent counts as differing)."""
    return sum(1 for code, direction in observed.items() if expected.get(code) != direction)


def most_similar(distances: Mapping[int, int]) -> list[int]:
    """Scenario numbers at the smallest distance, ascending (all of them when tied)."""
    if not distances:
        return []
    best = min(distances.values())
    return sorted(number for number, d in distances.items() if d == best)


def resemblance(
    *,
    series: Mapping[str, Mapping[int, Decimal]],
    indicator_groups: Mapping[str, Collection[str]],
    group_codes: Sequence[str],
    scenarios: Mapping[int, Mapping[str, int]],
    baseline_year: int = BASELINE_YEAR,
    tolerance: Decimal = TOLERANCE,
) -> Resemblance:
    """The whole reasoning, from the series to the most similar scenarios.

    series: indicator code -> {year: validated value}; indicators absent have no data.
    indicator_groups: indicator code -> codes of the groups of its variable.
    group_codes: the scenario groups, in display order (G1, G2, G3).
    scenarios: scenario number -> {group code: expected direction}.
    """
    movements = {
        code: indicator_movement(
            series.get(code, {}), baseline_year=baseline_year, tolerance=tolerance
        )
        for code in indicator_groups
    }
    groups = {}
    for group in group_codes:
        members = [code for code, codes in indicator_groups.items() if group in codes]
        directions = [movements[code].direction for code in members]
        with_data = [d for d in directions if d is not None]
        groups[group] = GroupObservation(
            code=group,
            total=sum(with_data),
            with_data=len(with_data),
            indicators=len(members),
            direction=group_direction(directions),
        )
    observed = {code: g.direction for code, g in groups.items()}
    matches = []
    for number in sorted(scenarios):
        expected = scenarios[number]
        matches.append(
            ScenarioMatch(
                number=number,
                expected={code: expected.get(code) for code in group_codes},
                matches={code: expected.get(code) == observed[code] for code in group_codes},
                distance=scenario_distance(expected, observed),
            )
        )
    distances = {m.number: m.distance for m in matches}
    best = most_similar(distances)
    return Resemblance(
        indicators=movements,
        groups=groups,
        scenarios=matches,
        most_similar=best,
        distance=distances[best[0]] if best else None,
    )
