"""An actualización's changes to a plan's elements: new or renamed units, objectives, actions
and indicators, as the plan workbook writes them (pesem.planio.workbook checks them). They are
proposed with the version (PlanVersion.element_changes) and applied here when it is approved,
in one transaction with its targets. An element keeps its row, so its values, statuses and
links survive the version (its lineage); a new indicator comes with its baseline and targets.

A change is a dict: {"sheet": "unidades" | "objetivos" | "acciones" | "indicadores",
"code": ..., "new": bool, "fields": {workbook column: text}, "before": {column: text}};
a new indicator's fields also carry "metas": [[year, "value"], ...]."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from django.db.models import Max

from indicators.models import Indicator, Target
from objectives.models import (
    ActionResponsible,
    Directorate,
    Plan,
    StrategicAction,
    StrategicObjective,
)

audit = logging.getLogger("pesem.audit")

ORDER = ("unidades", "objetivos", "acciones", "indicadores")
SHEET_NAMES = {
    "unidades": "unidad",
    "objetivos": "objetivo",
    "acciones": "acción",
    "indicadores": "indicador",
}
SOURCE = "Libro del plan"
DIRECTIONS = {"ascendente": "ascending", "descendente": "descending"}
# Workbook columns of an indicator and the field each one writes.
INDICATOR_FIELDS = {
    "nombre": "name",
    "sentido": "direction",
    "agregacion": "aggregation",
    "fuente": "data_source",
    "decimales": "decimals",
}


def describe(change: dict[str, Any]) -> str:
    """A change in words, for the previews and the versions page."""
    kind = SHEET_NAMES[change["sheet"]]
    if change["new"]:
        name = change["fields"].get("nombre", "")
        return f"{kind.capitalize()} nuevo {change['code']}: «{name}»."
    parts = [
        f"{column}: «{change['before'].get(column, '')}» pasa a «{value}»"
        for column, value in change["fields"].items()
    ]
    return f"{kind.capitalize()} {change['code']}: " + "; ".join(parts) + "."


def _responsibles(action: StrategicAction, codes: str, units: dict[str, Directorate]) -> None:
    ActionResponsible.objects.filter(strategicaction=action).delete()
    for position, code in enumerate([c.strip() for c in codes.split(",") if c.strip()], start=1):
        ActionResponsible.objects.create(
            strategicaction=action, directorate=units[code], position=position
        )


def apply(plan: Plan, changes: list[dict[str, Any]], user: Any = None) -> list[Indicator]:
    """Apply an approved actualización's element changes to `plan`; the indicators it added
    or changed (their statuses are stored again by the caller)."""
    touched: list[Indicator] = []
    units = {d.code: d for d in Directorate.objects.filter(entity=plan.entity)}
    objectives = {o.code: o for o in StrategicObjective.objects.filter(plan=plan)}
    actions = {a.code: a for a in StrategicAction.objects.filter(plan=plan)}
    for change in sorted(changes, key=lambda c: ORDER.index(c["sheet"])):
        sheet, code, fields = change["sheet"], change["code"], change["fields"]
        if sheet == "unidades":
            if change["new"]:
                units[code] = Directorate.objects.create(
                    entity=plan.entity, code=code, name=fields["nombre"]
                )
            else:
                Directorate.objects.filter(pk=units[code].pk).update(name=fields["nombre"])
        elif sheet == "objetivos":
            if change["new"]:
                number = (plan.objectives.aggregate(n=Max("number"))["n"] or 0) + 1
                objectives[code] = StrategicObjective.objects.create(
                    plan=plan, number=number, code=code, name=fields["nombre"]
                )
            else:
                StrategicObjective.objects.filter(pk=objectives[code].pk).update(
                    name=fields["nombre"]
                )
        elif sheet == "acciones":
            if change["new"]:
                order = (
                    StrategicAction.objects.filter(plan=plan).aggregate(n=Max("order"))["n"] or 0
                ) + 1
                action = StrategicAction.objects.create(
                    objective=objectives[fields["objetivo"]],
                    code=code,
                    name=fields["nombre"],
                    order=order,
                )
                actions[code] = action
                _responsibles(action, fields.get("responsables", ""), units)
            else:
                action = actions[code]
                if "nombre" in fields:
                    action.name = fields["nombre"]
                if "objetivo" in fields:
                    action.objective = objectives[fields["objetivo"]]
                action.save()
                if "responsables" in fields:
                    _responsibles(action, fields["responsables"], units)
        else:
            touched.append(_indicator(plan, change, units, objectives, actions))
    audit.info(
        "write",
        extra={
            "user": user.get_username() if user else None,
            "what": "plan_elements",
            "action": "update",
            "plan": plan.code,
            "changes": len(changes),
        },
    )
    return touched


def _indicator(
    plan: Plan,
    change: dict[str, Any],
    units: dict[str, Directorate],
    objectives: dict[str, StrategicObjective],
    actions: dict[str, StrategicAction],
) -> Indicator:
    fields = change["fields"]
    if change["new"]:
        action = actions.get(fields["elemento"])
        indicator = Indicator.objects.create(
            plan=plan,
            code=change["code"],
            order=(Indicator.objects.filter(plan=plan).aggregate(n=Max("order"))["n"] or 0) + 1,
            name=fields["nombre"],
            definition=fields.get("formula", ""),
            unit=fields.get("unidad_medida", ""),
            direction=DIRECTIONS[fields["sentido"]],
            direction_published=True,
            aggregation=fields.get("agregacion") or "ultimo",
            level=Indicator.Level.ACTION if action else Indicator.Level.OBJECTIVE,
            objective=action.objective if action else objectives[fields["elemento"]],
            action=action,
            responsible=units[fields["responsable"]],
            responsible_published=True,
            data_source=fields.get("fuente", ""),
            decimals=int(fields.get("decimales") or 2),
            # A new series after a change of unit or formula: linked to the one it follows.
            previous_series=(
                Indicator.objects.filter(plan=plan, code=fields["serie_anterior"]).first()
                if fields.get("serie_anterior")
                else None
            ),
        )
        if fields.get("linea_base_anio"):
            Target.objects.create(
                indicator=indicator,
                kind=Target.Kind.BASELINE,
                year=int(fields["linea_base_anio"]),
                value=Decimal(fields["linea_base_valor"]),
                source=SOURCE,
            )
        for year, value in fields.get("metas", []):
            Target.objects.create(
                indicator=indicator,
                kind=Target.Kind.TARGET,
                year=int(year),
                value=Decimal(value),
                source=SOURCE,
            )
        return indicator
    indicator = Indicator.objects.get(plan=plan, code=change["code"])
    for column, value in fields.items():
        if column in INDICATOR_FIELDS:
            if column == "sentido":
                value = DIRECTIONS[value]
            elif column == "decimales":
                value = int(value)
            setattr(indicator, INDICATOR_FIELDS[column], value)
        elif column == "responsable":
            indicator.responsible = units[value]
        elif column == "elemento":
            action = actions.get(value)
            indicator.action = action
            indicator.objective = action.objective if action else objectives[value]
            indicator.level = Indicator.Level.ACTION if action else Indicator.Level.OBJECTIVE
    indicator.save()
    return indicator
