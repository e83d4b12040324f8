"""The monitoring report's PDF and the page where the planning office writes the report's
conclusions and recommendations. The report page and its XLSX are in dashboard_views."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from indicators import access, conclusion_services, selectors, services, status
from indicators.conclusion_forms import ConclusionForm, ConclusionTransitionForm
from indicators.models import ReportConclusion, WorkflowState
from pesem import report_pdf, reports

HISTORY_ROWS = 20


def _report_year(year: int) -> None:
    if year not in selectors.dashboard_years(years=services.plan_years()):
        raise Http404("Año fuera del periodo.")


@login_required
def report_pdf_download(request, year: int):
    _report_year(year)
    status.ensure(year)
    response = HttpResponse(
        report_pdf.report_pdf(reports.monitoring_report(year=year)),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = f'attachment; filename="reporte-seguimiento-{year}.pdf"'
    return response


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@login_required
def report_conclusions(request, year: int):
    access.require_validator(request.user)
    if year not in services.plan_years():
        raise Http404("Año fuera del periodo del plan.")
    item = (
        ReportConclusion.objects.select_related("updated_by", "submitted_by", "validated_by")
        .filter(year=year)
        .first()
    )
    form = ConclusionForm(
        initial={
            "conclusions": item.conclusions if item else "",
            "recommendations": item.recommendations if item else "",
            "version": item.version if item else None,
        }
    )
    if request.method == "POST":
        if "action" in request.POST:
            return _transition(request, year, item)
        form = ConclusionForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                conclusion_services.conclusion_save(
                    user=request.user,
                    year=year,
                    conclusions=data["conclusions"],
                    recommendations=data["recommendations"],
                    expected_version=data["version"],
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, exc.messages)
            else:
                messages.success(request, f"Borrador de las conclusiones de {year} guardado.")
                return redirect("report_conclusions", year=year)
    history = (
        item.history.select_related("history_user").order_by("-history_date")[:HISTORY_ROWS]
        if item
        else []
    )
    return render(
        request,
        "indicators/report_conclusions.html",
        {
            "year": year,
            "item": item,
            "form": form,
            "editable": item is None or item.state == WorkflowState.DRAFT,
            "history": history,
        },
    )


def _transition(request, year: int, item: ReportConclusion | None):
    form = ConclusionTransitionForm(request.POST)
    if item is None or not form.is_valid():
        messages.error(request, "Acción no válida: recargue la página y vuelva a intentarlo.")
        return redirect("report_conclusions", year=year)
    action = form.cleaned_data["action"]
    kwargs = {
        "user": request.user,
        "item": item,
        "expected_version": form.cleaned_data["version"],
    }
    if action in conclusion_services.NEEDS_REASON:
        kwargs["reason"] = form.cleaned_data["reason"]
    try:
        done = conclusion_services.TRANSITIONS[action](**kwargs)
    except ValidationError as exc:
        messages.error(request, "No se pudo completar la acción: " + _errors(exc))
    else:
        messages.success(
            request, f"Conclusiones de {year}: {done.get_state_display()} (versión {done.version})."
        )
    return redirect("report_conclusions", year=year)
