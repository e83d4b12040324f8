"""The direction check compares the final target with the baseline too, and a
zero in a series is its own finding, never a jump (pure functions, no database)."""

from decimal import Decimal as D

import pytest

from indicators import progress as p
from indicators.progress import Direction, Point

ASC, DESC = Direction.ASCENDING, Direction.DESCENDING
ZERO = "verifique si es dato o falta de dato (sin dato nunca es 0)"


# --- final target against the baseline ------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "baseline", "m2016", "m2021"),
    [
        # Anexo 6 as published: línea de base, meta 2016, meta 2021.
        ("OE1.1", "0.69", "0.33", "0.63"),
        ("OE3.1", "1.62", "1.54", "1.58"),
        ("OE4.1", "0.59", "0.54", "0.54"),
    ],
)
def test_final_target_below_the_baseline_is_flagged(code, baseline, m2016, m2021):
    findings = p.direction_conflicts(
        ASC, Point(2014, D(baseline)), {2016: D(m2016), 2021: D(m2021)}
    )
    assert (
        f"La meta final 2021 ({m2021}) está por debajo de la línea de base ({baseline}) "
        "en un indicador ascendente."
    ) in findings


def test_oe4_1_says_the_dip_and_the_final_target_once_each():
    # 0.59 -> 0.54 -> 0.54: the 2016 target falls, 2021 keeps it (consistent step), and the
    # final target ends below the baseline.
    findings = p.direction_conflicts(
        ASC, Point(2014, D("0.59")), {2016: D("0.54"), 2021: D("0.54")}
    )
    assert findings == [
        "La meta 2016 (0.54) baja respecto de 2014 (0.59) en un indicador ascendente.",
        "La meta final 2021 (0.54) está por debajo de la línea de base (0.59) en un indicador "
        "ascendente.",
    ]


def test_recovering_above_the_baseline_flags_only_the_dip():
    findings = p.direction_conflicts(
        ASC, Point(2014, D("0.69")), {2016: D("0.33"), 2021: D("0.70")}
    )
    assert len(findings) == 1 and "2016" in findings[0]


def test_final_target_equal_to_the_baseline_is_consistent():
    findings = p.direction_conflicts(
        ASC, Point(2014, D("0.33")), {2016: D("0.30"), 2021: D("0.33")}
    )
    assert not any("meta final" in f for f in findings)


def test_only_a_final_target_is_said_once():
    # Baseline and 2021 only: the consecutive comparison is the baseline comparison.
    findings = p.direction_conflicts(ASC, Point(2014, D("0.69")), {2021: D("0.63")})
    assert findings == [
        "La meta 2021 (0.63) baja respecto de 2014 (0.69) en un indicador ascendente."
    ]


def test_descending_final_target_above_the_baseline():
    findings = p.direction_conflicts(DESC, Point(2014, D(5)), {2016: D(4), 2021: D(6)})
    assert findings[-1] == (
        "La meta final 2021 (6.00) está por encima de la línea de base (5.00) en un indicador "
        "descendente."
    )


def test_without_baseline_there_is_no_final_comparison():
    findings = p.direction_conflicts(ASC, None, {2016: D(3), 2018: D(1), 2021: D(2)})
    assert findings == [
        "La meta 2018 (1.00) baja respecto de 2016 (3.00) en un indicador ascendente."
    ]


# --- zeros are not jumps ---------------------------------------------------------------------


def test_a_count_falling_to_zero_and_rising_again_is_no_jump():
    # OE2.3 (Anexo 2): 1.00, 0.00, 0.20, 0.50: one finding, about the zero.
    findings = p.series_jumps({2011: D(1), 2012: D(0), 2013: D("0.20"), 2014: D("0.50")})
    assert findings == [f"Valor cero en 2012: {ZERO}."]
    assert not any("Salto" in f for f in findings)


def test_a_rise_from_zero_is_no_jump():
    # V2.2 (Anexo 2): 0.00, 0.80, 0.80, 0.80.
    findings = p.series_jumps({2011: D(0), 2012: D("0.80"), 2013: D("0.80")})
    assert findings == [f"Valor cero en 2011: {ZERO}."]


def test_every_zero_is_named_even_next_to_another_zero():
    assert p.series_jumps({2015: D(0), 2016: D(0)}) == [
        f"Valor cero en 2015: {ZERO}.",
        f"Valor cero en 2016: {ZERO}.",
    ]


def test_jumps_are_measured_across_a_zero_between_non_zero_values():
    findings = p.series_jumps({2015: D(2), 2016: D(0), 2017: D(20)})
    assert findings == [
        f"Valor cero en 2016: {ZERO}.",
        "Salto en la serie: 2.00 en 2015 y 20.00 en 2017 (más de 5.00 veces; posible cambio de "
        "unidad).",
    ]


def test_the_published_jump_is_still_a_jump():
    # OE2.1 / V14 (Anexo 2): 0.70, 63.00, 1.52.
    findings = p.series_jumps({2012: D("0.70"), 2013: D(63), 2014: D("1.52")})
    assert len(findings) == 2 and all(f.startswith("Salto en la serie") for f in findings)


def test_entry_warning_for_a_zero_is_worded_as_a_zero_not_a_jump():
    found = p.entry_warnings(
        value=D(0),
        previous_value=D(1),
        previous_year=2015,
        target=None,
        plausible_min=None,
        plausible_max=None,
        jump_factor=5,
        descending=False,
    )
    assert len(found) == 1
    assert "verifique si es dato o falta de dato" in found[0]
    assert "veces" not in found[0]
