"""Drafts and kept pages: a draft value saved moves only the data version every page of a
person's work is keyed on; the pages keyed on the official counter (pagecache.DRAFT_BLIND)
must then look exactly the same to every role before and after draft values are written, and
stay kept. Anything that leaves the draft state (submitted, returned), and draft action
reports (their state is shown on the objective and directorate pages), is official."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from indicators import services
from indicators.models import ActionReport, Indicator, IndicatorValue, WorkflowState
from objectives.models import Directorate, StrategicAction, StrategicVariable
from pesem.cache import data as datacache
from pesem.cache import pages as pagecache
from tests.factories import BUILD_TIME, logged_in, make_staff, readable

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _paths() -> dict[str, str]:
    variable = StrategicVariable.objects.order_by("pk").first()
    return {
        "home": "/?anio=2016",
        "tablero": "/tablero/?anio=2016",
        "plan": "/plan/",
        "objective_detail": "/objetivos/3/?anio=2016",
        "prospective": "/prospectiva/",
        "directorates": "/direcciones/?anio=2016",
        "directorate_detail": "/direcciones/DGC/?anio=2016",
        "report": "/reporte/?anio=2016",
        "report_download": "/reporte/2016/xlsx/",
        "report_pdf": "/reporte/2016/pdf/",
        "actors": "/actores/",
        "actor_matrix": "/actores/matriz/",
        "variable_actors": f"/actores/variable/{variable.code}/",
        "actor_detail": None,  # read off the actors page below
        "plans": "/planes/",
    }


def _write_drafts(registrar) -> None:
    """Draft yearly values: two new ones, one of them edited again."""
    dgc = Directorate.objects.get(code="DGC")
    indicator = Indicator.objects.filter(responsible=dgc).order_by("code").first()
    taken = set(IndicatorValue.objects.filter(indicator=indicator).values_list("year", flat=True))
    free = [y for y in services.plan_years() if y not in taken][:2]
    assert free, "the plan leaves no year without a value for a DGC indicator"
    for year in free:
        item = services.value_save(
            user=registrar,
            indicator=indicator,
            year=year,
            numerator=None,
            denominator=None,
            value=Decimal("987654.25"),
            note="borrador secreto",
            analysis="análisis en borrador",
        )
    services.value_save(
        user=registrar,
        indicator=indicator,
        year=free[-1],
        numerator=None,
        denominator=None,
        value=Decimal("123456.75"),
        note="borrador corregido",
        expected_version=item.version,
    )


def _write_report_draft(registrar) -> None:
    dgc = Directorate.objects.get(code="DGC")
    action = StrategicAction.objects.filter(responsibles=dgc).order_by("pk").first()
    services.report_save(
        user=registrar,
        action=action,
        directorate=dgc,
        year=2016 if not ActionReport.objects.filter(action=action, year=2016).exists() else 2017,
        execution=ActionReport.Progress.IN_PROGRESS,
        percent=Decimal("42"),
        description="avance en borrador",
    )


# The report's XLSX and PDF are kept as files per official version (pesem.report.files).
KEPT_FILES = {"report_download", "report_pdf"}


def test_every_draft_blind_page_is_tested_here():
    assert set(_paths()) == pagecache.DRAFT_BLIND | KEPT_FILES


def test_drafts_change_no_draft_blind_page_for_any_role(django_user_model, settings):
    registrar = make_staff(django_user_model, "reg", "registrador", "DGC")
    validator = make_staff(django_user_model, "val", "validador", "OPP")
    director = make_staff(django_user_model, "dir", "director", "DGC")
    admin = make_staff(django_user_model, "adm", "administrador", "OPP")
    admin.is_staff = True
    admin.save()
    clients = {u.username: logged_in(u) for u in (registrar, validator, director, admin)}
    paths = _paths()
    actors = clients["dir"].get("/actores/").content.decode()
    keys = [k for k in re.findall(r'href="/actores/([^"/]+)/"', actors) if k != "matriz"]
    paths["actor_detail"] = f"/actores/{keys[0]}/"

    settings.PESEM_PAGE_CACHE = False  # built afresh each time: what the data says now

    def snapshot() -> dict[tuple[str, str], str]:
        seen = {}
        for who, client in clients.items():
            for name, path in paths.items():
                response = client.get(path)
                assert response.status_code == 200, (who, path)
                seen[who, name] = BUILD_TIME.sub("", readable(response))
        return seen

    before = snapshot()
    versions = datacache.current()
    _write_drafts(registrar)
    after = datacache.current()
    assert after.number > versions.number  # the drafts were written...
    assert after.official == versions.official  # ...and only as drafts
    now = snapshot()
    assert sorted(k for k in before if before[k] != now[k]) == []
    # The drafts are there for those who work on them (an indicator's page shows its drafts).
    ind = Indicator.objects.filter(responsible__code="DGC").order_by("code").first()
    assert "123,456.75" in clients["reg"].get(f"/indicadores/{ind.code}/").content.decode()


def test_a_kept_dashboard_survives_drafts_but_not_a_submission(django_user_model):
    registrar = make_staff(django_user_model, "reg", "registrador", "DGC")
    director = logged_in(make_staff(django_user_model, "dir", "director", "DGC"))
    director.get("/direcciones/?anio=2016")
    _write_drafts(registrar)
    assert director.get("/direcciones/?anio=2016")["X-Page-Cache"] == "hit"
    # The draft sent to validation is official: the kept page is stale from then on.
    draft = IndicatorValue.objects.filter(
        indicator__responsible__code="DGC", state=WorkflowState.DRAFT
    ).first()
    before = datacache.current()
    services.do_submit(user=registrar, item=draft, expected_version=draft.version)
    assert datacache.current().official == before.official + 1
    assert "X-Page-Cache" not in director.get("/direcciones/?anio=2016")


def test_a_draft_action_report_is_official(django_user_model):
    registrar = make_staff(django_user_model, "reg", "registrador", "DGC")
    before = datacache.current()
    _write_report_draft(registrar)
    assert datacache.current().official == before.official + 1


def test_returning_a_value_to_draft_is_official(django_user_model):
    validator = make_staff(django_user_model, "val", "validador", "OPP")
    value = IndicatorValue.objects.filter(state=WorkflowState.VALIDATED).order_by("pk").first()
    before = datacache.current()
    services.do_reopen(
        user=validator, item=value, reason="revisar la fuente", expected_version=value.version
    )
    after = datacache.current()
    assert after.official == before.official + 1 and after.number == before.number + 1


def test_waiting_requests_get_the_copy_another_one_builds(django_user_model, monkeypatch):
    """One build per copy: while a build holds the key, a second request for it waits and
    is served that build's copy (here the build is simulated by keeping it meanwhile)."""
    from django.core.cache import cache

    director = logged_in(make_staff(django_user_model, "dir", "director", "DGC"))
    first = director.get("/plan/")
    key = pagecache._page_key(first.wsgi_request, pagecache.AUDIENCE, "plan", {})
    cache.delete(key)
    cache.add(f"{key}:building", 1, 30)  # another process is building it
    kept = {"content": b"<p>copia de otro proceso</p>", "headers": {"Content-Type": "text/html"}}

    def another_process_finishes(seconds):
        cache.set(key, kept, 60)
        cache.delete(f"{key}:building")

    monkeypatch.setattr(pagecache.time, "sleep", another_process_finishes)
    served = director.get("/plan/")
    assert served["X-Page-Cache"] == "hit"
    assert served.content == b"<p>copia de otro proceso</p>"
