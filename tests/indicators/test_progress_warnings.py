"""Checks before saving a value (progress.entry_warnings) and the live preview that combines
them with the computed value, achievement and light (entry_rows.preview): pure, no database."""

from decimal import Decimal as D

import pytest

from indicators import progress
from indicators.entry_rows import preview
from indicators.progress import Light, entry_warnings
from lib.numbers import format_short

BASE = {
    "value": D("0.70"),
    "previous_value": D("0.69"),
    "previous_year": 2015,
    "target": D("0.70"),
    "plausible_min": D(0),
    "plausible_max": D(1),
    "jump_factor": 5.0,
    "descending": False,
}


def warn(**changes):
    return entry_warnings(**{**BASE, **changes})


def test_an_ordinary_value_trips_nothing():
    assert warn() == []


def test_no_value_is_never_judged():
    assert warn(value=None) == []


# --- plausible range -----------------------------------------------------------------------


def test_value_above_the_plausible_range_is_said_in_words():
    found = warn(value=D("10.05"), previous_value=None, target=None)
    assert found == ["El valor 10.05 está fuera del rango plausible (0 a 1)"]


def test_value_below_the_minimum_with_only_a_minimum():
    found = warn(value=D("-2"), plausible_max=None, previous_value=None, target=None)
    assert found == ["El valor -2 está fuera del rango plausible (mínimo 0)"]


def test_only_a_maximum():
    found = warn(value=D("3"), plausible_min=None, previous_value=None, target=None)
    assert found == ["El valor 3 está fuera del rango plausible (máximo 1)"]


@pytest.mark.parametrize("value", [D(0), D(1), D("0.5")])
def test_the_bounds_themselves_are_plausible(value):
    assert warn(value=value, previous_value=None, target=None) == []


def test_without_a_range_any_value_is_plausible():
    found = warn(
        value=D("1e9"), plausible_min=None, plausible_max=None, previous_value=None, target=None
    )
    assert found == []


def test_big_numbers_are_written_the_peruvian_way():
    found = warn(value=D("3200000"), plausible_max=D(1000000), previous_value=None, target=None)
    assert found == ["El valor 3,200,000 está fuera del rango plausible (0 a 1,000,000)"]


# --- jumps from the previous validated value -------------------------------------------------


def test_rise_beyond_the_factor_names_the_previous_year_and_value():
    found = warn(value=D("3.50"), plausible_max=None, target=None)
    assert found == ["El valor es más de 5 veces el de 2015 (0.69)"]


def test_fall_beyond_the_factor():
    found = warn(value=D("0.10"), target=None)
    assert found == ["El valor es menos de 1/5 del de 2015 (0.69)"]


def test_exactly_the_factor_is_not_a_jump():
    assert warn(value=D("3.45"), plausible_max=None, target=None) == []  # 0.69 x 5
    assert warn(value=D("0.138"), target=None) == []  # 0.69 / 5


def test_the_factor_is_a_setting():
    assert warn(value=D("1.50"), plausible_max=None, target=None, jump_factor=2) == [
        "El valor es más de 2 veces el de 2015 (0.69)"
    ]
    assert warn(value=D("1.50"), plausible_max=None, target=None, jump_factor=D("2.5")) == []


def test_a_fall_to_zero_is_a_jump_and_says_sin_dato_is_not_zero():
    found = warn(value=D(0), target=None)
    assert len(found) == 1
    assert found[0].startswith("El valor es 0 y el de 2015 (0.69) no")
    assert "sin dato nunca es 0" in found[0]


def test_a_rise_from_zero_is_not_judged_and_divides_nothing():
    assert warn(value=D("7.01"), previous_value=D(0), plausible_max=None, target=None) == []


def test_zero_after_zero_is_no_jump():
    assert warn(value=D(0), previous_value=D(0), target=None) == []


def test_without_a_previous_value_there_is_no_jump():
    assert warn(value=D("0.99"), previous_value=None, previous_year=None, target=None) == []


# --- achievement of the year's target ------------------------------------------------------


def test_achievement_below_half_the_target():
    found = warn(value=D("0.30"), previous_value=None, target=D("0.70"))
    assert found == ["El cumplimiento sería 42.9 % de la meta del año (0.7): menos del 50 %"]


def test_achievement_above_twice_the_target():
    found = warn(value=D("0.90"), previous_value=None, target=D("0.40"))
    assert found == ["El cumplimiento sería 225.0 % de la meta del año (0.4): más del 200 %"]


@pytest.mark.parametrize("value", [D("0.35"), D("1.40")])
def test_the_band_limits_are_not_warnings(value):
    # 50 % and 200 % exactly
    assert warn(value=value, previous_value=None, target=D("0.70"), plausible_max=None) == []


def test_descending_indicator_uses_target_over_value():
    # LE / VO = 0.40 / 0.10 = 400 %: far better than the target, and suspicious
    found = warn(value=D("0.10"), previous_value=None, target=D("0.40"), descending=True)
    assert found == ["El cumplimiento sería 400.0 % de la meta del año (0.4): más del 200 %"]
    found = warn(value=D("0.90"), previous_value=None, target=D("0.40"), descending=True)
    assert found == ["El cumplimiento sería 44.4 % de la meta del año (0.4): menos del 50 %"]


def test_undefined_percent_is_not_judged():
    # ascending target 0 with a positive value: exceeded, no percent
    assert warn(value=D("0.5"), previous_value=None, target=D(0)) == []
    # descending value 0 with a positive target: exceeded, no percent
    assert warn(value=D(0), previous_value=None, target=D("0.4"), descending=True) == []


def test_without_a_target_there_is_no_achievement_warning():
    assert warn(value=D("0.01"), previous_value=None, target=None) == []


def test_the_bands_can_be_changed():
    found = warn(value=D("0.60"), previous_value=None, target=D("0.70"), low=D(90))
    assert found == ["El cumplimiento sería 85.7 % de la meta del año (0.7): menos del 90 %"]


def test_several_warnings_together_in_order_range_jump_achievement():
    found = warn(value=D("10.05"))
    assert found == [
        "El valor 10.05 está fuera del rango plausible (0 a 1)",
        "El valor es más de 5 veces el de 2015 (0.69)",
        "El cumplimiento sería 1,435.7 % de la meta del año (0.7): más del 200 %",
    ]


# --- short numbers in sentences ------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (D("0.690000"), "0.69"),
        (D("1.000000"), "1"),
        (D("3200000"), "3,200,000"),
        (D("0.123456"), "0.1235"),
        (D("0"), "0"),
        (D("1E+3"), "1,000"),
    ],
)
def test_short_keeps_only_the_decimals_that_matter(value, shown):
    assert format_short(value) == shown


# --- preview -------------------------------------------------------------------------------

PREVIEW = {
    "is_ratio": True,
    "numerator": D(450),
    "denominator": D(2_850_000),
    "value": None,
    "scale": D(10_000),
    "target": D("1.54"),
    "previous_value": D("1.62"),
    "previous_year": 2014,
    "plausible_min": D(0),
    "plausible_max": None,
    "jump_factor": 5.0,
    "descending": False,
}


def show(**changes):
    return preview(**{**PREVIEW, **changes})


def test_preview_of_a_ratio_gives_the_stored_value_achievement_and_light():
    result = show()
    assert result.value == D("1.578947")  # rounded to the six decimals stored
    assert result.achievement.percent.quantize(D("0.1")) == D("102.5")
    assert result.light == Light.GREEN
    assert result.warnings == () and result.error == ""


def test_preview_of_an_absurd_ratio_warns():
    result = show(numerator=D(3_200_000))
    assert result.value == D("11228.070175")
    assert result.warnings[0] == "El valor es más de 5 veces el de 2014 (1.62)"
    assert "más del 200 %" in result.warnings[1]


def test_preview_with_a_zero_denominator_is_an_error_not_a_division():
    result = show(denominator=D(0))
    assert result.value is None and result.error == "El denominador no puede ser cero."
    assert result.light == Light.GREY and result.warnings == ()


def test_preview_with_negative_parts_is_an_error():
    assert "no pueden ser negativos" in show(numerator=D(-1)).error


def test_preview_while_incomplete_is_sin_dato():
    result = show(denominator=None)
    assert result.value is None and result.error == ""
    assert result.achievement.note == progress.NO_VALUE and result.light == Light.GREY


def test_preview_of_a_single_value_takes_the_value_and_ignores_the_scale():
    result = show(is_ratio=False, numerator=None, denominator=None, value=D("1.50"))
    assert result.value == D("1.50") and result.light == Light.GREEN  # 1.50 / 1.54
    assert result.achievement.percent.quantize(D("0.1")) == D("97.4")


def test_preview_light_follows_the_thresholds_given():
    strict = progress.Thresholds(green=D(99), yellow=D(98))
    result = preview(**{**PREVIEW, "is_ratio": False, "value": D("1.50")}, thresholds=strict)
    assert result.light == Light.RED


def test_preview_of_a_huge_ratio_does_not_overflow():
    result = show(numerator=D("99999999999999.9999"), denominator=D("0.0001"))
    assert result.value is not None and result.value > D("1e20")


def test_preview_of_a_descending_indicator_without_target():
    result = show(target=None, descending=True)
    assert result.achievement.note == progress.NO_TARGET and result.light == Light.GREY
