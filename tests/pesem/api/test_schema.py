"""The read API describes itself: the OpenAPI 3 schema is served, the docs page works with
our own files under the site's CSP, and every operation answers as the schema says
(property-based, schemathesis: no 5xx, declared status codes, bodies that match)."""

from __future__ import annotations

import re
import uuid

import pytest
import schemathesis
from django.contrib.staticfiles import finders
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from pesem.models import ApiToken
from tests.factories import enter_value, ok

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("portal_on"), pytest.mark.postgres]

SCHEMA_URL = "/api/v1/openapi.json"
OPERATIONS = {
    "/api/v1/plan",
    "/api/v1/plans",
    "/api/v1/plans/{code}",
    "/api/v1/plans/{code}/articulation",
    "/api/v1/plans/{code}/indicators",
    "/api/v1/plans/{code}/statuses",
    "/api/v1/plans/{code}/values",
    "/api/v1/objectives",
    "/api/v1/objectives/{number}",
    "/api/v1/actions",
    "/api/v1/action-reports",
    "/api/v1/directorates",
    "/api/v1/indicators",
    "/api/v1/indicators/{code}",
    "/api/v1/values",
    "/api/v1/targets",
    "/api/v1/statuses",
}
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


@pytest.fixture(autouse=True)
def api_settings(settings):
    settings.PESEM_PUBLIC_PORTAL = True
    settings.PESEM_API_PUBLIC_PER_MINUTE = 1_000_000
    settings.PESEM_API_TOKEN_PER_MINUTE = 1_000_000
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"api-schema-{uuid.uuid4()}",
        }
    }


def test_the_openapi_schema_is_served(client):
    response = client.get(SCHEMA_URL)
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["version"] == "1"
    assert set(schema["paths"]) == OPERATIONS
    assert set(schema["components"]["securitySchemes"]) == {"BearerToken", "SessionCookie"}
    for path, operations in schema["paths"].items():
        assert set(operations) == {"get"}, path
        get = operations["get"]
        # Token, session, or nothing (the public, while the portal is open).
        assert get["security"] == [{"BearerToken": []}, {"SessionCookie": []}, {}]
        assert {"200", "401", "422", "429"} <= set(get["responses"]), path


def test_decimals_are_documented_as_exact_strings(client):
    schemas = ok(client.get(SCHEMA_URL)).json()["components"]["schemas"]
    value = schemas["ValueOut"]["properties"]["value"]
    assert {"type": "string", "pattern": r"^-?\d+(\.\d+)?$"}.items() <= next(
        s for s in value["anyOf"] if s.get("type") == "string"
    ).items()


def test_the_docs_page_is_ours_in_spanish_with_no_script(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="es-PE">' in html
    assert "<script" not in html and "swagger" not in html.lower()
    assert "cdn" not in html.lower()
    assert not re.search(r'<link[^>]+href="(?:https?:)?//', html)
    assert "https://" not in html and "http://" not in html
    for name in re.findall(r'(?:src|href)="/static/([^"]+)"', html):
        assert finders.find(name), name
    # Every operation of the schema, with its parameters and the fields of its answer.
    for path in OPERATIONS:
        assert f"<code>GET {path}</code>" in html, path
    statuses = html.split('id="api-v1-statuses"')[1].split("</section>")[0]
    assert "<code>light_label</code>" in statuses and "«off_track»: en riesgo" in statuses
    assert "<code>year</code>" in statuses
    assert 'href="/api/v1/openapi.json"' in html and 'href="/api/v1/"' in html
    csp = response["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", csp)
    assert script_src is not None and script_src.group(1).strip() == "'self'"


# --- property-based: every operation against its own schema ------------------------------


# The schema as the site serves it, read once at collection (no database involved);
# schemathesis calls the same WSGI application for every case.
schema = schemathesis.openapi.from_wsgi(SCHEMA_URL, WSGIHandler())


@pytest.fixture(autouse=True)
def keep_the_test_transaction():
    """Django closes the connection at the end of each request (losing the test's
    transaction) unless told not to, as its test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def workflow_data(registrar_dgc, validator):
    """Values in every state, so the schemas of internal rows are exercised too."""
    enter_value(registrar_dgc, year=2016, validator=validator)
    enter_value(registrar_dgc, year=2017, numerator=457, submit=True)
    enter_value(registrar_dgc, year=2018, numerator=461)


@pytest.fixture
def token(validator) -> str:
    prefix, secret = ApiToken.new_secret()
    ApiToken.objects.create(
        user=validator, name="schemathesis", prefix=prefix, key_hash=ApiToken.hash_secret(secret)
    )
    return secret


BOUNDED = hypothesis_settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)


@schema.parametrize()
@BOUNDED
def test_every_operation_conforms_for_the_public(case, workflow_data):
    case.call_and_validate(checks=CHECKS)


@schema.parametrize()
@BOUNDED
def test_every_operation_conforms_for_a_token_holder(case, workflow_data, token):
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
