"""Actors of Anexo 3 and the influence matrix, navigable from actors and from variables."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from actors import charts, selectors
from actors.filters import ActorFilter
from actors.models import Actor


@login_required
def actor_list(request: HttpRequest) -> HttpResponse:
    search = ActorFilter(request.GET, queryset=Actor.objects.all())
    query = search.form.cleaned_data.get("q", "").strip() if search.is_valid() else ""
    directory = selectors.actor_directory(matching=search.qs if query else None, query=query)
    counts = selectors.variable_counts()
    return render(
        request,
        "actors/list.html",
        {
            "search": search,
            "directory": directory,
            "counts": counts,
            "counts_figure": charts.variable_counts_figure(counts),
        },
    )


@login_required
def actor_detail(request: HttpRequest, key: str) -> HttpResponse:
    data = selectors.actor_influences(key=key)
    return render(request, "actors/detail.html", {"data": data})


@login_required
def variable_actors(request: HttpRequest, code: str) -> HttpResponse:
    data = selectors.variable_actors(code=code)
    return render(request, "actors/variable.html", {"data": data})


@login_required
def influence_matrix(request: HttpRequest) -> HttpResponse:
    return render(request, "actors/matrix.html", {"matrix": selectors.influence_matrix()})
