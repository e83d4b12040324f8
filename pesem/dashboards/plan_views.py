"""The plan's pages: the whole plan and one objective, with its indicators' charts."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef, Prefetch, prefetch_related_objects
from django.http import Http404
from django.shortcuts import render

from indicators import access, charts, deadlines, selectors
from indicators.workflow import status
from indicators.years import page_year
from objectives import plans
from objectives.models import Plan, PlanVersion
from pesem.dashboards.selectors import (
    articulated_years,
    articulation_matrix,
    objective_page,
    plan_overview,
)

MAX_CHARTS = 12


@dataclass(frozen=True)
class PlanLink:
    plan: Plan
    version: PlanVersion | None
    start: str  # the plan's pages (a person signed in) or its portal (the public)
    portal: str
    shown: bool


def plan_list(request):
    """/planes/: the plan switcher. The plans a person may open (indicators.access.
    visible_plans; every plan for the public, whose links go to each plan's portal), each with
    its type, entity, follow-up and the version its pages show. Two queries."""
    signed_in = request.user.is_authenticated
    chosen = (
        access.visible_plans(request.user)
        if signed_in
        else Plan.objects.filter(Exists(plans.approved_versions(OuterRef("pk"))))
    )
    found = (
        chosen.select_related("entity")
        .prefetch_related(
            Prefetch("versions", queryset=PlanVersion.objects.select_related("resolution"))
        )
        .order_by("-plan_type", "entity__code", "-start_year", "code")
    )
    shown = plans.shown_code()
    rows = [
        PlanLink(
            plan=plan,
            version=plans.current_version(plan),
            start=plans.plan_address(plan.code, "tablero/" if signed_in else "publico/"),
            portal=plans.plan_address(plan.code, "publico/"),
            shown=plan.code == shown,
        )
        for plan in found
    ]
    return render(request, "objectives/plan_list.html", {"rows": rows, "signed_in": signed_in})


@login_required
def home(request):
    plan, blocks = plan_overview()
    versions, current = [], None
    if plan is not None:  # one query: the versions with their resolutions
        prefetch_related_objects(
            [plan], Prefetch("versions", queryset=PlanVersion.objects.select_related("resolution"))
        )
        versions, current = list(plan.versions.all()), plans.current_version(plan)
    return render(
        request,
        "objectives/home.html",
        {
            "plan": plan,
            "blocks": blocks,
            "versions": versions,
            "current": current,
            "milestones": plans.milestones(plan),
        },
    )


@login_required
def objective_detail(request, number: int):
    chosen = page_year(request)
    year, years = chosen.year, chosen.years
    status.ensure(year)
    # One chart per indicator, up to MAX_CHARTS (a published objective has two or three);
    # the table lists every indicator.
    page = objective_page(number=number, year=year, max_charts=MAX_CHARTS)
    if page is None:
        raise Http404("Objetivo no encontrado.")
    figures = [
        (facts, charts.indicator_figure(facts, years=years, height=320)) for facts in page.charted
    ]
    action_rows = [
        (a, [(d, page.latest_reports.get((a.pk, d.pk))) for d in a.responsibles.all()])
        for a in page.actions
    ]
    return render(
        request,
        "objectives/objective.html",
        {
            "page": page,
            "figures": figures,
            "charts_truncated": len(page.statuses) > MAX_CHARTS,
            "action_rows": action_rows,
            "year": year,
            "years": chosen.plan_years,
            "year_choice": chosen.choice,
            "thresholds": selectors.thresholds(),
        },
    )


@login_required
def articulation(request):
    """The matriz de articulación: each objective of the PESEM with the objectives of the
    PEIs that articulate to it and their indicators by light in the chosen year (?anio=; by
    default this year, within the PEIs' horizons); one PEI's indicators listed (?plan=)."""
    years = articulated_years()
    chosen = request.GET.get("plan", "")[:40]
    year = None
    if years:
        raw = request.GET.get("anio", "")
        this_year = deadlines.today().year
        year = (
            int(raw)
            if raw.isdigit() and int(raw) in years
            else min(max(this_year, years.start), years.stop - 1)
        )
    return render(
        request,
        "objectives/articulation.html",
        {
            "rows": articulation_matrix(year, chosen) if year is not None else [],
            "year": year,
            "chosen": chosen,
            "years": years,
            "plan": Plan.objects.filter(code=plans.shown_code()).first(),
        },
    )
