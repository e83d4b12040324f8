"""make bench: queries and server time of the main pages, at seed size and at scale.

Runs in a separate database (never the one of `make run`): SQLite file by default, or
BENCH_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/pesem_bench, created if missing).
Each page is requested through Django's test client (the whole server side: middleware, view,
queries, template) and timed; its median is compared with a trivial authenticated page
(/cuenta/) measured in the same run.

    python bench/bench.py [--indicators 5000] [--years 30] [--actions 500] [--directorates 60]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def configure(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault(
        "DJANGO_SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
    )
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ["DJANGO_SSL_REDIRECT"] = "0"
    os.environ["PESEM_PLAIN_STATIC"] = "1"
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
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
    from objectives.models import Directorate, StrategicAction, StrategicObjective

    with transaction.atomic():
        dirs = Directorate.objects.bulk_create(
            Directorate(code=f"D{n:02d}", name=f"Dirección sintética {n}")
            for n in range(directorates)
        )
        objectives = list(StrategicObjective.objects.all())
        extra = Indicator.objects.bulk_create(
            Indicator(
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


PAGES = [
    ("trivial (/cuenta/)", "/cuenta/"),
    ("tablero", "/?anio=2016"),
    ("objetivo", "/objetivos/2/?anio=2016"),
    ("indicador", "/indicadores/OE2.1/"),
    ("dirección", "/direcciones/DPE/?anio=2016"),
    ("direcciones", "/direcciones/?anio=2016"),
    ("reporte", "/reporte/?anio=2016"),
    ("exportación CSV", "/?anio=2016&_export=csv"),
]


def measure(client, repeats: int) -> dict[str, tuple[int, float]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    results = {}
    for label, url in PAGES:
        client.get(url)  # warm-up
        times, queries = [], 0
        for _ in range(repeats):
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - start)
            assert response.status_code == 200, (url, response.status_code)
            queries = len(ctx.captured_queries)
        results[label] = (queries, statistics.median(times))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--indicators", type=int, default=5000)
    parser.add_argument("--years", type=int, default=30)
    parser.add_argument("--actions", type=int, default=500)
    parser.add_argument("--directorates", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", "sqlite:////tmp/pesem-bench.sqlite3")
    fresh_database(url)
    configure(url)

    # Imported only now: the settings exist once configure() has chosen the database.
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from pesem.loading import load_plan

    call_command("migrate", verbosity=0)
    load_plan(settings.PLAN_FIXTURES_DIR)
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("bench", password="x")
    client = Client()
    client.force_login(user)

    print(f"Base de datos: {url.split('@')[-1]}")
    seed = measure(client, args.repeats)
    t0 = time.perf_counter()
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
    from indicators import status  # after configure(), like the imports above

    t0 = time.perf_counter()
    rows = status.refresh()  # bulk_create sends no signals: refresh once, as a bulk load does
    print(
        f"Estados anuales guardados recalculados: {rows} filas en {time.perf_counter() - t0:.1f} s"
    )
    scale = measure(client, max(1, args.repeats // 2))

    base_seed, base_scale = seed["trivial (/cuenta/)"][1], scale["trivial (/cuenta/)"][1]
    print()
    print(
        f"{'página':<20}{'consultas':>10}{'consultas':>11}{'ms semilla':>12}{'ms escala':>12}{'ratio sem.':>12}{'ratio esc.':>12}"
    )
    print(f"{'':<20}{'semilla':>10}{'escala':>11}")
    misses = []
    for label, _ in PAGES:
        q0, t_seed = seed[label]
        q1, t_scale = scale[label]
        r0, r1 = t_seed / base_seed, t_scale / base_scale
        print(
            f"{label:<20}{q0:>10}{q1:>11}{t_seed * 1000:>12.1f}{t_scale * 1000:>12.1f}{r0:>12.1f}{r1:>12.1f}"
        )
        if q0 != q1:
            misses.append(f"{label}: las consultas cambian con el tamaño ({q0} → {q1})")
    r0 = seed["tablero"][1] / base_seed
    r1 = scale["tablero"][1] / base_scale
    if r0 > 3:
        misses.append(f"tablero a tamaño semilla: {r0:.1f}× la página trivial (objetivo ≤ 3×)")
    if r1 > 10:
        misses.append(f"tablero a escala: {r1:.1f}× la página trivial (objetivo ≤ 10×)")
    print()
    if misses:
        print("Objetivos NO cumplidos:")
        for m in misses:
            print(f"  - {m}")
    else:
        print("Todos los objetivos cumplidos.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
