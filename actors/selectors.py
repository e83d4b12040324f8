"""Reads of Anexo 3: the actor lists and the influence matrix, both ways.

Each function runs a fixed number of queries (named in its docstring), whatever the data size."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from actors.models import Actor, ActorInfluence
from objectives.models import StrategicVariable

ON = ActorInfluence.Direction.ON_VARIABLE
FROM = ActorInfluence.Direction.FROM_VARIABLE


def actor_queryset() -> QuerySet[Actor]:
    """Actors with the number of matrix mentions in each direction."""
    return Actor.objects.annotate(
        on_count=Count("influences", filter=Q(influences__direction=ON)),
        from_count=Count("influences", filter=Q(influences__direction=FROM)),
    ).order_by("kind", "order")


# --- directory ----------------------------------------------------------------------------


@dataclass
class StateGroup:
    group: Actor
    members: list[Actor] = field(default_factory=list)
    group_matches: bool = True  # False: shown only because some member matches


@dataclass(frozen=True)
class ActorDirectory:
    state_groups: list[StateGroup]
    non_state: list[Actor]
    query: str

    @property
    def entity_count(self) -> int:
        return sum(len(g.members) for g in self.state_groups)

    @property
    def is_empty(self) -> bool:
        return not self.state_groups and not self.non_state


def actor_directory(*, matching: QuerySet[Actor] | None = None, query: str = "") -> ActorDirectory:
    """State groups with their member entities, and non-state actors.

    `matching` is the filtered queryset of a search (actors.filters.ActorFilter), None to
    list everyone; a group
    is shown when it or one of its members matches: with all its members when the group
    itself matches, else with the matching members only. Queries: every actor with its
    mention counts; the ids of the matching actors (only when searching)."""
    actors = list(actor_queryset())
    matched = set(matching.values_list("id", flat=True)) if matching is not None else None

    def shown(actor: Actor) -> bool:
        return matched is None or actor.id in matched

    groups: dict[int, StateGroup] = {}
    members: dict[int, list[Actor]] = {}
    non_state = []
    for actor in actors:
        if actor.kind == Actor.Kind.NON_STATE:
            if shown(actor):
                non_state.append(actor)
        elif actor.parent_id is None:
            groups[actor.id] = StateGroup(group=actor, group_matches=shown(actor))
        else:
            members.setdefault(actor.parent_id, []).append(actor)
    state_groups = []
    for group_id, block in groups.items():
        entities = members.get(group_id, [])
        block.members = entities if block.group_matches else [m for m in entities if shown(m)]
        if block.group_matches or block.members:
            state_groups.append(block)
    return ActorDirectory(state_groups=state_groups, non_state=non_state, query=query)


# --- influence matrix ---------------------------------------------------------------------


@dataclass(frozen=True)
class VariableCount:
    variable: StrategicVariable
    on_count: int  # actors that influence the variable
    from_count: int  # actors the variable influences
    unmatched: int  # mentions not matched to a listed actor


def variable_counts() -> list[VariableCount]:
    """Each variable with its number of mentions per direction: one query."""
    rows = StrategicVariable.objects.annotate(
        on_count=Count("actor_influences", filter=Q(actor_influences__direction=ON)),
        from_count=Count("actor_influences", filter=Q(actor_influences__direction=FROM)),
        unmatched=Count("actor_influences", filter=Q(actor_influences__actor__isnull=True)),
    ).order_by("number")
    return [VariableCount(v, v.on_count, v.from_count, v.unmatched) for v in rows]


@dataclass(frozen=True)
class ActorInfluences:
    actor: Actor
    members: list[Actor]
    influences: list[ActorInfluence]  # the actor influences these variables
    influenced_by: list[ActorInfluence]  # these variables influence the actor


def actor_influences(*, key: str) -> ActorInfluences:
    """An actor (404 if unknown) and its mentions in the matrix by direction. Queries: the
    actor with its group; its mentions with their variables; its member entities."""
    actor = get_object_or_404(Actor.objects.select_related("parent"), key=key)
    mentions = list(
        ActorInfluence.objects.filter(actor=actor)
        .select_related("variable")
        .order_by("variable__number", "order")
    )
    members = list(actor_queryset().filter(parent=actor)) if actor.is_group else []
    return ActorInfluences(
        actor=actor,
        members=members,
        influences=[m for m in mentions if m.direction == ON],
        influenced_by=[m for m in mentions if m.direction == FROM],
    )


@dataclass(frozen=True)
class VariableActors:
    variable: StrategicVariable
    influencers: list[ActorInfluence]  # actors (or unmatched mentions) that influence it
    influenced: list[ActorInfluence]  # actors (or unmatched mentions) it influences


VARIABLE_CODE = re.compile(r"^V(\d{1,3})$", re.IGNORECASE)


def variable_actors(*, code: str) -> VariableActors:
    """A variable by its code (V5; 404 if unknown) and the mentions of the matrix in each
    direction, unmatched ones included. Queries: the variable with its groups (prefetch, 2);
    its mentions with their actors and the actors' groups."""
    match = VARIABLE_CODE.match(code)
    if not match:
        raise Http404("Variable desconocida")
    variable = get_object_or_404(
        StrategicVariable.objects.prefetch_related("groups"), number=int(match.group(1))
    )
    mentions = list(
        ActorInfluence.objects.filter(variable=variable)
        .select_related("actor", "actor__parent")
        .order_by("direction", "order")
    )
    return VariableActors(
        variable=variable,
        influencers=[m for m in mentions if m.direction == ON],
        influenced=[m for m in mentions if m.direction == FROM],
    )


@dataclass(frozen=True)
class MatrixRow:
    actor: Actor
    cells: list[str]  # one per variable: "on", "from", "both" or ""


@dataclass(frozen=True)
class InfluenceMatrix:
    variables: list[StrategicVariable]
    rows: list[MatrixRow]  # matched actors with at least one mention, in list order
    unmatched: int


def influence_matrix() -> InfluenceMatrix:
    """Actors x variables: which way each matched actor relates to each variable. Queries:
    variables; every mention with its actor."""
    variables = list(StrategicVariable.objects.order_by("number"))
    column = {v.id: i for i, v in enumerate(variables)}
    mentions = ActorInfluence.objects.select_related("actor").order_by("variable__number")
    rows: dict[int, tuple[Actor, list[set[str]]]] = {}
    unmatched = 0
    for m in mentions:
        if m.actor is None:
            unmatched += 1
            continue
        _, cells = rows.setdefault(m.actor_id, (m.actor, [set() for _ in variables]))
        cells[column[m.variable_id]].add(m.direction)
    # State actors first (groups followed by their entities), then non-state: Anexo 3's order.
    ordered = sorted(rows.values(), key=lambda r: (r[0].kind != Actor.Kind.STATE, r[0].order))
    return InfluenceMatrix(
        variables=variables,
        rows=[MatrixRow(actor, [_cell(c) for c in cells]) for actor, cells in ordered],
        unmatched=unmatched,
    )


def _cell(directions: set[str]) -> str:
    if directions == {ON, FROM}:
        return "both"
    if directions == {ON}:
        return "on"
    if directions == {FROM}:
        return "from"
    return ""
