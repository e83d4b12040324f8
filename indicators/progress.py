"""The arithmetic of the plan, in one place.

Plain functions over numbers: no ORM, no clock (years are arguments). Every page, export and
report calls these, so no two places can disagree. Rules (CEPLAN practice, see domain.md and
the README):

- ratio = numerator / denominator x scale;
- achievement of a year: ascending VO / LE x 100, descending LE / VO x 100, never capped;
- years between published targets get a linear milestone, always marked as interpolated;
- status (semáforo) from achievement with configurable thresholds; grey without data or target;
- an objective's light is that of its most delayed indicator (objective_light);
- trajectory: growth per year needed to reach the final target vs. growth per year achieved;
- data-quality checks: direction vs. path of targets (and final target vs. baseline), jumps
  and zeros in a series, implausible values, the same target published with different
  values by two tables; the checks before a value is saved (entry_warnings).

Numbers inside the findings are written by lib.numbers; the scale of a chart is lib.charts';
the live preview of an entry is indicators.entry_rows'.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Context, Decimal
from enum import StrEnum

from lib.numbers import NO_VALUE, format_number, format_short

HUNDRED = Decimal(100)
ZERO = Decimal(0)


class Direction(StrEnum):
    ASCENDING = "ascending"
    DESCENDING = "descending"


class Light(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    GREY = "grey"


LIGHT_LABELS = {
    Light.GREEN: "verde",
    Light.YELLOW: "amarillo",
    Light.RED: "rojo",
    Light.GREY: "gris",
}


@dataclass(frozen=True)
class Thresholds:
    """Lower bounds (percent of achievement) of the green and yellow bands."""

    green: Decimal = Decimal(95)
    yellow: Decimal = Decimal(75)


class RatioError(ValueError):
    """A ratio that cannot be computed; the message is for the user, in Spanish."""


def ratio(numerator: Decimal, denominator: Decimal, scale: Decimal = Decimal(1)) -> Decimal:
    if numerator < 0 or denominator < 0:
        raise RatioError("El numerador y el denominador no pueden ser negativos.")
    if denominator == 0:
        raise RatioError("El denominador no puede ser cero.")
    return numerator / denominator * scale


# --- achievement -------------------------------------------------------------------------


@dataclass(frozen=True)
class Achievement:
    """Percent of achievement, or None with the reason why it cannot be a number.

    `target_exceeded` covers the cases where the percent is undefined (division by zero)
    but the target is plainly beaten: an ascending target of 0 with a positive value, or a
    descending indicator that reached 0.
    """

    percent: Decimal | None
    note: str = ""
    target_exceeded: bool = False


NO_TARGET = "sin meta"


def achievement(
    value: Decimal | None, target: Decimal | None, direction: Direction | str
) -> Achievement:
    if value is None:
        return Achievement(None, NO_VALUE)
    if target is None:
        return Achievement(None, NO_TARGET)
    if value == target:
        # Covers 0 = 0: the target is met exactly, whatever the direction.
        return Achievement(HUNDRED)
    if Direction(direction) == Direction.ASCENDING:
        if target == 0:
            return Achievement(
                None, "meta igual a 0 superada: el cumplimiento no es calculable", True
            )
        return Achievement(value / target * HUNDRED)
    if value == 0:
        return Achievement(
            None,
            "valor 0 en un indicador descendente: meta superada, cumplimiento no calculable",
            True,
        )
    return Achievement(target / value * HUNDRED)


def light(result: Achievement, thresholds: Thresholds = Thresholds()) -> Light:
    if result.percent is None:
        return Light.GREEN if result.target_exceeded else Light.GREY
    if result.percent >= thresholds.green:
        return Light.GREEN
    if result.percent >= thresholds.yellow:
        return Light.YELLOW
    return Light.RED


# The order of the lights from the most behind to the least: red < yellow < green < grey (grey
# last: an indicator that cannot be judged is never the most behind). Stored with each yearly
# status (IndicatorYearStatus.light_rank) so lists sort and rank by it in the database.
LIGHT_RANK: dict[str, int] = {
    Light.RED.value: 0,
    Light.YELLOW.value: 1,
    Light.GREEN.value: 2,
    Light.GREY.value: 3,
}


def objective_light(lights: Iterable[Light | str]) -> Light:
    """The light of an objective: that of its most delayed indicator ("worst indicator").
    One red indicator is enough to call the objective at risk, and averaging percentages would
    let an indicator far over its target hide one far under it. Grey only wins when no
    indicator can be judged, and an objective without indicators is grey."""
    listed = [Light(light) for light in lights]
    if not listed:
        return Light.GREY
    return min(listed, key=lambda light: LIGHT_RANK[light.value])


# --- targets of any year -----------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    year: int
    value: Decimal


@dataclass(frozen=True)
class YearTarget:
    year: int
    value: Decimal
    interpolated: bool
    source: str = ""


def target_for_year(
    year: int,
    baseline: Point | None,
    official: dict[int, Decimal],
    sources: dict[int, str] | None = None,
) -> YearTarget | None:
    """The official target of `year` if published; else a linear milestone between the
    surrounding published points (the baseline is the first point); else None."""
    if year in official:
        return YearTarget(year, official[year], False, (sources or {}).get(year, ""))
    points = sorted(official.items())
    if baseline is not None:
        points = [(baseline.year, baseline.value)] + [p for p in points if p[0] > baseline.year]
    before = [p for p in points if p[0] < year]
    after = [p for p in points if p[0] > year]
    if not before or not after:
        return None
    (y0, v0), (y1, v1) = before[-1], after[0]
    value = v0 + (v1 - v0) * Decimal(year - y0) / Decimal(y1 - y0)
    return YearTarget(year, value, True)


def pick_official(
    published: Iterable[tuple[int, Decimal, str]], priority: Sequence[str]
) -> tuple[dict[int, Decimal], dict[int, str]]:
    """One official value per year from targets published by several tables: the source
    earliest in `priority` wins (the conflict itself is reported by target_conflicts)."""
    rank = {source: i for i, source in enumerate(priority)}
    chosen: dict[int, tuple[int, Decimal, str]] = {}
    for year, value, source in published:
        r = rank.get(source, len(rank))
        if year not in chosen or r < chosen[year][0]:
            chosen[year] = (r, value, source)
    return {y: c[1] for y, c in chosen.items()}, {y: c[2] for y, c in chosen.items()}


# The stored reason of a target revision that corrects the record (TargetRevision.Reason).
CORRECTION = "correccion"


def approved_at(
    revisions: Iterable[tuple[int, str, datetime, Decimal]], moment: datetime
) -> dict[int, Decimal]:
    """The planning office's target of each year as approved at `moment`, from its approved
    revisions (year, reason, decided_at, value): the last one approved by then (at `moment`
    itself included). A correction fixes the record (no resolution changes the plan), so it
    counts whenever it was approved; an ampliación, actualización or modificación counts
    from its approval on. A year with no revision in force at `moment` has no
    planning-office target then."""
    chosen: dict[int, tuple[datetime, Decimal]] = {}
    for year, reason, decided_at, value in revisions:
        if reason != CORRECTION and decided_at > moment:
            continue
        if year not in chosen or decided_at >= chosen[year][0]:
            chosen[year] = (decided_at, value)
    return {year: value for year, (_, value) in chosen.items()}


# --- trajectory --------------------------------------------------------------------------


class TrajectoryStatus(StrEnum):
    ACHIEVED = "achieved"
    ON_TRACK = "on_track"
    OFF_TRACK = "off_track"
    UNKNOWN = "unknown"


TRAJECTORY_LABELS = {
    TrajectoryStatus.ACHIEVED: "meta final ya alcanzada",
    TrajectoryStatus.ON_TRACK: "en camino",
    TrajectoryStatus.OFF_TRACK: "en riesgo",
    TrajectoryStatus.UNKNOWN: "sin datos suficientes",
}


@dataclass(frozen=True)
class Trajectory:
    status: TrajectoryStatus
    needed_per_year: Decimal | None = None
    achieved_per_year: Decimal | None = None
    projected_final: Decimal | None = None
    note: str = ""

    @property
    def on_track(self) -> bool | None:
        if self.status == TrajectoryStatus.UNKNOWN:
            return None
        return self.status != TrajectoryStatus.OFF_TRACK


def trajectory(
    baseline: Point | None,
    latest: Point | None,
    final: Point | None,
    direction: Direction | str,
) -> Trajectory:
    """Is the final target still reachable? Compares the change per year needed from the
    latest value with the change per year achieved since the baseline (Open SDG's method),
    and projects the latest pace linearly to the final year."""
    if final is None:
        return Trajectory(TrajectoryStatus.UNKNOWN, note=NO_TARGET)
    if latest is None:
        return Trajectory(TrajectoryStatus.UNKNOWN, note=NO_VALUE)
    sign = 1 if Direction(direction) == Direction.ASCENDING else -1
    if sign * (latest.value - final.value) >= 0:
        return Trajectory(
            TrajectoryStatus.ACHIEVED, note="el último valor ya alcanza la meta final"
        )
    if latest.year >= final.year:
        return Trajectory(TrajectoryStatus.OFF_TRACK, note="plazo vencido sin alcanzar la meta")
    needed = (final.value - latest.value) / Decimal(final.year - latest.year)
    if baseline is None or latest.year <= baseline.year:
        return Trajectory(
            TrajectoryStatus.UNKNOWN,
            needed_per_year=needed,
            note="sin un valor posterior a la línea de base para medir el avance",
        )
    pace = (latest.value - baseline.value) / Decimal(latest.year - baseline.year)
    projected = latest.value + pace * Decimal(final.year - latest.year)
    reachable = sign * (pace - needed) >= 0
    return Trajectory(
        TrajectoryStatus.ON_TRACK if reachable else TrajectoryStatus.OFF_TRACK,
        needed_per_year=needed,
        achieved_per_year=pace,
        projected_final=projected,
    )


# --- data-quality checks -----------------------------------------------------------------


def direction_conflicts(
    direction: Direction | str, baseline: Point | None, targets: dict[int, Decimal]
) -> list[str]:
    """CEPLAN's check: the path baseline -> targets must move the way the direction says.
    A target equal to the previous point (maintain the level) is consistent.

    Consecutive points are compared, and the final target with the baseline too: a dip that
    recovers (OE1.1: 0.69 -> 0.33 -> 0.63) still ends below where it started, which the
    consecutive comparison alone would not say. With no target in between, the consecutive
    comparison is that same comparison and it is said once."""
    points = sorted(targets.items())
    if baseline is not None:
        points = [(baseline.year, baseline.value)] + [p for p in points if p[0] > baseline.year]
    ascending = Direction(direction) == Direction.ASCENDING
    kind = "ascendente" if ascending else "descendente"
    findings = []
    for (y0, v0), (y1, v1) in zip(points, points[1:], strict=False):
        if (ascending and v1 < v0) or (not ascending and v1 > v0):
            findings.append(
                f"La meta {y1} ({format_number(v1)}) {'baja' if ascending else 'sube'} respecto de "
                f"{y0} ({format_number(v0)}) en un indicador {kind}."
            )
    if baseline is not None and len(points) > 2:
        base, (final_year, final) = points[0][1], points[-1]
        if (ascending and final < base) or (not ascending and final > base):
            findings.append(
                f"La meta final {final_year} ({format_number(final)}) está "
                f"{'por debajo' if ascending else 'por encima'} de la línea de base "
                f"({format_number(base)}) en un indicador {kind}."
            )
    return findings


ZERO_VALUE_NOTE = "verifique si es dato o falta de dato (sin dato nunca es 0)"


def series_jumps(series: dict[int, Decimal], factor: Decimal = Decimal(5)) -> list[str]:
    """The series' findings in year order: jumps, and zeros, each worded as what it is.

    - Jump: a value more than `factor` times the previous non-zero value, or less than its
      1/`factor` (typical of a unit change or a numerator published undivided).
    - Zero: never a jump. No factor can be measured to or from 0, and a 0 is plausible data
      in a count of events (OE2.3, inscriptions per request: 1.00 -> 0.00 -> 0.20) as much as
      a missing value typed as 0 (OE2.2: 7.01 -> 0.00). The plan does not say which
      indicators count events, so every zero, in any indicator, gets its own finding asking
      to check it; the jump rule skips it and compares the values on either side."""
    findings = []
    previous: tuple[int, Decimal] | None = None
    for year, value in sorted(series.items()):
        if value == 0:
            findings.append(f"Valor cero en {year}: {ZERO_VALUE_NOTE}.")
            continue
        if previous is not None:
            y0, v0 = previous
            if value / v0 > factor or v0 / value > factor:
                findings.append(
                    f"Salto en la serie: {format_number(v0)} en {y0} y "
                    f"{format_number(value)} en {year} "
                    f"(más de {format_number(factor)} veces; posible cambio de unidad)."
                )
        previous = (year, value)
    return findings


def out_of_range(
    value: Decimal, minimum: Decimal | None = None, maximum: Decimal | None = None
) -> bool:
    return (minimum is not None and value < minimum) or (maximum is not None and value > maximum)


def target_conflicts(published: Iterable[tuple[int | None, Decimal, str]]) -> list[str]:
    """The same year's target published with different values by different tables."""
    by_year: dict[int | None, dict[str, Decimal]] = {}
    for year, value, source in published:
        by_year.setdefault(year, {})[source] = value
    findings = []
    for year, values in sorted(by_year.items(), key=lambda item: item[0] or 0):
        if len(set(values.values())) > 1:
            listed = " y ".join(f"{format_number(v)} ({s})" for s, v in sorted(values.items()))
            findings.append(f"Conflicto de metas {year}: {listed}.")
    return findings


# --- aggregates --------------------------------------------------------------------------


def mean(values: Sequence[Decimal]) -> Decimal | None:
    """Mean of the values present; None (sin dato) when there are none, never 0."""
    return sum(values, ZERO) / len(values) if values else None


class Aggregation(StrEnum):
    """How a semestral plan's indicator makes its yearly value from its semesters (CEPLAN's
    tipo de agregación; the workbook's `agregacion`)."""

    LAST = "ultimo"
    SUM = "suma"
    MEAN = "promedio"


def yearly_value(
    semesters: Sequence[Decimal | None], aggregation: Aggregation | str = Aggregation.LAST
) -> Decimal | None:
    """The year's value from its semesters in order (S1, S2), those without a value left
    out: the last one present (ultimo), their sum (suma) or their mean (promedio). None (sin
    dato) when no semester has a value, never 0."""
    present = [v for v in semesters if v is not None]
    if not present:
        return None
    match Aggregation(aggregation):
        case Aggregation.LAST:
            return present[-1]
        case Aggregation.SUM:
            return sum(present, ZERO)
        case Aggregation.MEAN:
            return mean(present)


# How a semester's progress is read, said on the semester grid and its report: a semester is
# read against the target of its year, with the year's value so far.
SEMESTER_READING = {
    Aggregation.LAST: "el valor del semestre (último valor) se compara con la meta del año",
    Aggregation.SUM: "la suma de los semestres del año hasta este se compara con la meta del año",
    Aggregation.MEAN: (
        "el promedio de los semestres del año hasta este se compara con la meta del año"
    ),
}


def semester_achievement(
    semesters: Sequence[Decimal | None],
    semester: int,
    aggregation: Aggregation | str,
    target: Decimal | None,
    direction: Direction | str,
) -> Achievement:
    """A semester's progress: the year's value so far (its semesters up to `semester`, by the
    indicator's aggregation: yearly_value) against the target of its year. A sum's first
    semester is thus half-way to a yearly target it is on course for, and says so."""
    return achievement(yearly_value(semesters[:semester], aggregation), target, direction)


def share(part: int, whole: int) -> Decimal | None:
    """part / whole x 100; None when there is nothing to count."""
    return Decimal(part) / Decimal(whole) * HUNDRED if whole else None


def light_counts(lights: Iterable[Light]) -> dict[Light, int]:
    counts = {light: 0 for light in Light}
    for light in lights:
        counts[light] += 1
    return counts


def green_share(lights: Iterable[Light]) -> Decimal | None:
    """Percent of green among the indicators that can be judged (grey ones are left out)."""
    judged = [light for light in lights if light != Light.GREY]
    return share(judged.count(Light.GREEN), len(judged))


def light_shares(lights: Iterable[Light]) -> dict[Light, Decimal] | None:
    """Percent of each light among all the indicators, grey included, so that the four add up
    to 100 (one stacked bar); None when there is nothing to count."""
    counts = light_counts(lights)
    total = sum(counts.values())
    if not total:
        return None
    return {light: Decimal(n) / Decimal(total) * HUNDRED for light, n in counts.items()}


# --- coverage and the year a dashboard opens on ---------------------------------------------


@dataclass(frozen=True)
class Coverage:
    """How many indicators have a validated value in a year ("N de M")."""

    validated: int
    total: int

    @property
    def at_least_half(self) -> bool:
        return covers_half(self.validated, self.total)


def covers_half(validated: int, total: int) -> bool:
    """At least half of the indicators have a validated value: 12 of 24 yes, 12 of 25 no,
    never with no indicators. In integers (2 x validated >= total): no rounding decides it."""
    return total > 0 and 2 * validated >= total


def coverage(values: Iterable[Decimal | None]) -> Coverage:
    """The coverage of a year's validated values, one per indicator (None: sin dato)."""
    listed = list(values)
    return Coverage(sum(1 for v in listed if v is not None), len(listed))


class YearRule(StrEnum):
    LATEST = "latest"  # the latest year of the horizon with a value of the kind counted
    FIRST = "first"  # no such value in the horizon yet: the plan's first year


@dataclass(frozen=True)
class YearChoice:
    """The year a page opens on when none is asked for, and why (the page says it)."""

    year: int
    rule: YearRule
    validated_only: bool  # the public's rule (validated values) or the staff's (sent too)
    horizon: range
    refused: str = ""  # a year asked for outside the horizon ("pedido" when not a number)

    @property
    def horizon_text(self) -> str:
        return f"{self.horizon.start}-{self.horizon.stop - 1}"


def default_year(
    horizon: range,
    years_with_values: Iterable[int],
    *,
    validated_only: bool = False,
    asked: object = None,
) -> YearChoice:
    """The year a page opens on when none (or none inside the horizon) is asked for: always
    a year of the plan's horizon, the years with a published or interpolated target (the
    plan's years: 2015-2021 for the PESEM 2015-2021; the document's 2011-2014 history and
    the 2014 baseline come before it and get no light and no report).

    The latest horizon year with at least one value of the kind counted: staff pages count
    sent or validated values, the public portal and the API validated ones only (the caller
    passes the years of the values it counts; `validated_only` records which rule it was).
    Values outside the horizon never count. With none, the plan's first year. `asked`, the
    year the request named (?anio=), is recorded as `refused` when it is not a horizon year,
    so the page can say why it shows another one."""
    if not horizon:
        raise ValueError("A plan without years has no default year.")
    refused = ""
    if asked not in (None, ""):
        try:
            asked_year: int | None = int(str(asked))
        except ValueError:
            asked_year = None
        if asked_year not in horizon:
            # The page names the year asked, never other text typed in the address.
            refused = str(asked_year) if asked_year is not None else "pedido"
    inside = [year for year in years_with_values if year in horizon]
    if inside:
        return YearChoice(max(inside), YearRule.LATEST, validated_only, horizon, refused)
    return YearChoice(horizon.start, YearRule.FIRST, validated_only, horizon, refused)


# --- checks before saving a value ----------------------------------------------------------

# Achievement outside these bands (percent of the year's target) is suspicious enough to ask
# the registrar for a justification (DHIS2-style min/max check; CEPLAN's tool does the same).
ACHIEVEMENT_LOW = Decimal(50)
ACHIEVEMENT_HIGH = Decimal(200)
# Values are stored with six decimals (IndicatorValue.value).
STORED_QUANTUM = Decimal("0.000001")
_WIDE = Context(prec=60)


def _range_text(minimum: Decimal | None, maximum: Decimal | None) -> str:
    if minimum is not None and maximum is not None:
        return f"{format_short(minimum)} a {format_short(maximum)}"
    if minimum is not None:
        return f"mínimo {format_short(minimum)}"
    return f"máximo {format_short(maximum)}" if maximum is not None else ""


def entry_warnings(
    *,
    value: Decimal | None,
    previous_value: Decimal | None,
    previous_year: int | None,
    target: Decimal | None,
    plausible_min: Decimal | None,
    plausible_max: Decimal | None,
    jump_factor: Decimal | float,
    descending: bool,
    low: Decimal = ACHIEVEMENT_LOW,
    high: Decimal = ACHIEVEMENT_HIGH,
) -> list[str]:
    """What looks wrong in a value about to be saved, in words for the registrar (who may keep
    it with a justification) and the validator:

    - outside the indicator's plausible range;
    - more than `jump_factor` times the previous validated value, or less than its
      1/`jump_factor` (a jump);
    - a 0 after a positive value: not a jump (a 0 is plausible in a count of events) but its
      own warning, asking whether it is data or a missing value typed as 0 ("sin dato" is
      never 0), as `series_jumps` does on the indicator's page. A rise from 0 is neither: no
      factor can be measured from 0;
    - achievement of the year's target below `low` or above `high` percent (an undefined
      percent, e.g. a target of 0, is not judged here).
    """
    if value is None:
        return []
    found = []
    if out_of_range(value, plausible_min, plausible_max):
        found.append(
            f"El valor {format_short(value)} está fuera del rango plausible "
            f"({_range_text(plausible_min, plausible_max)})"
        )
    factor = Decimal(str(jump_factor))
    if previous_value is not None and previous_year is not None and factor > 0:
        before = f"{previous_year} ({format_short(previous_value)})"
        if previous_value > 0 and value == 0:
            found.append(
                f"El valor es 0 y el de {before} no: verifique si es dato o falta de dato; "
                "si no hay dato, deje el campo vacío (sin dato nunca es 0)"
            )
        elif previous_value > 0 and value > previous_value * factor:
            found.append(f"El valor es más de {format_short(factor)} veces el de {before}")
        elif previous_value > 0 and value * factor < previous_value:
            found.append(f"El valor es menos de 1/{format_short(factor)} del de {before}")
    direction = Direction.DESCENDING if descending else Direction.ASCENDING
    result = achievement(value, target, direction)
    if result.percent is not None and target is not None:
        reached = (
            f"El cumplimiento sería {format_number(result.percent, 1)} % de la meta del año "
            f"({format_short(target)})"
        )
        if result.percent < low:
            found.append(f"{reached}: menos del {format_short(low)} %")
        elif result.percent > high:
            found.append(f"{reached}: más del {format_short(high)} %")
    return found


def entry_value(
    *,
    is_ratio: bool,
    numerator: Decimal | None,
    denominator: Decimal | None,
    value: Decimal | None,
    scale: Decimal,
) -> Decimal | None:
    """The value an entry stores: numerator / denominator x scale rounded to the stored six
    decimals for a ratio indicator, the value typed otherwise; None while incomplete.
    RatioError (Spanish) for a zero denominator or negative parts."""
    if not is_ratio:
        return value
    if numerator is None or denominator is None:
        return None
    return ratio(numerator, denominator, scale).quantize(STORED_QUANTUM, context=_WIDE)
