"""make loadtest: readers and writers against `make serve` (gunicorn + PostgreSQL) on 127.0.0.1.

Starts gunicorn on a free local port against a separate PostgreSQL database (created afresh,
default postgres://postgres@127.0.0.1:5432/pesem_loadtest, or LOADTEST_DATABASE_URL), then for
a bounded time runs READERS threads browsing dashboards and WRITERS threads entering values
(each writer is the registrar of one directorate and edits only its own indicators). Then it
checks that every acknowledged write is stored exactly once (in the value and its history),
that the last acknowledged value of each row is the stored one, and that no request got a 5xx.

    python bench/loadtest.py [--seconds 60] [--readers 50] [--writers 5] [--workers N]

The page cache (pesem/cache/pages.py) is the database table by default; with LOADTEST_REDIS_URL
(e.g. redis://127.0.0.1:6379/15) it is that Redis database, flushed first: the database is
new, its data version starts again at 0, and pages kept by an earlier run under the same
version numbers would otherwise be served. The readers (directors of DPE) see every page they
read; the share of reads answered from a kept page (X-Page-Cache: hit) is printed.

Traffic goes only to 127.0.0.1. Requests carry X-Forwarded-Proto: https, as the proxy would.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode, urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PASSWORD = "carga-segura-2021"
OLD_THROUGHPUT = 26.0  # req/s of the last run before the page cache (README)
TARGET_P95_READ_MS = 500
SERVER_LOG = Path(tempfile.gettempdir()) / "pesem-loadtest-gunicorn.log"
READ_PATHS = [
    "/?anio=2016",
    "/objetivos/2/?anio=2016",
    "/indicadores/OE3.1/",
    "/direcciones/?anio=2016",
    "/reporte/?anio=2016",
    "/prospectiva/",
]
WRITERS = [  # registrar's directorate and the indicators it owns
    ("DGC", ["OE3.1", "V1.2"]),
    ("DPE", ["OE2.1"]),
    ("DAC", ["OE2.2", "OE2.3"]),
    ("DGA", ["OE1.1", "OE1.2"]),
    ("DSL", ["V2.1", "V2.2"]),
]


class Session:
    """A browser-like client: cookies, CSRF token, HTTPS as seen behind the proxy."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.last_hit = False  # the last answer was a kept page (X-Page-Cache: hit)

    def request(self, method: str, path: str, data: dict | None = None) -> tuple[int, str, float]:
        headers = {
            "Host": f"127.0.0.1:{self.port}",
            "X-Forwarded-Proto": "https",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"https://127.0.0.1:{self.port}"
            headers["Referer"] = f"https://127.0.0.1:{self.port}{path}"
        start = time.perf_counter()
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                text = response.read().decode("utf-8", errors="replace")
                break
            except (TimeoutError, http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt:
                    raise
        elapsed = time.perf_counter() - start
        self.last_hit = response.getheader("X-Page-Cache") == "hit"
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, text, elapsed

    def csrf(self, html: str) -> str:
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        return match.group(1) if match else ""

    def login(self, username: str, password: str = PASSWORD) -> None:
        """The login form's POST with its CSRF token; refused unless a session starts."""
        _, html, _ = self.request("GET", "/accounts/login/")
        status, _, _ = self.request(
            "POST",
            "/accounts/login/",
            {"csrfmiddlewaretoken": self.csrf(html), "username": username, "password": password},
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"login de {username} falló ({status})")


TICKS = os.sysconf("SC_CLK_TCK")


def busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy since boot (every core, /proc/stat)."""
    with open("/proc/stat") as stat:
        fields = [int(x) for x in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / TICKS


def tree_seconds(root: int) -> float:
    """CPU seconds of a process and its live children (gunicorn's master and workers)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parts = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        pid, ppid = int(entry.name), int(parts[1])
        if pid == root or ppid == root:
            total += (int(parts[11]) + int(parts[12])) / TICKS  # utime, stime
    return total


def client_seconds() -> float:
    times = os.times()
    return times.user + times.system


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare_database(url: str) -> dict:
    from bench.bench import ensure_postgres_database

    ensure_postgres_database(url)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SECRET_KEY": "loadtest-only-secret-0123456789-abcdefghijklmnopqrstuvwxyz-0000",
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SETTINGS_MODULE": "pesem.settings",
    }
    env.pop("REDIS_URL", None)
    redis_url = os.environ.get("LOADTEST_REDIS_URL")
    if redis_url:
        import redis

        redis.Redis.from_url(redis_url).flushdb()
        env["REDIS_URL"] = redis_url
    python = sys.executable
    subprocess.run(
        [python, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    # The page cache's table (the default cache; unused with Redis, created as `make serve` does).
    subprocess.run([python, "manage.py", "createcachetable"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [python, "manage.py", "load_plan"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    subprocess.run(
        [python, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    script = f"""
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from objectives.models import Directorate, StaffProfile
User = get_user_model()
def make(name, role, code):
    u = User.objects.create_user(name, password={PASSWORD!r})
    u.groups.add(Group.objects.get(name=role))
    StaffProfile.objects.create(user=u, directorate=Directorate.objects.get(code=code))
for i in range(10):
    make(f"lector{{i}}", "director", "DPE")
for code, _ in {WRITERS!r}:
    make(f"reg.{{code.lower()}}", "registrador", code)
"""
    subprocess.run([python, "manage.py", "shell", "-c", script], cwd=ROOT, env=env, check=True)
    return env


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--seconds", type=int, default=int(os.environ.get("LOADTEST_SECONDS", "60"))
    )
    parser.add_argument("--readers", type=int, default=50)
    parser.add_argument("--writers", type=int, default=5)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("PESEM_WORKERS", "5")))
    args = parser.parse_args()
    url = os.environ.get(
        "LOADTEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pesem_loadtest"
    )
    print(f"Preparando la base {urlparse(url).path.lstrip('/')} ...", flush=True)
    env = prepare_database(url)
    port = free_port()
    env = {**env, "PESEM_BIND": f"127.0.0.1:{port}", "PESEM_WORKERS": str(args.workers)}
    # The server's log (errors, one JSON line per write) to a file: a pipe nobody reads fills
    # up (64 KB) and then blocks every worker on its next log line.
    log = SERVER_LOG.open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "pesem/gunicorn.conf.py", "pesem.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    try:
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.1)
        return run(args, port, env, server.pid)
    finally:
        server.terminate()
        server.wait(10)
        log.close()
        print(f"Registro del servidor: {SERVER_LOG}")


def run(args, port: int, env: dict, server_pid: int) -> int:
    import django

    os.environ.update(
        {
            k: env[k]
            for k in ("DATABASE_URL", "DJANGO_SECRET_KEY", "DJANGO_DEBUG", "DJANGO_SETTINGS_MODULE")
        }
    )
    django.setup()
    # Imported only after setup: this writer process configures Django from its environment.
    from indicators.models import IndicatorValue

    latencies: dict[str, list[float]] = defaultdict(list)
    statuses: dict[int, int] = defaultdict(int)
    read_statuses: dict[int, int] = defaultdict(int)
    hits = [0]
    errors: list[str] = []
    acknowledged: dict[tuple[str, int], list[int]] = defaultdict(list)
    lock = threading.Lock()

    # Logins first, one per account, outside the measured time: a login checks a PBKDF2 hash
    # (1,000,000 iterations, seconds of CPU on a busy 2-core machine), and 55 of them inside
    # the window measured the password hasher, not the pages.
    accounts = sorted({f"lector{i % 10}" for i in range(args.readers)}) + [
        f"reg.{WRITERS[i % len(WRITERS)][0].lower()}" for i in range(args.writers)
    ]
    cookies: dict[str, dict[str, str]] = {}

    def log_in(username: str) -> None:
        session = Session(port)
        session.login(username)
        cookies[username] = dict(session.cookies)

    t0 = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(log_in, dict.fromkeys(accounts)))
    login_seconds = time.monotonic() - t0

    def session_of(username: str) -> Session:
        session = Session(port)
        session.cookies = dict(cookies[username])
        return session

    deadline = time.monotonic() + args.seconds

    def record(kind: str, status: int, elapsed: float) -> None:
        with lock:
            latencies[kind].append(elapsed)
            statuses[status] += 1

    def reader(i: int) -> None:
        try:
            session = session_of(f"lector{i % 10}")
            n = i
            while time.monotonic() < deadline:
                status, _, elapsed = session.request("GET", READ_PATHS[n % len(READ_PATHS)])
                record("lectura", status, elapsed)
                with lock:
                    read_statuses[status] += 1
                    hits[0] += session.last_hit
                n += 1
        except Exception as exc:  # reported below
            errors.append(f"lector {i}: {exc!r}")

    def writer(i: int) -> None:
        code, indicators = WRITERS[i % len(WRITERS)]
        try:
            session = session_of(f"reg.{code.lower()}")
            n = 0
            while time.monotonic() < deadline:
                indicator = indicators[n % len(indicators)]
                year = 2015 + (n // len(indicators)) % 7
                path = f"/indicadores/{indicator}/{year}/registrar/"
                status, html, elapsed = session.request("GET", path)
                record("formulario", status, elapsed)
                version = re.search(r'name="version" value="(\d+)"', html)
                numerator = 1000 + i * 100000 + n
                data = {
                    "csrfmiddlewaretoken": session.csrf(html),
                    "version": version.group(1) if version else "",
                    "note": f"carga {i}-{n}",
                    "save": "",
                    "numerator": str(numerator),
                    "denominator": "2000000",
                }
                status, _, elapsed = session.request("POST", path, data)
                record("escritura", status, elapsed)
                if status == 302:
                    with lock:
                        acknowledged[(indicator, year)].append(numerator)
                n += 1
        except Exception as exc:
            errors.append(f"escritor {i}: {exc!r}")

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(args.readers)]
    threads += [threading.Thread(target=writer, args=(i,)) for i in range(args.writers)]
    cpu_before = (busy_seconds(), tree_seconds(server_pid), client_seconds())
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(args.seconds + 120)
    wall = time.monotonic() - started
    busy, server_cpu, client_cpu = (
        after - before
        for after, before in zip(
            (busy_seconds(), tree_seconds(server_pid), client_seconds()), cpu_before, strict=True
        )
    )

    # Verification against the database.
    failures = []
    for (code, year), numerators in acknowledged.items():
        row = IndicatorValue.objects.get(indicator__code=code, year=year)
        if row.numerator != numerators[-1]:
            failures.append(
                f"{code} {year}: guardado {row.numerator}, último confirmado {numerators[-1]}"
            )
        history = list(IndicatorValue.history.filter(id=row.pk).values_list("numerator", flat=True))
        for value in numerators:
            if history.count(value) != 1:
                failures.append(
                    f"{code} {year}: el valor {value} aparece {history.count(value)} veces en el historial"
                )
        if row.version != len(numerators):
            failures.append(
                f"{code} {year}: versión {row.version}, escrituras confirmadas {len(numerators)}"
            )
    five_xx = sum(n for s, n in statuses.items() if s >= 500)

    total = sum(len(v) for v in latencies.values())
    cache = "Redis" if env.get("REDIS_URL") else "tabla de la base"
    print()
    print(
        f"Duración: {wall:.1f} s · {args.readers} lectores · {args.writers} escritores · "
        f"{args.workers} workers de gunicorn · PostgreSQL · caché de páginas: {cache}"
    )
    print(
        f"Inicio de sesión de {len(set(accounts))} cuentas antes de medir: {login_seconds:.1f} s"
        f" · carga media de la máquina al terminar: {os.getloadavg()[0]:.1f} en 1 min"
        f" ({os.cpu_count()} núcleos)"
    )
    print(f"Solicitudes: {total} · {total / wall:.1f} por segundo")
    print(
        f"CPU en la corrida ({os.cpu_count()} núcleos × {wall:.0f} s = {os.cpu_count() * wall:.0f} s): "
        f"ocupada {busy:.0f} s · gunicorn {server_cpu:.0f} s ({server_cpu / total * 1000:.1f} ms "
        f"por solicitud) · cliente de carga {client_cpu:.0f} s · PostgreSQL y el resto "
        f"{busy - server_cpu - client_cpu:.0f} s"
    )
    print(f"{'tipo':<12}{'n':>7}{'p50 ms':>10}{'p95 ms':>10}{'máx ms':>10}")
    for kind, values in sorted(latencies.items()):
        values = sorted(values)
        p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
        print(
            f"{kind:<12}{len(values):>7}{statistics.median(values) * 1000:>10.0f}{p95 * 1000:>10.0f}{values[-1] * 1000:>10.0f}"
        )
    print("Códigos HTTP: " + ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items())))
    reads = len(latencies["lectura"])
    print(
        f"Lecturas servidas de la página guardada (X-Page-Cache: hit): {hits[0]} de {reads}"
        + (f" ({hits[0] / reads:.0%})" if reads else "")
    )
    writes = sum(len(v) for v in acknowledged.values())
    print()
    print("Comprobaciones:")
    print(f"  - escrituras confirmadas: {writes}, en {len(acknowledged)} filas")
    print(
        f"  - cada escritura confirmada guardada exactamente una vez: {'sí' if not failures else 'NO'}"
    )
    print(f"  - respuestas 5xx: {five_xx}")
    refused_reads = sum(n for s, n in read_statuses.items() if s != 200)
    print(
        f"  - lecturas con respuesta distinta de 200 (p. ej. 403: rol sin acceso): {refused_reads}"
    )
    print(f"  - errores de cliente: {len(errors)}")
    for line in (failures + errors)[:20]:
        print(f"    {line}")
    ok = not failures and not five_xx and not errors and writes > 0 and not refused_reads
    print("RESULTADO: " + ("correcto" if ok else "CON FALLAS"))
    # Speed targets (issue 13): 4× the throughput before the page cache, reads' p95 < 500 ms.
    reads_sorted = sorted(latencies["lectura"])
    p95 = reads_sorted[min(len(reads_sorted) - 1, int(len(reads_sorted) * 0.95))] if reads else 0
    missed = []
    if total / wall < 4 * OLD_THROUGHPUT:
        missed.append(
            f"{total / wall:.1f} solicitudes/s (objetivo ≥ {4 * OLD_THROUGHPUT:.0f}: 4× {OLD_THROUGHPUT:.0f})"
        )
    if p95 * 1000 >= TARGET_P95_READ_MS:
        missed.append(f"p95 de lecturas {p95 * 1000:.0f} ms (objetivo < {TARGET_P95_READ_MS} ms)")
    print(
        "Objetivos de velocidad: "
        + ("cumplidos" if not missed else "NO cumplidos: " + "; ".join(missed))
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
