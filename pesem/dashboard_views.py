"""Dashboards: the tablero, a directorate, the comparison of directorates, the yearly report."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django_tables2 import RequestConfig
from django_tables2.export import TableExport

from indicators import access, charts, selectors, services, status
from indicators.filters import DashboardFilter, YearForm
from indicators.models import Indicator
from indicators.tables import DashboardTable
from objectives.models import Directorate
from pesem import reports

TABLE_PAGE_SIZE = 50


def year_context(request) -> tuple[int, range, range]:
    """(chosen year, years with data or plan, the plan's years) for a dashboard page; the
    year defaults to the latest with validated data."""
    plan_years = services.plan_years()
    if not plan_years:
        raise Http404("No hay un plan cargado.")
    years = selectors.dashboard_years(years=plan_years)
    form = YearForm(request.GET, years=years)
    year = form.cleaned_data["anio"] if form.is_valid() else selectors.default_year(years=years)
    return year, years, plan_years


@login_required
def tablero(request):
    year, years, _ = year_context(request)
    status.ensure(year)
    filterset = DashboardFilter(request.GET, queryset=Indicator.objects.all())
    light = filterset.form.cleaned_data.get("light") if filterset.is_valid() else None
    statuses = selectors.tablero_statuses(year=year, indicators=filterset.qs, light=light)
    table = DashboardTable(statuses)
    # Paginated so the page stays light whatever the plan's size; exports carry every row.
    RequestConfig(request, paginate={"per_page": TABLE_PAGE_SIZE}).configure(table)
    export_format = request.GET.get("_export")
    if TableExport.is_valid_format(export_format):
        return TableExport(export_format, table).response(f"tablero-{year}.{export_format}")
    return render(
        request,
        "indicators/tablero.html",
        {
            "year": year,
            "years": years,
            "filter": filterset,
            "table": table,
            "cards": selectors.tablero_cards(statuses=statuses),
            "own_directorate": access.directorate_of(request.user),
        },
    )


@login_required
def directorate_list(request):
    year, years, _ = year_context(request)
    status.ensure(year)
    summaries = selectors.directorate_summaries(year=year)
    return render(
        request,
        "indicators/directorates.html",
        {
            "year": year,
            "years": years,
            "summaries": summaries,
            "figure": charts.directorate_comparison_figure(summaries, year=year),
            "own_directorate": access.directorate_of(request.user),
        },
    )


@login_required
def directorate_detail(request, code: str):
    directorate = get_object_or_404(Directorate, code=code)
    year, years, plan_years = year_context(request)
    history, actions, reports, facts = selectors.directorate_history(
        directorate=directorate, years=plan_years
    )
    rows = [selectors.DashboardRow(f, f.status_as_of(year)) for f in facts]
    report_grid = [
        (action, [reports.get((action.pk, y)) for y in plan_years]) for action in actions
    ]
    return render(
        request,
        "indicators/directorate.html",
        {
            "directorate": directorate,
            "year": year,
            "years": years,
            "plan_years": plan_years,
            "history": history,
            "report_grid": report_grid,
            "rows": rows,
            "figure": charts.directorate_progress_figure(
                history, title=f"Avance de {directorate.code} por año"
            ),
        },
    )


@login_required
def report(request):
    year, years, _ = year_context(request)
    status.ensure(year)
    return render(
        request,
        "indicators/report.html",
        {"report": reports.monitoring_report(year=year), "year": year, "years": years},
    )


@login_required
def report_download(request, year: int):
    if year not in selectors.dashboard_years(years=services.plan_years()):
        raise Http404("Año fuera del periodo.")
    status.ensure(year)
    response = HttpResponse(
        reports.report_xlsx(reports.monitoring_report(year=year)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="reporte-seguimiento-{year}.xlsx"'
    return response
