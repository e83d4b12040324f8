"""The plan as one JSON document: the project's open-data format (README, "Exportación")."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Prefetch

from actors.models import Actor, ActorInfluence
from indicators import progress
from indicators.models import Target
from indicators.selectors import IndicatorFacts, indicator_facts_list, list_order
from lib.numbers import json_number
from objectives import plans
from objectives.models import (
    Component,
    Directorate,
    NationalObjective,
    PipTypology,
    Plan,
    RiskOpportunity,
    Scenario,
    SourceDefect,
    StrategicAction,
    StrategicObjective,
    StrategicVariable,
    Trend,
    responsibles_prefetch,
)


def _baseline(facts: IndicatorFacts) -> dict | None:
    rank = {s: i for i, s in enumerate(settings.PESEM_TARGET_SOURCE_PRIORITY)}
    baselines = sorted(
        (t for t in facts.targets if t.kind == Target.Kind.BASELINE),
        key=lambda t: rank.get(t.source, len(rank)),
    )
    if not baselines:
        return None
    b = baselines[0]
    return {
        "year": b.year,
        "year_inferred": b.year_inferred,
        "value": json_number(b.value),
        "source": b.source,
    }


def _percent(result: progress.Achievement) -> float | int | None:
    return (
        json_number(result.percent.quantize(Decimal("0.01")))
        if result.percent is not None
        else None
    )


def _summary(facts: IndicatorFacts) -> dict[str, Any]:
    s = facts.summary()
    return {
        "latest_year": s.latest_year,
        "latest_value": json_number(s.latest_value),
        "achievement_2016": _percent(s.achievement_2016),
        "achievement_2021": _percent(s.achievement_2021),
        "light": s.light.value,
        "on_track_2021": s.trajectory.on_track,
        "trajectory": s.trajectory.status.value,
    }


def _indicator(facts: IndicatorFacts) -> dict[str, Any]:
    i = facts.indicator
    return {
        "code": i.code,
        "aliases": [i.alias] if i.alias else [],
        "name": i.name,
        "level": i.level,
        "objective": i.objective.number if i.objective else None,
        "variable": i.variable.code if i.variable else None,
        "national_objective": i.national_objective.name if i.national_objective else None,
        "articulated_objectives": sorted(o.number for o in i.articulated_objectives.all()),
        "definition": i.definition,
        "numerator": i.numerator,
        "denominator": i.denominator,
        "numerator_definition": i.numerator_definition,
        "denominator_definition": i.denominator_definition,
        "scale": json_number(i.scale),
        "unit": i.unit,
        "decimals": i.decimals,
        "value_is_whole": i.value_is_whole,
        "numerator_is_whole": i.numerator_is_whole,
        "denominator_is_whole": i.denominator_is_whole,
        "direction": i.direction,
        "direction_published": i.direction_published,
        "responsible": i.responsible.code if i.responsible else None,
        "responsible_published": i.responsible_published,
        "data_source": i.data_source,
        "status_note": i.status_note,
        "current_value": (
            {
                "value": json_number(i.current_value),
                "published": i.current_value_published,
                "source": i.current_value_source,
            }
            if i.current_value is not None
            else None
        ),
        "baseline": _baseline(facts),
        "values": [
            {
                "year": row.value.year,
                "value": json_number(row.value.value),
                "numerator": json_number(row.value.numerator),
                "denominator": json_number(row.value.denominator),
                "source": row.value.source,
                "published": row.value.published_text,
                "status": row.value.state,
                "achievement": _percent(row.achievement),
                "light": row.light.value,
            }
            for row in facts.value_rows()
        ],
        "targets": [
            {
                "year": t.year,
                "value": json_number(t.value),
                "source": t.source,
                "published": t.published_text,
            }
            for t in sorted(
                (t for t in facts.targets if t.kind == Target.Kind.TARGET),
                key=lambda t: (t.year, t.source),
            )
        ],
        "flags": facts.flags,
        "summary": _summary(facts),
    }


def _actions(objective: StrategicObjective) -> list[dict]:
    result = []
    for action in objective.actions.all():
        if action.parent_id is not None:
            continue
        result.append(
            {
                "code": action.code,
                "name": action.name,
                "description": action.description,
                "importance": action.importance,
                "responsibles": [d.code for d in action.responsibles.all()],
                "sub_actions": [{"code": s.code, "name": s.name} for s in action.sub_actions.all()],
            }
        )
    return result


def plan_as_dict() -> dict[str, Any]:
    plan = Plan.objects.filter(code=plans.shown_code()).first()
    # Objective indicators first, then variable, then national; codes in natural order.
    facts = sorted(indicator_facts_list(), key=lambda f: list_order(f.indicator))
    indicators_by_objective: dict[int, list[str]] = {}
    for f in facts:
        if f.indicator.objective_id:
            indicators_by_objective.setdefault(f.indicator.objective.number, []).append(
                f.indicator.code
            )
    objectives = StrategicObjective.objects.filter(plan=plans.shown_plan()).prefetch_related(
        Prefetch(
            "actions",
            queryset=StrategicAction.objects.prefetch_related(
                responsibles_prefetch(),  # Cuadro 6's order: the first may lead
                Prefetch("sub_actions", queryset=StrategicAction.objects.order_by("order")),
            ),
        )
    )
    return {
        "plan": (
            {
                "name": plan.name,
                "short_name": plan.short_name,
                "sector": plan.sector,
                "period": {"start": plan.start_year, "end": plan.end_year},
                "vision": plan.vision,
                "desired_scenario": plan.desired_scenario,
            }
            if plan
            else None
        ),
        "objectives": [
            {
                "number": o.number,
                "name": o.name,
                "description": o.description,
                "indicators": indicators_by_objective.get(o.number, []),
                "actions": _actions(o),
            }
            for o in objectives
        ],
        "indicators": [_indicator(f) for f in facts],
        "variables": [
            {
                "code": v.code,
                "name": v.name,
                "definition": v.definition,
                "groups": [g.code for g in v.groups.all()],
            }
            for v in StrategicVariable.objects.prefetch_related("groups")
        ],
        "trends": [
            {
                "number": t.number,
                "name": t.name,
                "pertinence": t.pertinence,
                "validity": t.validity,
                "evidence": t.evidence,
                "score": json_number(t.score),
                "published_score": json_number(t.published_score),
                "components": sorted(c.number for c in t.components.all()),
            }
            for t in Trend.objects.prefetch_related("components")
        ],
        "components": [
            {
                "number": c.number,
                "name": c.name,
                "definition": c.definition,
                "subcomponents": [
                    {"code": s.code, "name": s.name, "definition": s.definition}
                    for s in c.subcomponents.all()
                ],
            }
            for c in Component.objects.prefetch_related("subcomponents")
        ],
        "directorates": [
            {"code": d.code, "name": d.name, "planning_office": d.is_planning_office}
            for d in Directorate.objects.filter(entity=plans.shown_entity())
        ],
        "actors": [
            {
                "key": a.key,
                "name": a.name,
                "acronym": a.acronym,
                "kind": a.kind,
                "parent": a.parent.name if a.parent else None,
            }
            for a in Actor.objects.select_related("parent")
        ],
        "actor_influences": [
            {
                "variable": inf.variable.code,
                "direction": inf.direction,
                "text": inf.text,
                "actor": inf.actor.key if inf.actor else None,
            }
            for inf in ActorInfluence.objects.select_related("variable", "actor")
        ],
        "scenarios": [
            {
                "number": s.number,
                "groups": {d.group.code: d.direction for d in s.directions.all()},
                "description": s.description,
            }
            for s in Scenario.objects.prefetch_related("directions__group")
        ],
        "risks": _findings(RiskOpportunity.Kind.RISK),
        "opportunities": _findings(RiskOpportunity.Kind.OPPORTUNITY),
        "national_objectives": [
            {
                "name": n.name,
                "specific_objectives": [
                    {
                        "name": s.name,
                        "indicators": sorted(i.code for i in s.indicators.all()),
                    }
                    for s in n.specific_objectives.all()
                ],
            }
            for n in NationalObjective.objects.prefetch_related("specific_objectives__indicators")
        ],
        "pip_typologies": [
            {
                "number": p.number,
                "name": p.name,
                "objective": p.objective,
                "result_indicator": p.result_indicator,
                "components": p.components,
            }
            for p in PipTypology.objects.all()
        ],
        "source_defects": [
            {"location": d.location, "text": d.text, "decision": d.decision}
            for d in SourceDefect.objects.order_by("location", "text")
        ],
    }


def _findings(kind: str) -> list[dict]:
    return [
        {
            "number": r.number,
            "text": r.text,
            "scenarios": sorted(s.number for s in r.scenarios.all()),
        }
        for r in RiskOpportunity.objects.filter(kind=kind).prefetch_related("scenarios")
    ]
