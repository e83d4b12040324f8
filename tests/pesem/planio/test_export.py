"""export_plan: the open-data JSON has the documented keys and round-trips."""

import json

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from pesem.planio.loading import load_plan
from tests.factories import load_example_pei

pytestmark = pytest.mark.postgres

TOP_KEYS = {
    "plan",
    "objectives",
    "indicators",
    "variables",
    "trends",
    "components",
    "directorates",
    "actors",
    "actor_influences",
    "scenarios",
    "risks",
    "opportunities",
    "national_objectives",
    "pip_typologies",
}
INDICATOR_KEYS = {
    "code",
    "name",
    "level",
    "objective",
    "variable",
    "numerator",
    "denominator",
    "scale",
    "direction",
    "baseline",
    "values",
    "targets",
    "flags",
}


def export(capsys) -> dict:
    call_command("export_plan")
    return json.loads(capsys.readouterr().out)


@pytest.mark.django_db
def test_export_has_every_documented_key(capsys):
    data = export(capsys)
    assert TOP_KEYS <= data.keys()
    objective = data["objectives"][0]
    assert {"number", "name", "indicators", "actions"} <= objective.keys()
    assert objective["indicators"] == ["OE1.1", "OE1.2"]
    action = objective["actions"][0]
    assert {"code", "name", "importance", "responsibles", "sub_actions"} <= action.keys()
    oe3 = next(o for o in data["objectives"] if o["number"] == 3)
    assert [s["code"] for s in oe3["actions"][2]["sub_actions"]] == [
        "3.3.1",
        "3.3.2",
        "3.3.3",
        "3.3.4",
    ]
    for indicator in data["indicators"]:
        assert INDICATOR_KEYS <= indicator.keys(), indicator["code"]
        assert indicator["level"] in {"objective", "variable", "national"}
        assert indicator["direction"] in {"ascending", "descending"}
    consular = next(i for i in data["indicators"] if i["code"] == "OE3.1")
    assert consular["aliases"] == ["V1.1"] and consular["variable"] == "V1"
    assert consular["scale"] == 10000
    # Anexo 6 gives no year: 2014 is the system's reading, said so.
    assert consular["baseline"] == {
        "year": 2014,
        "year_inferred": True,
        "value": 1.62,
        "source": "Anexo 6",
    }
    assert {"year": 2021, "value": 1.58, "source": "Cuadro 5", "published": "1.58"} in consular[
        "targets"
    ]
    assert {"code", "name", "definition", "groups"} <= data["variables"][0].keys()
    assert {"number", "name", "pertinence", "validity", "evidence", "score", "components"} <= data[
        "trends"
    ][0].keys()
    assert {"number", "name", "subcomponents"} <= data["components"][0].keys()
    assert {"name", "acronym", "kind", "parent"} <= data["actors"][0].keys()
    assert {a["kind"] for a in data["actors"]} == {"state", "non_state"}
    assert data["scenarios"][1]["groups"] == {"G1": 0, "G2": -1, "G3": 1}
    assert {"text", "scenarios"} <= data["risks"][0].keys()
    assert {"text", "scenarios"} <= data["opportunities"][0].keys()


@pytest.mark.django_db(transaction=True)
def test_export_flush_load_export_round_trips(capsys):
    load_plan(settings.PLAN_FIXTURES_DIR)
    first = export(capsys)
    call_command("flush", interactive=False)
    call_command("load_plan")
    capsys.readouterr()
    assert export(capsys) == first


@pytest.mark.django_db
def test_export_plan_exports_the_plan_it_is_asked_for(capsys):
    """The made-up PEI (PEI-EJEMPLO, not real data) beside the PESEM: --plan chooses."""
    load_example_pei()
    call_command("export_plan", "--plan", "PEI-EJEMPLO")
    theirs = json.loads(capsys.readouterr().out)
    codes = {i["code"] for i in theirs["indicators"]}
    assert codes == {"IND.OEI.01", "IND.AEI.01.02"}
    assert theirs["plan"]["name"] == "Plan Estratégico Institucional de ejemplo 2024-2027"
    call_command("export_plan")
    assert "OE3.1" in {i["code"] for i in json.loads(capsys.readouterr().out)["indicators"]}
    with pytest.raises(CommandError, match="No existe el plan PEI-NINGUNO"):
        call_command("export_plan", "--plan", "PEI-NINGUNO")
