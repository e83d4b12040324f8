"""One display precision per indicator (Indicator.decimals, from the decimals the document
publishes): a stored number reads the same in the grid, the validation queue, the entry form,
the indicator page, the tablero and the mail; stored values are never rounded, and exports
carry them exactly. Counts (the *_is_whole flags) take whole numbers: "938.178" typed for one
is asked about, as "1,5" is, and nothing is stored."""

import csv
import io
import re
from decimal import Decimal as D

import pytest
from django.urls import reverse

from indicators import services
from indicators.mail import outbox
from indicators.models import Indicator, IndicatorValue
from pesem.planio.export import plan_as_dict
from tests.factories import enter_value, ok

pytestmark = pytest.mark.django_db

AMOUNT = "1,020,000.50"  # NAC.3, a sum of money the document publishes without decimals
RATIO = "1.58"  # OE3.1: 450 / 2,850,000 x 10,000 = 1.578947...


@pytest.fixture
def stored(registrar_dgc, validator):
    """NAC.3 = 1,020,000.50 and OE3.1 = 450 / 2,850,000 x 10,000, both sent to validation;
    the validator has an address, so the digest of submissions is queued for them."""
    validator.email = "val.opp@pesem.example"
    validator.save(update_fields=["email"])
    amount = services.value_save(
        user=registrar_dgc,
        indicator=Indicator.objects.get(code="NAC.3"),
        year=2016,
        numerator=None,
        denominator=None,
        value=D("1020000.50"),
        submit=True,
    )
    ratio = services.value_save(
        user=registrar_dgc,
        indicator=Indicator.objects.get(code="OE3.1"),
        year=2016,
        numerator=D(450),
        denominator=D(2850000),
        submit=True,
    )
    return {"NAC.3": amount, "OE3.1": ratio}


def shown(page: str) -> str:
    """The page's text and markup as read, without the charts' data (exact numbers for the
    chart library, in <script type="application/json">)."""
    return re.sub(r"\s+", " ", re.sub(r"<script[^>]*>.*?</script>", "", page, flags=re.S))


def test_the_document_gives_each_indicator_its_precision():
    assert Indicator.objects.get(code="NAC.3").decimals == 0  # 840 000, 938 178, 1 020 000
    assert Indicator.objects.get(code="OE3.1").decimals == 2  # 1.62, 1.54, 1.58
    assert Indicator.objects.get(code="V8.1").decimals == 2  # nothing published: the default


def test_stored_values_are_not_rounded(stored):
    assert IndicatorValue.objects.get(pk=stored["NAC.3"].pk).value == D("1020000.50")
    assert IndicatorValue.objects.get(pk=stored["OE3.1"].pk).value == D("1.578947")


def test_grid_queue_form_and_indicator_page_show_the_same_numbers(
    client, registrar_dgc, validator, stored
):
    client.force_login(registrar_dgc)
    grid = shown(ok(client.get(reverse("grid", args=["DGC", 2016]))).content.decode())
    amount_page = shown(
        ok(client.get(reverse("indicator_detail", args=["NAC.3"]))).content.decode()
    )
    ratio_page = shown(ok(client.get(reverse("indicator_detail", args=["OE3.1"]))).content.decode())
    form = ok(client.get(reverse("value_entry", args=["OE3.1", 2016]))).content.decode()
    client.force_login(validator)
    queue = shown(ok(client.get(reverse("validation_queue"))).content.decode())
    for page in (grid, queue, amount_page):
        assert AMOUNT in page
        assert "1,020,001" not in page and "1020000.5" not in page
    for page in (grid, queue, ratio_page):
        assert f">{RATIO}<" in page
        assert "1.5789" not in page and "1.578947" not in page
    assert "<dt>Valor</dt><dd>1,020,000.50</dd>" in grid
    assert "<strong>1,020,000.50</strong>" in queue and "<strong>1.58</strong>" in queue
    assert "<strong>1,020,000.50</strong>" in amount_page and "<strong>1.58</strong>" in ratio_page
    # The form's live preview is told the same precision (static/js/entry.js).
    assert 'data-decimals="2"' in form


def test_the_form_is_prefilled_with_every_decimal_typed(client, registrar_dgc):
    services.value_save(
        user=registrar_dgc,
        indicator=Indicator.objects.get(code="NAC.3"),
        year=2016,
        numerator=None,
        denominator=None,
        value=D("1020000.50"),
    )
    client.force_login(registrar_dgc)
    page = ok(client.get(reverse("value_entry", args=["NAC.3", 2016]))).content.decode()
    assert 'value="1,020,000.5"' in page and "1,020,001" not in page


def test_the_tablero_shows_the_validated_value_with_the_indicators_precision(
    client, registrar_dgc, validator
):
    enter_value(registrar_dgc, validator=validator)  # 1.578947
    client.force_login(validator)
    page = shown(ok(client.get(reverse("home"), {"anio": 2016})).content.decode())
    assert "1.58 <small>(2016)</small>" in page and "1.578947" not in page


def test_the_submission_mail_shows_the_indicators_precision(stored, mailoutbox):
    outbox.send_due()  # mails are rendered from data when sent
    bodies = " ".join(m.body for m in mailoutbox)
    assert "1.58" in bodies and "1,020,000.50" in bodies
    assert "1.578947" not in bodies and "1,020,001" not in bodies


def test_exports_carry_the_exact_values(client, registrar_dgc, validator):
    enter_value(registrar_dgc, validator=validator)  # 1.578947
    item = services.value_save(
        user=registrar_dgc,
        indicator=Indicator.objects.get(code="NAC.3"),
        year=2016,
        numerator=None,
        denominator=None,
        value=D("1020000.50"),
        submit=True,
    )
    services.do_validate(user=validator, item=item, expected_version=item.version)
    exported = {i["code"]: i for i in plan_as_dict()["indicators"]}
    values = {i: {v["year"]: v["value"] for v in exported[i]["values"]} for i in exported}
    assert values["NAC.3"][2016] == 1020000.5
    assert values["OE3.1"][2016] == 1.578947
    assert exported["NAC.3"]["decimals"] == 0 and exported["OE3.1"]["decimals"] == 2
    client.force_login(validator)
    response = ok(client.get(reverse("home"), {"anio": 2016, "_export": "csv"}))
    rows = {r["Código"]: r for r in csv.DictReader(io.StringIO(response.getvalue().decode()))}
    assert rows["NAC.3"]["Último valor"] == "1020000.5"
    assert rows["OE3.1"]["Último valor"] == "1.578947"


# --- counts take whole numbers ----------------------------------------------------------------


def test_counts_are_flagged_from_the_document():
    consular = Indicator.objects.get(code="OE3.1")  # staff / Peruvians abroad
    assert consular.numerator_is_whole and consular.denominator_is_whole
    assert not consular.value_is_whole  # the ratio is not a count
    assert Indicator.objects.get(code="NAC.2").value_is_whole  # actions
    assert not Indicator.objects.get(code="NAC.3").value_is_whole  # money
    idh = Indicator.objects.get(code="V7.1")  # averages of an index
    assert not idh.numerator_is_whole and not idh.denominator_is_whole


def test_dot_thousands_for_a_count_is_asked_about_and_nothing_is_stored(client, registrar_dgc):
    client.force_login(registrar_dgc)
    response = client.post(
        reverse("value_entry", args=["OE3.1", 2016]),
        {"numerator": "450", "denominator": "938.178", "note": ""},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "El denominador es un conteo y solo admite números enteros" in page
    assert "¿quiso decir 938,178?" in page
    assert not IndicatorValue.objects.filter(indicator__code="OE3.1", year=2016).exists()
    # Corrected, it is stored as typed.
    response = client.post(
        reverse("value_entry", args=["OE3.1", 2016]),
        {"numerator": "450", "denominator": "938,178", "note": ""},
    )
    assert response.status_code == 302
    stored = IndicatorValue.objects.get(indicator__code="OE3.1", year=2016)
    assert stored.denominator == D(938178) and stored.numerator == D(450)


def test_every_part_with_decimals_is_refused_at_once(registrar_dgc):
    with pytest.raises(services.ValidationError) as refused:
        services.value_save(
            user=registrar_dgc,
            indicator=Indicator.objects.get(code="OE3.1"),
            year=2016,
            numerator=D("450.5"),
            denominator=D("938.178"),
        )
    errors = refused.value.message_dict
    assert "«450.5» tiene decimales" in errors["numerator"][0]
    assert "¿quiso decir 938,178?" in errors["denominator"][0]
    assert not IndicatorValue.objects.filter(indicator__code="OE3.1", year=2016).exists()


def test_a_count_typed_as_a_value_is_refused_with_decimals():
    nac2 = Indicator.objects.get(code="NAC.2")
    with pytest.raises(services.ValidationError) as refused:
        services.clean_value(
            nac2, 2016, numerator=None, denominator=None, value=D("520.5"), years=range(2015, 2022)
        )
    assert "El valor es un conteo" in refused.value.message_dict["value"][0]
    clean = services.clean_value(
        nac2, 2016, numerator=None, denominator=None, value=D(520), years=range(2015, 2022)
    )
    assert clean.value == D(520)


def test_an_amount_keeps_its_decimals(registrar_dgc):
    item = services.value_save(
        user=registrar_dgc,
        indicator=Indicator.objects.get(code="NAC.3"),
        year=2016,
        numerator=None,
        denominator=None,
        value=D("938178.25"),
    )
    assert IndicatorValue.objects.get(pk=item.pk).value == D("938178.25")


def test_the_import_asks_about_dot_thousands_and_imports_nothing(tmp_path):
    from django.core.management import CommandError, call_command

    path = tmp_path / "valores.csv"
    path.write_bytes(b"indicator,year,numerator,denominator,value,note\nOE3.1,2016,450,938.178,,\n")
    err = io.StringIO()
    with pytest.raises(CommandError, match="no se importó nada"):
        call_command("import_values", str(path), stderr=err)
    assert "¿quiso decir 938,178?" in err.getvalue()
    assert not IndicatorValue.objects.filter(indicator__code="OE3.1", year=2016).exists()
