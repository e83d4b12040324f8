"""The public portal (/publico/): off by default, open without login when on, validated data
only (the leak test), narrative as PortalSettings says, the same figures as the internal
pages, cacheable (ETag, 304), rate limited, and a fixed number of queries."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import dateformat, timezone

from indicators import selectors, services
from indicators.models import (
    ActionReport,
    Indicator,
    IndicatorValue,
    IndicatorYearStatus,
)
from indicators.workflow import target_services
from objectives.models import Directorate, Resolution, StrategicAction
from pesem.models import PortalSettings
from pesem.published import reads as public
from tests.factories import (
    DRAFT_VALUE,
    EXTERNAL,
    INLINE_SCRIPT,
    SECRET_NUMBERS,
    SECRET_TEXTS,
    SUBMITTED_VALUE,
    as_text,
    enter_value,
    fetch_all,
    grow_plan,
    make_staff,
    ok,
    portal_urls,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("portal_on"), pytest.mark.postgres]

PAGES = ["portal_home", "portal_reports", "portal_data"]


def test_portal_is_off_by_default_and_answers_404(client, settings):
    settings.PESEM_PUBLIC_PORTAL = False
    for url in portal_urls():
        assert client.get(url).status_code == 404, url


def test_pages_and_downloads_open_without_login(client, validated):
    pages = fetch_all(client)
    home = pages[reverse("portal_home")]
    assert "Plan Estratégico" in home and "Visión" in home
    # The default year: the latest plan year with a validated value (OE3.1's 2018).
    assert selectors.default_year(horizon=services.plan_years(), validated_only=True) == 2018
    assert 'href="/publico/objetivos/3/?anio=2018"' in home
    assert "/accounts/" not in home and "Salir" not in home  # no staff menu, no login needed
    response = client.get(reverse("portal_resource_csv", args=["valores"]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    response = client.get(reverse("portal_plan_xlsx"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client.head(reverse("portal_home")).status_code == 200
    assert client.post(reverse("portal_home")).status_code == 405


def test_nothing_unvalidated_leaks_anywhere(client, validated, unpublished, validator):
    # The traps are real: the data exist, the internal pages show them, and the stored status
    # keeps a copy of the submitted value.
    assert IndicatorValue.objects.filter(state="draft", value=DRAFT_VALUE).exists()
    assert IndicatorYearStatus.objects.get(indicator__code="OE2.1", year=2018).preliminary == (
        SUBMITTED_VALUE
    )
    assert any(
        "292,181.33" in f
        for f in IndicatorYearStatus.objects.get(indicator__code="OE2.1", year=2018).flags
    )  # the stored findings mention the submitted value: the portal must recompute them
    client.force_login(validator)
    internal = ok(client.get(reverse("indicator_detail", args=["NAC.3"]))).content.decode()
    assert "987,654.321" in internal and "NOTA-BORRADOR" in internal
    client.logout()

    pages = fetch_all(client)
    assert len(pages) > 100
    for url, text in pages.items():
        for secret in SECRET_TEXTS + SECRET_NUMBERS:
            assert secret not in text, f"{secret!r} in {url}"
        # Narrative of validated values is off by default too.
        for narrative in ("NOTA-VALIDADA", "ANALISIS-VALIDADO", "MEDIDAS-VALIDADAS"):
            assert narrative not in text, f"{narrative!r} in {url}"
        assert "QUE-SE-HIZO-VALIDADO" not in text, url
    # Validated data are there, in pages and files.
    page = pages[reverse("portal_indicator", args=["OE3.1"])]
    assert "1.58" in page and "20.00" in page
    assert "1.578947" in pages[reverse("portal_resource_csv", args=["valores"])]
    assert "Salto en la serie: 1.58 en 2016 y 20.00 en 2018" in page  # validated findings
    assert "1.70" in page  # the planning office's target is public, its reason is not


NARRATIVE = [
    ("publish_value_note", "NOTA-VALIDADA", ["portal_indicator", "valores", "plan.json"]),
    ("publish_analysis", "ANALISIS-VALIDADO", ["portal_indicator", "valores", "plan.json"]),
    ("publish_measures", "MEDIDAS-VALIDADAS", ["portal_indicator", "valores", "plan.json"]),
    (
        "publish_report_description",
        "QUE-SE-HIZO-VALIDADO",
        ["portal_objective", "avance-acciones", "plan.json", "report"],
    ),
]
ALL_NARRATIVE = [text for _, text, _ in NARRATIVE]


@pytest.mark.parametrize(("field", "text", "where"), NARRATIVE)
def test_narrative_is_published_only_when_its_setting_is_on(client, validated, field, text, where):
    urls = {
        "portal_indicator": reverse("portal_indicator", args=["OE3.1"]),
        "portal_objective": reverse("portal_objective", args=[2]) + "?anio=2016",
        "valores": reverse("portal_resource_csv", args=["valores"]),
        "avance-acciones": reverse("portal_resource_csv", args=["avance-acciones"]),
        "plan.json": reverse("portal_plan_json"),
        "report": reverse("portal_report_xlsx", args=[2016]),
    }
    for url in urls.values():
        assert text not in as_text(ok(client.get(url)))
    PortalSettings.objects.create(pk=1, **{field: True})
    for name in where:
        assert text in as_text(ok(client.get(urls[name]))), name
    for url in urls.values():  # the other narrative fields stay unpublished
        body = as_text(ok(client.get(url)))
        assert not [other for other in ALL_NARRATIVE if other != text and other in body]
    assert "JUSTIFICACION-VALIDADA" not in as_text(ok(client.get(urls["portal_indicator"])))


def test_pages_send_public_cache_control_and_answer_304(client, validated):
    for url in (reverse("portal_home"), reverse("portal_datapackage")):
        first = client.get(url)
        assert first["Cache-Control"] == "public, max-age=300"
        etag = first["ETag"]
        again = client.get(url, headers={"if-none-match": etag})
        assert again.status_code == 304 and again.content == b""
        assert again["ETag"] == etag and again["Cache-Control"] == "public, max-age=300"


# The data version (pesem.cache.data) moves when a write commits, which a test inside a rolled
# back transaction never does: these tests commit (transactional database, plan loaded).


def test_a_committed_change_gives_a_new_etag(client, validated, registrar_dgc, validator):
    url = reverse("portal_home")
    etag = client.get(url)["ETag"]
    assert client.get(url, headers={"if-none-match": etag}).status_code == 304
    enter_value(registrar_dgc, "OE3.1", 2017, 450, 2_850_000, validator=validator)
    changed = client.get(url, headers={"if-none-match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert client.get(url, headers={"if-none-match": changed["ETag"]}).status_code == 304


def test_the_narrative_choice_and_the_thresholds_change_the_version(settings):
    before = public.data_version()
    assert public.data_version() == before  # stable while nothing changes
    PortalSettings.objects.create(pk=1, publish_analysis=True)
    after_settings = public.data_version()
    assert after_settings != before
    settings.PESEM_LIGHT_GREEN = 90
    assert public.data_version() != after_settings


def test_downloads_are_built_once_per_data_version(
    client, validated, registrar_dgc, validator, settings
):
    settings.PESEM_PAGE_CACHE = True
    url = reverse("portal_resource_csv", args=["valores"])
    first = ok(client.get(url)).content
    assert b"OE3.1,2017," not in first
    # A write that sends no signal does not move the version: the cached file is served.
    IndicatorValue.objects.filter(indicator__code="OE3.1", year=2016).update(source="otra")
    assert ok(client.get(url)).content == first
    enter_value(registrar_dgc, "OE3.1", 2017, 450, 2_850_000, validator=validator)
    assert b"OE3.1,2017," in ok(client.get(url)).content


def _only_cache_and_version(queries: CaptureQueriesContext) -> bool:
    """No query read the plan's data: the page was not built."""
    return all(
        "pesem_cache" in q["sql"]
        or "pesem_dataversion" in q["sql"]
        or "pesem_ratecounter" in q["sql"]  # the rate limit's counter (pesem.limits.rate)
        # SQLite's transactions begin IMMEDIATE (settings.SQLITE_OPTIONS)
        or q["sql"] in ("BEGIN", "BEGIN IMMEDIATE", "COMMIT", "ROLLBACK")
        or q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT"))
        for q in queries.captured_queries
    )


def test_pages_are_built_once_per_official_version_and_drafts_keep_them(
    client, validated, registrar_dgc, validator, settings
):
    settings.PESEM_PAGE_CACHE = True
    url = reverse("portal_objective", args=[3]) + "?anio=2017"
    first = ok(client.get(url)).content.decode()
    with CaptureQueriesContext(connection) as kept:
        again = ok(client.get(url)).content.decode()
    assert again == first
    assert _only_cache_and_version(kept)  # the rate limit, the version, the kept copy
    # A registrar's draft is not public: the kept page stays.
    enter_value(registrar_dgc, "OE3.1", 2017, 460, 2_850_000)
    with CaptureQueriesContext(connection) as after_draft:
        assert ok(client.get(url)).content.decode() == first
    assert _only_cache_and_version(after_draft)
    # Validated: the next reader gets the new figure.
    item = IndicatorValue.objects.get(indicator__code="OE3.1", year=2017)
    item = services.do_submit(user=registrar_dgc, item=item, expected_version=item.version)
    services.do_validate(user=validator, item=item, expected_version=item.version)
    assert ok(client.get(url)).content.decode() != first


def test_logged_in_staff_get_the_same_public_cacheable_page(client, validator):
    client.force_login(validator)
    response = client.get(reverse("portal_home"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=300"


def test_rate_limit_per_client_ip_answers_429_in_spanish(client, settings):
    settings.PESEM_PORTAL_RATE_LIMIT = 3
    for _ in range(3):
        assert client.get(reverse("portal_reports")).status_code == 200
    refused = client.get(reverse("portal_data"))
    assert refused.status_code == 429
    assert "Demasiadas solicitudes" in refused.content.decode()
    assert refused["Retry-After"] == "60" and "no-store" in refused["Cache-Control"]
    other = client.get(reverse("portal_reports"), REMOTE_ADDR="10.0.0.2")
    assert other.status_code == 200  # another client is not affected


def test_pages_load_nothing_from_another_host_and_run_no_inline_script(client, validated):
    for name, args in (
        ("portal_home", []),
        ("portal_objective", [2]),
        ("portal_indicator", ["OE2.1"]),
        ("portal_reports", []),
        ("portal_data", []),
    ):
        html = ok(client.get(reverse(name, args=args))).content.decode()
        assert not EXTERNAL.search(html) and not INLINE_SCRIPT.search(html), name
        assert "css/pesem.css" in html


def _rows(html: str, table_id: str) -> dict[str, list[str]]:
    """Cells of a table's body rows, tags stripped, by indicator code."""
    body = html.split(f'id="{table_id}"')[1].split("</table>")[0].split("<tbody>")[1]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = [
            " ".join(re.sub(r"<[^>]+>", " ", c).split())
            for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        rows[cells[0].split()[0]] = cells
    return rows


@pytest.mark.parametrize("number", [2, 3])
def test_objective_figures_equal_the_internal_page(client, validated, validator, number):
    client.force_login(validator)
    internal = ok(client.get(reverse("objective_detail", args=[number]), {"anio": 2016}))
    client.logout()
    portal = ok(client.get(reverse("portal_objective", args=[number]), {"anio": 2016}))
    ours = _rows(portal.content.decode(), "portal-indicators")
    theirs = _rows(internal.content.decode(), "objective-indicators")
    assert ours == theirs
    assert len(ours) >= 1
    if number == 2:
        assert ours["OE2.1"][3:5] == ["97.5 %", "● verde"]
    assert f'data-figure="chart-{"OE2.1" if number == 2 else "OE3.1"}"' in portal.content.decode()


def test_statuses_and_counts_are_the_stored_ones(client, validated):
    stored = {
        (s.indicator.code, s.year): s
        for s in IndicatorYearStatus.objects.select_related("indicator")
    }
    for indicator in public.public_indicators():
        assert indicator.statuses, indicator.code
        for s in indicator.statuses:
            row = stored[(indicator.code, s.year)]
            assert (s.value, s.target, s.achievement, s.light, s.trajectory) == (
                row.value,
                row.target,
                row.achievement,
                row.light,
                row.trajectory,
            )
    cards = selectors.tablero_cards(
        statuses=selectors.tablero_statuses(year=2016, indicators=Indicator.objects.all())
    )
    home = public.public_home(year=2016)
    for card, ours in zip(cards, home.cards, strict=True):
        assert {light.value: n for light, n in card.counts.items()} == ours.counts


def test_public_rows_carry_no_model_instance_and_no_private_field(validated, unpublished):
    """The structural guarantee: plain values only (the chart's facts aside, which templates
    cannot reach), and the values read are the validated ones."""
    indicator = public.public_indicator(code="NAC.3")
    assert indicator is not None and indicator.values == ()
    years = [v.year for v in public.public_indicator(code="OE2.1").values]
    assert 2016 in years and 2018 not in years  # 2018 is only submitted
    fields = set(public.PublicValue.__dataclass_fields__)
    assert not fields & {"state", "justification", "warnings", "evidence_url", "updated_by"}
    assert {r.description for r in public.public_reports()} == {""}


# --- query counts -----------------------------------------------------------------------


COUNTED = [
    ("portal_home", [], {"anio": 2016}),
    ("portal_objective", [2], {"anio": 2016}),
    ("portal_indicator", ["OE2.1"], {}),
    ("portal_reports", [], {}),
    ("portal_data", [], {}),
    ("portal_datapackage", [], {}),
    ("portal_resource_csv", ["estados"], {}),
    ("portal_indicator_csv", ["OE2.1"], {}),
    ("portal_report_xlsx", [2016], {}),
]


@pytest.fixture
def memory_cache(settings):
    """The rate limit's counter in process memory: in the database cache it costs four to six
    queries depending on whether the minute's window is new, which would make counts jump at
    a window's edge."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def count_queries(client, name, args, params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse(name, args=args), params)
    assert response.status_code == 200, name
    return len(ctx.captured_queries)


def test_query_counts_do_not_grow_with_the_plan(client, validated, memory_cache):
    small = {page[0]: count_queries(client, *page) for page in COUNTED}
    grow_plan(120)
    large = {page[0]: count_queries(client, *page) for page in COUNTED}
    assert large == small


def test_query_count_pins(client, validated, memory_cache, uncached, django_assert_max_num_queries):
    # Every portal response reads the data version (1 query; the rate limit's counter is in
    # memory here, see memory_cache); pages with a year add plan years, first year with
    # data, the plan years with a validated value (the default year), and the stored
    # statuses' completeness (2 counts): 6 in all. Every page's foot adds three: the
    # portal's settings, the latest validations, the planning offices (the contact).
    # + plan, objectives, actions, responsibles, objectives and light counts
    with django_assert_max_num_queries(15):
        ok(client.get(reverse("portal_home"), {"anio": 2016}))
    # + narrative; objective, actions, responsibles; indicators, values, targets, flags,
    # articulated objectives, approved target revisions, statuses; validated reports
    with django_assert_max_num_queries(21):
        ok(client.get(reverse("portal_objective", args=[2]), {"anio": 2016}))
    # + narrative; the indicator, values, targets, flags, articulated objectives, approved
    # target revisions, statuses
    with django_assert_max_num_queries(17):
        ok(client.get(reverse("portal_indicator", args=["OE2.1"])))
    # version; the index of indicators; the foot's three
    with django_assert_max_num_queries(5):
        ok(client.get(reverse("portal_data")))
    # + narrative, plan, objectives, actions, responsibles, six indicator reads, reports,
    # directorates, approved target revisions (a download: no foot)
    with django_assert_max_num_queries(20):
        ok(client.get(reverse("portal_datapackage")))


# --- default year, published order, the portal's foot -----------------------------------------


def _portal_text(client, name, *args, **params) -> str:
    return re.sub(
        r"\s+",
        " ",
        re.sub(r"<[^>]+>", " ", client.get(reverse(name, args=args), params).content.decode()),
    )


def test_portal_opens_on_the_latest_plan_year_with_a_validated_value(
    client, validated, registrar_dpe, director_dpe
):
    # A value sent for 2019 moves the staff pages, never the public's.
    enter_value(registrar_dpe, "OE2.1", 2019, 93, 60, submit=True)
    for name, args in (("portal_home", []), ("portal_objective", [3])):
        page = _portal_text(client, name, *args)
        assert "Se muestra 2018: último año del plan con valores validados." in page, name
        assert "Se muestra 2019" not in page, name
    client.force_login(director_dpe)
    tablero = _portal_text(client, "home")
    assert "Se muestra 2019: último año del plan con valores enviados o validados." in tablero


def test_portal_without_validated_plan_values_opens_on_the_first_year(client):
    # Only the document's 2011-2014 history, validated but before the plan.
    assert IndicatorValue.objects.filter(year=2014, state="validated").exists()
    page = _portal_text(client, "portal_home")
    assert (
        "Se muestra 2015: primer año del plan; todavía no hay valores validados en 2015-2021."
        in page
    )
    select = ok(client.get(reverse("portal_home"))).content.decode().split('id="id_anio"')[1]
    assert re.findall(r'value="(\d+)"', select.split("</select>")[0]) == [
        str(y) for y in range(2015, 2022)
    ]


def test_portal_refuses_a_year_before_the_plan(client, validated):
    page = _portal_text(client, "portal_home", anio=2014)
    assert (
        "El año 2014 está fuera del horizonte del plan (2015-2021): no tiene metas, semáforo "
        "ni reporte. Se muestra 2018" in page
    )
    assert "¿Cómo avanzan los objetivos en 2014?" not in page
    assert client.get(reverse("portal_report_xlsx", args=[2014])).status_code == 404


OBJECTIVE_2 = ["OE2.1", "OE2.2", "OE2.3"]  # Cuadro 5's order; Anexo 2 lists V3.1, V3.2, V14.1


def _in_order(text: str, codes: list[str]) -> list[str]:
    found = sorted((text.index(code), code) for code in codes)
    return [code for _, code in found]


def test_everything_public_lists_objective_2_in_cuadro_5s_order(client, validated):
    objective = ok(client.get(reverse("portal_objective", args=[2]))).content.decode()
    table = objective.split('id="portal-indicators"')[1].split("</table>")[0]
    assert re.findall(r'href="/publico/indicadores/([^/]+)/"', table) == OBJECTIVE_2
    data = ok(client.get(reverse("portal_data"))).content.decode()
    listed = re.findall(
        r'href="/publico/indicadores/([^/]+)/"', data.split('id="indicator-downloads"')[1]
    )
    assert [c for c in listed if c.startswith("OE2")] == OBJECTIVE_2
    assert listed.index("V2.1") < listed.index("V10.1") < listed.index("NAC.1")
    plan = ok(client.get(reverse("portal_plan_json"))).json()
    codes = [i["code"] for i in plan["indicators"]]
    assert [c for c in codes if c.startswith("OE2")] == OBJECTIVE_2
    assert codes[:7] == ["OE1.1", "OE1.2", "OE2.1", "OE2.2", "OE2.3", "OE3.1", "OE4.1"]
    workbook = as_text(ok(client.get(reverse("portal_report_xlsx", args=[2016]))))
    assert _in_order(workbook, OBJECTIVE_2) == OBJECTIVE_2
    csv = ok(client.get(reverse("portal_resource_csv", args=["indicadores"]))).content.decode()
    assert _in_order(csv, OBJECTIVE_2) == OBJECTIVE_2


def test_action_progress_lists_an_actions_directorates_as_cuadro_6(
    client, django_user_model, validator
):
    # Action 1.2: "DGA-DAO-DGE" in Cuadro 6; by code DAO would come first.
    action = StrategicAction.objects.get(code="1.2")
    assert [d.code for d in action.responsibles_in_order()] == ["DGA", "DAO", "DGE"]
    for code in ("DAO", "DGE", "DGA"):
        registrar = make_staff(django_user_model, f"reg.{code.lower()}", "registrador", code)
        report = services.report_save(
            user=registrar,
            action=action,
            directorate=Directorate.objects.get(code=code),
            year=2016,
            execution="in_progress",
            percent=D(30),
            description="",
        )
        report = services.do_submit(user=registrar, item=report, expected_version=report.version)
        services.do_validate(user=validator, item=report, expected_version=report.version)
    csv = ok(client.get(reverse("portal_resource_csv", args=["avance-acciones"]))).content.decode()
    rows = [line.split(",") for line in csv.splitlines() if line.startswith("1.2,")]
    assert [next(c for c in row if c in ("DGA", "DAO", "DGE")) for row in rows] == [
        "DGA",
        "DAO",
        "DGE",
    ]


def test_the_portal_shows_last_update_contact_plan_document_and_the_api(client, validated):
    # The latest validation of a value or an action report (the fixture validates both).
    local = timezone.localtime(
        max(
            row.validated_at
            for model in (IndicatorValue, ActionReport)
            for row in model.objects.filter(validated_at__isnull=False)
        )
    )
    for name in ("portal_home", "portal_data", "portal_reports"):
        html = ok(client.get(reverse(name))).content.decode()
        facts = re.sub(
            r"\s+",
            " ",
            re.sub(r"<[^>]+>", " ", html.split('id="portal-facts"')[1].split("</ul>")[0]),
        )
        when = dateformat.format(local, r"j \d\e F \d\e Y, H:i")
        assert f"Última actualización: {when} (última validación)." in facts, name
        # Nobody configured a contact: the planning offices, as the document names them.
        assert (
            "Contacto: Dirección General de Estudios y Estrategias de Política Exterior (DEE) "
            "y Oficina General de Planeamiento y Presupuesto (OPP)." in facts
        ), name
        assert 'href="/api/v1/docs"' in html and 'href="/api/v1/"' in html, name
    PortalSettings.objects.create(
        pk=1,
        contact_name="Oficina de Planeamiento",
        contact_email="opp@rree.example",
        plan_document_url="https://documentos.example/pesem-2015-2021.pdf",
    )
    html = ok(client.get(reverse("portal_home"))).content.decode()
    assert 'Contacto: Oficina de Planeamiento, <a href="mailto:opp@rree.example">' in html
    link = '<a href="https://documentos.example/pesem-2015-2021.pdf" rel="external">'
    assert f"{link}Documento del plan</a>" in html


def test_the_portal_says_when_nothing_is_validated_yet(client):
    IndicatorValue.objects.filter(state="validated").update(validated_at=None)
    html = ok(client.get(reverse("portal_home"))).content.decode()
    assert "Última actualización: todavía no hay datos validados." in re.sub(
        r"\s+", " ", re.sub(r"<[^>]+>", " ", html)
    )


def test_a_revised_target_shows_its_resolution_never_its_rationale_or_people(
    client, portal_on, validator, django_user_model
):
    approver = make_staff(django_user_model, "val2.opp", "validador", "OPP")
    revision = target_services.target_propose(
        user=validator,
        indicator=Indicator.objects.get(code="OE3.1"),
        year=2019,
        value=D("1.7"),
        reason="modificacion",
        rationale="SUSTENTO-INTERNO",
        resolution=Resolution.objects.create(
            resolution_type="Resolución Ministerial", number="0123-2019-RE", date=date(2019, 3, 15)
        ),
    )
    before = ok(client.get(reverse("portal_indicator", args=["OE3.1"]))).content.decode()
    assert "0123-2019-RE" not in before
    target_services.target_decide(user=approver, revision=revision, approve=True)
    page = ok(client.get(reverse("portal_indicator", args=["OE3.1"]))).content.decode()
    assert "Revisión aprobada por Resolución Ministerial N° 0123-2019-RE del 15/03/2019." in page
    for private in ("SUSTENTO-INTERNO", "val.opp", "val2.opp"):
        assert private not in page
