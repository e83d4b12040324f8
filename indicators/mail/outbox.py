"""Sending the outbox (OutboundMail) through Django's mail connection (settings.EMAIL_*).

Rows hold data; each mail's subject and body are rendered here, when it is sent, from the
templates in templates/emails/ and the data as it stands now (RENDERERS). The unsent rows of
one person that make one mail are sent together, as one mail, and marked sent together: all
their returns and validations (one mail per person per run), all their submission digests.
A mail with nothing left to say (the queue emptied, the reminder's items were delivered) is
not sent: its rows are marked `skipped`.

Delivery is at least once, never silently lost: each mail's rows are locked, the mail handed to
the SMTP server, the rows marked sent and committed, one mail per transaction (send, then mark,
then commit). A crash or a
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
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from indicators.mail import emails, notifications, reminders
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


Kind = OutboundMail.Kind
Renderer = Callable[[User | None, list[OutboundMail]], emails.Rendered | None]
RENDERERS: dict[str, Renderer] = {
    Kind.RETURNED: notifications.render_decisions,
    Kind.VALIDATED: notifications.render_decisions,
    Kind.SUBMITTED: notifications.render_digest,
    Kind.REMINDER: reminders.render_reminder,
    Kind.BACKLOG: reminders.render_backlog,
    Kind.OVERDUE: reminders.render_overdue,
}
# Kinds whose unsent rows for one person go out as one mail.
TOGETHER: dict[str, tuple[str, ...]] = {
    Kind.RETURNED: notifications.DECISION_KINDS,
    Kind.VALIDATED: notifications.DECISION_KINDS,
    Kind.SUBMITTED: (Kind.SUBMITTED,),
}


def _batch(head: OutboundMail, tried: set[int]) -> list[OutboundMail]:
    """`head` and the other unsent rows (locked, none already tried) that go in its mail."""
    kinds = TOGETHER.get(head.kind)
    if not kinds or head.recipient_id is None or _written_with_text(head):
        return [head]
    others = (
        OutboundMail.objects.select_for_update(skip_locked=True)
        .filter(
            sent_at__isnull=True,
            kind__in=kinds,
            recipient_id=head.recipient_id,
            to_email=head.to_email,
            body="",  # not a row written with its text (those go alone, as they are)
        )
        .exclude(pk=head.pk)
        .exclude(pk__in=tried)
        .order_by("pk")
    )
    return [head, *others]


def _written_with_text(mail: OutboundMail) -> bool:
    """An unsent row gets its text only when sent: one with text and no data was written
    before mails were rendered at sending time."""
    return bool(mail.body) and not mail.data


def render(rows: list[OutboundMail]) -> emails.Rendered | None:
    """The mail of `rows` (one person's), from the data as it stands now; an old row written
    with its text goes as it is."""
    head = rows[0]
    if _written_with_text(head):
        return emails.Rendered(subject=head.subject, body=head.body)
    return RENDERERS[head.kind](head.recipient, rows)


def _message_id(mail: OutboundMail) -> str:
    domain = urlsplit(settings.PESEM_SITE_URL).hostname or "localhost"
    return f"<pesem.outbox.{mail.pk}.{int(mail.created_at.timestamp())}@{domain}>"


def _message(
    mail: OutboundMail, text: emails.Rendered, connection: BaseEmailBackend
) -> EmailMessage:
    return EmailMessage(
        subject=text.subject,
        body=text.body,
        to=[mail.to_email],
        connection=connection,
        headers={"Message-ID": _message_id(mail), "Auto-Submitted": "auto-generated"},
    )


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:ERROR_MAX]


def _failed(rows: list[OutboundMail], error: str) -> None:
    OutboundMail.objects.filter(pk__in=[r.pk for r in rows]).update(
        attempts=F("attempts") + 1, last_error=error
    )


def _done(rows: list[OutboundMail], text: emails.Rendered | None) -> None:
    """Mark the rows sent, with the text that went (or skipped: nothing to say)."""
    OutboundMail.objects.filter(pk__in=[r.pk for r in rows]).update(
        sent_at=timezone.now(),
        skipped=text is None,
        subject=text.subject if text else "",
        body=text.body if text else "",
    )


def send_due() -> SendResult:
    """Send every unsent row, oldest first, one mail (one row, or one person's rows that go
    together) per transaction."""
    connection = get_connection(fail_silently=False)
    sent = failed = 0
    tried: set[int] = set()
    unreachable = ""
    try:
        while True:
            with transaction.atomic():
                head = (
                    OutboundMail.objects.select_for_update(skip_locked=True)
                    .filter(sent_at__isnull=True)
                    .exclude(pk__in=tried)
                    .order_by("pk")
                    .first()
                )
                if head is None:
                    break
                rows = _batch(head, tried)
                tried.update(r.pk for r in rows)
                if unreachable:
                    _failed(rows, unreachable)
                    failed += 1
                    continue
                try:
                    text = render(rows)
                except Exception as exc:  # a broken template or datum: this mail only
                    _failed(rows, _describe(exc))
                    failed += 1
                    continue
                if text is None:
                    _done(rows, None)
                    continue
                try:
                    # Opened once, on the first mail, and kept for the following ones (a
                    # no-op when already open); nothing is opened when nothing is due.
                    connection.open()
                    delivered = _message(head, text, connection).send()
                except MESSAGE_ERRORS as exc:
                    _failed(rows, _describe(exc))
                    failed += 1
                    continue
                except (smtplib.SMTPException, OSError) as exc:
                    unreachable = _describe(exc)
                    _failed(rows, unreachable)
                    failed += 1
                    continue
                if not delivered:
                    _failed(rows, "El servidor de correo no aceptó el mensaje.")
                    failed += 1
                    continue
                _done(rows, text)
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
