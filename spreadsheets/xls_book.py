"""Rows of an Excel 97–2003 workbook (.xls, BIFF8), still what many Chinese offices keep.

python-calamine reads the values (texts, numbers, dates for date-formatted cells) but not how a
number is formatted, and gives "" for an error cell: a cell showing -35% comes out as -0.35, a
#DIV/0! as nothing. So the first sheet's records are also scanned here, once, for the cells
whose format is a percentage and for error cells; those read as `xlsx_stream` reads them in an
XLSX file: -35% as -35.0, an error as its text ("#DIV/0!", which the row check refuses).

The whole sheet is held in memory (calamine reads it so; a BIFF8 sheet has at most 65,536
rows). An Excel 5.0/95 workbook, a password-protected one or a file that only has an .xls
name (a web page or text that some systems export as "xls") is refused with what to do.
"""

from __future__ import annotations

import struct
from array import array
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import python_calamine

from spreadsheets.xlsx_parts import PERCENT_FORMATS, format_kind, percent_shown

MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE2 compound file
_END_OF_CHAIN, _FREE = 0xFFFFFFFE, 0xFFFFFFFF
_ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!",
           0x2A: "#N/A", 0x2B: "#GETTING_DATA"}
# BIFF8 record types read here.
_BOF, _EOF, _FILEPASS, _BOUNDSHEET, _FORMAT, _XF = 0x0809, 0x000A, 0x002F, 0x0085, 0x041E, 0x00E0
_NUMBER, _RK, _MULRK, _FORMULA, _BOOLERR = 0x0203, 0x027E, 0x00BD, 0x0006, 0x0205
_BIFF8 = 0x0600
_HEADER = struct.Struct("<HH").unpack_from  # a record's type and length
_CELL = struct.Struct("<HHH").unpack_from  # a cell record's row, column and style (XF index)


class Unreadable(Exception):
    """Why a file cannot be read as an .xls: `key` names the wording in the import catalogue,
    `params` (beside the file's name) fill it in."""

    def __init__(self, key: str, **params: str) -> None:
        super().__init__(key)
        self.key, self.params = key, params


class Book:
    """The first worksheet of an .xls file: `total` rows, `rows()` as (row number, cells)."""

    def __init__(self, cells: list[list[Any]], marks: _Marks) -> None:
        self._cells = cells
        self._marks = marks
        self.total = len(cells)

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        percents, errors = self._marks.percents, self._marks.errors
        for index, cells in enumerate(self._cells):
            if index in percents or index in errors:
                cells = self._marked(cells, percents.get(index, ()), errors.get(index, {}))
            yield index + 1, cells

    @staticmethod
    def _marked(cells: list[Any], percents: Iterable[int], errors: dict[int, str]) -> list[Any]:
        """A copy of a row with its percentages as shown and its error cells as their text."""
        cells = list(cells)
        for column in percents:
            if column < len(cells) and cells[column].__class__ in (int, float):
                cells[column] = percent_shown(cells[column])
        for column, text in errors.items():
            if column < len(cells) and cells[column] == "":
                cells[column] = text
        return cells


def open_book(path: Path) -> Book:
    """The first worksheet of the .xls at `path`; `Unreadable` says why not."""
    try:
        sheet, marks = _scan(_workbook_stream(path.read_bytes()))
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        cells = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except (python_calamine.CalamineError, ValueError, IndexError, struct.error) as exc:
        raise Unreadable("not_xls", detail=str(exc) or type(exc).__name__) from None
    return Book(cells, marks)


# ---------------------------------------------------------------- the compound file


def _workbook_stream(data: bytes) -> bytes:
    """The "Workbook" stream of an OLE2 compound file (MS-CFB): where Excel keeps the BIFF records."""
    if data[:8] != MAGIC:
        raise Unreadable("xls_not_excel")
    shift, mini_shift = struct.unpack_from("<HH", data, 30)
    size, mini_size = 1 << shift, 1 << mini_shift
    fat_sectors, directory, _, cutoff, minifat, _, difat_next, difat_sectors = struct.unpack_from("<8I", data, 44)

    def sector(n: int) -> bytes:
        if (n + 1) * size >= len(data):
            raise ValueError(f"sector {n} is past the end of the file")
        return data[(n + 1) * size:(n + 2) * size]

    difat = list(struct.unpack_from("<109I", data, 76))
    for _ in range(difat_sectors):
        more = struct.unpack(f"<{size // 4}I", sector(difat_next))
        difat.extend(more[:-1])
        difat_next = more[-1]
    fat = array("I", b"".join(sector(n) for n in difat[:fat_sectors]))

    def chain(start: int, table: array[int]) -> list[int]:
        found: list[int] = []
        while start not in (_END_OF_CHAIN, _FREE):
            if start >= len(table) or len(found) > len(table):
                raise ValueError("a broken sector chain")
            found.append(start)
            start = table[start]
        return found

    entries = b"".join(sector(n) for n in chain(directory, fat))
    streams = {}
    for offset in range(0, len(entries), 128):
        entry = entries[offset:offset + 128]
        length = struct.unpack_from("<H", entry, 64)[0]
        name = entry[:max(0, length - 2)].decode("utf-16-le", "replace").lower()
        streams.setdefault(name, struct.unpack_from("<II", entry, 116))  # first sector, size
    if "workbook" not in streams:
        raise Unreadable("xls_old" if "book" in streams else "xls_not_excel")
    start, stream_size = streams["workbook"]
    if stream_size >= cutoff:
        return b"".join(sector(n) for n in chain(start, fat))[:stream_size]
    root_start, _ = streams["root entry"]  # small streams live in the root's mini stream
    mini_stream = b"".join(sector(n) for n in chain(root_start, fat))
    mini_fat = array("I", b"".join(sector(n) for n in chain(minifat, fat)))
    return b"".join(mini_stream[n * mini_size:(n + 1) * mini_size] for n in chain(start, mini_fat))[:stream_size]


# ---------------------------------------------------------------- the BIFF8 records


class _Marks:
    """The cells of one sheet that read otherwise than calamine gives them: row index →
    columns formatted as percentages, and row index → {column: error text}."""

    def __init__(self) -> None:
        self.percents: dict[int, list[int]] = {}
        self.errors: dict[int, dict[int, str]] = {}


def _records(stream: bytes) -> Iterator[tuple[int, bytes]]:
    """(type, body) of each record of the workbook globals (up to their EOF)."""
    offset = 0
    while offset + 4 <= len(stream):
        kind, length = _HEADER(stream, offset)
        yield kind, stream[offset + 4:offset + 4 + length]
        if kind == _EOF:
            return
        offset += 4 + length


def _unicode(body: bytes, at: int, count: int) -> str:
    """A BIFF8 string of `count` characters whose flags byte is at `at`."""
    if body[at] & 1:
        return body[at + 1:at + 1 + 2 * count].decode("utf-16-le", "replace")
    return body[at + 1:at + 1 + count].decode("latin-1")


def _scan(stream: bytes) -> tuple[str, _Marks]:
    """The first worksheet's name and its percent and error cells."""
    formats: dict[int, str] = {}
    percent_styles: set[int] = set()
    style = 0
    first: tuple[int, str] | None = None
    for kind, body in _records(stream):
        if kind == _BOF and struct.unpack_from("<H", body)[0] != _BIFF8:
            raise Unreadable("xls_old")
        if kind == _FILEPASS:
            raise Unreadable("xls_password")
        if kind == _FORMAT:
            number, count = struct.unpack_from("<HH", body)
            formats[number] = _unicode(body, 4, count)
        elif kind == _XF:
            number = struct.unpack_from("<H", body, 2)[0]
            if number in PERCENT_FORMATS or (number in formats and format_kind(formats[number]) == "percent"):
                percent_styles.add(style)
            style += 1
        elif kind == _BOUNDSHEET and first is None and body[5] == 0:  # a worksheet, not a chart
            first = (struct.unpack_from("<I", body)[0], _unicode(body, 7, body[6]))
    if first is None:
        raise ValueError("the workbook has no worksheet")
    return first[1], _sheet_marks(stream, first[0], percent_styles)


def _sheet_marks(stream: bytes, offset: int, percent_styles: set[int]) -> _Marks:
    """The marks of the sheet whose records start at `offset`. Walked without a body copy per
    record: a sheet of 60,000 rows has a million of them."""
    marks = _Marks()
    numbers = (_NUMBER, _RK) if percent_styles else ()
    end = len(stream)
    while offset + 4 <= end:
        kind, length = _HEADER(stream, offset)
        at = offset + 4
        offset = at + length
        if kind in numbers:
            row, column, style = _CELL(stream, at)
            if style in percent_styles:
                marks.percents.setdefault(row, []).append(column)
        elif kind == _MULRK and percent_styles:
            row, column = _HEADER(stream, at)
            for index in range((length - 6) // 6):
                if struct.unpack_from("<H", stream, at + 4 + 6 * index)[0] in percent_styles:
                    marks.percents.setdefault(row, []).append(column + index)
        elif kind == _FORMULA:
            row, column, style = _CELL(stream, at)
            if stream[at + 12:at + 14] != b"\xff\xff":  # a number
                if style in percent_styles:
                    marks.percents.setdefault(row, []).append(column)
            elif stream[at + 6] == 2:  # an error
                marks.errors.setdefault(row, {})[column] = _ERRORS.get(stream[at + 8], "#ERROR")
        elif kind == _BOOLERR and stream[at + 7] == 1:
            row, column = _HEADER(stream, at)
            marks.errors.setdefault(row, {})[column] = _ERRORS.get(stream[at + 6], "#ERROR")
        elif kind == _EOF:
            break
    return marks
