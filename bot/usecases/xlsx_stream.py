"""Rows of a large XLSX sheet read as a stream, so memory stays flat whatever the file size.

python-calamine is fast but loads a whole sheet into memory before its `iter_rows()` hands out
the first row (about 80 bytes a cell: 100,000 rows × 54 columns, an exported ledger, peak
above 500 MB). For sheets that large this reader decompresses the sheet XML from the zip a
megabyte at a time and parses only complete rows, dropping them once read; only the
shared-strings table (distinct texts) and the styles stay in memory. Cells come out as calamine gives them: text,
float, bool, date/datetime for date-formatted numbers, "" for empty.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import IO, Any
from xml.etree.ElementTree import Element, fromstring, iterparse, parse

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension[^>]*\bref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
# Built-in number formats that show dates or times (ECMA-376 §18.8.30, plus the CJK ones).
_DATE_FORMATS = {14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36,
                 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58}
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')


def _column(letters: str) -> int:
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return number - 1


def first_sheet_path(archive: zipfile.ZipFile) -> str:
    """The zip member of the workbook's first sheet (not always sheet1.xml)."""
    workbook = parse(archive.open("xl/workbook.xml")).getroot()
    sheet = workbook.find(f"{MAIN}sheets/{MAIN}sheet")
    if sheet is None:
        raise ValueError("the workbook has no sheets")
    rel_id = sheet.get(f"{REL}id")
    rels = parse(archive.open("xl/_rels/workbook.xml.rels")).getroot()
    for rel in rels.iter(f"{PACKAGE_REL}Relationship"):
        if rel.get("Id") == rel_id:
            target = rel.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    raise ValueError("the first sheet's part is missing from the workbook")


def sheet_cells(path: str) -> int | None:
    """rows × columns of the first sheet from its <dimension>, or None when it does not say."""
    with zipfile.ZipFile(path) as archive, archive.open(first_sheet_path(archive)) as sheet:
        head = sheet.read(1 << 16)
    match = _DIMENSION.search(head)
    if match is None or match[3] is None:
        return None
    rows = int(match[4]) - int(match[2]) + 1
    columns = _column(match[3].decode()) - _column(match[1].decode()) + 1
    return rows * columns


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in archive.namelist():
        return []
    strings: list[str] = []
    with archive.open("xl/sharedStrings.xml") as handle:
        for _, element in iterparse(handle):
            if element.tag == f"{MAIN}si":
                strings.append(_text(element))
                element.clear()
    return strings


def _text(element: Element) -> str:
    """Text of an <si> or <is>: its <t>, or its rich-text runs, without phonetic guides."""
    direct = element.find(f"{MAIN}t")
    if direct is not None:
        return direct.text or ""
    return "".join(run.findtext(f"{MAIN}t") or "" for run in element.iter(f"{MAIN}r"))


def _date_styles(archive: zipfile.ZipFile) -> tuple[frozenset[str], bool]:
    """Cell style indexes (as the `s` attribute spells them) that format numbers as dates, and
    whether the workbook counts days from 1904."""
    date1904 = False
    workbook = parse(archive.open("xl/workbook.xml")).getroot()
    properties = workbook.find(f"{MAIN}workbookPr")
    if properties is not None:
        date1904 = properties.get("date1904") in ("1", "true")
    if "xl/styles.xml" not in archive.namelist():
        return frozenset(), date1904
    styles = parse(archive.open("xl/styles.xml")).getroot()
    custom = {}
    for fmt in styles.iter(f"{MAIN}numFmt"):
        code = _QUOTED.sub("", fmt.get("formatCode", "")).lower()
        custom[int(fmt.get("numFmtId", "0"))] = any(c in code for c in "dy") or ("m" in code and "h" not in code and "s" not in code)
    xfs = styles.find(f"{MAIN}cellXfs")
    found = set()
    for index, xf in enumerate(xfs if xfs is not None else ()):
        fmt_id = int(xf.get("numFmtId", "0"))
        if fmt_id in _DATE_FORMATS or custom.get(fmt_id, False):
            found.add(str(index))
    return frozenset(found), date1904


def _as_date(serial: float, date1904: bool) -> date | datetime:
    start = datetime(1904, 1, 1) if date1904 else datetime(1899, 12, 30)
    moment = start + timedelta(days=serial)
    return moment.date() if serial == int(serial) else moment


CHUNK = 1 << 20  # bytes of sheet XML parsed at a time


def _row_batches(sheet: IO[bytes]) -> Iterator[Element]:
    """The sheet's <row> elements, parsed a megabyte of complete rows at a time.

    A row never contains "</row>" in its text (XML escapes "<"), so cutting the stream after
    the last "</row>" of each chunk yields whole rows; one C-level parse per chunk avoids the
    per-element events of iterparse, which cost more than the parsing itself.
    """
    head = b""
    while b"<sheetData" not in head and b":sheetData" not in head:
        more = sheet.read(CHUNK)
        if not more:
            return
        head += more
    found = re.search(rb"<(\w+:)?sheetData[^>]*?(/?)>", head)
    if found is None or found[2]:
        return  # an empty sheet: <sheetData/>
    prefix = found[1] or b""
    declare = b' xmlns:' + prefix[:-1] if prefix else b" xmlns"
    opening, closing = b"<" + prefix + b"row", b"</" + prefix + b"row>"
    buffer = head[found.end():]
    while True:
        end = buffer.rfind(closing)
        if end >= 0:
            first = buffer.find(opening)
            cut = end + len(closing)
            wrapped = b"<x" + declare + b'="' + MAIN[1:-1].encode() + b'">' + buffer[first:cut] + b"</x>"
            yield from fromstring(wrapped)
            buffer = buffer[cut:]
        more = sheet.read(CHUNK)
        if not more:
            return  # what is left holds no complete row: the sheet's closing tags
        buffer += more


def iter_rows(path: str) -> Iterator[tuple[int, list[Any]]]:
    """(row number as the sheet shows it, cells from column A) for every row that has cells."""
    with zipfile.ZipFile(path) as archive:
        shared = _shared_strings(archive)
        dates, date1904 = _date_styles(archive)
        row_tag, cell_tag, value_tag, inline_tag = f"{MAIN}row", f"{MAIN}c", f"{MAIN}v", f"{MAIN}is"
        number = 0
        columns: dict[str, int] = {}
        with archive.open(first_sheet_path(archive)) as sheet:
            for element in _row_batches(sheet):
                if element.tag != row_tag:
                    continue
                number = int(element.get("r") or number + 1)
                cells: list[Any] = []
                for cell in element:
                    if cell.tag != cell_tag:
                        continue
                    ref = cell.get("r")
                    if ref:
                        letters = ref.rstrip("0123456789")
                        index = columns.get(letters)
                        if index is None:
                            index = columns[letters] = _column(letters)
                        if index > len(cells):
                            cells.extend([""] * (index - len(cells)))
                    kind = cell.get("t", "n")
                    raw = cell.findtext(value_tag)
                    if kind == "s":
                        value: Any = shared[int(raw)] if raw else ""
                    elif kind == "inlineStr":
                        inline = cell.find(inline_tag)
                        value = _text(inline) if inline is not None else ""
                    elif raw is None or raw == "":
                        value = ""
                    elif kind == "b":
                        value = raw == "1"
                    elif kind in ("str", "e"):
                        value = raw
                    else:
                        value = float(raw)
                        if dates and cell.get("s", "0") in dates:
                            value = _as_date(value, date1904)
                    cells.append(value)
                if cells:
                    yield number, cells
