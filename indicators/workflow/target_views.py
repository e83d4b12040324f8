"""The target revisions page: another person of the planning office approves or rejects
the revisions proposed from the indicator pages (indicators.views.target_propose)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from indicators import access
from indicators.form_fields import errors_text
from indicators.models import TargetRevision
from indicators.workflow import target_services
from indicators.workflow.target_forms import TargetDecisionForm

DECIDED_ROWS = 30
RELATED = ["indicator", "resolution", "proposed_by", "decided_by"]


@login_required
def target_revisions(request):
    access.require_validator(request.user)
    if request.method == "POST":
        form = TargetDecisionForm(request.POST)
        if form.is_valid():
            revision = get_object_or_404(TargetRevision, pk=form.cleaned_data["revision"])
            approve = form.cleaned_data["decision"] == "aprobar"
            try:
                target_services.target_decide(
                    user=request.user,
                    revision=revision,
                    approve=approve,
                    note=form.cleaned_data["note"],
                )
                messages.success(
                    request,
                    f"Revisión de la meta {revision.year} de {revision.indicator.code} "
                    + ("aprobada: es la meta vigente." if approve else "rechazada."),
                )
            except ValidationError as exc:
                messages.error(request, "Revisión no decidida: " + " ".join(exc.messages))
        else:
            messages.error(request, "Revisión no decidida: " + errors_text(form))
        return redirect("target_revisions")
    proposed = target_services.waiting_revisions()
    decided = list(
        TargetRevision.objects.exclude(state=TargetRevision.State.PROPOSED)
        .select_related(*RELATED)
        .order_by("-decided_at", "-id")[:DECIDED_ROWS]
    )
    return render(
        request,
        "indicators/target_revisions.html",
        {"proposed": proposed, "decided": decided, "decided_rows": DECIDED_ROWS},
    )
