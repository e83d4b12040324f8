"""The report's data: one year with a validated value, a draft and a validated action report."""

from decimal import Decimal as D

import pytest

from indicators import services
from objectives.models import Directorate, StrategicAction
from tests.factories import save_value, submit


@pytest.fixture
def year_2016(registrar_dpe, registrar_dgc, validator):
    """OE2.1 2016 validated with its narrative (1.55 against 1.59: 97.48 %, green); OE3.1
    2016 a draft with a narrative that must not be published; action 2.1 reported by DPE and
    validated."""
    value = save_value(
        registrar_dpe,
        "OE2.1",
        2016,
        numerator=93,
        denominator=60,
        analysis="ANALISIS-VALIDADO-OE21",
        measures="MEDIDAS-VALIDADAS-OE21",
    )
    value = submit(registrar_dpe, value)
    services.do_validate(user=validator, item=value, expected_version=value.version)
    save_value(
        registrar_dgc,
        "OE3.1",
        2016,
        numerator=450,
        denominator=2_850_000,
        analysis="ANALISIS-BORRADOR-OE31",
        measures="MEDIDAS-BORRADOR-OE31",
    )
    report = services.report_save(
        user=registrar_dpe,
        action=StrategicAction.objects.get(code="2.1"),
        directorate=Directorate.objects.get(code="DPE"),
        year=2016,
        execution="in_progress",
        percent=D(60),
        description="FERIAS-VALIDADAS",
    )
    report = submit(registrar_dpe, report)
    services.do_validate(user=validator, item=report, expected_version=report.version)
