"""Indicator pages and yearly data entry_rows. Views check access, call one selector or service,
and render; rules and arithmetic live in services.py and progress.py."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from indicators import (
    access,
    authorship,
    charts,
    deadlines,
    entry_rows,
    selectors,
    semester_tasks,
    services,
)
from indicators.entry import importing
from indicators.entry.forms import ActionReportForm, ImportForm, ReasonForm, ValueForm
from indicators.entry.grid_forms import entry_initial
from indicators.models import ActionReport, Indicator, IndicatorValue, WorkflowState
from indicators.workflow import inbox, target_services
from indicators.workflow.target_forms import TargetRevisionForm
from objectives import plans
from objectives.models import Directorate, StrategicAction


def _indicator(code: str) -> Indicator:
    return get_object_or_404(
        Indicator.objects.filter(plan=plans.shown_plan()).select_related("responsible"),
        code=code,
    )


def _year(raw: str | None, years: range) -> int:
    if raw and raw.isascii() and raw.isdigit() and int(raw) in years:  # not "²" nor "٢٠١٦"
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
    return _detail_page(request, code, TargetRevisionForm())


@login_required
@require_POST
def target_propose(request, code: str):
    """The planning office proposes a target revision from the indicator page. Refused, the
    page comes back with the reason next to the form and what was typed still in it."""
    indicator = _indicator(code)
    access.require_validator(request.user)
    form = TargetRevisionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            revision = target_services.target_propose(
                user=request.user,
                indicator=indicator,
                year=data["year"],
                value=data["value"],
                reason=data["reason"],
                rationale=data["rationale"],
                resolution=target_services.resolution_record(**form.resolution_fields()),
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(
                request,
                f"Revisión de la meta {revision.year} de {indicator.code} propuesta: otra "
                "persona de la oficina de planeamiento debe aprobarla en Revisiones de metas.",
            )
            return redirect(reverse("indicator_detail", args=[indicator.code]) + "#revisiones")
    return _detail_page(request, code, form)


PREVIOUS, NEXT = "Continúa la serie de", "Su serie sigue en"


def _lineage(indicator: Indicator) -> list[tuple[str, Indicator, str]]:
    """The series this indicator continues and those that continue it, each with its plan
    and its page's address (one query)."""
    found = Indicator.objects.filter(
        Q(pk=indicator.previous_series_id) | Q(previous_series=indicator)
    ).select_related("plan")
    return [
        (
            "Continúa la serie de"
            if other.pk == indicator.previous_series_id
            else "Su serie sigue en",
            other,
            plans.plan_address(other.plan.code, f"indicadores/{other.code}/"),
        )
        for other in found
    ]


def _detail_page(request, code: str, target_form: TargetRevisionForm):
    facts = selectors.indicator_facts_list(
        queryset=selectors.indicator_queryset().filter(code=code)
    )
    if not facts:
        raise Http404("Indicador no encontrado.")
    facts = facts[0]
    indicator = facts.indicator
    # Drafts, their texts and every evidence only for who may read them (access.py); sent
    # values to everyone signed in, marked «preliminar»; the chart and flags read sent and
    # validated values only.
    sees_drafts = access.can_see_drafts_of(request.user, indicator.responsible_id)
    if not sees_drafts:
        facts.values = [v for v in facts.values if v.state != WorkflowState.DRAFT]
    years = services.plan_years()
    return render(
        request,
        "indicators/detail.html",
        {
            "facts": facts,
            "indicator": indicator,
            "rows": facts.value_rows(),
            "summary": facts.summary(),
            "history": selectors.indicator_history(indicator, drafts=sees_drafts),
            "show_evidence": access.can_see_evidence(request.user, indicator.responsible_id),
            "can_enter": access.is_registrar_of(request.user, indicator.responsible_id),
            "is_validator": access.is_validator(request.user),
            "years": years,
            "entry_year": _year(request.GET.get("anio"), years),
            "target_form": target_form,
            "revisions": selectors.target_revisions(indicator),
            "lineage": _lineage(indicator),
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
    if request.method == "POST":
        # The row (context and warnings) is computed by the service under its lock; here only
        # when the form is shown again.
        form = ValueForm(request.POST, request.FILES, indicator=indicator)
        if form.is_valid():
            data = form.cleaned_data
            submit = "submit" in request.POST
            try:
                item = services.value_save(
                    user=request.user,
                    indicator=indicator,
                    year=year,
                    numerator=data.get("numerator"),
                    denominator=data.get("denominator"),
                    value=data.get("value"),
                    note=data["note"],
                    analysis=data["analysis"],
                    measures=data["measures"],
                    justification=data["justification"],
                    evidence_url=data["evidence_url"],
                    evidence_file=data["evidence_file"],
                    expected_version=data["version"],
                    submit=submit,
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                label = f"{indicator.code} {year}: valor"
                done = "enviado a validación" if submit else "guardado como borrador"
                messages.success(request, f"{label} {done}.")
                return redirect(reverse("pending") + f"?anio={item.year}")
        row = entry_rows.entry_row(indicator=indicator, year=year)  # as stored now
        typed = {
            name: form.cleaned_data.get(name) if hasattr(form, "cleaned_data") else None
            for name in ("numerator", "denominator", "value")
        }
    else:
        row = entry_rows.entry_row(indicator=indicator, year=year)
        form = ValueForm(initial=entry_initial(row), indicator=indicator)
        item = row.item
        typed = {
            "numerator": item.numerator if item else None,
            "denominator": item.denominator if item else None,
            "value": item.value if item else None,
        }
    preview = row.preview(**typed) if any(v is not None for v in typed.values()) else None
    return render(
        request,
        "indicators/value_form.html",
        {
            "indicator": indicator,
            "year": year,
            "form": form,
            "item": row.item,
            "row": row,
            "preview": preview,
            "show_justification": bool(
                (preview and preview.warnings)
                or form["justification"].value()
                or form["justification"].errors
            ),
        },
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
    # A path of this site only: "abc" would be taken for a URL name by redirect() and fail.
    if target.startswith("/") and url_has_allowed_host_and_scheme(
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
    action = get_object_or_404(StrategicAction, plan=plans.shown_plan(), code=code, parent=None)
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
    today = deadlines.today()
    current = inbox.reporting_year(years=years, today=today)
    if current is None:
        raise Http404("No hay un plan cargado.")
    # Without ?anio= the page opens on the year being reported now.
    year = _year(request.GET.get("anio") or str(current), years)
    code = request.GET.get("direccion")
    # Everyone may read any directorate's list; only its registrar gets the entry buttons.
    if code:
        directorate = get_object_or_404(Directorate, entity=plans.shown_entity(), code=code)
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
            # The list says a draft exists; its figure and return reason, and the grid, only
            # for who may read the directorate's drafts.
            "sees_drafts": directorate is not None
            and access.can_see_drafts_of(request.user, directorate.pk),
            "directorates": Directorate.objects.filter(entity=plans.shown_entity()),
            "due": inbox.due_of(year=year, today=today),
        },
    )


@dataclass
class QueueRow:
    """A submitted value in the planning office's queue, with what was typed for it in a
    refused attempt (reason, selection) and that attempt's errors. `shaped`: the person
    looking shaped its content, so may not validate it (indicators.authorship)."""

    entry: entry_rows.EntryRow
    shaped: bool = False
    checked: bool = False
    reason: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def item(self) -> IndicatorValue:
        return cast(IndicatorValue, self.entry.item)

    @property
    def refusal(self) -> str:
        return authorship.refusal(IndicatorValue)


def _posted_version(request, pk: int) -> int | None:
    raw = request.POST.get(f"version-{pk}", "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 12 else None


def _return_problems(request, row: QueueRow) -> list[str]:
    """Every reason a return of `row` would be refused, found before writing, so they are all
    reported at once (the service checks them again under the lock)."""
    problems = []
    if not row.reason.strip():
        problems.append("Indique el motivo.")
    if _posted_version(request, row.item.pk) != row.item.version:
        problems.append(
            "Otra persona modificó este valor desde que abrió la página: revise el valor actual."
        )
    return problems


def _queue_post(request, rows: list[QueueRow]) -> bool:
    """Return one value with its reason, or validate the checked ones: each that may be
    validated is, the others are listed with why. True when something was done (the page is
    read again); False with the errors on their rows when nothing was stored."""
    by_pk = {row.item.pk: row for row in rows}
    chosen = request.POST.getlist("validar")
    for row in rows:
        row.checked = str(row.item.pk) in chosen
        row.reason = request.POST.get(f"motivo-{row.item.pk}", "")
    if "devolver" in request.POST:
        row = by_pk.get(_int(request.POST["devolver"]))
        if row is None:
            messages.error(request, "Ese valor ya no espera validación.")
            return True
        row.errors = _return_problems(request, row)
        if row.errors:
            return False
        try:
            services.do_return(
                user=request.user,
                item=row.item,
                reason=row.reason,
                expected_version=_posted_version(request, row.item.pk),
            )
        except ValidationError as exc:
            row.errors = exc.messages
            return False
        messages.success(request, f"{services.item_label(row.item)}: devuelto.")
        return True
    if "validar_uno" in request.POST:
        chosen = [request.POST["validar_uno"]]
    picked = [by_pk[pk] for pk in (_int(raw) for raw in chosen) if pk in by_pk]
    if len(picked) < len(chosen):
        messages.error(request, "Algún valor marcado ya no espera validación: revise la lista.")
        return True
    if not picked:
        messages.error(request, "Marque al menos un valor para validar.")
        return True
    result = services.validate_many(
        user=request.user,
        items_with_versions=[(r.item, _posted_version(request, r.item.pk)) for r in picked],
    )
    if not result.done:
        for row in picked:
            row.errors = result.skipped.get(services.item_label(row.item), [])
        return False
    labels = ", ".join(services.item_label(item) for item in result.done)
    messages.success(request, f"{len(result.done)} valor(es) validado(s): {labels}.")
    for label, reasons in result.skipped.items():
        messages.error(request, f"{label} no se validó: {' '.join(reasons)}")
    return True


def _int(raw: str) -> int | None:
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 12 else None


@login_required
def validation_queue(request):
    """The planning office's queue: each submitted value with its target, the previous
    validated value, the achievement and light it would get, its warnings and justification,
    narrative and evidence; several validated at once, or one returned with its reason. Rows
    this person shaped say why they may not validate them, with no button (four eyes)."""
    access.require_validator(request.user)
    raw = request.GET.get("anio")
    # ASCII digits only ("²".isdigit() is true), and a year's size: no integer overflow.
    year = int(raw) if raw and raw.isascii() and raw.isdigit() and len(raw) <= 4 else None
    values, reports = selectors.submitted_items(year=year)
    shaped = authorship.shaped_pks(request.user, values)
    rows = [
        QueueRow(row, shaped=row.item.pk in shaped)
        for row in entry_rows.validation_rows(values=values)
    ]
    if request.method == "POST" and _queue_post(request, rows):
        return redirect(request.get_full_path())
    return render(
        request,
        "indicators/validation.html",
        {
            "rows": rows,
            "problem_rows": [row for row in rows if row.errors],
            "reports": reports,
            "shaped_reports": authorship.shaped_pks(request.user, reports),
            "report_refusal": authorship.refusal(ActionReport),
            "year": year,
            "years": services.plan_years(),
            # A semestral plan's semesters waiting, validated on each one's grid.
            "semester_queues": semester_tasks.validator_queues(),
        },
    )


# --- import -------------------------------------------------------------------------------

PENDING_IMPORT = "pending_import"


class _UploadLimit(FileUploadHandler):
    """Stops storing an uploaded file once it passes the import limit, so a huge upload never
    fills memory or a temporary file (Django's own limits do not cover files)."""

    def __init__(self, request, limit: int):
        super().__init__(request)
        self.limit = limit
        self.exceeded = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.limit:
            self.exceeded = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def _importer_directorate(user) -> Directorate | None:
    """Who may import: the planning office any directorate's rows (None), a registrar only
    their own directorate's (returned). Anyone else: PermissionDenied."""
    if access.is_validator(user):
        return None
    own = access.directorate_of(user)
    access.require_registrar_of(user, own.pk if own else None)
    return own


@login_required
@csrf_exempt  # checked by _import_upload, after the upload limit is in place (Django's docs)
def import_upload(request):
    _importer_directorate(request.user)
    limit = _UploadLimit(request, importing.MAX_BYTES)
    request.upload_handlers.insert(0, limit)
    return _import_upload(request, limit)


@csrf_protect
def _import_upload(request, limit: _UploadLimit):
    plan = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if limit.exceeded:
            form.is_valid()
            form.errors["file"] = form.error_class(
                [
                    f"El archivo pesa más de {importing.MAX_BYTES // 1024 // 1024} MB, el "
                    "máximo: no se leyó."
                ]
            )
        elif form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                importing.check_size(upload.size)
                content = upload.read(importing.MAX_BYTES + 1)
                rows = importing.read_rows(content, upload.name)
            except importing.ImportFileError as exc:
                form.add_error("file", str(exc))
            else:
                plan = importing.plan_import(
                    rows, user=request.user, status=form.cleaned_data["status"]
                )
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
                        # What the preview showed: confirm refuses the file if any moved.
                        "versions": [[c, y, v] for (c, y), v in plan.versions().items()],
                    }
    else:
        form = ImportForm()
    is_validator = access.is_validator(request.user)
    directorates = (
        list(Directorate.objects.filter(entity=plans.shown_entity()).order_by("code"))
        if is_validator
        else []
    )
    return render(
        request,
        "indicators/import.html",
        {
            "form": form,
            "plan": plan,
            "years": services.plan_years(),
            "is_validator": is_validator,
            "own_directorate": None if is_validator else access.directorate_of(request.user),
            "directorates": directorates,
            "chosen": next(
                (d.code for d in directorates if d.code == request.GET.get("direccion")), ""
            ),
        },
    )


@login_required
@require_POST
def import_confirm(request):
    _importer_directorate(request.user)
    pending_import = request.session.pop(PENDING_IMPORT, None)
    if not pending_import or "versions" not in pending_import:
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
    try:
        # Checked again, and against the versions the preview showed.
        plan = importing.plan_import(
            importing.read_rows(content, pending_import["name"]),
            user=request.user,
            status=pending_import["status"],
        )
        counts = importing.apply_import(
            plan,
            user=request.user,
            status=pending_import["status"],
            reason=f"importación de {pending_import['name']}",
            expected_versions={(c, y): v for c, y, v in pending_import["versions"]},
        )
    except importing.ImportFileError as exc:
        messages.error(request, f"{exc} No se importó nada.")
        return redirect("import_upload")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("import_upload")
    messages.success(
        request,
        f"Importación completa: {counts['new']} nuevos, {counts['changed']} modificados, "
        f"{counts['unchanged']} sin cambios.",
    )
    return redirect("import_upload")


@login_required
def import_template(request, year: int):
    """The year's template: a registrar gets their directorate's rows; the planning office
    one directorate's (?direccion=CODE) or every indicator's."""
    directorate = _importer_directorate(request.user)
    if year not in services.plan_years():
        raise Http404("Año fuera del periodo del plan.")
    code = request.GET.get("direccion", "")
    if directorate is None and code:
        directorate = Directorate.objects.filter(entity=plans.shown_entity(), code=code).first()
        if directorate is None:
            raise Http404("Dirección desconocida.")
    response = HttpResponse(
        importing.template_xlsx(year, directorate),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    suffix = f"-{directorate.code.lower()}" if directorate else ""
    response["Content-Disposition"] = f'attachment; filename="pesem-valores-{year}{suffix}.xlsx"'
    return response


@login_required
def evidence(request, kind: str, pk: int):
    """Evidence files are read through the application, only by who may read the item's
    directorate's drafts (access.can_see_evidence), whatever the item's state."""
    model = {"valor": IndicatorValue, "reporte": ActionReport}.get(kind)
    if model is None:
        raise Http404("Tipo desconocido.")
    queryset = (
        model.objects.select_related("indicator") if model is IndicatorValue else model.objects
    )
    item = get_object_or_404(queryset, pk=pk)
    owner = (
        item.indicator.responsible_id if isinstance(item, IndicatorValue) else item.directorate_id
    )
    if not access.can_see_evidence(request.user, owner):
        # The same answer as for an id that does not exist: ids are sequential, and a 403
        # would confirm which ones hold a file.
        raise Http404("Archivo no encontrado.")
    if not item.evidence_file:
        raise Http404("Sin archivo.")
    try:
        handle = item.evidence_file.open("rb")
    except OSError:
        raise Http404("El archivo ya no está disponible.") from None
    return FileResponse(
        handle, as_attachment=True, filename=PurePosixPath(item.evidence_file.name).name
    )
