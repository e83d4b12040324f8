"""The entry grid at size: one directorate owing N indicators (1,000 by default), its GET and
its saves, timed in process (Django's test client: middleware, view, queries, template), each
GET after a write (the page cache's miss: pesem/cache/pages.py). Prints figures and checks
nothing but the answers' status (the query count is pinned in tests/indicators/entry/test_grid.py).

Runs in a separate database (never the one of `make run`): a temporary SQLite file, or
BENCH_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/pesem_bench, dropped and created).

    python bench/grid_bench.py [--indicators 1000 10000] [--repeat 3]
                               [--save-every-page-upto 1000]

The grid shows PAGE_SIZE rows a page (indicators/entry/grid_views.py) and the browser posts only the
rows typed in (static/js/grid.js); the saves here post what it would. Columns: the GET's
median time, queries and size; a save of 10 rows typed in; a save of a whole page with every
row typed in (the worst case: every row sent), median and the sum over every page (the first
three above --save-every-page-upto); the most fields a save posted (Django refuses a request
with more than DATA_UPLOAD_MAX_NUMBER_FIELDS, 1,000, which is left as it is).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench import configure, fresh_database  # noqa: E402

USERNAME = "bench.grid"
PASSWORD = "bench-grid-clave-1"
YEAR = 2016


def grow(directorate_code: str, count: int, start: int) -> None:
    """`count` more ratio indicators of the directorate with a validated 2014 value, a target
    for YEAR and a draft for YEAR on every other one (half the rows prefilled): the tests'
    factory (tests/factories.py), so the bench measures the grid the tests pin."""
    from tests.factories import add_indicators

    add_indicators(
        directorate_code,
        count,
        start=start,
        year=YEAR,
        code="BG.{n}",
        order=1000,
        every=2,
        final_target=False,
    )


def make_registrar():
    from django.contrib.auth import get_user_model

    from objectives.models import Role
    from tests.factories import make_staff

    return make_staff(get_user_model(), USERNAME, Role.REGISTRAR, "DGC", password=PASSWORD)


def timed(call):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        response = call()
        seconds = time.perf_counter() - start
    return response, seconds, len(ctx.captured_queries)


def posted_data(indicators) -> dict[str, str]:
    """What grid.js posts when every row of `indicators` was typed in: those rows' inputs
    (the others are disabled, so not sent)."""
    from indicators.models import IndicatorValue

    versions = dict(
        IndicatorValue.objects.filter(year=YEAR, indicator__in=indicators).values_list(
            "indicator_id", "version"
        )
    )
    data: dict[str, str] = {"save": ""}
    for indicator in indicators:
        prefix = f"r{indicator.pk}-"
        data[prefix + "version"] = str(versions.get(indicator.pk, ""))
        data[prefix + "numerator"] = "3"
        data[prefix + "denominator"] = "4"
        for name in ("note", "analysis", "measures", "justification", "evidence_url"):
            data[prefix + name] = ""
        data[prefix + "pending_file"] = ""
    return data


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--indicators", type=int, nargs="+", default=[1000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--save-every-page-upto",
        type=int,
        default=1000,
        help="save every page only at sizes up to this (else the first three pages)",
    )
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL") or (
        "sqlite:///" + str(Path(tempfile.gettempdir()) / "pesem_grid_bench.sqlite3")
    )
    fresh_database(url)
    configure(url)

    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from indicators.entry.grid_views import PAGE_SIZE
    from indicators.models import IndicatorValue
    from pesem.cache import data as datacache
    from pesem.planio.loading import load_plan

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    load_plan(settings.PLAN_FIXTURES_DIR)
    make_registrar()
    client = Client()
    client.force_login(get_user_model_user())
    grid = reverse("grid", args=["DGC", YEAR])
    limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    print(f"Base de datos: {url.split('@')[-1]}")
    print(f"Límite de campos (DATA_UPLOAD_MAX_NUMBER_FIELDS): {limit}")
    print(
        f"{'indicadores':>11} {'GET s (mediana)':>16} {'consultas':>9} {'KB':>8} "
        f"{'POST 10 filas s':>15} {'POST página s':>14} {'todas s':>10} {'campos máx.':>13}"
    )
    have = 0
    for total in sorted(args.indicators):
        grow("DGC", total - have, have)
        have = total
        client.get(grid)  # warm (session, content types)
        runs = []
        for _ in range(args.repeat):
            datacache.bump()  # a write: the kept copy is stale, the grid is built (a miss)
            runs.append(timed(lambda: client.get(grid)))
        response = runs[-1][0]
        get_seconds = statistics.median(s for _, s, _ in runs)
        queries = runs[-1][2]
        size_kb = len(response.content) / 1024

        print(f"{total:>11,} {get_seconds:>16.3f} {queries:>9} {size_kb:>8,.0f} ", end="")
        sys.stdout.flush()

        ordered = grid_order()
        ten = posted_data(ordered[:10])
        saved, ten_seconds, _ = timed(lambda data=ten: client.post(grid, data))
        assert saved.status_code == 302, saved.status_code

        # Every row typed in, saved page by page (each page's rows all sent: the worst case).
        page_seconds, most_fields = [], 0
        starts = list(range(0, len(ordered), PAGE_SIZE))
        if total > args.save_every_page_upto:
            starts = starts[:3]
        for number, start in enumerate(starts, start=1):
            data = posted_data(ordered[start : start + PAGE_SIZE])
            most_fields = max(most_fields, len(data) + 1)  # and the CSRF token
            saved, seconds, _ = timed(
                lambda data=data, number=number: client.post(f"{grid}?pagina={number}", data)
            )
            assert saved.status_code == 302, saved.status_code
            page_seconds.append(seconds)
        rows = IndicatorValue.objects.filter(year=YEAR, indicator__code__startswith="BG.")
        if total <= args.save_every_page_upto:
            assert rows.filter(numerator=3).count() == total  # every row stored
        print(
            f"{ten_seconds:>15.3f} {statistics.median(page_seconds):>14.3f} "
            f"{sum(page_seconds):>10.1f} {most_fields:>13}"
        )
    return 0


def grid_order():
    """The directorate's indicators in the grid's order (its pages)."""
    from indicators import entry_rows as entry
    from indicators.models import Indicator
    from objectives.models import Directorate

    order = entry.entry_order(directorate=Directorate.objects.get(code="DGC"))
    found = Indicator.objects.in_bulk([pk for pk, _ in order])
    return [found[pk] for pk, _ in order]


def get_user_model_user():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=USERNAME)


if __name__ == "__main__":
    sys.exit(main())
