"""Open data of the public portal: a Frictionless data package that validates with zero
errors, plain machine numbers, formulas written as text, the whole plan as XLSX and JSON,
each indicator as CSV and XLSX, and the yearly public report."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal as D

import frictionless
import pytest
from django.urls import reverse
from openpyxl import load_workbook

from indicators.models import Indicator, IndicatorYearStatus
from objectives.models import StrategicAction
from pesem.portal import datapackage
from tests.factories import ok

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("portal_on")]

NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def download_package(client, directory):
    """datapackage.json and every file it names, fetched through the portal into
    `directory`, as a user of the data would."""
    descriptor = client.get(reverse("portal_datapackage")).json()
    (directory / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    for resource in descriptor["resources"]:
        response = client.get(reverse("portal_data") + resource["path"])
        assert response.status_code == 200, resource["path"]
        (directory / resource["path"]).write_bytes(response.content)
    return descriptor


def rows(client, name) -> list[dict[str, str]]:
    response = client.get(reverse("portal_resource_csv", args=[name]))
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))


def test_the_package_validates_with_zero_errors(client, validated, unpublished, tmp_path):
    descriptor = download_package(client, tmp_path)
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    errors = [e.message for task in report.tasks for e in task.errors] + [
        e.message for e in report.errors
    ]
    assert errors == []
    assert report.valid
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    assert descriptor["name"] and descriptor["title"]
    names = [r["name"] for r in descriptor["resources"]]
    assert names == list(datapackage.TABLES)
    for resource in descriptor["resources"]:
        assert resource["format"] == "csv" and resource["mediatype"] == "text/csv"
        assert resource["encoding"] == "utf-8"
        schema = resource["schema"]
        assert schema["missingValues"] == [""]
        for field in schema["fields"]:
            assert field["type"] in {"string", "integer", "number", "boolean", "date"}
            assert field["title"] and field["description"]
    by_name = {r["name"]: r["schema"] for r in descriptor["resources"]}
    assert by_name["valores"]["primaryKey"] == ["indicador", "anio"]
    assert by_name["estados"]["primaryKey"] == ["indicador", "anio"]
    assert by_name["valores"]["foreignKeys"][0]["reference"] == {
        "resource": "indicadores",
        "fields": ["codigo"],
    }
    unit = next(f for f in by_name["valores"]["fields"] if f["name"] == "valor")
    assert "unidad" in unit["description"]


def test_the_validation_catches_a_broken_file(client, validated, tmp_path):
    """The check is not vacuous: an unknown indicator and a text in a number column fail."""
    download_package(client, tmp_path)
    path = tmp_path / "valores.csv"
    header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
    row = {name: "" for name in header} | {"indicador": "ZZ9.9", "anio": "2016", "valor": "1,5"}
    with path.open("a", encoding="utf-8", newline="") as f:
        csv.DictWriter(f, fieldnames=header, lineterminator="\n").writerow(row)
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    types = {e.type for task in report.tasks for e in task.errors}
    assert not report.valid
    assert {"foreign-key", "type-error"} <= types


def test_numbers_are_plain_machine_numbers(client, validated):
    descriptor = ok(client.get(reverse("portal_datapackage"))).json()
    for resource in descriptor["resources"]:
        numeric = [f["name"] for f in resource["schema"]["fields"] if f["type"] == "number"]
        for row in rows(client, resource["name"]):
            for name in numeric:
                assert row[name] == "" or NUMBER.match(row[name]), (resource["name"], row[name])
    values = {(r["indicador"], r["anio"]): r for r in rows(client, "valores")}
    assert values[("OE3.1", "2016")]["valor"] == "1.578947"
    assert values[("OE3.1", "2016")]["numerador"] == "450"
    assert values[("OE3.1", "2016")]["denominador"] == "2850000"
    indicators = {r["codigo"]: r for r in rows(client, "indicadores")}
    assert indicators["OE3.1"]["factor_escala"] == "10000"
    assert indicators["OE3.1"]["sentido_publicado"] == "false"
    statuses = {(r["indicador"], r["anio"]): r for r in rows(client, "estados")}
    stored = IndicatorYearStatus.objects.get(indicator__code="OE2.1", year=2016)
    assert D(statuses[("OE2.1", "2016")]["cumplimiento"]) == stored.achievement
    assert statuses[("OE2.1", "2016")]["semaforo"] == "verde"
    assert statuses[("OE3.1", "2017")]["meta_interpolada"] == "true"


def test_formula_like_text_is_written_as_text(client, validated):
    Indicator.objects.filter(code="OE2.1").update(name='=HYPERLINK("http://x.example","y")')
    StrategicAction.objects.filter(code="2.1").update(description="+SUM(A1:A9)")
    StrategicAction.objects.filter(code="2.2").update(description="@cmd|' /C calc'!A0")
    indicators = {r["codigo"]: r for r in rows(client, "indicadores")}
    assert indicators["OE2.1"]["nombre"] == '\'=HYPERLINK("http://x.example","y")'
    actions = {r["codigo"]: r for r in rows(client, "acciones")}
    assert actions["2.1"]["descripcion"] == "'+SUM(A1:A9)"
    assert actions["2.2"]["descripcion"].startswith("'@cmd")
    for url, sheet in (
        (reverse("portal_plan_xlsx"), "indicadores"),
        (reverse("portal_indicator_xlsx", args=["OE2.1"]), "Ficha"),
        (reverse("portal_report_xlsx", args=[2016]), "Indicadores"),
    ):
        book = load_workbook(io.BytesIO(ok(client.get(url)).content))
        cells = [c for row in book[sheet].iter_rows() for c in row if c.value]
        formula = [c for c in cells if str(c.value).startswith("=HYPERLINK")]
        assert formula, url
        assert all(c.data_type == "s" and c.quotePrefix for c in formula), url
    plan = ok(client.get(reverse("portal_plan_json"))).json()  # JSON is no spreadsheet: as typed
    assert next(i for i in plan["indicators"] if i["code"] == "OE2.1")["name"].startswith("=")


def test_plan_json_is_the_export_structure_with_validated_data_only(client, validated, unpublished):
    plan = ok(client.get(reverse("portal_plan_json"))).json()
    assert {"plan", "objectives", "indicators", "directorates", "action_reports"} <= set(plan)
    assert plan["plan"]["period"] == {"start": 2015, "end": 2021}
    indicators = {i["code"]: i for i in plan["indicators"]}
    assert all(v["status"] == "validated" for i in plan["indicators"] for v in i["values"])
    assert {v["year"] for v in indicators["NAC.3"]["values"]} & {2017, 2019} == set()
    assert 2018 not in {v["year"] for v in indicators["OE2.1"]["values"]}
    oe31 = {v["year"]: v for v in indicators["OE3.1"]["values"]}
    assert oe31[2016]["value"] == 1.578947 and oe31[2016]["numerator"] == 450
    assert indicators["OE2.1"]["summary"]["light"] == "green"
    assert "note" not in oe31[2016] and "analysis" not in oe31[2016]
    assert [r["year"] for r in plan["action_reports"]] == [2016]  # the submitted 2017 is not
    objective = next(o for o in plan["objectives"] if o["number"] == 2)
    assert "OE2.1" in objective["indicators"] and objective["actions"][0]["responsibles"]


def test_each_indicator_as_csv_and_xlsx(client, validated):
    response = client.get(reverse("portal_indicator_csv", args=["OE3.1"]))
    assert response["Content-Disposition"].startswith("attachment")
    series = {r["anio"]: r for r in csv.DictReader(io.StringIO(response.content.decode()))}
    assert series["2016"]["valor"] == "1.578947" and series["2016"]["numerador"] == "450"
    assert series["2017"]["valor"] == "" and series["2017"]["meta_interpolada"] == "true"
    stored = IndicatorYearStatus.objects.get(indicator__code="OE3.1", year=2016)
    assert D(series["2016"]["cumplimiento"]) == stored.achievement
    book = load_workbook(
        io.BytesIO(client.get(reverse("portal_indicator_xlsx", args=["OE3.1"])).content)
    )
    assert book.sheetnames == ["Ficha", "Serie", "Metas", "Observaciones"]
    ficha = dict(book["Ficha"].iter_rows(values_only=True))
    assert ficha["Código"] == "OE3.1" and ficha["Factor de escala"] == 10000
    assert book["Ficha"]["A1"].font.bold  # formatted: bold header
    assert client.get(reverse("portal_indicator_csv", args=["NO.EXISTE"])).status_code == 404


def test_public_report_has_the_stored_figures_and_no_preliminary(client, validated, unpublished):
    response = client.get(reverse("portal_report_xlsx", args=[2016]))
    assert "reporte-seguimiento-publico-2016.xlsx" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Resumen", "Indicadores", "Acciones", "Calidad de datos"]
    table = list(book["Indicadores"].iter_rows(values_only=True))
    header, ours = table[0], {r[1]: r for r in table[1:]}
    assert not [h for h in header if "preliminar" in str(h).lower()]
    # The internal report reads the same stored statuses (pesem.report.content.monitoring_report).
    stored = IndicatorYearStatus.objects.filter(year=2016, indicator__objective__isnull=False)
    assert set(ours) == {s.indicator.code for s in stored.select_related("indicator")}
    for s in stored.select_related("indicator"):
        row = ours[s.indicator.code]
        assert row[header.index("Valor obtenido 2016")] == (
            float(s.value) if s.value is not None else None
        )
        assert row[header.index("Meta 2016")] == (float(s.target) if s.target is not None else None)
        achievement = row[header.index("Cumplimiento (%)")]
        assert achievement == (float(s.achievement) if s.achievement is not None else None)
    assert round(ours["OE2.1"][header.index("Cumplimiento (%)")], 2) == 97.48
    assert ours["OE2.1"][header.index("Semáforo")] == "verde"
    actions = list(book["Acciones"].iter_rows(values_only=True))
    assert any(r[1] == "2.1" and r[4] == "DPE" and r[6] == 60 for r in actions)
    later = load_workbook(
        io.BytesIO(client.get(reverse("portal_report_xlsx", args=[2017])).content)
    )
    row = next(r for r in later["Acciones"].iter_rows(values_only=True) if r[1] == "2.1")
    assert row[5] == "sin reporte validado"  # the 2017 report is only submitted
    assert client.get(reverse("portal_report_xlsx", args=[2030])).status_code == 404


def test_the_whole_plan_as_one_workbook(client, validated):
    book = load_workbook(io.BytesIO(ok(client.get(reverse("portal_plan_xlsx"))).content))
    assert book.sheetnames == ["Léame", *datapackage.TABLES]
    values = list(book["valores"].iter_rows(values_only=True))
    assert values[0][:3] == ("indicador", "anio", "valor")
    assert ("OE3.1", 2016, 1.578947) in [r[:3] for r in values]
    assert book["valores"].freeze_panes == "A2"
    readme = [r[1] for r in book["Léame"].iter_rows(values_only=True)]
    assert "cumplimiento" in readme
