"""make bench: the main pages at seed size and at scale, in process and through HTTP.

Runs in a separate database (never the one of `make run`): SQLite file by default, or
BENCH_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/pesem_bench, created if missing).

In process: each page is requested through Django's test client (the whole server side:
middleware, view, queries, template) as a user who sees everything (validator, and registrar
of DGC for the personal pages). Two numbers a page: the MISS (the first request after a write,
which builds the page and keeps it: pesem/cache/pages.py) and the HIT (a kept page), each with
its queries and server time and compared with the trivial page /cuenta/ of the same run. At
scale a miss runs in a child process stopped after --limit seconds (gunicorn's timeout).

With --http (what `make bench` runs) the same pages go through gunicorn and wrk, with the
database cache and with Redis: bench/bench_http.py. At seed size the main pages are also
measured built from nothing (a gunicorn with PESEM_PAGE_CACHE=0: what the first reader after a
validation pays), printed beside the kept ones, each held to 1/5 of the trivial page's rate;
`--http --misses-only` measures only those (a few minutes).

    python bench/bench.py [--http] [--wrk-seconds 5] [--limit 60] [--indicators 5000]
                          [--years 30] [--actions 500] [--directorates 60] [--misses-only]
"""

from __future__ import annotations

import argparse
import json
import os
import select
import signal
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def configure(database_url: str, static_root: Path | None = None) -> None:
    """Django for the in-process bench. With static_root, static files are collected there and
    served as in production (hashed names), so a page kept here is the page gunicorn keeps."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault(
        "DJANGO_SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
    )
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ["DJANGO_SSL_REDIRECT"] = "0"
    if static_root is None:
        os.environ["PESEM_PLAIN_STATIC"] = "1"
    else:
        os.environ.pop("PESEM_PLAIN_STATIC", None)
        os.environ["DJANGO_STATIC_ROOT"] = str(static_root)
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
    # Every request comes from one address: the portal's per-IP limit (120 a minute) would
    # answer 429 and the bench would measure the limiter (as in bench_http.server_env).
    os.environ["PESEM_PORTAL_RATE_LIMIT"] = "100000000"
    os.environ["DJANGO_SETTINGS_MODULE"] = "pesem.settings"
    import django

    django.setup()


def ensure_postgres_database(url: str) -> None:
    from urllib.parse import urlparse

    import psycopg2

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = psycopg2.connect(
        host=parsed.hostname,
        port=parsed.port or 5432,
        user=parsed.username,
        password=parsed.password,
        dbname="postgres",
    )
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cur.fetchone():
            cur.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def fresh_database(url: str) -> None:
    if url.startswith("sqlite"):
        Path(url.split("sqlite:///", 1)[1]).unlink(missing_ok=True)
    else:
        ensure_postgres_database(url)


def grow(*, indicators: int, years: int, actions: int, directorates: int) -> None:
    """A synthetic plan at scale, on top of the published one."""
    # Imported here: Django is configured at run time, for the database chosen on the command line.
    from decimal import Decimal

    from django.db import transaction

    from indicators.models import ActionReport, Indicator, IndicatorValue, Target
    from objectives.models import Directorate, Plan, StrategicAction, StrategicObjective

    plan = Plan.objects.get()
    with transaction.atomic():
        dirs = Directorate.objects.bulk_create(
            Directorate(entity=plan.entity, code=f"D{n:02d}", name=f"Dirección sintética {n}")
            for n in range(directorates)
        )
        objectives = list(StrategicObjective.objects.all())
        extra = Indicator.objects.bulk_create(
            Indicator(
                plan=plan,
                code=f"SYN.{n}",
                name=f"Indicador sintético {n}",
                numerator="numerador",
                denominator="denominador",
                level="objective",
                objective=objectives[n % 4],
                responsible=dirs[n % directorates],
                order=1000 + n,
            )
            for n in range(indicators)
        )
        first_year = 2021 - years + 1
        batch = []
        for n, ind in enumerate(extra):
            for y in range(first_year, 2022):
                batch.append(
                    IndicatorValue(
                        indicator=ind,
                        year=y,
                        numerator=Decimal(100 + y - first_year + n % 7),
                        denominator=Decimal(100),
                        value=Decimal(1 + (y - first_year) / 100 + (n % 7) / 100),
                        state="validated",
                        origin="plan",
                        source="sintético",
                    )
                )
            if len(batch) > 20000:
                IndicatorValue.objects.bulk_create(batch)
                batch = []
        IndicatorValue.objects.bulk_create(batch)
        Target.objects.bulk_create(
            Target(indicator=ind, kind=k, year=y, value=Decimal(v), source="Anexo 6")
            for ind in extra
            for k, y, v in (
                ("baseline", 2014, "1.1"),
                ("target", 2016, "1.2"),
                ("target", 2021, "1.5"),
            )
        )
        new_actions = StrategicAction.objects.bulk_create(
            StrategicAction(
                objective=objectives[n % 4],
                plan=plan,
                code=f"{n % 4 + 1}.{100 + n}",
                order=1000 + n,
                name=f"Acción sintética {n}",
                importance=1 + n % 4,
            )
            for n in range(actions)
        )
        Through = StrategicAction.responsibles.through
        Through.objects.bulk_create(
            Through(strategicaction_id=a.pk, directorate_id=dirs[n % directorates].pk)
            for n, a in enumerate(new_actions)
        )
        ActionReport.objects.bulk_create(
            ActionReport(
                action=a,
                directorate=dirs[n % directorates],
                year=y,
                percent=Decimal(10 * (y - 2014)),
                execution="in_progress",
                state="validated",
            )
            for n, a in enumerate(new_actions)
            for y in range(2015, 2022)
        )


TRIVIAL = "trivial (/cuenta/)"
# The main read pages (label, address); a page whose route does not exist is left out.
PAGES = [
    (TRIVIAL, "/cuenta/"),
    ("tablero", "/?anio=2016"),
    ("tablero (/tablero/)", "/tablero/"),
    ("objetivo", "/objetivos/1/"),
    ("indicador", "/indicadores/OE3.1/"),
    ("direcciones", "/direcciones/"),
    ("dirección", "/direcciones/DGC/"),
    ("reporte", "/reporte/"),
    ("reporte XLSX", "/reporte/2016/xlsx/"),
    ("reporte PDF", "/reporte/2016/pdf/"),
    ("tablero CSV", "/?_export=csv"),
    ("tablero XLSX", "/?_export=xlsx"),
    ("prospectiva", "/prospectiva/"),
    ("actores", "/actores/"),
    ("plan", "/plan/"),
    ("pendientes", "/pendientes/"),
    ("registro DGC", "/direcciones/DGC/2016/registro/"),
    ("validación", "/validacion/"),
    ("mis tareas", "/mis-tareas/"),
    ("portal", "/publico/"),
    ("portal objetivo", "/publico/objetivos/1/"),
]
PORTAL = {"portal", "portal objetivo"}  # anonymous, PESEM_PUBLIC_PORTAL on
EXPORTS = ["tablero CSV", "tablero XLSX", "reporte XLSX", "reporte PDF"]
REPORT_PAGES = {"reporte", "reporte XLSX", "reporte PDF"}  # exempt at scale when kept
REPORT_FILES = {"report_download", "report_pdf"}  # kept as files (pesem.report.files)
# The main pages measured also built from nothing (page cache off), at seed size: each must
# reach MISS_FLOOR of the trivial page's rate (issue 22, "cheap misses").
MISS_PAGES = [
    TRIVIAL,
    "tablero",
    "tablero (/tablero/)",
    "plan",
    "objetivo",
    "indicador",
    "prospectiva",
    "direcciones",
    "dirección",
    "actores",
    "reporte",
]
MISS_FLOOR = 5
# Validator (sees everything) and registrar of DGC (the grid, Pendientes, Mis tareas).
BENCH_USER, BENCH_PASSWORD = "bench.validador", "Bench-Validador-2026"
SLOW = 5.0  # s: a page this slow is requested once, not repeated
STATIC_ROOT = Path(tempfile.gettempdir()) / "pesem-bench-static"


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def available_pages() -> list[tuple[str, str]]:
    # After django.setup(): the URL map exists only then.
    from django.urls import Resolver404, resolve

    found = []
    for label, url in PAGES:
        try:
            resolve(url.split("?")[0])
        except Resolver404:
            progress(f"(sin ruta: {url}, no se mide)")
            continue
        found.append((label, url))
    return found


def kept_pages(pages: list[tuple[str, str]]) -> set[str]:
    """Labels of the pages kept once per data version: pesem.cache.pages.PAGES (by view name;
    the tablero's CSV export is streamed, then kept), the report's files (pesem.report.files)
    and the portal's pages (pesem.portal.views, kept per official version)."""
    # After django.setup(), like available_pages().
    from django.urls import resolve

    from pesem.cache.pages import PAGES as KEPT

    kept = set()
    for label, url in pages:
        match = resolve(url.split("?")[0])
        if (
            match.view_name in KEPT
            or match.view_name in REPORT_FILES
            or (match.url_name or "").startswith("portal_")
        ):
            kept.add(label)
    return kept


def make_user():
    # After django.setup(): models are loaded only then.
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from objectives.models import Directorate, Role, StaffProfile

    user = get_user_model().objects.create_user(
        BENCH_USER, password=BENCH_PASSWORD, first_name="Banco", last_name="Validador"
    )
    user.groups.add(Group.objects.get(name=Role.VALIDATOR), Group.objects.get(name=Role.REGISTRAR))
    StaffProfile.objects.create(user=user, directorate=Directorate.objects.get(code="DGC"))
    return user


def one_request(client, url: str) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        seconds = time.perf_counter() - start
    return {
        "status": response.status_code,
        "queries": len(ctx.captured_queries),
        "seconds": seconds,
        "bytes": len(body),
        "hit": response.get("X-Page-Cache") == "hit",
    }


def limited_request(client, url: str, limit: float) -> dict | None:
    """one_request() in a child process, stopped after `limit` seconds (None then): a page
    that takes longer would be killed by gunicorn's worker timeout anyway. The child keeps
    the page in the shared cache like any request."""
    from django.db import connections

    connections.close_all()  # the child opens its own
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read_end)
        try:
            payload = one_request(client, url)
        except BaseException as exc:  # reported by the parent
            payload = {"error": repr(exc)}
        with os.fdopen(write_end, "w") as out:
            out.write(json.dumps(payload))
        os._exit(0)
    os.close(write_end)
    ready, _, _ = select.select([read_end], [], [], limit)
    if not ready:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(read_end)
        return None
    with os.fdopen(read_end) as source:
        text = source.read()
    os.waitpid(pid, 0)
    payload = json.loads(text) if text else {"error": "el proceso hijo no respondió"}
    if "error" in payload:
        raise RuntimeError(f"{url}: {payload['error']}")
    return payload


@dataclass
class Page:
    miss_status: int = 200  # 202: a report file's waiting page (built outside the request)
    miss_queries: int | None = None
    miss: float | None = None  # s, median; None when over the limit
    hit_queries: int | None = None
    hit: float | None = None
    kept: bool = False  # the hit request was answered from a kept page
    size: int = 0


def measure(
    client, anon, pages, *, rounds: int, repeats: int, limit: float, warm: bool = False
) -> dict[str, Page]:
    """MISS: `rounds` times, a write (bump) then every page once (each one built and kept).
    HIT: then every page `repeats` times (kept pages; the trivial page is never kept, so its
    is a full request each time)."""
    # After django.setup(), like every import of our apps here.
    from bench import bench_http
    from pesem.cache import data as datacache

    results = {label: Page() for label, _ in pages}
    samples: dict[str, list[float]] = {label: [] for label, _ in pages}
    over: set[str] = set()
    if warm:
        # In this process, so the forked children start with templates loaded and compiled.
        for label, url in pages:
            one_request(anon if label in PORTAL else client, url)
    for _ in range(rounds):
        datacache.bump()  # a committed write: every page is stale
        for label, url in pages:
            if label in over:
                continue
            got = limited_request(anon if label in PORTAL else client, url, limit)
            if got is None:
                over.add(label)
                progress(f"  {label}: fallo de más de {limit:.0f} s, detenido")
                continue
            if got["status"] not in (200, 202):  # 202: a report file's waiting page
                raise RuntimeError(f"{url}: HTTP {got['status']}")
            samples[label].append(got["seconds"])
            results[label].miss_status = got["status"]
            results[label].miss_queries = got["queries"]
            results[label].size = got["bytes"]
            progress(f"  {label}: fallo {got['seconds'] * 1000:.0f} ms")
    # What the timer does for files asked for on a large plan (pesem.report.files).
    bench_http.build_report_files()
    for label, url in pages:
        page = results[label]
        if label in over:
            continue
        page.miss = statistics.median(samples[label])
        times = []
        for _ in range(repeats):
            got = one_request(anon if label in PORTAL else client, url)
            times.append(got["seconds"])
            page.hit_queries, page.kept = got["queries"], got["hit"]
            if got["seconds"] > SLOW:
                break
        page.hit = statistics.median(times)
    return results


def fmt_ms(seconds: float | None, limit: float) -> str:
    return f"> {limit:.0f} s" if seconds is None else f"{seconds * 1000:.1f}"


def fmt_ratio(seconds: float | None, base: float | None) -> str:
    return "—" if seconds is None or not base else f"{seconds / base:.1f}"


def print_inprocess(pages, seed, scale, kept: set[str], limit: float) -> list[str]:
    misses = []
    base_seed, base_scale = seed[TRIVIAL].hit, scale[TRIVIAL].hit
    for title, attr, queries in (
        (
            "FALLO: primera solicitud tras una escritura (construye la página y la guarda)",
            "miss",
            "miss_queries",
        ),
        (
            "ACIERTO: página guardada (* = página que nunca se guarda: cada solicitud la construye)",
            "hit",
            "hit_queries",
        ),
    ):
        print()
        print(title)
        print(
            f"{'página':<20}{'consultas':>10}{'consultas':>11}{'ms semilla':>12}{'ms escala':>12}{'ratio sem.':>12}{'ratio esc.':>12}"
        )
        print(f"{'':<20}{'semilla':>10}{'escala':>11}")
        for label, _ in pages:
            s, c = seed[label], scale[label]
            name = label if attr == "miss" or label in kept else f"{label} *"
            q0, q1 = getattr(s, queries), getattr(c, queries)
            t0, t1 = getattr(s, attr), getattr(c, attr)
            print(
                f"{name:<20}{q0 if q0 is not None else '—':>10}{q1 if q1 is not None else '—':>11}"
                f"{fmt_ms(t0, limit):>12}{fmt_ms(t1, limit):>12}"
                f"{fmt_ratio(t0, base_seed):>12}{fmt_ratio(t1, base_scale):>12}"
            )
    for label, _ in pages:
        s, c = seed[label], scale[label]
        if c.miss is None:
            misses.append(
                f"{label} a escala: construirla tarda más de {limit:.0f} s (el timeout de los "
                "workers de gunicorn): tras cada escritura la página no se puede servir"
            )
        elif (
            s.miss_queries is not None
            and c.miss_queries is not None
            and label not in PORTAL
            # A report file is built in the request at seed size and answered with the waiting
            # page at scale: two different answers, not the same page at two sizes.
            and s.miss_status == c.miss_status
        ):
            if s.miss_queries != c.miss_queries:
                misses.append(
                    f"{label}: las consultas de la construcción cambian con el tamaño "
                    f"({s.miss_queries} → {c.miss_queries})"
                )
        if label in kept and c.hit is not None and not c.kept:
            misses.append(f"{label}: la segunda solicitud no se sirvió de la página guardada")
    r0 = seed["tablero"].hit / base_seed
    if r0 > 3:
        misses.append(
            f"tablero servido a tamaño semilla: {r0:.1f}× la página trivial (objetivo ≤ 3×)"
        )
    if scale["tablero"].hit is not None:
        r1 = scale["tablero"].hit / base_scale
        if r1 > 10:
            misses.append(f"tablero servido a escala: {r1:.1f}× la página trivial (objetivo ≤ 10×)")
    return misses


def only_misses(url: str, pages: list[tuple[str, str]], seconds: float) -> int:
    """`--http --misses-only`: the main pages built from nothing at seed size, nothing else."""
    from bench import bench_http

    with bench_http.Server(url, STATIC_ROOT) as server:
        cookie = bench_http.login(server.port, BENCH_USER, BENCH_PASSWORD)
    loads = bench_http.measure_misses(
        url,
        STATIC_ROOT,
        [(label, path) for label, path in pages if label in MISS_PAGES],
        cookie=cookie,
        seconds=seconds,
        progress=progress,
    )
    misses = bench_http.report_misses(
        loads, None, trivial=TRIVIAL, floor=MISS_FLOOR, seconds=seconds
    )
    print()
    print("Objetivos NO cumplidos:" if misses else "Todos los objetivos cumplidos.")
    for m in misses:
        print(f"  - {m}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--http", action="store_true", help="también a través de gunicorn y wrk")
    parser.add_argument(
        "--wrk-seconds", type=float, default=float(os.environ.get("BENCH_WRK_SECONDS", "5"))
    )
    parser.add_argument(
        "--limit", type=float, default=float(os.environ.get("BENCH_BUILD_LIMIT", "60"))
    )
    parser.add_argument("--indicators", type=int, default=5000)
    parser.add_argument("--years", type=int, default=30)
    parser.add_argument("--actions", type=int, default=500)
    parser.add_argument("--directorates", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--misses-only",
        action="store_true",
        help="con --http: solo las páginas construidas desde cero, a tamaño semilla (minutos)",
    )
    args = parser.parse_args()
    started = time.monotonic()
    url = os.environ.get("BENCH_DATABASE_URL", "sqlite:////tmp/pesem-bench.sqlite3")
    if args.http:
        from bench import bench_http

        missing = bench_http.wrk_missing()
        if missing:
            print(missing, file=sys.stderr)
            return 2
        if not url.startswith("sqlite"):
            print(
                "El modo HTTP usa la base SQLite del bench (sin BENCH_DATABASE_URL).",
                file=sys.stderr,
            )
            return 2
        redis = bench_http.redis_available()
    fresh_database(url)
    configure(url, STATIC_ROOT if args.http else None)

    # Imported only now: the settings exist once configure() has chosen the database.
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client, override_settings

    from pesem.planio.loading import load_plan

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    if args.http:
        call_command("collectstatic", interactive=False, verbosity=0)
    load_plan(settings.PLAN_FIXTURES_DIR)
    user = make_user()
    client, anon = Client(), Client()
    client.force_login(user)
    pages = available_pages()
    kept = kept_pages(pages)

    print(f"Base de datos: {url.split('@')[-1]}")
    if args.http and args.misses_only:
        return only_misses(url, pages, args.wrk_seconds)
    progress("En proceso, tamaño semilla ...")
    with override_settings(PESEM_PUBLIC_PORTAL=True):
        seed = measure(
            client, anon, pages, rounds=3, repeats=args.repeats, limit=args.limit, warm=True
        )
    http_seed = None
    if args.http:
        seed_entries = bench_http.snapshot_cache()
        http_seed = bench_http.run_size(
            "semilla",
            url,
            STATIC_ROOT,
            pages,
            seed_entries,
            kept=kept,
            portal=PORTAL,
            exports=EXPORTS,
            over=set(),
            seconds=args.wrk_seconds,
            limit=args.limit,
            redis=redis,
            user=(BENCH_USER, BENCH_PASSWORD),
            progress=progress,
        )
        progress("HTTP, semilla, sin caché de páginas ...")
        http_miss = bench_http.measure_misses(
            url,
            STATIC_ROOT,
            [(label, path) for label, path in pages if label in MISS_PAGES],
            cookie=http_seed.cookie,
            seconds=args.wrk_seconds,
            progress=progress,
        )
    t0 = time.perf_counter()
    progress("Plan sintético ...")
    grow(
        indicators=args.indicators,
        years=args.years,
        actions=args.actions,
        directorates=args.directorates,
    )
    print(
        f"Plan sintético: +{args.indicators} indicadores × {args.years} años, +{args.actions} acciones, "
        f"+{args.directorates} direcciones, generado en {time.perf_counter() - t0:.1f} s"
    )
    from indicators.workflow import status  # after configure(), like the imports above

    t0 = time.perf_counter()
    rows = status.refresh()  # bulk_create sends no signals: refresh once, as a bulk load does
    print(
        f"Estados anuales guardados recalculados: {rows} filas en {time.perf_counter() - t0:.1f} s"
    )
    progress("En proceso, a escala ...")
    with override_settings(PESEM_PUBLIC_PORTAL=True):
        scale = measure(
            client, anon, pages, rounds=1, repeats=max(1, args.repeats // 2), limit=args.limit
        )
    print()
    print(
        "EN PROCESO (cliente de pruebas de Django: middleware, vista, consultas, plantilla; sin "
        "HTTP), usuario validador y registrador de DGC; ratio = ms / ms de la página trivial"
    )
    misses = print_inprocess(pages, seed, scale, kept, args.limit)
    if args.http:
        over = {label for label, page in scale.items() if page.miss is None}
        http_scale = bench_http.run_size(
            "escala",
            url,
            STATIC_ROOT,
            pages,
            bench_http.snapshot_cache(),
            kept=kept,
            portal=PORTAL,
            exports=EXPORTS,
            over=over,
            seconds=args.wrk_seconds,
            limit=args.limit,
            redis=redis,
            user=(BENCH_USER, BENCH_PASSWORD),
            progress=progress,
            cookie=http_seed.cookie,
        )
        misses += bench_http.report(
            http_seed,
            http_scale,
            pages,
            kept=kept,
            portal=PORTAL,
            exports=EXPORTS,
            report_pages=REPORT_PAGES,
            trivial=TRIVIAL,
            redis=redis,
            misses_at_scale={label: page.miss for label, page in scale.items()},
            limit=args.limit,
            seconds=args.wrk_seconds,
        )
        misses += bench_http.report_misses(
            http_miss, http_seed, trivial=TRIVIAL, floor=MISS_FLOOR, seconds=args.wrk_seconds
        )
    print()
    if misses:
        print("Objetivos NO cumplidos:")
        for m in misses:
            print(f"  - {m}")
    else:
        print("Todos los objetivos cumplidos.")
    print(
        f"(bench completo en {(time.monotonic() - started) / 60:.1f} min; carga media de la "
        f"máquina al terminar: {os.getloadavg()[1]:.1f} en 5 min, {os.cpu_count()} núcleos)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
