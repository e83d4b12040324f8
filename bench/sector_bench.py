"""The sector's shape (plans as data): many entities and plans beside the PESEM, and what
the PESEM's pages and a plan workbook cost at that size. Prints figures; asserts nothing.

On a fresh database (BENCH_DATABASE_URL, default a SQLite file; PostgreSQL is production):
- the PESEM grown to --pesem indicators (a plan of 300 by default, with --years of values);
- --entities pliegos of the sector, --plans PEIs among them (one version each), holding
  --indicators indicators in all with --years yearly values each, and half of the plans
  semestral with their S1 and S2 values too, articulated to the PESEM, statuses stored;
- then: a made-up 300-indicator semestral PEI workbook (3,000 target rows) checked and
  loaded (target: under 30 s), and each main page of the PESEM and of that PEI
  (/planes/PEI-BENCH/...) built from nothing (the page cache off: what the first reader after
  a write pays; target: under 1 s), with its queries;
- with --http (what `make bench` runs; needs wrk): the same database through gunicorn with
  production settings, the PEI's and the PESEM's pages kept, each page's requests per second
  against the trivial page's (target: kept pages at least a third of its rate).

    python bench/sector_bench.py [--entities 20] [--plans 100] [--indicators 30000]
                                 [--years 10] [--pesem 300] [--repeats 3] [--http]
                                 [--wrk-seconds 5]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench import configure, fresh_database, grow  # noqa: E402

PEI_PAGES = [
    "/planes/",
    "/planes/PEI-BENCH/tablero/?anio=2024",
    "/planes/PEI-BENCH/plan/",
    "/planes/PEI-BENCH/direcciones/U1/?anio=2024",
    "/planes/PEI-BENCH/direcciones/U1/2024-S1/registro/",
    "/planes/PEI-BENCH/reporte/?anio=2024",
    "/planes/PEI-BENCH/mis-tareas/",
    "/api/v1/plans/PEI-BENCH/values?period=2024-S1&limit=100",
]
# Through gunicorn: the trivial page first, then the plan's pages as a reader sees them.
HTTP_PAGES = [
    ("trivial", "/cuenta/"),
    ("PEI tablero", "/planes/PEI-BENCH/tablero/?anio=2024"),
    ("PEI plan", "/planes/PEI-BENCH/plan/"),
    ("PEI unidad", "/planes/PEI-BENCH/direcciones/U1/?anio=2024"),
    ("PEI reporte", "/planes/PEI-BENCH/reporte/?anio=2024"),
    ("PEI semestre", "/planes/PEI-BENCH/direcciones/U1/2024-S1/registro/"),
    ("PESEM tablero", "/tablero/?anio=2016"),
    ("planes", "/planes/"),
]
PAGES = [
    "/mis-tareas/",
    "/tablero/?anio=2016",
    "/plan/",
    "/objetivos/1/",
    "/indicadores/OE3.1/",
    "/direcciones/?anio=2016",
    "/direcciones/DGC/?anio=2016",
    "/reporte/?anio=2016",
    "/articulacion/?anio=2024",
    "/articulacion/?anio=2024&plan=PEI-BENCH",
    "/publico/",
    "/api/v1/plans/PESEM-RREE/indicators?limit=100",
]


def sector(*, entities: int, plans: int, indicators: int, years: int) -> float:
    """The other entities and plans, bulk-created; their statuses stored. The seconds the
    statuses took."""
    from decimal import Decimal

    from django.db import transaction

    from indicators.models import Indicator, IndicatorValue, SemesterValue
    from indicators.workflow import status
    from objectives.models import (
        Directorate,
        Entity,
        Plan,
        PlanVersion,
        Resolution,
        StrategicObjective,
    )

    pesem = Plan.objects.get(code="PESEM-RREE")
    upper = list(StrategicObjective.objects.filter(plan=pesem))
    per_plan = max(indicators // plans, 1)
    with transaction.atomic():
        found = Entity.objects.bulk_create(
            Entity(
                code=f"ENT{n:02d}",
                name=f"Entidad sintética {n}",
                kind="pliego",
                sector=pesem.entity,
            )
            for n in range(entities)
        )
        resolution = Resolution.objects.create(known=False)
        for p in range(plans):
            entity = found[p % entities]
            plan = Plan.objects.create(
                code=f"PEI-SINT-{p:03d}",
                plan_type="PEI",
                entity=entity,
                frequency="semestral" if p % 2 else "anual",
                name=f"PEI sintético {p}",
                short_name=f"PEI sintético {p}",
                sector=pesem.sector,
                start_year=2024 - years + 1,
                end_year=2024,
                vision="",
                desired_scenario="",
                upper_plan=pesem,
            )
            PlanVersion.objects.create(
                plan=plan,
                kind="nuevo",
                name=plan.name,
                horizon_start=plan.start_year,
                horizon_end=plan.end_year,
                state="vigente",
                resolution=resolution,
            )
            unit, _ = Directorate.objects.get_or_create(entity=entity, code="OPP")
            objectives = StrategicObjective.objects.bulk_create(
                StrategicObjective(
                    plan=plan, number=n + 1, code=f"OEI.{n + 1:02d}", name=f"Objetivo {n + 1}"
                )
                for n in range(5)
            )
            for n, objective in enumerate(objectives):
                objective.upper_objectives.add(upper[n % len(upper)])
            created = Indicator.objects.bulk_create(
                Indicator(
                    plan=plan,
                    code=f"IND.{n:04d}",
                    name=f"Indicador {n}",
                    level="objective",
                    objective=objectives[n % 5],
                    responsible=unit,
                    order=n,
                )
                for n in range(per_plan)
            )
            IndicatorValue.objects.bulk_create(
                IndicatorValue(indicator=i, year=y, value=Decimal(100 + y % 7), state="validated")
                for i in created
                for y in range(plan.start_year, plan.end_year + 1)
            )
            if plan.frequency == "semestral":
                SemesterValue.objects.bulk_create(
                    SemesterValue(
                        indicator=i,
                        year=y,
                        semester=half,
                        value=Decimal(50 + y % 7),
                        state="validated",
                    )
                    for i in created
                    for y in range(plan.start_year, plan.end_year + 1)
                    for half in (1, 2)
                )
    start = time.perf_counter()
    status.refresh(Indicator.objects.exclude(plan=pesem).values_list("pk", flat=True))
    return time.perf_counter() - start


def pei_workbook(indicators: int, years: range) -> bytes:
    """A made-up PEI (PEI-BENCH) of `indicators` indicators with a target every year."""
    from openpyxl import Workbook

    from pesem.planio import workbook

    book = Workbook()
    book.remove(book.active)
    fields = {
        "tipo": "PEI",
        "codigo": "PEI-BENCH",
        "nombre": "PEI de banco de pruebas",
        "entidad_codigo": "BENCH",
        "entidad_nombre": "Entidad de banco de pruebas",
        "horizonte_inicio": years.start,
        "horizonte_fin": years.stop - 1,
        "version": "nuevo",
        "resolucion_tipo": "Resolución",
        "resolucion_numero": "001-BENCH",
        "resolucion_fecha": "2024-01-15",
        "plan_superior": "PESEM-RREE",
        "periodicidad": "semestral",
    }
    rows = {
        "Plan": [["campo", "valor"], *fields.items()],
        "Unidades": [["codigo", "nombre"], *[[f"U{n}", f"Unidad {n}"] for n in range(10)]],
        "Objetivos": [
            ["codigo", "nombre"],
            *[[f"OEI.{n:02d}", f"Objetivo {n}"] for n in range(10)],
        ],
        "Acciones": [
            ["codigo", "objetivo", "nombre", "responsables"],
            *[
                [f"AEI.{n:02d}", f"OEI.{n % 10:02d}", f"Acción {n}", f"U{n % 10}"]
                for n in range(30)
            ],
        ],
        "Indicadores": [
            workbook.SHEETS["indicadores"][1],
            *[
                [
                    f"IND.{n:03d}",
                    f"OEI.{n % 10:02d}",
                    f"Indicador {n}",
                    "%",
                    "ascendente",
                    "ultimo",
                    "",
                    "",
                    f"U{n % 10}",
                    2023,
                    "1,000.5",
                    1,
                ]
                for n in range(indicators)
            ],
        ],
        "Metas": [
            ["indicador", "periodo", "valor"],
            *[[f"IND.{n:03d}", y, f"{1000 + y:,}.5"] for n in range(indicators) for y in years],
        ],
        "Articulacion": [
            ["elemento", "elemento_superior"],
            *[[f"OEI.{n:02d}", f"OE{n % 4 + 1}"] for n in range(10)],
        ],
    }
    for title, sheet_rows in rows.items():
        sheet = book.create_sheet(title)
        for row in sheet_rows:
            sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--entities", type=int, default=20)
    parser.add_argument("--plans", type=int, default=100)
    parser.add_argument("--indicators", type=int, default=30000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--pesem", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--http", action="store_true", help="también a través de gunicorn y wrk")
    parser.add_argument("--wrk-seconds", type=float, default=5.0)
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", "sqlite:////tmp/pesem-sector-bench.sqlite3")
    os.environ["PESEM_PAGE_CACHE"] = "0"  # every page built from nothing
    os.environ["PESEM_PUBLIC_PORTAL"] = "1"
    fresh_database(url)
    configure(url)
    from decimal import Decimal

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.bench import make_user
    from indicators.models import Indicator, IndicatorValue, SemesterValue
    from objectives.models import Plan
    from pesem.planio import workbook

    print(f"Base de datos: {url.split('@')[-1]}")
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("load_plan", verbosity=0, stdout=io.StringIO())
    start = time.perf_counter()
    grow(
        indicators=args.pesem - Indicator.objects.count(),
        years=args.years,
        actions=30,
        directorates=10,
    )
    print(
        f"PESEM con {Indicator.objects.count():,} indicadores: {time.perf_counter() - start:.1f} s"
    )
    start = time.perf_counter()
    refresh = sector(
        entities=args.entities, plans=args.plans, indicators=args.indicators, years=args.years
    )
    print(
        f"Sector: {args.entities} entidades, {Plan.objects.count()} planes, "
        f"{Indicator.objects.count():,} indicadores, {IndicatorValue.objects.count():,} "
        f"valores anuales, {SemesterValue.objects.count():,} semestrales: "
        f"{time.perf_counter() - start:.1f} s (estados: {refresh:.1f} s)"
    )

    content = pei_workbook(300, range(2024, 2034))
    start = time.perf_counter()
    loading = workbook.check_book(workbook.read_book(content), filename="pei-bench.xlsx")
    checked = time.perf_counter() - start
    assert loading.new_plan is not None, [str(p) for p in loading.problems[:5]]
    bench_pei = workbook.create_plan(loading)
    loaded = time.perf_counter() - start
    # The PEI's first semester of 2024, typed and sent by its units: the semester grid's rows.
    SemesterValue.objects.bulk_create(
        SemesterValue(indicator=i, year=2024, semester=1, value=Decimal(500), state="submitted")
        for i in bench_pei.indicators.all()
    )
    verdict = "cumple" if loaded < 30 else "NO cumple"
    print(
        f"Libro de un PEI de 300 indicadores y 3,000 metas: revisado en {checked:.1f} s, "
        f"cargado en {loaded:.1f} s (meta: menos de 30 s; {verdict})"
    )

    client = Client()
    client.force_login(make_user())
    print(
        f"\nPáginas del PESEM construidas desde cero (mediana de {args.repeats}; "
        "meta: menos de 1 s):"
    )
    for url_path in PAGES + PEI_PAGES:
        times, queries = [], 0
        for _ in range(args.repeats):
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                response = client.get(url_path)
                times.append(time.perf_counter() - start)
            queries = len(captured.captured_queries)
            assert response.status_code == 200, (url_path, response.status_code)
        median = statistics.median(times)
        mark = "" if median < 1 else "  <- más de 1 s"
        print(f"  {url_path:48} {median * 1000:8.0f} ms  {queries:4d} consultas{mark}")
    if args.http:
        return http_part(url, seconds=args.wrk_seconds)
    return 0


def http_part(url: str, *, seconds: float) -> int:
    """The plan's pages through gunicorn (production settings, kept pages on, the database
    cache), each page's rate against the trivial page's measured around it."""
    import subprocess
    import tempfile

    from bench import bench_http
    from bench.bench import BENCH_PASSWORD, BENCH_USER

    missing = bench_http.wrk_missing()
    if missing:
        print(f"\n{missing}")
        return 0
    static_root = Path(tempfile.mkdtemp(prefix="pesem-sector-static-"))
    env = {**bench_http.server_env(url, static_root, None)}
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    print(
        f"\nA través de gunicorn ({bench_http.WORKERS} procesos, páginas guardadas, caché en la "
        f"base de datos), {seconds:g} s de wrk por página; meta: una página guardada sirve al "
        "menos un tercio de las solicitudes por segundo de la trivial:"
    )
    with bench_http.Server(url, static_root) as server:
        cookie = bench_http.login(server.port, BENCH_USER, BENCH_PASSWORD)
        bench_http.warm_workers(server.port, cookie, [path for _, path in HTTP_PAGES])
        loads = bench_http.measure_pages(
            {"db": server.port},
            HTTP_PAGES,
            cookie=cookie,
            portal=set(),
            kept={label for label, _ in HTTP_PAGES},
            over=set(),
            seconds=seconds,
            progress=lambda line: None,
        )["db"]
        # The trivial page again after the others: the rate the pages are compared with.
        after = bench_http.wrk(server.port, "/cuenta/", cookie, seconds)
    trivial = (loads["trivial"].rps + after.rps) / 2
    print(f"  {'trivial /cuenta/':22} {trivial:8.1f} sol/s (media antes y después)")
    for label, path in HTTP_PAGES[1:]:
        load = loads[label]
        ratio = load.rps / trivial if trivial else 0.0
        kept = "guardada" if load.kept else "construida cada vez"
        verdict = "cumple" if ratio >= 1 / 3 else "NO cumple"
        if not load.kept:
            verdict = "no se guarda: sin meta de página guardada"
        print(
            f"  {label:22} {load.rps:8.1f} sol/s  p50 {load.p50:6.0f} ms  "
            f"{ratio:5.2f} x trivial  {kept}; {verdict}  ({path})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
