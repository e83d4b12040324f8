"""The public portal (/publico/): the plan and its validated figures for anyone, without
login, and the open-data downloads. Every view reads pesem.published.reads (validated data only) and
goes through `portal_view`: 404 while PESEM_PUBLIC_PORTAL is off, 429 past the rate limit,
`Cache-Control: public, max-age=300` and an ETag from the data's version (304 when unchanged).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.views.decorators.http import condition, require_safe

from indicators import progress
from indicators.filters import YearForm
from indicators.models import ReportConclusion
from indicators.workflow import status
from objectives import plans
from pesem.cache import data as datacache
from pesem.cache import pages
from pesem.limits import rate as ratelimit
from pesem.models import PreparedReport
from pesem.portal import datapackage as opendata
from pesem.published import reads as public
from pesem.published import scope
from pesem.report import files as report_files

# Requests per client IP (as pesem.middleware.client_ip finds it) and minute, pages and
# downloads together: far above a person browsing, low enough to stop a scraper's flood.
RATE_WINDOW = 60
MAX_AGE = 300  # seconds a browser or proxy may keep a page before asking again (ETag)
MAX_CHARTS = 12  # charts on an objective page; the table lists every indicator
JSON_TYPE = "application/json"
CSV_TYPE = "text/csv; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"
PDF_TYPE = "application/pdf"
PREPARING_RETRY = 60  # seconds before asking again for a public PDF being prepared


def _official(request: HttpRequest) -> int:
    """The official data version, read once per request (the ETag and the kept page both
    use it)."""
    version: int | None = getattr(request, "_portal_official", None)
    if version is None:
        version = datacache.current().official
        request._portal_official = version  # type: ignore[attr-defined]
    return version


def _etag(request: HttpRequest, *args: object, **kwargs: object) -> str:
    return public.data_version(_official(request))


def _too_many(request: HttpRequest) -> HttpResponse:
    response = render(request, "portal/429.html", status=429)
    response["Retry-After"] = str(RATE_WINDOW)
    patch_cache_control(response, no_store=True)
    return response


def _kept(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A portal page is the same for everyone (no name, no form token, no nonce): it is kept as
    the staff pages are (pesem.cache.pages: claim, keep, release, replay; one build at a time),
    per official data version and full address, with nothing personal to put back. Files have
    their own cache (_cached) and are not kept twice."""

    @wraps(view)
    def inner(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not settings.PESEM_PAGE_CACHE:
            return view(request, *args, **kwargs)
        key = datacache.key(
            "portal-page",
            *public.shape(),
            request.get_full_path(),
            version=_official(request),
            official=True,
        )
        entry, building = pages.claim(key)
        if entry is not None:
            return pages.replay(entry)
        try:
            response = view(request, *args, **kwargs)
            if not response.streaming and response.get("Content-Type") == HTML_TYPE:
                pages.keep(key, response)
            return response
        finally:
            if building:
                pages.release(key)

    return inner


# The query parameters each page reads; any other, or a value out of range, is dropped by a
# redirect to the canonical address before anything is built or kept (one copy per address).
PARAMS = {"home": ("anio",), "objective": ("anio",)}


def _offered(request: HttpRequest) -> range:
    """The years a page offers (?anio=): with the page cache, one cache read per official
    version; without it, public_years() read once for the request (the page reuses it)."""
    if settings.PESEM_PAGE_CACHE:
        return pages.page_years()
    years = _public_years(request)
    return years.years if years is not None else range(0)


def _public_years(request: HttpRequest) -> public.PublicYears | None:
    if not hasattr(request, "_portal_years"):
        request._portal_years = public.public_years(  # type: ignore[attr-defined]
            asked=request.GET.get("anio")
        )
    return request._portal_years  # type: ignore[attr-defined, no-any-return]


def _canonical(request: HttpRequest, known: tuple[str, ...]) -> str | None:
    """The address without unknown parameters and out-of-range values, or None when the
    request's address is already that."""
    kept = []
    for param, values in request.GET.lists():
        if param not in known or len(values) != 1:
            continue
        raw = values[0]
        if param == "anio" and not (
            len(raw) == 4 and raw.isascii() and raw.isdigit() and int(raw) in _offered(request)
        ):
            continue
        kept.append((param, raw))
    if kept == [(param, raw) for param, values in request.GET.lists() for raw in values]:
        return None
    query = urlencode(sorted(kept))
    return f"{request.path}?{query}" if query else request.path


def portal_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    conditional = condition(etag_func=_etag)(_kept(view))
    known = PARAMS.get(view.__name__, ())

    @require_safe
    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not settings.PESEM_PUBLIC_PORTAL:
            raise Http404("El portal público no está habilitado.")
        # The portal is the same for everyone: it never reads nor writes a session (a signed-in
        # visitor's would otherwise be saved, and its cookie sent, with a public answer).
        request.user = AnonymousUser()
        if not ratelimit.hit_client(
            request, "portal", limit=settings.PESEM_PORTAL_RATE_LIMIT, window=RATE_WINDOW
        ):
            return _too_many(request)
        canonical = _canonical(request, known)
        if canonical is not None:
            return HttpResponseRedirect(canonical)
        response = conditional(request, *args, **kwargs)
        if response.status_code in (200, 304) and not response.cookies:
            patch_cache_control(response, public=True, max_age=MAX_AGE)
        return response

    return wrapper


def _years(request: HttpRequest) -> tuple[int, public.PublicYears, progress.YearChoice | None]:
    """(chosen year, the years, why this year) for a page: the plan year asked for, else
    the latest plan year with a validated value (progress.default_year; a year outside the
    plan's horizon is refused and the page says so)."""
    years = _public_years(request)
    if years is None:
        raise Http404("No hay un plan cargado.")
    form = YearForm(request.GET, years=years.plan_years)
    if form.is_valid():
        year, choice = form.cleaned_data["anio"], None
    else:
        year, choice = years.default, years.choice
    status.ensure(year)
    return year, years, choice


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    return response


def _json_bytes(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


def _json_response(content: bytes) -> HttpResponse:
    return HttpResponse(content, content_type=f"{JSON_TYPE}; charset=utf-8")


# --- pages --------------------------------------------------------------------------------


@portal_view
def home(request: HttpRequest) -> HttpResponse:
    year, years, choice = _years(request)
    return render(
        request,
        "portal/home.html",
        {
            "home": public.public_home(year=year),
            "year": year,
            "years": years.plan_years,
            "year_choice": choice,
        },
    )


@portal_view
def objective(request: HttpRequest, number: int) -> HttpResponse:
    year, years, choice = _years(request)
    page = public.public_objective_page(number=number, year=year)
    if page is None:
        raise Http404("Objetivo no encontrado.")
    figures = [
        (i, public.indicator_chart(i, years=years.years, height=320))
        for i in page.indicators[:MAX_CHARTS]
    ]
    return render(
        request,
        "portal/objective.html",
        {
            "page": page,
            "figures": figures,
            "charts_truncated": len(page.indicators) > MAX_CHARTS,
            "year": year,
            "years": years.plan_years,
            "year_choice": choice,
        },
    )


@portal_view
def indicator(request: HttpRequest, code: str) -> HttpResponse:
    _, years, _ = _years(request)
    published = public.narrative()
    found = public.public_indicator(code=code, published=published)
    if found is None:
        raise Http404("Indicador no encontrado.")
    return render(
        request,
        "portal/indicator.html",
        {
            "indicator": found,
            "figure": public.indicator_chart(found, years=years.years),
            "published": published,
        },
    )


@portal_view
def reports(request: HttpRequest) -> HttpResponse:
    years = public.public_years()
    plan_years = list(years.plan_years) if years else []
    return render(
        request,
        "portal/reports.html",
        {"years": plan_years, "pdf_years": public_pdf_years(plan_years)},
    )


def public_pdf_years(plan_years: list[int]) -> set[int]:
    """Plan years whose conclusions are validated: each has a public PDF (one query)."""
    return {
        year
        for year in ReportConclusion.objects.filter(
            scope.public_items(), plan=plans.shown_plan(), year__in=plan_years
        ).values_list("year", flat=True)
    }


@portal_view
def report_pdf(request: HttpRequest, year: int) -> HttpResponse:
    """The year's monitoring report as a PDF, public variant (pesem.report.content: validated data
    only, no internal notes, offices instead of people), for a year whose conclusions are
    validated. Built once per official data version and kept like the internal files
    (pesem.report.files); on a large plan, built by `build_reports` while this answers 503
    with Retry-After."""
    years = public.public_years()
    if years is None or year not in public_pdf_years(list(years.plan_years)):
        raise Http404("No hay un reporte validado de ese año.")
    variant = PreparedReport.Variant.PUBLIC
    file_format = PreparedReport.Format.PDF
    name = report_files.filename(year, file_format, variant)
    if not report_files.keeping():
        return _download(report_files.build_bytes(year, file_format, variant), PDF_TYPE, name)
    version = _official(request)
    row, stored = report_files.open_kept(year, file_format, version, variant)
    if stored is not None:
        return FileResponse(stored, as_attachment=True, filename=name, content_type=PDF_TYPE)
    if row is None and report_files.built_in_request():
        content = report_files.build_and_keep(year, file_format, version, variant)
        return _download(content, PDF_TYPE, name)
    if row is None:
        report_files.request_file(year, file_format, version, None, variant)
    response = render(request, "portal/report_preparing.html", {"year": year}, status=503)
    response["Retry-After"] = str(PREPARING_RETRY)
    patch_cache_control(response, no_store=True)
    return response


@portal_view
def report_xlsx(request: HttpRequest, year: int) -> HttpResponse:
    years = public.public_years()
    if years is None or year not in years.plan_years:
        raise Http404("Año fuera del periodo del plan.")

    def build() -> bytes:
        status.ensure(year)
        published = public.narrative()
        return opendata.report_workbook(
            year=year,
            objectives=public.public_objectives(),
            indicators=public.public_indicators(published=published),
            reports=public.public_reports(year=year, published=published),
            published=published,
        )

    content = _cached(("report", year), build)
    return _download(content, opendata.XLSX_TYPE, f"reporte-seguimiento-publico-{year}.xlsx")


@portal_view
def data(request: HttpRequest) -> HttpResponse:
    resources = [opendata.about(name) for name in opendata.RESOURCES]
    return render(
        request,
        "portal/data.html",
        {
            "resources": resources,
            "indicators": public.public_indicator_index(),
            "license": opendata.LICENSE,
        },
    )


# --- downloads ----------------------------------------------------------------------------
# Each file is built once per data version and kept in the shared cache (pesem.cache.data;
# PESEM_PAGE_CACHE, off in tests): at thousands of indicators a file costs seconds to build.


def _cached(parts: tuple[object, ...], build: Callable[[], bytes]) -> bytes:
    # Validated data only: a draft saved changes no file (the official counter).
    return datacache.cached(("portal", *public.shape(), *parts), build, official=True)


def _dataset() -> public.PublicDataset:
    years = public.public_years()
    if years is not None:
        status.ensure(years.default)
    return public.public_dataset()


@portal_view
def datapackage(request: HttpRequest) -> HttpResponse:
    content = _cached(("datapackage",), lambda: _json_bytes(opendata.datapackage(_dataset())))
    return _json_response(content)


@portal_view
def resource_csv(request: HttpRequest, name: str) -> HttpResponse:
    if name not in opendata.TABLES:
        raise Http404("Recurso no encontrado.")

    def build() -> bytes:
        table = opendata.table(_dataset(), name)
        assert table is not None  # the name is one of TABLES
        return opendata.csv_bytes(table)

    return _download(_cached(("csv", name), build), CSV_TYPE, f"{name}.csv")


@portal_view
def plan_xlsx(request: HttpRequest) -> HttpResponse:
    content = _cached(("plan.xlsx",), lambda: opendata.plan_workbook(_dataset()))
    return _download(content, opendata.XLSX_TYPE, "plan.xlsx")


@portal_view
def plan_json(request: HttpRequest) -> HttpResponse:
    content = _cached(("plan.json",), lambda: _json_bytes(opendata.plan_json(_dataset())))
    return _json_response(content)


def _one_indicator(code: str) -> tuple[public.PublicIndicator, public.Narrative]:
    years = public.public_years()
    if years is not None:
        status.ensure(years.default)
    published = public.narrative()
    found = public.public_indicator(code=code, published=published)
    if found is None:
        raise Http404("Indicador no encontrado.")
    return found, published


def _indicator_csv_bytes(code: str) -> bytes:
    found, published = _one_indicator(code)
    return opendata.csv_bytes(opendata.indicator_series_table(found, published))


def _indicator_xlsx_bytes(code: str) -> bytes:
    found, published = _one_indicator(code)
    return opendata.indicator_workbook(found, published)


@portal_view
def indicator_csv(request: HttpRequest, code: str) -> HttpResponse:
    content = _cached(("indicator.csv", code), lambda: _indicator_csv_bytes(code))
    return _download(content, CSV_TYPE, f"{code}.csv")


@portal_view
def indicator_xlsx(request: HttpRequest, code: str) -> HttpResponse:
    content = _cached(("indicator.xlsx", code), lambda: _indicator_xlsx_bytes(code))
    return _download(content, opendata.XLSX_TYPE, f"{code}.xlsx")
