"""The menu's «Mis tareas» badge and roles, remembered in the session per data version
(pesem.cache.personal): right at once after anyone's write, on kept and rendered pages alike; not
recounted while nothing changed; recounted when the date changes (tasks fall due)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from indicators import deadlines
from indicators.workflow import inbox
from pesem import context_processors
from pesem.cache import data as datacache
from tests.factories import enter_value, logged_in, make_staff, ok

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

# Before 2015's deadline (31/03/2016): nothing is overdue, a registrar's badge counts drafts.
BEFORE_DEADLINES = date(2016, 2, 1)


def badge(page: str) -> int | None:
    found = re.search(r'<span class="badge" aria-label="(\d+) tareas?">(\d+)</span>', page)
    return int(found.group(2)) if found else None


def _queries(client, path: str) -> tuple[list[str], object]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    return [q["sql"] for q in queries.captured_queries], response


def test_a_registrars_badge_on_a_kept_page_counts_a_colleagues_draft_at_once(
    django_user_model, monkeypatch
):
    monkeypatch.setattr(deadlines, "today", lambda: BEFORE_DEADLINES)
    ana = make_staff(django_user_model, "ana", "registrador", "DGC")
    luis = make_staff(django_user_model, "luis", "registrador", "DGC")
    client = logged_in(ana)
    ok(client.get("/plan/"))
    kept = ok(client.get("/plan/"))
    assert kept["X-Page-Cache"] == "hit" and badge(kept.content.decode()) == 0
    before = datacache.current()
    enter_value(luis, "OE3.1", 2016)  # a draft: the plan page stays kept
    assert datacache.current().official == before.official
    served = ok(client.get("/plan/"))
    assert served["X-Page-Cache"] == "hit"
    assert badge(served.content.decode()) == 1
    assert badge(ok(client.get("/cuenta/")).content.decode()) == 1


def test_a_validators_badge_counts_a_value_submitted_by_someone_else_at_once(
    django_user_model,
):
    registrar = make_staff(django_user_model, "reg", "registrador", "DGC")
    validator = make_staff(django_user_model, "val", "validador", "OPP")
    client = logged_in(validator)
    waiting = inbox.open_task_count(user=validator, today=deadlines.today())
    assert badge(ok(client.get("/cuenta/")).content.decode()) == waiting
    ok(client.get("/indicadores/NAC.3/"))
    assert badge(ok(client.get("/indicadores/NAC.3/")).content.decode()) == waiting
    enter_value(registrar, "OE3.1", 2016, submit=True)
    assert badge(ok(client.get("/cuenta/")).content.decode()) == waiting + 1
    assert badge(ok(client.get("/indicadores/NAC.3/")).content.decode()) == waiting + 1


def test_a_remembered_badge_is_not_recounted_while_nothing_changes(django_user_model):
    validator = make_staff(django_user_model, "val", "validador", "OPP")
    registrar = make_staff(django_user_model, "reg", "registrador", "DGC")
    for person in (validator, registrar):
        client = logged_in(person)
        first, _ = _queries(client, "/cuenta/")
        again, response = _queries(client, "/cuenta/")
        assert any("indicators_indicatorvalue" in q for q in first)  # counted once
        # session, user; the page's directorate and roles; data version (the badge is the
        # session's)
        assert len(again) == 5 and badge(response.content.decode()) is not None
        assert not any("indicators_indicatorvalue" in q for q in again)
        ok(client.get("/plan/"))
        kept, response = _queries(client, "/plan/")
        assert response["X-Page-Cache"] == "hit"
        # session, user, data version, kept page (roles and badge are the session's)
        assert len(kept) == 4, kept


def test_the_version_is_read_once_when_a_kept_page_is_built(django_user_model):
    validator = make_staff(django_user_model, "val", "validador", "OPP")
    client = logged_in(validator)
    built, response = _queries(client, "/plan/")
    assert "X-Page-Cache" not in response and badge(response.content.decode()) is not None
    assert sum("pesem_dataversion" in q for q in built) == 1


def test_the_badge_is_recounted_when_the_date_changes(django_user_model, monkeypatch):
    registrar = make_staff(django_user_model, "reg", "registrador", "DGC")
    client = logged_in(registrar)
    monkeypatch.setattr(deadlines, "today", lambda: date(2016, 3, 31))  # 2015 due today
    ok(client.get("/plan/"))
    assert badge(ok(client.get("/plan/")).content.decode()) == 0
    monkeypatch.setattr(deadlines, "today", lambda: date(2016, 4, 1))  # 2015 late
    overdue = inbox.open_task_count(user=registrar, today=date(2016, 4, 1))
    assert overdue > 0
    # The day is part of a kept page's key (deadline texts count days from it): the first
    # request of the new day builds the page, the next is the kept copy; both count anew.
    built = ok(client.get("/plan/"))
    assert "X-Page-Cache" not in built
    assert badge(built.content.decode()) == overdue
    served = ok(client.get("/plan/"))
    assert served["X-Page-Cache"] == "hit"
    assert badge(served.content.decode()) == overdue


def test_requests_without_a_session_or_a_user_get_roles_and_no_badge(
    django_user_model, administrator
):
    bare = RequestFactory().get("/")
    assert context_processors.roles(bare) == {"user_roles": frozenset()}
    bare.user = AnonymousUser()
    assert context_processors.roles(bare) == {"user_roles": frozenset()}
    validator = make_staff(django_user_model, "val", "validador", "OPP")
    bare.user = validator  # no session: counted, not remembered
    context = context_processors.roles(bare)
    assert context["user_roles"] == {"validador"}
    today = deadlines.today()
    assert context["open_tasks"]() == inbox.open_task_count(user=validator, today=today)
    admin = logged_in(administrator)
    assert admin.get("/admin/").status_code == 200
    assert admin.get("/admin/indicators/indicator/").status_code == 200
    login = Client().get("/accounts/login/")
    assert login.status_code == 200 and 'class="badge"' not in login.content.decode()
