"""Numbers as Peru writes them (1,020,000.50): what is read, what is refused and why, how
numbers are shown and pre-filled, and the same parser behind the entry form and the import."""

import io
from decimal import ROUND_HALF_UP
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st
from openpyxl import Workbook

from indicators import progress, services
from indicators.entry.forms import NumberField, ValueForm
from indicators.models import Indicator, IndicatorValue
from indicators.templatetags.pesem import num
from lib.numbers import (
    digit_counts,
    format_for,
    format_for_input,
    format_number,
    parse_number,
    whole_number_error,
)

# --- parse_number: accepted ----------------------------------------------------------------

ACCEPTED = [
    # plain digits
    ("0", D("0")),
    ("7", D("7")),
    ("007", D("7")),
    ("1020000.5", D("1020000.5")),
    ("1020000.50", D("1020000.50")),
    ("0.000001", D("0.000001")),
    (".5", D("0.5")),
    ("-.5", D("-0.5")),
    ("-3", D("-3")),
    ("+3", D("3")),
    ("-0", D("0")),
    ("-0.00", D("0")),
    ("12345678901234", D("12345678901234")),
    # comma thousands in groups of three
    ("938,178", D("938178")),
    ("3,200,000", D("3200000")),
    ("1,020,000.50", D("1020000.50")),
    ("1,000", D("1000")),
    ("12,345.6789", D("12345.6789")),
    ("-1,234.5", D("-1234.5")),
    ("+999,999,999,999.999999", D("999999999999.999999")),
    # spaces around, also non-breaking and narrow non-breaking, tabs, newlines, a BOM
    ("  938,178  ", D("938178")),
    ("\u00a01,020,000.50\u00a0", D("1020000.50")),
    ("\u202f3,200,000\u202f", D("3200000")),
    ("\t42\n", D("42")),
    ("\ufeff12.5", D("12.5")),
]


@pytest.mark.parametrize(("text", "expected"), ACCEPTED)
def test_accepted_text(text, expected):
    result = parse_number(text)
    assert isinstance(result, D) and result == expected
    assert not (result.is_zero() and result.is_signed())  # never a negative zero


@pytest.mark.parametrize("text", [None, "", "   ", "\u00a0\u202f", "\ufeff"])
def test_blank_is_none(text):
    assert parse_number(text) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.1, "0.1"),  # no binary artefact (0.1000000000000000055511151231257827...)
        (938178.0, "938178"),
        (1e-05, "0.00001"),
        (1e16, "10000000000000000"),
        (-0.0, "0"),
        (1234.5678, "1234.5678"),
        (938178, "938178"),
        (0, "0"),
        (10**20, "100000000000000000000"),
        (D("1020000.50"), "1020000.50"),
        (D("-0.000"), "0"),
    ],
)
def test_numbers_already_numeric(value, expected):
    result = parse_number(value)
    assert isinstance(result, D) and result == D(expected)
    assert not (result.is_zero() and result.is_signed())  # never a negative zero


def test_float_gives_its_shortest_text_not_its_binary_value():
    assert str(parse_number(0.1)) == "0.1"
    assert str(parse_number(1e16)) == "10000000000000000"  # not 1E+16


# --- parse_number: refused, with the reason --------------------------------------------------

REJECTED = [
    # decimal comma
    ("1,5", ["use punto decimal", "¿quiso decir 1.5?"]),
    ("12,34", ["use punto decimal", "¿quiso decir 12.34?", "grupos de 3"]),
    ("-12,5", ["¿quiso decir -12.5?"]),
    (",5", ["¿quiso decir 0.5?"]),
    ("0,500", ["¿quiso decir 0.500?"]),
    ("10,0000", ["¿quiso decir 10.0000?"]),
    # European style
    ("1.020.000,50", ["coma decimal", "¿quiso decir 1,020,000.50?"]),
    ("1.000,5", ["¿quiso decir 1,000.5?"]),
    ("1.020.000", ["miles se separan con coma", "¿quiso decir 1,020,000?"]),
    # thousands badly grouped
    ("1,00,000", ["grupos de 3 cifras"]),
    ("1000,000", ["grupos de 3 cifras"]),
    ("1,0000,000", ["grupos de 3 cifras"]),
    ("1,000,00", ["grupos de 3 cifras"]),
    ("1,,000", ["grupos de 3 cifras"]),
    ("1,", ["grupos de 3 cifras"]),
    ("1,00,000.5", ["grupos de 3 cifras"]),
    ("0,000,001", ["grupos de 3 cifras"]),
    # points
    ("1.2.3", ["más de un punto decimal"]),
    ("5.", ["falta la parte decimal", "¿quiso decir 5?"]),
    ("1.5,000", ["no es un número válido"]),
    ("1,000.000,5", ["no es un número válido"]),
    # spaces inside
    ("1 020 000", ["no deje espacios", "¿quiso decir 1,020,000?"]),
    ("1\u00a0020\u00a0000.5", ["no deje espacios", "¿quiso decir 1,020,000.5?"]),
    ("1 0", ["no deje espacios", "¿quiso decir 10?"]),
    ("- 5", ["no deje espacios", "¿quiso decir -5?"]),
    # signs
    ("--5", ["signo"]),
    ("+-5", ["signo"]),
    ("5-", ["signo"]),
    ("1-2", ["signo"]),
    ("-", ["«-» no es un número"]),
    ("+", ["«+» no es un número"]),
    (".", ["«.» no es un número"]),
    (",", ["«,» no es un número"]),
    # scientific notation
    ("1e5", ["notación científica", "¿quiso decir 100,000?"]),
    ("1.5E-3", ["notación científica", "¿quiso decir 0.0015?"]),
    ("-2e3", ["¿quiso decir -2,000?"]),
    ("1e999", ["notación científica"]),
    ("1e99999", ["no es un número"]),
    # percent
    ("45%", ["sin el signo %", "¿quiso decir 45?"]),
    ("45.5 %", ["sin el signo %", "¿quiso decir 45.5?"]),
    ("45,5%", ["sin el signo %", "¿quiso decir 45.5?"]),
    ("%", ["«%» no es un número"]),
    # words and symbols
    ("abc", ["«abc» no es un número", "punto decimal"]),
    ("cuatro", ["«cuatro» no es un número"]),
    ("NaN", ["«NaN» no es un número"]),
    ("nan", ["no es un número"]),
    ("Infinity", ["«Infinity» no es un número"]),
    ("-inf", ["no es un número"]),
    ("S/ 1,000", ["«S/ 1,000» no es un número"]),
    ("0x1F", ["no es un número"]),
    ("1_000", ["no es un número"]),
    ("(5)", ["no es un número"]),
    ("1/2", ["no es un número"]),
    ("'1,000", ["no es un número"]),
    # digits and signs that are not ASCII
    ("١٢٣", ["cifras 0-9", "¿quiso decir 123?"]),
    ("１２３", ["cifras 0-9", "¿quiso decir 123?"]),
    ("１，０２０．５", ["¿quiso decir 1,020.5?"]),
    ("١٢٣٤٫٥", ["¿quiso decir 1234.5?"]),
    ("\u22125", ["¿quiso decir -5?"]),
    ("²", ["no es un número"]),
    ("½", ["no es un número"]),
    ("一", ["no es un número"]),
    # invisible and control characters inside, over-long input
    ("1\x002", ["caracteres invisibles o de control"]),
    ("\x00", ["caracteres invisibles o de control"]),
    ("1\u200b000", ["caracteres invisibles o de control"]),
    ("1\t000", ["caracteres invisibles o de control"]),
    ("1" * 41, ["demasiado largo", "40"]),
    ("9" * 10_000, ["demasiado largo"]),
]


@pytest.mark.parametrize(("text", "words"), REJECTED)
def test_rejected_text_says_why(text, words):
    with pytest.raises(ValidationError) as caught:
        parse_number(text)
    [message] = caught.value.messages
    for word in words:
        assert word in message
    assert caught.value.code == "invalid"


@pytest.mark.parametrize(
    "value", [True, False, float("nan"), float("inf"), -float("inf"), D("NaN"), D("-Infinity")]
)
def test_rejected_numeric_values(value):
    with pytest.raises(ValidationError, match="no es un número"):
        parse_number(value)


def test_messages_do_not_echo_control_characters_or_long_text():
    for text in ("1\x002", "9" * 500):
        with pytest.raises(ValidationError) as caught:
            parse_number(text)
        message = caught.value.messages[0]
        assert "\x00" not in message and len(message) < 100


def test_limit_of_40_characters_counts_the_number_not_the_spaces_around():
    assert parse_number(" " * 100 + "1" * 40 + " " * 100) == D("1" * 40)


# --- format_number, format_for_input ----------------------------------------------------------

FORMATTED = [
    (D("1020000.5"), 2, "1,020,000.50"),
    (D("938178"), 0, "938,178"),
    (D("3200000"), 2, "3,200,000.00"),
    (D("8450.0000"), 0, "8,450"),
    (D("1.600000"), 2, "1.60"),
    (D("0.125"), 2, "0.13"),  # half up, not half even
    (D("0.135"), 2, "0.14"),
    (D("2.5"), 0, "3"),
    (D("-2.5"), 0, "-3"),  # half away from zero
    (D("9.995"), 2, "10.00"),
    (D("999999.9999"), 2, "1,000,000.00"),
    (D("-1234567.891"), 1, "-1,234,567.9"),
    (D("-0.004"), 2, "0.00"),  # never "-0.00"
    (D("0"), 3, "0.000"),
    (D("1E+3"), 0, "1,000"),
    (D("12345678901234567890123456789.5"), 2, "12,345,678,901,234,567,890,123,456,789.50"),
    (1020000, 2, "1,020,000.00"),
    (0.1, 3, "0.100"),
    (1e16, 0, "10,000,000,000,000,000"),
    (None, 2, "sin dato"),
    (D("NaN"), 2, "sin dato"),
]


@pytest.mark.parametrize(("value", "places", "expected"), FORMATTED)
def test_format_number(value, places, expected):
    assert format_number(value, places) == expected


def test_format_number_refuses_negative_places():
    with pytest.raises(ValueError):
        format_number(D(1), -1)


def test_format_number_uses_peruvian_format_with_two_places_by_default():
    # The findings of indicators.progress write their numbers so (it was progress.fmt).
    assert format_number(D("1020000")) == "1,020,000.00"
    assert format_number(D("1.5")) == "1.50"
    assert format_number(None) == "sin dato"


def test_format_number_and_the_num_filter_agree():
    for value, places, expected in FORMATTED:
        if isinstance(value, D | type(None)):
            assert format_number(value, places) == expected
        assert num(value, places) == expected
    assert format_number(D("1020000")) == "1,020,000.00"  # two places by default
    assert num(D("1020000")) == "1,020,000.00"
    assert num("") == progress.NO_VALUE == "sin dato"
    assert num("1020000.5", "1") == "1,020,000.5"


INPUTS = [
    (D("8450.0000"), 0, "8,450"),
    (D("1.600000"), 2, "1.60"),
    (D("1.600000"), 0, "1.6"),
    (D("1.2345"), 2, "1.2345"),  # never rounds a stored value away
    (D("1020000.50"), 2, "1,020,000.50"),
    (D("-0.000001"), 0, "-0.000001"),
    (D("0E-6"), 0, "0"),
    (D("1E+3"), 0, "1,000"),
    (0.1, 0, "0.1"),
    (938178, 0, "938,178"),
    (None, 2, ""),
]


@pytest.mark.parametrize(("value", "places", "expected"), INPUTS)
def test_format_for_input_round_trips(value, places, expected):
    text = format_for_input(value, places)
    assert text == expected
    if value is not None:
        assert parse_number(text) == parse_number(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D("1020000.50"), (7, 1)),
        (D("0.005"), (0, 3)),
        (D("1E+3"), (4, 0)),
        (D("0E-6"), (0, 0)),
        (D("-12.340"), (2, 2)),
        (D("99999999999999.99999999999999999"), (14, 17)),  # exact, no context rounding
    ],
)
def test_digit_counts(value, expected):
    assert digit_counts(value) == expected


# --- format_for: an indicator's one precision ----------------------------------------------------


class Shown:
    """What format_for reads of an indicator: its precision and whether it is a ratio."""

    def __init__(self, decimals: int, is_ratio: bool):
        self.decimals = decimals
        self.is_ratio = is_ratio


RATIO_2 = Shown(2, True)  # e.g. OE3.1, published as 1.62
AMOUNT_0 = Shown(0, False)  # e.g. NAC.3, published as 938 178


@pytest.mark.parametrize(
    ("indicator", "value", "expected"),
    [
        # a computed ratio is shown with the indicator's precision, stored decimals or not
        (RATIO_2, D("5.263158"), "5.26"),
        (RATIO_2, D("1.600000"), "1.60"),
        (RATIO_2, D("1020000.500000"), "1,020,000.50"),
        (RATIO_2, D("0.005"), "0.01"),  # half up
        # a value typed as it is never loses a decimal it has (at least two then)
        (AMOUNT_0, D("1020000.500000"), "1,020,000.50"),
        (AMOUNT_0, D("1020000.5"), "1,020,000.50"),
        (AMOUNT_0, D("938178.000000"), "938,178"),
        (AMOUNT_0, D("0.125"), "0.125"),
        (Shown(2, False), D("0.91"), "0.91"),
        (Shown(2, False), D("3"), "3.00"),
        (AMOUNT_0, None, "sin dato"),
        (RATIO_2, None, "sin dato"),
    ],
)
def test_format_for_uses_the_indicators_precision(indicator, value, expected):
    assert format_for(indicator, value) == expected


def test_num_filter_given_an_indicator_is_format_for():
    assert num(D("5.263158"), RATIO_2) == "5.26"
    assert num(D("1020000.500000"), AMOUNT_0) == "1,020,000.50"
    assert num(None, RATIO_2) == "sin dato"
    assert num(D("5.263158"), 4) == "5.2632"  # a number of places still works


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (D("938.178"), "¿quiso decir 938,178? En Perú los miles se separan con coma"),
        (D("-1.500"), "¿quiso decir -1,500?"),
        (D("1.5"), "solo admite números enteros; «1.5» tiene decimales"),
        (D("938178.25"), "«938178.25» tiene decimales"),
    ],
)
def test_a_count_refuses_decimals_and_asks_about_dot_thousands(number, words):
    message = whole_number_error(number)
    assert message is not None and words in message


@pytest.mark.parametrize("number", [None, D(0), D(938178), D("938178.000000"), D("1E+3")])
def test_a_whole_number_is_a_valid_count(number):
    assert whole_number_error(number) is None


# --- properties ---------------------------------------------------------------------------------

BOUND = 10**12
amounts = st.decimals(
    min_value=-BOUND, max_value=BOUND, places=6, allow_nan=False, allow_infinity=False
)


@given(amounts)
@example(D("-0.0000005"))
@example(D("999999999999.9999995"))
def test_format_then_parse_gives_the_quantized_value(value):
    shown = format_number(value, 6)
    assert parse_number(shown) == value.quantize(D("0.000001"), rounding=ROUND_HALF_UP)
    assert shown.count(".") == 1 and len(shown.split(".")[1]) == 6


@given(amounts, st.integers(min_value=0, max_value=6))
def test_format_for_input_then_parse_gives_the_same_value(value, places):
    assert parse_number(format_for_input(value, places)) == value


@given(st.integers(min_value=-(10**24), max_value=10**24))  # fits in 40 characters
def test_integers_round_trip_with_thousands(value):
    shown = format_number(value, 0)
    assert parse_number(shown) == value
    assert all(len(group) == 3 for group in shown.lstrip("-").split(",")[1:])


def check_never_crashes(text):
    try:
        result = parse_number(text)
    except ValidationError as exc:
        assert len(exc.messages) == 1 and exc.messages[0]
        return
    if result is not None:
        assert result.is_finite()
        # A comma is only ever a thousands separator: the number is the text without them.
        cleaned = text.strip().strip("\u200b\u200c\u200d\u2060\ufeff").strip()
        assert result == D(cleaned.replace(",", ""))
        assert parse_number(format_for_input(result, 0)) == result


@given(st.text(max_size=60))
@example("\x00")
@example("1" * 41)
@example("\ud800")  # a lone surrogate
def test_any_text_parses_or_gives_a_validation_error(text):
    check_never_crashes(text)


@given(st.text(alphabet="0123456789,.+-eE% \u00a0\u2212١٢３,", max_size=45))
def test_number_like_text_parses_or_gives_a_validation_error(text):
    check_never_crashes(text)


# --- the same parser behind forms, services and the import --------------------------------------


def test_parse_decimal_prefixes_the_label_and_keeps_its_limits():
    limits = services.VALUE_LIMITS
    assert services.parse_decimal("1,020,000.50", "Valor", **limits) == D("1020000.50")
    assert services.parse_decimal(" ", "Valor", **limits) is None
    assert services.parse_decimal(0.1, "Valor", **limits) == D("0.1")
    for raw, message in [
        ("1,5", "Valor: use punto decimal: ¿quiso decir 1.5?"),
        ("-1,000", "Valor: no puede ser negativo."),
        ("100,000,000,000,000", "Valor: el número es demasiado grande."),
        ("1.1234567", "Valor: admite como máximo 6 decimales."),
        ("1.5000000", None),  # trailing zeros are not decimals that matter
        (object(), "Valor: «<object"),
    ]:
        if message is None:
            assert services.parse_decimal(raw, "Valor", **limits) == D("1.5")
            continue
        with pytest.raises(ValidationError) as caught:
            services.parse_decimal(raw, "Valor", **limits)
        assert caught.value.messages[0].startswith(message)


def test_number_field_shows_the_parser_message_and_keeps_decimal_keyboard():
    field = NumberField(label="Valor", limits=services.VALUE_LIMITS)
    assert field.widget.attrs["inputmode"] == "decimal"
    assert 'inputmode="decimal"' in field.widget.render("value", "")
    assert field.clean("3,200,000") == D("3200000")
    with pytest.raises(ValidationError) as caught:
        parse_number("1.020.000,50")
    expected = caught.value.messages[0]
    with pytest.raises(ValidationError) as caught:
        field.clean("1.020.000,50")
    assert caught.value.messages == [expected]


@pytest.mark.django_db
def test_value_form_error_is_the_precise_message():
    form = ValueForm({"value": "1,5"}, indicator=Indicator.objects.get(code="NAC.3"))
    assert not form.is_valid()
    assert form.errors["value"] == [
        "use punto decimal: ¿quiso decir 1.5? La coma solo separa miles, en grupos de 3 cifras."
    ]


def entry_url(code="NAC.3", year=2016):
    return reverse("value_entry", args=[code, year])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("938,178", D("938178")),
        ("3,200,000", D("3200000")),
        ("1,020,000.50", D("1020000.50")),
        ("\u00a0938,178 ", D("938178")),
    ],
)
def test_registrar_saves_a_number_written_the_peruvian_way(client, registrar_dgc, typed, stored):
    client.force_login(registrar_dgc)
    assert 'inputmode="decimal"' in client.get(entry_url()).content.decode()
    response = client.post(entry_url(), {"value": typed, "note": ""})
    assert response.status_code == 302
    assert IndicatorValue.objects.get(indicator__code="NAC.3", year=2016).value == stored


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("1,5", "use punto decimal: ¿quiso decir 1.5?"),
        ("1.020.000,50", "¿quiso decir 1,020,000.50?"),
        ("1,00,000", "grupos de 3 cifras"),
        ("1e5", "notación científica"),
    ],
)
def test_registrar_gets_the_suggestion_and_nothing_is_stored(client, registrar_dgc, typed, shown):
    client.force_login(registrar_dgc)
    response = client.post(entry_url(), {"value": typed, "note": ""})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'class="error field-error"' in page and shown in page
    assert not IndicatorValue.objects.filter(indicator__code="NAC.3", year=2016).exists()


HEADER = "indicator,year,numerator,denominator,value,note\n"


def import_file(tmp_path, content: bytes, name: str):
    path = tmp_path / name
    path.write_bytes(content)
    out, err = io.StringIO(), io.StringIO()
    call_command("import_values", str(path), stdout=out, stderr=err)
    return out.getvalue()


@pytest.mark.django_db
def test_csv_with_comma_thousands_is_imported(tmp_path):
    csv = HEADER + 'NAC.3,2016,,,"1,020,000.50",Recaudación\nOE3.1,2016,450,"2,850,000",,\n'
    assert "2 nuevos" in import_file(tmp_path, csv.encode(), "valores.csv")
    assert IndicatorValue.objects.get(indicator__code="NAC.3", year=2016).value == D("1020000.50")
    consular = IndicatorValue.objects.get(indicator__code="OE3.1", year=2016)
    assert consular.denominator == D(2850000) and consular.value == D("1.578947")


@pytest.mark.django_db
def test_csv_with_a_decimal_comma_is_refused_with_the_suggestion(tmp_path):
    err = io.StringIO()
    path = tmp_path / "valores.csv"
    path.write_bytes((HEADER + 'NAC.3,2016,,,"1,5",\n').encode())
    with pytest.raises(CommandError, match="no se importó nada"):
        call_command("import_values", str(path), stderr=err)
    assert "Fila 2: value: use punto decimal: ¿quiso decir 1.5?" in err.getvalue()
    assert not IndicatorValue.objects.filter(indicator__code="NAC.3", year=2016).exists()


@pytest.mark.django_db
def test_xlsx_float_cells_are_read_without_binary_artefacts(tmp_path):
    book = Workbook()
    book.active.append(["indicator", "year", "numerator", "denominator", "value", "note"])
    book.active.append(["NAC.3", 2016, None, None, 0.1, ""])
    book.active.append(["OE2.1", 2016, 95.0, 60, None, ""])
    out = io.BytesIO()
    book.save(out)
    assert "2 nuevos" in import_file(tmp_path, out.getvalue(), "valores.xlsx")
    assert IndicatorValue.objects.get(indicator__code="NAC.3", year=2016).value == D("0.1")
    assert IndicatorValue.objects.get(indicator__code="OE2.1", year=2016).numerator == D(95)
