"""The plan versions page: the planning office sees the plan's versions and their
resolutions, proposes an ampliación (new horizon and the new years' targets) or a
modificación (targets revised within the horizon) with its resolution, after previewing its
difference against the version in force, and another person of the office approves or
discards it (indicators.workflow.plan_services)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from indicators import access
from indicators.form_fields import errors_text
from indicators.models import Indicator
from indicators.workflow import plan_services, target_services
from indicators.workflow.plan_forms import VersionDecisionForm, VersionForm, horizon_choices
from objectives import plans
from objectives.models import Plan, PlanVersion

# The new horizon first offered: three years more, a usual ampliación.
DEFAULT_NEW_YEARS = 3
# ?tipo= on the address: which version is proposed.
KIND_PARAMETERS = {
    "ampliacion": PlanVersion.Kind.EXTENDED,
    "modificacion": PlanVersion.Kind.MODIFIED,
}


def _add_errors(form: VersionForm, exc: ValidationError) -> None:
    """A refusal's messages next to their fields; the resolution's and the targets' above
    the form."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    for field, texts in errors.items():
        form.add_error(field if field in form.fields else None, texts)


def _check(form: VersionForm, plan: Plan, horizon_end: int, now) -> None:
    """Every reason the typed version would be refused, at once (the resolution's with the
    rest), before anything is stored: a preview shows them as a proposal would."""
    errors: dict[str, list[str]] = {}
    typed = None
    try:
        typed = target_services.resolution_typed(**form.resolution_fields())
    except ValidationError as exc:
        errors.update(exc.message_dict)
    proposal = plan_services.Proposal(
        plan=plan,
        kind=form.kind,
        horizon_end=horizon_end,
        resolution=typed,
        rationale=form.cleaned_data["rationale"],
        targets=form.targets(),
    )
    for field, texts in plan_services.version_errors(proposal, now).items():
        errors.setdefault(field, []).extend(t for t in texts if t not in errors[field])
    if errors:
        raise ValidationError(errors)


def _chosen(request, plan: Plan) -> tuple[str, int]:
    """The kind of version and the horizon's end the page lays out."""
    data = request.POST if request.method == "POST" else request.GET
    kind = KIND_PARAMETERS.get(data.get("tipo", ""), PlanVersion.Kind.EXTENDED)
    if kind == PlanVersion.Kind.MODIFIED:
        return kind, plan.end_year
    choices = horizon_choices(plan)
    raw = data.get("horizon_end") or data.get("hasta")
    chosen = int(raw) if raw and raw.isdigit() else 0
    return kind, chosen if chosen in choices else choices[DEFAULT_NEW_YEARS - 1]


def _decide(request) -> None:
    form = VersionDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Versión no decidida: " + errors_text(form))
        return
    version = get_object_or_404(PlanVersion, pk=form.cleaned_data["version"])
    approve = form.cleaned_data["decision"] == "aprobar"
    try:
        plan_services.version_decide(
            user=request.user, version=version, approve=approve, note=form.cleaned_data["note"]
        )
    except ValidationError as exc:
        messages.error(request, "Versión no decidida: " + " ".join(exc.messages))
        return
    name = plan_services.version_name(version).capitalize()
    messages.success(
        request,
        f"{name} "
        + (
            "aprobada: es la versión vigente y sus metas cuentan."
            if approve
            else "descartada: el plan sigue como estaba."
        ),
    )


@login_required
def plan_versions(request):
    access.require_validator(request.user)
    plan = Plan.objects.filter(code=plans.shown_code()).first()
    if plan is None:
        raise Http404("No hay un plan cargado.")
    if request.method == "POST" and request.POST.get("decision"):
        _decide(request)
        return redirect("plan_versions")
    indicators = list(Indicator.objects.filter(plan=plan))
    kind, horizon_end = _chosen(request, plan)
    now = plan_services.in_force(indicators, plan.years)
    form = VersionForm(
        request.POST if request.method == "POST" else None,
        plan=plan,
        kind=kind,
        horizon_end=horizon_end,
        indicators=indicators,
        now=now,
    )
    preview = None
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                _check(form, plan, horizon_end, now)
                if request.POST.get("accion") == "proponer":
                    plan_services.version_propose(
                        user=request.user,
                        proposal=plan_services.Proposal(
                            plan=plan,
                            kind=kind,
                            horizon_end=horizon_end,
                            resolution=target_services.resolution_record(
                                **form.resolution_fields()
                            ),
                            rationale=form.cleaned_data["rationale"],
                            targets=form.targets(),
                        ),
                    )
                    name = plan_services.KINDS[kind][1].capitalize()
                    messages.success(
                        request,
                        f"{name} propuesta: otra persona de la oficina de planeamiento debe "
                        "aprobarla aquí.",
                    )
                    return redirect("plan_versions")
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            preview = plan_services.difference(
                plan=plan,
                kind=kind,
                horizon_end=horizon_end,
                found=plan_services.changes(kind, form.targets(), now),
                indicators=indicators,
            )
    waiting = [v for v in plan_services.waiting_versions() if v.plan_id == plan.pk]
    draft = waiting[0] if waiting else None
    return render(
        request,
        "indicators/plan_versions.html",
        {
            "plan": plan,
            "versions": plan.versions.select_related(
                "resolution", "proposed_by", "decided_by"
            ).order_by("-created_at", "-id"),
            "draft": draft,
            "draft_difference": (
                plan_services.version_difference(draft, indicators)
                if draft and draft.kind != PlanVersion.Kind.NEW
                else None
            ),
            "draft_name": plan_services.version_name(draft) if draft else "",
            "indicator_count": len(indicators),
            "plan_counts": {
                "objectives": plan.objectives.count() if draft else 0,
                "actions": plan.actions.count() if draft else 0,
            },
            "form": form,
            "extension": kind == PlanVersion.Kind.EXTENDED,
            # The target of the horizon's last year beside an ampliación's rows.
            "rows": [
                (indicator, now.get((indicator.pk, plan.end_year)), cells)
                for indicator, cells in form.grid
            ],
            "horizon_end": horizon_end,
            "horizon_choices": horizon_choices(plan),
            "preview": preview,
        },
    )
