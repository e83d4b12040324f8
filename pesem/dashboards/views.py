"""Dashboards: the tablero, a directorate, the comparison of directorates, the yearly report."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.shortcuts import get_object_or_404, redirect, render
from django_tables2 import RequestConfig

from indicators import access, charts, deadlines, selectors
from indicators.filters import DashboardFilter
from indicators.models import Indicator
from indicators.tables import (
    DashboardTable,
    SafeTableExport,
    StreamedRows,
    stream_delimited,
    stream_workbook,
)
from indicators.workflow import inbox, status
from indicators.years import page_year
from objectives import plans
from objectives.models import Directorate, Role

TABLE_PAGE_SIZE = 50


def paginate_table(table, page: str | None, per_page: int) -> None:
    """The table's page `page` (the first for anything that is not a page number, the last
    past the end), `per_page` rows each."""
    number = int(page) if page and page.isascii() and page.isdigit() else 1
    try:
        table.paginate(page=number, per_page=per_page)
    except PageNotAnInteger:
        table.page = table.paginator.page(1)
    except EmptyPage:
        table.page = table.paginator.page(table.paginator.num_pages)


@login_required
def home(request):
    """The site's address (/). A registrar opening it starts from their work, «Mis tareas»;
    everyone else sees the tablero. An address with a query (a year, a filter, an export) is a
    tablero link and shows the tablero to everyone; the menu links the tablero at /tablero/.
    A person whose entity's plan is another than the PESEM (a pliego's PEI) starts there:
    /planes/<code>/ (indicators.access.default_plan_code)."""
    if not request.GET and getattr(request, "plan_code", None) is None:
        code = access.default_plan_code(request.user)
        if code != plans.SHOWN_CODE:
            return redirect(plans.plan_address(code))
    if not request.GET and Role.REGISTRAR in access.roles(request.user):
        return redirect("my_tasks")
    return tablero(request)


@login_required
def tablero(request):
    chosen = page_year(request)
    year = chosen.year
    status.ensure(year)
    filterset = DashboardFilter(
        request.GET, queryset=Indicator.objects.filter(plan=plans.shown_plan())
    )
    light = filterset.form.cleaned_data.get("light") if filterset.is_valid() else None
    statuses = selectors.tablero_statuses(year=year, indicators=filterset.qs, light=light)
    milestones = plans.milestones()
    export_format = request.GET.get("_export")
    if export_format:
        if not SafeTableExport.is_valid_format(export_format):
            return render(
                request,
                "400.html",
                {"exception": "Formato de exportación no disponible: use CSV, TSV o XLSX."},
                status=400,
            )
        filename = f"tablero-{year}.{export_format}"
        # Rows in list order are read while they are sent (thousands of them at scale).
        table = DashboardTable(
            StreamedRows(selectors.tablero_stream(statuses=statuses)), milestones=milestones
        )
        if request.GET.get(table.prefixed_order_by_field):
            # Sorted by a column: every row is read first.
            table = DashboardTable(selectors.tablero_rows(statuses=statuses), milestones=milestones)
            RequestConfig(request, paginate=False).configure(table)
        if export_format == SafeTableExport.XLSX:
            return stream_workbook(f"Tablero {year}", table, filename)
        return stream_delimited(export_format, table, filename)
    rows = selectors.tablero_rows(statuses=statuses)
    # Counted before the table sorts the rows by a column.
    summary = selectors.tablero_summary(rows=rows)
    table = DashboardTable(rows, sequence=DashboardTable.PAGE_SEQUENCE, milestones=milestones)
    # Paginated so the page stays light whatever the plan's size. The page size is ours: a
    # `per_page` in the address (django-tables2 reads one) is ignored, so -1 or 10**9 cannot
    # break or bloat the page.
    RequestConfig(request, paginate=False).configure(table)
    paginate_table(table, request.GET.get(table.prefixed_page_field), TABLE_PAGE_SIZE)
    return render(
        request,
        "indicators/tablero.html",
        {
            "year": year,
            "years": chosen.plan_years,
            "year_choice": chosen.choice,
            "filter": filterset,
            "table": table,
            "cards": summary.cards,
            "coverage": summary.coverage,
            "thresholds": selectors.thresholds(),
            "own_directorate": access.directorate_of(request.user),
        },
    )


@login_required
def directorate_list(request):
    chosen = page_year(request)
    year, plan_years = chosen.year, chosen.plan_years
    status.ensure(year)
    summaries = selectors.directorate_summaries(year=year)
    # The year's deadline, for «¿Quién no ha reportado?»; years before the plan are not due.
    # Read for any year, so the page's queries do not depend on which year it shows.
    due = inbox.due_of(year=year, today=deadlines.today())
    if year not in plan_years:
        due = None
    return render(
        request,
        "indicators/directorates.html",
        {
            "year": year,
            "years": chosen.plan_years,
            "year_choice": chosen.choice,
            "summaries": summaries,
            "figure": charts.directorate_comparison_figure(summaries, year=year),
            "own_directorate": access.directorate_of(request.user),
            "due": due,
        },
    )


@login_required
def directorate_detail(request, code: str):
    directorate = get_object_or_404(Directorate, entity=plans.shown_entity(), code=code)
    chosen = page_year(request)
    year, plan_years = chosen.year, chosen.plan_years
    history, actions, reports, facts = selectors.directorate_history(
        directorate=directorate, years=plan_years
    )
    rows, coverage = selectors.year_rows(facts=facts, year=year)
    report_grid = [
        (action, [reports.get((action.pk, y)) for y in plan_years]) for action in actions
    ]
    return render(
        request,
        "indicators/directorate.html",
        {
            "directorate": directorate,
            "year": year,
            "years": plan_years,
            "plan_years": plan_years,
            "year_choice": chosen.choice,
            "history": history,
            "report_grid": report_grid,
            "rows": rows,
            "coverage": coverage,
            "thresholds": selectors.thresholds(),
            "figure": charts.directorate_progress_figure(
                history, title=f"Avance de {directorate.code} por año"
            ),
            # The grid is the directorate's drafts: linked only for who may read them (the
            # page cache keeps a copy per drafts scope, access.drafts_scope_of).
            "links_grid": access.can_see_drafts_of(request.user, directorate.pk),
        },
    )
