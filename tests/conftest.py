"""Fixtures shared by every test: the plan loaded once, people with each role, the public
portal switched on when asked, and data fixtures in every workflow state.
The plain functions behind them are in tests/factories.py."""

import logging
from decimal import Decimal as D
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import override_settings

from indicators import services
from indicators.models import Indicator
from indicators.workflow import target_services
from objectives.models import Directorate, StrategicAction
from pesem.planio.loading import load_plan
from tests.factories import (
    DRAFT_VALUE,
    RETURNED_VALUE,
    SUBMITTED_NUMERATOR,
    SUBMITTED_VALUE,
    enter_value,
    make_staff,
    save_value,
    submit,
    validate,
)

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


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the published plan once; each test runs in a transaction rolled back after it."""
    with django_db_blocker.unblock():
        load_plan(settings.PLAN_FIXTURES_DIR)


# Every table's rows right after the first transactional test of this process loaded the plan.
_PLAN_ROWS: dict[str, tuple[list[str], list[tuple]]] = {}


def _table_rows() -> dict[str, tuple[list[str], list[tuple]]]:
    rows = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.django_table_names(include_views=False):
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 (Django's own table names)
            rows[table] = ([c[0] for c in cursor.description], cursor.fetchall())
    return rows


def _restore(rows: dict[str, tuple[list[str], list[tuple]]]) -> None:
    """Put back exactly the rows kept by _table_rows (foreign keys are deferred to the end of
    the transaction on both backends, so the order of the tables does not matter)."""
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        for table, (columns, values) in rows.items():
            cursor.execute(f"DELETE FROM {quote(table)}")  # noqa: S608
            if values:
                marks = ", ".join(["%s"] * len(columns))
                names = ", ".join(map(quote, columns))
                cursor.executemany(
                    f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})",  # noqa: S608
                    values,
                )
    ContentType.objects.clear_cache()


@pytest.fixture
def plan_tx(transactional_db):
    """The plan for transactional tests (browser tests), which start from a flushed database.
    The first one of each test process loads it (load_plan, as the session setup does) and
    keeps every table's rows; the next ones put those rows back, which takes milliseconds
    instead of the load's two seconds (load_plan's own tests load it for real)."""
    if _PLAN_ROWS:
        _restore(_PLAN_ROWS)
    else:
        load_plan(settings.PLAN_FIXTURES_DIR)
        _PLAN_ROWS.update(_table_rows())


@pytest.fixture(scope="session", autouse=True)
def _apart_per_worker(tmp_path_factory, worker_id):
    """Each test process (one per xdist worker) keeps uploaded and built files in its own
    folder, not in the checkout's media/, and with REDIS_URL set its own cache keys."""
    apart = {"MEDIA_ROOT": tmp_path_factory.mktemp("media")}
    if "redis" in settings.CACHES["default"]["BACKEND"].lower():
        default = {**settings.CACHES["default"]}
        default["KEY_PREFIX"] = f"{default.get('KEY_PREFIX', '')}-{worker_id}"
        apart["CACHES"] = {**settings.CACHES, "default": default}
    with override_settings(**apart):
        yield


@pytest.hookimpl(tryfirst=True)  # before `-m postgres` selects
def pytest_collection_modifyitems(items):
    """Which tests CI runs on PostgreSQL too (`-m postgres`, .ci/run): the modules marked
    `postgres` (SQL, locking, transactions, the data version, imports, the API, fuzzing) and
    every transactional test outside the browser ones (committed data seen across
    connections)."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        transactional = (marker is not None and marker.kwargs.get("transaction")) or any(
            name in item.fixturenames for name in ("transactional_db", "live_server")
        )
        if transactional and not item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.postgres)


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.org", "clave-segura-1")


@pytest.fixture
def plain_user(django_user_model):
    return django_user_model.objects.create_user("lector", password="clave-segura-1")


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


@pytest.fixture
def portal_on(settings):
    """The public portal switched on, with a rate limit no test reaches by accident (the
    rate-limit tests lower it)."""
    settings.PESEM_PUBLIC_PORTAL = True
    settings.PESEM_PORTAL_RATE_LIMIT = 100_000


@pytest.fixture
def validated(registrar_dgc, registrar_dpe, validator):
    """Validated values with narrative, and a validated action report with its description:
    public, the narrative only when PortalSettings says so."""
    v2016 = save_value(
        registrar_dgc,
        "OE3.1",
        2016,
        numerator=450,
        denominator=2_850_000,
        note="NOTA-VALIDADA",
        analysis="ANALISIS-VALIDADO",
        measures="MEDIDAS-VALIDADAS",
        justification="JUSTIFICACION-VALIDADA-1",
        evidence_url="https://evidencia.example/validada",
    )
    validate(validator, submit(registrar_dgc, v2016))
    # 20 per 10,000 against a target of about 1.56: warnings (achievement over 200 %, jump),
    # kept with a justification. The value is public; warnings and justification are not.
    v2018 = save_value(
        registrar_dgc,
        "OE3.1",
        2018,
        numerator=2000,
        denominator=1_000_000,
        justification="JUSTIFICACION-VALIDADA-2",
    )
    assert v2018.warnings
    validate(validator, submit(registrar_dgc, v2018))
    v2016b = save_value(registrar_dpe, "OE2.1", 2016, numerator=93, denominator=60)  # green
    validate(validator, submit(registrar_dpe, v2016b))
    report = services.report_save(
        user=registrar_dpe,
        action=StrategicAction.objects.get(code="2.1"),
        directorate=Directorate.objects.get(code="DPE"),
        year=2016,
        execution="in_progress",
        percent=D(60),
        description="QUE-SE-HIZO-VALIDADO",
        evidence_url="https://evidencia.example/reporte-validado",
    )
    validate(validator, submit(registrar_dpe, report))


@pytest.fixture
def unpublished(registrar_dgc, registrar_dpe, validator, django_user_model):
    """A draft, a submitted and a returned value with distinctive numbers and texts; draft
    and submitted action reports; a target set with an internal reason."""
    save_value(
        registrar_dgc,
        "NAC.3",
        2017,
        value=DRAFT_VALUE,
        note="NOTA-BORRADOR",
        analysis="ANALISIS-BORRADOR",
        measures="MEDIDAS-BORRADOR",
        justification="JUSTIFICACION-BORRADOR",
        evidence_url="https://evidencia.example/borrador",
    )
    sent = save_value(
        registrar_dpe,
        "OE2.1",
        2018,
        numerator=SUBMITTED_NUMERATOR,
        denominator=3,
        note="NOTA-ENVIADA",
        analysis="ANALISIS-ENVIADO",
        justification="JUSTIFICACION-ENVIADA",
        evidence_url="https://evidencia.example/enviado",
    )
    assert sent.value == SUBMITTED_VALUE
    submit(registrar_dpe, sent)
    back = save_value(
        registrar_dgc,
        "NAC.3",
        2019,
        value=RETURNED_VALUE,
        note="NOTA-DEVUELTA",
        justification="JUSTIFICACION-DEVUELTA",
    )
    back = submit(registrar_dgc, back)
    services.do_return(
        user=validator, item=back, reason="MOTIVO-DEVOLUCION", expected_version=back.version
    )
    services.report_save(
        user=registrar_dgc,
        action=StrategicAction.objects.get(code="3.1"),
        directorate=Directorate.objects.get(code="DGC"),
        year=2017,
        execution="in_progress",
        percent=D(10),
        description="REPORTE-BORRADOR",
        evidence_url="https://evidencia.example/reporte-borrador",
    )
    sent_report = services.report_save(
        user=registrar_dpe,
        action=StrategicAction.objects.get(code="2.1"),
        directorate=Directorate.objects.get(code="DPE"),
        year=2017,
        execution="in_progress",
        percent=D(20),
        description="REPORTE-ENVIADO",
    )
    submit(registrar_dpe, sent_report)
    revision = target_services.target_propose(
        user=validator,
        indicator=Indicator.objects.get(code="OE3.1"),
        year=2019,
        value=D("1.7"),
        reason="correccion",
        rationale="MOTIVO-META-INTERNO",
    )
    second = make_staff(django_user_model, "val2.opp", "validador", "OPP")
    target_services.target_decide(user=second, revision=revision, approve=True)


@pytest.fixture
def planning_office(django_user_model):
    """DGC's registrar, two people of the planning office (one proposes, the other decides:
    four eyes), DGC's director who reads, and OE3.1's 2016 value validated."""
    registrar = make_staff(django_user_model, "reg.dgc", "registrador", "DGC")
    proposer = make_staff(django_user_model, "val.opp", "validador", "OPP")
    approver = make_staff(django_user_model, "val2.opp", "validador", "OPP")
    director = make_staff(django_user_model, "dir.dgc", "director", "DGC")
    enter_value(registrar, "OE3.1", 2016, numerator=450, validator=proposer)
    return SimpleNamespace(
        registrar=registrar, proposer=proposer, approver=approver, director=director
    )
