"""The prospective analysis page: what the plan assumed about the world."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from pesem.dashboards import prospective_charts as charts
from pesem.dashboards.prospective_selectors import prospective_overview


@login_required
def prospective(request: HttpRequest) -> HttpResponse:
    overview = prospective_overview()
    return render(
        request,
        "prospective/index.html",
        {
            "overview": overview,
            "trend_heatmap": charts.trend_heatmap_figure(overview.components, overview.trends),
            "variable_charts": [
                (block, charts.variable_series_figure(block) if block.has_data else None)
                for block in overview.variables
            ],
        },
    )
