"""The data version: every committed write moves it once, whatever the door; a rolled-back
write does not; cached reads are rebuilt after a write and reused until the next one."""

from __future__ import annotations

import pytest
from django.db import transaction

from objectives.models import Directorate, Entity
from pesem.cache import data as datacache
from tests.factories import make_staff

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


@pytest.fixture(autouse=True)
def sector():
    """The entity the units below belong to (the emptied database has none)."""
    return Entity.objects.get_or_create(
        code="RREE", defaults={"name": "Relaciones Exteriores", "kind": "sector"}
    )[0]


def _directorate() -> Directorate:
    return Directorate.objects.create(code="ZZT", name="Dirección de prueba")


def test_a_committed_write_moves_the_version_once_per_transaction():
    before = datacache.current_version()
    with transaction.atomic():
        d = _directorate()
        d.name = "Otra"
        d.save()
        Directorate.objects.create(code="ZZU", name="Otra más")
    assert datacache.current_version() == before + 1


def test_a_rolled_back_write_does_not_move_the_version():
    before = datacache.current_version()
    with pytest.raises(RuntimeError), transaction.atomic():
        _directorate()
        raise RuntimeError("rollback")
    assert datacache.current_version() == before


def test_history_rows_and_logins_do_not_move_the_version(django_user_model):
    _directorate()
    user = make_staff(django_user_model, "reg.cache", "registrador", "ZZT")
    before = datacache.current_version()
    user.save(update_fields=["last_login"])
    assert datacache.current_version() == before


def test_cached_read_is_reused_until_a_write_then_rebuilt():
    calls = []

    def build():
        calls.append(1)
        return Directorate.objects.count()

    first = datacache.cached(["directorates"], build)
    assert datacache.cached(["directorates"], build) == first
    assert len(calls) == 1
    _directorate()
    assert datacache.cached(["directorates"], build) == first + 1
    assert len(calls) == 2


def test_cache_off_builds_every_time(settings):
    settings.PESEM_PAGE_CACHE = False
    calls = []
    datacache.cached(["x"], lambda: calls.append(1) or 1)
    datacache.cached(["x"], lambda: calls.append(1) or 1)
    assert len(calls) == 2
