"""Scenario resemblance (objectives/scenarios.py): pure functions, no database.

All cases are ascending indicators, as the plan declares them (see the module docstring)."""

from decimal import Decimal

import pytest

from pesem.dashboards import scenarios as sc

D = Decimal


# --- which two values are compared --------------------------------------------------------


def test_comparison_uses_earliest_value_from_baseline_year_and_latest():
    pair = sc.comparison({2011: D("1"), 2014: D("2"), 2015: D("3"), 2017: D("5")})
    assert (pair.first_year, pair.first_value) == (2014, D("2"))
    assert (pair.last_year, pair.last_value) == (2017, D("5"))
    assert pair.since_baseline


def test_comparison_starts_at_first_year_after_baseline_when_baseline_year_is_missing():
    pair = sc.comparison({2012: D("9"), 2016: D("2"), 2018: D("4")})
    assert (pair.first_year, pair.last_year) == (2016, 2018)
    assert pair.since_baseline


def test_comparison_falls_back_to_whole_series_without_values_from_baseline_year():
    pair = sc.comparison({2011: D("0.78"), 2012: D("0.59")})
    assert (pair.first_year, pair.first_value) == (2011, D("0.78"))
    assert (pair.last_year, pair.last_value) == (2012, D("0.59"))
    assert not pair.since_baseline


def test_comparison_ignores_insertion_order():
    pair = sc.comparison({2016: D("3"), 2014: D("1"), 2015: D("2")})
    assert (pair.first_year, pair.last_year) == (2014, 2016)


def test_comparison_without_data_is_none():
    assert sc.comparison({}) is None


def test_single_value_from_baseline_compares_with_itself():
    pair = sc.comparison({2011: D("5"), 2014: D("1.62")})
    assert (pair.first_year, pair.last_year) == (2014, 2014)
    assert sc.indicator_movement({2011: D("5"), 2014: D("1.62")}).direction == sc.STAYS


def test_baseline_year_is_a_parameter():
    pair = sc.comparison({2011: D("1"), 2012: D("2"), 2013: D("3")}, baseline_year=2012)
    assert (pair.first_year, pair.last_year) == (2012, 2013)


# --- rising, falling, flat ----------------------------------------------------------------


def test_rise_above_tolerance_improves():
    assert sc.movement(D("1.00"), D("1.03")) == sc.IMPROVES


def test_fall_above_tolerance_worsens():
    assert sc.movement(D("1.00"), D("0.97")) == sc.WORSENS


@pytest.mark.parametrize("last", ["1.00", "1.02", "0.98", "1.019", "0.981"])
def test_change_within_tolerance_stays(last):
    assert sc.movement(D("1.00"), D(last)) == sc.STAYS


def test_exactly_two_percent_is_not_more_than_tolerance():
    assert sc.movement(D("50"), D("51")) == sc.STAYS
    assert sc.movement(D("50"), D("49")) == sc.STAYS


def test_tolerance_is_relative_to_first_value():
    assert sc.movement(D("100"), D("101.5")) == sc.STAYS  # 1.5 %
    assert sc.movement(D("0.10"), D("0.11")) == sc.IMPROVES  # 10 %


def test_from_zero_any_rise_or_fall_counts():
    assert sc.movement(D("0"), D("0.01")) == sc.IMPROVES
    assert sc.movement(D("0"), D("-0.01")) == sc.WORSENS
    assert sc.movement(D("0"), D("0")) == sc.STAYS


def test_to_zero_is_a_fall():
    assert sc.movement(D("39.82"), D("0")) == sc.WORSENS


def test_negative_first_value_uses_its_magnitude():
    assert sc.movement(D("-10"), D("-9")) == sc.IMPROVES
    assert sc.movement(D("-10"), D("-10.1")) == sc.STAYS


def test_custom_tolerance():
    assert sc.movement(D("1"), D("1.03"), tolerance=D("0.05")) == sc.STAYS
    assert sc.movement(D("1"), D("1.01"), tolerance=D("0")) == sc.IMPROVES


def test_indicator_movement_without_data_has_no_direction():
    result = sc.indicator_movement({})
    assert result.comparison is None and result.direction is None


def test_change_percent():
    pair = sc.comparison({2014: D("2"), 2016: D("3")})
    assert pair.change_percent == D("50")
    assert sc.comparison({2014: D("0"), 2016: D("3")}).change_percent is None


# --- groups -------------------------------------------------------------------------------


def test_group_direction_is_sign_of_sum():
    assert sc.group_direction([1, 1, -1]) == 1
    assert sc.group_direction([1, -1, -1]) == -1
    assert sc.group_direction([1, -1]) == 0
    assert sc.group_direction([0, 0]) == 0


def test_group_without_data_stays():
    assert sc.group_direction([]) == 0
    assert sc.group_direction([None, None]) == 0


def test_indicators_without_data_add_nothing():
    assert sc.group_direction([None, -1]) == -1


# --- scenarios ----------------------------------------------------------------------------


def test_distance_counts_differing_groups():
    observed = {"G1": 1, "G2": 0, "G3": -1}
    assert sc.scenario_distance({"G1": 1, "G2": 0, "G3": -1}, observed) == 0
    assert sc.scenario_distance({"G1": 1, "G2": -1, "G3": 1}, observed) == 2
    assert sc.scenario_distance({"G1": -1, "G2": 1, "G3": 1}, observed) == 3


def test_group_missing_from_scenario_counts_as_differing():
    assert sc.scenario_distance({"G1": 1}, {"G1": 1, "G2": 0}) == 1


def test_most_similar_single():
    assert sc.most_similar({1: 2, 2: 1, 3: 3}) == [2]


def test_most_similar_ties_list_all():
    assert sc.most_similar({3: 1, 1: 1, 2: 2}) == [1, 3]
    assert sc.most_similar({1: 3, 2: 3, 3: 3}) == [1, 2, 3]


def test_most_similar_without_scenarios():
    assert sc.most_similar({}) == []


# --- the whole reasoning ------------------------------------------------------------------

PLAN_SCENARIOS = {
    1: {"G1": 1, "G2": -1, "G3": 1},
    2: {"G1": 0, "G2": -1, "G3": 1},
    3: {"G1": 1, "G2": 1, "G3": 1},
}
GROUPS = ["G1", "G2", "G3"]


def test_resemblance_names_the_scenario_with_fewest_differences():
    result = sc.resemblance(
        series={
            "A": {2014: D("1"), 2016: D("2")},  # G1 rises
            "B": {2014: D("1"), 2016: D("0.5")},  # G1 and G2 fall
            "C": {2014: D("1"), 2016: D("1.5")},  # G1 rises
            "D": {2014: D("10"), 2016: D("12")},  # G3 rises
        },
        indicator_groups={"A": ["G1"], "B": ["G1", "G2"], "C": ["G1"], "D": ["G3"]},
        group_codes=GROUPS,
        scenarios=PLAN_SCENARIOS,
    )
    assert {code: g.direction for code, g in result.groups.items()} == {
        "G1": 1,
        "G2": -1,
        "G3": 1,
    }
    assert result.groups["G1"].total == 1 and result.groups["G1"].with_data == 3
    assert [m.distance for m in result.scenarios] == [0, 1, 1]
    assert result.most_similar == [1]
    assert result.distance == 0
    assert result.scenarios[1].matches == {"G1": False, "G2": True, "G3": True}


def test_resemblance_without_any_data_observes_no_change_everywhere():
    result = sc.resemblance(
        series={},
        indicator_groups={"A": ["G1"], "B": ["G2"]},
        group_codes=GROUPS,
        scenarios=PLAN_SCENARIOS,
    )
    assert all(g.direction == 0 for g in result.groups.values())
    assert result.indicators["A"].direction is None
    assert result.groups["G3"].indicators == 0
    # No scenario expects "se mantiene" in G2 or G3: every scenario misses at least two.
    assert [m.distance for m in result.scenarios] == [3, 2, 3]
    assert result.most_similar == [2]


def test_resemblance_ties_are_all_named():
    result = sc.resemblance(
        series={"A": {2011: D("0.78"), 2012: D("0.59")}},  # G1 falls (whole series)
        indicator_groups={"A": ["G1"], "B": ["G2"], "C": ["G3"]},
        group_codes=GROUPS,
        scenarios=PLAN_SCENARIOS,
    )
    assert [m.distance for m in result.scenarios] == [3, 3, 3]
    assert result.most_similar == [1, 2, 3]
    assert result.distance == 3


def test_resemblance_without_scenarios():
    result = sc.resemblance(series={}, indicator_groups={}, group_codes=GROUPS, scenarios={})
    assert result.scenarios == [] and result.most_similar == [] and result.distance is None


def test_indicator_in_two_groups_counts_in_both():
    result = sc.resemblance(
        series={"A": {2014: D("1"), 2015: D("2")}},
        indicator_groups={"A": ["G1", "G2"]},
        group_codes=GROUPS,
        scenarios=PLAN_SCENARIOS,
    )
    assert result.groups["G1"].direction == 1 and result.groups["G2"].direction == 1
    assert result.groups["G3"].direction == 0
