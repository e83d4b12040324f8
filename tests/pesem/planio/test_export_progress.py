"""export_plan carries each value's workflow state, achievement and light, and a per-indicator
summary computed by indicators.progress from validated values only."""

import pytest

from pesem.planio.export import plan_as_dict
from tests.factories import enter_value

pytestmark = pytest.mark.django_db


def exported(code):
    return next(i for i in plan_as_dict()["indicators"] if i["code"] == code)


def test_plan_history_is_official_without_targets():
    data = exported("OE2.1")
    v2014 = next(v for v in data["values"] if v["year"] == 2014)
    assert (v2014["status"], v2014["achievement"], v2014["light"]) == ("validated", None, "grey")
    assert data["summary"] == {
        "latest_year": 2014,
        "latest_value": 1.52,
        "achievement_2016": None,
        "achievement_2021": None,
        "light": "grey",
        "on_track_2021": None,
        "trajectory": "unknown",
    }


def test_validated_value_gets_achievement_light_and_trajectory(registrar_dpe, validator):
    # OE2.1: baseline 1.52 (2014), Anexo 6 targets 1.59 (2016) and 2.87 (2021).
    enter_value(registrar_dpe, "OE2.1", 2016, 93, 60, validator=validator)  # 1.55
    data = exported("OE2.1")
    v2016 = next(v for v in data["values"] if v["year"] == 2016)
    assert v2016["status"] == "validated" and v2016["value"] == 1.55
    assert v2016["achievement"] == 97.48  # 1.55 / 1.59 x 100
    assert v2016["light"] == "green"
    summary = data["summary"]
    assert summary["latest_year"] == 2016 and summary["achievement_2016"] == 97.48
    # Pace 0.015 a year since 2014 vs. 0.264 a year needed to reach 2.87 by 2021.
    assert summary["on_track_2021"] is False and summary["trajectory"] == "off_track"


def test_interpolated_year_uses_the_milestone(registrar_dpe, validator):
    enter_value(
        registrar_dpe, "OE2.1", 2015, 93, 60, validator=validator
    )  # 1.55 vs milestone 1.555
    v2015 = next(v for v in exported("OE2.1")["values"] if v["year"] == 2015)
    assert v2015["achievement"] == 99.68


def test_submitted_values_do_not_count_as_official(registrar_dpe, validator):
    enter_value(registrar_dpe, "OE2.1", 2016, 93, 60, submit=True)
    data = exported("OE2.1")
    assert next(v for v in data["values"] if v["year"] == 2016)["status"] == "submitted"
    assert data["summary"]["latest_year"] == 2014
    assert data["summary"]["achievement_2016"] is None


def test_yellow_and_red_bands(registrar_dgc, validator):
    # OE3.1 targets: 1.54 (2016, Anexo 6). 1.3 -> 84.4 % (yellow); 1.0 -> 64.9 % (red).
    enter_value(registrar_dgc, "OE3.1", 2016, 130, 1_000_000, validator=validator)
    enter_value(registrar_dgc, "OE3.1", 2017, 100, 1_000_000, validator=validator)
    values = {v["year"]: v for v in exported("OE3.1")["values"]}
    assert (values[2016]["achievement"], values[2016]["light"]) == (84.42, "yellow")
    assert values[2017]["light"] == "red"
