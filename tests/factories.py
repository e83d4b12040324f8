"""Factories and helpers shared by the tests: people with roles, values in every workflow
state, larger plans for query counts, logged-in clients, reading files back (PDF, XLSX), a real
SMTP server and the browser's sessions. Plain functions: the fixtures that use them live in
tests/conftest.py. No test module imports another test module; they import from here."""

from __future__ import annotations

import email
import io
import os
import re
import shutil
import socket
import subprocess
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal as D
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import transaction
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from indicators import services
from indicators.models import ActionReport, Indicator, IndicatorValue, Target
from indicators.workflow import status
from objectives.models import (
    Directorate,
    Entity,
    Plan,
    StaffProfile,
    StrategicAction,
    StrategicObjective,
)
from pesem.cache import pages as pagecache
from pesem.planio import workbook
from pesem.portal import datapackage


@contextmanager
def kept_for_the_module(django_db_blocker) -> Iterator[None]:
    """Rows a module's tests share, written once per test process: inside an atomic block
    that each test's own block nests in (as Django's TestCase keeps setUpTestData's rows) and
    that is rolled back after the module's last test. On-commit callbacks run as they do in
    a test (tests/conftest.py), so the rows move the data version as a commit would."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic._from_testcase = True  # a test case's own block (conftest._at_test_level)
        atomic.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


ROOT = Path(__file__).resolve().parents[1]  # the repository: manage.py, pesem/, fixtures/
PASSWORD = "clave-segura-1"
# CI installs poppler-utils and Chromium (.ci/run): there a missing tool fails, never skips.
IN_CI = bool(os.environ.get("CI") or os.environ.get("PESEM_REQUIRE_BROWSER"))


# --- people ---------------------------------------------------------------------------------


def make_staff(
    user_model, username: str, role: str, directorate: str, *, password=PASSWORD, entity="RREE"
):
    """A user of `role` (a group: registrador, validador, director, administrador) working in
    `directorate` (its code within `entity`: the sector's by default)."""
    user = user_model.objects.create_user(username, password=password)
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    unit = Directorate.objects.get(code=directorate, entity__code=entity)
    StaffProfile.objects.create(user=user, directorate=unit)
    return user


def logged_in(user) -> Client:
    """A fresh test client signed in as `user` (its own session, its own cookies)."""
    client = Client()
    client.force_login(user)
    return client


# --- values and reports through the services -----------------------------------------------


def enter_value(
    registrar,
    code="OE3.1",
    year=2016,
    numerator=450,
    denominator=2_850_000,
    *,
    submit=False,
    validator=None,
    note="",
):
    """A value entered through the services as the entry form does: saved as a draft, then
    submitted (submit=True) and validated (validator given) when asked. The default is a
    plausible OE3.1 value (1.58 per 10,000, target 1.54): one that trips no warning, so it is
    sent without a justification."""
    item = services.value_save(
        user=registrar,
        indicator=Indicator.objects.get(code=code),
        year=year,
        numerator=D(numerator),
        denominator=D(denominator),
        note=note,
    )
    if submit or validator:
        item = services.do_submit(user=registrar, item=item, expected_version=item.version)
    if validator:
        item = services.do_validate(user=validator, item=item, expected_version=item.version)
    return item


def save_value(user, code, year, *, numerator=None, denominator=None, value=None, **texts):
    """A draft value of indicator `code`, with any of its texts (note, analysis, ...)."""
    return services.value_save(
        user=user,
        indicator=Indicator.objects.get(code=code),
        year=year,
        numerator=None if numerator is None else D(numerator),
        denominator=None if denominator is None else D(denominator),
        value=None if value is None else D(value),
        **texts,
    )


def submit(user, item):
    """Send a value or an action report to the planning office."""
    return services.do_submit(user=user, item=item, expected_version=item.version)


def validate(user, item):
    return services.do_validate(user=user, item=item, expected_version=item.version)


# --- larger plans (query counts that must not grow) ----------------------------------------


def grow_plan(extra: int) -> None:
    """`extra` indicators on OE2 with validated values and targets, and extra/4 actions with
    validated reports (a plan of ~200 indicators); statuses refreshed once, as a bulk load
    does (bulk_create sends no signals)."""
    objective = StrategicObjective.objects.get(number=2)
    dpe = Directorate.objects.get(code="DPE")
    indicators = Indicator.objects.bulk_create(
        Indicator(
            plan=objective.plan,
            code=f"SYN.{n}",
            name=f"Sintético {n}",
            numerator="n",
            denominator="d",
            level="objective",
            objective=objective,
            responsible=dpe,
            order=100 + n,
        )
        for n in range(extra)
    )
    IndicatorValue.objects.bulk_create(
        IndicatorValue(indicator=i, year=y, value=D("1.2"), state="validated")
        for i in indicators
        for y in (2014, 2015, 2016)
    )
    Target.objects.bulk_create(
        Target(indicator=i, kind=k, year=y, value=D(v), source="Anexo 6")
        for i in indicators
        for k, y, v in (("baseline", 2014, "1"), ("target", 2016, "1.3"), ("target", 2021, "2"))
    )
    actions = StrategicAction.objects.bulk_create(
        StrategicAction(
            objective=objective,
            plan=objective.plan,
            code=f"2.{100 + n}",
            order=1000 + n,
            name=f"Acción {n}",
        )
        for n in range(extra // 4)
    )
    for action in actions:
        action.responsibles.add(dpe)
    ActionReport.objects.bulk_create(
        ActionReport(action=a, directorate=dpe, year=2016, percent=D(50), state="validated")
        for a in actions
    )
    status.refresh()


def add_indicators(
    directorate_code: str,
    count: int,
    *,
    submitted: bool = False,
    start: int = 0,
    year: int = 2016,
    code: str = "SYN.{directorate}.{n}",
    order: int = 200,
    every: int = 1,
    final_target: bool = True,
) -> None:
    """`count` more ratio indicators of the directorate, with a validated 2014 value, a 2014
    baseline, a target for `year` (and 2021 when `final_target`), and a `year` value on one
    indicator out of `every` (submitted when asked, else a draft)."""
    directorate = Directorate.objects.get(code=directorate_code)
    created = Indicator.objects.bulk_create(
        Indicator(
            plan=Plan.objects.get(),
            code=code.format(directorate=directorate_code, n=n),
            name=f"Sintético {n}",
            numerator="n",
            denominator="d",
            level="variable",
            responsible=directorate,
            order=order + n,
        )
        for n in range(start, start + count)
    )

    def ratio(indicator, y, state):
        return IndicatorValue(
            indicator=indicator,
            year=y,
            value=D("0.5"),
            numerator=D(1),
            denominator=D(2),
            state=state,
            version=1,
        )

    IndicatorValue.objects.bulk_create(
        [ratio(i, 2014, "validated") for i in created]
        + [
            ratio(i, year, "submitted" if submitted else "draft")
            for n, i in enumerate(created)
            if n % every == 0
        ],
        batch_size=2000,
    )
    targets = [("baseline", 2014, "0.5"), ("target", year, "0.6")]
    if final_target:
        targets.append(("target", 2021, "1"))
    Target.objects.bulk_create(
        (
            Target(indicator=i, kind=k, year=y, value=D(v), source="Anexo 6")
            for i in created
            for k, y, v in targets
        ),
        batch_size=2000,
    )


# --- reading answers and files back --------------------------------------------------------

needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None and not IN_CI,
    reason="pdftotext no está instalado (apt-get install poppler-utils)",
)


def pdftotext(content: bytes, *, mode: str = "") -> str:
    """The PDF's text as pdftotext reads it, a form feed after each page: in reading order by
    default, `mode="layout"` as laid out, `mode="raw"` in the content stream's order."""
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", *([f"-{mode}"] if mode else []), "-", "-"],
        input=content,
        capture_output=True,
        check=True,
        timeout=60,
    )
    return done.stdout.decode("utf-8")


def pdf_text(content: bytes) -> str:
    """The PDF's text, whitespace folded (titles may wrap)."""
    return " ".join(pdftotext(content).split())


def readable(response) -> str:
    """What a person reads in an answer: the HTML without the session's CSRF token, the
    XLSX's cells, the PDF's text (files carry their build time in their metadata); a kept
    file sent as it is stored (FileResponse) too."""
    kind = response["Content-Type"]
    content = body(response)
    if kind.startswith("application/pdf"):
        if shutil.which("pdftotext") is None:
            return f"PDF de {len(content) > 0} bytes"  # no reader here: only present
        return pdftotext(content, mode="layout")
    if "spreadsheetml" in kind:
        book = load_workbook(io.BytesIO(content), read_only=True)
        return repr(
            [
                (ws.title, [tuple(c for c in row) for row in ws.iter_rows(values_only=True)])
                for ws in book
            ]
        )
    return pagecache.CSRF_VALUE.sub(rb'name="csrfmiddlewaretoken" value=""', content).decode()


# When a page or file was built (to the minute): not data.
BUILD_TIME = re.compile(r"(Fecha de generación:|Generado el) \d\d/\d\d/\d{4} \d\d:\d\d")


def as_read(client, paths) -> dict[str, str]:
    """What a reader sees at each path (readable), without when it was built: for comparing
    pages and files before and after a change. Each status is checked."""
    return {path: BUILD_TIME.sub("", readable(ok(client.get(path)))) for path in paths}


def body(response) -> bytes:
    """The bytes of an answer, streamed (a kept file) or not."""
    return b"".join(response.streaming_content) if response.streaming else response.content


def as_text(response) -> str:
    """A response's text; an XLSX's every part (shared strings, sheets) unpacked."""
    content = response.content
    if content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as z:
            return "\n".join(z.read(name).decode("utf-8", "replace") for name in z.namelist())
    return content.decode("utf-8")


# A tag that loads a resource from another host, and an inline script (the CSP forbids both).
EXTERNAL = re.compile(r'<(?:script|link|img|iframe|source)[^>]+(?:src|href)="(?:https?:)?//', re.I)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)


# --- the public portal ----------------------------------------------------------------------

# Texts and numbers that must appear nowhere in the portal or its downloads.
SECRET_TEXTS = [
    "NOTA-BORRADOR",
    "ANALISIS-BORRADOR",
    "MEDIDAS-BORRADOR",
    "JUSTIFICACION-BORRADOR",
    "NOTA-ENVIADA",
    "ANALISIS-ENVIADO",
    "JUSTIFICACION-ENVIADA",
    "MOTIVO-DEVOLUCION",
    "NOTA-DEVUELTA",
    "JUSTIFICACION-VALIDADA",
    "REPORTE-BORRADOR",
    "REPORTE-ENVIADO",
    "MOTIVO-META-INTERNO",
    "evidencia.example",
    "El cumplimiento sería",  # the wording of entry warnings
    "preliminar",
    "reg.dgc",
    "reg.dpe",
    "val.opp",
    "val2.opp",
]
DRAFT_VALUE = D("987654.321")
SUBMITTED_NUMERATOR = D("876544")  # a count of activities: a whole number
SUBMITTED_VALUE = D("292181.333333")  # 876,544 / 3, stored with six decimals
RETURNED_VALUE = D("765432.1")


def number_forms(value: D) -> set[str]:
    """How a number could show up: plain, Peruvian, rounded, its integer part."""
    whole = int(value)
    return {
        format(value.normalize(), "f"),
        f"{value:.2f}",
        f"{value:,.2f}",
        repr(float(value)),
        str(whole),
        f"{whole:,}",
    }


SECRET_NUMBERS = sorted(
    set().union(
        *(
            number_forms(v)
            for v in (DRAFT_VALUE, SUBMITTED_NUMERATOR, SUBMITTED_VALUE, RETURNED_VALUE)
        )
    )
)


def portal_urls() -> list[str]:
    """Every page and download of the portal."""
    codes = list(Indicator.objects.order_by("code").values_list("code", flat=True))
    urls = [reverse("portal_home"), reverse("portal_reports"), reverse("portal_data")]
    for year in (None, 2016, 2017, 2018, 2019):
        query = f"?anio={year}" if year else ""
        urls.append(reverse("portal_home") + query)
        urls += [reverse("portal_objective", args=[n]) + query for n in (1, 2, 3, 4)]
    urls += [reverse("portal_indicator", args=[c]) for c in codes]
    urls += [reverse("portal_report_xlsx", args=[y]) for y in range(2015, 2022)]
    urls += [
        reverse("portal_datapackage"),
        reverse("portal_plan_xlsx"),
        reverse("portal_plan_json"),
    ]
    urls += [reverse("portal_resource_csv", args=[name]) for name in datapackage.TABLES]
    for c in codes:
        urls += [
            reverse("portal_indicator_csv", args=[c]),
            reverse("portal_indicator_xlsx", args=[c]),
        ]
    return urls


def fetch_all(client) -> dict[str, str]:
    """Every portal address's text; each must answer 200."""
    pages = {}
    for url in portal_urls():
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = as_text(response)
    return pages


# --- a real SMTP server ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """aiosmtpd handler: keeps every message the server accepts."""

    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[EmailMessage]:
        return [
            email.message_from_bytes(e.original_content or e.content, policy=default_policy)
            for e in self.envelopes
        ]

    def to(self, address: str) -> list[EmailMessage]:
        return [
            m for e, m in zip(self.envelopes, self.messages, strict=True) if address in e.rcpt_tos
        ]


def use_smtp(settings, port: int) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5


# --- the browser (playwright) ---------------------------------------------------------------

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
SERIOUS = {"serious", "critical"}


def open_session(browser, live_server, viewport: str, username: str | None):
    """A new browser context at `viewport`, on the page a sign-in lands on, signed in as
    `username` (on the login page when None). The session is opened as Django's force_login
    opens it and handed to the browser as its cookie: the login form itself is tried in
    tests/browser/test_home_browser.py and the login page's axe test."""
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="es-PE")
    if username:
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
        )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(
        live_server.url
        + (resolve_url(settings.LOGIN_REDIRECT_URL) if username else "/accounts/login/")
    )
    return context, page


def click_and_load(page, locator) -> None:
    """Click what leaves the page (a link, a form's button) and wait for the next page's load
    event: no fixed wait for the network to fall silent (that added half a second a click)."""
    with page.expect_navigation(wait_until="load"):
        locator.click()


def settle(page) -> None:
    """Wait until every plotly figure of the page is drawn: axe must see the charts. The pages
    fetch nothing after their load event (no request leaves for another host, and the charts
    are drawn from the page's own JSON), so "load" is enough: "networkidle" added half a
    second of silence to every page."""
    page.wait_for_load_state("load", timeout=45_000)  # slow CI machines
    page.wait_for_function(
        "Array.from(document.querySelectorAll('div[data-figure]'))"
        ".every(n => n.getAttribute('data-drawn') === 'true')"
    )


def serious_violations(page, name: str) -> list[str]:
    """axe-core's serious and critical violations of the page, one line each."""
    from axe_playwright_python.sync_playwright import Axe  # playwright: only browser tests

    results = Axe().run(page)
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] not in SERIOUS:
            continue
        targets = "; ".join(", ".join(map(str, node["target"])) for node in violation["nodes"][:5])
        more = len(violation["nodes"]) - 5
        found.append(
            f"{name} ({page.url}): {violation['id']} [{violation['impact']}] "
            f"{violation['help']}: {targets}" + (f" (y {more} más)" if more > 0 else "")
        )
    return found


def phone_problems(page, name: str, *, menu: bool = True) -> list[str]:
    """At 390 px: the menu is folded behind its button and opens on a click; nothing makes the
    document wider than the screen."""
    found = []
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > 390 + 1:
        wide = page.evaluate(
            """() => Array.from(document.querySelectorAll('main *, header *'))
                .filter(e => e.getBoundingClientRect().right > 391)
                .filter(e => !e.closest('.table-scroll, .table-wrap'))
                .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                    + (e.className && typeof e.className === 'string'
                       ? '.' + e.className.split(' ').join('.') : ''))"""
        )
        found.append(f"{name}: el documento mide {width} px de ancho (más anchos: {wide})")
    if not menu:
        return found
    button = page.get_by_role("button", name="Menú")
    nav = page.locator("nav[aria-label='Navegación principal']")
    if not button.is_visible():
        return [*found, f"{name}: no se ve el botón «Menú»"]
    if nav.is_visible() or button.get_attribute("aria-expanded") != "false":
        found.append(f"{name}: el menú está abierto antes de pulsar «Menú»")
    button.click()
    if not nav.is_visible() or button.get_attribute("aria-expanded") != "true":
        found.append(f"{name}: «Menú» no abre la navegación")
    button.click()
    if nav.is_visible():
        found.append(f"{name}: «Menú» no vuelve a cerrar la navegación")
    return found


def page_problems(page, viewport: str, name: str) -> list[str]:
    """Once the page is drawn: axe's serious and critical violations, and at phone width
    what makes the document wider than the screen or breaks the menu."""
    settle(page)
    problems = serious_violations(page, name)
    if viewport == "phone":
        problems += phone_problems(page, name)
    return problems


def pesem_plan() -> Plan:
    """The PESEM 2015-2021 (PESEM-RREE), as loaded for every test."""
    return Plan.objects.get(code="PESEM-RREE")


def example_pei() -> Plan:
    """A made-up PEI of a made-up entity of the sector (EJEMPLO: not real data, never loaded
    by default), semestral, 2015-2027, with no element yet."""
    pesem = Plan.objects.get(code="PESEM-RREE")
    entity = Entity.objects.create(
        code="EJEMPLO", name="Entidad de ejemplo", kind="pliego", sector=pesem.entity
    )
    return Plan.objects.create(
        code="PEI-EJEMPLO",
        plan_type="PEI",
        entity=entity,
        frequency="semestral",
        name="PEI de ejemplo 2015-2027",
        short_name="PEI de ejemplo",
        sector=pesem.sector,
        start_year=2015,
        end_year=2027,
        vision="",
        desired_scenario="",
    )


def example_pei_workbook() -> Workbook:
    """A made-up PEI as the planning office would fill the plan workbook (PEI-EJEMPLO of the
    made-up entity EJEMPLO: not real data, never loaded by default): semestral, 2024-2027,
    articulated to the PESEM 2015-2021 (OE1..OE4, actions 1.1..4.6), with three units (one an
    «OPP» as the ministry's), two objectives, three actions, an objective's indicator and an
    action's, their targets, and links objective to objective and action to action."""
    book = Workbook()
    sheets = {
        "Plan": [
            ["campo", "valor"],
            ["tipo", "PEI"],
            ["codigo", "PEI-EJEMPLO"],
            ["nombre", "Plan Estratégico Institucional de ejemplo 2024-2027"],
            ["entidad_codigo", "EJEMPLO"],
            ["entidad_nombre", "Entidad de ejemplo"],
            ["horizonte_inicio", 2024],
            ["horizonte_fin", 2027],
            ["version", "nuevo"],
            ["resolucion_tipo", "Resolución de Dirección Ejecutiva"],
            ["resolucion_numero", "012-2024-EJEMPLO/DE"],
            ["resolucion_fecha", "2024-01-15"],
            ["plan_superior", "PESEM-RREE"],
            ["periodicidad", "semestral"],
        ],
        "Unidades": [
            ["codigo", "nombre"],
            ["OPP", "Oficina de Planeamiento y Presupuesto"],
            ["DOC", "Dirección de Operaciones y Capacitación"],
            ["DGC", "Dirección de Gestión de la Cooperación"],
        ],
        "Objetivos": [
            ["codigo", "nombre"],
            ["OEI.01", "Mejorar la gestión de la cooperación técnica internacional"],
            ["OEI.02", "Modernizar la gestión institucional"],
        ],
        "Acciones": [
            ["codigo", "objetivo", "nombre", "responsables"],
            ["AEI.01.01", "OEI.01", "Programa de cooperación oportuno", "DGC, DOC"],
            ["AEI.01.02", "OEI.01", "Registro de ONGD en línea", "DOC"],
            ["AEI.02.01", "OEI.02", "Procesos simplificados", "OPP"],
        ],
        "Indicadores": [
            workbook.SHEETS["indicadores"][1],
            [
                "IND.OEI.01",
                "OEI.01",
                "Monto de cooperación canalizada",
                "millones de soles",
                "ascendente",
                "suma",
                "Suma de montos",
                "Registro",
                "DGC",
                2023,
                "1,250.5",
                1,
            ],
            [
                "IND.AEI.01.02",
                "AEI.01.02",
                "Porcentaje de ONGD registradas en línea",
                "porcentaje",
                "ascendente",
                "ultimo",
                "",
                "",
                "DOC",
                None,
                None,
                0,
            ],
        ],
        "Metas": [
            ["indicador", "periodo", "valor"],
            ["IND.OEI.01", 2024, "1,300"],
            ["IND.OEI.01", 2027, 1500],
            ["IND.AEI.01.02", "2025", "60"],
        ],
        "Articulación": [
            ["elemento", "elemento_superior"],
            ["OEI.01", "OE4"],
            ["OEI.02", "OE4"],
            ["AEI.01.01", "4.1"],
        ],
    }
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    return book


def load_example_pei() -> Plan:
    """The made-up PEI (example_pei_workbook) loaded as the command loads it, with a validated
    2024 value of 1,320 for IND.OEI.01 (target 1,300) and its statuses stored."""
    out = io.BytesIO()
    example_pei_workbook().save(out)
    loading = workbook.check_book(workbook.read_book(out.getvalue()), filename="pei.xlsx")
    assert loading.new_plan is not None, [str(p) for p in loading.problems]
    plan = workbook.create_plan(loading)
    indicator = plan.indicators.get(code="IND.OEI.01")
    IndicatorValue.objects.create(
        indicator=indicator, year=2024, value=D("1320"), state="validated"
    )
    return plan


def plan_extension_workbook(**changes) -> bytes:
    """The plan as it stands (pesem.planio.workbook), made an ampliación to 2024 by its
    resolution with one new target (OE3.1 2023: 1,234.5); `changes` replace Plan fields."""
    book = load_workbook(io.BytesIO(workbook.plan_workbook(Plan.objects.get(code="PESEM-RREE"))))
    fields = {
        "version": "ampliado",
        "horizonte_fin": 2024,
        "resolucion_tipo": "Resolución Ministerial",
        "resolucion_numero": "0456-2022-RE",
        "resolucion_fecha": "2022-06-01",
        **changes,
    }
    for row in book["Plan"].iter_rows(min_row=2):
        if row[0].value in fields:
            row[1].value = fields[row[0].value]
    book["Metas"].append(["OE3.1", 2023, "1,234.5", None])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def problems_report(problems: list[str]) -> str:
    return f"{len(problems)} problema(s):\n" + "\n".join(problems)


def grid_data(response, typed=None, submit=False):
    """What the browser sends back: every input as the page shows it, then what was typed
    ({"OE3.1": {"numerator": "450"}})."""
    data = {}
    for row in response.context["rows"]:
        form = row.form
        if form is None:
            continue
        for name in form.fields:
            if name == "evidence_file":
                continue
            value = form[name].value()
            data[form.add_prefix(name)] = "" if value is None else value
        for name, value in (typed or {}).get(row.entry.code, {}).items():
            data[form.add_prefix(name)] = value
    data["submit" if submit else "save"] = ""
    return data


def ok(response, status: int = 200):
    """The response, once its status is the one expected: a page test always checks the
    status before it reads the content (a 403 or 404 page has content too)."""
    assert response.status_code == status, (
        f"{response.status_code} en vez de {status}: {response.get('Location', '')}"
    )
    return response


def built(client, path, data=None, *, status: int = 200):
    """A GET the view answers itself, never a kept copy: for tests that read the view's
    context (a kept copy has none). Its status is checked."""
    cache.clear()
    return ok(client.get(path, data), status)
