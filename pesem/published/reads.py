"""The public read layer: what the public portal (/publico/), its open-data downloads and the
anonymous read API show. Validated data only, ever.

What leaves through here:

- the plan's structure: vision, objectives, actions with their responsible directorates;
- each indicator's ficha técnica, its baselines and targets with their source table, its
  VALIDATED values, and per year the stored status (indicators.workflow.status: value, target,
  achievement, light, trajectory), computed from validated values only;
- validated action reports (situation and percent);
- narrative fields only where PortalSettings publishes them (analysis, measures, a value's
  note, a report's «qué se hizo").

What never does: draft, submitted or returned values (nor the stored status's `preliminary`
copy of a submitted one), evidence links and files, user names, workflow dates and reasons,
history, warnings and justifications, targets' internal reasons, and the stored statuses'
`flags` (computed over every value, drafts included): the data-quality findings shown here are
recomputed from validated values only.

Which rows and fields are public is decided in pesem.published.scope, which the read API uses
too. The guarantee is structural: the functions below read only the public fields (`only()`), and
return frozen dataclasses of plain values, never model instances, so a template or a
serializer cannot reach a field that was not chosen here. Every function runs a fixed number
of queries whatever the plan's size.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from indicators import charts, progress, selectors, services
from indicators.models import (
    Indicator,
    IndicatorValue,
    IndicatorYearStatus,
    Target,
    TargetRevision,
)
from indicators.selectors import IndicatorFacts
from objectives import plans
from objectives.models import (
    ActionResponsible,
    Directorate,
    Plan,
    StrategicAction,
    StrategicObjective,
    responsibles_prefetch,
)
from objectives.ordering import indicator_key
from pesem.cache import data as datacache
from pesem.models import PortalSettings
from pesem.published.scope import (
    Narrative,
    narrative,
    public_target_note,
    validated_reports,
    validated_values,
)

# Bump when what the portal shows changes without the data changing (a new column, a new
# page layout), so browsers and proxies holding an ETag fetch again.
FORMAT_VERSION = (
    "3"  # 2: published order of indicators and responsibles; last update; 3: year_inferred
)
# A report by a directorate no longer listed for its action sorts after the listed ones.
UNLISTED_POSITION = 32767

# The only fields of a value ever read for the public (narrative fields are added when
# PortalSettings publishes them). `state` is read to be sure: the query filters on it too.
VALUE_FIELDS = (
    "id",
    "indicator_id",
    "year",
    "numerator",
    "denominator",
    "value",
    "state",
    "source",
    "published_text",
)
STATUS_FIELDS = (
    "id",
    "indicator_id",
    "year",
    "value",
    "latest_year",
    "latest_value",
    "target",
    "target_interpolated",
    "achievement",
    "achievement_note",
    "light",
    "trajectory",
)
REPORT_FIELDS = (
    "id",
    "action_id",
    "directorate_id",
    "year",
    "execution",
    "percent",
    "state",
    "action__code",
    "action__order",
    "action__objective__number",
    "directorate__code",
)


# --- rows ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicTarget:
    kind: str  # "baseline" | "target"
    kind_label: str
    year: int | None
    value: Decimal
    published: str  # as printed in the document
    source: str  # the table it came from, or the planning office
    note: str  # the document reading's note; never the planning office's internal reason
    year_inferred: bool = False  # dated by the system: shown "año inferido"


@dataclass(frozen=True)
class PublicValue:
    """A validated value of a year. Narrative fields are "" unless published."""

    year: int
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    source: str
    published: str
    note: str = ""
    analysis: str = ""
    measures: str = ""


@dataclass(frozen=True)
class PublicStatus:
    """The stored status of an indicator in a year (validated values only)."""

    year: int
    value: Decimal | None
    target: Decimal | None
    target_interpolated: bool
    achievement: Decimal | None
    achievement_note: str
    light: str
    trajectory: str
    latest_year: int | None
    latest_value: Decimal | None

    @property
    def light_label(self) -> str:
        return progress.LIGHT_LABELS[progress.Light(self.light)]

    @property
    def trajectory_label(self) -> str:
        return progress.TRAJECTORY_LABELS[progress.TrajectoryStatus(self.trajectory)]


@dataclass(frozen=True)
class PublicIndicator:
    code: str
    alias: str
    name: str
    level: str
    level_label: str
    objective: int | None
    variable_code: str
    variable_name: str
    national_objective: str
    articulated_objectives: tuple[int, ...]
    definition: str
    numerator: str
    denominator: str
    numerator_definition: str
    denominator_definition: str
    is_ratio: bool
    decimals: int  # display precision (lib.numbers.format_for)
    scale: Decimal
    unit: str
    direction: str
    direction_label: str
    direction_published: bool
    responsible: str
    responsible_name: str
    responsible_published: bool
    data_source: str
    status_note: str
    current_value: Decimal | None
    current_value_published: str
    current_value_source: str
    baseline: PublicTarget | None  # the one computations use (PESEM_TARGET_SOURCE_PRIORITY)
    targets: tuple[PublicTarget, ...]  # baselines and targets of every source
    values: tuple[PublicValue, ...]
    statuses: tuple[PublicStatus, ...]  # one per year, oldest first
    flags: tuple[str, ...]  # data-quality findings over the validated data
    final_year: int | None
    # The facts the chart is drawn from (validated values only); the leading underscore keeps
    # templates away from it (Django templates refuse such names).
    _facts: IndicatorFacts = field(repr=False, compare=False)

    def status(self, year: int) -> PublicStatus | None:
        return next((s for s in self.statuses if s.year == year), None)

    @property
    def latest(self) -> PublicStatus | None:
        """The status as of the latest validated year (the indicator "now"), or None."""
        years = [v.year for v in self.values if v.value is not None]
        return self.status(max(years)) if years else None

    @property
    def series(self) -> list[tuple[PublicStatus, PublicValue | None]]:
        """Every year with a status, oldest first, with its validated value (or None)."""
        values = {v.year: v for v in self.values}
        return [(s, values.get(s.year)) for s in self.statuses]

    @property
    def official_targets(self) -> tuple[PublicTarget, ...]:
        return tuple(t for t in self.targets if t.kind == Target.Kind.TARGET)

    @property
    def baselines(self) -> tuple[PublicTarget, ...]:
        return tuple(t for t in self.targets if t.kind == Target.Kind.BASELINE)


@dataclass(frozen=True)
class PublicReport:
    """A validated report on a strategic action."""

    action: str
    objective: int
    directorate: str
    year: int
    execution: str
    execution_label: str
    percent: Decimal
    description: str = ""  # only when published


@dataclass(frozen=True)
class PublicResponsible:
    code: str
    name: str


@dataclass(frozen=True)
class PublicAction:
    code: str
    objective: int
    order: int
    parent: str | None
    name: str
    description: str
    importance: int | None
    importance_label: str
    responsibles: tuple[PublicResponsible, ...]
    sub_actions: tuple[PublicAction, ...] = ()


@dataclass(frozen=True)
class PublicObjective:
    number: int
    name: str
    description: str
    actions: tuple[PublicAction, ...]

    @property
    def code(self) -> str:
        return f"OE{self.number}"


@dataclass(frozen=True)
class PublicPlan:
    name: str
    short_name: str
    sector: str
    start_year: int
    end_year: int
    vision: str
    desired_scenario: str


@dataclass(frozen=True)
class PublicYears:
    years: range  # years with statuses: the first year with data to the plan's end
    plan_years: range  # the plan's horizon: the years a page may show
    choice: progress.YearChoice  # the latest plan year with a validated value, and why

    @property
    def default(self) -> int:
        return self.choice.year


# --- the data's version (ETags) -----------------------------------------------------------


def shape() -> tuple[object, ...]:
    """What, besides the data, decides what the portal shows: FORMAT_VERSION and the
    settings read at start-up (light thresholds, jump factor, target source priority)."""
    return (
        FORMAT_VERSION,
        settings.PESEM_LIGHT_GREEN,
        settings.PESEM_LIGHT_YELLOW,
        settings.PESEM_JUMP_FACTOR,
        tuple(settings.PESEM_TARGET_SOURCE_PRIORITY),
    )


def data_version(official: int | None = None) -> str:
    """The portal's ETag (one query, none when `official` is given): pesem.cache.data's
    official data version, which every committed write to the plan's data moves (any door:
    pages, services, imports, admin, load_plan, refresh_statuses) except a draft saved, which
    the portal never shows; hashed with `shape()`. Equal across processes; read it before
    the data, as datacache says."""
    if official is None:
        official = datacache.current().official
    return hashlib.sha256(repr((shape(), official)).encode()).hexdigest()[:32]


# --- years and plan -----------------------------------------------------------------------


def public_years(asked: object = None) -> PublicYears | None:
    """The years the portal offers and the default one (three queries): the latest plan
    year with a validated value, else the plan's first (progress.default_year); `asked` is
    the ?anio= named, recorded when outside the horizon. None without a plan."""
    plan_years = services.plan_years()
    if not plan_years:
        return None
    years = selectors.dashboard_years(years=plan_years)
    choice = selectors.default_year_choice(horizon=plan_years, validated_only=True, asked=asked)
    return PublicYears(years, plan_years, choice)


@dataclass(frozen=True)
class PortalFooter:
    """What every portal page says at its foot: when the data last changed (the latest
    validation of a value or an action report), whom to ask, and the plan's document."""

    last_update: datetime | None
    contact_name: str
    contact_email: str
    plan_document_url: str


def portal_footer() -> PortalFooter:
    """Three queries: the portal's settings, the latest validations (one query through the
    plan's row) and, while no contact is set, the planning offices (the document names two:
    DEE and OPP)."""
    chosen = PortalSettings.current()
    latest_value = (
        validated_values()
        .filter(validated_at__isnull=False)
        .order_by("-validated_at")
        .values("validated_at")[:1]
    )
    latest_report = (
        validated_reports()
        .filter(validated_at__isnull=False)
        .order_by("-validated_at")
        .values("validated_at")[:1]
    )
    row = (
        Plan.objects.annotate(
            last_value=Subquery(latest_value), last_report=Subquery(latest_report)
        )
        .values("last_value", "last_report")
        .first()
    ) or {}
    times = [t for t in (row.get("last_value"), row.get("last_report")) if t is not None]
    contact = chosen.contact_name
    if not contact:
        offices = Directorate.objects.filter(
            entity=plans.shown_entity(), is_planning_office=True
        ).order_by("code")
        contact = " y ".join(
            f"{name} ({code})" if name else code
            for code, name in offices.values_list("code", "name")
        )
    return PortalFooter(
        last_update=max(times) if times else None,
        contact_name=contact or "la oficina de planeamiento",
        contact_email=chosen.contact_email,
        plan_document_url=chosen.plan_document_url,
    )


def public_plan() -> PublicPlan | None:
    plan = Plan.objects.filter(code=plans.shown_code()).first()
    if plan is None:
        return None
    return PublicPlan(
        name=plan.name,
        short_name=plan.short_name,
        sector=plan.sector,
        start_year=plan.start_year,
        end_year=plan.end_year,
        vision=plan.vision,
        desired_scenario=plan.desired_scenario,
    )


def _action(a: StrategicAction, subs: Iterable[PublicAction] = ()) -> PublicAction:
    return PublicAction(
        code=a.code,
        objective=a.objective.number,
        order=a.order,
        parent=a.parent.code if a.parent_id and a.parent else None,
        name=a.name,
        description=a.description,
        importance=a.importance,
        importance_label=a.get_importance_display() if a.importance else "",
        responsibles=tuple(PublicResponsible(d.code, d.name) for d in a.responsibles.all()),
        sub_actions=tuple(subs),
    )


def public_objectives(*, number: int | None = None) -> list[PublicObjective]:
    """Objectives in order with their actions in published order (sub-actions under their
    action) and responsibles: three queries."""
    objectives = StrategicObjective.objects.filter(plan=plans.shown_plan()).order_by("number")
    actions = (
        StrategicAction.objects.filter(plan=plans.shown_plan())
        .select_related("objective", "parent")
        .prefetch_related(responsibles_prefetch())  # Cuadro 6's order: the first may lead
        .order_by("objective__number", "order", "code")
    )
    if number is not None:
        objectives = objectives.filter(number=number)
        actions = actions.filter(objective__number=number)
    actions_list = list(actions)
    subs: dict[int, list[PublicAction]] = {}
    for a in actions_list:
        if a.parent_id is not None:
            subs.setdefault(a.parent_id, []).append(_action(a))
    by_objective: dict[int, list[PublicAction]] = {}
    for a in actions_list:
        if a.parent_id is None:
            by_objective.setdefault(a.objective_id, []).append(_action(a, subs.get(a.pk, [])))
    return [
        PublicObjective(o.number, o.name, o.description, tuple(by_objective.get(o.pk, [])))
        for o in objectives
    ]


def flatten_actions(objectives: Iterable[PublicObjective]) -> list[PublicAction]:
    """Every action and sub-action, each action followed by its sub-actions."""
    return [x for o in objectives for a in o.actions for x in (a, *a.sub_actions)]


# --- indicators ---------------------------------------------------------------------------


def _indicator_queryset(published: Narrative) -> QuerySet[Indicator]:
    fields = list(VALUE_FIELDS)
    if published.value_note:
        fields.append("note")
    if published.analysis:
        fields.append("analysis")
    if published.measures:
        fields.append("measures")
    values = validated_values().only(*fields).order_by("year")
    return (
        selectors.indicator_queryset(values=values)
        .prefetch_related(
            Prefetch(
                "target_revisions",
                queryset=TargetRevision.objects.filter(
                    state=TargetRevision.State.APPROVED, resolution__isnull=False
                )
                .select_related("resolution")
                .order_by("decided_at", "id"),
                to_attr="approved_revisions",
            ),
        )
        .order_by("level", "order", "code")
    )


def _target(t: Target, revisions: dict[int | None, TargetRevision] | None = None) -> PublicTarget:
    return PublicTarget(
        kind=t.kind,
        kind_label=t.get_kind_display(),
        year=t.year,
        value=t.value,
        published=t.published_text,
        source=t.source,
        note=public_target_note(t, (revisions or {}).get(t.year)),
        year_inferred=t.year_inferred,
    )


def _last_revisions(indicator: Indicator) -> dict[int | None, TargetRevision]:
    """The last approved revision with a resolution of each year (prefetched as
    `approved_revisions` by the portal's queryset; none elsewhere)."""
    return {r.year: r for r in getattr(indicator, "approved_revisions", [])}


def _baseline(targets: list[Target]) -> PublicTarget | None:
    """The baseline of the preferred source (as export_plan chooses it)."""
    rank = {s: i for i, s in enumerate(settings.PESEM_TARGET_SOURCE_PRIORITY)}
    baselines = sorted(
        (t for t in targets if t.kind == Target.Kind.BASELINE),
        key=lambda t: rank.get(t.source, len(rank)),
    )
    return _target(baselines[0]) if baselines else None


def _value(v: IndicatorValue, published: Narrative) -> PublicValue:
    return PublicValue(
        year=v.year,
        value=v.value,
        numerator=v.numerator,
        denominator=v.denominator,
        source=v.source,
        published=v.published_text,
        # Read only when published: otherwise the field was not even loaded.
        note=v.note if published.value_note else "",
        analysis=v.analysis if published.analysis else "",
        measures=v.measures if published.measures else "",
    )


def _status(s: IndicatorYearStatus) -> PublicStatus:
    return PublicStatus(
        year=s.year,
        value=s.value,
        target=s.target,
        target_interpolated=s.target_interpolated if s.target is not None else False,
        achievement=s.achievement,
        achievement_note=s.achievement_note,
        light=s.light,
        trajectory=s.trajectory,
        latest_year=s.latest_year,
        latest_value=s.latest_value,
    )


def _public_indicator(
    facts: IndicatorFacts, statuses: list[PublicStatus], published: Narrative
) -> PublicIndicator:
    i = facts.indicator
    kind_order: dict[str, int] = {Target.Kind.BASELINE: 0, Target.Kind.TARGET: 1}
    targets = sorted(facts.targets, key=lambda t: (kind_order[t.kind], t.year or 0, t.source))
    return PublicIndicator(
        code=i.code,
        alias=i.alias,
        name=i.name,
        level=i.level,
        level_label=i.get_level_display(),
        objective=i.objective.number if i.objective else None,
        variable_code=i.variable.code if i.variable else "",
        variable_name=i.variable.name if i.variable else "",
        national_objective=i.national_objective.name if i.national_objective else "",
        articulated_objectives=tuple(sorted(o.number for o in i.articulated_objectives.all())),
        definition=i.definition,
        numerator=i.numerator,
        denominator=i.denominator,
        numerator_definition=i.numerator_definition,
        denominator_definition=i.denominator_definition,
        is_ratio=i.is_ratio,
        decimals=i.decimals,
        scale=i.scale,
        unit=i.unit,
        direction=i.direction,
        direction_label=i.get_direction_display(),
        direction_published=i.direction_published,
        responsible=i.responsible.code if i.responsible else "",
        responsible_name=i.responsible.name if i.responsible else "",
        responsible_published=i.responsible_published,
        data_source=i.data_source,
        status_note=i.status_note,
        current_value=i.current_value,
        current_value_published=i.current_value_published,
        current_value_source=i.current_value_source,
        baseline=_baseline(facts.targets),
        targets=tuple(_target(t, _last_revisions(i)) for t in targets),
        values=tuple(_value(v, published) for v in facts.values),
        statuses=tuple(statuses),
        # Built by indicators.selectors from these facts, whose values are the validated ones
        # only: jumps and ranges never mention an unvalidated number.
        flags=tuple(facts.flags),
        final_year=facts.final_year,
        _facts=facts,
    )


def public_indicators(
    *,
    objective: int | None = None,
    code: str | None = None,
    published: Narrative | None = None,
) -> list[PublicIndicator]:
    """Indicators (all, an objective's, or one by code) with ficha, targets, validated values
    and stored statuses per year: six queries (indicators, values, targets, flags,
    articulated objectives, statuses), plus one for the narrative choice when not given."""
    published = published if published is not None else narrative()
    qs = _indicator_queryset(published)
    if objective is not None:
        qs = qs.filter(objective__number=objective).order_by("order", "code")
    if code is not None:
        qs = qs.filter(code=code)
    facts = selectors.indicator_facts_list(queryset=qs)
    statuses: dict[int, list[PublicStatus]] = {}
    status_qs = (
        IndicatorYearStatus.objects.filter(indicator__plan=plans.shown_plan())
        .only(*STATUS_FIELDS)
        .order_by("indicator_id", "year")
    )
    if objective is not None:
        status_qs = status_qs.filter(indicator__objective__number=objective)
    if code is not None:
        status_qs = status_qs.filter(indicator__code=code)
    for s in status_qs:
        statuses.setdefault(s.indicator_id, []).append(_status(s))
    # The published order (Cuadro 5's OE2.1, OE2.2, OE2.3; then variables, then national),
    # not Anexo 2's `order` (OE2.2 = V3.1 before OE2.1 = V14.1).
    facts.sort(key=lambda f: selectors.list_order(f.indicator))
    return [_public_indicator(f, statuses.get(f.indicator.pk, []), published) for f in facts]


def public_indicator(*, code: str, published: Narrative | None = None) -> PublicIndicator | None:
    found = public_indicators(code=code, published=published)
    return found[0] if found else None


@dataclass(frozen=True)
class IndicatorEntry:
    code: str
    name: str
    objective: int | None


def public_indicator_index() -> list[IndicatorEntry]:
    """Every indicator's code and name, in the published order (objectives.ordering: OE2.1,
    OE2.2, OE2.3 as Cuadro 5; then variables, then national): one query."""
    rows = (
        Indicator.objects.filter(plan=plans.shown_plan())
        .order_by()
        .values_list("level", "code", "name", "objective__number")
    )
    return [
        IndicatorEntry(code, name, number)
        for _, code, name, number in sorted(rows, key=lambda r: indicator_key(r[0], r[1]))
    ]


def indicator_chart(
    indicator: PublicIndicator, *, years: range, height: int = 380
) -> dict[str, Any]:
    """The chart of the internal pages (indicators.charts.indicator_figure), drawn from the
    validated facts: validated series, baseline, official targets by source, interpolated
    milestones and the projection; no preliminary value exists in these facts."""
    return charts.indicator_figure(indicator._facts, years=years, height=height)


# --- action reports -----------------------------------------------------------------------


def public_reports(
    *,
    objective: int | None = None,
    year: int | None = None,
    published: Narrative | None = None,
) -> list[PublicReport]:
    """Validated action reports, by objective, action order, the action's directorates as
    Cuadro 6 lists them, and year: one query (plus the narrative choice when not given)."""
    published = published if published is not None else narrative()
    fields = list(REPORT_FIELDS)
    if published.report_description:
        fields.append("description")
    qs = (
        validated_reports()
        .select_related("action__objective", "directorate")
        .only(*fields)
        .annotate(
            responsible_position=Coalesce(
                Subquery(
                    ActionResponsible.objects.filter(
                        strategicaction=OuterRef("action"), directorate=OuterRef("directorate")
                    ).values("position")[:1]
                ),
                Value(UNLISTED_POSITION),
            )
        )
        .order_by(
            "action__objective__number",
            "action__order",
            "action__code",
            "responsible_position",
            "directorate__code",
            "year",
        )
    )
    if objective is not None:
        qs = qs.filter(action__objective__number=objective)
    if year is not None:
        qs = qs.filter(year=year)
    return [
        PublicReport(
            action=r.action.code,
            objective=r.action.objective.number,
            directorate=r.directorate.code,
            year=r.year,
            execution=r.execution,
            execution_label=r.get_execution_display(),
            percent=r.percent,
            description=r.description if published.report_description else "",
        )
        for r in qs
    ]


# --- pages --------------------------------------------------------------------------------


def light_counts(*, year: int) -> dict[int, dict[str, int]]:
    """Per objective number: how many of its indicators are green, yellow, red or grey in
    `year`, from the stored statuses (one query). Every objective and light is present."""
    counts: dict[int, dict[str, int]] = {
        n: {light.value: 0 for light in progress.Light}
        for n in StrategicObjective.objects.filter(plan=plans.shown_plan()).values_list(
            "number", flat=True
        )
    }
    for row in (
        IndicatorYearStatus.objects.filter(
            year=year, indicator__plan=plans.shown_plan(), indicator__objective__isnull=False
        )
        .order_by()
        .values("indicator__objective__number", "light")
        .annotate(n=Count("id"))
    ):
        counts.setdefault(row["indicator__objective__number"], {})[row["light"]] = row["n"]
    return counts


LIGHTS = (progress.Light.GREEN, progress.Light.YELLOW, progress.Light.RED, progress.Light.GREY)


@dataclass(frozen=True)
class ObjectiveCard:
    objective: PublicObjective
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def count_list(self) -> list[tuple[str, str, int]]:
        """(light, its Spanish label, how many), green first."""
        return [(x.value, progress.LIGHT_LABELS[x], self.counts.get(x.value, 0)) for x in LIGHTS]


@dataclass(frozen=True)
class PublicHome:
    plan: PublicPlan | None
    year: int
    cards: list[ObjectiveCard]
    counts: dict[str, int]  # the whole plan's objective indicators
    thresholds: progress.Thresholds  # lower bounds of green and yellow, percent


def public_home(*, year: int) -> PublicHome:
    """The plan, its vision and every objective with its light counts in `year`: five
    queries (plan, objectives, actions, responsibles, counts)."""
    objectives = public_objectives()
    counts = light_counts(year=year)
    empty = {light.value: 0 for light in progress.Light}
    cards = [ObjectiveCard(o, counts.get(o.number, dict(empty))) for o in objectives]
    totals = {light: sum(c.counts.get(light, 0) for c in cards) for light in empty}
    return PublicHome(public_plan(), year, cards, totals, selectors.thresholds())


@dataclass(frozen=True)
class ResponsibleReport:
    responsible: PublicResponsible
    report: PublicReport | None  # the latest validated one


@dataclass(frozen=True)
class ActionRow:
    action: PublicAction
    responsibles: list[ResponsibleReport]


@dataclass(frozen=True)
class PublicObjectivePage:
    objective: PublicObjective
    year: int
    indicators: list[PublicIndicator]
    rows: list[tuple[PublicIndicator, PublicStatus | None]]  # each indicator's status in `year`
    actions: list[ActionRow]
    published: Narrative


def public_objective_page(*, number: int, year: int) -> PublicObjectivePage | None:
    """An objective, its indicators with their status in `year`, and its actions with each
    responsible's latest validated report: eleven queries whatever the number of indicators
    or actions (narrative; objective, actions, responsibles; six indicator reads; reports)."""
    published = narrative()
    found = public_objectives(number=number)
    if not found:
        return None
    objective = found[0]
    indicators = public_indicators(objective=number, published=published)
    latest: dict[tuple[str, str], PublicReport] = {}
    for r in public_reports(objective=number, published=published):  # oldest year first
        latest[(r.action, r.directorate)] = r
    actions = [
        ActionRow(a, [ResponsibleReport(d, latest.get((a.code, d.code))) for d in a.responsibles])
        for a in objective.actions
    ]
    return PublicObjectivePage(
        objective=objective,
        year=year,
        indicators=indicators,
        rows=[(i, i.status(year)) for i in indicators],
        actions=actions,
        published=published,
    )


# --- everything, for the downloads --------------------------------------------------------


@dataclass(frozen=True)
class PublicDataset:
    plan: PublicPlan | None
    objectives: list[PublicObjective]
    indicators: list[PublicIndicator]
    reports: list[PublicReport]
    published: Narrative
    directorates: list[PublicResponsible]

    @property
    def actions(self) -> list[PublicAction]:
        return flatten_actions(self.objectives)


def public_dataset() -> PublicDataset:
    """The whole public plan for the open-data downloads: thirteen queries whatever the
    plan's size (narrative; plan; objectives, actions, responsibles; six indicator reads;
    reports; directorates)."""
    published = narrative()
    return PublicDataset(
        plan=public_plan(),
        objectives=public_objectives(),
        indicators=public_indicators(published=published),
        reports=public_reports(published=published),
        published=published,
        directorates=[
            PublicResponsible(d.code, d.name)
            for d in Directorate.objects.filter(entity=plans.shown_entity()).order_by("code")
        ],
    )
