"""Reads behind yearly data entry and its validation: what a directorate owes for a year, row
by row, with everything needed to judge a number before it is saved (unit, formula, the
previous validated value, the year's target), and the same facts for the planning office's
queue, and the live preview of an entry. A fixed number of queries whatever the number of
indicators; the arithmetic is indicators.progress."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from indicators import progress, selectors
from indicators.models import Indicator, IndicatorValue, WorkflowState
from lib import numbers
from objectives import ordering
from objectives.models import Directorate

TARGET_PUBLISHED = "meta publicada"
TARGET_INTERPOLATED = "meta interpolada"
# Decimals shown when the document gives no number to take the indicator's precision from.
DEFAULT_PLACES = 2
MAX_PLACES = 4
_LEVEL_RANK: dict[str, int] = {
    Indicator.Level.OBJECTIVE: 0,
    Indicator.Level.VARIABLE: 1,
    Indicator.Level.NATIONAL: 2,
}


def jump_factor() -> Decimal:
    return Decimal(str(settings.PESEM_JUMP_FACTOR))


def natural_key(code: str) -> tuple[str | int, ...]:
    """OE1.2 before OE1.10, V9.1 before V10.1: digits compare as numbers. Any stored code
    sorts ("V8²": "²".isdigit() is true but it is no digit to int()): objectives.ordering."""
    return ordering.natural_key(code)


def published_places(texts: Iterable[str]) -> int:
    """The precision the document gives an indicator: the most decimals it writes its numbers
    with (1.54 -> 2, 430 -> 0, "1 020 000" -> 0), at most MAX_PLACES; DEFAULT_PLACES without
    any. Stored as Indicator.decimals (fixtures, editable in admin), which is what is shown."""
    found = []
    for text in texts:
        text = text.strip()
        if not text:
            continue
        _, point, decimals = text.rpartition(".")
        found.append(len(decimals) if point and decimals.isdigit() else 0)
    return min(max(found), MAX_PLACES) if found else DEFAULT_PLACES


def part_for_input(value: Decimal | None) -> str:
    """A numerator or denominator as typed: the decimals it has, none added (2,850,000)."""
    return numbers.format_for_input(value, 0)


def _part(value: Decimal | None) -> str:
    return part_for_input(value) if value is not None else progress.NO_VALUE


# --- the live preview of an entry ---------------------------------------------------------

DEFAULT_THRESHOLDS = progress.Thresholds()


@dataclass(frozen=True)
class Preview:
    """What an entry would give before it is saved: its value, achievement, light and
    warnings; `error` (Spanish) when the parts cannot give a value."""

    value: Decimal | None
    achievement: progress.Achievement
    light: progress.Light
    warnings: tuple[str, ...] = ()
    error: str = ""


def preview(
    *,
    is_ratio: bool,
    numerator: Decimal | None,
    denominator: Decimal | None,
    value: Decimal | None,
    scale: Decimal,
    target: Decimal | None,
    previous_value: Decimal | None,
    previous_year: int | None,
    plausible_min: Decimal | None,
    plausible_max: Decimal | None,
    jump_factor: Decimal | float,
    descending: bool,
    thresholds: progress.Thresholds = DEFAULT_THRESHOLDS,
) -> Preview:
    """The live preview of an entry (the grid, the entry form): the value it would store
    (progress.entry_value), its achievement and light, and the checks it trips
    (progress.entry_warnings). Pure: no database."""
    direction = progress.Direction.DESCENDING if descending else progress.Direction.ASCENDING
    try:
        computed = progress.entry_value(
            is_ratio=is_ratio,
            numerator=numerator,
            denominator=denominator,
            value=value,
            scale=scale,
        )
    except progress.RatioError as exc:
        missing = progress.achievement(None, target, direction)
        return Preview(None, missing, progress.Light.GREY, (), str(exc))
    result = progress.achievement(computed, target, direction)
    warnings = progress.entry_warnings(
        value=computed,
        previous_value=previous_value,
        previous_year=previous_year,
        target=target,
        plausible_min=plausible_min,
        plausible_max=plausible_max,
        jump_factor=jump_factor,
        descending=descending,
    )
    return Preview(computed, result, progress.light(result, thresholds), tuple(warnings))


# --- rows ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class EntryRow:
    """One indicator a directorate owes in a year, with what the registrar needs to judge the
    number before saving it."""

    indicator: Indicator
    year: int
    target: progress.YearTarget | None
    previous: progress.Point | None  # the last validated value before the year
    item: IndicatorValue | None  # the year's value, if any, whatever its state
    places: int
    flags: tuple[str, ...] = ()

    @property
    def code(self) -> str:
        return self.indicator.code

    @property
    def target_label(self) -> str:
        if self.target is None:
            return progress.NO_TARGET
        return TARGET_INTERPOLATED if self.target.interpolated else TARGET_PUBLISHED

    @property
    def editable(self) -> bool:
        """A value can be typed: none yet, or a draft (also a returned one)."""
        return self.item is None or self.item.state == WorkflowState.DRAFT

    @property
    def previous_text(self) -> str:
        if self.previous is None:
            return progress.NO_VALUE
        return f"{self.show(self.previous.value)} ({self.previous.year})"

    @property
    def target_text(self) -> str:
        return self.show(self.target.value) if self.target else progress.NO_TARGET

    @property
    def numerator_text(self) -> str:
        return _part(self.item.numerator if self.item else None)

    @property
    def denominator_text(self) -> str:
        return _part(self.item.denominator if self.item else None)

    @property
    def value_text(self) -> str:
        return self.show(self.item.value if self.item else None)

    def show(self, value: Decimal | None) -> str:
        """A number of this indicator for reading, with its precision (numbers.format_for)."""
        return numbers.format_for(self.indicator, value)

    def for_input(self, value: Decimal | None) -> str:
        """A number of this indicator to pre-fill an input (read back unchanged)."""
        return numbers.format_for_input(value, self.places)

    def warnings_for(self, value: Decimal | None) -> list[str]:
        return progress.entry_warnings(
            value=value,
            previous_value=self.previous.value if self.previous else None,
            previous_year=self.previous.year if self.previous else None,
            target=self.target.value if self.target else None,
            plausible_min=self.indicator.plausible_min,
            plausible_max=self.indicator.plausible_max,
            jump_factor=jump_factor(),
            descending=self.indicator.is_descending,
        )

    def preview(
        self,
        *,
        numerator: Decimal | None,
        denominator: Decimal | None,
        value: Decimal | None,
    ) -> Preview:
        return preview(
            is_ratio=self.indicator.is_ratio,
            numerator=numerator,
            denominator=denominator,
            value=value,
            scale=self.indicator.scale,
            target=self.target.value if self.target else None,
            previous_value=self.previous.value if self.previous else None,
            previous_year=self.previous.year if self.previous else None,
            plausible_min=self.indicator.plausible_min,
            plausible_max=self.indicator.plausible_max,
            jump_factor=jump_factor(),
            descending=self.indicator.is_descending,
            thresholds=selectors.thresholds(),
        )

    def achievement(self) -> progress.Achievement:
        """The achievement the stored value of the year gives (or would give once validated)."""
        value = self.item.value if self.item else None
        direction = self.indicator.direction
        return progress.achievement(value, self.target.value if self.target else None, direction)

    def light(self) -> progress.Light:
        return progress.light(self.achievement(), selectors.thresholds())


def _row(facts: selectors.IndicatorFacts, year: int, item: IndicatorValue | None) -> EntryRow:
    validated = [
        progress.Point(v.year, v.value)
        for v in facts.values
        if v.state == WorkflowState.VALIDATED and v.value is not None and v.year < year
    ]
    previous = max(validated, key=lambda p: p.year, default=None)
    return EntryRow(
        indicator=facts.indicator,
        year=year,
        target=facts.target_for(year),
        previous=previous,
        item=item,
        places=facts.indicator.decimals,
        flags=tuple(facts.flags),
    )


def _year_value(facts: selectors.IndicatorFacts, year: int) -> IndicatorValue | None:
    return next((v for v in facts.values if v.year == year), None)


def _order(row: EntryRow) -> tuple[bool, int, int, tuple[str | int, ...]]:
    objective = row.indicator.objective
    return (
        objective is None,
        objective.number if objective else 0,
        _LEVEL_RANK.get(row.indicator.level, len(_LEVEL_RANK)),
        natural_key(row.indicator.code),
    )


def entry_rows(
    *, directorate: Directorate, year: int, pks: Iterable[int] | None = None
) -> list[EntryRow]:
    """Every indicator the directorate is responsible for (objective, variable and national),
    by objective then code, with its context for `year`; only those of `pks` when given (a
    page of the grid). Five queries: indicators, values, targets, flags, articulated
    objectives."""
    queryset = selectors.indicator_queryset().filter(responsible=directorate)
    if pks is not None:
        queryset = queryset.filter(pk__in=list(pks))
    facts = selectors.indicator_facts_list(queryset=queryset)
    return sorted((_row(f, year, _year_value(f, year)) for f in facts), key=_order)


def entry_order(*, directorate: Directorate) -> list[tuple[int, str]]:
    """The (pk, code) of every indicator the directorate is responsible for, in the order of
    entry_rows: one light query (no values or targets), so a page of the grid is chosen
    without reading the context of every indicator."""
    rows = Indicator.objects.filter(responsible=directorate).values_list(
        "pk", "code", "level", "objective__number"
    )
    ordered = sorted(
        rows,
        key=lambda r: (
            r[3] is None,
            r[3] or 0,
            _LEVEL_RANK.get(r[2], len(_LEVEL_RANK)),
            natural_key(r[1]),
        ),
    )
    return [(pk, code) for pk, code, _, _ in ordered]


def entry_row(*, indicator: Indicator, year: int) -> EntryRow:
    """One indicator's context for `year` (five queries, as entry_rows)."""
    facts = selectors.indicator_facts_list(
        queryset=selectors.indicator_queryset().filter(pk=indicator.pk)
    )[0]
    return _row(facts, year, _year_value(facts, year))


def validation_rows(*, values: list[IndicatorValue]) -> list[EntryRow]:
    """The submitted values the planning office is about to judge, each with its indicator's
    context for its year (target, previous validated value, precision). Five queries whatever
    the number of values, plus none when there is nothing to judge."""
    if not values:
        return []
    facts = {
        f.indicator.pk: f
        for f in selectors.indicator_facts_list(
            queryset=selectors.indicator_queryset().filter(pk__in={v.indicator_id for v in values})
        )
    }
    return [_row(facts[v.indicator_id], v.year, v) for v in values]


def year_rows(*, keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], EntryRow]:
    """(indicator pk, year) -> that indicator's context for the year, with no value (`item`
    None): target, previous validated value, precision. For the import's preview, which judges
    each row of a file as the grid judges it. Five queries whatever the number of keys; none
    without keys."""
    keys = set(keys)
    if not keys:
        return {}
    facts = {
        f.indicator.pk: f
        for f in selectors.indicator_facts_list(
            queryset=selectors.indicator_queryset().filter(pk__in={pk for pk, _ in keys})
        )
    }
    return {(pk, year): _row(facts[pk], year, None) for pk, year in keys if pk in facts}
