import pytest
from django.conf import settings
from django.test import override_settings

from pesem.planio.loading import load_plan


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the published plan once; each test runs in a transaction rolled back after it."""
    with django_db_blocker.unblock():
        load_plan(settings.PLAN_FIXTURES_DIR)


@pytest.fixture
def plan_tx(transactional_db):
    """The plan for transactional tests (browser tests), which start from a flushed database."""
    load_plan(settings.PLAN_FIXTURES_DIR)


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
