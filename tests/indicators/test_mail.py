"""E-mail through the outbox and a real SMTP server (aiosmtpd on 127.0.0.1): who is told what
about returns, validations and submissions, reminders before and after the due date, retries
when the server is down, and the reporting calendar that sets the due dates."""

from __future__ import annotations

import email
import io
import json
import logging
import os
import socket
import subprocess
import sys
from datetime import date
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from indicators import deadlines, reminders, services
from indicators.importing import apply_import, plan_import, read_rows
from indicators.models import ActionReport, OutboundMail, ReportingDeadline
from objectives.models import Directorate, StrategicAction
from pesem.logging import JsonFormatter
from tests.conftest import enter_value, make_staff

pytestmark = pytest.mark.django_db

SITE = "https://pesem.example.gob.pe"
ROOT = Path(__file__).resolve().parents[2]


# --- a real SMTP server --------------------------------------------------------------------


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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def use_smtp(settings, port: int) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5


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
    return message.get_body(preferencelist=("plain",)).get_content()


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
    ("OE3.1", 2016): (450, 2_850_000),  # 1.578947
    ("OE3.1", 2017): (460, 2_875_000),  # 1.6
    ("V1.2", 2016): (9, 10),
    ("V1.2", 2017): (23, 25),
}


def value(registrar, code="OE3.1", year=2016, *, submit=True):
    numerator, denominator = PARTS[code, year]
    return enter_value(registrar, code, year, numerator, denominator, submit=submit)


def test_a_return_mails_the_submitter_once_with_the_reason_and_a_link(smtp, reg, val):
    item = value(reg)
    services.do_return(
        user=val, item=item, reason="Falta la fuente del numerador", expected_version=item.version
    )
    assert "Enviados: 2, pendientes: 0" in send_outbox()  # the return and the validator's digest

    mails = smtp.to(reg.email)
    assert len(mails) == 1
    mail = mails[0]
    assert mail["Subject"] == "Su valor de OE3.1 2016 fue devuelto: Falta la fuente del numerador"
    assert mail["From"] == "PESEM <pesem@example.gob.pe>"
    assert "Motivo: Falta la fuente del numerador" in body(mail)
    assert f"{SITE}/indicadores/OE3.1/?anio=2016" in body(mail)
    assert "Hola, reg.dgc:" in body(mail)
    # Sent once: the next run finds nothing to send.
    assert "Enviados: 0, pendientes: 0" in send_outbox()
    assert len(smtp.to(reg.email)) == 1


def test_validation_mails_the_submitter_and_nobody_is_told_of_their_own_act(smtp, reg, val):
    item = value(reg)
    services.do_validate(user=val, item=item, expected_version=item.version)
    send_outbox()

    (mail,) = smtp.to(reg.email)
    assert mail["Subject"] == "Su valor de OE3.1 2016 fue validado"
    assert "validó su valor de OE3.1 2016 (valor 1.58)" in body(mail)
    assert f"{SITE}/indicadores/OE3.1/?anio=2016" in body(mail)
    # The validator gets only the digest of the submission, not a mail about validating.
    assert [m["Subject"] for m in smtp.to(val.email)] == ["PESEM: 1 registro enviado a validación"]


def test_three_submissions_make_one_digest_per_validator_listing_all(smtp, reg, val, val2):
    value(reg)
    value(reg, "V1.2", 2016)
    value(reg, "OE3.1", 2017)
    assert OutboundMail.objects.filter(kind="submitted", sent_at=None).count() == 2
    assert "Enviados: 2, pendientes: 0" in send_outbox()

    for validator in (val, val2):
        (mail,) = smtp.to(validator.email)
        assert mail["Subject"] == "PESEM: 3 registros enviados a validación"
        text = body(mail)
        assert "- Valor de OE3.1 2016 (DGC): valor 1.58, enviado por reg.dgc" in text
        assert "- Valor de V1.2 2016 (DGC)" in text
        assert "- Valor de OE3.1 2017 (DGC): valor 1.60, enviado por reg.dgc" in text
        assert f"{SITE}/validacion/" in text
        assert text.index("OE3.1 2016") < text.index("V1.2 2016") < text.index("OE3.1 2017")
    assert smtp.to(reg.email) == []  # the submitter is not told of their own submission

    # After the digest went out, the next submission starts a new one.
    value(reg, "V1.2", 2017)
    digest = OutboundMail.objects.get(kind="submitted", sent_at=None, recipient=val)
    assert digest.subject == "PESEM: 1 registro enviado a validación"
    assert "V1.2 2017" in digest.body and "OE3.1 2016" not in digest.body


def test_an_import_that_submits_queues_one_digest(smtp, reg, val):
    rows = read_rows(
        b"indicator,year,numerator,denominator,value,note\n"
        b"OE3.1,2016,450,2850000,,\nV1.2,2016,9,10,,\nOE3.1,2017,460,2875000,,\n",
        "valores.csv",
    )
    apply_import(plan_import(rows, user=reg), user=reg, status="submitted")
    (digest,) = OutboundMail.objects.filter(kind="submitted", recipient=val)
    assert digest.subject == "PESEM: 3 registros enviados a validación"


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
    assert mail["Subject"] == "Su reporte de la AE 3.1 2016 (DGC) fue devuelto: Adjunte el acta"
    assert "(en ejecución, 40 %)" in body(mail)
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


# --- reminders -----------------------------------------------------------------------------


def remind(today: str) -> str:
    out = io.StringIO()
    call_command("send_reminders", "--today", today, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_reminder_before_the_due_date_says_how_many_days_are_left(smtp, reg, val):
    value(reg, submit=False)  # a draft: entered, not submitted
    output = remind("2017-03-20")
    assert "Recordatorios nuevos: 1" in output and "Enviados: 1, pendientes: 0" in output

    (mail,) = smtp.to(reg.email)
    assert mail["Subject"].startswith("Recordatorio PESEM: pendientes de DGC")
    text = body(mail)
    assert "Año 2016: vence el 31/03/2017, faltan 11 días" in text
    assert "- Indicadores en borrador, sin enviar a validación: OE3.1" in text
    assert "- Indicadores sin valor registrado: NAC.3, V1.2" in text
    assert "- Acciones estratégicas sin reporte: 3.1, 3.2, 3.3, 3.4" in text
    assert f"{SITE}/pendientes/?anio=2016" in text
    assert "Año 2017" not in text  # due on 31/03/2018, not yet within 15 days
    assert smtp.to(val.email) == []  # validators owe nothing


def test_reminder_after_the_due_date_says_how_late_and_lists_returned_items(smtp, reg, val):
    item = value(reg)
    services.do_return(user=val, item=item, reason="Revise", expected_version=item.version)
    send_outbox()
    remind("2017-04-03")

    reminder = next(m for m in smtp.to(reg.email) if m["Subject"].startswith("Recordatorio"))
    text = body(reminder)
    assert "Año 2016: vencido hace 3 días (venció el 31/03/2017)" in text
    assert "- Indicadores devueltos por la oficina de planeamiento: OE3.1" in text


def test_reminders_follow_the_calendar_and_skip_who_owes_nothing(smtp, reg, val):
    ReportingDeadline.objects.create(year=2016, due_date=date(2017, 6, 30))
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


@pytest.mark.parametrize("bad", ["31/03/2017", "2017-02-30", "20170331", "mañana", ""])
def test_a_bad_today_is_a_spanish_command_error(bad):
    with pytest.raises(CommandError, match="no es válida: use el formato AAAA-MM-DD"):
        call_command("send_reminders", "--today", bad)


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


# --- delivery: retries, never twice --------------------------------------------------------


def test_a_server_that_refuses_connections_leaves_mails_queued_then_each_goes_once(
    settings, reg, val
):
    use_smtp(settings, free_port())  # nothing listens there
    settings.PESEM_SITE_URL = SITE
    item = value(reg)
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
    client.post(reverse("calendar"), {"year": "2016", "due_date": "2017-04-30", "reason": " "})
    client.post(reverse("calendar"), {"year": "2016", "due_date": "2015-12-31", "reason": "x"})
    client.post(reverse("calendar"), {"year": "2030", "due_date": "2031-03-31", "reason": "x"})
    assert not ReportingDeadline.objects.exists()
    page = client.get(reverse("calendar")).content.decode()
    assert "no puede ser anterior al inicio de ese año" in page


def test_a_registrar_may_not_see_or_change_the_calendar(client, reg):
    client.force_login(reg)
    assert client.get(reverse("calendar")).status_code == 403
    response = client.post(
        reverse("calendar"), {"year": "2016", "due_date": "2017-12-31", "reason": "más tiempo"}
    )
    assert response.status_code == 403
    assert not ReportingDeadline.objects.exists()
