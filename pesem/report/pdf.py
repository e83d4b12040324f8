"""The monitoring report as a PDF, made on the server without a browser: the template
`reports/report_pdf.html` (the same rows as the page and the XLSX,
pesem.report.content.monitoring_report) laid out by WeasyPrint.

WeasyPrint fetches whatever the HTML points to (stylesheets, images, fonts). The template
points to nothing: its CSS is inline, its charts are inline SVG (pesem.report.charts), its
font is DejaVu from the system (fontconfig). `OfflineFetcher` makes sure of it: any URL other
than an inline `data:` one is refused, never fetched, so building a PDF makes no request to
any host, whatever text a user typed into the plan.

WeasyPrint lays a whole document out in memory before writing it: about 1 MB for each
indicator's block (chart and narrative), so a plan of thousands of indicators would need
gigabytes. A report is therefore written as a list of pieces (cover and summary, a run of a
table's rows, a run of indicator blocks, an objective's actions, observations, conclusions),
and a long one is laid out one part at a time (`plan_parts`: at most PART_BLOCKS blocks or
PART_ROWS table rows a part) and the parts' PDFs joined with pypdf's writer (lib.pdf),
which holds the joined pages until it writes the file (a few times the file's bytes, far
less than one part's layout). Memory is then one part's layout, the joined pages and the
report's rows. Each part begins on a new page, and a table or an objective that goes on in a new
part says "(continuación)". Pages are numbered through the whole file, "Página 7 de 240":
the parts are laid out once to count their pages, then again to write them with their
numbers (half as much work again as one pass). A report that fits in one part is one
document, as it always was, and tagged (WeasyPrint's PDF/UA-1 variant: a structure tree that
screen readers follow); a report in parts is not tagged (lib.pdf keeps pages, links and
bookmarks, not the parts' structure trees).
"""

from __future__ import annotations

import functools
import io
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, BinaryIO

from django.template.loader import render_to_string
from django.utils import timezone

from lib.pdf import PdfJoin
from pesem.report.content import LIGHT_FILLS, MonitoringReport, local_date

if TYPE_CHECKING:
    from weasyprint import Document
    from weasyprint.urls import URLFetcher

TEMPLATE = "reports/report_pdf.html"
PIECES = "reports/pdf/"
PART_BLOCKS = 100  # indicator blocks (chart and narrative) laid out together at most
PART_ROWS = 600  # table rows laid out together at most
TAGGED_VARIANT = "pdf/ua-1"  # WeasyPrint's accessible variant, for a report in one part


class ExternalResourceRefused(ValueError):
    """The PDF asked for something outside itself."""


@functools.cache
def _offline_fetcher_class() -> type[URLFetcher]:
    # WeasyPrint takes about a second to import: it is imported when a PDF is built, not
    # with this module, which every process loads through the URLs (manage.py commands too).
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class OfflineFetcher(URLFetcher):
        """WeasyPrint's fetcher that only reads inline `data:` URLs."""

        def __init__(self) -> None:
            super().__init__(allowed_protocols=("data",), allow_redirects=False)

        def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
            if not url.startswith("data:"):
                raise ExternalResourceRefused(f"Recurso externo rechazado en el PDF: {url[:200]}")
            return super().fetch(url, headers)

    return OfflineFetcher


def __getattr__(name: str) -> object:
    # `OfflineFetcher`, the class, for callers that build their own WeasyPrint documents.
    if name == "OfflineFetcher":
        return _offline_fetcher_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass
class Piece:
    """A run of the report, drawn by templates/reports/pdf/<name>.html."""

    name: str
    rows: Sequence[object] = ()
    objective: object = None  # a reports.ReportObjective
    first: bool = True  # the first run of its table
    section_start: bool = False  # opens "Avance por objetivo"
    continued: bool = False  # opens a part in the middle of its objective
    has_changes: bool = False
    cost: float = field(default=0.0, repr=False)  # share of a part

    @property
    def template(self) -> str:
        return f"{PIECES}{self.name}.html"


def _runs(rows: Sequence[object], size: int) -> list[Sequence[object]]:
    return [rows[i : i + size] for i in range(0, len(rows), size)] or [rows]


def pieces(report: MonitoringReport) -> list[Piece]:
    """The whole report, in reading order, its long lists cut in runs that fit a part."""
    changes = report.changes if report.has_previous else []
    # The cover and summary (a row per objective) go with the first run of changes, under
    # its heading: their cost is left out.
    found = [Piece("cover", has_changes=bool(changes))]
    for n, run in enumerate(_runs(changes, PART_ROWS) if changes else []):
        found.append(Piece("changes", rows=run, first=n == 0, cost=len(run) / PART_ROWS))
    for number, objective in enumerate(report.objectives):
        for n, run in enumerate(_runs(objective.rows, PART_ROWS)):
            found.append(
                Piece(
                    "objective_table",
                    rows=run,
                    objective=objective,
                    first=n == 0,
                    section_start=number == 0 and n == 0,
                    cost=len(run) / PART_ROWS,
                )
            )
        for run in _runs(objective.rows, PART_BLOCKS) if objective.rows else []:
            found.append(
                Piece(
                    "objective_blocks", rows=run, objective=objective, cost=len(run) / PART_BLOCKS
                )
            )
        found.append(
            Piece("objective_actions", objective=objective, cost=len(objective.actions) / PART_ROWS)
        )
    for run in _runs(report.semesters, PART_ROWS) if report.semesters else []:
        found.append(Piece("semesters", rows=run, cost=len(run) / PART_ROWS))
    found.append(Piece("conclusions"))
    if report.annex:  # the internal notes, only when asked for
        flags = report.flags
        for n, run in enumerate(_runs(flags, PART_ROWS)):
            found.append(Piece("flags", rows=run, first=n == 0, cost=len(run) / PART_ROWS))
    return found


def plan_parts(report: MonitoringReport) -> list[list[Piece]]:
    """The pieces grouped in parts of at most a part's work each, in order. A part that
    begins inside an objective (its blocks or actions) names the objective again."""
    parts: list[list[Piece]] = [[]]
    cost = 0.0
    for piece in pieces(report):
        if parts[-1] and cost + piece.cost > 1:
            parts.append([])
            cost = 0.0
            piece = replace(
                piece, continued=piece.name in {"objective_blocks", "objective_actions"}
            )
        parts[-1].append(piece)
        cost += piece.cost
    return parts


def _context(report: MonitoringReport, when: datetime) -> dict[str, object]:
    return {
        "report": report,
        "year": report.year,
        "generated": local_date(when, with_time=True),
        # The PDF's metadata wants an ISO date (W3C-DTF), not the page's dd/mm/yyyy.
        "generated_iso": timezone.localtime(when).isoformat(timespec="seconds"),
        "light_fills": LIGHT_FILLS,
    }


def report_html(report: MonitoringReport, *, generated_at: datetime | None = None) -> str:
    """The whole report as one HTML document (every piece, pages counted by WeasyPrint)."""
    context = _context(report, generated_at or timezone.now())
    return render_to_string(TEMPLATE, {**context, "pieces": pieces(report)})


def _part_html(
    context: dict[str, object], part: list[Piece], *, start_page: int, total_pages: int | None
) -> str:
    return render_to_string(
        TEMPLATE,
        {
            **context,
            "pieces": part,
            # The first part keeps the first page's rules (no running header on the cover).
            "start_page": start_page if start_page > 1 else None,
            "total_pages": total_pages,
        },
    )


def _layout(html: str) -> Document:
    from weasyprint import HTML  # when a PDF is built (see _offline_fetcher_class)

    return HTML(string=html, url_fetcher=_offline_fetcher_class()()).render()


def _write(document: Document) -> bytes:
    pdf = document.write_pdf()
    if pdf is None:  # pragma: no cover - write_pdf returns bytes when given no target
        raise RuntimeError("WeasyPrint no devolvió el PDF.")
    return pdf


def write_report_pdf(
    report: MonitoringReport, target: BinaryIO, *, generated_at: datetime | None = None
) -> None:
    """Write the report's PDF to `target` (a file: a long report is written part by part,
    never whole in memory)."""
    parts = plan_parts(report)
    if len(parts) == 1:
        # Tagged (PDF/UA-1: structure tree, marked content, language, title) for screen
        # readers. A report in parts is not: lib.pdf does not carry structure over.
        _layout(report_html(report, generated_at=generated_at)).write_pdf(
            target, pdf_variant=TAGGED_VARIANT
        )
        return
    context = _context(report, generated_at or timezone.now())
    # First pass: each part's pages, one part in memory at a time (a later part's first
    # page as it will be: with the running header).
    counts = [
        len(_layout(_part_html(context, part, start_page=min(n, 1) + 1, total_pages=None)).pages)
        for n, part in enumerate(parts)
    ]
    total = sum(counts)
    joined = PdfJoin(target)
    start = 1
    for part, count in zip(parts, counts, strict=True):
        document = _layout(_part_html(context, part, start_page=start, total_pages=total))
        if len(document.pages) != count:  # pragma: no cover - the footer never moves content
            raise RuntimeError("Las páginas de una parte del PDF cambiaron entre dos pasadas.")
        # The bookmarks' levels as laid out (h1 = 1): the part's own outline starts afresh.
        levels = [level for page in document.pages for level, *_ in page.bookmarks]
        joined.add(_write(document), levels=levels)
        start += count
    joined.finish()


def report_pdf(report: MonitoringReport, *, generated_at: datetime | None = None) -> bytes:
    out = io.BytesIO()
    write_report_pdf(report, out, generated_at=generated_at)
    return out.getvalue()
