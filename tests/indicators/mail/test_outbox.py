"""E-mail through the outbox and a real SMTP server (aiosmtpd on 127.0.0.1): who is told what
about returns, validations and submissions, reminders before and after the due date, retries
when the server is down, and the reporting calendar that sets the due dates."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from datetime import date, timedelta
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from indicators import deadlines, entry_rows, services
from indicators.entry import semesters
from indicators.entry.importing import apply_import, plan_import, read_rows
from indicators.mail import reminders
from indicators.models import (
    ActionReport,
    Indicator,
    IndicatorValue,
    OutboundMail,
    ReportingDeadline,
)
from objectives import plans
from objectives.models import Directorate, StrategicAction
from pesem.logging import JsonFormatter
from tests.factories import (
    ROOT,
    Inbox,
    enter_value,
    free_port,
    load_example_pei,
    make_staff,
    ok,
    pesem_plan,
    use_smtp,
)

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

SITE = "https://pesem.example.gob.pe"


# --- a real SMTP server --------------------------------------------------------------------


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    use_smtp(settings, controller.port)
    settings.PESEM_SITE_URL = SITE
    settings.DEFAULT_FROM_EMAIL = "PESEM <pesem@example.gob.pe>"
    yield inbox
    controller.stop()


def body(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def subject(message: EmailMessage) -> str:
    """The subject as a mail client shows it (Django folds long encoded headers)."""
    return " ".join(str(message["Subject"]).split())


def send_outbox() -> str:
    out = io.StringIO()
    call_command("send_mail_outbox", stdout=out, stderr=io.StringIO())
    return out.getvalue()


# --- people with addresses -----------------------------------------------------------------


def with_email(user, address: str | None = None):
    user.email = address or f"{user.username}@pesem.example"
    user.save(update_fields=["email"])
    return user


@pytest.fixture
def reg(registrar_dgc):
    return with_email(registrar_dgc)


@pytest.fixture
def val(validator):
    return with_email(validator)


@pytest.fixture
def val2(django_user_model):
    return with_email(make_staff(django_user_model, "val.dee", "validador", "DEE"))


# --- workflow mails ------------------------------------------------------------------------

# Plausible numbers (no warning to justify): consular coverage per 10,000 and a share.
PARTS = {
    ("OE3.1", 2016): (450, 2_850_000),  # 1.578947...
    ("OE3.1", 2017): (460, 2_875_000),  # 1.6
    ("V1.2", 2016): (9, 10),
    ("V1.2", 2017): (23, 25),
}


def value(registrar, code="OE3.1", year=2016, *, submit=True):
    numerator, denominator = PARTS[code, year]
    return enter_value(registrar, code, year, numerator, denominator, submit=submit)


def shown(code: str, year: int) -> str:
    """The value as the grid and the queue show it: the indicator's precision."""
    indicator = Indicator.objects.get(code=code)
    text = entry_rows.entry_row(indicator=indicator, year=year).value_text
    return f"{text} {indicator.unit}" if indicator.unit else text


def row_link(code: str, year: int, directorate: str = "DGC") -> str:
    pk = Indicator.objects.get(code=code).pk
    return f"{SITE}/direcciones/{directorate}/{year}/registro/#fila-{pk}"


def test_a_return_has_a_short_subject_and_the_reason_and_grid_row_in_the_body(smtp, reg, val):
    # 88 characters: about the longest the history's reason column (100) takes after "devuelto: ".
    reason = (
        "Falta la fuente del numerador: adjunte el oficio de cada consulado con su fecha y firma."
    )
    item = value(reg)
    services.do_return(user=val, item=item, reason=reason, expected_version=item.version)
    # The return only: the validator's digest has nothing left to show (the queue is empty).
    assert "Enviados: 1, pendientes: 0" in send_outbox()

    (mail,) = smtp.to(reg.email)
    assert subject(mail) == "PESEM: su valor de OE3.1 2016 fue devuelto"
    assert mail["From"] == "PESEM <pesem@example.gob.pe>"
    text = body(mail)
    assert text.startswith("Hola, reg.dgc:\n")
    assert f"- Devuelto: OE3.1 2016 (DGC), {item.indicator.name}" in text
    assert f"Valor: {shown('OE3.1', 2016)}" in text and "1.578947" not in text
    assert f"Motivo: {reason.strip()}" in text  # the whole reason, in the body only
    assert f"Corríjalo aquí: {row_link('OE3.1', 2016)}" in text
    assert "/indicadores/" not in text
    assert text.endswith(
        "-- \nSeguimiento del PESEM (mensaje automático, no responda a este correo)\n"
    )
    stored = OutboundMail.objects.get(recipient=reg)
    assert (stored.subject, stored.body) == (subject(mail), text)  # kept as sent
    # Sent once: the next run finds nothing to send.
    assert "Enviados: 0, pendientes: 0" in send_outbox()
    assert len(smtp.to(reg.email)) == 1


def test_three_validations_make_one_mail_to_the_submitter(smtp, reg, val):
    items = [value(reg), value(reg, "V1.2", 2016), value(reg, "OE3.1", 2017)]
    for item in items:
        services.do_validate(user=val, item=item, expected_version=item.version)
    assert OutboundMail.objects.filter(kind="validated", recipient=reg).count() == 3
    send_outbox()

    (mail,) = smtp.to(reg.email)
    assert subject(mail) == "PESEM: 3 de sus registros revisados: 3 validados"
    text = body(mail)
    assert text.count("- Validado: ") == 3
    for code, year in (("OE3.1", 2016), ("V1.2", 2016), ("OE3.1", 2017)):
        assert f"- Validado: {code} {year} (DGC)" in text
        assert f"Véalo aquí: {row_link(code, year)}" in text
    assert f"Valor: {shown('OE3.1', 2017)}" in text
    assert "Lo validado es un dato oficial" in text and "vuelve a borrador" not in text
    assert OutboundMail.objects.filter(recipient=reg, sent_at=None).count() == 0
    # The validator gets only the digest of the submissions (now empty: skipped), not a mail
    # about validating.
    assert smtp.to(val.email) == []
    assert OutboundMail.objects.get(recipient=val).skipped


def test_validations_and_a_return_of_one_run_are_one_mail_and_the_next_run_another(smtp, reg, val):
    first, second, third = value(reg), value(reg, "V1.2", 2016), value(reg, "OE3.1", 2017)
    services.do_validate(user=val, item=first, expected_version=first.version)
    services.do_validate(user=val, item=second, expected_version=second.version)
    third = services.do_return(
        user=val, item=third, reason="Revise", expected_version=third.version
    )
    send_outbox()
    (mail,) = smtp.to(reg.email)
    assert subject(mail) == "PESEM: 3 de sus registros revisados: 2 validados, 1 devuelto"
    assert "- Devuelto: OE3.1 2017" in body(mail) and "Motivo: Revise" in body(mail)

    third = services.do_submit(user=reg, item=third, expected_version=third.version)
    services.do_validate(user=val, item=third, expected_version=third.version)
    send_outbox()
    assert [subject(m) for m in smtp.to(reg.email)][1] == (
        "PESEM: su valor de OE3.1 2017 fue validado"
    )


def test_a_reopened_value_tells_its_submitter_why_with_the_grid_row(smtp, reg, val, val2):
    item = enter_value(reg, submit=True, validator=val2)
    send_outbox()  # the validation's mail
    services.do_reopen(
        user=val, item=item, reason="Cambió la fuente oficial", expected_version=item.version
    )
    send_outbox()
    mail = smtp.to(reg.email)[-1]
    assert subject(mail) == "PESEM: su valor de OE3.1 2016 fue reabierto"
    text = body(mail)
    assert "- Reabierto: OE3.1 2016 (DGC)" in text and "Motivo: Cambió la fuente oficial" in text
    assert f"Corríjalo aquí: {row_link('OE3.1', 2016)}" in text
    assert "vuelve a borrador" in text and "Lo validado es" not in text


def test_the_digest_is_the_queue_when_sent_not_the_log_of_submissions(smtp, reg, val, val2):
    kept = value(reg)
    withdrawn = value(reg, "V1.2", 2016)
    twice = value(reg, "OE3.1", 2017)
    validated_already = value(reg, "V1.2", 2017)
    # Withdrawn and not sent again; withdrawn and sent again; validated by someone else.
    services.do_withdraw(user=reg, item=withdrawn, expected_version=withdrawn.version)
    twice = services.do_withdraw(user=reg, item=twice, expected_version=twice.version)
    services.do_submit(user=reg, item=twice, expected_version=twice.version)
    services.do_validate(
        user=val2, item=validated_already, expected_version=validated_already.version
    )
    assert OutboundMail.objects.filter(kind="submitted", recipient=val).count() == 1
    send_outbox()

    (mail,) = smtp.to(val.email)
    assert subject(mail) == "PESEM: 2 registros esperan validación"
    text = body(mail)
    assert "Esto espera validación ahora (2):" in text
    assert text.count("\n- ") == 2
    assert f"- OE3.1 2016 (DGC), {kept.indicator.name}" in text
    assert f"Valor: {shown('OE3.1', 2016)}" in text and "1.578947" not in text
    assert f"- OE3.1 2017 (DGC), {twice.indicator.name}" in text
    assert f"Valor: {shown('OE3.1', 2017)}" in text
    assert "V1.2" not in text  # the withdrawn one and the validated one
    assert "Enviado por reg.dgc el " in text
    assert f"Revíselos en la cola de validación: {SITE}/validacion/" in text
    assert text.index("OE3.1 2016") < text.index("OE3.1 2017")
    # The submitter is not told of their own submission, only of the validation.
    assert [subject(m) for m in smtp.to(reg.email)] == ["PESEM: su valor de V1.2 2017 fue validado"]

    # After the digest went out, the next submission makes a new one: the queue then.
    services.do_submit(user=reg, item=withdrawn, expected_version=withdrawn.version + 1)
    send_outbox()
    latest = smtp.to(val.email)[-1]
    assert subject(latest) == "PESEM: 3 registros esperan validación"
    assert body(latest).count("\n- ") == 3 and "- V1.2 2016 (DGC)" in body(latest)


def test_two_unsent_digests_of_one_validator_go_as_one_mail(smtp, reg, val):
    value(reg)
    # Two submissions at the same moment may both have written a digest row.
    OutboundMail.objects.create(kind="submitted", recipient=val, to_email=val.email, data={"x": 1})
    assert "Enviados: 1, pendientes: 0" in send_outbox()
    (mail,) = smtp.to(val.email)
    assert subject(mail) == "PESEM: 1 registro espera validación"
    sent = OutboundMail.objects.filter(recipient=val)
    assert sent.count() == 2 and all(m.sent_at and m.subject == subject(mail) for m in sent)


def test_a_digest_whose_queue_emptied_before_sending_is_not_sent(smtp, reg, val):
    item = value(reg)
    services.do_withdraw(user=reg, item=item, expected_version=item.version)
    assert "Enviados: 0, pendientes: 0" in send_outbox()
    assert smtp.messages == []
    digest = OutboundMail.objects.get(kind="submitted")
    assert digest.skipped and digest.sent_at is not None and digest.body == ""


def test_an_import_that_submits_queues_one_digest(smtp, reg, val):
    rows = read_rows(
        b"indicator,year,numerator,denominator,value,note\n"
        b"OE3.1,2016,450,2850000,,\nV1.2,2016,9,10,,\nOE3.1,2017,460,2875000,,\n",
        "valores.csv",
    )
    apply_import(plan_import(rows, user=reg), user=reg, status="submitted")
    assert OutboundMail.objects.filter(kind="submitted", recipient=val).count() == 1
    send_outbox()
    (digest,) = smtp.to(val.email)
    assert subject(digest) == "PESEM: 3 registros esperan validación"
    assert body(digest).count("\n- ") == 3


def test_a_returned_action_report_links_to_its_entry_page(smtp, reg, val):
    action = StrategicAction.objects.get(code="3.1")
    report = services.report_save(
        user=reg,
        action=action,
        directorate=Directorate.objects.get(code="DGC"),
        year=2016,
        execution=ActionReport.Progress.IN_PROGRESS,
        percent=40,
        description="Talleres con consulados",
    )
    report = services.do_submit(user=reg, item=report, expected_version=report.version)
    services.do_return(
        user=val, item=report, reason="Adjunte el acta", expected_version=report.version
    )
    send_outbox()

    (mail,) = smtp.to(reg.email)
    assert subject(mail) == "PESEM: su reporte de la AE 3.1 2016 (DGC) fue devuelto"
    assert f"- Devuelto: AE 3.1 2016 (DGC), {action.name}" in body(mail)
    assert "Situación: en ejecución, 40 %" in body(mail)
    assert f"{SITE}/acciones/3.1/2016/reporte/" in body(mail)


def test_a_refused_transition_leaves_no_mail(reg, val):
    item = value(reg)
    OutboundMail.objects.all().delete()
    with pytest.raises(services.ConflictError):
        services.do_return(user=val, item=item, reason="x", expected_version=item.version - 1)
    assert not OutboundMail.objects.exists()


def test_users_without_an_address_get_nothing(smtp, registrar_dgc, validator):
    item = value(registrar_dgc)
    services.do_return(user=validator, item=item, reason="x", expected_version=item.version)
    assert not OutboundMail.objects.exists()


def test_a_row_written_with_its_text_before_rendering_at_sending_goes_as_it_is(smtp, reg):
    OutboundMail.objects.create(
        kind="returned", recipient=reg, to_email=reg.email, subject="Antiguo", body="Texto\n"
    )
    assert "Enviados: 1, pendientes: 0" in send_outbox()
    (mail,) = smtp.to(reg.email)
    assert (subject(mail), body(mail)) == ("Antiguo", "Texto\n")


# --- reminders -----------------------------------------------------------------------------


def remind(today: str, command: str = "send_reminders") -> str:
    out = io.StringIO()
    call_command(command, "--today", today, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_reminder_before_the_due_date_names_the_indicators_and_links_their_grid_rows(
    smtp, reg, val
):
    value(reg, submit=False)  # a draft: entered, not submitted
    output = remind("2017-03-20")
    assert "Recordatorios nuevos: 1" in output and "Enviados: 1, pendientes: 0" in output

    (mail,) = smtp.to(reg.email)
    assert subject(mail) == "Recordatorio PESEM: pendientes de DGC (2015, 2016)"
    text = body(mail)
    names = dict(Indicator.objects.values_list("code", "name"))
    assert "Año 2016: vence el 31/03/2017, faltan 11 días" in text
    section = text[text.index("Año 2016") :]
    assert (
        "Indicadores en borrador, sin enviar a validación:\n"
        f"- OE3.1 {names['OE3.1']}\n  {row_link('OE3.1', 2016)}\n"
    ) in section
    assert f"Indicadores sin valor registrado:\n- NAC.3 {names['NAC.3']}\n" in section
    assert f"- V1.2 {names['V1.2']}\n  {row_link('V1.2', 2016)}\n" in section
    action = StrategicAction.objects.get(code="3.1")
    assert f"- AE 3.1 {action.name}\n  {SITE}/acciones/3.1/2016/reporte/" in section
    assert f"Grilla de registro de DGC 2016: {SITE}/direcciones/DGC/2016/registro/" in text
    assert "/pendientes/" not in text
    assert "Año 2017" not in text  # due on 31/03/2018, not yet within 15 days
    assert smtp.to(val.email) == []  # validators owe nothing


def test_reminder_after_the_due_date_says_how_late_and_lists_returned_items(smtp, reg, val):
    item = value(reg)
    services.do_return(user=val, item=item, reason="Revise", expected_version=item.version)
    send_outbox()
    remind("2017-04-03")

    reminder = next(m for m in smtp.to(reg.email) if subject(m).startswith("Recordatorio"))
    text = body(reminder)
    assert "Año 2016: vencido hace 3 días (venció el 31/03/2017)" in text
    assert "Indicadores devueltos por la oficina de planeamiento:\n- OE3.1 " in text


def test_a_reminder_lists_what_is_owed_when_sent_not_when_queued(smtp, reg):
    assert reminders.queue_reminders(today=date(2017, 3, 20)) == 1
    value(reg)  # OE3.1 2016 submitted between the queueing and the sending
    send_outbox()
    text = body(smtp.to(reg.email)[0])
    section = text[text.index("Año 2016") :]
    assert "- OE3.1 " not in section and "- V1.2 " in section


def test_reminders_follow_the_calendar_and_skip_who_owes_nothing(smtp, reg, val):
    ReportingDeadline.objects.create(plan=pesem_plan(), year=2016, due_date=date(2017, 6, 30))
    remind("2017-03-20")  # 2016 is now due in 102 days: only the late 2015 is reminded
    (march,) = smtp.to(reg.email)
    assert "Año 2015: vencido hace 354 días" in body(march) and "Año 2016" not in body(march)
    remind("2017-06-29")
    assert "Año 2016: vence el 30/06/2017, falta 1 día" in body(smtp.to(reg.email)[-1])
    assert smtp.to(val.email) == []  # validators owe nothing


def test_send_reminders_twice_the_same_day_mails_each_person_once(smtp, reg, registrar_dpe):
    with_email(registrar_dpe)
    first = remind("2017-03-20")
    second = remind("2017-03-20")
    assert "Recordatorios nuevos: 2" in first and "Enviados: 2, pendientes: 0" in first
    assert "Recordatorios nuevos: 0" in second and "Enviados: 0, pendientes: 0" in second
    assert len(smtp.to(reg.email)) == 1 and len(smtp.to(registrar_dpe.email)) == 1
    assert OutboundMail.objects.get(recipient=reg).dedupe_key == f"reminder:{reg.pk}:2017-03-20"
    remind("2017-03-21")  # the next day, a new one
    assert len(smtp.to(reg.email)) == 2


@pytest.mark.parametrize(
    ("today", "text"),
    [
        (date(2017, 3, 1), "vence el 31/03/2017, faltan 30 días"),
        (date(2017, 3, 30), "vence el 31/03/2017, falta 1 día"),
        (date(2017, 3, 31), "vence hoy, 31/03/2017"),
        (date(2017, 4, 1), "vencido hace 1 día (venció el 31/03/2017)"),
        (date(2020, 4, 1), "vencido hace 1,097 días (venció el 31/03/2017)"),
    ],
)
def test_the_reminder_says_days_left_or_late_in_peruvian_numbers(today, text):
    assert reminders.when(deadlines.Deadline(2016, date(2017, 3, 31), False), today) == text


@pytest.mark.parametrize(
    "command", ["send_reminders", "send_validation_backlog", "send_overdue_summary"]
)
@pytest.mark.parametrize("bad", ["31/03/2017", "2017-02-30", "20170331", "mañana", ""])
def test_a_bad_today_is_a_spanish_command_error(command, bad):
    with pytest.raises(CommandError, match="no es válida: use el formato AAAA-MM-DD"):
        call_command(command, "--today", bad)


def test_a_bad_today_on_the_command_line_prints_no_traceback():
    result = subprocess.run(
        [sys.executable, "manage.py", "send_reminders", "--today", "31/03/2017"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "pesem.test_settings"},
    )
    assert result.returncode != 0
    assert "La fecha «31/03/2017» no es válida" in result.stderr
    assert "Traceback" not in result.stderr


# --- validators: the backlog ---------------------------------------------------------------


def test_validators_get_the_backlog_oldest_first_with_days_waiting(smtp, reg, val, val2):
    older, newer = value(reg), value(reg, "V1.2", 2016)
    today = timezone.localdate()
    IndicatorValue.objects.filter(pk=older.pk).update(
        submitted_at=timezone.now() - timedelta(days=12)
    )
    output = remind(today.isoformat(), "send_validation_backlog")
    assert "Avisos de pendientes de validación nuevos: 2" in output

    for validator in (val, val2):
        (mail,) = [m for m in smtp.to(validator.email) if "pendientes de" in subject(m)]
        assert subject(mail) == (
            "PESEM: pendientes de validación: 2 registros, el más antiguo espera hace 12 días"
        )
        text = body(mail)
        assert text.index("OE3.1 2016") < text.index("V1.2 2016")  # oldest first
        assert f"- OE3.1 2016 (DGC), {older.indicator.name}" in text
        assert f"Valor: {shown('OE3.1', 2016)}" in text
        assert ", espera hace 12 días" in text and ", espera hace 0 días" in text
        assert f"- V1.2 2016 (DGC), {newer.indicator.name}" in text
        assert f"{SITE}/validacion/" in text
    assert smtp.to(reg.email) == []
    # Once a day.
    assert "nuevos: 0" in remind(today.isoformat(), "send_validation_backlog")
    assert OutboundMail.objects.filter(kind="backlog").count() == 2


def test_a_validator_who_imported_a_value_is_told_someone_else_must_validate_it(smtp, val, val2):
    rows = read_rows(
        b"indicator,year,numerator,denominator,value,note\nOE3.1,2016,450,2850000,,\n",
        "valores.csv",
    )
    apply_import(plan_import(rows, user=val), user=val, status="submitted")
    remind(timezone.localdate().isoformat(), "send_validation_backlog")
    (own,) = smtp.to(val.email)  # no digest: nobody is told of their own submission
    assert "(usted participó en él: otra persona debe validarlo)" in body(own)
    (other,) = [m for m in smtp.to(val2.email) if "pendientes de" in subject(m)]
    assert "usted participó" not in body(other)


def test_the_backlog_marks_what_the_reader_shaped_even_when_a_colleague_sent_it(
    smtp, reg, val, val2
):
    """The mark follows the four-eyes rule (indicators.authorship), not the submitter: a value
    the validator imported as a draft and the registrar sent still needs another validator."""
    rows = read_rows(
        b"indicator,year,numerator,denominator,value,note\nOE3.1,2016,450,2850000,,\n",
        "valores.csv",
    )
    apply_import(plan_import(rows, user=val), user=val)
    item = IndicatorValue.objects.get(indicator__code="OE3.1", year=2016)
    item = services.do_submit(user=reg, item=item, expected_version=item.version)
    with pytest.raises(ValidationError):  # what the service enforces
        services.do_validate(user=val, item=item, expected_version=item.version)
    remind(timezone.localdate().isoformat(), "send_validation_backlog")
    (own,) = [m for m in smtp.to(val.email) if "pendientes de validación:" in subject(m)]
    text = body(own)
    assert "Enviado por" in text and "(usted participó en él: otra persona debe validarlo)" in text
    (other,) = [m for m in smtp.to(val2.email) if "pendientes de" in subject(m)]
    assert "usted participó" not in body(other)


def test_no_backlog_mail_when_nothing_waits(smtp, reg, val):
    value(reg, submit=False)
    assert "nuevos: 0" in remind("2017-03-20", "send_validation_backlog")
    assert smtp.messages == []


# --- weekly: who is late -------------------------------------------------------------------


@pytest.fixture
def directors(django_user_model, director_dpe):
    with_email(director_dpe)
    dgc = with_email(make_staff(django_user_model, "dir.dgc", "director", "DGC"))
    # A directorate with nothing to deliver is never late.
    opp = with_email(make_staff(django_user_model, "dir.opp", "director", "OPP"))
    return {"DPE": director_dpe, "DGC": dgc, "OPP": opp}


def test_the_weekly_overdue_summary_goes_to_late_directors_and_validators(
    smtp, reg, val, directors
):
    assert not reminders.owed(
        directorate_ids={Directorate.objects.get(code="OPP").pk}, years=[2015, 2016]
    )
    value(reg)  # OE3.1 2016 is delivered (submitted): not owed
    output = remind("2017-04-03", "send_overdue_summary")
    assert "Resúmenes de atrasos nuevos: 3" in output

    summaries = [
        (e, m)
        for e, m in zip(smtp.envelopes, smtp.messages, strict=True)
        if "resumen semanal de atrasos" in subject(m)
    ]
    recipients = sorted(r for e, _ in summaries for r in e.rcpt_tos)
    assert recipients == sorted([directors["DGC"].email, directors["DPE"].email, val.email])
    assert smtp.to(reg.email) == []

    (dgc,) = smtp.to(directors["DGC"].email)
    assert subject(dgc) == "PESEM: resumen semanal de atrasos de DGC"
    text = body(dgc)
    assert (
        "Su dirección (DGC) tiene información vencida para el seguimiento del PESEM al 03/04/2017:"
    ) in text
    assert "DPE" not in text
    assert "Año 2016: vencido hace 3 días (venció el 31/03/2017)" in text
    names = dict(Indicator.objects.values_list("code", "name"))
    assert f"- V1.2 {names['V1.2']}\n  {row_link('V1.2', 2016)}" in text
    section_2016 = text[text.index("Año 2016") :]
    assert "- OE3.1 " not in section_2016  # delivered
    (dpe,) = smtp.to(directors["DPE"].email)
    assert "Su dirección (DPE)" in body(dpe) and "DGC" not in body(dpe)

    # The validators: every late directorate, in short (codes), with its grid.
    (everyone,) = [m for m in smtp.to(val.email) if "resumen semanal" in subject(m)]
    text = body(everyone)
    late = reminders.owed(
        directorate_ids=set(Directorate.objects.values_list("pk", flat=True)),
        years=[2015, 2016],
    )
    count = len({directorate for directorate, _ in late})
    assert subject(everyone) == (
        f"PESEM: resumen semanal de atrasos ({count} direcciones con información vencida)"
    )
    assert (
        "Estas direcciones tienen información vencida para el seguimiento del PESEM al "
        f"03/04/2017 ({count}):" in text
    )
    assert "== DGC" in text and "== DPE" in text and "== OPP" not in text
    dgc_part = text[text.index("== DGC") :]
    dgc_2016 = dgc_part[dgc_part.index("Año 2016") : dgc_part.index("\n==")]
    assert "- Indicadores sin valor registrado (2): NAC.3, V1.2\n" in dgc_2016
    assert f"Grilla de registro de DGC 2016: {SITE}/direcciones/DGC/2016/registro/" in dgc_2016

    # Once a week: the same week writes nothing; the next one does.
    assert "nuevos: 0" in remind("2017-04-05", "send_overdue_summary")
    assert "nuevos: 3" in remind("2017-04-10", "send_overdue_summary")


def test_no_overdue_summary_before_any_due_date(smtp, val, directors):
    ReportingDeadline.objects.create(plan=pesem_plan(), year=2015, due_date=date(2016, 12, 31))
    assert "nuevos: 0" in remind("2015-06-01", "send_overdue_summary")
    assert smtp.messages == []


# --- delivery: retries, never twice --------------------------------------------------------


def test_a_server_that_refuses_connections_leaves_mails_queued_then_each_goes_once(
    settings, reg, val
):
    use_smtp(settings, free_port())  # nothing listens there
    settings.PESEM_SITE_URL = SITE
    item = value(reg)
    value(reg, "V1.2", 2016)  # still waiting: the validator's digest has something to say
    services.do_return(user=val, item=item, reason="Revise", expected_version=item.version)

    out, err = io.StringIO(), io.StringIO()
    call_command("send_mail_outbox", stdout=out, stderr=err)
    assert "Enviados: 0, pendientes: 2" in out.getvalue()
    assert "se reintentarán" in err.getvalue()
    for mail in OutboundMail.objects.all():
        assert mail.sent_at is None and mail.attempts == 1
        assert "ConnectionRefusedError" in mail.last_error

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        use_smtp(settings, controller.port)
        assert "Enviados: 2, pendientes: 0" in send_outbox()
        assert "Enviados: 0, pendientes: 0" in send_outbox()
    finally:
        controller.stop()
    assert sorted(r for e in inbox.envelopes for r in e.rcpt_tos) == [reg.email, val.email]
    assert all(m.sent_at and m.attempts == 1 for m in OutboundMail.objects.all())
    ids = [m["Message-ID"] for m in inbox.messages]
    assert len(set(ids)) == 2 and all(i.endswith("@pesem.example.gob.pe>") for i in ids)


def test_a_refused_recipient_does_not_stop_the_others(settings, reg, val):
    class Picky(Inbox):
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if address.startswith("reg.dgc"):
                return "550 no such user"
            envelope.rcpt_tos.append(address)
            return "250 OK"

    picky = Picky()
    controller = Controller(picky, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        use_smtp(settings, controller.port)
        item = value(reg)
        value(reg, "V1.2", 2016)  # still waiting: the validator's digest has something to say
        services.do_return(user=val, item=item, reason="Revise", expected_version=item.version)
        assert "Enviados: 1, pendientes: 1" in send_outbox()
    finally:
        controller.stop()
    failed = OutboundMail.objects.get(sent_at=None)
    assert failed.to_email == reg.email and "SMTPRecipientsRefused" in failed.last_error


# --- settings ------------------------------------------------------------------------------


def test_local_development_without_a_mail_server_prints_mails():
    code = (
        "from pesem import settings as s; print(s.EMAIL_BACKEND, s.EMAIL_TIMEOUT, s.PESEM_SITE_URL)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EMAIL_", "PESEM_SITE"))}
    local = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_DEBUG": "1"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert local.stdout.split() == [
        "django.core.mail.backends.console.EmailBackend",
        "10",
        "http://127.0.0.1:8000",
    ]
    production = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "x" * 50, "EMAIL_HOST": "smtp.x"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert production.stdout.split()[0] == "django.core.mail.backends.smtp.EmailBackend"


# --- the reporting calendar ----------------------------------------------------------------


def test_a_validator_changes_the_due_date_of_2016_with_history_and_audit(client, val, caplog):
    caplog.set_level(logging.INFO, logger="pesem.audit")
    assert deadlines.deadline(2016).due == date(2017, 3, 31)  # before: the default
    client.force_login(val)
    page = client.get(reverse("calendar")).content.decode()
    assert "¿Hasta cuándo se reporta cada año?" in page and "31/03/2017" in page

    response = client.post(
        reverse("calendar"),
        {"year": "2016", "due_date": "2017-04-30", "reason": "Prórroga por el feriado"},
    )
    assert response.status_code == 302

    after = deadlines.deadline(2016)
    assert (after.due, after.custom) == (date(2017, 4, 30), True)
    record = ReportingDeadline.history.get(year=2016)
    assert record.history_user == val and record.history_change_reason == "Prórroga por el feriado"
    lines = [
        json.loads(JsonFormatter().format(r)) for r in caplog.records if r.name == "pesem.audit"
    ]
    write = next(line for line in lines if line.get("what") == "reporting_deadline")
    assert (write["user"], write["year"], write["due_date"], write["before"]) == (
        "val.opp",
        2016,
        "2017-04-30",
        None,
    )
    page = client.get(reverse("calendar")).content.decode()
    assert "30/04/2017" in page and "fijada por la oficina de planeamiento" in page
    assert "Prórroga por el feriado" in page


def test_a_deadline_needs_a_reason_and_a_sensible_date(client, val):
    client.force_login(val)
    ok(
        client.post(reverse("calendar"), {"year": "2016", "due_date": "2017-04-30", "reason": " "}),
        302,
    )
    ok(
        client.post(reverse("calendar"), {"year": "2016", "due_date": "2015-12-31", "reason": "x"}),
        302,
    )
    ok(
        client.post(reverse("calendar"), {"year": "2030", "due_date": "2031-03-31", "reason": "x"}),
        302,
    )
    assert not ReportingDeadline.objects.exists()
    page = ok(client.get(reverse("calendar"))).content.decode()
    assert "no puede ser anterior al inicio de ese año" in page


def test_a_registrar_may_not_see_or_change_the_calendar(client, reg):
    client.force_login(reg)
    assert client.get(reverse("calendar")).status_code == 403
    response = client.post(
        reverse("calendar"), {"year": "2016", "due_date": "2017-12-31", "reason": "más tiempo"}
    )
    assert response.status_code == 403
    assert not ReportingDeadline.objects.exists()


def test_a_semestral_plans_registrar_is_reminded_of_the_semesters_owed(smtp, django_user_model):
    """The made-up PEI (PEI-EJEMPLO, not real data, semestral): its DGC owes IND.OEI.01 for
    2024-S1, due on 31/07/2024; the reminder names the plan, the semester and the grid of
    that semester, within the plan's addresses."""
    load_example_pei()
    reg = with_email(
        make_staff(django_user_model, "reg.ejemplo", "registrador", "DGC", entity="EJEMPLO")
    )
    remind("2024-08-05")
    (mail,) = smtp.to(reg.email)
    assert subject(mail) == "Recordatorio: pendientes de DGC (PEI-EJEMPLO)"
    text = body(mail)
    assert "seguimiento del PEI PEI-EJEMPLO" in text and "PESEM." not in text
    assert "Semestre 2024-S1: vencido hace 5 días (venció el 31/07/2024)" in text
    assert "1 indicador sin valor enviado a validación." in text
    assert f"{SITE}/planes/PEI-EJEMPLO/direcciones/DGC/2024-S1/registro/" in text
    assert "2024-S2" not in text  # due on 31/03/2025: not yet


def test_a_semesters_decision_is_mailed_with_its_period_and_grid(smtp, django_user_model):
    """The made-up PEI (PEI-EJEMPLO, not real data): the planning office returns a sent
    semester with its reason; its registrar hears of it, with the semester's grid."""
    pei = load_example_pei()
    reg = with_email(
        make_staff(django_user_model, "reg.ejemplo", "registrador", "DGC", entity="EJEMPLO")
    )
    office = with_email(make_staff(django_user_model, "val.opp", "validador", "OPP"))
    indicator = pei.indicators.get(code="IND.OEI.01")
    with plans.showing("PEI-EJEMPLO"):
        (item,) = semesters.semester_save(
            user=reg,
            plan=pei,
            directorate=indicator.responsible,
            year=2024,
            semester=1,
            rows=[semesters.SemesterInput(indicator.pk, "650.5", "", None)],
            submit=True,
        )
        semesters.semester_return(
            user=office, item=item, reason="Falta la fuente", expected_version=item.version
        )
    send_outbox()
    (mail,) = [m for m in smtp.to(reg.email) if "Falta la fuente" in body(m)]
    text = body(mail)
    assert "- Devuelto: IND.OEI.01 2024-S1 (DGC), Monto de cooperación canalizada" in text
    assert "Valor: 650.5 millones de soles" in text
    assert f"{SITE}/planes/PEI-EJEMPLO/direcciones/DGC/2024-S1/registro/" in text


def test_the_validators_backlog_covers_every_plan_and_its_semesters(smtp, django_user_model):
    """A semester sent in the made-up PEI (PEI-EJEMPLO, not real data) waits in the
    validators' daily backlog (and their digest of sent items) beside the PESEM's items."""
    pei = load_example_pei()
    reg = with_email(
        make_staff(django_user_model, "reg.ejemplo", "registrador", "DGC", entity="EJEMPLO")
    )
    office = with_email(make_staff(django_user_model, "val.opp", "validador", "OPP"))
    indicator = pei.indicators.get(code="IND.OEI.01")
    with plans.showing("PEI-EJEMPLO"):
        semesters.semester_save(
            user=reg,
            plan=pei,
            directorate=indicator.responsible,
            year=2024,
            semester=1,
            rows=[semesters.SemesterInput(indicator.pk, "650.5", "", None)],
            submit=True,
        )
    remind("2024-08-05", "send_validation_backlog")
    texts = [body(m) for m in smtp.to(office.email)]
    assert any("IND.OEI.01 2024-S1" in t for t in texts), texts
    text = next(t for t in texts if "IND.OEI.01 2024-S1" in t)
    assert "- IND.OEI.01 2024-S1 (DGC), Monto de cooperación canalizada" in text
    assert "Valor: 650.5 millones de soles" in text


def test_the_weekly_overdue_summary_covers_a_semestral_plans_late_semesters(
    smtp, django_user_model
):
    """The made-up PEI (PEI-EJEMPLO, not real data): its DGC's 2024-S1 is late on
    05/08/2024; its director reads it, and so does the planning office beside the PESEM's."""
    load_example_pei()
    director = with_email(
        make_staff(django_user_model, "dir.ejemplo", "director", "DGC", entity="EJEMPLO")
    )
    office = with_email(make_staff(django_user_model, "val.opp", "validador", "OPP"))
    remind("2024-08-05", "send_overdue_summary")
    (mail,) = smtp.to(director.email)
    assert subject(mail) == "Resumen semanal de atrasos (PEI-EJEMPLO)"
    text = body(mail)
    assert "== DGC: PEI PEI-EJEMPLO (Plan Estratégico Institucional de ejemplo 2024-2027)" in text
    assert "Semestre 2024-S1: vencido hace 5 días (venció el 31/07/2024)" in text
    assert f"{SITE}/planes/PEI-EJEMPLO/direcciones/DGC/2024-S1/registro/" in text
    (summary,) = smtp.to(office.email)
    assert subject(summary).startswith("PESEM: resumen semanal de atrasos")
    assert "Semestre 2024-S1: vencido hace 5 días" in body(summary)
