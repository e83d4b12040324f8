"""Indicator pages and yearly data entry. Views check access, call one selector or service,
and render; rules and arithmetic live in services.py and progress.py."""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from indicators import access, charts, importing, selectors, services
from indicators.forms import ActionReportForm, ImportForm, ReasonForm, TargetForm, ValueForm
from indicators.models import ActionReport, Indicator, IndicatorValue
from objectives.models import Directorate, StrategicAction


def _indicator(code: str) -> Indicator:
    return get_object_or_404(Indicator.objects.select_related("responsible"), code=code)


def _year(raw: str | None, years: range) -> int:
    if raw and raw.isdigit() and int(raw) in years:
        return int(raw)
    if not years:
        raise Http404("No hay un plan cargado.")
    # The year being reported is usually the one just closed.
    return min(max(timezone.localdate().year - 1, years.start), years.stop - 1)


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


def _saved(request, item, label: str):
    """After a draft is saved: submit it too when asked, say so, back to the year's list."""
    if "submit" in request.POST:
        services.do_submit(user=request.user, item=item, expected_version=item.version)
        messages.success(request, f"{label} enviado a validación.")
    else:
        messages.success(request, f"{label} guardado como borrador.")
    return redirect(reverse("pending") + f"?anio={item.year}")


@login_required
def indicator_detail(request, code: str):
    facts = selectors.indicator_facts_list(
        queryset=selectors.indicator_queryset().filter(code=code)
    )
    if not facts:
        raise Http404("Indicador no encontrado.")
    facts = facts[0]
    indicator = facts.indicator
    years = services.plan_years()
    return render(
        request,
        "indicators/detail.html",
        {
            "facts": facts,
            "indicator": indicator,
            "rows": facts.value_rows(),
            "summary": facts.summary(),
            "history": selectors.indicator_history(indicator),
            "can_enter": access.is_registrar_of(request.user, indicator.responsible_id),
            "is_validator": access.is_validator(request.user),
            "years": years,
            "entry_year": _year(request.GET.get("anio"), years),
            "target_form": TargetForm(),
            "figure": charts.indicator_figure(facts, years=selectors.dashboard_years(years=years)),
        },
    )


@login_required
def value_entry(request, code: str, year: int):
    indicator = _indicator(code)
    if year not in services.plan_years():
        raise Http404("Año fuera del periodo del plan.")
    if not access.is_registrar_of(request.user, indicator.responsible_id):
        raise PermissionDenied(
            "Solo el registrador de la dirección responsable puede registrar este indicador."
        )
    item = IndicatorValue.objects.filter(indicator=indicator, year=year).first()
    if request.method == "POST":
        form = ValueForm(request.POST, request.FILES, indicator=indicator)
        if form.is_valid():
            data = form.cleaned_data
            try:
                item = services.value_save(
                    user=request.user,
                    indicator=indicator,
                    year=year,
                    numerator=data.get("numerator"),
                    denominator=data.get("denominator"),
                    value=data.get("value"),
                    note=data["note"],
                    evidence_url=data["evidence_url"],
                    evidence_file=data["evidence_file"],
                    expected_version=data["version"],
                )
                return _saved(request, item, f"{indicator.code} {year}: valor")
            except ValidationError as exc:
                _apply_errors(form, exc)
                item = IndicatorValue.objects.filter(indicator=indicator, year=year).first()
    else:
        initial = {"version": item.version if item else None}
        if item:
            initial.update(
                numerator=item.numerator,
                denominator=item.denominator,
                value=item.value,
                note=item.note,
                evidence_url=item.evidence_url,
            )
        form = ValueForm(initial=initial, indicator=indicator)
    return render(
        request,
        "indicators/value_form.html",
        {"indicator": indicator, "year": year, "form": form, "item": item},
    )


TRANSITION_LABELS = {
    "submit": "enviado a validación",
    "validate": "validado",
    "return": "devuelto",
    "reopen": "reabierto",
}


def _safe_next(request, default: str) -> str:
    """The page to return to, only if it is on this site (no open redirect)."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _transition(request, item, action: str, back: str):
    if action not in services.TRANSITIONS:
        raise Http404("Acción desconocida.")
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Solicitud incompleta: recargue la página e inténtelo de nuevo.")
        return redirect(back)
    kwargs = {"user": request.user, "item": item, "expected_version": form.cleaned_data["version"]}
    if action in {"return", "reopen"}:
        kwargs["reason"] = form.cleaned_data["reason"]
    try:
        services.TRANSITIONS[action](**kwargs)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{item}: {TRANSITION_LABELS[action]}.")
    return redirect(back)


@login_required
@require_POST
def value_transition(request, pk: int, action: str):
    item = get_object_or_404(IndicatorValue.objects.select_related("indicator"), pk=pk)
    back = _safe_next(request, reverse("indicator_detail", args=[item.indicator.code]))
    return _transition(request, item, action, back)


@login_required
@require_POST
def report_transition(request, pk: int, action: str):
    item = get_object_or_404(ActionReport.objects.select_related("action"), pk=pk)
    back = _safe_next(request, reverse("pending"))
    return _transition(request, item, action, back)


@login_required
def report_entry(request, code: str, year: int):
    action = get_object_or_404(StrategicAction, code=code, parent=None)
    if year not in services.plan_years():
        raise Http404("Año fuera del periodo del plan.")
    directorate = access.directorate_of(request.user)
    if directorate is None or not access.is_registrar_of(request.user, directorate.pk):
        raise PermissionDenied(
            "Solo los registradores de una dirección responsable reportan acciones."
        )
    if not action.responsibles.filter(pk=directorate.pk).exists():
        raise PermissionDenied(
            f"La dirección {directorate.code} no es responsable de la acción {action.code}."
        )
    item = ActionReport.objects.filter(action=action, directorate=directorate, year=year).first()
    if request.method == "POST":
        form = ActionReportForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                item = services.report_save(
                    user=request.user,
                    action=action,
                    directorate=directorate,
                    year=year,
                    execution=data["execution"],
                    percent=data["percent"],
                    description=data["description"],
                    evidence_url=data["evidence_url"],
                    evidence_file=data["evidence_file"],
                    expected_version=data["version"],
                )
                return _saved(request, item, f"AE {action.code} {year}: reporte")
            except ValidationError as exc:
                _apply_errors(form, exc)
    else:
        initial = {"version": item.version if item else None}
        if item:
            initial.update(
                execution=item.execution,
                percent=item.percent,
                description=item.description,
                evidence_url=item.evidence_url,
            )
        form = ActionReportForm(initial=initial)
    return render(
        request,
        "indicators/report_form.html",
        {"action": action, "directorate": directorate, "year": year, "form": form, "item": item},
    )


@login_required
def pending(request):
    years = services.plan_years()
    year = _year(request.GET.get("anio"), years)
    code = request.GET.get("direccion")
    # Everyone may read any directorate's list; only its registrar gets the entry buttons.
    if code:
        directorate = get_object_or_404(Directorate, code=code)
    else:
        directorate = access.directorate_of(request.user)
    indicators, actions = (
        selectors.pending_entries(directorate=directorate, year=year) if directorate else ([], [])
    )
    return render(
        request,
        "indicators/pending.html",
        {
            "year": year,
            "years": years,
            "directorate": directorate,
            "indicators": indicators,
            "actions": actions,
            "can_enter": directorate is not None
            and access.is_registrar_of(request.user, directorate.pk),
            "directorates": Directorate.objects.all(),
        },
    )


@login_required
def validation_queue(request):
    access.require_validator(request.user)
    raw = request.GET.get("anio")
    year = int(raw) if raw and raw.isdigit() else None
    values, reports = selectors.submitted_items(year=year)
    return render(
        request,
        "indicators/validation.html",
        {"values": values, "reports": reports, "year": year, "years": services.plan_years()},
    )


@login_required
@require_POST
def target_edit(request, code: str):
    indicator = _indicator(code)
    access.require_validator(request.user)
    form = TargetForm(request.POST)
    if form.is_valid():
        try:
            services.target_set(
                user=request.user,
                indicator=indicator,
                year=form.cleaned_data["year"],
                value=form.cleaned_data["value"],
                reason=form.cleaned_data["reason"],
            )
            messages.success(
                request, f"Meta {form.cleaned_data['year']} de {indicator.code} actualizada."
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(
            request,
            "Meta no guardada: "
            + " ".join(f"{form.fields[f].label}: {' '.join(e)}" for f, e in form.errors.items()),
        )
    return redirect("indicator_detail", code=indicator.code)


# --- import -------------------------------------------------------------------------------

PENDING_IMPORT = "pending_import"


@login_required
def import_upload(request):
    access.require_validator(request.user)
    plan = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            content = upload.read(importing.MAX_BYTES + 1)
            try:
                rows = importing.read_rows(content, upload.name)
            except importing.ImportFileError as exc:
                form.add_error("file", str(exc))
            else:
                plan = importing.plan_import(rows, user=request.user)
                if not plan.errors:
                    # Kept in the configured storage, not in process memory, so the confirming
                    # request may land on any app server.
                    suffix = PurePosixPath(upload.name).suffix.lower()
                    key = default_storage.save(
                        f"imports/{uuid.uuid4().hex}{suffix}", ContentFile(content)
                    )
                    request.session[PENDING_IMPORT] = {
                        "key": key,
                        "name": upload.name,
                        "status": form.cleaned_data["status"],
                    }
    else:
        form = ImportForm()
    return render(
        request,
        "indicators/import.html",
        {"form": form, "plan": plan, "years": services.plan_years()},
    )


@login_required
@require_POST
def import_confirm(request):
    access.require_validator(request.user)
    pending_import = request.session.pop(PENDING_IMPORT, None)
    if not pending_import:
        messages.error(request, "No hay una importación pendiente de confirmar.")
        return redirect("import_upload")
    try:
        with default_storage.open(pending_import["key"], "rb") as fh:
            content = fh.read()
    except OSError:
        messages.error(
            request, "El archivo de la importación ya no está disponible; súbalo de nuevo."
        )
        return redirect("import_upload")
    default_storage.delete(pending_import["key"])
    # Checked again: the data may have changed since the preview.
    plan = importing.plan_import(
        importing.read_rows(content, pending_import["name"]), user=request.user
    )
    if plan.errors:
        messages.error(
            request, "Los datos cambiaron desde la vista previa; revise el archivo de nuevo."
        )
        return redirect("import_upload")
    counts = importing.apply_import(
        plan,
        user=request.user,
        status=pending_import["status"],
        reason=f"importación de {pending_import['name']}",
    )
    messages.success(
        request,
        f"Importación completa: {counts['new']} nuevos, {counts['changed']} modificados, "
        f"{counts['unchanged']} sin cambios.",
    )
    return redirect("import_upload")


@login_required
def import_template(request, year: int):
    if year not in services.plan_years():
        raise Http404("Año fuera del periodo del plan.")
    response = HttpResponse(
        importing.template_xlsx(year),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="pesem-valores-{year}.xlsx"'
    return response


@login_required
def evidence(request, kind: str, pk: int):
    """Evidence files are read through the application, for logged-in users only."""
    model = {"valor": IndicatorValue, "reporte": ActionReport}.get(kind)
    if model is None:
        raise Http404("Tipo desconocido.")
    item = get_object_or_404(model, pk=pk)
    if not item.evidence_file:
        raise Http404("Sin archivo.")
    try:
        handle = item.evidence_file.open("rb")
    except OSError:
        raise Http404("El archivo ya no está disponible.") from None
    return FileResponse(
        handle, as_attachment=True, filename=PurePosixPath(item.evidence_file.name).name
    )
