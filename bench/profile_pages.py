"""Where a page's time goes when it is built (a page-cache MISS), at seed size and at scale.

    python bench/profile_pages.py [--indicators 5000] [--years 30] [--pages tablero,objetivo,...]

Builds its own database (SQLite, /tmp/pesem-profile.sqlite3) like `make bench`, turns the page
cache off (PESEM_PAGE_CACHE), and requests each page through Django's test client while a
thread samples the request's stack every millisecond (a statistical profiler, like
pyinstrument, without installing one). Each sample is put in one bucket, the first that
matches any frame of the stack, in this order:

    consultas      django.db: building the SQL, running it, making model instances
    figuras        plotly figures and their JSON
    SVG            the report's charts (pesem/report/charts.py)
    PDF            WeasyPrint
    XLSX           openpyxl
    tablas2        django-tables2 (its rows, columns and templates)
    CSV            tablib (the tablero's export)
    plantillas     Django templates (rendering, filters, number formats)
    proyecto       our own Python (views, selectors, progress arithmetic)
    otros          Django's request handling, middleware, the rest

and prints the shares, the SQL time the database itself reported, and the functions with most
samples: where the time is spent (own time) and under which of our functions."""

from __future__ import annotations

import argparse
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import bench  # noqa: E402  (after the path is set)

PAGES = {
    "tablero": "/?anio=2016",
    "objetivo": "/objetivos/1/",
    "reporte": "/reporte/",
    "tablero CSV": "/?_export=csv",
    "plan": "/plan/",
    "portal objetivo": "/publico/objetivos/1/",
}
DEFAULT = "tablero,objetivo,reporte,tablero CSV"
BUCKETS = [
    ("consultas", ("/django/db/",)),
    ("figuras", ("/plotly/", "/_plotly_utils/", "/json/encoder.py", "/objectives/charts.py")),
    ("SVG", ("/pesem/report_charts.py",)),
    ("PDF", ("/weasyprint/", "/pydyf/", "/tinycss2/", "/cssselect2/", "/fontTools/")),
    ("XLSX", ("/openpyxl/",)),
    ("tablas2", ("/django_tables2/",)),
    ("CSV", ("/tablib/",)),
    (
        "plantillas",
        ("/django/template/", "/django/templatetags/", "/django/utils/formats.py", "/humanize/"),
    ),
]
PROJECT_DIRS = tuple(f"{ROOT}/{app}/" for app in ("pesem", "indicators", "objectives", "actors"))
OWN_MIDDLEWARE = (f"{ROOT}/pesem/middleware.py", f"{ROOT}/pesem/pagecache.py")


def short(code) -> str:
    name = code.co_filename
    for marker in ("site-packages/", f"{ROOT}/", "/lib/python3"):
        if marker in name:
            name = name.split(marker, 1)[1]
            break
    return f"{name}:{code.co_name}"


class Sampler(threading.Thread):
    def __init__(self, thread_id: int, interval: float = 0.001):
        super().__init__(daemon=True)
        self.thread_id = thread_id
        self.interval = interval
        self.buckets: Counter[str] = Counter()
        self.leaf: Counter[str] = Counter()
        self.ours: Counter[str] = Counter()
        self.running = threading.Event()
        self.running.set()

    def run(self) -> None:
        while self.running.is_set():
            frame = sys._current_frames().get(self.thread_id)
            if frame is not None:
                self.sample(frame)
            time.sleep(self.interval)

    def sample(self, frame) -> None:
        files = []
        leaf = None
        ours = None
        f = frame
        while f is not None:
            name = f.f_code.co_filename
            files.append(name)
            if leaf is None and ("site-packages" in name or name.startswith(PROJECT_DIRS)):
                leaf = short(f.f_code)
            if ours is None and name.startswith(PROJECT_DIRS) and name not in OWN_MIDDLEWARE:
                ours = short(f.f_code)
            f = f.f_back
        bucket = next(
            (b for b, marks in BUCKETS if any(m in n for n in files for m in marks)), None
        )
        if bucket is None:
            innermost = next(
                (n for n in files if "site-packages" in n or n.startswith(PROJECT_DIRS)), ""
            )
            bucket = "proyecto" if innermost.startswith(PROJECT_DIRS) else "otros"
        self.buckets[bucket] += 1
        self.leaf[leaf or short(frame.f_code)] += 1
        if ours:
            self.ours[ours] += 1


def profile(client, anon, label: str, url: str, *, min_seconds: float) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = anon if label.startswith("portal") else client
    c.get(url)  # templates loaded, statuses stored
    sampler = Sampler(threading.get_ident())
    sys.setswitchinterval(0.0005)
    sampler.start()
    runs, sql, queries = 0, 0.0, 0
    start = time.perf_counter()
    while runs == 0 or time.perf_counter() - start < min_seconds:
        with CaptureQueriesContext(connection) as ctx:
            response = c.get(url)
        assert response.status_code == 200, (url, response.status_code)
        runs += 1
        queries = len(ctx.captured_queries)
        sql += sum(float(q["time"]) for q in ctx.captured_queries)
    elapsed = time.perf_counter() - start
    sampler.running.clear()
    sampler.join()
    sys.setswitchinterval(0.005)
    total = sum(sampler.buckets.values()) or 1
    each = elapsed / runs
    print(
        f"\n{label} ({url}): {each * 1000:.0f} ms por solicitud ({runs} solicitudes, "
        f"{len(response.content) / 1024:.0f} KB); {queries} consultas, SQL en la base "
        f"{sql / runs * 1000:.0f} ms"
    )
    order = ["consultas", "plantillas", "tablas2", "figuras", "SVG", "PDF", "XLSX", "CSV"]
    shares = [
        f"{b} {sampler.buckets[b] / total:.0%}"
        for b in order + ["proyecto", "otros"]
        if sampler.buckets[b]
    ]
    print("  reparto: " + ", ".join(shares))
    print("  más tiempo propio:")
    for name, n in sampler.leaf.most_common(8):
        print(f"    {n / total:5.0%}  {name}")
    print("  bajo nuestras funciones (la más interna del proyecto):")
    for name, n in sampler.ours.most_common(8):
        print(f"    {n / total:5.0%}  {name}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--indicators", type=int, default=5000)
    parser.add_argument("--years", type=int, default=30)
    parser.add_argument("--actions", type=int, default=500)
    parser.add_argument("--directorates", type=int, default=60)
    parser.add_argument("--pages", default=DEFAULT, help=f"de: {', '.join(PAGES)}")
    args = parser.parse_args()
    url = "sqlite:////tmp/pesem-profile.sqlite3"
    bench.fresh_database(url)
    bench.configure(url)

    # After configure(): settings and models exist only now.
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client, override_settings

    from indicators.workflow import status
    from pesem.planio.loading import load_plan

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    load_plan(settings.PLAN_FIXTURES_DIR)
    client, anon = Client(), Client()
    client.force_login(bench.make_user())
    chosen = [(label, PAGES[label]) for label in args.pages.split(",")]
    with override_settings(PESEM_PAGE_CACHE=False, PESEM_PUBLIC_PORTAL=True):
        print("=== Tamaño semilla (página construida: caché de páginas apagada)")
        for label, page in chosen:
            profile(client, anon, label, page, min_seconds=2)
        bench.grow(
            indicators=args.indicators,
            years=args.years,
            actions=args.actions,
            directorates=args.directorates,
        )
        status.refresh()
        print(f"\n=== A escala (+{args.indicators} indicadores × {args.years} años)")
        for label, page in chosen:
            profile(client, anon, label, page, min_seconds=0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
