"""Pages work offline and under a strict CSP: no resource from another host, no inline
script."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PAGES = [
    ("home", []),
    ("plan", []),
    ("objective_detail", [1]),
    ("indicator_detail", ["OE3.1"]),
    ("directorates", []),
    ("directorate_detail", ["DGC"]),
    ("report", []),
    ("pending", []),
    ("validation_queue", []),
    ("import_upload", []),
    ("prospective", []),
    ("actors", []),
    ("value_entry", ["OE3.1", 2016]),
    ("report_entry", ["3.1", 2016]),
]
EXTERNAL = re.compile(r'<(?:script|link|img|iframe|source)[^>]+(?:src|href)="(?:https?:)?//', re.I)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_page_has_no_external_resource_and_no_inline_script(
    client, validator, registrar_dgc, name, args
):
    user = registrar_dgc if name in {"value_entry", "report_entry", "pending"} else validator
    client.force_login(user)
    html = client.get(reverse(name, args=args)).content.decode()
    assert not EXTERNAL.search(html)
    assert not INLINE_SCRIPT.search(html)


def test_login_page_too(client):
    html = client.get(reverse("login")).content.decode()
    assert not EXTERNAL.search(html) and not INLINE_SCRIPT.search(html)
