"""What the system says about the document is true to it: the OE2.1 jump measured right,
baseline years the system inferred marked as such wherever shown, the tablero's files marking
system-assigned responsibles and dating the last value, V14's definitions as Anexo 2 gives
them (the missing one flagged, not invented), and the defects found by the latest audit of
the document loaded and shown, each quoting it."""

import csv
import importlib
import io
import re

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import reverse

from indicators.models import Indicator, IndicatorFlag, Target
from objectives.models import SourceDefect
from pesem.planio.export import plan_as_dict
from pesem.planio.loading import load_plan
from tests.factories import ok

pytestmark = pytest.mark.django_db

OLD_OE21_FLAG = (
    "El valor de 2013 (63.00) es unas 40 veces los de los años vecinos (0.70 y 1.52): parece "
    "el numerador publicado sin dividir, o un cambio de unidad."
)

# The latest audit's findings: (location, words quoted from the document).
NEW_DEFECTS = [
    ("Cuadro 3 y Anexo 2", "«Promedio del IDH de los distritos fronterizos del Perú»"),
    ("Cuadro 5, Sección IV, Cuadro 3, Anexo 2 y Anexo 6", "Lista de Patrimonio Mundial o la"),
    ("Sección IV y Anexo 2", "participación activa de DPE a través de PIN"),
    ("Cuadro 3 y Anexo 2", "implementados en el año destinadas"),
    ("Sección V", "«alcanzar los objetivos que el sector se ha trazado para los próximos cinco"),
    ("Anexo 2", "para los próximos cinco años»"),
    ("Anexos", "«ANEXO 4»"),
]


def text(page) -> str:
    return re.sub(r"\s+", " ", page.content.decode())


# --- OE2.1's jump -----------------------------------------------------------------------------


def test_the_oe21_jump_is_measured_against_each_neighbour():
    flags = list(
        IndicatorFlag.objects.filter(indicator__code="OE2.1").values_list("text", flat=True)
    )
    assert any(
        "es 90 veces el de 2012 (0.70) y unas 41 veces el de 2014 (1.52)" in f for f in flags
    )
    assert not any("unas 40 veces" in f for f in flags)


def test_reloading_replaces_the_old_wording_and_stays_idempotent():
    oe21 = Indicator.objects.get(code="OE2.1")
    IndicatorFlag.objects.create(indicator=oe21, text=OLD_OE21_FLAG, source="Anexo 2")
    assert load_plan(settings.PLAN_FIXTURES_DIR).changed
    assert not IndicatorFlag.objects.filter(text=OLD_OE21_FLAG).exists()
    assert IndicatorFlag.objects.filter(indicator=oe21, text__contains="90 veces").count() == 1
    assert not load_plan(settings.PLAN_FIXTURES_DIR).changed


# --- V14's definitions ------------------------------------------------------------------------


def test_v14_keeps_anexo_2s_definition_and_flags_the_missing_denominator():
    oe21 = Indicator.objects.get(code="OE2.1")
    assert oe21.numerator_definition.startswith(
        "Las actividades que enmarcaran la medición de dicho indicador serán las siguientes: "
        "atención de Solicitudes que llegan a la DPE y a sus Direcciones"
    )
    assert oe21.denominator_definition == ""  # the document gives none: not invented
    assert oe21.definition.startswith("Las actividades que enmarcaran")  # section IV's
    assert "Ministerio de Relaciones Exteriores –Dirección General" in oe21.definition
    assert oe21.flags.filter(text__contains="no publica la definición del denominador").exists()


def test_v14_definitions_and_flag_are_shown_on_its_page(client, registrar_dpe):
    client.force_login(registrar_dpe)
    page = text(ok(client.get(reverse("indicator_detail", args=["OE2.1"]))))
    assert "participación activa de DPE a través de PIN" in page
    assert "El Anexo 2 no publica la definición del denominador" in page


# --- inferred baseline years ------------------------------------------------------------------


def test_whether_a_baseline_year_is_published_is_stored():
    baseline = Target.objects.get(indicator__code="OE1.1", kind="baseline")
    assert baseline.year == 2014 and baseline.year_inferred and not baseline.year_published
    target = Target.objects.get(indicator__code="OE1.1", kind="target", year=2016)
    assert target.year_published and not target.year_inferred
    national = Target.objects.get(indicator__code="NAC.1", kind="baseline")
    assert national.year is None and not national.year_inferred  # no year at all


def test_pages_mark_inferred_baseline_years(client, director_dpe, settings, registrar_dgc):
    client.force_login(director_dpe)
    detail = text(ok(client.get(reverse("indicator_detail", args=["OE1.1"]))))
    assert '<td>2014 <small class="muted">(año inferido)</small></td><td>0.69</td>' in detail
    assert "<td>2016</td><td>0.33</td>" in detail  # a published year is not marked
    plan = text(ok(client.get(reverse("plan"))))
    assert "0.69 <small>(Anexo 6, 2014, año inferido)</small>" in plan
    report = text(ok(client.get(reverse("report"), {"anio": 2016})))
    assert "0.69 (2014, año inferido)" in report and "0.69 (2014)<" not in report
    settings.PESEM_PUBLIC_PORTAL = True
    client.logout()
    portal = text(ok(client.get(reverse("portal_indicator", args=["OE1.1"]))))
    assert '2014 <small class="muted">(año inferido)</small>' in portal


def test_the_export_says_a_baseline_year_was_inferred():
    exported = {i["code"]: i for i in plan_as_dict()["indicators"]}
    assert exported["OE1.1"]["baseline"]["year_inferred"] is True


# --- the tablero's file -----------------------------------------------------------------------


def test_the_tablero_csv_marks_assigned_responsibles_and_dates_the_last_value(client, validator):
    client.force_login(validator)
    response = ok(client.get(reverse("home"), {"anio": 2014, "_export": "csv"}))
    content = b"".join(response.streaming_content).decode()
    rows = {r["Código"]: r for r in csv.DictReader(io.StringIO(content))}
    cooperation = rows["OE4.1"]
    assert cooperation["Último valor"] == "0.59" and cooperation["Año del último valor"] == "2012"
    assert cooperation["Responsable"] == "APCI (asignada por el sistema)"
    assert rows["OE3.1"]["Responsable"] == "DGC (asignada por el sistema)"
    assert rows["OE3.1"]["Año del último valor"] == "2014"
    assert "asignada" not in rows["V6.1"]["Responsable"]  # no owner: nothing to mark


# --- the latest audit's defects ---------------------------------------------------------------


@pytest.mark.parametrize(("location", "quoted"), NEW_DEFECTS)
def test_the_audits_defects_are_loaded_quoting_the_document(location, quoted):
    found = SourceDefect.objects.filter(location=location, text__contains=quoted)
    assert found.count() == 1
    assert "«" in found.get().text and found.get().decision


def test_the_audits_defects_are_exported_and_listed_in_admin(client, superuser):
    exported = plan_as_dict()["source_defects"]
    for location, quoted in NEW_DEFECTS:
        assert any(d["location"] == location and quoted in d["text"] for d in exported)
    client.force_login(superuser)
    page = ok(
        client.get(reverse("admin:objectives_sourcedefect_changelist"), {"q": "ANEXO 4"})
    ).content.decode()
    assert "ANEXO 4" in page


# --- the data migration for a database loaded before ------------------------------------------


def test_the_migration_sets_precision_counts_and_inferred_years_from_stored_data():
    Indicator.objects.update(
        decimals=2, value_is_whole=False, numerator_is_whole=False, denominator_is_whole=False
    )
    Target.objects.update(year_published=True)
    migration = importlib.import_module("indicators.migrations.0006_indicator_display_precision")
    migration.set_from_document(apps, None)
    assert Indicator.objects.get(code="NAC.3").decimals == 0
    assert Indicator.objects.get(code="OE3.1").decimals == 2
    assert Indicator.objects.get(code="OE3.1").denominator_is_whole
    assert Indicator.objects.get(code="NAC.2").value_is_whole
    assert not Indicator.objects.get(code="NAC.3").value_is_whole
    assert not Target.objects.get(indicator__code="OE1.1", kind="baseline").year_published
    assert Target.objects.get(indicator__code="OE1.1", kind="target", year=2016).year_published
