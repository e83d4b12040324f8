"""The monitoring report as a PDF, made on the server without a browser: the template
`reports/report_pdf.html` (the same rows as the page and the XLSX,
pesem.reports.monitoring_report) laid out by WeasyPrint.

WeasyPrint fetches whatever the HTML points to (stylesheets, images, fonts). The template
points to nothing: its CSS is inline, its charts are inline SVG (pesem.report_charts), its
font is DejaVu from the system (fontconfig). `OfflineFetcher` makes sure of it: any URL other
than an inline `data:` one is refused, never fetched, so building a PDF makes no request to
any host, whatever text a user typed into the plan.
"""

from __future__ import annotations

from datetime import datetime

from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from pesem.reports import LIGHT_FILLS, MonitoringReport, local_date

TEMPLATE = "reports/report_pdf.html"


class ExternalResourceRefused(ValueError):
    """The PDF asked for something outside itself."""


class OfflineFetcher(URLFetcher):
    """WeasyPrint's fetcher that only reads inline `data:` URLs."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("data",), allow_redirects=False)

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        if not url.startswith("data:"):
            raise ExternalResourceRefused(f"Recurso externo rechazado en el PDF: {url[:200]}")
        return super().fetch(url, headers)


def report_html(report: MonitoringReport, *, generated_at: datetime | None = None) -> str:
    when = generated_at or timezone.now()
    return render_to_string(
        TEMPLATE,
        {
            "report": report,
            "year": report.year,
            "generated": local_date(when, with_time=True),
            # The PDF's metadata wants an ISO date (W3C-DTF), not the page's dd/mm/yyyy.
            "generated_iso": timezone.localtime(when).isoformat(timespec="seconds"),
            "light_fills": LIGHT_FILLS,
        },
    )


def report_pdf(report: MonitoringReport, *, generated_at: datetime | None = None) -> bytes:
    html = report_html(report, generated_at=generated_at)
    pdf = HTML(string=html, url_fetcher=OfflineFetcher()).write_pdf()
    if pdf is None:  # pragma: no cover - write_pdf returns bytes when given no target
        raise RuntimeError("WeasyPrint no devolvió el PDF.")
    return pdf
