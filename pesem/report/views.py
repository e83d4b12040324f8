"""The monitoring report's files (XLSX and PDF, kept per data version: pesem.report.files) and
the page where the planning office writes the report's conclusions and recommendations. The
report page itself."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from indicators import access, authorship, services
from indicators.models import ReportConclusion, WorkflowState
from indicators.workflow import conclusion_services, status
from indicators.workflow.conclusion_forms import ConclusionForm, ConclusionTransitionForm
from indicators.years import page_year
from objectives import plans
from pesem.cache import data as datacache
from pesem.models import PreparedReport
from pesem.report import content as reports
from pesem.report import files as report_files

HISTORY_ROWS = 20
# `?anexo=1` asks for the files with the annex of data-quality notes (internal notes about the
# source document); any other value, or none, for the files without it.
ANNEX_PARAM = "anexo"
ANNEX_ON = frozenset({"1", "si", "sí", "on", "true"})
# A file asked for this long ago and still not built: the waiting page says whom to tell.
LATE = timedelta(minutes=10)


def wants_annex(request) -> bool:
    return request.GET.get(ANNEX_PARAM, "").strip().lower() in ANNEX_ON


def _outside_horizon(request, year: int) -> HttpResponse | None:
    """A report exists only for a year of the plan's horizon (progress.default_year), not
    for the years before it (2014, the baseline, has no target): a Spanish 404 saying so."""
    horizon = services.plan_years()
    if year in horizon:
        return None
    message = (
        f"No hay reporte de {year}: el año está fuera del horizonte del plan "
        f"({horizon.start}-{horizon.stop - 1}), sin metas ni semáforo."
        if horizon
        else "No hay un plan cargado."
    )
    return render(request, "404.html", {"message": message}, status=404)


@login_required
def report_file(request, year: int, file_format: str):
    """The report's XLSX or PDF for a year. Served from the copy built for the current
    official data version when there is one (streamed from storage); else built here on a
    small plan, or asked for and answered with the waiting page on a large one
    (pesem.report.files). `?estado=1` answers the waiting page's checks in JSON; `?anexo=1`
    asks for the variant with the annex of data-quality notes (kept apart)."""
    if (refused := _outside_horizon(request, year)) is not None:
        return refused
    annex = wants_annex(request)
    variant = PreparedReport.Variant.ANNEX if annex else PreparedReport.Variant.INTERNAL
    kind = report_files.KINDS[PreparedReport.Format(file_format)]
    name = report_files.filename(year, file_format, variant)
    if not report_files.keeping():
        return _attachment(report_files.build_bytes(year, file_format, variant), kind, name)
    version = datacache.current().official  # before the data the file is built from
    row, stored = report_files.open_kept(year, file_format, version, variant)
    if stored is not None:
        if "estado" in request.GET:
            stored.close()
            return JsonResponse({"listo": True, "estado": row.get_state_display()})
        response = FileResponse(
            stored, as_attachment=True, filename=name, content_type=kind.content_type
        )
        response["X-Page-Cache"] = "hit"  # a kept copy, as pesem.cache.pages says it
        return response
    if row is None and report_files.built_in_request():
        content = report_files.build_and_keep(
            year, file_format, version, variant, user=request.user
        )
        if "estado" in request.GET:
            return JsonResponse({"listo": True, "estado": PreparedReport.State.READY.label})
        return _attachment(content, kind, name)
    annex_query = f"{ANNEX_PARAM}=1&" if annex else ""
    file_url = f"{request.path}?{ANNEX_PARAM}=1" if annex else request.path
    if row is None:
        row = report_files.request_file(year, file_format, version, request.user, variant)
    elif row.state == PreparedReport.State.FAILED and "reintentar" in request.GET:
        report_files.retry(row)
        return redirect(file_url)
    if "estado" in request.GET:
        return JsonResponse(
            {"listo": False, "estado": row.get_state_display(), "error": bool(row.error)}
        )
    return render(
        request,
        "indicators/report_preparing.html",
        {
            "year": year,
            "row": row,
            "kind": kind,
            "failed": row.state == PreparedReport.State.FAILED,
            "late": timezone.now() - row.requested_at > LATE,
            "annex": annex,
            "annex_query": annex_query,
            "file_url": file_url,
        },
        status=202,
    )


def _attachment(content: bytes, kind: report_files.FileKind, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=kind.content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
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
        .filter(plan=plans.shown_plan(), year=year)
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
            # Four eyes, said before anyone clicks (the service refuses it anyway).
            "not_yours": (
                authorship.refusal(ReportConclusion)
                if item and authorship.has_shaped(request.user, item)
                else ""
            ),
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


@login_required
def report(request):
    chosen = page_year(request)
    year, plan_years = chosen.year, chosen.plan_years
    status.ensure(year)
    return render(
        request,
        "indicators/report.html",
        {
            "report": reports.monitoring_report(year=year),
            "year": year,
            "years": plan_years,
            "year_choice": chosen.choice,
            # The planning office writes section 4 (and sees its draft) for plan years.
            "writes_conclusions": access.is_validator(request.user) and year in plan_years,
        },
    )
