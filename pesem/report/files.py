"""The monitoring report's XLSX and PDF, built once per official data version and served from
the default storage.

The report lists every indicator, action and flag of the plan: at the published plan's size
(24 indicators) a file takes a fraction of a second (XLSX) to a few seconds (PDF), at 5,000
indicators minutes (the PDF about 7), far past a request's time limit (gunicorn's 60 s). So:

- A file is built at most once per official data version (pesem.cache.data: drafts never reach
  the report), year and variant (PreparedReport.Variant: internal, internal with the annex of
  data-quality notes, public), stored under `informes/v<version>/` in the default storage (a
  shared volume or an object store: no app server keeps a copy of its own), and every later
  download of that version streams it from there (bounded memory, first byte at once).
- Not even once when a file already built says the same (`fingerprint`: its content without
  its generation time): the new version's row points at that file. A revision approved today
  leaves 2016's files as they were built, bytes and generation time included.
- While the plan is small (at most PESEM_REPORT_INLINE_MAX_INDICATORS indicators) the first
  request builds the file itself, as before.
- Past that, a request records the wish (a PreparedReport row, `pendiente`) and answers at
  once with a page that says the file is being prepared and checks back by itself;
  `manage.py build_reports`, run every minute by cron or a systemd timer, builds what was asked
  for (and, with --prebuild, the default year's files after every change), then deletes the
  files of older versions.

The official version is read before the report's data, as for kept pages: a file is never
labelled newer than the data it was built from. With PESEM_PAGE_CACHE off nothing is kept:
every request builds."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import BinaryIO

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.utils import timezone

from indicators import selectors, services
from indicators.models import Indicator
from indicators.workflow import status
from objectives import plans
from pesem.cache import data as datacache
from pesem.models import PreparedReport
from pesem.report import content as reports
from pesem.report import pdf as report_pdf
from pesem.report import xlsx as report_xlsx

log = logging.getLogger("pesem.report.content")
State = PreparedReport.State
Format = PreparedReport.Format
Variant = PreparedReport.Variant
STORAGE_DIR = "informes"
# A build that has not finished after this long is taken for dead (its process was killed)
# and may be claimed again. Far longer than any build seen: the PDF of 5,000 indicators takes
# about 7 minutes (2026-12-06, this machine; more than 20 before it was laid out in parts).
STALE_BUILD = timedelta(hours=2)
# The generation time every fingerprint is taken with (any fixed moment).
FINGERPRINT_TIME = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class FileKind:
    label: str
    content_type: str
    write: Callable[[reports.MonitoringReport, BinaryIO], None]


def _write_xlsx(report: reports.MonitoringReport, target: BinaryIO) -> None:
    target.write(report_xlsx.report_xlsx(report))


KINDS = {
    Format.XLSX: FileKind(
        "XLSX",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _write_xlsx,
    ),
    # A long report's PDF goes to the file part by part (pesem.report.pdf).
    Format.PDF: FileKind("PDF", "application/pdf", report_pdf.write_report_pdf),
}


def filename(year: int, file_format: str, variant: str = Variant.INTERNAL) -> str:
    if variant == Variant.PUBLIC:
        return f"reporte-seguimiento-publico-{year}.{file_format}"
    if variant == Variant.ANNEX:
        return f"reporte-seguimiento-{year}-con-anexo.{file_format}"
    return f"reporte-seguimiento-{year}.{file_format}"


def variant_report(year: int, variant: str) -> reports.MonitoringReport:
    return reports.monitoring_report(
        year=year, annex=variant == Variant.ANNEX, public=variant == Variant.PUBLIC
    )


def keeping() -> bool:
    """Files are kept per version only where the version moves with every commit."""
    return bool(settings.PESEM_PAGE_CACHE)


def built_in_request() -> bool:
    """Small plans build a file inside the request that asks for it (one query)."""
    shown = Indicator.objects.filter(plan=plans.shown_plan())
    return shown.count() <= settings.PESEM_REPORT_INLINE_MAX_INDICATORS


def write_file(
    year: int,
    file_format: str,
    target: BinaryIO,
    variant: str = Variant.INTERNAL,
    report: reports.MonitoringReport | None = None,
) -> None:
    """Write the file as it reads now (the stored yearly statuses are brought up to date
    first), or as `report` (read already) says."""
    if report is None:
        status.ensure(year)
        report = variant_report(year, variant)
    KINDS[Format(file_format)].write(report, target)


def current_report(year: int, variant: str) -> reports.MonitoringReport:
    status.ensure(year)
    return variant_report(year, variant)


def fingerprint(report: reports.MonitoringReport, file_format: str) -> str:
    """What the file says, without when it was built: the PDF's HTML, or the workbook's
    sheets as data, with one fixed generation time. Two versions of the data whose file would
    say the same have the same fingerprint (a revision approved in 2026 leaves 2016's)."""
    if file_format == Format.PDF:
        text = report_pdf.report_html(report, generated_at=FINGERPRINT_TIME)
    else:
        tables = report_xlsx.report_tables(report, generated_at=FINGERPRINT_TIME)
        text = json.dumps([asdict(t) for t in tables], default=str, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def same_file(year: int, file_format: str, variant: str, mark: str) -> PreparedReport | None:
    """A file already built, at an earlier version, that says what this one would: kept
    instead of built again: a past year's files stay as they were built while nothing they
    say changes."""
    for row in PreparedReport.objects.filter(
        plan_code=plans.shown_code(),
        year=year,
        file_format=file_format,
        variant=variant,
        state=State.READY,
        fingerprint=mark,
    ).order_by("-version"):
        if default_storage.exists(row.file_name):
            return row
    return None


def keep_same(kept: PreparedReport, version: int, *, user=None) -> PreparedReport:
    """`version`'s row for a file already built: it points at the same stored file."""
    fields = {
        "state": State.READY,
        "file_name": kept.file_name,
        "size": kept.size,
        "built_at": kept.built_at,
        "build_seconds": 0,
        "fingerprint": kept.fingerprint,
        "error": "",
        "requested_by": user if user is not None and user.is_authenticated else None,
    }
    row, created = PreparedReport.objects.get_or_create(
        plan_code=kept.plan_code,
        year=kept.year,
        file_format=kept.file_format,
        version=version,
        variant=kept.variant,
        defaults=fields,
    )
    if not created and row.state != State.READY:
        PreparedReport.objects.filter(pk=row.pk).update(**fields)
        row.refresh_from_db()
    return row


def build_bytes(year: int, file_format: str, variant: str = Variant.INTERNAL) -> bytes:
    out = io.BytesIO()
    write_file(year, file_format, out, variant)
    return out.getvalue()


def ready(
    year: int, file_format: str, version: int, variant: str = Variant.INTERNAL
) -> PreparedReport | None:
    """The row of this version's file, whatever its state (None when nobody asked yet)."""
    return PreparedReport.objects.filter(
        plan_code=plans.shown_code(),
        year=year,
        file_format=file_format,
        version=version,
        variant=variant,
    ).first()


def open_kept(
    year: int, file_format: str, version: int, variant: str = Variant.INTERNAL
) -> tuple[PreparedReport | None, File | None]:
    """This version's row and, when its file is ready, that file opened from storage (to be
    streamed). A ready row whose file is gone (removed behind our back) is forgotten, so that
    the file is built again: (None, None), as when nobody asked yet."""
    row = ready(year, file_format, version, variant)
    if row is None or row.state != State.READY:
        return row, None
    try:
        return row, default_storage.open(row.file_name)
    except FileNotFoundError:
        PreparedReport.objects.filter(pk=row.pk).delete()
        return None, None


def request_file(
    year: int, file_format: str, version: int, user, variant: str = Variant.INTERNAL
) -> PreparedReport:
    """Ask for this version's file (idempotent: a second asker gets the same row; a failed
    build is queued again only through retry())."""
    row, created = PreparedReport.objects.get_or_create(
        plan_code=plans.shown_code(),
        year=year,
        file_format=file_format,
        version=version,
        variant=variant,
        defaults={"requested_by": user if user is not None and user.is_authenticated else None},
    )
    if created:
        log.info(
            "report file requested",
            extra={
                "year": year,
                "format": file_format,
                "variant": variant,
                "version": version,
                "user": str(user),
            },
        )
    return row


def retry(row: PreparedReport) -> None:
    PreparedReport.objects.filter(pk=row.pk, state=State.FAILED).update(
        state=State.PENDING, error="", started_at=None
    )


def _store(year: int, file_format: str, version: int, content: File, variant: str) -> str:
    # Another plan's files under its code; the PESEM's where they always were.
    shown = plans.shown_code()
    folder = f"{STORAGE_DIR}/v{version}" + ("" if shown == plans.SHOWN_CODE else f"/{shown}")
    return default_storage.save(f"{folder}/{filename(year, file_format, variant)}", content)


def build_and_keep(year: int, file_format: str, version: int, variant: str, *, user=None) -> bytes:
    """Build a file inside the request (a small plan) and keep it for `version`; a file
    already built that says the same is kept instead (its bytes, its generation time)."""
    start = time.perf_counter()
    report = current_report(year, variant)
    mark = fingerprint(report, file_format)
    if (kept := same_file(year, file_format, variant, mark)) is not None:
        keep_same(kept, version, user=user)
        with default_storage.open(kept.file_name) as stored:
            return stored.read()
    out = io.BytesIO()
    write_file(year, file_format, out, variant, report)
    content = out.getvalue()
    keep_built(
        year,
        file_format,
        version,
        content,
        seconds=time.perf_counter() - start,
        user=user,
        variant=variant,
        mark=mark,
    )
    return content


def keep_built(
    year: int,
    file_format: str,
    version: int,
    content: bytes,
    *,
    seconds: float,
    user=None,
    variant: str = Variant.INTERNAL,
    mark: str = "",
) -> PreparedReport:
    """Store a file built inside a request. Two requests that built it at once store it once:
    the second one's copy is deleted."""
    name = _store(year, file_format, version, ContentFile(content), variant)
    fields = {
        "state": State.READY,
        "file_name": name,
        "size": len(content),
        "built_at": timezone.now(),
        "build_seconds": seconds,
        "requested_by": user if user is not None and user.is_authenticated else None,
        "fingerprint": mark,
    }
    # get_or_create reads again when another request inserted the row meanwhile.
    row, created = PreparedReport.objects.get_or_create(
        plan_code=plans.shown_code(),
        year=year,
        file_format=file_format,
        version=version,
        variant=variant,
        defaults=fields,
    )
    if not created:
        if row.state == State.READY and row.file_name != name:
            default_storage.delete(name)
        else:
            PreparedReport.objects.filter(pk=row.pk).update(**fields)
            row.refresh_from_db()
    return row


def _claim(row: PreparedReport) -> bool:
    """Take a queued (or abandoned) build for this process; False when another took it."""
    now = timezone.now()
    claimable = PreparedReport.objects.filter(pk=row.pk, state=State.PENDING)
    if row.state == State.BUILDING:
        claimable = PreparedReport.objects.filter(
            pk=row.pk, state=State.BUILDING, started_at__lt=now - STALE_BUILD
        )
    return bool(claimable.update(state=State.BUILDING, started_at=now))


def build(row: PreparedReport) -> PreparedReport:
    """Build a claimed row's file and store it; a failure is recorded on the row (with the
    reason the waiting page shows) and logged with its traceback."""
    start = time.perf_counter()
    try:
        report = current_report(row.year, row.variant)
        mark = fingerprint(report, row.file_format)
        kept = same_file(row.year, row.file_format, row.variant, mark)
        if kept is not None:
            return keep_same(kept, row.version)
        # Through a temporary file: a long report's PDF is never whole in memory.
        with tempfile.TemporaryFile() as scratch:
            write_file(row.year, row.file_format, scratch, row.variant, report)
            size = scratch.tell()
            scratch.seek(0)
            name = _store(
                row.year,
                row.file_format,
                row.version,
                File(scratch, name=filename(row.year, row.file_format, row.variant)),
                row.variant,
            )
    except Exception as exc:
        log.exception(
            "report file failed",
            extra={
                "year": row.year,
                "format": row.file_format,
                "variant": row.variant,
                "version": row.version,
            },
        )
        PreparedReport.objects.filter(pk=row.pk).update(
            state=State.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000]
        )
    else:
        PreparedReport.objects.filter(pk=row.pk).update(
            state=State.READY,
            file_name=name,
            size=size,
            built_at=timezone.now(),
            build_seconds=time.perf_counter() - start,
            error="",
            fingerprint=mark,
        )
    row.refresh_from_db()
    return row


def default_year() -> int | None:
    """The year the report page opens on (the dashboards' default)."""
    plan_years = services.plan_years()
    if not plan_years:
        return None
    return selectors.default_year(horizon=plan_years)


@dataclass
class BuildRun:
    built: list[PreparedReport]
    failed: list[PreparedReport]
    purged: int
    version: int


def build_pending(*, prebuild: bool = False) -> BuildRun:
    """One pass of `build_reports`: every file asked for at the current official version
    (and, with `prebuild`, both files of the default year), then the older versions' files
    deleted. Rows asked for at an older version are not built: their askers' pages ask again
    at the current one."""
    version = datacache.current().official
    if prebuild and (year := default_year()) is not None:
        for file_format in KINDS:
            PreparedReport.objects.get_or_create(
                year=year, file_format=file_format, version=version
            )
    built, failed = [], []
    wanted = PreparedReport.objects.filter(
        version=version, state__in=[State.PENDING, State.BUILDING]
    ).order_by("requested_at", "pk")
    for row in wanted:
        if not _claim(row):
            continue
        with plans.showing(row.plan_code):  # the report of the plan it was asked for
            done = build(row)
        (built if done.state == State.READY else failed).append(done)
    return BuildRun(built, failed, purge(before=version), version)


def purge(*, before: int) -> int:
    """Delete the files and rows of versions older than `before` (nobody is sent them any
    more; a download already streaming keeps its open file on a local volume)."""
    old = list(PreparedReport.objects.filter(version__lt=before))
    # A file kept for a later version (same content: keep_same) stays.
    still = set(
        PreparedReport.objects.filter(version__gte=before).values_list("file_name", flat=True)
    )
    for row in old:
        if row.file_name and row.file_name not in still:
            default_storage.delete(row.file_name)
    PreparedReport.objects.filter(pk__in=[row.pk for row in old]).delete()
    return len(old)
