"""Fixtures of the public portal tests: the portal switched on, a generous rate limit (the
rate-limit test lowers it), validated data with narrative, and every kind of data that must
never be published."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal as D

import pytest
from django.urls import reverse

from indicators import services
from indicators.models import Indicator
from objectives.models import Directorate, StrategicAction
from pesem.portal import datapackage as opendata


@pytest.fixture(autouse=True)
def portal_on(settings):
    settings.PESEM_PUBLIC_PORTAL = True
    settings.PESEM_PORTAL_RATE_LIMIT = 100_000


def save_value(user, code, year, *, numerator=None, denominator=None, value=None, **texts):
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
    return services.do_submit(user=user, item=item, expected_version=item.version)


def validate(user, item):
    return services.do_validate(user=user, item=item, expected_version=item.version)


@pytest.fixture
def validated(registrar_dgc, registrar_dpe, validator):
    """Validated values with narrative, and a validated action report with its description:
    public, the narrative only when PortalSettings says so."""
    v2016 = save_value(
        registrar_dgc,
        "OE3.1",
        2016,
        numerator=450,
        denominator=2_850_000,
        note="NOTA-VALIDADA",
        analysis="ANALISIS-VALIDADO",
        measures="MEDIDAS-VALIDADAS",
        justification="JUSTIFICACION-VALIDADA-1",
        evidence_url="https://evidencia.example/validada",
    )
    validate(validator, submit(registrar_dgc, v2016))
    # 20 per 10,000 against a target of about 1.56: warnings (achievement over 200 %, jump),
    # kept with a justification. The value is public; warnings and justification are not.
    v2018 = save_value(
        registrar_dgc,
        "OE3.1",
        2018,
        numerator=2000,
        denominator=1_000_000,
        justification="JUSTIFICACION-VALIDADA-2",
    )
    assert v2018.warnings
    validate(validator, submit(registrar_dgc, v2018))
    v2016b = save_value(registrar_dpe, "OE2.1", 2016, numerator=93, denominator=60)  # green
    validate(validator, submit(registrar_dpe, v2016b))
    report = services.report_save(
        user=registrar_dpe,
        action=StrategicAction.objects.get(code="2.1"),
        directorate=Directorate.objects.get(code="DPE"),
        year=2016,
        execution="in_progress",
        percent=D(60),
        description="QUE-SE-HIZO-VALIDADO",
        evidence_url="https://evidencia.example/reporte-validado",
    )
    validate(validator, submit(registrar_dpe, report))


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


@pytest.fixture
def unpublished(registrar_dgc, registrar_dpe, validator):
    """A draft, a submitted and a returned value with distinctive numbers and texts; draft
    and submitted action reports; a target set with an internal reason."""
    save_value(
        registrar_dgc,
        "NAC.3",
        2017,
        value=DRAFT_VALUE,
        note="NOTA-BORRADOR",
        analysis="ANALISIS-BORRADOR",
        measures="MEDIDAS-BORRADOR",
        justification="JUSTIFICACION-BORRADOR",
        evidence_url="https://evidencia.example/borrador",
    )
    sent = save_value(
        registrar_dpe,
        "OE2.1",
        2018,
        numerator=SUBMITTED_NUMERATOR,
        denominator=3,
        note="NOTA-ENVIADA",
        analysis="ANALISIS-ENVIADO",
        justification="JUSTIFICACION-ENVIADA",
        evidence_url="https://evidencia.example/enviado",
    )
    assert sent.value == SUBMITTED_VALUE
    submit(registrar_dpe, sent)
    back = save_value(
        registrar_dgc,
        "NAC.3",
        2019,
        value=RETURNED_VALUE,
        note="NOTA-DEVUELTA",
        justification="JUSTIFICACION-DEVUELTA",
    )
    back = submit(registrar_dgc, back)
    services.do_return(
        user=validator, item=back, reason="MOTIVO-DEVOLUCION", expected_version=back.version
    )
    services.report_save(
        user=registrar_dgc,
        action=StrategicAction.objects.get(code="3.1"),
        directorate=Directorate.objects.get(code="DGC"),
        year=2017,
        execution="in_progress",
        percent=D(10),
        description="REPORTE-BORRADOR",
        evidence_url="https://evidencia.example/reporte-borrador",
    )
    sent_report = services.report_save(
        user=registrar_dpe,
        action=StrategicAction.objects.get(code="2.1"),
        directorate=Directorate.objects.get(code="DPE"),
        year=2017,
        execution="in_progress",
        percent=D(20),
        description="REPORTE-ENVIADO",
    )
    submit(registrar_dpe, sent_report)
    services.target_set(
        user=validator,
        indicator=Indicator.objects.get(code="OE3.1"),
        year=2019,
        value=D("1.7"),
        reason="MOTIVO-META-INTERNO",
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
    urls += [reverse("portal_resource_csv", args=[name]) for name in opendata.TABLES]
    for c in codes:
        urls += [
            reverse("portal_indicator_csv", args=[c]),
            reverse("portal_indicator_xlsx", args=[c]),
        ]
    return urls


def as_text(response) -> str:
    """A response's text; an XLSX's every part (shared strings, sheets) unpacked."""
    content = response.content
    if content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as z:
            return "\n".join(z.read(name).decode("utf-8", "replace") for name in z.namelist())
    return content.decode("utf-8")


def fetch_all(client) -> dict[str, str]:
    pages = {}
    for url in portal_urls():
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = as_text(response)
    return pages
