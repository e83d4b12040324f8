"""A production install as docs/operations.md describes it serves every page.

Starts from an empty database (a new PostgreSQL database when the suite runs on PostgreSQL, a
new SQLite file otherwise), prepares it with only the documented steps, read from
docs/operations.md: the `manage.py` lines of "Install" (`migrate`, then `load_plan`), then the
systemd unit's `ExecStartPre` lines (`migrate` and `collectstatic`), and serves it through
gunicorn with production settings (DEBUG off). Before the cache table came with `migrate`,
every page answered 500 ("no such table: pesem_cache")."""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import uuid

import psycopg2
import pytest
from django.conf import settings

from tests.factories import ROOT, free_port

OPERATIONS = ROOT / "docs" / "operations.md"

pytestmark = pytest.mark.postgres
PASSWORD = "clave-de-prueba-larga-2026"
MAKE_DIRECTOR = f"""
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from objectives.models import Directorate, StaffProfile
u = get_user_model().objects.create_user("director.prueba", password={PASSWORD!r})
u.groups.add(Group.objects.get(name="director"))
StaffProfile.objects.create(user=u, directorate=Directorate.objects.get(code="DPE"))
"""
# Every main page of the application, as a logged-in director reads them, and the public ones.
PAGES = [
    "/",
    "/plan/",
    "/objetivos/1/",
    "/indicadores/OE1.1/",
    "/direcciones/",
    "/direcciones/DPE/",
    "/reporte/",
    "/prospectiva/",
    "/actores/",
    "/mis-tareas/",
    "/api/v1/plan",
]
PUBLIC_PAGES = ["/healthz", "/accounts/login/", "/publico/", "/publico/datos/"]


def _section(text: str, heading: str) -> str:
    return text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]


def documented_steps() -> list[list[str]]:
    """The `manage.py` commands of docs/operations.md, in the order an install runs them:
    "Install", then the systemd unit's ExecStartPre lines."""
    text = OPERATIONS.read_text(encoding="utf-8")
    install = re.findall(r"^python manage\.py (.+)$", _section(text, "Install"), re.M)
    unit = re.findall(r"^ExecStartPre=\S+ manage\.py (.+)$", _section(text, "systemd unit"), re.M)
    return [step.split() for step in install + unit]


def test_documented_steps_are_the_install_and_the_unit():
    assert documented_steps() == [
        ["migrate", "--noinput"],
        ["load_plan"],
        ["migrate", "--noinput"],
        ["collectstatic", "--noinput", "-v0"],
    ]


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )


@pytest.fixture
def empty_database(tmp_path):
    """The address of a database with no table in it, of the suite's own engine."""
    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        params = settings.DATABASES["default"]
        name = f"fresh_{uuid.uuid4().hex[:12]}"
        admin = psycopg2.connect(
            dbname="postgres",
            user=params["USER"],
            password=params["PASSWORD"],
            host=params["HOST"],
            port=params["PORT"] or 5432,
        )
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        auth = params["USER"] + (f":{params['PASSWORD']}" if params["PASSWORD"] else "")
        yield f"postgres://{auth}@{params['HOST']}:{params['PORT'] or 5432}/{name}"
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
    else:
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"


class Client:
    """Plain HTTP to gunicorn, sent as the proxy would after TLS (X-Forwarded-Proto), with
    the cookies kept by hand: production cookies are Secure, which a cookie jar keeps off HTTP."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str = "") -> tuple[int, str]:
        headers = {
            "X-Forwarded-Proto": "https",
            "Host": "localhost",
            "Referer": "https://localhost/",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        text = response.read().decode("utf-8", "replace")
        connection.close()
        return response.status, text

    def login(self, username: str) -> None:
        status, page = self.request("GET", "/accounts/login/")
        assert status == 200
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode(
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token}
        )
        status, _ = self.request("POST", "/accounts/login/", body)
        assert status == 302, "login refused"


def test_documented_steps_on_an_empty_database_serve_every_page(empty_database, tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": empty_database,
        "DJANGO_SETTINGS_MODULE": "pesem.settings",
        "DJANGO_SECRET_KEY": "fresh-install-test-secret-key-0123456789-abcdefghijklmnop",
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": "localhost",
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
        "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),
        "PESEM_PUBLIC_PORTAL": "1",
    }
    env.pop("REDIS_URL", None)
    # docs/operations.md, "Install": migrate, then load_plan. Then the systemd unit's steps.
    for step in documented_steps():
        _manage(env, *step)
    _manage(env, "shell", "-c", MAKE_DIRECTOR)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "pesem/gunicorn.conf.py", "pesem.wsgi"],
        cwd=ROOT,
        env={**env, "PESEM_BIND": f"127.0.0.1:{port}", "PESEM_WORKERS": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        anonymous = Client(port)
        for path in PUBLIC_PAGES:
            status, _ = anonymous.request("GET", path)
            assert status == 200, f"{path} answered {status}"
        director = Client(port)
        director.login("director.prueba")
        for path in PAGES:
            status, page = director.request("GET", path)
            assert status == 200, f"{path} answered {status}"
        status, page = director.request("GET", "/objetivos/1/")
        assert "OE1.1" in page
        # The pages link to content-hashed static files, which whitenoise serves (only the
        # hashed copies are kept: WHITENOISE_KEEP_ONLY_HASHED_FILES).
        scripts = re.findall(r'src="(/static/[^"]+\.[0-9a-f]{12}\.js)"', page)
        assert any("plotly.min" in src for src in scripts), scripts
        for src in scripts:
            status, _ = anonymous.request("GET", src)
            assert status == 200, f"{src} answered {status}"
    finally:
        server.terminate()
        server.wait(timeout=20)
