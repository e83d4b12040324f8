"""Spreadsheet cells that never run as formulas (OWASP "CSV injection").

Every CSV, TSV and XLSX the system writes goes through here: text typed by people (a note, an
action's description, an indicator's name edited in admin) that begins with `=`, `+`, `-`,
`@`, a tab or a carriage return would be run by Excel or LibreOffice as a formula.

- CSV/TSV: such text gets a leading `'` (`safe_cell`, `neutralize_row`), which spreadsheets
  show and never evaluate.
- XLSX: the cell is written as a string (data type "s", never "f") with the quote-prefix
  style, so Excel shows the text and keeps it text even when someone edits the cell
  (`write_rows`, `protect_sheet`). The text itself is unchanged.

Numbers stay numbers (a negative number is not text). Reading our own files back,
`unquote_cell` removes the `'` that `safe_cell` added, so exports round-trip.

Bottom layer (objectives/): every app may use it.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# What XML 1.0 (so XLSX) cannot hold at all; openpyxl refuses such text with an exception.
REPLACEMENT = "\ufffd"


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
    """A workbook with one sheet per entry (title -> rows, header first), written safely."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        write_rows(workbook.create_sheet(title=title), rows)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
