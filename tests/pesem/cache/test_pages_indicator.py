"""An indicator's page is kept per official version and its own values' writes
(datacache.value_history_mark): a draft of another indicator leaves it kept and the same; a
draft of its own, saved, edited or deleted, shows at once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators import services
from indicators.models import Indicator, IndicatorValue
from pesem.cache import data as datacache
from tests.factories import logged_in, make_staff, readable

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

PAGE = "/indicadores/OE3.1/"  # DGC's indicator


def _draft(registrar, code: str, note: str, version: int | None = None) -> IndicatorValue:
    """A draft of the indicator's 2016 value, saved as the entry form does."""
    return services.value_save(
        user=registrar,
        indicator=Indicator.objects.get(code=code),
        year=2016,
        numerator=Decimal(150),
        denominator=Decimal(1_000_000),
        note=note,
        expected_version=version,
    )


def _values(response) -> str:
    """The page's «Valores por año» table."""
    html = response.content.decode()
    start = html.index('<table id="values">')
    return html[start : html.index("</table>", start)]


@pytest.fixture
def readers(django_user_model):
    """Who reads OE3.1's page and its drafts: the planning office, and its own registrar."""
    return [
        logged_in(make_staff(django_user_model, "val", "validador", "OPP")),
        logged_in(make_staff(django_user_model, "reg", "registrador", "DGC")),
    ]


def test_a_draft_of_another_indicator_leaves_the_page_kept_and_the_same(django_user_model, readers):
    registrar_dpe = make_staff(django_user_model, "reg.dpe", "registrador", "DPE")
    before = {}
    for reader in readers:
        reader.get(PAGE)
        kept = reader.get(PAGE)
        assert kept["X-Page-Cache"] == "hit"
        before[reader] = readable(kept)
    versions = datacache.current()
    draft = _draft(registrar_dpe, "OE2.1", "borrador de otro")
    draft = _draft(registrar_dpe, "OE2.1", "borrador de otro, corregido", draft.version)
    draft.delete()
    after = datacache.current()
    assert after.number > versions.number and after.official == versions.official
    for reader in readers:
        served = reader.get(PAGE)
        assert served["X-Page-Cache"] == "hit"
        assert readable(served) == before[reader]


def test_a_draft_of_the_indicator_shows_at_once_saved_edited_and_deleted(
    django_user_model, readers
):
    registrar = make_staff(django_user_model, "reg.dgc", "registrador", "DGC")
    official = datacache.current().official
    for reader in readers:
        reader.get(PAGE)
        assert reader.get(PAGE)["X-Page-Cache"] == "hit"
    draft = _draft(registrar, "OE3.1", "borrador visible")
    for reader in readers:
        served = reader.get(PAGE)
        assert "X-Page-Cache" not in served
        assert "borrador visible" in _values(served)
        assert reader.get(PAGE)["X-Page-Cache"] == "hit"
    _draft(registrar, "OE3.1", "borrador corregido", draft.version)
    for reader in readers:
        assert "borrador corregido" in _values(reader.get(PAGE))
        assert reader.get(PAGE)["X-Page-Cache"] == "hit"
    IndicatorValue.objects.get(pk=draft.pk).delete()  # as a command or the shell would
    assert datacache.current().official == official  # draft-only writes, all of them
    for reader in readers:
        served = reader.get(PAGE)
        assert "X-Page-Cache" not in served
        assert "borrador corregido" not in _values(served)
        assert "borrador corregido" in served.content.decode()  # the history keeps it


def test_a_kept_indicator_page_costs_one_query_more_than_other_kept_pages(readers):
    director = readers[0]
    director.get(PAGE)
    with CaptureQueriesContext(connection) as queries:
        assert director.get(PAGE)["X-Page-Cache"] == "hit"
    # session, user, data version, the indicator's value history mark, kept page
    assert len(queries) == 5


def test_the_mark_moves_when_a_history_row_commits_after_a_later_numbered_one():
    """Ids are handed out at insert: a writer that commits after a later-numbered one adds a
    row below the last id. The row count still moves the mark (simulated by handing the
    indicator of the newest row an older row of another indicator)."""
    history = IndicatorValue.history.model
    newest = history.objects.order_by("-history_id").first()
    code = Indicator.objects.get(pk=newest.indicator_id).code
    mark = datacache.value_history_mark(code)
    older = history.objects.exclude(indicator_id=newest.indicator_id).order_by("history_id")[0]
    history.objects.filter(history_id=older.history_id).update(indicator_id=newest.indicator_id)
    assert datacache.value_history_mark(code) != mark
