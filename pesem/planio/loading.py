"""Load the published plan from `fixtures/*.json` into the database, idempotently.

Each fixture file holds one part of the document in a readable, natural-key format (see the
README). Loading twice changes nothing; yearly values entered by users are never overwritten.
"""

import json
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import models, transaction

from actors.models import Actor, ActorInfluence
from indicators.models import Indicator, IndicatorFlag, IndicatorValue, Target, WorkflowState
from indicators.workflow import status
from objectives import plans
from objectives.models import (
    ActionResponsible,
    Component,
    Directorate,
    Entity,
    NationalObjective,
    NationalSpecificObjective,
    PipTypology,
    Plan,
    PlanVersion,
    Resolution,
    RiskOpportunity,
    Scenario,
    ScenarioDirection,
    SourceDefect,
    StrategicAction,
    StrategicObjective,
    StrategicVariable,
    Subcomponent,
    Trend,
    VariableGroup,
)

FIXTURE_FILES = ("prospective", "strategy", "indicators", "actors", "source_defects")

# The published plan is the sector's PESEM (objectives 0005 gives an existing row the same).
PESEM_SECTOR = {"code": "RREE", "name": "Relaciones Exteriores"}
PESEM_CODE = plans.SHOWN_CODE


@dataclass
class LoadReport:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    kept_user_values: int = 0

    @property
    def changed(self) -> bool:
        return bool(sum(self.created.values()) or sum(self.updated.values()))

    def summary(self) -> str:
        lines = []
        for label in sorted(set(self.created) | set(self.updated)):
            lines.append(
                f"  {label}: {self.created[label]} creados, {self.updated[label]} actualizados"
            )
        if self.kept_user_values:
            lines.append(f"  valores registrados por usuarios conservados: {self.kept_user_values}")
        return "\n".join(lines) if lines else "  sin cambios"


def read_fixtures(directory: Path) -> dict[str, Any]:
    data = {}
    for name in FIXTURE_FILES:
        path = Path(directory) / f"{name}.json"
        with path.open(encoding="utf-8") as fh:
            data[name] = json.load(fh)
    return data


def _decimal(value: Any) -> Decimal | None:
    return None if value is None or value == "" else Decimal(str(value))


class _Loader:
    def __init__(self) -> None:
        self.report = LoadReport()

    def sync(self, model: type[models.Model], lookup: dict, **values: Any) -> models.Model:
        """get_or_create that saves only the fields that differ, so reloading is a no-op."""
        label = model._meta.verbose_name_plural
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            self.report.created[label] += 1
            return model.objects.create(**lookup, **values)
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        if changed:
            for name in changed:
                setattr(obj, name, values[name])
            obj.save(update_fields=changed)
            self.report.updated[label] += 1
        return obj

    def sync_m2m(self, obj: models.Model, attr: str, targets: list[models.Model]) -> None:
        manager = getattr(obj, attr)
        if {t.pk for t in manager.all()} != {t.pk for t in targets}:
            manager.set(targets)
            self.report.updated[f"{obj._meta.verbose_name_plural} ({attr})"] += 1

    def sync_responsibles(self, action: StrategicAction, directorates: list[Directorate]) -> None:
        """The action's responsibles in Cuadro 6's order (position 1, 2, ...); links are added,
        removed or renumbered only where they differ, so reloading is a no-op."""
        wanted = {d.pk: position for position, d in enumerate(directorates, start=1)}
        links = {link.directorate_id: link for link in action.responsible_links.all()}
        if {pk: link.position for pk, link in links.items()} == wanted:
            return
        action.responsible_links.exclude(directorate_id__in=wanted).delete()
        for pk, position in wanted.items():
            link = links.get(pk)
            if link is None:
                ActionResponsible.objects.create(
                    strategicaction=action, directorate_id=pk, position=position
                )
            elif link.position != position:
                link.position = position
                link.save(update_fields=["position"])
        self.report.updated[f"{action._meta.verbose_name_plural} (responsibles)"] += 1

    # --- parts of the document -------------------------------------------------------------

    def load_plan_identity(self, data: dict) -> Plan:
        """The plan with its code, type and entity, and its first version when it has none: the
        document's horizon, nuevo and finalizado, approved by a resolution the document does not
        cite (stored as unknown). Existing versions are never touched."""
        sector = self.sync(
            Entity,
            {"code": PESEM_SECTOR["code"]},
            name=PESEM_SECTOR["name"],
            kind=Entity.Kind.SECTOR,
            sector=None,
        )
        plan = self.sync(
            Plan,
            {"short_name": data["plan"]["short_name"]},
            code=PESEM_CODE,
            plan_type=Plan.PlanType.PESEM,
            entity=sector,
            frequency=Plan.Frequency.ANNUAL,
            **{
                k: data["plan"][k]
                for k in ("name", "sector", "start_year", "end_year", "vision", "desired_scenario")
            },
        )
        if not plan.versions.exists():
            PlanVersion.objects.create(
                plan=plan,
                kind=PlanVersion.Kind.NEW,
                name=plan.name,
                horizon_start=plan.start_year,
                horizon_end=plan.end_year,
                state=PlanVersion.State.FINISHED,
                resolution=Resolution.objects.create(known=False),
            )
            self.report.created[PlanVersion._meta.verbose_name_plural] += 1
            self.report.created[Resolution._meta.verbose_name_plural] += 1
        return plan

    def load_prospective(self, data: dict) -> Plan:
        plan = self.load_plan_identity(data)
        components = {}
        for c in data["components"]:
            component = self.sync(
                Component, {"number": c["number"]}, name=c["name"], definition=c["definition"]
            )
            components[c["number"]] = component
            for order, s in enumerate(c["subcomponents"], start=1):
                self.sync(
                    Subcomponent,
                    {"code": s["code"]},
                    component=component,
                    order=order,
                    name=s["name"],
                    definition=s["definition"],
                )
        for t in data["trends"]:
            trend = self.sync(
                Trend,
                {"number": t["number"]},
                name=t["name"],
                pertinence=t["pertinence"],
                validity=t["validity"],
                evidence=t["evidence"],
                published_score=_decimal(t["published_score"]),
            )
            self.sync_m2m(trend, "components", [components[n] for n in t["components"]])
        return plan

    def load_scenarios(self, data: dict) -> None:
        groups = {g.code: g for g in VariableGroup.objects.all()}
        scenarios = {}
        for s in data["scenarios"]:
            scenario = self.sync(Scenario, {"number": s["number"]}, description=s["description"])
            scenarios[s["number"]] = scenario
            for code, direction in s["groups"].items():
                self.sync(
                    ScenarioDirection,
                    {"scenario": scenario, "group": groups[code]},
                    direction=direction,
                )
        for kind, key in (
            (RiskOpportunity.Kind.RISK, "risks"),
            (RiskOpportunity.Kind.OPPORTUNITY, "opportunities"),
        ):
            for item in data[key]:
                obj = self.sync(
                    RiskOpportunity, {"kind": kind, "number": item["number"]}, text=item["text"]
                )
                self.sync_m2m(obj, "scenarios", [scenarios[n] for n in item["scenarios"]])
        for p in data["pip_typologies"]:
            self.sync(
                PipTypology,
                {"number": p["number"]},
                name=p["name"],
                objective=p["objective"],
                result_indicator=p["result_indicator"],
                components=p["components"],
            )

    def load_structure(self, data: dict, plan: Plan) -> None:
        for d in data["directorates"]:
            self.sync(
                Directorate,
                {"entity": plan.entity, "code": d["code"]},
                name=d["name"],
                is_planning_office=d["is_planning_office"],
            )
        variables = {}
        for v in data["variables"]:
            variables[v["number"]] = self.sync(
                StrategicVariable,
                {"number": v["number"]},
                name=v["name"],
                definition=v["definition"],
            )
        members: dict[int, list] = {n: [] for n in variables}
        for g in data["variable_groups"]:
            group = self.sync(VariableGroup, {"code": g["code"]}, name=g["name"])
            for n in g["variables"]:
                members[n].append(group)
        for n, groups in members.items():
            self.sync_m2m(variables[n], "groups", groups)
        for no in data["national_objectives"]:
            national = self.sync(NationalObjective, {"name": no["name"]})
            for name in no["specific_objectives"]:
                self.sync(NationalSpecificObjective, {"name": name}, national_objective=national)

    def load_strategy(self, data: dict, plan: Plan) -> None:
        directorates = {d.code: d for d in Directorate.objects.filter(entity=plan.entity)}
        for o in data["objectives"]:
            objective = self.sync(
                StrategicObjective,
                {"plan": plan, "number": o["number"]},
                name=o["name"],
                description=o["description"],
            )
            for order, a in enumerate(o["actions"], start=1):
                action = self.sync(
                    StrategicAction,
                    {"plan": plan, "code": a["code"]},
                    objective=objective,
                    parent=None,
                    order=order * 100,
                    name=a["name"],
                    description=a["description"],
                    importance=a["importance"],
                )
                self.sync_responsibles(action, [directorates[c] for c in a["responsibles"]])
                for sub_order, s in enumerate(a.get("sub_actions", []), start=1):
                    self.sync(
                        StrategicAction,
                        {"plan": plan, "code": s["code"]},
                        objective=objective,
                        parent=action,
                        order=order * 100 + sub_order,
                        name=s["name"],
                        description=s.get("description", ""),
                        importance=None,
                    )

    def load_indicators(self, data: dict, plan: Plan) -> None:
        objectives = {o.number: o for o in StrategicObjective.objects.filter(plan=plan)}
        variables = {v.number: v for v in StrategicVariable.objects.all()}
        directorates = {d.code: d for d in Directorate.objects.filter(entity=plan.entity)}
        nso = {n.name: n for n in NationalSpecificObjective.objects.all()}
        for i in data["indicators"]:
            indicator = self.sync(
                Indicator,
                {"plan": plan, "code": i["code"]},
                alias=i["alias"],
                order=i["order"],
                name=i["name"],
                definition=i["definition"],
                numerator=i["numerator"],
                denominator=i["denominator"],
                numerator_definition=i["numerator_definition"],
                denominator_definition=i["denominator_definition"],
                scale=_decimal(i["scale"]),
                unit=i["unit"],
                direction=i["direction"],
                direction_published=i["direction_published"],
                level=i["level"],
                variable=variables.get(i["variable"]),
                objective=objectives.get(i["objective"]),
                national_objective=nso.get(i["national_objective"]),
                responsible=directorates.get(i["responsible"]),
                responsible_published=i["responsible_published"],
                data_source=i["data_source"],
                status_note=i["status_note"],
                current_value=_decimal(i["current_value"]),
                current_value_published=i["current_value_published"],
                current_value_source=i["current_value_source"],
                plausible_min=_decimal(i["plausible_min"]),
                plausible_max=_decimal(i["plausible_max"]),
                decimals=i["decimals"],
                value_is_whole=i["value_is_whole"],
                numerator_is_whole=i["numerator_is_whole"],
                denominator_is_whole=i["denominator_is_whole"],
            )
            self.sync_m2m(
                indicator,
                "articulated_objectives",
                [objectives[n] for n in i["articulated_objectives"]],
            )
            self.load_values(indicator, i["values"])
            for t in i["targets"]:
                self.sync(
                    Target,
                    {
                        "indicator": indicator,
                        "kind": t["kind"],
                        "year": t["year"],
                        "source": t["source"],
                    },
                    value=_decimal(t["value"]),
                    published_text=t["published_text"],
                    note=t["note"],
                    year_published=t["year_published"],
                )
            for f in i["flags"]:
                self.sync(
                    IndicatorFlag, {"indicator": indicator, "text": f["text"]}, source=f["source"]
                )
                # A corrected wording replaces the flag a database loaded before holds.
                if f.get("replaces"):
                    deleted, _ = IndicatorFlag.objects.filter(
                        indicator=indicator, text=f["replaces"]
                    ).delete()
                    if deleted:
                        self.report.updated[IndicatorFlag._meta.verbose_name_plural] += deleted

    def load_values(self, indicator: Indicator, values: list[dict]) -> None:
        existing = {v.year: v for v in indicator.values.all()}
        for v in values:
            current = existing.get(v["year"])
            if current is not None and current.origin == IndicatorValue.Origin.USER:
                # A value entered in the system outranks the document's history.
                self.report.kept_user_values += 1
                continue
            self.sync(
                IndicatorValue,
                {"indicator": indicator, "year": v["year"]},
                numerator=_decimal(v.get("numerator")),
                denominator=_decimal(v.get("denominator")),
                value=_decimal(v["value"]),
                published_text=v["published_text"],
                source=v["source"],
                origin=IndicatorValue.Origin.PLAN,
                state=WorkflowState.VALIDATED,
            )

    def load_actors(self, data: dict) -> None:
        actors = {}
        order = 0
        for g in data["state_groups"]:
            order += 1
            group = self.sync(
                Actor,
                {"key": g["key"]},
                kind=Actor.Kind.STATE,
                number=g["number"],
                order=order,
                name=g["name"],
                acronym=g["acronym"],
                parent=None,
            )
            actors[g["key"]] = group
            for m in g["members"]:
                order += 1
                actors[m["key"]] = self.sync(
                    Actor,
                    {"key": m["key"]},
                    kind=Actor.Kind.STATE,
                    number=None,
                    order=order,
                    name=m["name"],
                    acronym=m["acronym"],
                    parent=group,
                )
        for a in data["non_state"]:
            actors[a["key"]] = self.sync(
                Actor,
                {"key": a["key"]},
                kind=Actor.Kind.NON_STATE,
                number=a["number"],
                order=a["number"],
                name=a["name"],
                acronym=a["acronym"],
                parent=None,
            )
        variables = {v.code: v for v in StrategicVariable.objects.all()}
        for inf in data["influences"]:
            self.sync(
                ActorInfluence,
                {
                    "variable": variables[inf["variable"]],
                    "direction": inf["direction"],
                    "order": inf["order"],
                },
                text=inf["text"],
                actor=actors.get(inf["actor"]) if inf["actor"] else None,
            )

    def load_defects(self, notes: list[dict]) -> None:
        for n in notes:
            self.sync(
                SourceDefect,
                {"location": n["location"], "text": n["text"]},
                decision=n.get("decision", ""),
            )


@transaction.atomic
def load_plan(directory: Path) -> LoadReport:
    with status.suspended():
        report = _load(directory)
    if report.changed:
        status.refresh()
    return report


def _load(directory: Path) -> LoadReport:
    data = read_fixtures(directory)
    loader = _Loader()
    plan = loader.load_prospective(data["prospective"])
    loader.load_structure(data["indicators"], plan)
    loader.load_scenarios(data["prospective"])
    loader.load_strategy(data["strategy"], plan)
    loader.load_indicators(data["indicators"], plan)
    loader.load_actors(data["actors"])
    loader.load_defects(data["indicators"]["notes"] + data["source_defects"]["notes"])
    return loader.report
