"""No stale page after a write, across processes: two gunicorn processes serve one database
with the page cache on; a third process writes; both servers answer with the new figure at once
(the data version lives in the database, the cache is shared)."""

from __future__ import annotations

import http.cookiejar
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest

from tests.factories import ROOT, free_port

PASSWORD = "clave-segura-1"
SETUP_USERS = f"""
from django.contrib.auth.models import Group
from django.contrib.auth import get_user_model
from objectives.models import Directorate, StaffProfile
u = get_user_model().objects.create_user("dir.dgc", password={PASSWORD!r})
u.groups.add(Group.objects.get(name="director"))
StaffProfile.objects.create(user=u, directorate=Directorate.objects.get(code="DGC"))
r = get_user_model().objects.create_user("reg.dgc", password={PASSWORD!r})
r.groups.add(Group.objects.get(name="registrador"))
StaffProfile.objects.create(user=r, directorate=Directorate.objects.get(code="DGC"))
"""
WRITE = """
from decimal import Decimal
from django.contrib.auth import get_user_model
from indicators import services
from indicators.models import Indicator
services.value_save(user=get_user_model().objects.get(username="reg.dgc"),
    indicator=Indicator.objects.get(code="NAC.3"), year=2016,
    numerator=None, denominator=None, value=Decimal("777777"), submit=True)
from pesem.cache import data as datacache
print(datacache.current_version())
"""


def _manage(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


class Browser:
    def __init__(self, port: int):
        self.base = f"http://127.0.0.1:{port}"
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[str, str | None]:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read().decode(), response.headers.get("X-Page-Cache")

    def login(self, username: str) -> None:
        self.get("/accounts/login/")
        token = next(c.value for c in self.jar if c.name == "csrftoken")
        data = urllib.parse.urlencode(
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token}
        ).encode()
        request = urllib.request.Request(
            self.base + "/accounts/login/", data=data, headers={"Referer": self.base + "/"}
        )
        self.opener.open(request, timeout=30).read()


@pytest.fixture
def two_servers(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_SECRET_KEY": "two-processes-test-secret-key-0123456789-abcdefghij",
        # Plain HTTP on loopback: cookies without the Secure flag, no redirect to HTTPS.
        "DJANGO_DEBUG": "1",
        "PESEM_PAGE_CACHE": "1",
        "DJANGO_SETTINGS_MODULE": "pesem.settings",
    }
    env.pop("REDIS_URL", None)
    _manage(env, "migrate", "--noinput")
    _manage(env, "createcachetable")
    _manage(env, "load_plan")
    _manage(env, "shell", "-c", SETUP_USERS)
    ports, servers = [free_port(), free_port()], []
    for port in ports:
        servers.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "-w",
                    "1",
                    "-b",
                    f"127.0.0.1:{port}",
                    "pesem.wsgi",
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
    for port in ports:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
    yield env, ports
    for server in servers:
        server.terminate()
        server.wait(timeout=10)


def test_no_stale_page_after_a_write_in_another_process(two_servers):
    env, (port_a, port_b) = two_servers
    a, b = Browser(port_a), Browser(port_b)
    a.login("dir.dgc")
    b.login("dir.dgc")
    for browser in (a, b):
        html, _ = browser.get("/indicadores/NAC.3/")
        assert "777,777" not in html  # not entered yet
        _, hit = browser.get("/indicadores/NAC.3/")
        assert hit == "hit"  # kept, and served from the shared cache
    # A third process enters and submits a value (shown to directors as preliminary).
    _manage(env, "shell", "-c", WRITE)
    html, hit = a.get("/indicadores/NAC.3/")
    assert hit is None and "777,777" in html  # rebuilt at the new version
    html, hit = b.get("/indicadores/NAC.3/")
    assert hit == "hit" and "777,777" in html  # the other process serves that new copy
