"""Reads of the read API (pesem/api/routes.py): who sees what, and the plain rows each endpoint
returns, in a fixed number of queries.

Who sees what (README, "API de lectura"), by the rule of indicators/access.py that the
pages apply too, and for the public by pesem.published.scope, the portal's rule:
- the public (anonymous, only while PESEM_PUBLIC_PORTAL is on): validated values and reports,
  the narrative fields the planning office published (PortalSettings), no user names, no
  evidence, no preliminary value, no internal reason of a target; an indicator's page and
  its data-quality flags come from the public layer (pesem/published/reads.py), computed from
  validated values only;
- any signed-in user: validated items and submitted ones (`preliminary: true`);
- drafts (returned ones included) and the evidence of any item: validators, administrators
  (and superusers) of every directorate; registrars and director users of their own.

The plan's structure (plan, objectives, actions) is the same for everyone and is read through
the public layer. Lists return querysets, or short lists, that the endpoint counts and slices
for a page; a `*_row` function per kind turns one object into the dict the schema
describes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Case, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Length
from django.urls import reverse

from indicators import access, progress, selectors
from indicators.models import (
    ActionReport,
    Indicator,
    IndicatorValue,
    IndicatorYearStatus,
    SemesterValue,
    Target,
    TargetRevision,
    WorkflowItem,
    WorkflowState,
)
from indicators.services import PLANNING_OFFICE_SOURCE
from objectives import plans
from objectives.models import (
    Directorate,
    Plan,
    PlanVersion,
    StrategicAction,
    StrategicObjective,
)
from objectives.ordering import LEVEL_ORDER, natural_key
from objectives.plans import current_version
from pesem.published import reads as public
from pesem.published import scope


@dataclass(frozen=True)
class Audience:
    """What one caller may read (access.can_see_item and can_see_evidence, taken once per
    request). `narrative` (what PortalSettings publishes) is read for the public only."""

    is_public: bool
    sees_all: bool = False  # every directorate's drafts (validators, administrators)
    directorate_id: int | None = None  # the one whose drafts a registrar or director reads
    narrative: scope.Narrative | None = None

    def sees_drafts_of(self, directorate_id: int | None) -> bool:
        """Drafts, returned items and the evidence of any item, of that directorate."""
        if self.is_public:
            return False
        if self.sees_all:
            return True
        return self.directorate_id is not None and directorate_id == self.directorate_id

    def visible(self, directorate_field: str) -> Q:
        """The workflow items this audience may read, their directorate reached through
        `directorate_field`."""
        if self.is_public:
            return scope.public_items()
        if self.sees_all:
            return Q()
        sent = Q(state__in=[WorkflowState.VALIDATED, WorkflowState.SUBMITTED])
        if self.directorate_id is None:
            return sent
        return sent | Q(**{directorate_field: self.directorate_id})

    def published(self, field: str) -> bool:
        """A narrative field (a scope.Narrative attribute) is shown: always to signed-in
        callers, to the public when the office chose so."""
        if not self.is_public:
            return True
        return bool(self.narrative and getattr(self.narrative, field))


def audience_for(user: AbstractBaseUser | AnonymousUser | None) -> Audience:
    """The public for nobody; otherwise the rule of indicators/access.py (one or two
    queries)."""
    if user is None or not user.is_authenticated:
        return Audience(is_public=True, narrative=scope.narrative())
    sees_all = access.sees_all_drafts(user)
    own = None if sees_all else access.drafts_directorate_id(user)
    return Audience(is_public=False, sees_all=sees_all, directorate_id=own)


# --- shared filters -----------------------------------------------------------------------


def indicator_filter(
    prefix: str = "",
    *,
    indicator: str | None = None,
    objective: int | None = None,
    directorate: str | None = None,
    level: str | None = None,
    plan: Plan | None = None,
) -> Q:
    """The tablero's filters (objective, responsible directorate, level) plus one indicator
    by code or alias, on Indicator or on a model reaching it through `prefix`; always within
    one plan (`plan`, by default the one the pages show)."""
    q = Q(**{f"{prefix}plan": plan if plan is not None else plans.shown_plan()})
    if indicator:
        q &= Q(**{f"{prefix}code": indicator}) | Q(**{f"{prefix}alias": indicator})
    if objective is not None:
        q &= Q(**{f"{prefix}objective__number": objective})
    if directorate:
        q &= Q(**{f"{prefix}responsible__code": directorate})
    if level:
        q &= Q(**{f"{prefix}level": level})
    return q


def state_filter(state: str | None) -> Q:
    """ "returned" is a draft sent back with a reason; "draft" is one without."""
    if state == "returned":
        return Q(state=WorkflowState.DRAFT) & ~Q(return_reason="")
    if state == WorkflowState.DRAFT:
        return Q(state=WorkflowState.DRAFT, return_reason="")
    if state:
        return Q(state=state)
    return Q()


def _state(item: WorkflowItem) -> str:
    if item.state == WorkflowState.DRAFT and item.return_reason:
        return "returned"
    return str(item.state)


def _username(user: AbstractBaseUser | None) -> str | None:
    return user.get_username() if user is not None else None


def _workflow(audience: Audience, item: WorkflowItem) -> dict[str, Any]:
    """Who moved the item and why it came back: never for the public."""
    if audience.is_public:
        return {}
    return {
        "return_reason": item.return_reason,
        "submitted_by": _username(item.submitted_by),
        "submitted_at": item.submitted_at,
        "validated_by": _username(item.validated_by),
        "validated_at": item.validated_at,
    }


# --- plan and structure (the same for everyone: the public layer) -------------------------


def plan_row() -> dict[str, Any] | None:
    plan = public.public_plan()
    if plan is None:
        return None
    return {
        "name": plan.name,
        "short_name": plan.short_name,
        "sector": plan.sector,
        "period": {"start": plan.start_year, "end": plan.end_year},
        "vision": plan.vision,
        "desired_scenario": plan.desired_scenario,
    }


def plan_list(*, public: bool = False) -> QuerySet[Plan]:
    """Every plan with its entity and versions (three queries per page). The public reads the
    approved versions only (vigente, finalizado, reemplazado), and no plan without one (a
    nuevo plan proposed in the browser waits for its second person)."""
    versions = PlanVersion.objects.select_related("resolution").order_by(
        "horizon_start", "created_at", "id"
    )
    found = Plan.objects.all()
    if public:
        versions = versions.filter(state__in=plans.APPROVED)
        found = found.filter(
            pk__in=PlanVersion.objects.filter(state__in=plans.APPROVED).values("plan")
        )
    return (
        found.select_related("entity__sector")
        .prefetch_related(Prefetch("versions", queryset=versions))
        .order_by("code")
    )


def plan_summary_row(plan: Plan) -> dict[str, Any]:
    version = current_version(plan)
    return {
        "code": plan.code,
        "type": plan.plan_type,
        "name": version.name if version is not None else plan.name,
        "entity": {
            "code": plan.entity.code,
            "name": plan.entity.name,
            "kind": plan.entity.kind,
            "sector": plan.entity.sector.code if plan.entity.sector else None,
        },
        "frequency": plan.frequency,
    }


def plan_detail(code: str, *, public: bool = False) -> dict[str, Any] | None:
    """A plan with its versions, oldest first; a resolution the document does not cite is
    null with `resolution_known` false."""
    plan = plan_list(public=public).filter(code=code).first()
    if plan is None:
        return None
    current = current_version(plan)
    return {
        **plan_summary_row(plan),
        "versions": [
            {
                "id": v.pk,
                "kind": v.kind,
                "state": v.state,
                "name": v.name,
                "horizon_start": v.horizon_start,
                "horizon_end": v.horizon_end,
                "current": v == current,
                "resolution_known": v.resolution is not None and v.resolution.known,
                "resolution": _resolution_row(v.resolution),
            }
            for v in plan.versions.all()
        ],
    }


def plan_articulation(plan: Plan) -> list[dict[str, Any]]:
    """A plan's articulation links: a PEI's, to its upper plan's elements; a PESEM's, those of
    the plans that articulate into it. Objectives first, then actions, by plan and code (two
    queries)."""
    objectives = StrategicObjective.upper_objectives.through.objects.filter(
        Q(from_strategicobjective__plan=plan) | Q(to_strategicobjective__plan=plan)
    ).values_list(
        "from_strategicobjective__plan__code",
        "from_strategicobjective__code",
        "to_strategicobjective__plan__code",
        "to_strategicobjective__code",
    )
    actions = StrategicAction.upper_actions.through.objects.filter(
        Q(from_strategicaction__plan=plan) | Q(to_strategicaction__plan=plan)
    ).values_list(
        "from_strategicaction__plan__code",
        "from_strategicaction__code",
        "to_strategicaction__plan__code",
        "to_strategicaction__code",
    )
    return [
        {
            "element_type": kind,
            "plan": lower_plan,
            "element": element,
            "upper_plan": upper_plan,
            "upper_element": upper,
        }
        for kind, links in (("objetivo", objectives), ("accion", actions))
        for lower_plan, element, upper_plan, upper in sorted(
            links, key=lambda link: (link[0], natural_key(link[1]), natural_key(link[3]))
        )
    ]


def _resolution_row(resolution: Any) -> dict[str, Any] | None:
    if resolution is None or not resolution.known:
        return None
    return {
        "type": resolution.resolution_type,
        "number": resolution.number,
        "date": resolution.date,
        "issuer": resolution.issuer,
        "ceplan_oficio": resolution.ceplan_oficio,
    }


def plan_version(plan: Plan, version_id: int | None) -> PlanVersion | None:
    """The version asked for, or the one the pages show (the vigente, else the latest)."""
    if version_id is None:
        return current_version(plan)
    return plan.versions.filter(pk=version_id).first()


def plan_indicators(plan: Plan) -> QuerySet[Indicator]:
    """The plan's indicators with their published targets and approved revisions (three
    queries per page). Today one plan holds every indicator (its objectives', its variables'
    and the national ones it articulates to); a plan with no objective has none yet."""
    qs = Indicator.objects.filter(plan=plan)
    return qs.order_by("code").prefetch_related(
        Prefetch("targets", queryset=Target.objects.filter(kind=Target.Kind.TARGET)),
        Prefetch(
            "target_revisions",
            queryset=TargetRevision.objects.filter(state=TargetRevision.State.APPROVED)
            .select_related("resolution", "version")
            .order_by("decided_at", "id"),
        ),
    )


def plan_indicator_row(version: PlanVersion | None, indicator: Indicator) -> dict[str, Any]:
    """The indicator's targets as approved at `version`: the last approved revision of each
    year up to that version (revisions of later versions left out), else the published
    target of the first source in the priority order. And its revisions: the published
    originals, then the approved revisions, oldest first. Never who proposed or approved a
    revision, nor its internal rationale."""
    published = [t for t in indicator.targets.all() if t.source != PLANNING_OFFICE_SOURCE]
    in_force, _ = progress.pick_official(
        [(t.year, t.value, t.source) for t in published if t.year is not None],
        settings.PESEM_TARGET_SOURCE_PRIORITY,
    )
    revisions = [
        r
        for r in indicator.target_revisions.all()
        if version is None or r.version is None or _not_later(r.version, version)
    ]
    for r in revisions:
        in_force[r.year] = r.value
    return {
        "code": indicator.code,
        "name": indicator.name,
        "aggregation": indicator.aggregation,
        "targets": [{"period": str(y), "value": v} for y, v in sorted(in_force.items())],
        "revisions": [
            {
                "period": str(t.year),
                "value": t.value,
                "previous_value": None,
                "reason": TargetRevision.Reason.ORIGINAL,
                "source": t.source,
                "resolution": None,
                "approved_at": None,
            }
            for t in sorted(published, key=lambda t: (t.year or 0, t.source))
        ]
        + [
            {
                "period": str(r.year),
                "value": r.value,
                "previous_value": r.previous_value,
                "reason": r.reason,
                "source": "",
                "resolution": _resolution_row(r.resolution),
                "approved_at": r.decided_at,
            }
            for r in revisions
        ],
    }


def _not_later(version: PlanVersion, reference: PlanVersion) -> bool:
    return (version.horizon_start, version.created_at, version.pk) <= (
        reference.horizon_start,
        reference.created_at,
        reference.pk,
    )


def directorate_list() -> QuerySet[Directorate]:
    return Directorate.objects.filter(entity=plans.shown_entity()).order_by("code")


def directorate_row(directorate: Directorate) -> dict[str, Any]:
    return {
        "code": directorate.code,
        "name": directorate.name,
        "planning_office": directorate.is_planning_office,
    }


def action_list(
    *, objective: int | None = None, directorate: str | None = None
) -> list[public.PublicAction]:
    """Actions in the plan's order, each followed by its sub-actions, with responsibles in
    Cuadro 6's order: three queries."""
    actions = public.flatten_actions(public.public_objectives(number=objective))
    if directorate:
        actions = [a for a in actions if any(d.code == directorate for d in a.responsibles)]
    return actions


def action_row(action: public.PublicAction) -> dict[str, Any]:
    return {
        "code": action.code,
        "name": action.name,
        "description": action.description,
        "objective": action.objective,
        "parent": action.parent,
        "importance": action.importance,
        "responsibles": [d.code for d in action.responsibles],
        "sub_actions": [s.code for s in action.sub_actions],
    }


@dataclass(frozen=True)
class ObjectiveRow:
    objective: public.PublicObjective
    indicators: list[str]


def objective_list(*, number: int | None = None) -> list[ObjectiveRow]:
    """Objectives with their actions (public layer, three queries) and the codes of their
    indicators (one query)."""
    codes: dict[int, list[str]] = {}
    indicators = Indicator.objects.filter(plan=plans.shown_plan(), objective__isnull=False)
    if number is not None:
        indicators = indicators.filter(objective__number=number)
    for code, objective in sorted(
        indicators.order_by().values_list("code", "objective__number"),
        key=lambda row: natural_key(row[0]),  # Cuadro 5's order: OE2.1, OE2.2, OE2.3
    ):
        codes.setdefault(objective, []).append(code)
    return [
        ObjectiveRow(o, codes.get(o.number, [])) for o in public.public_objectives(number=number)
    ]


def objective_row(row: ObjectiveRow) -> dict[str, Any]:
    o = row.objective
    return {
        "number": o.number,
        "code": o.code,
        "name": o.name,
        "description": o.description,
        "indicators": row.indicators,
        "actions": [a.code for a in o.actions],
    }


def objective_detail(number: int) -> dict[str, Any] | None:
    found = objective_list(number=number)
    if not found:
        return None
    row = objective_row(found[0])
    row["action_details"] = [action_row(a) for a in public.flatten_actions([found[0].objective])]
    return row


# --- indicators ---------------------------------------------------------------------------


def indicator_list(
    *, objective: int | None = None, directorate: str | None = None, level: str | None = None
) -> QuerySet[Indicator]:
    """Indicators in the plan's order: one query plus the articulated objectives."""
    return (
        Indicator.objects.filter(
            indicator_filter(objective=objective, directorate=directorate, level=level)
        )
        .select_related("objective", "variable", "responsible")
        .prefetch_related(
            Prefetch(
                "articulated_objectives", queryset=StrategicObjective.objects.order_by("number")
            )
        )
        .order_by(*published_order())
    )


def published_order(prefix: str = "") -> tuple[Any, ...]:
    """ORDER BY of the published order (objectives.ordering: objective, variable, national
    indicators; codes naturally, OE2.1 before OE2.2 as in Cuadro 5) in the database, so a
    page is one query: level, then code length, then code, which is the natural order while
    the numbers of codes of one length have the same width (all of the published plan's)."""
    rank = Case(
        *(When(**{f"{prefix}level": level}, then=Value(i)) for i, level in enumerate(LEVEL_ORDER)),
        default=Value(len(LEVEL_ORDER)),
    )
    return rank, Length(f"{prefix}code"), f"{prefix}code"


def indicator_row(indicator: Indicator) -> dict[str, Any]:
    return {
        "code": indicator.code,
        "aliases": [indicator.alias] if indicator.alias else [],
        "name": indicator.name,
        "level": indicator.level,
        "objective": indicator.objective.number if indicator.objective else None,
        "variable": indicator.variable.code if indicator.variable else None,
        "articulated_objectives": [o.number for o in indicator.articulated_objectives.all()],
        "responsible": indicator.responsible.code if indicator.responsible else None,
        "responsible_published": indicator.responsible_published,
        "direction": indicator.direction,
        "direction_published": indicator.direction_published,
        "unit": indicator.unit,
        "scale": indicator.scale,
        "definition": indicator.definition,
        "numerator": indicator.numerator,
        "denominator": indicator.denominator,
        "data_source": indicator.data_source,
        "status_note": indicator.status_note,
        "current_value": indicator.current_value,
    }


def indicator_detail(audience: Audience, code: str) -> dict[str, Any] | None:
    """One indicator by code or alias, with its baselines and targets by source and its
    data-quality flags. A signed-in caller gets the indicator as the indicator page shows it
    (flags computed over sent and validated values, never a draft); the public gets the public
    layer's (flags over validated values only)."""
    # A code first; an alias only when no indicator has that code.
    shown = Indicator.objects.filter(plan=plans.shown_plan())
    found = shown.filter(code=code).values_list("code", "responsible_id").first()
    if found is None:
        found = (
            shown.filter(alias=code).order_by("pk").values_list("code", "responsible_id").first()
        )
    if found is None:
        return None
    code, _ = found
    if audience.is_public:
        shown = public.public_indicator(code=code, published=scope.Narrative())
        return _public_indicator_row(shown) if shown is not None else None
    facts = selectors.indicator_facts_list(
        queryset=selectors.indicator_queryset(light=True).filter(code=code)
    )[0]
    indicator = indicator_list().get(pk=facts.indicator.pk)
    return {
        **indicator_row(indicator),
        "targets": [target_row(audience, t) for t in target_list(indicator=code)],
        "flags": facts.flags,
    }


def _public_indicator_row(shown: public.PublicIndicator) -> dict[str, Any]:
    return {
        "code": shown.code,
        "aliases": [shown.alias] if shown.alias else [],
        "name": shown.name,
        "level": shown.level,
        "objective": shown.objective,
        "variable": shown.variable_code or None,
        "articulated_objectives": list(shown.articulated_objectives),
        "responsible": shown.responsible or None,
        "responsible_published": shown.responsible_published,
        "direction": shown.direction,
        "direction_published": shown.direction_published,
        "unit": shown.unit,
        "scale": shown.scale,
        "definition": shown.definition,
        "numerator": shown.numerator,
        "denominator": shown.denominator,
        "data_source": shown.data_source,
        "status_note": shown.status_note,
        "current_value": shown.current_value,
        "targets": [
            {
                "indicator": shown.code,
                "kind": t.kind,
                "year": t.year,
                "year_inferred": t.year_inferred,
                "value": t.value,
                "published_text": t.published,
                "source": t.source,
                "note": t.note,
            }
            for t in shown.targets
        ],
        "flags": list(shown.flags),
    }


def target_list(
    *,
    indicator: str | None = None,
    year: int | None = None,
    kind: str | None = None,
    objective: int | None = None,
    directorate: str | None = None,
    level: str | None = None,
) -> QuerySet[Target]:
    """Baselines and targets as each table published them: one query."""
    qs = Target.objects.filter(
        indicator_filter(
            "indicator__",
            indicator=indicator,
            objective=objective,
            directorate=directorate,
            level=level,
        )
    ).select_related("indicator")
    if year is not None:
        qs = qs.filter(year=year)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("indicator__code", "kind", "year", "source", "pk")


def target_row(audience: Audience, target: Target) -> dict[str, Any]:
    return {
        "indicator": target.indicator.code,
        "kind": target.kind,
        "year": target.year,
        "year_inferred": target.year_inferred,
        "value": target.value,
        "published_text": target.published_text,
        "source": target.source,
        "note": scope.public_target_note(target) if audience.is_public else target.note,
    }


# --- yearly values and action reports -----------------------------------------------------


def value_list(
    audience: Audience,
    *,
    indicator: str | None = None,
    year: int | None = None,
    objective: int | None = None,
    directorate: str | None = None,
    level: str | None = None,
    state: str | None = None,
    plan: Plan | None = None,
) -> QuerySet[IndicatorValue]:
    """The yearly values this audience may read (of `plan`, by default the one the pages
    show): one query for a page."""
    qs = IndicatorValue.objects.filter(
        audience.visible("indicator__responsible_id"),
        indicator_filter(
            "indicator__",
            indicator=indicator,
            objective=objective,
            directorate=directorate,
            level=level,
            plan=plan,
        ),
        state_filter(state),
    )
    if year is not None:
        qs = qs.filter(year=year)
    if audience.is_public:
        qs = qs.select_related("indicator")
    else:
        qs = qs.select_related("indicator", "submitted_by", "validated_by")
    return qs.order_by("indicator__code", "year", "pk")


def value_row(audience: Audience, value: IndicatorValue) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": value.pk,
        "indicator": value.indicator.code,
        "year": value.year,
        "period": str(value.year),
        "value": value.value,
        "numerator": value.numerator,
        "denominator": value.denominator,
        "published_text": value.published_text,
        "source": value.source,
        "origin": value.origin,
        "state": _state(value),
        "preliminary": value.state == WorkflowState.SUBMITTED,
        "note": value.note if audience.published("value_note") else None,
        "analysis": value.analysis if audience.published("analysis") else None,
        "measures": value.measures if audience.published("measures") else None,
        **_workflow(audience, value),
    }
    if audience.sees_drafts_of(value.indicator.responsible_id):  # access.can_see_evidence
        row["evidence_url"] = value.evidence_url or None
        row["evidence_file"] = (
            reverse("evidence", args=["valor", value.pk]) if value.evidence_file else None
        )
    return row


def semester_value_list(
    audience: Audience, *, plan: Plan, year: int, semester: int
) -> QuerySet[SemesterValue]:
    """A semestral plan's values of one semester this audience may read: one query a page."""
    qs = SemesterValue.objects.filter(
        audience.visible("indicator__responsible_id"),
        indicator__plan=plan,
        year=year,
        semester=semester,
    )
    if audience.is_public:
        qs = qs.select_related("indicator")
    else:
        qs = qs.select_related("indicator", "submitted_by", "validated_by")
    return qs.order_by("indicator__code", "pk")


def semester_value_row(audience: Audience, value: SemesterValue) -> dict[str, Any]:
    """As value_row, for a semester: its `period` is «2024-S1»."""
    return {
        "id": value.pk,
        "indicator": value.indicator.code,
        "year": value.year,
        "period": value.period,
        "value": value.value,
        "numerator": None,
        "denominator": None,
        "published_text": "",
        "source": "",
        "origin": "user",
        "state": _state(value),
        "preliminary": value.state == WorkflowState.SUBMITTED,
        "note": value.note if audience.published("value_note") else None,
        "analysis": None,
        "measures": None,
        **_workflow(audience, value),
    }


def action_report_list(
    audience: Audience,
    *,
    action: str | None = None,
    year: int | None = None,
    objective: int | None = None,
    directorate: str | None = None,
    state: str | None = None,
) -> QuerySet[ActionReport]:
    """The yearly reports on strategic actions this audience may read: one query a page."""
    qs = ActionReport.objects.filter(audience.visible("directorate_id"), state_filter(state))
    if action:
        qs = qs.filter(action__code=action)
    if year is not None:
        qs = qs.filter(year=year)
    if objective is not None:
        qs = qs.filter(action__objective__number=objective)
    if directorate:
        qs = qs.filter(directorate__code=directorate)
    related = ["action__objective", "directorate"]
    if not audience.is_public:
        related += ["submitted_by", "validated_by"]
    return qs.select_related(*related).order_by(
        "action__objective__number", "action__order", "directorate__code", "year", "pk"
    )


def action_report_row(audience: Audience, report: ActionReport) -> dict[str, Any]:
    return {
        "id": report.pk,
        "action": report.action.code,
        "directorate": report.directorate.code,
        "year": report.year,
        "state": _state(report),
        "preliminary": report.state == WorkflowState.SUBMITTED,
        "execution": report.execution,
        "percent": report.percent,
        "description": (report.description if audience.published("report_description") else None),
        **_workflow(audience, report),
    }


# --- stored yearly statuses ---------------------------------------------------------------


def status_list(
    *,
    year: int,
    indicator: str | None = None,
    objective: int | None = None,
    directorate: str | None = None,
    level: str | None = None,
    light: str | None = None,
    plan: Plan | None = None,
) -> QuerySet[IndicatorYearStatus]:
    """The year's stored statuses (the tablero's rows, the same selector) of `plan`, by
    default the one the pages show: one query a page. The caller makes sure the year's rows
    exist (indicators.workflow.status.ensure)."""
    indicators = Indicator.objects.filter(
        indicator_filter(
            indicator=indicator,
            objective=objective,
            directorate=directorate,
            level=level,
            plan=plan,
        )
    )
    return (
        selectors.tablero_statuses(year=year, indicators=indicators, light=light)
        .prefetch_related(None)  # the tablero's targets are for its page only
        .order_by(*published_order("indicator__"), "pk")
    )


def semester_status_rows(
    audience: Audience, statuses: QuerySet[IndicatorYearStatus], *, semester: int
) -> list[dict[str, Any]]:
    """A semestral plan's semester, per indicator: the year's value so far from its validated
    semesters up to this one (by the indicator's aggregation) against the target of the year,
    with the light that gives (progress.semester_achievement). Two queries."""
    rows = list(statuses)
    found = (
        selectors.validated_semesters([r.indicator_id for r in rows], rows[0].year) if rows else {}
    )
    out = []
    for status in rows:
        indicator = status.indicator
        values = found.get(indicator.pk, [None, None])
        achieved = progress.semester_achievement(
            values, semester, indicator.aggregation, status.target, indicator.direction
        )
        so_far = progress.yearly_value(values[:semester], indicator.aggregation)
        row = status_row(audience, status)
        row.update(
            {
                "period": f"{status.year}-S{semester}",
                "value": so_far,
                "achievement": achieved.percent,
                "achievement_note": achieved.note,
                "light": progress.light(achieved).value,
                "preliminary": None,
                "reading": progress.SEMESTER_READING[progress.Aggregation(indicator.aggregation)],
            }
        )
        out.append(row)
    return out


def status_row(audience: Audience, status: IndicatorYearStatus) -> dict[str, Any]:
    indicator = status.indicator
    return {
        "indicator": indicator.code,
        "objective": indicator.objective.number if indicator.objective else None,
        "responsible": indicator.responsible.code if indicator.responsible else None,
        "level": indicator.level,
        "year": status.year,
        "period": str(status.year),
        "value": status.value,
        "target": status.target,
        "target_interpolated": status.target_interpolated,
        "achievement": status.achievement,
        "achievement_note": status.achievement_note,
        "light": status.light,
        "trajectory": status.trajectory,
        "latest_year": status.latest_year,
        "latest_value": status.latest_value,
        # A submitted value not yet validated: every signed-in caller, never the public.
        "preliminary": None if audience.is_public else status.preliminary,
    }
