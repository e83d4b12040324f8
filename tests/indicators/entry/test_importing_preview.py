"""The import's preview judges every row as the entry grid does: numbers in Peruvian format with
the indicator's precision, the year's target, achievement and light, the grid's warnings, and a
justification for a value sent with warnings. It also tells the importer they will be the
values' author (four eyes)."""

import io
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators import entry_rows, services
from indicators.models import Indicator, IndicatorValue
from tests.factories import ok

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

HEADER = "indicador,año,numerador,denominador,valor,nota\n"
JUSTIFIED_HEADER = "indicador,año,numerador,denominador,valor,nota,justificación\n"
# NAC.3's 2016 target is 938,178 (Anexo 6): 3,200,000 is 341.1 % of it.
FAR = "NAC.3,2016,,,3200000,\n"


def upload(client, text: str, status="draft"):
    file = SimpleUploadedFile("valores.csv", text.encode())
    return client.post(reverse("import_upload"), {"file": file, "status": status})


def preview_row(html: str, code: str, year: int) -> str:
    rows = html.split('<tr class="change-')[1:]
    return next(r.split("</tr>")[0] for r in rows if f'<th scope="row">{code} · {year}<br>' in r)


def grid_warnings(code: str, year: int, value: D) -> list[str]:
    """What the entry grid warns for this value (indicators.entry_rows)."""
    indicator = Indicator.objects.get(code=code)
    return entry_rows.entry_row(indicator=indicator, year=year).warnings_for(value)


def stored(code: str, year: int = 2016) -> IndicatorValue:
    return IndicatorValue.objects.get(indicator__code=code, year=year)


def test_preview_shows_numbers_in_peruvian_format_with_target_achievement_and_light(
    client, registrar_dgc
):
    client.force_login(registrar_dgc)
    page = upload(client, HEADER + "OE3.1,2016,450,2850000,,\nNAC.3,2016,,,900000,\n")
    assert page.status_code == 200
    html = page.content.decode()
    ratio = preview_row(html, "OE3.1", 2016)
    # 450 / 2,850,000 x 10,000 = 1.578947...: two decimals, as the document writes OE3.1.
    assert "450 / 2,850,000" in ratio and "<strong>1.58</strong>" in ratio
    assert '<td class="target">1.54 <small class="muted">(meta publicada)</small>' in ratio
    assert "102.5 %" in ratio and "light-green" in ratio and "Sin advertencias" in ratio
    count = preview_row(html, "NAC.3", 2016)
    assert "<strong>900,000</strong>" in count and '<td class="target">938,178' in count
    assert "95.9 %" in count and "light-green" in count
    preview = html.split('id="preview"')[1]
    for raw in ("2850000", "1.578947", "900000", "938178"):
        assert raw not in preview


def test_preview_shows_the_current_value_with_the_indicators_precision(client, registrar_dgc):
    client.force_login(registrar_dgc)
    upload(client, HEADER + "OE3.1,2016,450,2850000,,\n")
    ok(client.post(reverse("import_confirm")), 302)
    html = upload(client, HEADER + "OE3.1,2016,460,2850000,,\n").content.decode()
    row = preview_row(html, "OE3.1", 2016)
    assert '<td class="current">1.58</td>' in row and "<strong>1.61</strong>" in row
    assert "1.578947" not in row


def test_preview_gives_the_grids_warnings_for_a_value_far_from_target(client, registrar_dgc):
    client.force_login(registrar_dgc)
    html = upload(client, HEADER + FAR).content.decode()
    row = preview_row(html, "NAC.3", 2016)
    expected = grid_warnings("NAC.3", 2016, D(3_200_000))
    assert expected == ["El cumplimiento sería 341.1 % de la meta del año (938,178): más del 200 %"]
    assert f"<li>{expected[0]}</li>" in row and "data-warned" in row
    assert "<strong>3,200,000</strong>" in row and "341.1 %" in row
    assert "1 fila con advertencias." in html
    # A draft may be kept without a justification, as in the grid; the preview says so.
    assert "Sin justificación: deberá justificarlo antes de enviarlo a validación." in row


def test_preview_gives_the_grids_jump_warning(client, registrar_dgc):
    client.force_login(registrar_dgc)
    # OE3.1: 1.62 validated for 2014; 45,000 / 2,850,000 x 10,000 = 157.89.
    html = upload(client, HEADER + "OE3.1,2016,45000,2850000,,\n").content.decode()
    row = preview_row(html, "OE3.1", 2016)
    expected = grid_warnings("OE3.1", 2016, D("157.894737"))
    assert any("veces el de 2014 (1.62)" in w for w in expected)
    for warning in expected:
        assert f"<li>{warning}</li>" in row


def test_sending_a_value_with_warnings_needs_a_justification_in_the_file(client, registrar_dgc):
    client.force_login(registrar_dgc)
    before = list(IndicatorValue.objects.values_list("pk", "version"))
    html = upload(client, HEADER + "OE3.1,2016,450,2850000,,\n" + FAR, "submitted")
    html = html.content.decode()
    assert "El archivo tiene 1 fila con errores: no se importará nada" in html
    assert (
        "Fila 3: NAC.3 2016 tiene advertencias (El cumplimiento sería 341.1 % de la meta del año "
        "(938,178): más del 200 %): escriba una justificación en la columna «justificación» "
        "para enviarlo, o impórtelo como borrador." in html
    )
    assert "Confirmar importación" not in html
    ok(client.post(reverse("import_confirm")), 302)
    assert list(IndicatorValue.objects.values_list("pk", "version")) == before


def test_a_justified_value_with_warnings_is_sent_with_its_justification(client, registrar_dgc):
    client.force_login(registrar_dgc)
    text = JUSTIFIED_HEADER + "NAC.3,2016,,,3200000,,Incluye la recaudación atrasada de 2015\n"
    html = upload(client, text, "submitted").content.decode()
    row = preview_row(html, "NAC.3", 2016)
    assert "Justificación:</strong> <span" in row and "recaudación atrasada" in row
    ok(client.post(reverse("import_confirm")), 302)
    value = stored("NAC.3")
    assert value.state == "submitted" and value.submitted_by == registrar_dgc
    assert value.justification == "Incluye la recaudación atrasada de 2015"
    assert value.warnings == grid_warnings("NAC.3", 2016, D(3_200_000))


def test_a_draft_imported_with_warnings_keeps_them_so_sending_it_asks_for_a_justification(
    client, registrar_dgc
):
    client.force_login(registrar_dgc)
    upload(client, HEADER + FAR)
    ok(client.post(reverse("import_confirm")), 302)
    draft = stored("NAC.3")
    assert draft.state == "draft" and draft.warnings == grid_warnings("NAC.3", 2016, D(3_200_000))
    with pytest.raises(ValidationError) as refused:
        services.do_submit(user=registrar_dgc, item=draft, expected_version=draft.version)
    assert services.WARNINGS_NEED_JUSTIFICATION in refused.value.messages
    assert stored("NAC.3").state == "draft"


def test_the_command_also_needs_a_justification_to_send(tmp_path, registrar_dgc):
    path = tmp_path / "valores.csv"
    path.write_text(HEADER + FAR, encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="no se importó nada"):
        call_command(
            "import_values", str(path), "--status", "submitted", "--user", "reg.dgc", stderr=err
        )
    assert "Fila 2: NAC.3 2016 tiene advertencias" in err.getvalue()
    assert not IndicatorValue.objects.filter(indicator__code="NAC.3", year=2016).exists()


# --- four eyes ----------------------------------------------------------------------------


def test_planning_office_is_warned_before_confirming_that_it_cannot_validate(
    client, validator, registrar_dgc
):
    client.force_login(validator)
    html = upload(client, HEADER + "OE3.1,2016,450,2850000,,\nOE2.1,2016,95,60,,\n", "submitted")
    html = html.content.decode()
    notice = (
        "Usted figurará como autor de estas 2 filas: no podrá validarlas; otra persona de la "
        "oficina de planeamiento deberá validarlas."
    )
    assert notice in html
    assert html.index(notice) < html.index("Confirmar importación")
    ok(client.post(reverse("import_confirm")), 302)
    # The warning holds: the importer is refused as validator of what they imported.
    value = stored("OE3.1")
    with pytest.raises((ValidationError, PermissionDenied)):
        services.do_validate(user=validator, item=value, expected_version=value.version)
    assert stored("OE3.1").state == "submitted"


def test_registrar_is_told_the_planning_office_will_validate_their_rows(client, registrar_dgc):
    client.force_login(registrar_dgc)
    html = upload(client, HEADER + "OE3.1,2016,450,2850000,,\n").content.decode()
    assert (
        "Usted figurará como autor de esta fila: la oficina de planeamiento deberá validarla."
        in html
    )
    assert "no podrá validarla" not in html


def test_preview_queries_do_not_grow_with_the_rows(client, registrar_dgc):
    client.force_login(registrar_dgc)
    upload(client, HEADER + "OE3.1,2016,450,2850000,,\n")  # warms the session
    few = HEADER + "OE3.1,2016,450,2850000,,\n"
    many = HEADER + "".join(f"OE3.1,{y},450,2850000,,\n" for y in range(2016, 2022))
    many += "NAC.3,2016,,,900000,\nNAC.3,2017,,,900000,\n"
    with CaptureQueriesContext(connection) as one:
        assert upload(client, few).status_code == 200
    with CaptureQueriesContext(connection) as eight:
        assert "Vista previa: 8 filas" in upload(client, many).content.decode()
    assert len(eight) == len(one)
