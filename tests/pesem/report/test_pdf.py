"""A long report's PDF laid out one part at a time (pesem.report.pdf.plan_parts) and joined:
it reads as one document (every page numbered "Página n de N" in order, the running header
on every page but the cover, the document's title), holds the same text as the PDF laid out
whole, and no part holds more than a part's work. Parts are made small here so the published
plan needs several."""

from __future__ import annotations

import io
import re
import subprocess
from collections import Counter
from types import SimpleNamespace

import pytest
from pypdf import PdfReader

from pesem.report import content as reports
from pesem.report import pdf as report_pdf
from tests.factories import needs_pdftotext, pdftotext

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("year_2016"),
    pytest.mark.usefixtures("portal_on"),
]


@pytest.fixture
def small_parts(monkeypatch):
    monkeypatch.setattr(report_pdf, "PART_BLOCKS", 2)
    monkeypatch.setattr(report_pdf, "PART_ROWS", 3)


@pytest.fixture(scope="module")
def built_once() -> dict:
    return {}


@pytest.fixture
def built(small_parts, built_once):
    """The 2016 report with its PDF in small parts and laid out whole, at one time: built by
    the first test that asks (every test has the same data, year_2016) and kept for the
    module, as each build takes seconds."""
    if not built_once:
        report = reports.monitoring_report(year=2016)
        generated = reports.timezone.now()
        built_once.update(
            report=report,
            parted=report_pdf.report_pdf(report, generated_at=generated),
            whole=report_pdf._write(
                report_pdf._layout(report_pdf.report_html(report, generated_at=generated))
            ),
        )
    return SimpleNamespace(**built_once)


def page_texts(content: bytes) -> list[str]:
    """Each page's text, as pdftotext reads it."""
    return pdftotext(content).split("\f")[:-1]  # a form feed ends every page


def test_no_part_holds_more_than_a_parts_work(small_parts):
    report = reports.monitoring_report(year=2016)
    parts = report_pdf.plan_parts(report)
    assert len(parts) > 3
    for part in parts:
        blocks = sum(len(p.rows) for p in part if p.name == "objective_blocks")
        rows = sum(len(p.rows) for p in part if p.name != "objective_blocks")
        assert blocks <= 2 and rows <= 3 or len(part) == 1

    # Every piece once, in the order of the whole document.
    def seen(piece) -> tuple:
        return piece.name, [getattr(r, "indicator", r) for r in piece.rows], piece.objective

    assert [seen(p) for part in parts for p in part] == [seen(p) for p in report_pdf.pieces(report)]
    shown = [r for part in parts for p in part if p.name == "objective_blocks" for r in p.rows]
    assert [r.indicator.code for r in shown] == [r.indicator.code for r in report.rows]


def test_a_short_report_is_one_document():
    report = reports.monitoring_report(year=2016)
    assert len(report_pdf.plan_parts(report)) == 1


@needs_pdftotext
def test_a_report_built_in_parts_reads_as_one_document(built):
    report, content = built.report, built.parted
    assert len(report_pdf.plan_parts(report)) > 3
    pages = page_texts(content)
    total = len(PdfReader(io.BytesIO(content)).pages)
    assert len(pages) == total > 3
    numbers = [re.findall(r"Página (\d+) de (\d+)", page) for page in pages]
    assert numbers == [[(str(n), str(total))] for n in range(1, total + 1)]
    running = f"{report.ministry} · {report.plan_name} · Reporte de seguimiento 2016"
    assert [running in " ".join(page.split()) for page in pages] == [False] + [True] * (total - 1)
    assert "(continuación)" in "".join(pages)
    metadata = PdfReader(io.BytesIO(content)).metadata
    assert metadata.title == f"Reporte de seguimiento 2016 · {report.plan_name}"
    assert metadata.author == report.ministry
    # Untagged, as docs/report-portal-api.md says: the join does not carry the parts'
    # structure over.
    assert "/StructTreeRoot" not in PdfReader(io.BytesIO(content)).trailer["/Root"]


@needs_pdftotext
def test_the_parts_hold_the_text_of_the_whole_document(built):
    parted, whole = built.parted, built.whole

    def lines(content: bytes) -> Counter:
        """Lines of text, without what belongs to a page or a part (header, footer,
        "(continuación)" headings and the table headers that open a part)."""
        found: Counter = Counter()
        for page in page_texts(content):
            for line in page.splitlines():
                line = line.strip()
                if line and "Página" not in line and "Generado el" not in line:
                    found[line] += 1
        return found

    a, b = lines(parted), lines(whole)
    assert sum(b.values()) > 100  # the whole report's lines, to compare
    # What the parts add: names repeated with "(continuación)", each page's header
    # lines and the repeated table headers; nothing of the whole document is missing.
    assert not (b - a), b - a
    assert all("(continuación)" in line or line in b for line in a), [
        line for line in a if line not in b
    ]


def bookmarks(reader: PdfReader, outline=None, level: int = 1) -> list[tuple[int, str, int]]:
    """The outline as (level, title, page index), in order."""
    found = []
    for item in reader.outline if outline is None else outline:
        if isinstance(item, list):
            found += bookmarks(reader, item, level + 1)
        else:
            found.append((level, item.title, reader.get_destination_page_number(item)))
    return found


@needs_pdftotext
def test_the_joined_file_keeps_the_bookmarks_and_reads_cleanly(built, tmp_path):
    """The parts are joined into the file as they come (lib.pdf): the file's
    cross-reference must be exact for strict readers, and the bookmarks of every part must
    be there, nested as in the whole document, each opening the page that shows its title."""
    parted, whole = built.parted, built.whole
    reader = PdfReader(io.BytesIO(parted), strict=True)
    (tmp_path / "reporte.pdf").write_bytes(parted)
    checked = subprocess.run(
        ["pdfinfo", tmp_path / "reporte.pdf"], capture_output=True, check=True, timeout=60
    )
    assert checked.stderr == b"", checked.stderr  # poppler reports any damage here
    assert f"Pages:           {len(reader.pages)}\n".encode() in checked.stdout

    found = bookmarks(reader)
    expected = bookmarks(PdfReader(io.BytesIO(whole)))
    assert len(expected) > 10
    # A part that goes on with an objective or a table repeats its heading "(continuación)".
    assert [(lv, t) for lv, t, _ in found if "(continuación)" not in t] == [
        (lv, t) for lv, t, _ in expected if "(continuación)" not in t
    ]
    pages = page_texts(parted)
    for _level, title, page in found:
        assert " ".join(title.split()) in " ".join(pages[page].split()), (title, page)
    assert [page for _lv, _t, page in found] == sorted(page for _lv, _t, page in found)
