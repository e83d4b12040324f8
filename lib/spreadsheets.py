"""Spreadsheet cells that never run as formulas (OWASP "CSV injection").

Every CSV, TSV and XLSX the system writes goes through here: text typed by people (a note, an
action's description, an indicator's name edited in admin) that begins with `=`, `+`, `-`,
`@`, a tab or a carriage return would be run by Excel or LibreOffice as a formula.

- CSV/TSV: such text gets a leading `'` (`safe_cell`, `neutralize_row`), which spreadsheets
  show and never evaluate.
- XLSX: the cell is written as a string (data type "s", never "f") with the quote-prefix
  style, so Excel shows the text and keeps it text even when someone edits the cell
  (`write_rows`, `protect_sheet`; `stream_xlsx` for a one-sheet file sent while its rows are
  read). The text itself is unchanged.

Numbers stay numbers (a negative number is not text). Reading our own files back,
`unquote_cell` removes the `'` that `safe_cell` added, so exports round-trip.

Every workbook handed out as a table (the monitoring report, the portal's open-data files,
the import template) is written by `styled_xlsx` in one house style (`table_sheet`); the
tablero's export is streamed (`stream_xlsx`), django-tables2's whole export is plain
(`xlsx_bytes`).

Bottom layer (lib/): imports no app; every app may use it.
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# An XLSX is a zip: checked on the raw bytes before openpyxl opens it, so a small file that
# unpacks to gigabytes (a "zip bomb") is refused without being unpacked.
MAX_XLSX_UNPACKED = 20 * 1024 * 1024  # sum of the members' uncompressed sizes
MAX_XLSX_RATIO = 100  # uncompressed / compressed, for any member over RATIO_FROM
RATIO_FROM = 1024 * 1024
MAX_XLSX_MEMBERS = 1000
DAMAGED = "No se pudo leer el archivo XLSX (¿está dañado?)."
# What XML 1.0 (so XLSX) cannot hold at all; openpyxl refuses such text with an exception.
REPLACEMENT = "\ufffd"


class UnreadableWorkbook(Exception):
    """An XLSX that is not opened, with the reason in Spanish: damaged, too many parts, too
    big unpacked, or compressed as a zip bomb is."""


def fold(name: str) -> str:
    """A sheet or column name without case, accents or surrounding spaces: «Año» -> «ano»,
    «Articulación» -> «articulacion»."""
    decomposed = unicodedata.normalize("NFKD", name.strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def check_xlsx(content: bytes) -> None:
    """Sizes as the zip declares them (Python's zipfile never unpacks more than declared)."""
    try:
        members = zipfile.ZipFile(io.BytesIO(content)).infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise UnreadableWorkbook(DAMAGED) from None
    if len(members) > MAX_XLSX_MEMBERS:
        raise UnreadableWorkbook(
            f"El archivo XLSX contiene {len(members):,} partes; el máximo es "
            f"{MAX_XLSX_MEMBERS:,}. No se abrió."
        )
    unpacked = sum(m.file_size for m in members)
    if unpacked > MAX_XLSX_UNPACKED:
        raise UnreadableWorkbook(
            f"El archivo XLSX descomprimido ocuparía {unpacked / 1024 / 1024:,.1f} MB; el máximo "
            f"es {MAX_XLSX_UNPACKED // 1024 // 1024} MB. No se abrió."
        )
    for member in members:
        if member.file_size > RATIO_FROM and member.file_size > MAX_XLSX_RATIO * max(
            member.compress_size, 1
        ):
            raise UnreadableWorkbook(
                f"El archivo XLSX está comprimido de forma anómala (más de {MAX_XLSX_RATIO} a 1 "
                "en una de sus partes). No se abrió."
            )


def is_formula_like(value: object) -> bool:
    """Text a spreadsheet would read as a formula (numbers never are)."""
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def safe_cell(value: object) -> object:
    """A CSV/TSV cell: formula-like text gets a leading `'`; anything else is unchanged."""
    if is_formula_like(value):
        return "'" + str(value)
    return value


def neutralize_row(row: Iterable[object]) -> list[object]:
    """A CSV/TSV row with every formula-like text cell quoted (see `safe_cell`)."""
    return [safe_cell(value) for value in row]


def unquote_cell(value: object) -> object:
    """Read back a text cell: the `'` that `safe_cell` put before `=+-@`, tab or CR goes."""
    if isinstance(value, str) and value.startswith("'") and is_formula_like(value[1:]):
        return value[1:]
    return value


def xlsx_value(value: object) -> object:
    """What may be put in an openpyxl cell: characters XML cannot hold become U+FFFD; lazy
    (translated) text becomes plain text."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub(REPLACEMENT, value)
    return value


def protect_cell(cell: Cell) -> None:
    """A text cell stays text: never a formula, quote-prefixed when it looks like one."""
    if not isinstance(cell.value, str):
        return
    if cell.data_type == "f" or is_formula_like(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True


def protect_sheet(sheet: Worksheet) -> None:
    """Make every cell of an already-filled worksheet safe (see `protect_cell`)."""
    for row in sheet.iter_rows():
        for cell in row:
            protect_cell(cell)


def write_rows(sheet: Worksheet, rows: Iterable[Sequence[object]]) -> None:
    """Append rows to a worksheet; text that looks like a formula is written as text. Each
    cell is made safe before it is appended (looking the appended row up again through
    `sheet.max_row` walks every cell: thousands of rows took minutes)."""
    for row in rows:
        cells = []
        for value in row:
            cell = Cell(sheet, value=xlsx_value(value))
            protect_cell(cell)
            cells.append(cell)
        sheet.append(cells)


def xlsx_bytes(sheets: dict[str, Sequence[Sequence[object]]]) -> bytes:
    """A plain workbook with one sheet per entry (title -> rows, header first), written
    safely: django-tables2's whole XLSX export (the tablero streams its own: `stream_xlsx`)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        write_rows(workbook.create_sheet(title=title), rows)
    return _saved(workbook)


def _saved(workbook: Workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- Styled workbooks: every table the system hands out as XLSX ---------------------------

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="8A1538")  # the site's colour
DECIMAL = "#,##0.00####"  # a number without its own format: thousands, at least two decimals
FIT_MIN, FIT_MAX = 8, 60  # a fitted column's width in characters; longer text wraps
TOP = Alignment(vertical="top")
WRAPPED = Alignment(wrap_text=True, vertical="top")


@dataclass(frozen=True)
class Column:
    """A table's column: its header, its width in characters (None: fitted to the longest
    value, FIT_MIN to FIT_MAX, text longer than FIT_MAX wrapped) and whether its text wraps."""

    title: str
    width: float | None = None
    wrap: bool = False


@dataclass(frozen=True)
class Styled:
    """A cell with a look of its own: a number format (a number's display: '#,##0.00',
    '0.0%'), a fill colour (ARGB, 'FFA9D8B4'), bold, a font size."""

    value: object
    number_format: str | None = None
    fill: str | None = None
    bold: bool = False
    size: float | None = None


@dataclass
class TableSheet:
    """A sheet read as a table. `above`: rows before the header (a title block)."""

    title: str
    columns: Sequence[Column | str]
    rows: Sequence[Sequence[object]]
    above: Sequence[Sequence[object]] = ()


def _plain(value: object) -> object:
    return value.value if isinstance(value, Styled) else value


def _style(cell: Cell, value: object) -> None:
    if not isinstance(value, Styled):
        return
    if value.number_format is not None:
        cell.number_format = value.number_format
    if value.fill is not None:
        cell.fill = PatternFill("solid", fgColor=value.fill)
    if value.bold or value.size is not None:
        cell.font = Font(bold=value.bold, size=value.size)


def _print_setup(sheet: Worksheet, header_row: int) -> None:
    """A4 landscape, every column on one page's width (fitToHeight 0: as many pages down as
    the rows need), the header row printed again at the top of each page."""
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{header_row}:{header_row}"


def table_sheet(workbook: Workbook, table: TableSheet) -> Worksheet:
    """Add `table` to the workbook in the house style: the title block, then the header row
    (bold white on the site's colour, wrapped) frozen with an autofilter over the table;
    widths per column; numbers stay numbers, shown with their own format or DECIMAL; text
    cells top-aligned; printed on A4 landscape, one page wide, the header on every page.
    Every cell is written through `write_rows` (formula-like text stays text)."""
    columns = [c if isinstance(c, Column) else Column(c) for c in table.columns]
    sheet = workbook.create_sheet(title=table.title[:31])
    header_row = len(table.above) + 1
    write_rows(
        sheet,
        [
            *([_plain(v) for v in row] for row in table.above),
            [c.title for c in columns],
            *([_plain(v) for v in row] for row in table.rows),
        ],
    )
    for number, row in enumerate(table.above, start=1):
        for index, value in enumerate(row, start=1):
            _style(sheet.cell(row=number, column=index), value)
    longest = [len(c.title) for c in columns]
    for index in range(1, len(columns) + 1):
        header = sheet.cell(row=header_row, column=index)
        header.font, header.fill, header.alignment = HEADER_FONT, HEADER_FILL, WRAPPED
    for number, row in enumerate(table.rows, start=header_row + 1):
        for index, value in enumerate(row, start=1):
            cell = sheet.cell(row=number, column=index)
            column = columns[index - 1]
            if cell.value is not None:
                longest[index - 1] = max(longest[index - 1], len(str(cell.value)))
            if isinstance(cell.value, float) and not isinstance(value, Styled):
                cell.number_format = DECIMAL
            _style(cell, value)
            long_text = isinstance(cell.value, str) and len(cell.value) > FIT_MAX
            fitted_long = column.width is None and long_text
            cell.alignment = WRAPPED if column.wrap or fitted_long else TOP
    for index, column in enumerate(columns, start=1):
        width = column.width
        if width is None:
            width = min(max(longest[index - 1], FIT_MIN) + 2, FIT_MAX + 2)
        sheet.column_dimensions[get_column_letter(index)].width = width
    last_row = header_row + len(table.rows)
    sheet.freeze_panes = f"A{header_row + 1}"
    sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(len(columns))}{last_row}"
    _print_setup(sheet, header_row)
    return sheet


def styled_xlsx(tables: Iterable[TableSheet]) -> bytes:
    """A workbook of one styled sheet per table (`table_sheet`), in order."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in tables:
        table_sheet(workbook, table)
    return _saved(workbook)


# --- A one-sheet workbook written while its rows are read ---------------------------------

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STREAM_ROWS = 200  # rows compressed between two chunks handed to the response
_SHEET_TITLE_REFUSED = re.compile(r"[\\/?*:\[\]]")
# XML reads a bare carriage return back as a line break: written as a reference, it stays.
_TEXT_ENTITIES = {"\r": "&#13;"}
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_STATIC_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_OFFICE}.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        f'ContentType="{_OFFICE}.worksheet+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{_OFFICE}.styles+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<Relationships xmlns="{_PKG_REL}">'
        f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<Relationships xmlns="{_PKG_REL}">'
        f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/>'
        "</Relationships>"
    ),
    # Style 0: the default; style 1: quote prefix (text that looks like a formula); style 2:
    # bold (the header row).
    "xl/styles.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<styleSheet xmlns="{_MAIN}">'
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        "</cellStyleXfs>"
        '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/>'
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    ),
}


class _Chunks(io.RawIOBase):
    """zipfile's output: keeps what was written until it is taken. It cannot seek, so
    zipfile writes each entry's sizes after its data (a data descriptor), as streaming
    zip writers do; Excel, LibreOffice and openpyxl read such files."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # type: ignore[override]
        self._parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def _xml_cell(reference: str, value: object, *, header: bool) -> str:
    value = xlsx_value(value)
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return f'<c r="{reference}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float | Decimal) and math.isfinite(value):
        return f'<c r="{reference}"><v>{value}</v></c>'
    text = str(value)
    style = ' s="2"' if header else (' s="1"' if is_formula_like(text) else "")
    return (
        f'<c r="{reference}" t="inlineStr"{style}><is>'
        f'<t xml:space="preserve">{escape(text, _TEXT_ENTITIES)}</t></is></c>'
    )


def _xml_row(number: int, row: Sequence[object], letters: list[str]) -> str:
    while len(letters) < len(row):
        letters.append(get_column_letter(len(letters) + 1))
    cells = "".join(
        _xml_cell(f"{letters[i]}{number}", value, header=number == 1) for i, value in enumerate(row)
    )
    return f'<row r="{number}">{cells}</row>'


def stream_xlsx(title: str, rows: Iterable[Sequence[object]]) -> Iterator[bytes]:
    """A workbook of one sheet (header row first, in bold) handed out in pieces while `rows`
    are read: the package's fixed parts leave before the first row is asked for, then the
    sheet's XML compressed every STREAM_ROWS rows, so no copy of the whole file is held.
    Text is written inline, never as a formula; text that looks like one gets the
    quote-prefix style (as `write_rows` does). Empty cells ("" or None) are left out."""
    title = _SHEET_TITLE_REFUSED.sub(" ", str(title))[:31].strip() or "Hoja1"
    out = _Chunks()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as book:
        for name, xml in _STATIC_PARTS.items():
            book.writestr(name, xml)
        book.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
            f'<sheet name={quoteattr(title)} sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        yield out.take()
        with book.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                f'<worksheet xmlns="{_MAIN}"><sheetData>'.encode()
            )
            letters: list[str] = []
            for number, row in enumerate(rows, start=1):
                sheet.write(_xml_row(number, row, letters).encode())
                if number % STREAM_ROWS == 0 and (chunk := out.take()):
                    yield chunk
            sheet.write(b"</sheetData></worksheet>")
    yield out.take()
