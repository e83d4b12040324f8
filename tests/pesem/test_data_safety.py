"""Backups round-trip, migrations run both ways on data, writes are all-or-nothing."""

import io
from datetime import date
from decimal import Decimal as D

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from indicators import services
from indicators.entry import importing
from indicators.models import Indicator, IndicatorValue, ReportingDeadline, SemesterValue
from objectives.models import Directorate, Plan, PlanVersion
from pesem.planio.export import plan_as_dict
from pesem.planio.loading import load_plan
from tests.factories import enter_value, load_example_pei, make_staff

pytestmark = pytest.mark.postgres


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_round_trip(tmp_path, django_user_model):
    load_plan(settings.PLAN_FIXTURES_DIR)
    registrar = make_staff(django_user_model, "reg.dgc", "registrador", "DGC")
    validator = make_staff(django_user_model, "val.opp", "validador", "OPP")
    enter_value(registrar, numerator=450, denominator=2_850_000, validator=validator, note="ORH")
    before = plan_as_dict()
    history = IndicatorValue.history.count()

    backup = tmp_path / "copia.json.gz"
    call_command("backup", output=backup, stdout=io.StringIO())
    IndicatorValue.objects.filter(year=2016).delete()
    django_user_model.objects.filter(username="val.opp").delete()

    call_command("restore", str(backup), yes=True, stdout=io.StringIO())

    assert plan_as_dict() == before
    assert IndicatorValue.history.count() == history
    restored = django_user_model.objects.get(username="val.opp")
    assert restored.check_password("clave-segura-1")
    assert restored.groups.filter(name="validador").exists()
    assert restored.profile.directorate.code == "OPP"


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_keep_every_plan_and_its_periods(tmp_path):
    """With the made-up PEI (PEI-EJEMPLO, not real data) beside the PESEM: its entity and
    units (an «OPP» and a «DGC» of its own), version, semester values and semester deadline
    come back as they were, and the PESEM's too."""
    load_plan(settings.PLAN_FIXTURES_DIR)
    pei = load_example_pei()
    indicator = pei.indicators.get(code="IND.OEI.01")
    SemesterValue.objects.create(
        indicator=indicator, year=2024, semester=1, value=D("650.5"), state="validated"
    )
    ReportingDeadline.objects.create(plan=pei, year=2024, semester=1, due_date=date(2024, 8, 15))

    def everything():
        return (
            plan_as_dict(),
            sorted(Plan.objects.values_list("code", "entity__code", "frequency")),
            sorted(Directorate.objects.values_list("entity__code", "code")),
            sorted(PlanVersion.objects.values_list("plan__code", "kind", "state")),
            sorted(
                SemesterValue.objects.values_list(
                    "indicator__plan__code", "year", "semester", "value"
                )
            ),
            sorted(
                ReportingDeadline.objects.values_list("plan__code", "year", "semester", "due_date")
            ),
            sorted(IndicatorValue.objects.filter(indicator__plan=pei).values_list("year", "value")),
        )

    before = everything()
    backup = tmp_path / "copia.json.gz"
    call_command("backup", output=backup, stdout=io.StringIO())
    SemesterValue.objects.all().delete()
    ReportingDeadline.objects.all().delete()
    call_command("restore", str(backup), yes=True, stdout=io.StringIO())
    assert everything() == before
    assert ("EJEMPLO", "OPP") in before[2] and ("RREE", "OPP") in before[2]


@pytest.mark.django_db(transaction=True)
def test_failed_restore_changes_nothing(tmp_path):
    load_plan(settings.PLAN_FIXTURES_DIR)
    before = plan_as_dict()
    broken = tmp_path / "rota.json"
    broken.write_text('[{"model": "indicators.indicator", "fields": {"code": null}}]')
    with pytest.raises(Exception, match="No se cambió nada"):
        call_command("restore", str(broken), yes=True, stdout=io.StringIO())
    assert plan_as_dict() == before


@pytest.mark.django_db(transaction=True)
def test_migrations_run_backward_and_forward_on_data(django_user_model):
    load_plan(settings.PLAN_FIXTURES_DIR)
    registrar = make_staff(django_user_model, "reg.dgc", "registrador", "DGC")
    validator = make_staff(django_user_model, "val.opp", "validador", "OPP")
    enter_value(registrar, numerator=450, denominator=2_850_000, validator=validator, note="ORH")
    numbers = sorted(
        IndicatorValue.objects.values_list("indicator__code", "year", "numerator", "value")
    )

    # Back to before the workflow (indicators 0002) and forward again: the numbers survive;
    # the workflow state and history of those columns do not (see docs/operations.md,
    # "Backups, restore and migrations").
    executor = MigrationExecutor(connection)
    executor.migrate([("indicators", "0001_initial")])
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert (
        sorted(IndicatorValue.objects.values_list("indicator__code", "year", "numerator", "value"))
        == numbers
    )

    # The whole schema also goes to zero and back without error.
    call_command("migrate", "actors", "zero", verbosity=0)
    call_command("migrate", verbosity=0)
    load_plan(settings.PLAN_FIXTURES_DIR)


@pytest.mark.django_db
def test_import_failing_midway_leaves_nothing(monkeypatch, tmp_path):
    rows = importing.read_rows(
        b"indicator,year,numerator,denominator,value,note\n"
        b"OE3.1,2016,1,2,,\nOE2.1,2016,3,4,,\nOE4.1,2016,5,6,,\n",
        "v.csv",
    )
    plan = importing.plan_import(rows)
    calls = {"n": 0}
    original = services.save_item

    def failing_save(item, user, reason=""):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disco lleno")
        return original(item, user, reason)

    monkeypatch.setattr(services, "save_item", failing_save)
    with pytest.raises(RuntimeError):
        importing.apply_import(plan)
    assert not IndicatorValue.objects.filter(year=2016).exists()


@pytest.mark.django_db
def test_entry_failing_after_save_leaves_nothing(monkeypatch, registrar_dgc):
    """The history record is written after the row; if it fails, the row is rolled back too:
    no value without its history."""
    from simple_history.models import HistoricalRecords

    def broken(*args, **kwargs):
        raise RuntimeError("historial no disponible")

    monkeypatch.setattr(HistoricalRecords, "create_historical_record", broken)
    with pytest.raises(RuntimeError):
        services.value_save(
            user=registrar_dgc,
            indicator=Indicator.objects.get(code="OE3.1"),
            year=2016,
            numerator=D(1),
            denominator=D(2),
        )
    assert not IndicatorValue.objects.filter(year=2016).exists()
