import pytest
from django.conf import settings

from objectives.loading import load_plan


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
