"""Plans are data: entities, plan versions and the resolutions that approve them; the loaded
PESEM is the RREE sector's, with one finalized version approved by an unknown resolution."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from objectives.models import Entity, Plan, PlanVersion, Resolution
from objectives.plans import current_version
from pesem.planio.loading import load_plan

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def pesem():
    return Plan.objects.get(code="PESEM-RREE")


def add_version(plan, state, *, kind=PlanVersion.Kind.UPDATED, start=2015, end=2021):
    return PlanVersion.objects.create(
        plan=plan, kind=kind, name=plan.name, horizon_start=start, horizon_end=end, state=state
    )


def test_the_loaded_plan_is_the_rree_sector_pesem():
    plan = pesem()
    assert (plan.plan_type, plan.frequency, plan.short_name) == (
        "PESEM",
        "anual",
        "PESEM 2015-2021",
    )
    assert (plan.entity.code, plan.entity.name, plan.entity.kind) == (
        "RREE",
        "Relaciones Exteriores",
        "sector",
    )
    assert plan.entity.sector is None
    [version] = plan.versions.all()
    assert (version.kind, version.state, version.horizon_start, version.horizon_end) == (
        "nuevo",
        "finalizado",
        2015,
        2021,
    )
    assert version.name == plan.name
    assert version.resolution.known is False
    assert str(version.resolution) == "Resolución desconocida"
    assert version.is_read_only


def test_loading_twice_adds_no_version_entity_or_resolution():
    counts = (Entity.objects.count(), PlanVersion.objects.count(), Resolution.objects.count())
    report = load_plan(settings.PLAN_FIXTURES_DIR)
    assert not report.changed, report.summary()
    assert (
        (
            Entity.objects.count(),
            PlanVersion.objects.count(),
            Resolution.objects.count(),
        )
        == counts
        == (1, 1, 1)
    )


def test_a_plan_has_at_most_one_vigente_version():
    plan = pesem()
    add_version(plan, PlanVersion.State.IN_FORCE)
    with pytest.raises(IntegrityError), transaction.atomic():
        add_version(plan, PlanVersion.State.IN_FORCE)
    # Other states repeat freely.
    add_version(plan, PlanVersion.State.DRAFT)
    add_version(plan, PlanVersion.State.DRAFT)
    assert plan.versions.filter(state="vigente").count() == 1
    assert plan.versions.count() == 4


def test_the_vigente_rule_is_validated_with_a_spanish_message():
    plan = pesem()
    add_version(plan, PlanVersion.State.IN_FORCE)
    second = PlanVersion(
        plan=plan, kind="actualizado", name="x", horizon_start=2015, horizon_end=2021
    )
    second.state = "vigente"
    with pytest.raises(ValidationError, match="a lo más una versión vigente"):
        second.full_clean()


def test_a_horizon_cannot_end_before_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        add_version(pesem(), PlanVersion.State.DRAFT, start=2022, end=2021)


def test_a_pliego_needs_its_sector_and_a_sector_has_none():
    sector = Entity.objects.get(code="RREE")
    apci = Entity.objects.create(code="APCI", name="APCI", kind="pliego", sector=sector)
    assert list(sector.pliegos.all()) == [apci]
    with pytest.raises(IntegrityError), transaction.atomic():
        Entity.objects.create(code="MRE", name="Ministerio", kind="pliego")
    with pytest.raises(IntegrityError), transaction.atomic():
        Entity.objects.create(code="X", name="X", kind="sector", sector=sector)


def test_current_version_is_the_vigente_one_else_the_latest():
    plan = pesem()
    first = plan.versions.get()
    assert current_version(plan) == first

    later = add_version(plan, PlanVersion.State.DRAFT, kind=PlanVersion.Kind.EXTENDED)
    assert current_version(plan) == later  # no vigente: the latest

    vigente = add_version(plan, PlanVersion.State.IN_FORCE)
    PlanVersion.objects.filter(pk=vigente.pk).update(created_at=timezone.now() - timedelta(days=1))
    assert current_version(plan) == vigente  # vigente wins over a later draft


def test_current_version_of_a_plan_without_versions_is_none():
    plan = pesem()
    plan.versions.all().delete()
    assert current_version(plan) is None


def test_current_version_reads_a_prefetch_without_queries(django_assert_num_queries):
    plan = Plan.objects.prefetch_related("versions").get(code="PESEM-RREE")
    with django_assert_num_queries(0):
        assert current_version(plan).kind == "nuevo"


def test_admin_shows_finished_versions_read_only(client, superuser):
    client.force_login(superuser)
    finished = pesem().versions.get()
    draft = add_version(pesem(), PlanVersion.State.DRAFT)
    url = reverse("admin:objectives_planversion_change", args=[finished.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert 'name="horizon_start"' not in response.content.decode()
    assert client.post(url, {"state": "vigente"}).status_code == 403
    draft_url = reverse("admin:objectives_planversion_change", args=[draft.pk])
    assert 'name="horizon_start"' in client.get(draft_url).content.decode()
    delete = reverse("admin:objectives_planversion_delete", args=[finished.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert PlanVersion.objects.filter(pk=finished.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_migration_makes_the_existing_plan_the_rree_pesem():
    load_plan(settings.PLAN_FIXTURES_DIR)
    executor = MigrationExecutor(connection)
    executor.migrate([("objectives", "0003_action_responsible_order")])
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    plan = Plan.objects.get()
    assert (plan.code, plan.plan_type, plan.entity.code, plan.frequency) == (
        "PESEM-RREE",
        "PESEM",
        "RREE",
        "anual",
    )
    [version] = plan.versions.all()
    assert (version.kind, version.state, version.horizon_start, version.horizon_end) == (
        "nuevo",
        "finalizado",
        2015,
        2021,
    )
    assert version.resolution.known is False
    # load_plan then agrees with what the migration made.
    assert not load_plan(settings.PLAN_FIXTURES_DIR).changed
