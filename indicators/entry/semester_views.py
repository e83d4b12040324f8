"""The grid of a semestral plan's period: a unit's indicators for one semester
(/direcciones/<code>/<year>-S<n>/registro/), typed by its registrars, validated or returned
by the planning office. Views check access, read and write through entry/semesters.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from indicators import access
from indicators.entry import semesters
from indicators.models import SemesterValue, WorkflowState
from objectives import plans
from objectives.models import Directorate, Plan

REFUSED = (
    "La planilla del semestre de {code} muestra sus borradores: solo la ven los registradores "
    "y el director de la unidad, la oficina de planeamiento y los administradores."
)


def _version(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


@login_required
def semester_grid(request, code: str, year: int, semester: int):
    plan = get_object_or_404(Plan, code=plans.shown_code())
    try:
        semesters.check_period(plan, year, semester)
    except ValidationError as exc:
        raise Http404(exc.messages[0]) from None
    directorate = get_object_or_404(Directorate, entity=plans.shown_entity(), code=code)
    if not access.can_see_drafts_of(request.user, directorate.pk):
        raise PermissionDenied(REFUSED.format(code=directorate.code))
    period = semesters.period_label(year, semester)
    here = reverse("semester_grid", args=[directorate.code, year, semester])
    rows = semesters.semester_rows(directorate, year, semester)
    problems = False
    if request.method == "POST":
        decided = (
            request.POST.get("validar")
            or request.POST.get("devolver")
            or request.POST.get("reabrir")
        )
        if decided:
            item = get_object_or_404(
                SemesterValue,
                pk=_version(decided) or 0,
                indicator__in=[r.indicator for r in rows],
                year=year,
                semester=semester,
            )
            expected = _version(request.POST.get(f"version-{item.indicator_id}"))
            try:
                if request.POST.get("validar"):
                    semesters.semester_validate(
                        user=request.user, item=item, expected_version=expected
                    )
                    messages.success(request, f"{item.indicator.code} {period}: validado.")
                elif request.POST.get("reabrir"):
                    semesters.semester_reopen(
                        user=request.user,
                        item=item,
                        reason=request.POST.get(f"motivo-{item.indicator_id}", ""),
                        expected_version=expected,
                    )
                    messages.success(request, f"{item.indicator.code} {period}: reabierto.")
                else:
                    semesters.semester_return(
                        user=request.user,
                        item=item,
                        reason=request.POST.get(f"motivo-{item.indicator_id}", ""),
                        expected_version=expected,
                    )
                    messages.success(request, f"{item.indicator.code} {period}: devuelto.")
            except ValidationError as exc:
                messages.error(request, f"{item.indicator.code} {period}: {exc.messages[0]}")
            return redirect(here)
        access.require_registrar_of(request.user, directorate.pk)
        typed = [
            semesters.SemesterInput(
                indicator_id=r.indicator.pk,
                text=request.POST.get(f"valor-{r.indicator.pk}", ""),
                note=request.POST.get(f"nota-{r.indicator.pk}", ""),
                version=_version(request.POST.get(f"version-{r.indicator.pk}")),
            )
            for r in rows
            if r.editable and f"valor-{r.indicator.pk}" in request.POST
        ]
        submit = "enviar" in request.POST
        try:
            saved = semesters.semester_save(
                user=request.user,
                plan=plan,
                directorate=directorate,
                year=year,
                semester=semester,
                rows=typed,
                submit=submit,
            )
        except semesters.SemesterError as exc:
            problems = True
            by_pk = {t.indicator_id: t for t in typed}
            for row in rows:
                if row.indicator.pk in by_pk:
                    row.typed = by_pk[row.indicator.pk].text
                    row.typed_note = by_pk[row.indicator.pk].note
                row.error = exc.rows.get(row.indicator.pk, "")
        else:
            verb = "enviaron a validación" if submit else "guardaron"
            messages.success(request, f"Se {verb} {len(saved)} valor(es) de {period}.")
            return redirect(here)
    for row in rows:
        if not problems and row.item is not None:
            row.typed = row.shown_value
            row.typed_note = row.item.note
    return render(
        request,
        "indicators/semester_grid.html",
        {
            "plan": plan,
            "directorate": directorate,
            "year": year,
            "semester": semester,
            "period": period,
            "periods": [(y, s) for y in plan.years for s in (1, 2)],
            "rows": rows,
            "can_edit": access.is_registrar_of(request.user, directorate.pk),
            "can_validate": access.is_validator(request.user),
            "problems": problems,
            "problem_rows": [r for r in rows if r.error],
            "submitted": WorkflowState.SUBMITTED,
            "validated": WorkflowState.VALIDATED,
        },
        status=200,
    )
