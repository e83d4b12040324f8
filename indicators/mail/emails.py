"""Mail text from templates, as healthchecks' hc/lib/emails.py does: each kind of mail is
templates/emails/<kind>_subject.txt and <kind>_body.txt, rendered from a context of data when
the mail is sent (indicators.mail.outbox), never stored as text when the event happens."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string

SUBJECT_MAX = 200  # OutboundMail.subject
_BLANK_LINES = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


def one_line(text: str, limit: int = SUBJECT_MAX) -> str:
    """A mail header: one line (a newline in a header is refused), at most `limit` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def render(kind: str, context: dict[str, Any]) -> Rendered:
    """The subject (one line) and plain-text body of a `kind` mail. Template tags leave
    blank lines where they stand; more than one blank line in a row is read as one."""
    subject = render_to_string(f"emails/{kind}_subject.txt", context)
    body = render_to_string(f"emails/{kind}_body.txt", context)
    # "-- " (with its space) is the signature separator mail clients recognise.
    lines = "\n".join(
        line if line == "-- " else line.rstrip() for line in body.strip().splitlines()
    )
    return Rendered(subject=one_line(subject), body=_BLANK_LINES.sub("\n\n", lines) + "\n")
