"""«Mis tareas»: each role's tasks, the landing page after login, the menu's badge, overdue
marks on the pending and directorates pages, and query counts that do not grow with the data."""

import re
from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators import deadlines, services
from indicators.models import ActionReport, Indicator, IndicatorValue, ReportingDeadline
from indicators.workflow import inbox
from objectives.models import Directorate, StrategicAction
from tests.factories import enter_value, make_staff, ok, pesem_plan

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

# 2016's values are due on 31/03/2017 (the default): a month late; 2015's, over a year late.
TODAY = date(2017, 5, 1)


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr(deadlines, "today", lambda: TODAY)
    return TODAY


def report(registrar, code, directorate, year=2016, *, submit=False):
    item = services.report_save(
        user=registrar,
        action=StrategicAction.objects.get(code=code),
        directorate=Directorate.objects.get(code=directorate),
        year=year,
        execution="in_progress",
        percent=D(40),
        description="Avance",
    )
    if submit:
        item = services.do_submit(user=registrar, item=item, expected_version=item.version)
    return item


@pytest.fixture
def dgc_work(registrar_dgc, registrar_dpe, validator):
    """DGC: OE3.1 2016 returned by the planning office, V1.2 2016 and AE 3.1 2016 in draft;
    DPE (another directorate): OE2.1 2016 in draft."""
    sent = enter_value(registrar_dgc, "OE3.1", 2016, 130, 1_000_000, submit=True)
    services.do_return(
        user=validator, item=sent, reason="Falta el sustento de ORH", expected_version=sent.version
    )
    enter_value(registrar_dgc, "V1.2", 2016, 1, 4)
    report(registrar_dgc, "3.1", "DGC")
    enter_value(registrar_dpe, "OE2.1", 2016, 93, 60)


def dgc_counts() -> tuple[int, int]:
    """(indicators DGC enters, main actions DGC reports on)."""
    return (
        Indicator.objects.filter(responsible__code="DGC").count(),
        StrategicAction.objects.filter(responsibles__code="DGC", parent=None).count(),
    )


# --- the reporting year and deadlines -----------------------------------------------------


@pytest.mark.parametrize(
    ("today_", "expected"),
    [(date(2017, 5, 1), 2016), (date(2016, 1, 10), 2015), (date(2030, 1, 1), 2021)],
)
def test_reporting_year_is_the_year_just_closed_within_the_plan(today_, expected):
    assert inbox.reporting_year(years=range(2015, 2022), today=today_) == expected


def test_reporting_year_before_the_plan_is_its_first_and_none_without_a_plan():
    assert inbox.reporting_year(years=range(2015, 2022), today=date(2014, 6, 1)) == 2015
    assert inbox.reporting_year(years=range(0), today=TODAY) is None


def test_owed_years_are_those_due_within_sixty_days_or_past(today):
    years = range(2015, 2022)
    dues = {y: inbox.due_of(year=y, today=today) for y in years}
    assert [d.year for d in inbox.due_years(dues, years=years, today=today)] == [2015, 2016]
    # On 15/02/2018 2017's deadline (31/03/2018) is 44 days away: owed, not yet overdue.
    later = date(2018, 2, 15)
    dues = {y: inbox.due_of(year=y, today=later) for y in years}
    owed = inbox.due_years(dues, years=years, today=later)
    assert [(d.year, d.overdue) for d in owed] == [(2015, True), (2016, True), (2017, False)]


# --- a registrar's tasks ------------------------------------------------------------------


def test_registrar_sees_returned_with_reason_drafts_missing_and_deadlines(
    client, registrar_dgc, dgc_work, today
):
    client.force_login(registrar_dgc)
    response = ok(client.get(reverse("my_tasks")))
    page = response.content.decode()
    tasks = response.context["registrar"]

    [returned] = tasks.returned
    assert (returned.code, returned.year, returned.returned_by) == ("OE3.1", 2016, "val.opp")
    assert returned.returned_at is not None and not returned.reopened
    returned_table = page.split('id="returned-tasks"')[1].split("</table>")[0]
    assert "Falta el sustento de ORH" in returned_table and "val.opp" in returned_table
    assert reverse("value_entry", args=["OE3.1", 2016]) in returned_table

    assert [(t.kind, t.code) for t in tasks.drafts] == [("value", "V1.2"), ("report", "3.1")]
    drafts_table = page.split('id="draft-tasks"')[1].split("</table>")[0]
    assert reverse("report_entry", args=["3.1", 2016]) in drafts_table

    # Not entered: 2015 (over a year late) and 2016 (a month late); 2017 is not due yet.
    assert [y.due.year for y in tasks.owed] == [2015, 2016]
    owed_2016 = tasks.owed[1]
    assert [t.code for t in owed_2016.values] == ["NAC.3"]
    assert [t.code for t in owed_2016.reports] == ["3.2", "3.3", "3.4"]
    assert 'id="owed-2017"' not in page
    assert "vencido hace 31 días" in page and "vencido hace 396 días" in page
    deadlines_table = page.split('id="deadlines"')[1].split("</table>")[0]
    assert "31/03/2017" in deadlines_table and "31/03/2016" in deadlines_table
    assert reverse("grid", args=["DGC", 2016]) in deadlines_table


def test_another_directorates_items_are_not_shown(client, registrar_dgc, dgc_work, today):
    client.force_login(registrar_dgc)
    page = ok(client.get(reverse("my_tasks"))).content.decode()
    assert "OE2.1" not in page and "2.1 Articular" not in page


def test_reopened_item_is_shown_as_sent_back_by_the_validator(
    client, registrar_dgc, validator, director_dpe, today
):
    item = enter_value(registrar_dgc, "OE3.1", 2016, 130, 1_000_000, submit=True)
    # Another validator validates (four eyes); then the planning office reopens it.
    item = services.do_validate(user=validator, item=item, expected_version=item.version)
    item = services.do_reopen(
        user=validator, item=item, reason="Cifra corregida por ORH", expected_version=item.version
    )
    # The registrar edits the reopened value: it is still the validator who sent it back.
    services.value_save(
        user=registrar_dgc,
        indicator=item.indicator,
        year=2016,
        numerator=D(131),
        denominator=D(1_000_000),
        expected_version=item.version,
    )
    client.force_login(registrar_dgc)
    [returned] = ok(client.get(reverse("my_tasks"))).context["registrar"].returned
    assert returned.reopened and returned.returned_by == "val.opp"
    assert returned.item.return_reason == "Cifra corregida por ORH"


def test_deadline_set_by_the_planning_office_decides_what_is_late(
    client, registrar_dgc, dgc_work, today
):
    # 2016 postponed to 30/06/2017: due in 60 days, listed but not late; 2017 brought
    # forward to 15/04/2017: already late although it is after the year being reported.
    ReportingDeadline.objects.create(plan=pesem_plan(), year=2016, due_date=date(2017, 6, 30))
    ReportingDeadline.objects.create(plan=pesem_plan(), year=2017, due_date=date(2017, 4, 15))
    client.force_login(registrar_dgc)
    response = ok(client.get(reverse("my_tasks")))
    owed = {y.due.year: y.due for y in response.context["registrar"].owed}
    assert sorted(owed) == [2015, 2016, 2017]
    assert not owed[2016].overdue and owed[2016].days_left == 60
    assert owed[2017].days_overdue == 16
    assert "faltan 60 días" in response.content.decode()


# --- a validator's tasks ------------------------------------------------------------------


def test_validator_sees_submitted_items_by_directorate_oldest_first(
    client, registrar_dgc, registrar_dpe, validator, today
):
    dgc_value = enter_value(registrar_dgc, "OE3.1", 2016, 130, 1_000_000, submit=True)
    dpe_value = enter_value(registrar_dpe, "OE2.1", 2016, 93, 60, submit=True)
    dpe_report = report(registrar_dpe, "2.1", "DPE", submit=True)
    enter_value(registrar_dgc, "V1.2", 2016, 1, 4)  # a draft: not the validator's task
    for item, day in ((dpe_report, 1), (dgc_value, 10), (dpe_value, 20)):
        type(item).objects.filter(pk=item.pk).update(
            submitted_at=datetime(2017, 4, day, 15, tzinfo=UTC)
        )
    client.force_login(validator)
    response = ok(client.get(reverse("my_tasks")))
    queues = response.context["queues"]
    assert [q.code for q in queues] == ["DPE", "DGC"]  # DPE has waited longest
    assert [(w.kind, w.code) for w in queues[0].items] == [("report", "2.1"), ("value", "OE2.1")]
    assert [w.days_waiting for w in queues[0].items] == [30, 11]
    assert [(w.code, w.submitted_by) for w in queues[1].items] == [("OE3.1", "reg.dgc")]
    page = response.content.decode()
    assert f"{reverse('validation_queue')}?anio=2016" in page
    assert "V1.2" not in page
    assert response.context["registrar"] is None


def test_validator_who_shaped_a_value_is_told_who_validates_it_instead(
    client, django_user_model, registrar_dgc, validator, today
):
    """The mark follows the service's rule, not the submitter: this value was entered by a
    DGC registrar who is also the planning office's only validator, returned by them and
    re-sent by a colleague; they may not validate it, and the inbox says who may."""
    both = make_staff(django_user_model, "doble.dgc", "registrador", "DGC")
    both.groups.add(Group.objects.get(name="validador"))
    item = enter_value(both, "OE3.1", 2016, 130, 1_000_000, submit=True)
    item = services.do_return(user=both, item=item, reason="Falta", expected_version=item.version)
    item = services.do_submit(user=registrar_dgc, item=item, expected_version=item.version)
    other = enter_value(registrar_dgc, "V1.2", 2016, 1, 4, submit=True)
    sentence = (
        "Usted participó en este valor: debe validarlo otra persona de la oficina de "
        "planeamiento. Si no hay otra, un administrador puede dar el rol de validador a otra "
        "persona de la oficina de planeamiento."
    )
    client.force_login(both)
    response = ok(client.get(reverse("my_tasks")))
    waiting = {w.code: w for q in response.context["queues"] for w in q.items}
    assert (waiting["OE3.1"].submitted_by, waiting["OE3.1"].shaped) == ("reg.dgc", True)
    assert waiting["V1.2"].shaped is False
    page = response.content.decode()
    assert page.count(sentence) == 1
    assert "Usted lo envió" not in page
    with pytest.raises(ValidationError, match="Usted participó en este valor"):
        services.do_validate(user=both, item=item, expected_version=item.version)
    client.force_login(validator)
    response = ok(client.get(reverse("my_tasks")))
    assert sentence not in response.content.decode()
    assert not any(w.shaped for q in response.context["queues"] for w in q.items)
    assert other.state == "submitted"


def test_director_gets_a_short_page_pointing_to_the_tablero(client, director_dpe, dgc_work):
    client.force_login(director_dpe)
    response = ok(client.get(reverse("my_tasks")))
    page = response.content.decode()
    assert response.context["registrar"] is None and response.context["queues"] is None
    assert "no tiene tareas de registro ni de validación" in page
    assert f'href="{reverse("home")}"' in page
    assert 'class="badge"' not in page


# --- where a login lands ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        ("registrar_dgc", "my_tasks"),
        ("validator", "my_tasks"),
        ("director_dpe", "home"),
        ("administrator", "home"),
    ],
)
def test_login_lands_on_my_tasks_or_the_tablero_by_role(request, client, role, landing):
    user = request.getfixturevalue(role)
    response = client.post(
        reverse("login"), {"username": user.username, "password": "clave-segura-1"}, follow=True
    )
    assert response.redirect_chain[0][0] == reverse("landing")
    assert response.redirect_chain[-1][0] == reverse(landing)
    assert response.status_code == 200


def test_login_with_next_goes_there(client, registrar_dgc):
    response = client.post(
        reverse("login") + "?next=/plan/",
        {"username": "reg.dgc", "password": "clave-segura-1", "next": "/plan/"},
    )
    assert response.status_code == 302 and response.url == "/plan/"


# --- the badge ----------------------------------------------------------------------------


def badge(page: str) -> int | None:
    found = re.search(r'<span class="badge" aria-label="(\d+) tareas?">(\d+)</span>', page)
    if not found:
        return None
    assert found.group(1) == found.group(2)
    return int(found.group(2))


def test_registrar_badge_counts_returned_drafts_and_overdue_not_entered(
    client, registrar_dgc, dgc_work, today
):
    indicators, actions = dgc_counts()
    # 2015 and 2016 are late: every indicator-year and action-year not entered at all
    # (OE3.1, V1.2 and AE 3.1 have 2016 rows), plus 1 returned and 2 drafts.
    expected = (indicators * 2 - 2) + (actions * 2 - 1) + 1 + 2
    client.force_login(registrar_dgc)
    response = ok(client.get(reverse("my_tasks")))
    assert badge(response.content.decode()) == expected
    assert response.context["registrar"].open_count == expected
    assert inbox.open_task_count(user=registrar_dgc, today=today) == expected


def test_badge_follows_the_deadlines_the_planning_office_sets(
    client, registrar_dgc, dgc_work, today
):
    indicators, actions = dgc_counts()
    ReportingDeadline.objects.create(
        plan=pesem_plan(), year=2016, due_date=date(2017, 6, 30)
    )  # not late now
    ReportingDeadline.objects.create(
        plan=pesem_plan(), year=2017, due_date=date(2017, 4, 15)
    )  # late
    ReportingDeadline.objects.create(
        plan=pesem_plan(), year=2015, due_date=date(2016, 3, 31)
    )  # late, as default
    expected = (indicators + actions) * 2 + 1 + 2  # 2015 and 2017 missing entirely
    client.force_login(registrar_dgc)
    response = ok(client.get(reverse("my_tasks")))
    assert response.context["registrar"].open_count == expected
    assert badge(response.content.decode()) == expected


def test_badge_before_any_deadline_counts_drafts_only(client, registrar_dgc, monkeypatch):
    monkeypatch.setattr(deadlines, "today", lambda: date(2016, 2, 1))
    enter_value(registrar_dgc, "V1.2", 2016, 1, 4)
    client.force_login(registrar_dgc)
    page = ok(client.get(reverse("plan"))).content.decode()
    assert badge(page) == 1


def test_validator_badge_counts_what_waits(client, registrar_dgc, registrar_dpe, validator):
    enter_value(registrar_dgc, "OE3.1", 2016, 130, 1_000_000, submit=True)
    report(registrar_dpe, "2.1", "DPE", submit=True)
    enter_value(registrar_dgc, "V1.2", 2016, 1, 4)  # draft: not waiting for validation
    client.force_login(validator)
    page = ok(client.get(reverse("plan"))).content.decode()
    assert badge(page) == 2
    assert 'aria-label="2 tareas"' in page


def test_badge_only_for_registrars_and_validators(client, director_dpe, plain_user):
    for user in (director_dpe, plain_user):
        client.force_login(user)
        page = ok(client.get(reverse("plan"))).content.decode()
        assert "Mis tareas" in page and badge(page) is None


def test_badge_costs_at_most_two_queries(registrar_dgc, validator, dgc_work, today):
    with CaptureQueriesContext(connection) as registrar_queries:
        inbox.open_task_count(user=registrar_dgc, today=today)
    with CaptureQueriesContext(connection) as validator_queries:
        inbox.open_task_count(user=validator, today=today)
    # registrar: groups (cached on the user after), plan years, counts; validator: groups, count
    assert len(registrar_queries) <= 3 and len(validator_queries) <= 2


# --- overdue marks on other pages ---------------------------------------------------------


def test_pending_opens_on_the_year_being_reported_with_its_deadline(
    client, registrar_dgc, today, monkeypatch
):
    client.force_login(registrar_dgc)
    response = ok(client.get(reverse("pending")))
    assert response.context["year"] == 2016
    deadline = response.content.decode().split('id="deadline"')[1].split("</p>")[0]
    assert "31/03/2017" in deadline and "vencido hace 31 días" in deadline
    assert ok(client.get(reverse("pending"), {"anio": 2018})).context["year"] == 2018
    monkeypatch.setattr(deadlines, "today", lambda: date(2030, 1, 1))
    assert ok(client.get(reverse("pending"))).context["year"] == 2021


def test_pending_year_not_yet_due_shows_days_left(client, registrar_dgc, today):
    client.force_login(registrar_dgc)
    page = ok(client.get(reverse("pending"), {"anio": 2017})).content.decode()
    deadline = page.split('id="deadline"')[1].split("</p>")[0]
    assert "31/03/2018" in deadline and "faltan 334 días" in deadline


def test_directorates_page_says_who_has_not_reported_and_how_late(
    client, director_dpe, dgc_work, today
):
    indicators, actions = dgc_counts()
    client.force_login(director_dpe)
    page = ok(client.get(reverse("directorates"), {"anio": 2016})).content.decode()
    section = page.split("¿Quién no ha reportado 2016?")[1]
    assert "31/03/2017" in section.split('id="missing-table"')[0]
    row = re.search(r"direccion=DGC\">DGC</a>.*?</tr>", section, re.S).group(0)
    cells = re.findall(r"<td>(.*?)</td>", row, re.S)
    # Nothing of DGC's 2016 is sent: every indicator and action is missing, 31 days late.
    assert cells[0].startswith(f"{indicators}: ") and cells[1].startswith(f"{actions}: ")
    assert '<strong class="overdue">31</strong>' in cells[2]


# --- query counts -------------------------------------------------------------------------


def count_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("my_tasks")).status_code == 200
    return len(queries)


def more_work(registrar_dgc, validator, registrar_dpe):
    """More of every kind: drafts, returns, reports, submissions, other years."""
    for code, year in (("V1.2", 2017), ("V1.2", 2015), ("OE3.1", 2015)):
        enter_value(registrar_dgc, code, year, 2, 3)
    sent = enter_value(registrar_dgc, "OE3.1", 2017, 130, 1_000_000, submit=True)
    services.do_return(user=validator, item=sent, reason="Revise", expected_version=sent.version)
    for code in ("3.3", "3.4"):
        item = report(registrar_dgc, code, "DGC", year=2015, submit=True)
        services.do_return(user=validator, item=item, reason="Más", expected_version=item.version)
    report(registrar_dgc, "3.4", "DGC", year=2016)
    enter_value(registrar_dpe, "OE2.1", 2015, 93, 60, submit=True)
    report(registrar_dpe, "2.1", "DPE", submit=True)


@pytest.mark.usefixtures("uncached")
def test_my_tasks_query_counts_are_pinned_for_both_roles(
    client, registrar_dgc, registrar_dpe, validator, dgc_work, today, django_assert_max_num_queries
):
    # A returned report too, so both "who sent it back" reads run before and after.
    sent = report(registrar_dgc, "3.2", "DGC", submit=True)
    services.do_return(user=validator, item=sent, reason="Más", expected_version=sent.version)
    client.force_login(registrar_dgc)
    count_queries(client)  # warm caches (content types, session)
    # session, user, groups; directorate; plan years; deadlines; indicators, values, actions,
    # reports; who returned values, who returned reports; badge: plan years, counts
    with django_assert_max_num_queries(14):
        ok(client.get(reverse("my_tasks")))
    registrar_small = count_queries(client)

    client.force_login(validator)
    count_queries(client)
    # session, user, groups; submitted values, submitted reports; target revisions waiting;
    # plan versions waiting; badge: submitted count
    with django_assert_max_num_queries(8):
        ok(client.get(reverse("my_tasks")))
    validator_small = count_queries(client)

    more_work(registrar_dgc, validator, registrar_dpe)
    assert IndicatorValue.objects.filter(year__gte=2015).count() >= 8
    assert ActionReport.objects.count() >= 5
    client.force_login(registrar_dgc)
    assert count_queries(client) == registrar_small
    client.force_login(validator)
    assert count_queries(client) == validator_small
