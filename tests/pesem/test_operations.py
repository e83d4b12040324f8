"""Production operation: deploy checks, refusal to start misconfigured, health check, login
throttling, structured audit log."""

import json
import logging
import os
import subprocess
import sys
from decimal import Decimal as D

import pytest
from django.urls import reverse

from tests.factories import ROOT, ok

PROD_ENV = {
    "PATH": os.environ.get("PATH", ""),
    "DJANGO_SETTINGS_MODULE": "pesem.settings",
    "DJANGO_SECRET_KEY": "k" * 20 + "-production-like-secret-0123456789-abcdefghijklmnop",
    "DJANGO_DEBUG": "0",
    "DJANGO_ALLOWED_HOSTS": "pesem.example.gob.pe",
}


def manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_check_deploy_is_clean_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PROD_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_without_secret_key_refuses_clearly():
    env = {k: v for k, v in PROD_ENV.items() if k != "DJANGO_SECRET_KEY"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY no está definido" in result.stderr


def test_gunicorn_refuses_debug_or_missing_key(monkeypatch):
    import importlib.util

    from django.core.exceptions import ImproperlyConfigured

    spec = importlib.util.spec_from_file_location("gconf", ROOT / "pesem" / "gunicorn.conf.py")
    gconf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gconf)
    monkeypatch.setenv("DJANGO_DEBUG", "1")
    monkeypatch.setenv("DJANGO_SECRET_KEY", "x" * 50)
    with pytest.raises(ImproperlyConfigured, match="DJANGO_DEBUG está activado"):
        gconf.on_starting(None)
    monkeypatch.setenv("DJANGO_DEBUG", "0")
    monkeypatch.delenv("DJANGO_SECRET_KEY")
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY"):
        gconf.on_starting(None)


@pytest.mark.django_db
def test_healthz_ok_without_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok\n"


@pytest.mark.django_db
def test_healthz_503_when_the_database_is_down(client, monkeypatch):
    from django.db import OperationalError
    from django.db.backends.base.base import BaseDatabaseWrapper

    def down(*args, **kwargs):
        raise OperationalError("conexión rechazada")

    monkeypatch.setattr(BaseDatabaseWrapper, "cursor", down)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.content == b"unavailable\n"  # nothing about the cause


@pytest.mark.django_db
def test_repeated_failed_logins_lock_out_with_spanish_message(client, django_user_model, settings):
    django_user_model.objects.create_user("directora", password="clave-segura-1")
    for _ in range(settings.PESEM_LOGIN_FAILURES - 1):
        page = client.post(reverse("login"), {"username": "directora", "password": "mala"})
        assert "Usuario o contraseña incorrectos" in page.content.decode()
    locked = client.post(reverse("login"), {"username": "directora", "password": "mala"})
    assert locked.status_code == 429
    assert "Acceso bloqueado temporalmente" in locked.content.decode()
    # Even the right password is refused while locked.
    again = client.post(reverse("login"), {"username": "directora", "password": "clave-segura-1"})
    assert again.status_code == 429


@pytest.mark.django_db
def test_security_headers(client, plain_user):
    client.force_login(plain_user)
    response = ok(client.get(reverse("home")))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "default-src 'self'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_every_write_and_refusal_is_a_structured_log_line(client, registrar_dgc, caplog):
    from pesem.logging import JsonFormatter

    caplog.set_level(logging.INFO, logger="pesem.audit")
    client.force_login(registrar_dgc)
    ok(
        client.post(
            reverse("value_entry", args=["OE3.1", 2016]), {"numerator": "1", "denominator": "2"}
        ),
        302,
    )
    ok(
        client.post(
            reverse("value_entry", args=["OE2.1", 2016]), {"numerator": "1", "denominator": "2"}
        ),
        403,
    )
    lines = [
        json.loads(JsonFormatter().format(r)) for r in caplog.records if r.name == "pesem.audit"
    ]
    write = next(line for line in lines if line["event"] == "write")
    assert (write["user"], write["indicator"], write["year"], write["state"]) == (
        "reg.dgc",
        "OE3.1",
        2016,
        "draft",
    )
    refusals = [line for line in lines if line["event"] == "permission_denied"]
    assert any(r.get("path") == "/indicadores/OE2.1/2016/registrar/" for r in refusals)
    assert all(r["user"] == "reg.dgc" for r in refusals)
    assert D(write["version"]) == 1
