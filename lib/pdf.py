"""Join PDFs into one file while they come, holding one of them in memory at a time.

pypdf's PdfWriter keeps every page's objects until it writes the file, about seven times the
file's bytes (117 MB for the 15.5 MB report of 5,000 indicators), growing with the plan.
`PdfJoin` writes each part's objects to the target as soon as the part is added (renumbered
after the objects already written), then forgets them; what it keeps until the end is a
number a page and a few an outline entry (title, page, position). The file then gets one
page tree, one outline (the parts' bookmarks in order, nested by their own levels), the first
part's document information (title, author, dates) and language, and a classic
cross-reference table.

It is made for PDFs written by WeasyPrint: links and bookmarks point at pages of their own
part (kept); named destinations and tagged structure are not carried over (the report's
parts are laid out untagged: only a report in one part is a tagged PDF, pesem.report.pdf).
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import BinaryIO

from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NullObject,
    NumberObject,
    PdfObject,
    TextStringObject,
)

HEADER = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
CATALOG_KEPT = ("/Lang", "/PageLayout", "/PageMode", "/ViewerPreferences")


@dataclass(frozen=True)
class Bookmark:
    level: int
    title: str
    page: int  # object number in the joined file
    left: float | None
    top: float | None


def _ref(number: int) -> IndirectObject:
    return IndirectObject(number, 0, None)


def _position(value: object) -> float | None:
    if value is None or isinstance(value, NullObject):
        return None
    return float(value)  # type: ignore[arg-type]


class _Counter:
    """The target with the number of bytes written so far (the cross-reference needs each
    object's offset; the target need not seek)."""

    def __init__(self, target: BinaryIO) -> None:
        self.target = target
        self.position = 0

    def write(self, data: bytes) -> int:
        self.target.write(data)
        self.position += len(data)
        return len(data)


class PdfJoin:
    def __init__(self, target: BinaryIO) -> None:
        self.out = _Counter(target)
        self.offsets: list[int | None] = [None]  # object 0 is the free list's head
        self.pages_node = self._reserve()
        self.pages: list[int] = []
        self.bookmarks: list[Bookmark] = []
        self.info: DictionaryObject | None = None
        self.catalog_extra: dict[str, PdfObject] = {}
        self.out.write(HEADER)

    def _reserve(self) -> int:
        self.offsets.append(None)
        return len(self.offsets) - 1

    def _write_object(self, number: int, obj: PdfObject) -> None:
        self.offsets[number] = self.out.position
        self.out.write(f"{number} 0 obj\n".encode())
        obj.write_to_stream(self.out)
        self.out.write(b"\nendobj\n")

    def add(self, pdf: bytes, *, levels: Sequence[int] | None = None) -> None:
        """Write one PDF's pages (and whatever they use) after those already added.

        A part's outline nests its bookmarks among themselves only: a part that begins inside
        a section has that section's headings at its top. `levels`, the bookmarks' own levels
        in order (WeasyPrint's `bookmark-level`, h1 = 1), nests them as in one document."""
        reader = PdfReader(io.BytesIO(pdf))
        numbers: dict[int, int] = {}
        queue: list[int] = []

        def renumber(obj: PdfObject) -> PdfObject:
            if isinstance(obj, IndirectObject):
                if obj.idnum not in numbers:
                    numbers[obj.idnum] = self._reserve()
                    queue.append(obj.idnum)
                return _ref(numbers[obj.idnum])
            if isinstance(obj, DictionaryObject):  # stream objects too
                for key, value in list(dict.items(obj)):
                    dict.__setitem__(obj, key, renumber(value))
            elif isinstance(obj, ArrayObject):
                for index, value in enumerate(list.__iter__(obj)):
                    list.__setitem__(obj, index, renumber(value))
            return obj

        if self.info is None:
            self._keep_document_details(reader)
        # Pages as pypdf flattens them: attributes inherited from the part's page tree are
        # written on each page, which then points to the joined file's one page tree.
        flattened = {}
        for page in reader.pages:
            assert page.indirect_reference is not None
            flattened[page.indirect_reference.idnum] = page
            number = self._reserve()
            numbers[page.indirect_reference.idnum] = number
            queue.append(page.indirect_reference.idnum)
            self.pages.append(number)
        first = len(self.bookmarks)
        self._keep_bookmarks(reader.outline, numbers, level=1)
        if levels is not None:
            kept = self.bookmarks[first:]
            if len(levels) != len(kept):
                raise ValueError("Los niveles no corresponden a los marcadores de la parte.")
            self.bookmarks[first:] = [
                replace(bookmark, level=level) for bookmark, level in zip(kept, levels, strict=True)
            ]
        while queue:
            idnum = queue.pop()
            obj = flattened.get(idnum)
            if obj is not None:
                dict.pop(obj, "/Parent", None)
                renumber(obj)
                obj[NameObject("/Parent")] = _ref(self.pages_node)
            else:
                obj = renumber(reader.get_object(idnum))
            self._write_object(numbers[idnum], obj)

    def _keep_document_details(self, reader: PdfReader) -> None:
        info = DictionaryObject()
        for key, value in (reader.metadata or {}).items():
            if isinstance(value, str):
                info[NameObject(key)] = TextStringObject(value)
        self.info = info
        catalog = reader.trailer["/Root"]
        for key in CATALOG_KEPT:
            value = catalog.get(key)
            if value is not None and not isinstance(value, IndirectObject):
                self.catalog_extra[key] = value

    def _keep_bookmarks(self, outline: list, numbers: dict[int, int], *, level: int) -> None:
        for item in outline:
            if isinstance(item, list):  # the children of the bookmark before
                self._keep_bookmarks(item, numbers, level=level + 1)
                continue
            page = dict.get(item, "/Page")
            if not isinstance(page, IndirectObject) or page.idnum not in numbers:
                continue
            self.bookmarks.append(
                Bookmark(
                    level=level,
                    title=str(item.title),
                    page=numbers[page.idnum],
                    left=_position(dict.get(item, "/Left")),
                    top=_position(dict.get(item, "/Top")),
                )
            )

    def _write_outline(self) -> int | None:
        if not self.bookmarks:
            return None
        root = self._reserve()
        numbers = [self._reserve() for _ in self.bookmarks]
        parents: list[int] = []  # the outline item each bookmark sits under (-1: the root)
        children: dict[int, list[int]] = {-1: []}
        positions: list[int] = []  # among its siblings
        stack: list[int] = []  # indexes of the open ancestors
        for index, bookmark in enumerate(self.bookmarks):
            while stack and self.bookmarks[stack[-1]].level >= bookmark.level:
                stack.pop()
            parent = stack[-1] if stack else -1
            parents.append(parent)
            positions.append(len(children[parent]))
            children[parent].append(index)
            children[index] = []
            stack.append(index)

        def descendants(index: int) -> int:
            return sum(1 + descendants(child) for child in children[index])

        for index, bookmark in enumerate(self.bookmarks):
            parent = parents[index]
            siblings = children[parent]
            position = positions[index]
            item = DictionaryObject(
                {
                    NameObject("/Title"): TextStringObject(bookmark.title),
                    NameObject("/Parent"): _ref(root if parent < 0 else numbers[parent]),
                    NameObject("/Dest"): ArrayObject(
                        [
                            _ref(bookmark.page),
                            NameObject("/XYZ"),
                            NullObject() if bookmark.left is None else FloatObject(bookmark.left),
                            NullObject() if bookmark.top is None else FloatObject(bookmark.top),
                            NumberObject(0),
                        ]
                    ),
                }
            )
            if position > 0:
                item[NameObject("/Prev")] = _ref(numbers[siblings[position - 1]])
            if position < len(siblings) - 1:
                item[NameObject("/Next")] = _ref(numbers[siblings[position + 1]])
            if children[index]:
                item[NameObject("/First")] = _ref(numbers[children[index][0]])
                item[NameObject("/Last")] = _ref(numbers[children[index][-1]])
                # Closed: a long report's outline opens on its top level.
                item[NameObject("/Count")] = NumberObject(-descendants(index))
            self._write_object(numbers[index], item)
        top = children[-1]
        self._write_object(
            root,
            DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/Outlines"),
                    NameObject("/First"): _ref(numbers[top[0]]),
                    NameObject("/Last"): _ref(numbers[top[-1]]),
                    NameObject("/Count"): NumberObject(len(top)),
                }
            ),
        )
        return root

    def finish(self) -> None:
        """Write the page tree, the outline, the catalog and the cross-reference table."""
        self._write_object(
            self.pages_node,
            DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/Pages"),
                    NameObject("/Kids"): ArrayObject(_ref(page) for page in self.pages),
                    NameObject("/Count"): NumberObject(len(self.pages)),
                }
            ),
        )
        outline = self._write_outline()
        catalog = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Catalog"),
                NameObject("/Pages"): _ref(self.pages_node),
            }
        )
        for key, value in self.catalog_extra.items():
            catalog[NameObject(key)] = value
        if outline is not None:
            catalog[NameObject("/Outlines")] = _ref(outline)
        catalog_number = self._reserve()
        self._write_object(catalog_number, catalog)
        info_number = self._reserve()
        self._write_object(info_number, self.info or DictionaryObject())
        xref = self.out.position
        lines = [f"xref\n0 {len(self.offsets)}\n".encode(), b"0000000000 65535 f \n"]
        for offset in self.offsets[1:]:
            assert offset is not None, "an object was reserved and never written"
            lines.append(f"{offset:010d} 00000 n \n".encode())
        self.out.write(b"".join(lines))
        identifier = ByteStringObject(uuid.uuid4().bytes)
        trailer = DictionaryObject(
            {
                NameObject("/Size"): NumberObject(len(self.offsets)),
                NameObject("/Root"): _ref(catalog_number),
                NameObject("/Info"): _ref(info_number),
                NameObject("/ID"): ArrayObject([identifier, identifier]),
            }
        )
        self.out.write(b"trailer\n")
        trailer.write_to_stream(self.out)
        self.out.write(f"\nstartxref\n{xref}\n%%EOF\n".encode())
