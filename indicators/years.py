"""The year a staff page shows, chosen from the request (?anio=) or by
progress.default_year, with the reason the page states."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404

from indicators import progress, selectors, services
from indicators.filters import YearForm


@dataclass(frozen=True)
class PageYear:
    year: int
    years: range  # years with data or plan (charts draw the document's history too)
    plan_years: range  # the plan's horizon: the years a page may show (the year select)
    choice: progress.YearChoice | None  # why this year, when the request named none


def page_year(request) -> PageYear:
    """The year a staff page shows: the one asked for (?anio=) when it is a year of the
    plan's horizon, else progress.default_year's (the latest plan year with a sent or
    validated value, else the plan's first), with the reason the page states. A year
    outside the horizon (2014, before the plan) is refused and the page says so."""
    plan_years = services.plan_years()
    if not plan_years:
        raise Http404("No hay un plan cargado.")
    years = selectors.dashboard_years(years=plan_years)
    form = YearForm(request.GET, years=plan_years)
    if form.is_valid():
        return PageYear(form.cleaned_data["anio"], years, plan_years, None)
    choice = selectors.default_year_choice(horizon=plan_years, asked=request.GET.get("anio"))
    return PageYear(choice.year, years, plan_years, choice)
