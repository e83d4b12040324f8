"""E-mails about the validation workflow, written to the outbox (OutboundMail).

Each function only adds or extends outbox rows, inside the caller's transaction: a change that
rolls back leaves no mail, and nothing here talks to a mail server (`send_mail_outbox` does,
see indicators.outbox). Call them right after the transition is saved, so `item` holds its new
state and `item.updated_by` is the person who acted; nobody is mailed about their own action.

- returned / reopened / validated: one mail to whoever submitted the item. Items without a
  submitter (loaded from the document, imported without a user, or whose submitter was
  deleted) go to the registrars of the directorate that owns them instead: after the
  transition `updated_by` is the validator who acted, so it cannot stand in for the submitter.
- submitted: a digest per validator. One open row (kind `submitted`, not yet sent) collects a
  line per item, so many submissions between two runs of the sender make one mail.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import User
from django.urls import NoReverseMatch, reverse

from indicators import numbers
from indicators.models import ActionReport, IndicatorValue, OutboundMail, WorkflowState
from objectives.models import Directorate, Role

WorkflowRecord = IndicatorValue | ActionReport

SUBJECT_MAX = 200  # OutboundMail.subject
SIGNATURE = "\n-- \nSeguimiento del PESEM (mensaje automático, no responda a este correo)\n"
DIGEST_LINE = "- "


# --- small helpers ------------------------------------------------------------------------


def absolute_url(path: str) -> str:
    """A link that works from a mail: settings.PESEM_SITE_URL + path."""
    return f"{settings.PESEM_SITE_URL}{path}"


def _inbox_url() -> str | None:
    # The personal inbox ("my_tasks") is another task's page and may not exist yet.
    try:
        return absolute_url(reverse("my_tasks"))
    except NoReverseMatch:
        return None


def one_line(text: str, limit: int = SUBJECT_MAX) -> str:
    """A mail header: one line (a newline in a header is refused), at most `limit` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _name(user: User) -> str:
    return user.get_full_name() or user.get_username()


def _number(value: Decimal | None) -> str:
    """Peruvian format with every decimal the value has (at least two): 1,020,000.50."""
    return numbers.format_for_input(value, 2) or numbers.format_number(None, 2)


def _what(item: WorkflowRecord) -> str:
    """'valor de OE1.1 2016' / 'reporte de la AE 1.1 2016 (DGC)'."""
    if isinstance(item, IndicatorValue):
        return f"valor de {item.indicator.code} {item.year}"
    return f"reporte de la AE {item.action.code} {item.year} ({item.directorate.code})"


def _content(item: WorkflowRecord) -> str:
    if isinstance(item, IndicatorValue):
        return f"valor {numbers.format_for(item.indicator, item.value)}"
    return f"{item.get_execution_display()}, {numbers.format_number(item.percent, 0)} %"


def _item_url(item: WorkflowRecord) -> str:
    if isinstance(item, IndicatorValue):
        path = reverse("indicator_detail", args=[item.indicator.code]) + f"?anio={item.year}"
    else:
        path = reverse("report_entry", args=[item.action.code, item.year])
    return absolute_url(path)


def _owner_id(item: WorkflowRecord) -> int | None:
    if isinstance(item, IndicatorValue):
        return item.indicator.responsible_id
    return item.directorate_id


def _recipients(item: WorkflowRecord) -> list[User]:
    """Who hears about a decision on `item`: its submitter, else its directorate's registrars;
    never the person who just acted (item.updated_by), never anyone without an address."""
    actor_id = item.updated_by_id
    submitter = item.submitted_by
    if submitter is not None:
        if submitter.is_active and submitter.email and submitter.pk != actor_id:
            return [submitter]
        return []
    owner = _owner_id(item)
    if owner is None:
        return []
    registrars = (
        User.objects.filter(
            is_active=True, groups__name=Role.REGISTRAR, profile__directorate_id=owner
        )
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )
    if actor_id is not None:
        registrars = registrars.exclude(pk=actor_id)
    return list(registrars)


def _queue(kind: str, users: list[User], subject: str, body_for_user: str) -> None:
    OutboundMail.objects.bulk_create(
        OutboundMail(
            kind=kind,
            recipient=user,
            to_email=user.email,
            subject=one_line(subject),
            body=f"Hola, {_name(user)}:\n\n{body_for_user}{SIGNATURE}",
        )
        for user in users
    )


def _links(item: WorkflowRecord, verb: str) -> str:
    lines = [f"{verb}:\n{_item_url(item)}"]
    inbox = _inbox_url()
    if inbox:
        lines.append(f"Sus pendientes:\n{inbox}")
    return "\n\n".join(lines) + "\n"


# --- decisions of the planning office -----------------------------------------------------


def returned(item: WorkflowRecord, reason: str, *, reopened: bool = False) -> None:
    """The planning office sent `item` back to draft (returned, or reopened once validated)."""
    what = _what(item)
    verb = "reabierto" if reopened else "devuelto"
    done = "reabrió su" if reopened else "devolvió su"
    state = " validado" if reopened else ""
    subject = f"Su {what} fue {verb}: {reason}"
    body = (
        f"La oficina de planeamiento {done} {what}{state} ({_content(item)}).\n\n"
        f"Motivo: {reason}\n\n"
        "El registro vuelve a borrador: corríjalo y envíelo nuevamente a validación.\n\n"
        + _links(item, "Ábralo aquí")
    )
    _queue(OutboundMail.Kind.RETURNED, _recipients(item), subject, body)


def validated(item: WorkflowRecord) -> None:
    """The planning office validated `item`: it now counts as official."""
    what = _what(item)
    body = (
        f"La oficina de planeamiento validó su {what} ({_content(item)}).\n\n"
        "Desde ahora es un dato oficial: cuenta en el tablero y en el reporte de seguimiento, "
        "y queda bloqueado (solo la oficina de planeamiento puede reabrirlo).\n\n"
        + _links(item, "Véalo aquí")
    )
    _queue(OutboundMail.Kind.VALIDATED, _recipients(item), f"Su {what} fue validado", body)


# --- submissions: one digest per validator ------------------------------------------------


def _digest_line(item: WorkflowRecord, by: User | None, directorates: dict[int, str]) -> str:
    """'- Valor de OE3.1 2016 (DGC): valor 1.578947, enviado por reg.dgc'."""
    what = _what(item)
    if isinstance(item, IndicatorValue) and item.indicator.responsible_id in directorates:
        what += f" ({directorates[item.indicator.responsible_id]})"
    who = f"enviado por {by.get_username()}" if by is not None else "importado sin usuario"
    return f"{DIGEST_LINE}{what[:1].upper()}{what[1:]}: {_content(item)}, {who}\n"


def _digest_subject(body: str) -> str:
    count = sum(1 for line in body.splitlines() if line.startswith(DIGEST_LINE))
    noun = "registro enviado" if count == 1 else "registros enviados"
    return one_line(f"PESEM: {count} {noun} a validación")


def _digest_header() -> str:
    queue = absolute_url(reverse("validation_queue"))
    return (
        "Se enviaron a validación los siguientes registros. Revíselos en la cola de "
        f"validación:\n{queue}\n\n"
    )


def submitted(items: Iterable[WorkflowRecord], by: User | None) -> None:
    """Items entered the validation queue: add a line per item to each validator's open
    digest (created when there is none). Four queries whatever the number of validators."""
    queued = [item for item in items if item.state == WorkflowState.SUBMITTED]
    if not queued:
        return
    directorates = dict(
        Directorate.objects.filter(
            pk__in={i.indicator.responsible_id for i in queued if isinstance(i, IndicatorValue)}
        ).values_list("pk", "code")
    )
    lines = "".join(_digest_line(item, by, directorates) for item in queued)
    validators = (
        User.objects.filter(is_active=True, groups__name=Role.VALIDATOR)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )
    if by is not None:
        validators = validators.exclude(pk=by.pk)
    users = list(validators)
    if not users:
        return
    # Lock the open digests. A digest locked by the sender is being mailed right now: skip it
    # (a new one starts) rather than wait for the mail server inside a user's request.
    open_digests: dict[int, OutboundMail] = {}
    for digest in (
        OutboundMail.objects.select_for_update(skip_locked=True)
        .filter(
            kind=OutboundMail.Kind.SUBMITTED,
            recipient__in=users,
            sent_at__isnull=True,
        )
        .order_by("pk")
    ):
        if digest.recipient_id is not None:
            open_digests.setdefault(digest.recipient_id, digest)
    extended = list(open_digests.values())
    for digest in extended:
        digest.body = _digest_body_with(digest.body, lines)
        digest.subject = _digest_subject(digest.body)
    OutboundMail.objects.bulk_update(extended, ["body", "subject"])
    new_body = _digest_header() + lines
    OutboundMail.objects.bulk_create(
        OutboundMail(
            kind=OutboundMail.Kind.SUBMITTED,
            recipient=user,
            to_email=user.email,
            subject=_digest_subject(new_body),
            body=f"Hola, {_name(user)}:\n\n{new_body}{SIGNATURE}",
        )
        for user in users
        if user.pk not in open_digests
    )


def _digest_body_with(body: str, lines: str) -> str:
    """The digest's lines go before its signature."""
    head, sep, tail = body.rpartition(SIGNATURE)
    return f"{head}{lines}{sep}{tail}" if sep else body + lines
