"""A semestral plan's values per semester: the made-up PEI (PEI-EJEMPLO, not real data, loaded
only by tests) is followed by semester. Its units type S1 and S2 in the grid of the period
(/direcciones/<code>/<year>-S<n>/registro/), the planning office validates them (four eyes),
and the year's value becomes the indicator's aggregation of its validated semesters."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

from indicators import progress
from indicators.entry import importing
from indicators.models import IndicatorValue, ReportingDeadline, SemesterValue
from objectives import plans
from tests.factories import built, load_example_pei, logged_in, make_staff, ok, readable

pytestmark = [pytest.mark.django_db, pytest.mark.postgres, pytest.mark.usefixtures("portal_on")]

PEI = "/planes/PEI-EJEMPLO"
S1 = f"{PEI}/direcciones/DGC/2024-S1/registro/"
S2 = f"{PEI}/direcciones/DGC/2024-S2/registro/"


@pytest.fixture
def pei():
    return load_example_pei()


@pytest.fixture
def registrar(pei):
    """A registrar of the PEI's own «DGC», which answers for IND.OEI.01 (suma; target 2024:
    1,300)."""
    return make_staff(get_user_model(), "reg.ejemplo", "registrador", "DGC", entity="EJEMPLO")


def indicator_pk(pei) -> int:
    return pei.indicators.get(code="IND.OEI.01").pk


def typed(client, url, pk, value, *, submit=True, note=""):
    data = {f"valor-{pk}": value, f"nota-{pk}": note, "enviar" if submit else "guardar": ""}
    return client.post(url, data)


def test_the_semester_grid_reads_the_semester_against_the_year_target(registrar, pei):
    page = built(logged_in(registrar), S1).content.decode()
    assert "IND.OEI.01" in page and "Meta 2024" in page and "1,300.0" in page
    assert "la suma de los semestres del año hasta este se compara con la meta del año" in page
    assert "2027-S2" in page  # the period switcher reaches the plan's last semester
    yearly = built(logged_in(registrar), f"{PEI}/direcciones/DGC/2024/registro/")
    assert f'href="{S1}"' in yearly.content.decode()


def test_a_typed_semester_is_stored_sent_and_read_against_the_year(registrar, pei):
    client = logged_in(registrar)
    pk = indicator_pk(pei)
    assert ok(typed(client, S1, pk, "650.5", note="Primer semestre"), 302)
    stored = SemesterValue.objects.get(indicator_id=pk, year=2024, semester=1)
    assert stored.value == D("650.5") and stored.state == "submitted"
    assert stored.history.first().history_user == registrar
    page = built(client, S1).content.decode()
    assert "650.5" in page and "50.0 %" in page  # 650.5 / 1,300


def test_bad_input_is_refused_in_spanish_and_nothing_is_stored(registrar, pei):
    client = logged_in(registrar)
    page = ok(typed(client, S1, indicator_pk(pei), "doce")).content.decode()
    assert "No se guardó nada" in page and "IND.OEI.01 2024-S1" in page
    assert 'value="doce"' in page  # what was typed is kept
    assert not SemesterValue.objects.exists()


def test_validated_semesters_make_the_years_value_by_its_aggregation(registrar, validator, pei):
    entering, checking = logged_in(registrar), logged_in(validator)
    pk = indicator_pk(pei)
    before = IndicatorValue.objects.get(indicator_id=pk, year=2024).value
    assert before == D("1320")  # the example's yearly value, entered as a year's
    typed(entering, S1, pk, "650.5")
    item = SemesterValue.objects.get(indicator_id=pk, semester=1)
    assert ok(checking.post(S1, {"validar": item.pk, f"version-{pk}": item.version}), 302)
    assert IndicatorValue.objects.get(indicator_id=pk, year=2024).value == D("650.5")
    typed(entering, S2, pk, "700")
    item = SemesterValue.objects.get(indicator_id=pk, semester=2)
    ok(checking.post(S2, {"validar": item.pk, f"version-{pk}": item.version}), 302)
    year = IndicatorValue.objects.get(indicator_id=pk, year=2024)
    assert year.value == D("1350.5") and year.state == "validated"
    assert "S1 y S2" in year.note
    assert year.history.first().history_user == validator
    tablero = ok(checking.get(f"{PEI}/tablero/?anio=2024")).content.decode()
    assert "1,350.5" in tablero and "103.9 %" in tablero  # 1,350.5 / 1,300
    # The API gives each semester and the year.
    api = checking.get("/api/v1/plans/PEI-EJEMPLO/values?period=2024-S2").json()
    assert [(i["indicator"], i["period"], i["value"]) for i in api["items"]] == [
        ("IND.OEI.01", "2024-S2", "700")
    ]
    year_api = checking.get("/api/v1/plans/PEI-EJEMPLO/values?period=2024").json()
    assert [
        (i["period"], i["value"]) for i in year_api["items"] if i["indicator"] == "IND.OEI.01"
    ] == [("2024", "1350.5")]


def test_who_entered_a_semester_does_not_validate_it(pei):
    both = make_staff(get_user_model(), "ambos", "registrador", "DGC", entity="EJEMPLO")
    both.groups.add(Group.objects.get_or_create(name="validador")[0])
    client = logged_in(both)
    pk = indicator_pk(pei)
    typed(client, S1, pk, "650.5")
    item = SemesterValue.objects.get(indicator_id=pk, semester=1)
    response = ok(client.post(S1, {"validar": item.pk, f"version-{pk}": item.version}, follow=True))
    assert "Usted participó en este valor del semestre" in response.content.decode()
    item.refresh_from_db()
    assert item.state == "submitted"


def test_a_return_needs_its_reason_and_sends_the_semester_back(registrar, validator, pei):
    pk = indicator_pk(pei)
    typed(logged_in(registrar), S1, pk, "650.5")
    item = SemesterValue.objects.get(indicator_id=pk, semester=1)
    checking = logged_in(validator)
    page = ok(checking.post(S1, {"devolver": item.pk, f"version-{pk}": item.version}, follow=True))
    assert "Indique el motivo de la devolución." in page.content.decode()
    item.refresh_from_db()
    assert item.state == "submitted"
    checking.post(
        S1, {"devolver": item.pk, f"version-{pk}": item.version, f"motivo-{pk}": "Falta fuente"}
    )
    item.refresh_from_db()
    assert item.state == "draft" and item.return_reason == "Falta fuente"


def test_a_yearly_plan_has_no_semester_grid(registrar_dgc):
    response = ok(logged_in(registrar_dgc).get("/direcciones/DGC/2016-S1/registro/"), 404)
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("aggregation", "semester", "expected"),
    [
        ("suma", 1, D("50")),  # 650 / 1,300
        ("suma", 2, D("100")),  # (650 + 650) / 1,300
        ("ultimo", 1, D("50")),
        ("ultimo", 2, D("100")),
        ("promedio", 2, D("50")),  # mean 650 / 1,300
    ],
)
def test_a_semesters_progress_reads_the_year_so_far(aggregation, semester, expected):
    found = progress.semester_achievement(
        [D("650"), D("650") if aggregation != "ultimo" else D("1300")],
        semester,
        aggregation,
        D("1300"),
        "ascending",
    )
    assert found.percent == expected


def test_a_semestral_plans_calendar_is_per_semester(validator, pei):
    office = logged_in(validator)
    page = ok(office.get(f"{PEI}/calendario/")).content.decode()
    assert "2024-S1" in page and "31/07/2024" in page and "2027-S2" in page
    data = {"year": 2024, "semester": 1, "due_date": "2024-08-15", "reason": "Cierre de julio"}
    ok(office.post(f"{PEI}/calendario/", data), 302)
    stored = ReportingDeadline.objects.get(plan=pei, year=2024, semester=1)
    assert stored.due_date == date(2024, 8, 15)
    assert stored.history.first().history_user == validator
    assert "15/08/2024" in ok(office.get(f"{PEI}/calendario/")).content.decode()
    # The PESEM's calendar stays by year, without the PEI's change.
    pesem = ok(office.get("/calendario/")).content.decode()
    assert "2016" in pesem and "-S1" not in pesem and "Cierre de julio" not in pesem
    # A yearly plan has no semester to date.
    refused = ok(office.post("/calendario/", {**data, "year": 2016}, follow=True))
    assert "se sigue por año: no tiene semestres" in refused.content.decode()
    assert not ReportingDeadline.objects.filter(semester=1).exclude(plan=pei).exists()


def test_my_tasks_lists_the_semesters_to_enter_and_to_validate(registrar, validator, pei):
    entering = logged_in(registrar)
    tasks = ok(entering.get(f"{PEI}/mis-tareas/")).content.decode().split('id="semester-tasks"')
    assert len(tasks) == 2 and f'href="{S1}"' in tasks[1]
    assert "1 indicador sin valor enviado" in tasks[1]
    typed(entering, S1, indicator_pk(pei), "650.5")
    after = ok(entering.get(f"{PEI}/mis-tareas/")).content.decode()
    assert f'href="{S1}"' not in after.split('id="semester-tasks"')[1]
    office = ok(logged_in(validator).get(f"{PEI}/mis-tareas/")).content.decode()
    queue = office.split('id="semester-queues"')[1]
    assert f'href="{S1}"' in queue and "DGC 2024-S1" in queue and "1 valor enviado" in queue
    # The menu's badge counts it: the one value waiting in the PEI.
    assert 'aria-label="1 tarea"' in office
    # The validation page points to it too.
    validation = ok(logged_in(validator).get(f"{PEI}/validacion/")).content.decode()
    assert f'href="{S1}"' in validation.split('id="semester-queues"')[1]
    # The PESEM's tasks have no semesters.
    assert (
        'id="semester-queues"' not in ok(logged_in(validator).get("/mis-tareas/")).content.decode()
    )


def test_an_import_of_yearly_values_is_refused_for_a_semestral_plan(registrar, pei):
    rows = [(2, {"indicator": "IND.OEI.01", "year": "2025", "value": "1,410.5"})]
    with plans.showing("PEI-EJEMPLO"):
        found = importing.plan_import(rows, user=registrar)
    assert [e.message for e in found.errors] == [
        "El plan PEI-EJEMPLO se sigue por semestre: registre los valores en la planilla de "
        "cada semestre (S1 y S2); el valor del año es el de sus semestres validados."
    ]
    assert found.changes == []


def test_the_api_reads_a_semesters_progress_against_the_year(registrar, validator, pei):
    entering, checking = logged_in(registrar), logged_in(validator)
    pk = indicator_pk(pei)
    typed(entering, S1, pk, "650.5")
    item = SemesterValue.objects.get(indicator_id=pk, semester=1)
    ok(checking.post(S1, {"validar": item.pk, f"version-{pk}": item.version}), 302)
    public = Client()
    found = ok(public.get("/api/v1/plans/PEI-EJEMPLO/statuses?period=2024-S1")).json()
    [row] = [i for i in found["items"] if i["indicator"] == "IND.OEI.01"]
    assert (row["period"], row["value"], row["target"], row["light"]) == (
        "2024-S1",
        "650.5",
        "1300",
        "red",
    )
    assert row["achievement"].startswith("50.03")
    assert "suma de los semestres" in row["reading"]
    yearly = ok(public.get("/api/v1/plans/PEI-EJEMPLO/statuses?period=2024")).json()
    [year_row] = [i for i in yearly["items"] if i["indicator"] == "IND.OEI.01"]
    assert (year_row["period"], year_row["value"]) == ("2024", "650.5")


def test_a_semestral_plans_tasks_owe_semesters_not_yearly_values(registrar, pei):
    """Its yearly values come from its semesters: «Mis tareas» lists the semesters and the
    yearly action reports, never a yearly value of IND.OEI.01 to type."""
    page = ok(logged_in(registrar).get(f"{PEI}/mis-tareas/")).content.decode()
    semesters, rest = page.split('id="semester-tasks"')[1].split('id="registrar-tasks"')
    assert f'href="{S1}"' in semesters
    assert "IND.OEI.01" not in rest


def test_a_validated_semester_is_reopened_with_its_reason_and_the_year_follows(
    registrar, validator, pei
):
    entering, checking = logged_in(registrar), logged_in(validator)
    pk = indicator_pk(pei)
    typed(entering, S1, pk, "650.5")
    item = SemesterValue.objects.get(indicator_id=pk, semester=1)
    ok(checking.post(S1, {"validar": item.pk, f"version-{pk}": item.version}), 302)
    item.refresh_from_db()
    refused = ok(
        checking.post(S1, {"reabrir": item.pk, f"version-{pk}": item.version}, follow=True)
    )
    assert "Indique el motivo de la reapertura." in refused.content.decode()
    assert IndicatorValue.objects.get(indicator_id=pk, year=2024).value == D("650.5")
    data = {"reabrir": item.pk, f"version-{pk}": item.version, f"motivo-{pk}": "Fuente errada"}
    ok(checking.post(S1, data), 302)
    item.refresh_from_db()
    assert (item.state, item.return_reason) == ("draft", "Fuente errada")
    year = IndicatorValue.objects.get(indicator_id=pk, year=2024)
    assert (year.value, year.state) == (None, "draft")
    # The unit types it again.
    assert 'name="valor-' in ok(entering.get(S1)).content.decode()


def test_the_report_says_how_each_semester_is_read(registrar, validator, pei):
    entering, checking = logged_in(registrar), logged_in(validator)
    pk = indicator_pk(pei)
    typed(entering, S1, pk, "650.5")
    item = SemesterValue.objects.get(indicator_id=pk, semester=1)
    ok(checking.post(S1, {"validar": item.pk, f"version-{pk}": item.version}), 302)
    page = ok(checking.get(f"{PEI}/reporte/?anio=2024")).content.decode()
    table = page.split('id="semester-table"')[1].split("</table>")[0]
    assert "<td>IND.OEI.01 Monto de cooperación canalizada</td>" in table
    assert '<td class="num">650.5</td><td class="num">50.0 %</td>' in table
    assert "La suma de los semestres del año hasta este se compara con la meta del año." in table
    assert "el avance de cada semestre se lee contra la meta de su año" in page
    pdf = readable(ok(checking.get(f"{PEI}/reporte/2024/pdf/")))
    assert "Avance por semestre 2024" in pdf or pdf.startswith("PDF de")
    book = readable(ok(checking.get(f"{PEI}/reporte/2024/xlsx/")))
    assert "Semestres" in book and "650.5" in book and "50.0 %" in book
    pesem = ok(checking.get("/reporte/?anio=2016")).content.decode()
    assert 'id="semester-table"' not in pesem
