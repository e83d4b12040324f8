"""Many people acting on the same value at once (PostgreSQL, real row locks): exactly one
wins, the others get the conflict message, no update is lost."""

import threading
from decimal import Decimal as D

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, connections

from indicators import services
from indicators.models import Indicator, IndicatorValue, IndicatorYearStatus
from indicators.workflow.status import refresh
from pesem.planio.loading import load_plan
from tests.factories import make_staff

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL's row locks and threads"
    ),
]

THREADS = 8


def race(work):
    """Run work(i) in THREADS threads released at once; return results or exceptions."""
    barrier = threading.Barrier(THREADS)
    results: list = [None] * THREADS

    def run(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:  # collected and asserted by the test
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


@pytest.fixture
def people(django_user_model):
    load_plan(settings.PLAN_FIXTURES_DIR)
    return (
        make_staff(django_user_model, "reg.dgc", "registrador", "DGC"),
        make_staff(django_user_model, "val.opp", "validador", "OPP"),
    )


def test_concurrent_edits_one_wins_no_lost_update(people):
    registrar, _ = people
    indicator = Indicator.objects.get(code="OE3.1")
    item = services.value_save(
        user=registrar, indicator=indicator, year=2016, numerator=D(400), denominator=D(10)
    )

    def edit(i):
        return services.value_save(
            user=registrar,
            indicator=indicator,
            year=2016,
            numerator=D(500 + i),
            denominator=D(10),
            expected_version=item.version,
        )

    results = race(edit)
    winners = [r for r in results if isinstance(r, IndicatorValue)]
    losers = [r for r in results if isinstance(r, services.ConflictError)]
    assert len(winners) == 1 and len(losers) == THREADS - 1, results
    assert all("Otra persona modificó este registro" in e.messages[0] for e in losers)
    stored = IndicatorValue.objects.get(indicator=indicator, year=2016)
    assert stored.numerator == winners[0].numerator and stored.version == item.version + 1
    assert IndicatorValue.history.filter(id=stored.pk).count() == 2  # create + the one winner


def test_concurrent_validate_and_return_one_wins(people):
    registrar, validator = people
    indicator = Indicator.objects.get(code="OE3.1")
    item = services.value_save(
        user=registrar,
        indicator=indicator,
        year=2016,
        numerator=D(450),  # 1.58 per 10,000: plausible, no warning to justify
        denominator=D(2_850_000),
    )
    item = services.do_submit(user=registrar, item=item, expected_version=item.version)

    def act(i):
        if i % 2:
            return services.do_validate(user=validator, item=item, expected_version=item.version)
        return services.do_return(
            user=validator, item=item, reason=f"revisión {i}", expected_version=item.version
        )

    results = race(act)
    winners = [r for r in results if isinstance(r, IndicatorValue)]
    assert len(winners) == 1, results
    assert all(isinstance(r, ValidationError) for r in results if r not in winners)
    stored = IndicatorValue.objects.get(pk=item.pk)
    assert stored.state == winners[0].state and stored.version == item.version + 1


def test_concurrent_writes_to_one_indicator_keep_its_statuses(people):
    """Registrars entering different years of the same indicator at once all succeed (their
    refreshes of its stored statuses queue on the indicator's row lock instead of inserting
    twice), and the stored statuses equal a fresh computation."""
    registrar, _ = people
    indicator = Indicator.objects.get(code="OE3.1")

    def enter(i):
        return services.value_save(
            user=registrar,
            indicator=indicator,
            year=2015 + (i % 7),
            numerator=D(100 + i),
            denominator=D(10),
        )

    results = race(enter)
    assert sum(isinstance(r, IndicatorValue) for r in results) == 7  # one per year
    assert all(isinstance(r, (IndicatorValue, services.ConflictError)) for r in results), results
    stored = list(
        IndicatorYearStatus.objects.filter(indicator=indicator)
        .values_list("year", "value", "preliminary", "light", "trajectory")
        .order_by("year")
    )
    refresh([indicator.pk])
    assert stored == list(
        IndicatorYearStatus.objects.filter(indicator=indicator)
        .values_list("year", "value", "preliminary", "light", "trajectory")
        .order_by("year")
    )
