"""Reads of indicators with everything needed to judge them, in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Protocol, TypeVar, cast

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Case, Min, Prefetch, QuerySet, Value, When
from django.db.models.functions import Length

from indicators import deadlines, progress
from indicators.models import (
    ActionReport,
    Indicator,
    IndicatorValue,
    IndicatorYearStatus,
    SemesterValue,
    Target,
    TargetRevision,
    WorkflowState,
)
from lib import charts as chart_scale
from lib import numbers
from objectives import plans
from objectives.models import (
    Directorate,
    StrategicAction,
    StrategicObjective,
    responsibles_prefetch,
)
from objectives.ordering import LEVEL_ORDER, indicator_key


def list_order(indicator: Indicator) -> tuple[int, tuple[str | int, ...]]:
    """The order of every list of indicators: objective, variable, national; codes in natural
    order (objectives.ordering). Applied in Python to rows already read, so no query count
    changes and V2.1 comes before V10.1 whatever the database's collation."""
    return indicator_key(indicator.level, indicator.code)


def thresholds() -> progress.Thresholds:
    return progress.Thresholds(
        green=Decimal(str(settings.PESEM_LIGHT_GREEN)),
        yellow=Decimal(str(settings.PESEM_LIGHT_YELLOW)),
    )


# An indicator's approved target revisions: (year, reason, decided_at, value).
Revisions = list[tuple[int, str, datetime, Decimal]]


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
    # The approved target revisions (year, reason, decided_at, value) when the queryset
    # asked for them (indicator_queryset(revisions=True)); None otherwise.
    revisions: Revisions | None = None

    def as_approved_at(self, moment: datetime) -> IndicatorFacts:
        """The same indicator with its targets as approved at `moment`
        (progress.approved_at): a year's statuses, report and tablero use the targets in force
        at the year's deadline, so a later revision leaves them as they were. Itself when no
        revision approved since then changes a target (or its revisions were not read)."""
        if not _revised_since(self.revisions, moment):
            return self
        targets = targets_in_force(self.targets, self.revisions or [], moment)
        return _facts(self.indicator, self.values, targets, self.revisions)

    @property
    def series(self) -> dict[int, Decimal]:
        """Values sent or validated: what the data-quality flags check and the charts draw.
        A draft is nobody's figure yet: its jumps and ranges are warned about at entry
        (progress.entry_warnings), and no dashboard, report or flag quotes it."""
        return {
            v.year: v.value
            for v in self.values
            if v.value is not None and v.state in (WorkflowState.VALIDATED, WorkflowState.SUBMITTED)
        }

    @property
    def official_series(self) -> dict[int, Decimal]:
        """Validated values only: what dashboards and exports count."""
        return {
            v.year: v.value
            for v in self.values
            if v.value is not None and v.state == WorkflowState.VALIDATED
        }

    @property
    def off_scale_years(self) -> list[int]:
        """Years of a charted value (validated or preliminary) that would flatten the rest of
        the series: lib.charts.off_scale_years with the jump factor of the flags."""
        return chart_scale.off_scale_years(self.series, Decimal(str(settings.PESEM_JUMP_FACTOR)))

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

    def status_as_of(self, year: int) -> YearStatus:
        """Where the indicator stands in `year`, counting validated values only."""
        official = {y: v for y, v in self.official_series.items() if y <= year}
        preliminary = next(
            (v for v in self.values if v.year == year and v.state == WorkflowState.SUBMITTED),
            None,
        )
        value = official.get(year)
        target = self.target_for(year)
        result = progress.achievement(
            value, target.value if target else None, self.indicator.direction
        )
        latest_year = max(official) if official else None
        final_year = self.final_year
        trajectory = progress.trajectory(
            self.baseline,
            progress.Point(latest_year, official[latest_year]) if latest_year else None,
            progress.Point(final_year, self.official[final_year]) if final_year else None,
            self.indicator.direction,
        )
        return YearStatus(
            year=year,
            value=value,
            preliminary=preliminary,
            latest_year=latest_year,
            latest_value=official.get(latest_year) if latest_year else None,
            target=target,
            achievement=result,
            light=progress.light(result, thresholds()),
            trajectory=trajectory,
        )

    def published_targets(self, year: int) -> list[Target]:
        return [t for t in self.targets if t.kind == Target.Kind.TARGET and t.year == year]

    @property
    def final_year(self) -> int | None:
        return max(self.official) if self.official else None

    def summary(self) -> Summary:
        """The indicator now: its status as of the latest validated year."""
        now = self.status_as_of(max(self.official_series, default=0))
        official = self.official_series
        return Summary(
            latest_year=now.latest_year,
            latest_value=now.latest_value,
            latest_achievement=now.achievement,
            achievement_2016=self.achievement_for(2016, official.get(2016)),
            achievement_2021=self.achievement_for(2021, official.get(2021)),
            light=now.light,
            trajectory=now.trajectory,
        )


@dataclass(frozen=True)
class YearStatus:
    year: int
    value: Decimal | None
    preliminary: IndicatorValue | None
    latest_year: int | None
    latest_value: Decimal | None
    target: progress.YearTarget | None
    achievement: progress.Achievement
    light: progress.Light
    trajectory: progress.Trajectory


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


def baseline_point(targets: list[Target]) -> progress.Point | None:
    """The baseline used for computations: the preferred source's, when it has a year."""
    baselines = [
        (t.year or 0, t.value, t.source) for t in targets if t.kind == Target.Kind.BASELINE
    ]
    if not baselines:
        return None
    chosen, _ = progress.pick_official(baselines, settings.PESEM_TARGET_SOURCE_PRIORITY)
    year, value = next(iter(sorted(chosen.items())))
    return progress.Point(year, value) if year else None


YEAR_INFERRED = "año inferido"


def baseline_year_text(targets: Iterable[Target]) -> str:
    """The year of the baseline baseline_point uses, with «año inferido» when the system
    dated it (Target.year_published false): "2014, año inferido"; "" without a dated one."""
    baselines = [t for t in targets if t.kind == Target.Kind.BASELINE]
    rank = {s: i for i, s in enumerate(settings.PESEM_TARGET_SOURCE_PRIORITY)}
    if not baselines:
        return ""
    # baseline_point's choice: the earliest year, from the source first in the priority.
    chosen = min(baselines, key=lambda t: (t.year or 0, rank.get(t.source, len(rank))))
    if not chosen.year:
        return ""
    return f"{chosen.year}, {YEAR_INFERRED}" if chosen.year_inferred else str(chosen.year)


def _build_facts(indicator: Indicator) -> IndicatorFacts:
    read = hasattr(indicator, "approved_target_revisions")
    return _facts(
        indicator,
        list(indicator.values.all()),
        list(indicator.targets.all()),
        revisions_of(indicator) if read else None,
    )


def targets_as_approved_at(indicator: Indicator, moment: datetime) -> IndicatorFacts | None:
    """The indicator's baseline and targets as approved at `moment`, without its values, when
    a revision approved since then changes them; None when they stand as they are now. Reads
    the prefetched `targets` and `approved_target_revisions` (approved_revisions_prefetch)."""
    revisions = revisions_of(indicator)
    if not _revised_since(revisions, moment):
        return None  # the common case: no query, nothing computed
    return _facts(indicator, [], list(indicator.targets.all()), revisions).as_approved_at(moment)


def targets_in_force(targets: list[Target], revisions: Revisions, moment: datetime) -> list[Target]:
    """An indicator's Target rows with the planning office's as approved at `moment`
    (progress.approved_at): a revised year's row gets the value in force then, or goes when
    none was; published rows, and rows no revision ever touched, stay as they are."""
    if not _revised_since(revisions, moment):
        return targets
    in_force = progress.approved_at(revisions, moment)
    revised = {year for year, *_ in revisions}
    kept = []
    for t in targets:
        planning = t.kind == Target.Kind.TARGET and t.source == Target.PLANNING_OFFICE_SOURCE
        if not planning or t.year not in revised:
            kept.append(t)
        elif t.year in in_force:
            kept.append(
                Target(
                    indicator_id=t.indicator_id,
                    kind=t.kind,
                    year=t.year,
                    value=in_force[t.year],
                    source=t.source,
                )
            )
    return kept


def revisions_of(indicator: Indicator) -> Revisions:
    """The prefetched `approved_target_revisions` as (year, reason, decided_at, value)."""
    approved: list[TargetRevision] = indicator.approved_target_revisions  # type: ignore[attr-defined]
    return [(r.year, r.reason, r.decided_at, r.value) for r in approved if r.decided_at is not None]


def _revised_since(revisions: Revisions | None, moment: datetime) -> bool:
    """A revision approved after `moment` changes a target (a correction does not: it counts
    whenever it was approved, progress.approved_at)."""
    return any(
        reason != progress.CORRECTION and decided_at > moment
        for _, reason, decided_at, _ in revisions or []
    )


def _facts(
    indicator: Indicator,
    values: list[IndicatorValue],
    targets: list[Target],
    revisions: Revisions | None,
) -> IndicatorFacts:
    facts = IndicatorFacts(indicator=indicator, values=values, targets=targets, revisions=revisions)
    priority = settings.PESEM_TARGET_SOURCE_PRIORITY
    facts.baseline = baseline_point(targets)
    published = [(t.year, t.value, t.source) for t in targets if t.kind == Target.Kind.TARGET]
    # The schema allows a target without a year (baselines need that); a published target
    # always has one, and the computations below assume so.
    dated = cast(list[tuple[int, Decimal, str]], published)
    facts.official, facts.official_sources = progress.pick_official(dated, priority)

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
                f"Valor {numbers.format_for(indicator, value)} de {year} fuera del rango plausible "
                f"({numbers.format_number(indicator.plausible_min)} a "
                f"{numbers.format_number(indicator.plausible_max)})."
            )
    facts.flags = flags
    return facts


# What dashboards read of each value; the rest (workflow people and dates, evidence) is
# only for the indicator page, and loading it for thousands of values costs seconds.
DASHBOARD_VALUE_FIELDS = (
    "id",
    "indicator_id",
    "year",
    "numerator",
    "denominator",
    "value",
    "state",
    "note",
    "source",
)


def indicator_queryset(
    *,
    light: bool = False,
    revisions: bool = False,
    values: QuerySet[IndicatorValue] | None = None,
    any_plan: bool = False,
) -> QuerySet[Indicator]:
    """The shown plan's indicators (every plan's with `any_plan`: the stored statuses) with
    what their facts read. `revisions`: with the approved target revisions too, for the facts
    of a past year (IndicatorFacts.as_approved_at); one more query. `values`: the yearly
    values read (by default every one, by year)."""
    if values is None:
        values = IndicatorValue.objects.order_by("year")
        if light:
            values = values.only(*DASHBOARD_VALUE_FIELDS)
    qs = (
        (Indicator.objects.all() if any_plan else Indicator.objects.filter(plan=plans.shown_plan()))
        .select_related("variable", "objective", "responsible", "national_objective")
        .prefetch_related(
            Prefetch("values", queryset=values),
            "targets",
            "flags",
            "articulated_objectives",
        )
    )
    if revisions:
        qs = qs.prefetch_related(approved_revisions_prefetch())
    return qs


def approved_revisions_prefetch(
    prefix: str = "",
) -> Prefetch[str, QuerySet[TargetRevision], str]:
    """Each indicator's approved target revisions, as `approved_target_revisions`."""
    return Prefetch(
        f"{prefix}target_revisions",
        queryset=TargetRevision.objects.filter(state=TargetRevision.State.APPROVED).only(
            "indicator_id", "year", "reason", "decided_at", "value"
        ),
        to_attr="approved_target_revisions",
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
    "analysis": "análisis del avance",
    "measures": "medidas",
    "justification": "justificación",
}
TRACKED_TARGET_FIELDS = {"value": "valor", "year": "año", "source": "fuente"}


@dataclass(frozen=True)
class HistoryRow:
    when: datetime
    who: str
    what: str
    changes: list[tuple[str, str, str]]  # (field, before, after)
    reason: str


class _HistoricalRecord(Protocol):
    """The fields of a django-simple-history record that the diff reads (besides the
    model's own fields, read by name)."""

    id: int
    history_date: datetime
    history_user: AbstractBaseUser | None
    history_change_reason: str | None


_Record = TypeVar("_Record", bound=_HistoricalRecord)


def _diff_rows(
    records: Iterable[_Record],
    fields: dict[str, str],
    describe: Callable[[_Record], str],
    indicator: Indicator,
) -> list[HistoryRow]:
    rows = []
    previous: dict[int, _Record] = {}
    for rec in records:  # ordered by history_date, history_id
        before = previous.get(rec.id)
        changes = []
        for name, label in fields.items():
            new = getattr(rec, name)
            old = getattr(before, name) if before is not None else None
            if before is None and new in (None, ""):
                continue
            if before is None or old != new:
                changes.append((label, _show(old, name, indicator), _show(new, name, indicator)))
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


def _show(value: object, name: str, indicator: Indicator) -> str:
    """A field's value in the history: a value or target with the indicator's precision
    (numbers.format_for), a numerator or denominator as typed (2,850,000)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, Decimal):
        if name in ("numerator", "denominator"):
            return numbers.format_for_input(value, 0)
        return numbers.format_for(indicator, value)
    labels: dict[object, str] = dict(WorkflowState.choices)
    return str(labels.get(value, value))


def indicator_history(indicator: Indicator, *, drafts: bool = True) -> list[HistoryRow]:
    """Every change of the indicator's values and targets, newest first (two queries).
    Without `drafts` (a reader who may not see them, access.can_see_drafts_of), the values'
    records in state borrador are left out: each change is then told from one sent or
    validated content to the next."""
    values = (
        IndicatorValue.history.filter(indicator_id=indicator.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    if not drafts:
        values = values.exclude(state=WorkflowState.DRAFT)
    targets = (
        Target.history.filter(indicator_id=indicator.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    rows = _diff_rows(values, TRACKED_VALUE_FIELDS, lambda r: f"Valor {r.year}", indicator)
    rows += _diff_rows(
        targets,
        TRACKED_TARGET_FIELDS,
        lambda r: f"{'Meta' if r.kind == 'target' else 'Línea de base'} {r.year or ''}",
        indicator,
    )
    return sorted(rows, key=lambda r: r.when, reverse=True)


# --- the year's work ----------------------------------------------------------------------


@dataclass(frozen=True)
class PendingIndicator:
    indicator: Indicator
    value: IndicatorValue | None


@dataclass(frozen=True)
class PendingAction:
    action: StrategicAction
    report: ActionReport | None


def pending_entries(
    *, directorate: Directorate, year: int
) -> tuple[list[PendingIndicator], list[PendingAction]]:
    """Everything a directorate must report for a year, with its state: four queries."""
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


def submitted_items(*, year: int | None = None) -> tuple[list[IndicatorValue], list[ActionReport]]:
    """What waits for the planning office in the shown plan: submitted values and action
    reports."""
    values = IndicatorValue.objects.filter(
        state=WorkflowState.SUBMITTED, indicator__plan=plans.shown_plan()
    ).select_related("indicator__responsible", "submitted_by")
    reports = ActionReport.objects.filter(
        state=WorkflowState.SUBMITTED, action__plan=plans.shown_plan()
    ).select_related("action", "directorate", "submitted_by")
    if year is not None:
        values, reports = values.filter(year=year), reports.filter(year=year)
    return list(values.order_by("indicator__code", "year")), list(reports)


# --- dashboards ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardRow:
    facts: IndicatorFacts
    status: YearStatus

    @property
    def indicator(self) -> Indicator:
        return self.facts.indicator


def dashboard_rows(*, year: int, queryset: QuerySet[Indicator] | None = None) -> list[DashboardRow]:
    """Every indicator (of the queryset, by default all, read light) with its status in
    `year`: five queries."""
    qs = queryset if queryset is not None else indicator_queryset(light=True)
    return [DashboardRow(f, f.status_as_of(year)) for f in indicator_facts_list(queryset=qs)]


def dashboard_years(*, years: range) -> range:
    """From the first year with a value (the document's history starts in 2011) to the plan's
    end: one query."""
    first = IndicatorValue.objects.filter(indicator__plan=plans.shown_plan()).aggregate(
        first=Min("year")
    )["first"]
    return range(min(first or years.start, years.start), years.stop)


def years_with_values(*, horizon: range, validated_only: bool) -> list[int]:
    """The horizon's years with at least one validated value, or (staff pages) one sent or
    validated: one query."""
    states = [WorkflowState.VALIDATED]
    if not validated_only:
        states.append(WorkflowState.SUBMITTED)
    return list(
        IndicatorValue.objects.filter(
            indicator__plan=plans.shown_plan(),
            year__gte=horizon.start,
            year__lt=horizon.stop,
            state__in=states,
            value__isnull=False,
        )
        .order_by()
        .values_list("year", flat=True)
        .distinct()
    )


def default_year_choice(
    *, horizon: range, validated_only: bool = False, asked: object = None
) -> progress.YearChoice:
    """The year a page opens on, and why (progress.default_year): one query. `horizon` is
    the plan's years; `validated_only` for the public portal and the API; `asked` is the
    raw ?anio= the request named, if any, recorded when it falls outside the horizon."""
    years = years_with_values(horizon=horizon, validated_only=validated_only)
    return progress.default_year(horizon, years, validated_only=validated_only, asked=asked)


def default_year(*, horizon: range, validated_only: bool = False) -> int:
    """The year of default_year_choice: one query."""
    return default_year_choice(horizon=horizon, validated_only=validated_only).year


# --- directorates -------------------------------------------------------------------------


@dataclass
class DirectorateSummary:
    """A directorate in one year. Shares are None ("sin dato") when there is nothing to count:
    green_share counts only indicators that can be judged (not grey)."""

    directorate: Directorate
    actions: list[StrategicAction]
    reports: dict[int, ActionReport]  # action_id -> ActionReport of the year
    statuses: list[IndicatorYearStatus]  # of the directorate's indicators for the year

    @property
    def validated_reports(self) -> list[ActionReport]:
        return [r for r in self.reports.values() if r.state == WorkflowState.VALIDATED]

    @property
    def action_progress(self) -> Decimal | None:
        return progress.mean([r.percent for r in self.validated_reports])

    @property
    def report_share(self) -> Decimal | None:
        return progress.share(len(self.validated_reports), len(self.actions))

    @property
    def green_share(self) -> Decimal | None:
        return progress.green_share(progress.Light(s.light) for s in self.statuses)

    @property
    def light_counts(self) -> dict[progress.Light, int]:
        return progress.light_counts(progress.Light(s.light) for s in self.statuses)

    @property
    def light_shares(self) -> dict[progress.Light, Decimal] | None:
        """Green, yellow, red and grey as percents of all its indicators (adding up to 100)."""
        return progress.light_shares(progress.Light(s.light) for s in self.statuses)

    @property
    def coverage(self) -> progress.Coverage:
        return progress.coverage(s.value for s in self.statuses)

    @property
    def missing_reports(self) -> list[StrategicAction]:
        """Actions without a report sent or validated for the year."""
        return [
            a
            for a in self.actions
            if a.pk not in self.reports or self.reports[a.pk].state == WorkflowState.DRAFT
        ]

    @property
    def missing_values(self) -> list[Indicator]:
        return [s.indicator for s in self.statuses if s.value is None and s.preliminary is None]


def directorate_summaries(
    *, year: int, directorates: Iterable[Directorate] | None = None
) -> list[DirectorateSummary]:
    """Every responsible directorate (of actions or indicators) in `year`, from the stored
    statuses: five queries whatever the plan's size."""
    qs = (
        Directorate.objects.filter(entity=plans.shown_entity())
        if directorates is None
        else directorates
    )
    actions_by_dir: dict[int, list[StrategicAction]] = {}
    for action in (
        StrategicAction.objects.filter(plan=plans.shown_plan(), parent=None)
        .select_related("objective")
        .prefetch_related(responsibles_prefetch())  # Cuadro 6's order, read by the report
        .order_by("objective__number", "order")
    ):
        for d in action.responsibles.all():
            actions_by_dir.setdefault(d.pk, []).append(action)
    reports: dict[int, dict[int, ActionReport]] = {}
    for r in ActionReport.objects.filter(year=year, action__plan=plans.shown_plan()):
        reports.setdefault(r.directorate_id, {})[r.action_id] = r
    # Keyed like the indicator's nullable foreign key; the query leaves out null ones.
    rows_by_dir: dict[int | None, list[IndicatorYearStatus]] = {}
    for row in IndicatorYearStatus.objects.filter(
        year=year, indicator__plan=plans.shown_plan(), indicator__responsible__isnull=False
    ).select_related("indicator"):
        rows_by_dir.setdefault(row.indicator.responsible_id, []).append(row)
    for rows in rows_by_dir.values():
        rows.sort(key=lambda r: list_order(r.indicator))
    return [
        DirectorateSummary(
            d, actions_by_dir.get(d.pk, []), reports.get(d.pk, {}), rows_by_dir.get(d.pk, [])
        )
        for d in qs
        if d.pk in actions_by_dir or d.pk in rows_by_dir
    ]


@dataclass(frozen=True)
class DirectorateYear:
    year: int
    action_progress: Decimal | None
    green_share: Decimal | None
    reported: int
    coverage: progress.Coverage = progress.Coverage(0, 0)  # indicators with a validated value


def directorate_history(
    *, directorate: Directorate, years: range
) -> tuple[
    list[DirectorateYear],
    list[StrategicAction],
    dict[tuple[int, int], ActionReport],
    list[IndicatorFacts],
]:
    """A directorate over the plan's years: its actions, every report by (action, year), and
    per year its mean validated progress and share of indicators in green, and the facts of
    its indicators (for the page's year too). Fixed queries: actions, reports, and one
    indicator read for all years."""
    actions = list(
        StrategicAction.objects.filter(responsibles=directorate, parent=None)
        .select_related("objective")
        .order_by("objective__number", "order")
    )
    reports = {
        (r.action_id, r.year): r
        for r in ActionReport.objects.filter(directorate=directorate, year__in=list(years))
    }
    facts = sorted(
        indicator_facts_list(
            queryset=indicator_queryset(light=True).filter(responsible=directorate)
        ),
        key=lambda f: list_order(f.indicator),
    )
    history = []
    for year in years:
        validated = [
            reports[(a.pk, year)].percent
            for a in actions
            if (a.pk, year) in reports and reports[(a.pk, year)].state == WorkflowState.VALIDATED
        ]
        statuses = [f.status_as_of(year) for f in facts]
        history.append(
            DirectorateYear(
                year=year,
                action_progress=progress.mean(validated),
                green_share=progress.green_share(s.light for s in statuses),
                reported=len(validated),
                coverage=progress.coverage(s.value for s in statuses),
            )
        )
    return history, actions, reports, facts


def year_rows(
    *, facts: list[IndicatorFacts], year: int
) -> tuple[list[DashboardRow], progress.Coverage]:
    """Indicators already read (in their order) with their status in `year`, and how many of
    them have a validated value that year: no query."""
    rows = [DashboardRow(f, f.status_as_of(year)) for f in facts]
    return rows, progress.coverage(r.status.value for r in rows)


# --- the tablero, over stored statuses -----------------------------------------------------

CARD_ROWS = 8
# Rows the streamed export reads at a time: the first leave once this many are read.
STREAM_CHUNK = 200


def tablero_statuses(
    *, year: int, indicators: QuerySet[Indicator], light: str | None = None
) -> QuerySet[IndicatorYearStatus]:
    """The year's stored statuses of the given indicators, ready for a page of the table
    (indicator, objective and responsible joined; the targets the table shows prefetched for
    the page only, as each indicator's `table_targets`)."""
    qs = (
        IndicatorYearStatus.objects.filter(year=year, indicator__in=indicators)
        .select_related("indicator__objective", "indicator__responsible")
        .prefetch_related(
            Prefetch(
                "indicator__targets",
                queryset=Target.objects.filter(kind=Target.Kind.TARGET),
                to_attr="table_targets",
            ),
            approved_revisions_prefetch("indicator__"),
        )
    )
    return qs.filter(light=light) if light else qs


def tablero_rows(*, statuses: QuerySet[IndicatorYearStatus]) -> list[IndicatorYearStatus]:
    """The table's rows in list order (objective, variable, national; natural codes), each
    with `natural_rank`, its position, for the table's sorting: two queries (the rows, their
    targets) instead of a count and a page, since natural order is not SQL's."""
    rows = sorted(statuses, key=lambda s: list_order(s.indicator))
    closes: dict[int, datetime] = {}
    for rank, row in enumerate(rows):
        row.natural_rank = rank  # type: ignore[attr-defined]
        _targets_of_the_year(row, closes, revisions_of(row.indicator))
    return rows


def _targets_of_the_year(
    row: IndicatorYearStatus, closes: dict[int, datetime], revisions: Revisions
) -> None:
    """The row's `table_targets` as approved when its year is read (deadlines.read_at), as
    its stored status (indicators.workflow.status): read once per year, only for an
    indicator with an approved revision."""
    if not revisions:
        return
    if row.year not in closes:
        closes[row.year] = deadlines.read_at([row.year])[row.year]
    row.indicator.table_targets = targets_in_force(  # type: ignore[attr-defined]
        row.indicator.table_targets,  # type: ignore[attr-defined]
        revisions,
        closes[row.year],
    )


def tablero_stream(*, statuses: QuerySet[IndicatorYearStatus]) -> Iterator[IndicatorYearStatus]:
    """The rows of tablero_rows (same order, `natural_rank`, each indicator's `table_targets`)
    read while they are sent, for the streamed export: four queries whatever the plan's size
    (the rows' codes, their targets, their approved target revisions, the rows through a
    cursor; and the year's deadline when a revision exists), none before the first row is
    asked for, and only the rows waiting for their turn held, not the whole table.

    The database cannot sort codes naturally, so the codes are read and sorted first, and the
    rows come in an order close to it: level, code length, code, which is the natural order
    when the numbers in codes of one length have the same width (OE1.2, V10.1, SYN.123). A
    row that comes early waits until the ones before it have gone; with numbers of mixed
    widths rows wait longer (OE2.1 waits for OE1.10), at worst all of them, as a whole read
    would."""
    codes = statuses.prefetch_related(None).values_list("pk", "indicator__level", "indicator__code")
    order = [pk for pk, _, _ in sorted(codes, key=lambda c: indicator_key(c[1], c[2]))]
    # Plain tuples, held for every indicator (the rows are not): Target objects are built for
    # one row at a time. In Target's order, as the prefetch of tablero_statuses gives them.
    targets: dict[int, list[tuple[str, int | None, Decimal, str]]] = defaultdict(list)
    for indicator_id, kind, year, value, source in (
        Target.objects.filter(kind=Target.Kind.TARGET, indicator__in=statuses.values("indicator"))
        .order_by("indicator_id", "kind", "year", "source")
        .values_list("indicator_id", "kind", "year", "value", "source")
    ):
        targets[indicator_id].append((kind, year, value, source))
    revisions: dict[int, Revisions] = defaultdict(list)
    for indicator_id, *revision in TargetRevision.objects.filter(
        state=TargetRevision.State.APPROVED, indicator__in=statuses.values("indicator")
    ).values_list("indicator_id", "year", "reason", "decided_at", "value"):
        revisions[indicator_id].append(tuple(revision))  # type: ignore[arg-type]
    closes: dict[int, datetime] = {}
    level_rank = Case(
        *(When(indicator__level=level, then=Value(rank)) for rank, level in enumerate(LEVEL_ORDER)),
        default=Value(len(LEVEL_ORDER)),
    )
    rows = (
        statuses.prefetch_related(None)
        .order_by(level_rank, Length("indicator__code"), "indicator__code", "pk")
        .iterator(chunk_size=STREAM_CHUNK)
    )
    for rank, row in enumerate(in_order(rows, order=order)):
        row.natural_rank = rank  # type: ignore[attr-defined]
        row.indicator.table_targets = [  # type: ignore[attr-defined]
            Target(indicator_id=row.indicator_id, kind=kind, year=year, value=value, source=source)
            for kind, year, value, source in targets.pop(row.indicator_id, [])
        ]
        _targets_of_the_year(row, closes, revisions.pop(row.indicator_id, []))
        yield row


def in_order(
    rows: Iterable[IndicatorYearStatus], *, order: list[int]
) -> Iterator[IndicatorYearStatus]:
    """`rows`, arriving in any order, passed on in `order` (their primary keys) as soon as
    each one's turn comes; those that come early wait. Rows `order` does not name, and those
    left waiting for one that never came (a write between the reads), go last in list order."""
    waiting: dict[int, IndicatorYearStatus] = {}
    position = 0
    for row in rows:
        waiting[row.pk] = row
        while position < len(order) and order[position] in waiting:
            yield waiting.pop(order[position])
            position += 1
    yield from sorted(waiting.values(), key=lambda s: list_order(s.indicator))


@dataclass
class TableroCard:
    objective: StrategicObjective
    counts: dict[progress.Light, int]
    rows: list[IndicatorYearStatus]  # the worst CARD_ROWS statuses, red first
    more: int
    coverage: progress.Coverage = progress.Coverage(0, 0)


@dataclass
class TableroSummary:
    cards: list[TableroCard]
    coverage: progress.Coverage  # of every status counted, with or without an objective


def tablero_cards(*, statuses: QuerySet[IndicatorYearStatus]) -> list[TableroCard]:
    return tablero_summary(rows=tablero_rows(statuses=statuses)).cards


def tablero_summary(*, rows: list[IndicatorYearStatus]) -> TableroSummary:
    """Per objective: counts by light, how many have a validated value, and its worst few
    indicators (red first, then list order); and the coverage of all the rows. Counted from
    the table's rows in list order (tablero_rows), which the page reads whole anyway: one
    query (the objectives) whatever the number of indicators."""
    objectives = list(StrategicObjective.objects.filter(plan=plans.shown_plan()))
    counts: dict[int, dict[progress.Light, int]] = {
        o.pk: {light: 0 for light in progress.Light} for o in objectives
    }
    validated: dict[int, int] = {o.pk: 0 for o in objectives}
    ranked: dict[int, list[IndicatorYearStatus]] = {o.pk: [] for o in objectives}
    lights = {light.value: light for light in progress.Light}
    overall_validated = 0
    for row in rows:
        has_value = row.value is not None
        overall_validated += has_value
        # Indicators of no objective (variable and national ones) count in the overall
        # coverage only.
        objective_id = row.indicator.objective_id
        if objective_id in counts:
            counts[objective_id][lights[row.light]] += 1
            validated[objective_id] += has_value
            ranked[objective_id].append(row)
    cards = []
    for o in objectives:
        total = sum(counts[o.pk].values())
        # A stable sort: rows of one light stay in list order.
        worst = sorted(ranked[o.pk], key=lambda s: s.light_rank)[:CARD_ROWS]
        cards.append(
            TableroCard(
                objective=o,
                counts=counts[o.pk],
                rows=worst,
                more=total - len(worst),
                coverage=progress.Coverage(validated[o.pk], total),
            )
        )
    return TableroSummary(cards, progress.Coverage(overall_validated, len(rows)))


def target_revisions(indicator: Indicator) -> list[TargetRevision]:
    """The indicator's target revisions, oldest first, with who proposed and decided them and
    the resolution (one query)."""
    return list(
        TargetRevision.objects.filter(indicator=indicator)
        .select_related("resolution", "proposed_by", "decided_by")
        .order_by("year", "proposed_at", "id")
    )


def validated_semesters(indicator_ids: Iterable[int], year: int) -> dict[int, list[Decimal | None]]:
    """Each indicator's validated semesters of the year, [S1, S2] (None where a semester is
    not validated); indicators without any are left out. One query."""
    found: dict[int, list[Decimal | None]] = {}
    for indicator_id, half, value in SemesterValue.objects.filter(
        indicator__in=list(indicator_ids), year=year, state=WorkflowState.VALIDATED
    ).values_list("indicator_id", "semester", "value"):
        found.setdefault(indicator_id, [None, None])[half - 1] = value
    return found
