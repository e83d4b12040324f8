"""lib.pdf joins PDFs with pypdf's writer: every page in order, one outline nested by the
levels the parts' bookmarks had in the whole document (closed below the top level), the first
part's title, author and language, a file strict readers accept."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from weasyprint import HTML

from lib.pdf import PdfJoin

FIRST = """<html lang="es"><head><title>Reporte 2016</title><meta name="author" content="MINAM">
</head><body><h1>Resumen</h1><h2>Cobertura</h2><h3>Por objetivo</h3>
<h2 style="break-before: page">Avance</h2></body></html>"""
# A part that begins inside "Avance": its own outline starts afresh at its first heading.
SECOND = """<html><head><title>otra</title></head><body><h2>Avance (continuación)</h2>
<h3>OE2.1</h3><h1 style="break-before: page">Conclusiones</h1></body></html>"""


def outline(reader: PdfReader, items=None, level: int = 1) -> list[tuple[int, str, int]]:
    found = []
    for item in reader.outline if items is None else items:
        if isinstance(item, list):
            found += outline(reader, item, level + 1)
        else:
            found.append((level, item.title, reader.get_destination_page_number(item)))
    return found


def joined(*parts: tuple[str, list[int] | None]) -> PdfReader:
    out = io.BytesIO()
    join = PdfJoin(out)
    for html, levels in parts:
        join.add(HTML(string=html).write_pdf(), levels=levels)
    join.finish()
    return PdfReader(io.BytesIO(out.getvalue()), strict=True)


def test_the_parts_bookmarks_nest_as_in_one_document():
    reader = joined((FIRST, [1, 2, 3, 2]), (SECOND, [2, 3, 1]))
    assert len(reader.pages) == 4
    assert outline(reader) == [
        (1, "Resumen", 0),
        (2, "Cobertura", 0),
        (3, "Por objetivo", 0),
        (2, "Avance", 1),
        (2, "Avance (continuación)", 2),
        (3, "OE2.1", 2),
        (1, "Conclusiones", 3),
    ]
    first = reader.root_object["/Outlines"]["/First"].get_object()
    assert first["/Count"] < 0  # closed: the outline opens on its top level
    assert reader.metadata.title == "Reporte 2016" and reader.metadata.author == "MINAM"
    assert reader.root_object["/Lang"] == "es"
    assert "/StructTreeRoot" not in reader.root_object
    ids = reader.trailer["/ID"]
    assert len(ids) == 2 and ids[0] == ids[1]


def test_without_levels_a_part_keeps_its_own_nesting():
    reader = joined((FIRST, None), (SECOND, None))
    assert [(lv, t) for lv, t, _ in outline(reader)][-3:] == [
        (1, "Avance (continuación)"),
        (2, "OE2.1"),
        (1, "Conclusiones"),
    ]


def test_levels_that_do_not_match_the_bookmarks_are_refused():
    with pytest.raises(ValueError, match="niveles"):
        joined((FIRST, [1, 2]))
