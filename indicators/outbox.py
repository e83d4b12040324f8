"""Sending the outbox (OutboundMail) through Django's mail connection (settings.EMAIL_*).

Delivery is at least once, never silently lost: each row is locked, handed to the SMTP server,
marked sent and committed, one row per transaction (send, then mark, then commit). A crash or a
lost database connection between the server's "250 OK" and the commit leaves the row unsent, so
the next run sends it again: a rare duplicate, never a lost mail. (Marking first and sending
after the commit would be at most once: the same crash would lose the mail.) The duplicate
carries the same Message-ID, which lets mail clients recognise it.

Two runners never send the same row: the row stays locked (SELECT ... FOR UPDATE SKIP LOCKED
on PostgreSQL) while it is being sent, and other runners skip it. SQLite has no row locks:
there, run one sender at a time (a systemd timer never overlaps itself; see README).

A failed row stays unsent with `attempts` + 1 and `last_error`, and is retried on the next
run. When the server cannot be reached at all, the remaining rows of the run are not tried
again one by one (each would wait for the timeout): they get the same error and wait for the
next run.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from indicators.models import OutboundMail

ERROR_MAX = 2000

# Errors about one message that leave the connection usable: a refused recipient, sender or
# content, or a message that cannot be written (bad address or header: ValueError). Anything
# else (refused connection, timeout, dropped connection) means the server cannot be reached.
MESSAGE_ERRORS = (
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPDataError,
    ValueError,
)


@dataclass(frozen=True)
class SendResult:
    sent: int
    failed: int
    pending: int  # rows still unsent after the run
    last_error: str = ""

    def summary(self) -> str:
        return f"Enviados: {self.sent}, pendientes: {self.pending}"


def _message_id(mail: OutboundMail) -> str:
    domain = urlsplit(settings.PESEM_SITE_URL).hostname or "localhost"
    return f"<pesem.outbox.{mail.pk}.{int(mail.created_at.timestamp())}@{domain}>"


def _message(mail: OutboundMail, connection: BaseEmailBackend) -> EmailMessage:
    return EmailMessage(
        subject=mail.subject,
        body=mail.body,
        to=[mail.to_email],
        connection=connection,
        headers={"Message-ID": _message_id(mail), "Auto-Submitted": "auto-generated"},
    )


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:ERROR_MAX]


def _failed(mail: OutboundMail, error: str) -> None:
    mail.attempts = F("attempts") + 1
    mail.last_error = error
    mail.save(update_fields=["attempts", "last_error"])


def send_due() -> SendResult:
    """Send every unsent row, oldest first, each in its own transaction."""
    connection = get_connection(fail_silently=False)
    sent = failed = 0
    last_pk = 0
    unreachable = ""
    try:
        while True:
            with transaction.atomic():
                mail = (
                    OutboundMail.objects.select_for_update(skip_locked=True)
                    .filter(sent_at__isnull=True, pk__gt=last_pk)
                    .order_by("pk")
                    .first()
                )
                if mail is None:
                    break
                last_pk = mail.pk
                if unreachable:
                    _failed(mail, unreachable)
                    failed += 1
                    continue
                try:
                    # Opened once, on the first row, and kept for the following ones (a
                    # no-op when already open); nothing is opened when nothing is due.
                    connection.open()
                    delivered = _message(mail, connection).send()
                except MESSAGE_ERRORS as exc:
                    _failed(mail, _describe(exc))
                    failed += 1
                    continue
                except (smtplib.SMTPException, OSError) as exc:
                    unreachable = _describe(exc)
                    _failed(mail, unreachable)
                    failed += 1
                    continue
                if not delivered:
                    _failed(mail, "El servidor de correo no aceptó el mensaje.")
                    failed += 1
                    continue
                mail.sent_at = timezone.now()
                mail.save(update_fields=["sent_at"])
                sent += 1
    finally:
        try:
            connection.close()
        except (smtplib.SMTPException, OSError):
            pass  # the server is gone already: nothing to close
    pending = OutboundMail.objects.filter(sent_at__isnull=True).count()
    last_error = unreachable or (
        OutboundMail.objects.filter(sent_at__isnull=True, attempts__gt=0)
        .order_by("-pk")
        .values_list("last_error", flat=True)
        .first()
        or ""
    )
    return SendResult(sent=sent, failed=failed, pending=pending, last_error=last_error)
