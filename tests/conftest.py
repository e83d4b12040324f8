import logging

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from pesem.planio.loading import load_plan

DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences"}


def _at_test_level(connection) -> bool:
    """Only the test's own atomic blocks are open: production would be in autocommit here."""
    blocks = connection.atomic_blocks
    return bool(blocks) and all(block._from_testcase for block in blocks)


def _commit_hooks(connection) -> None:
    """Run the on-commit callbacks as a real commit would (BaseDatabaseWrapper.
    run_and_clear_commit_hooks), and forget them, as a commit does."""
    while connection.run_on_commit:
        _, func, robust = connection.run_on_commit.pop(0)
        try:
            func()
        except Exception:
            if not robust:
                raise
            logging.getLogger("django.db.backends.base").exception("on_commit callback")


@pytest.fixture(scope="session", autouse=True)
def commits_as_in_production():
    """A plain `django_db` test runs inside atomic blocks that roll back, so on-commit callbacks
    (the data version's bump, pesem.cache.data) would never run and kept pages never go
    stale. Here every outermost atomic block of the code under test runs its callbacks when it
    exits, and a callback registered outside any (autocommit in production) runs at once:
    what production commits, the test sees committed, at the same moment. Transactional tests
    commit for real and are left alone (no test-case block is open)."""
    on_commit, atomic_exit = BaseDatabaseWrapper.on_commit, transaction.Atomic.__exit__

    def on_commit_now(self, func, robust=False):
        on_commit(self, func, robust)
        if _at_test_level(self):
            _commit_hooks(self)

    def exit_and_commit(self, exc_type, exc_value, traceback):
        atomic_exit(self, exc_type, exc_value, traceback)
        connection = transaction.get_connection(self.using)
        if exc_type is None and not connection.needs_rollback and _at_test_level(connection):
            _commit_hooks(connection)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(BaseDatabaseWrapper, "on_commit", on_commit_now)
        patch.setattr(transaction.Atomic, "__exit__", exit_and_commit)
        yield


@pytest.fixture(autouse=True)
def empty_cache(request):
    """Every test that uses the database starts from an empty cache (the database cache's
    table is no model's: a transactional test's flush leaves it)."""
    if request.node.get_closest_marker("django_db") or DB_FIXTURES & set(request.fixturenames):
        request.getfixturevalue("_django_db_helper")
        cache.clear()


@pytest.fixture
def uncached(settings):
    """Every request builds its page: for the tests that pin what a build (a miss) costs in
    queries, which a kept copy would hide and the cache's own reads would blur."""
    settings.PESEM_PAGE_CACHE = False


def built(client, path, data=None):
    """A GET the view answers itself, never a kept copy: for tests that read the view's
    context (a kept copy has none)."""
    cache.clear()
    return client.get(path, data)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the published plan once; each test runs in a transaction rolled back after it."""
    with django_db_blocker.unblock():
        load_plan(settings.PLAN_FIXTURES_DIR)


@pytest.fixture
def plan_tx(transactional_db):
    """The plan for transactional tests (browser tests), which start from a flushed database."""
    load_plan(settings.PLAN_FIXTURES_DIR)


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.org", "clave-segura-1")


@pytest.fixture
def plain_user(django_user_model):
    return django_user_model.objects.create_user("lector", password="clave-segura-1")


def make_staff(django_user_model, username: str, role: str, directorate: str):
    from django.contrib.auth.models import Group

    from objectives.models import Directorate, StaffProfile

    user = django_user_model.objects.create_user(username, password="clave-segura-1")
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    StaffProfile.objects.create(user=user, directorate=Directorate.objects.get(code=directorate))
    return user


@pytest.fixture
def registrar_dgc(django_user_model):
    return make_staff(django_user_model, "reg.dgc", "registrador", "DGC")


@pytest.fixture
def registrar_dpe(django_user_model):
    return make_staff(django_user_model, "reg.dpe", "registrador", "DPE")


@pytest.fixture
def validator(django_user_model):
    return make_staff(django_user_model, "val.opp", "validador", "OPP")


@pytest.fixture
def director_dpe(django_user_model):
    return make_staff(django_user_model, "dir.dpe", "director", "DPE")


@pytest.fixture
def administrator(django_user_model):
    user = make_staff(django_user_model, "adm", "administrador", "OPP")
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


def enter_value(
    registrar,
    code="OE3.1",
    year=2016,
    numerator=450,
    denominator=2_850_000,
    *,
    submit=False,
    validator=None,
    note="",
):
    """A value entered through the services as the entry form does: saved as a draft, then
    submitted (submit=True) and validated (validator given) when asked. The default is a
    plausible OE3.1 value (1.58 per 10,000, target 1.54): one that trips no warning, so it is
    sent without a justification."""
    from decimal import Decimal

    from indicators import services
    from indicators.models import Indicator

    item = services.value_save(
        user=registrar,
        indicator=Indicator.objects.get(code=code),
        year=year,
        numerator=Decimal(numerator),
        denominator=Decimal(denominator),
        note=note,
    )
    if submit or validator:
        item = services.do_submit(user=registrar, item=item, expected_version=item.version)
    if validator:
        item = services.do_validate(user=validator, item=item, expected_version=item.version)
    return item
