"""The arithmetic of the plan, without the database."""

from datetime import UTC, datetime
from decimal import Decimal as D

import pytest

from indicators import progress as p
from indicators.models import TargetRevision
from indicators.progress import Direction, Light, Point, TrajectoryStatus

ASC, DESC = Direction.ASCENDING, Direction.DESCENDING


# --- ratio -------------------------------------------------------------------------------


def test_ratio_applies_the_scale():
    # Consular coverage: staff per 10,000 Peruvians abroad.
    assert p.ratio(D(450), D(2_850_000), D(10_000)) == D(450) / D(2_850_000) * D(10_000)
    assert p.ratio(D(3), D(4)) == D("0.75")


def test_ratio_rejects_zero_denominator():
    with pytest.raises(p.RatioError, match="denominador no puede ser cero"):
        p.ratio(D(1), D(0))


@pytest.mark.parametrize(("num", "den"), [(D(-1), D(2)), (D(1), D(-2))])
def test_ratio_rejects_negative_parts(num, den):
    with pytest.raises(p.RatioError, match="negativos"):
        p.ratio(num, den)


def test_ratio_of_zero_numerator_is_zero_not_missing():
    assert p.ratio(D(0), D(5)) == D(0)


# --- achievement -------------------------------------------------------------------------


def test_ascending_achievement_is_value_over_target():
    assert p.achievement(D("1.52"), D("1.59"), ASC).percent == D("1.52") / D("1.59") * 100


def test_descending_achievement_is_target_over_value():
    assert p.achievement(D(8), D(6), DESC).percent == D(75)
    assert p.achievement(D(5), D(6), DESC).percent == D(6) / D(5) * 100


def test_overshoot_is_not_capped():
    assert p.achievement(D(12), D(10), ASC).percent == D(120)


def test_missing_value_is_sin_dato_never_zero():
    result = p.achievement(None, D(1), ASC)
    assert result.percent is None and result.note == "sin dato"
    assert p.light(result) == Light.GREY


def test_missing_target_is_grey():
    result = p.achievement(D(1), None, ASC)
    assert result.percent is None and result.note == "sin meta"
    assert p.light(result) == Light.GREY


def test_zero_value_against_positive_target_ascending_is_zero_percent():
    result = p.achievement(D(0), D("0.5"), ASC)
    assert result.percent == D(0)
    assert p.light(result) == Light.RED


def test_zero_target_ascending_exceeded_is_green_without_percent():
    result = p.achievement(D(3), D(0), ASC)
    assert result.percent is None and result.target_exceeded
    assert p.light(result) == Light.GREEN


def test_zero_value_descending_is_green_without_percent():
    result = p.achievement(D(0), D(4), DESC)
    assert result.percent is None and result.target_exceeded
    assert "descendente" in result.note
    assert p.light(result) == Light.GREEN


def test_zero_target_descending_with_positive_value_is_zero_percent():
    assert p.achievement(D(2), D(0), DESC).percent == D(0)


@pytest.mark.parametrize("direction", [ASC, DESC])
def test_zero_value_meeting_zero_target_is_100(direction):
    assert p.achievement(D(0), D(0), direction).percent == D(100)


def test_maintain_level_target_met_exactly_is_100():
    # OE1.2: baseline 0.33, targets 0.33.
    assert p.achievement(D("0.33"), D("0.33"), ASC).percent == D(100)


# --- status ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("percent", "expected"),
    [
        (D(120), Light.GREEN),
        (D(95), Light.GREEN),
        (D("94.99"), Light.YELLOW),
        (D(75), Light.YELLOW),
        (D("74.99"), Light.RED),
        (D(0), Light.RED),
    ],
)
def test_light_bands_default(percent, expected):
    assert p.light(p.Achievement(percent)) == expected


def test_light_bands_come_from_thresholds():
    bands = p.Thresholds(green=D(100), yellow=D(90))
    assert p.light(p.Achievement(D(95)), bands) == Light.YELLOW
    assert p.light(p.Achievement(D(89)), bands) == Light.RED


@pytest.mark.parametrize(
    ("lights", "expected"),
    [
        ([Light.GREEN, Light.RED, Light.GREEN], Light.RED),  # one red: the objective at risk
        ([Light.GREEN, Light.YELLOW, Light.GREY], Light.YELLOW),
        ([Light.GREEN, Light.GREY], Light.GREEN),  # grey is never the most behind
        ([Light.GREY, Light.GREY], Light.GREY),  # nothing to judge
        ([], Light.GREY),  # no indicators
        (["red", "green"], Light.RED),  # the stored strings (IndicatorYearStatus.light)
    ],
)
def test_objective_light_is_its_most_delayed_indicator(lights, expected):
    assert p.objective_light(lights) == expected


def test_objective_light_is_not_an_average():
    # 150 % and 40 % average 95 % (green): the objective is red all the same.
    lights = [p.light(p.Achievement(D(150))), p.light(p.Achievement(D(40)))]
    assert p.objective_light(lights) == Light.RED


def test_light_rank_orders_red_first_and_grey_last():
    assert sorted(Light, key=lambda light: p.LIGHT_RANK[light.value]) == [
        Light.RED,
        Light.YELLOW,
        Light.GREEN,
        Light.GREY,
    ]


def test_descending_indicator_below_target_is_green():
    assert p.light(p.achievement(D(4), D(5), DESC)) == Light.GREEN


# --- target of any year ------------------------------------------------------------------

BASE = Point(2014, D("1.52"))
OFFICIAL = {2016: D("1.59"), 2021: D("2.87")}


def test_official_target_is_not_interpolated():
    t = p.target_for_year(2016, BASE, OFFICIAL, {2016: "Anexo 6"})
    assert (t.value, t.interpolated, t.source) == (D("1.59"), False, "Anexo 6")


def test_year_between_baseline_and_first_target_is_interpolated_from_baseline():
    t = p.target_for_year(2015, BASE, OFFICIAL)
    assert t.interpolated and t.value == D("1.555")


def test_year_between_targets_is_linear():
    t = p.target_for_year(2019, BASE, OFFICIAL)
    assert t.interpolated
    assert t.value == D("1.59") + (D("2.87") - D("1.59")) * 3 / 5


def test_target_below_baseline_interpolates_downwards():
    # OE3.1: baseline 1.62 (2014), 1.54 (2016).
    t = p.target_for_year(2015, Point(2014, D("1.62")), {2016: D("1.54"), 2021: D("1.58")})
    assert t.value == D("1.58")


def test_no_target_outside_the_published_points():
    assert p.target_for_year(2013, BASE, OFFICIAL) is None
    assert p.target_for_year(2022, BASE, OFFICIAL) is None
    assert p.target_for_year(2015, None, OFFICIAL) is None


def test_pick_official_uses_source_priority():
    values, sources = p.pick_official(
        [(2021, D("14.5"), "Cuadro 5"), (2021, D("7.38"), "Anexo 6"), (2016, D("6.98"), "Anexo 6")],
        ["Anexo 6", "Cuadro 5"],
    )
    assert values == {2021: D("7.38"), 2016: D("6.98")}
    assert sources[2021] == "Anexo 6"


# --- trajectory --------------------------------------------------------------------------


def test_on_track_when_pace_beats_the_needed_pace():
    t = p.trajectory(Point(2014, D(1)), Point(2016, D(2)), Point(2021, D(4)), ASC)
    assert t.status == TrajectoryStatus.ON_TRACK and t.on_track is True
    assert t.achieved_per_year == D("0.5") and t.needed_per_year == D("0.4")
    assert t.projected_final == D("4.5")


def test_off_track_when_pace_too_slow():
    t = p.trajectory(Point(2014, D(1)), Point(2016, D("1.2")), Point(2021, D(4)), ASC)
    assert t.status == TrajectoryStatus.OFF_TRACK and t.on_track is False
    assert t.projected_final == D("1.2") + D("0.1") * 5


def test_descending_trajectory():
    on = p.trajectory(Point(2014, D(10)), Point(2016, D(8)), Point(2021, D(5)), DESC)
    off = p.trajectory(Point(2014, D(10)), Point(2016, D("9.8")), Point(2021, D(5)), DESC)
    assert on.status == TrajectoryStatus.ON_TRACK
    assert off.status == TrajectoryStatus.OFF_TRACK


def test_target_already_reached_even_below_baseline():
    # Ascending indicator whose final target is below its baseline (OE3.1, OE4.1).
    t = p.trajectory(Point(2014, D("1.62")), Point(2016, D("1.60")), Point(2021, D("1.58")), ASC)
    assert t.status == TrajectoryStatus.ACHIEVED and t.on_track is True


def test_trajectory_unknown_without_data_or_target():
    assert p.trajectory(BASE, None, Point(2021, D(1)), ASC).status == TrajectoryStatus.UNKNOWN
    assert p.trajectory(BASE, BASE, None, ASC).on_track is None
    only_baseline = p.trajectory(BASE, BASE, Point(2021, D(3)), ASC)
    assert only_baseline.status == TrajectoryStatus.UNKNOWN
    assert only_baseline.needed_per_year == (D(3) - D("1.52")) / 7


def test_deadline_passed_without_target_is_off_track():
    t = p.trajectory(BASE, Point(2021, D(2)), Point(2021, D(3)), ASC)
    assert t.status == TrajectoryStatus.OFF_TRACK


# --- data-quality checks -----------------------------------------------------------------


def test_direction_conflict_when_ascending_targets_go_down():
    findings = p.direction_conflicts(
        ASC, Point(2014, D("0.69")), {2016: D("0.33"), 2021: D("0.63")}
    )
    # The dip to 2016, and the final target still below the baseline (OE1.1, Anexo 6).
    assert len(findings) == 2 and "2016" in findings[0] and "baja" in findings[0]
    assert "por debajo de la línea de base" in findings[1]


def test_maintain_level_is_not_a_direction_conflict():
    assert (
        p.direction_conflicts(ASC, Point(2014, D("0.33")), {2016: D("0.33"), 2021: D("0.33")}) == []
    )


def test_descending_direction_conflict_when_targets_go_up():
    findings = p.direction_conflicts(DESC, Point(2014, D(5)), {2021: D(6)})
    assert findings and "sube" in findings[0]


def test_series_jump_beyond_factor():
    findings = p.series_jumps({2012: D("0.70"), 2013: D(63), 2014: D("1.52")})
    assert len(findings) == 2 and "2013" in findings[0]


def test_series_zero_next_to_value_is_flagged_as_a_zero_not_a_jump():
    findings = p.series_jumps({2013: D("7.01"), 2014: D(0)})
    assert findings == [
        "Valor cero en 2014: verifique si es dato o falta de dato (sin dato nunca es 0)."
    ]


def test_smooth_series_is_not_flagged():
    assert p.series_jumps({2011: D("0.44"), 2012: D("0.74"), 2013: D("0.64")}) == []


def test_jump_factor_is_configurable():
    assert p.series_jumps({2011: D(1), 2012: D(3)}, factor=D(2))


def test_out_of_range():
    assert p.out_of_range(D("1.2"), D(0), D(1))
    assert p.out_of_range(D("-0.1"), D(0), None)
    assert not p.out_of_range(D("0.9"), D(0), D(1))
    assert not p.out_of_range(D(50), None, None)


def test_target_conflicts_between_tables():
    findings = p.target_conflicts(
        [(2021, D("7.38"), "Anexo 6"), (2021, D("14.5"), "Cuadro 5"), (2016, D("6.98"), "Anexo 6")]
    )
    assert findings == ["Conflicto de metas 2021: 7.38 (Anexo 6) y 14.50 (Cuadro 5)."]
    assert p.target_conflicts([(2021, D("1.58"), "Anexo 6"), (2021, D("1.58"), "Cuadro 5")]) == []


# --- aggregates --------------------------------------------------------------------------


def test_mean_of_nothing_is_sin_dato_not_zero():
    assert p.mean([]) is None
    assert p.mean([D(40), D(100)]) == D(70)


def test_share():
    assert p.share(1, 4) == D(25)
    assert p.share(0, 0) is None


def test_light_counts_include_every_colour():
    counts = p.light_counts([Light.GREEN, Light.GREEN, Light.GREY])
    assert counts == {Light.GREEN: 2, Light.YELLOW: 0, Light.RED: 0, Light.GREY: 1}


def test_green_share_leaves_grey_out():
    assert p.green_share([Light.GREEN, Light.RED, Light.GREY]) == D(50)
    assert p.green_share([Light.GREY]) is None


# --- the year a page opens on ------------------------------------------------------------

HORIZON = range(2015, 2022)  # the PESEM 2015-2021: published (2016, 2021) or interpolated targets


def test_default_year_is_the_latest_plan_year_with_a_value():
    # Three early entries of 2017 are enough: no share of the indicators is required.
    choice = p.default_year(HORIZON, [2015, 2017, 2016])
    assert (choice.year, choice.rule) == (2017, p.YearRule.LATEST)


def test_default_year_ignores_the_history_before_the_plan():
    # The document's 2011-2014 history (validated) never makes 2014 the year shown.
    choice = p.default_year(HORIZON, [2011, 2012, 2013, 2014])
    assert (choice.year, choice.rule) == (2015, p.YearRule.FIRST)
    assert p.default_year(HORIZON, [2014, 2016]).year == 2016


def test_default_year_ignores_years_after_the_plan():
    assert p.default_year(HORIZON, [2016, 2022, 2030]).year == 2016


def test_default_year_without_values_is_the_plans_first_year():
    choice = p.default_year(HORIZON, [], validated_only=True)
    assert (choice.year, choice.rule, choice.validated_only) == (2015, p.YearRule.FIRST, True)
    assert choice.horizon_text == "2015-2021"


@pytest.mark.parametrize(
    ("asked", "refused"),
    [("2014", "2014"), ("2022", "2022"), ("<b>x</b>", "pedido"), ("2016\x00", "pedido")],
)
def test_a_year_asked_outside_the_horizon_is_recorded_as_refused(asked, refused):
    choice = p.default_year(HORIZON, [2016], asked=asked)
    assert (choice.year, choice.refused) == (2016, refused)


@pytest.mark.parametrize("asked", [None, "", "2016"])
def test_no_year_or_a_plan_year_asked_is_not_refused(asked):
    assert p.default_year(HORIZON, [2016], asked=asked).refused == ""


def test_a_plan_without_years_has_no_default_year():
    with pytest.raises(ValueError):
        p.default_year(range(0), [2016])


# --- a year's value from its semesters ----------------------------------------------------


@pytest.mark.parametrize(
    ("semesters", "aggregation", "expected"),
    [
        ([D("40"), D("55")], "ultimo", D("55")),
        ([D("40"), None], "ultimo", D("40")),
        ([D("40"), D("55")], "suma", D("95")),
        ([None, D("55")], "suma", D("55")),
        ([D("40"), D("55")], "promedio", D("47.5")),
        ([D("0"), D("0")], "suma", D("0")),
        ([None, None], "ultimo", None),
        ([None, None], "suma", None),
        ([], "promedio", None),
    ],
)
def test_a_years_value_follows_the_indicators_aggregation(semesters, aggregation, expected):
    assert p.yearly_value(semesters, aggregation) == expected


def test_an_unknown_aggregation_is_refused():
    with pytest.raises(ValueError):
        p.yearly_value([D("1")], "mediana")


# --- targets as approved at a moment ---------------------------------------------------------

JAN, JUN, DEC = (datetime(2017, m, 1, tzinfo=UTC) for m in (1, 6, 12))


def test_a_revision_counts_from_its_approval_on():
    revisions = [(2016, "modificacion", JUN, D("1.9"))]
    assert p.approved_at(revisions, JAN) == {}
    assert p.approved_at(revisions, JUN) == {2016: D("1.9")}  # approved at that very moment
    assert p.approved_at(revisions, DEC) == {2016: D("1.9")}


def test_the_last_revision_in_force_wins_whatever_the_order_given():
    revisions = [(2016, "modificacion", JUN, D("2.4")), (2016, "ampliacion", JAN, D("1.9"))]
    assert p.approved_at(revisions, datetime(2017, 3, 1, tzinfo=UTC)) == {2016: D("1.9")}
    assert p.approved_at(revisions, DEC) == {2016: D("2.4")}


def test_a_correction_counts_whenever_it_was_approved():
    revisions = [(2016, "modificacion", JAN, D("1.9")), (2016, p.CORRECTION, DEC, D("1.7"))]
    assert p.approved_at(revisions, JUN) == {2016: D("1.7")}


def test_the_correction_reason_is_the_models():
    assert TargetRevision.Reason.CORRECTION == p.CORRECTION
