"""The plan workbook page (/plan/libro/): the planning office downloads the empty template
or the plan as it stands, uploads a filled workbook, reads every problem (sheet, row and
column) or the difference it makes, and confirms it: the version is then proposed, and
another person of the office approves or discards it on the versions page (four eyes).
Between the preview and the confirmation the file waits in the configured storage, not in
the process, so the confirming request may land on any app server."""

from __future__ import annotations

import uuid
from dataclasses import replace

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render

from indicators import access
from indicators.models import Indicator
from indicators.workflow import plan_services, target_services
from lib import spreadsheets
from objectives import plans
from objectives.models import Plan
from pesem.planio import workbook

PENDING = "pending_plan_workbook"


class WorkbookForm(forms.Form):
    file = forms.FileField(label="Libro del plan (XLSX)")


def _checked(content: bytes, name: str) -> workbook.Loading:
    return workbook.check_book(workbook.read_book(content), filename=name)


@login_required
def plan_workbook_page(request):
    access.require_validator(request.user)
    form = WorkbookForm(request.POST or None, request.FILES or None)
    loading = preview = None
    if request.method == "POST" and request.POST.get("accion") == "proponer":
        return _propose(request)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            workbook.check_size(upload.size)
            content = upload.read()
            loading = _checked(content, upload.name)
        except spreadsheets.UnreadableWorkbook as exc:
            form.add_error("file", str(exc))
        if loading is not None and (loading.proposal is not None or loading.new_plan is not None):
            key = default_storage.save(
                f"plan-workbooks/{uuid.uuid4().hex}.xlsx", ContentFile(content)
            )
            request.session[PENDING] = {"key": key, "name": upload.name}
            if loading.proposal is not None:
                proposal = loading.proposal
                preview = plan_services.difference(
                    plan=proposal.plan,
                    kind=proposal.kind,
                    horizon_end=proposal.horizon_end,
                    found=loading.found,
                    indicators=list(Indicator.objects.filter(plan=proposal.plan)),
                    elements=proposal.elements,
                )
    return render(
        request,
        "objectives/plan_workbook.html",
        {"form": form, "loading": loading, "preview": preview},
    )


def _propose(request):
    pending = request.session.pop(PENDING, None)
    if not pending:
        messages.error(request, "No hay un libro revisado que proponer: súbalo de nuevo.")
        return redirect("plan_workbook")
    try:
        with default_storage.open(pending["key"], "rb") as fh:
            content = fh.read()
    except OSError:
        messages.error(request, "El libro revisado ya no está disponible: súbalo de nuevo.")
        return redirect("plan_workbook")
    default_storage.delete(pending["key"])
    try:
        # Checked again: the plan may have changed since the preview.
        loading = _checked(content, pending["name"])
        if loading.new_plan is not None:
            return _propose_new_plan(request, loading, pending["name"])
        if loading.proposal is None:
            raise ValidationError([str(p) for p in loading.problems])
        with transaction.atomic():
            resolution = target_services.resolution_record(**loading.resolution_fields)
            plan_services.version_propose(
                user=request.user, proposal=replace(loading.proposal, resolution=resolution)
            )
    except (ValidationError, spreadsheets.UnreadableWorkbook) as exc:
        text = " ".join(getattr(exc, "messages", [str(exc)]))
        messages.error(request, f"El libro no se propuso: {text}")
        return redirect("plan_workbook")
    messages.success(
        request,
        f"{plan_services.KINDS[loading.kind][1].capitalize()} propuesta desde "
        f"{pending['name']}: otra persona de la oficina de planeamiento debe aprobarla aquí.",
    )
    return redirect("plan_versions")


def _propose_new_plan(request, loading: workbook.Loading, name: str):
    """A nuevo workbook from the page: the plan is stored with its version nuevo in
    borrador, and another person of the planning office approves or discards it on the new
    plan's versions page (four eyes). Until then the public does not see it."""
    with transaction.atomic():
        plan = workbook.create_plan(loading, proposed_by=request.user)
    messages.success(
        request,
        f"Plan nuevo {plan.code} propuesto desde {name}: otra persona de la oficina de "
        "planeamiento debe aprobarlo aquí.",
    )
    return redirect(plans.plan_address(plan.code, "plan/versiones/"))


@login_required
def plan_workbook_file(request, which: str):
    """The empty template (plantilla) or the plan as it stands (actual), as a workbook."""
    access.require_validator(request.user)
    shown = Plan.objects.filter(code=plans.shown_code()).select_related("entity")
    plan = shown.first() if which == "actual" else None
    name = f"{plan.code}.xlsx" if plan else "plantilla-plan.xlsx"
    response = HttpResponse(
        workbook.plan_workbook(plan), content_type=spreadsheets.XLSX_CONTENT_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
