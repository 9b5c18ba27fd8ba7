"""Rows of an XLSX sheet read as a stream, so memory stays flat whatever the file size.

python-calamine is fast but loads a whole sheet into memory before its `iter_rows()` hands out
the first row (about 80 bytes a cell: 100,000 rows × 54 columns, an exported ledger, peak
above 500 MB), and it does not say how a number is formatted. This reader decompresses the
sheet XML from the zip a megabyte at a time and parses only complete rows, dropping them once
read; only the shared-strings table (distinct texts) and the styles stay in memory. Cells come
out as calamine gives them — text, float, bool, date/datetime for date-formatted numbers, ""
for empty — except that an error cell keeps its text (e.g. "#N/A", where calamine gives "")
and a number formatted as a percentage is the percentage shown: a cell showing -35% (stored
as -0.35) reads -35.0, as the text "-35%" does in a CSV file.

Rows are taken apart with one regular expression over each chunk rather than an XML parser:
building an element for every cell and value cost 2.5× as much, and more again in a process
holding many objects (the garbage collector walks the elements). A chunk the expression does
not fully account for is read row by row, and a row it does not account for goes to the XML
parser, so an unusual file is read slowly but never misread.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from typing import IO, Any, NamedTuple
from xml.etree.ElementTree import fromstring

from spreadsheets.xlsx_parts import (
    MAIN, Parts, Styles, as_date, column_index, element_cells, percent_shown, read_styles, shared_strings,
)

_DIMENSION = re.compile(rb'<(?:\w+:)?dimension[^>]*\bref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


def last_row(path: str) -> int | None:
    """The first sheet's last row number from its <dimension>, or None when it does not say."""
    with zipfile.ZipFile(path) as archive:
        parts = Parts(archive)
        with parts.open(parts.first_sheet()) as sheet:
            head = sheet.read(1 << 16)
    match = _DIMENSION.search(head)
    if match is None:
        return None
    return int(match[4] or match[2])


CHUNK = 1 << 20  # bytes of sheet XML parsed at a time


class _Namespaces(NamedTuple):
    prefix: bytes  # of the main namespace in the sheet: b"" or e.g. b"x:"
    declared: bytes  # the worksheet's xmlns attributes (rows may use them: x14ac:dyDescent)


def _row_chunks(sheet: IO[bytes]) -> Iterator[tuple[_Namespaces, bytes]]:
    """The sheet's namespaces and the XML of whole <row> elements, about a megabyte at a time.

    A row never contains "</row>" in its text (XML escapes "<"), so cutting the stream after
    the last "</row>" of each chunk yields whole rows. A closing tag written "</row >" (well
    formed, if unusual) is rewritten "</row>" first.
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
    root = re.search(rb"<(?:\w+:)?worksheet\b[^>]*>", head)
    declared = re.findall(rb"""\bxmlns(?::[\w.-]+)?\s*=\s*(?:"[^"]*"|'[^']*')""", root[0]) if root else []
    namespaces = _Namespaces(prefix, b" ".join(declared) or b"xmlns" + (b":" + prefix[:-1] if prefix else b"")
                             + b'="' + MAIN[1:-1].encode() + b'"')
    opening, closing = b"<" + prefix + b"row", b"</" + prefix + b"row>"
    unclosed, spaced = b"</" + prefix + b"row", re.compile(rb"</" + re.escape(prefix) + rb"row\s+>")
    buffer = head[found.end():]
    while True:
        if buffer.count(unclosed) != buffer.count(closing):  # two fast scans; the pattern only then
            buffer = spaced.sub(closing, buffer)
        end = buffer.rfind(closing)
        if end >= 0:
            cut = end + len(closing)
            yield namespaces, buffer[buffer.find(opening):cut]
            buffer = buffer[cut:]
        more = sheet.read(CHUNK)
        if not more:
            return  # what is left holds no complete row: the sheet's closing tags
        buffer += more


def iter_rows(path: str) -> Iterator[tuple[int, list[Any]]]:
    """(row number as the sheet shows it, cells from column A) for every row that has cells."""
    with zipfile.ZipFile(path) as archive:
        parts = Parts(archive)
        reader = _RowReader(shared_strings(parts), read_styles(parts))
        with parts.open(parts.first_sheet()) as sheet:
            for namespaces, rows in _row_chunks(sheet):
                yield from reader.rows(namespaces, rows)


class _RowReader:
    """Turns chunks of <row> XML into cells. A row written the plain way generators write it
    (`<c r="A2" s="1" t="s"><v>0</v></c>`, inline `<is><t>…</t></is>`, formulas) is read with
    the cell pattern; one with anything else in it (rich or phonetic text, other attributes,
    cells without references) is parsed as XML: a row is taken by the pattern only when every
    cell in it matched."""

    def __init__(self, shared: list[str], styles: Styles) -> None:
        self.shared = shared
        self.styles = styles
        self.dates, self.percents, self.date1904 = styles
        self.number = 0
        self._columns: dict[bytes, int] = {}
        self._patterns: dict[bytes, _Patterns] = {}

    def rows(self, namespaces: _Namespaces, chunk: bytes) -> Iterator[tuple[int, list[Any]]]:
        patterns = self._patterns.get(namespaces.prefix)
        if patterns is None:
            patterns = self._patterns[namespaces.prefix] = _Patterns(namespaces.prefix)
        # Comments, CDATA and processing instructions ("<!", "<?") are rare: look for them only
        # in a chunk with a "!" or "?" in it (one memchr each, where "<!" costs 10%).
        markup = (b"!" in chunk or b"?" in chunk) and (b"<!" in chunk or b"<?" in chunk)
        references = b"&" in chunk and patterns.value_reference.search(chunk) is not None
        opened = chunk.count(patterns.opening)
        # Rows written back to back (one fast scan) leave no room for anything between them.
        between = chunk.count(patterns.adjacent) != opened - 1 and patterns.between_rows.search(chunk)
        if not markup and not references and not between:
            # The whole chunk at once (one call instead of one a row: a third faster), when the
            # pattern takes every row and every cell in it; else row by row.
            found = patterns.row_or_cell.findall(chunk)
            if opened == chunk.count(patterns.closing) and len(found) == opened + chunk.count(patterns.cell_start):
                yield from self._found(found)
                return
        for piece in chunk.split(patterns.closing)[:-1]:  # after the last "</row>": nothing, or spaces
            # One row, not self-closed, with no comment, CDATA or processing instruction (cell-like
            # text in them is not a cell) and no reference in a value, each cell taken by the
            # pattern; anything else as XML.
            if (piece.count(patterns.opening) != 1 or (markup and (b"<!" in piece or b"<?" in piece))
                    or (references and patterns.value_reference.search(piece))):
                yield from self._parsed(namespaces, piece + patterns.closing)
                continue
            found = patterns.row_or_cell.findall(piece)
            if (len(found) != piece.count(patterns.cell_start) + 1 or found[0][2]
                    or not piece.lstrip().startswith(patterns.opening)):
                yield from self._parsed(namespaces, piece + patterns.closing)
                continue
            yield from self._found(found)

    def _found(self, found: list[tuple[bytes, ...]]) -> Iterator[tuple[int, list[Any]]]:
        """Rows from the pattern's matches: a row's (its number, attributes, then five empty
        groups), then its cells' (two empty groups, column letters, style, type, value, inline
        text). Rows without cells are left out, as calamine leaves them."""
        cells: list[Any] = []
        add = cells.append
        columns, shared, dates, percents = self._columns, self.shared, self.dates, self.percents
        for number, attributes, letters, style, kind, value, inline in found:
            if not letters:  # a <row>: the previous one is complete
                if cells:
                    yield self.number, cells
                    cells = []
                    add = cells.append
                if not number:
                    given = _ROW_NUMBER.search(attributes)
                    number = given[1] if given else None
                self.number = int(number) if number else self.number + 1
                continue
            index = columns.get(letters)
            if index is None:
                index = columns[letters] = column_index(letters.decode())
            if index > len(cells):
                cells.extend([""] * (index - len(cells)))
            if not kind or kind == b"n":
                if not value:
                    add("")
                elif dates and (style or b"0") in dates:
                    add(as_date(float(value), self.date1904))
                elif percents and (style or b"0") in percents:
                    add(percent_shown(value))
                else:
                    add(float(value))
            elif kind == b"inlineStr":
                text = inline.decode()
                add(_unescaped(inline) if "&" in text or "\r" in text else text)
            elif kind == b"s":
                add(shared[int(value)] if value else "")
            elif kind == b"b":
                add(value == b"1" if value else "")
            else:  # str (a formula's text) or e (an error such as #N/A)
                add(_unescaped(value))
        if cells:
            yield self.number, cells

    def _parsed(self, namespaces: _Namespaces, rows: bytes) -> Iterator[tuple[int, list[Any]]]:
        wrapped = b"<x " + namespaces.declared + b">" + rows + b"</x>"
        for element in fromstring(wrapped):
            if element.tag != f"{MAIN}row":
                continue
            self.number = int(element.get("r") or self.number + 1)
            cells = element_cells(element, self.shared, self.styles)
            if cells:
                yield self.number, cells


class _Patterns:
    """The regular expressions for one namespace prefix ("" or e.g. "x:")."""

    def __init__(self, prefix: bytes) -> None:
        p = re.escape(prefix)
        # Possessive quantifiers (++, *+, ?+) where what follows can never be given back (a
        # fifth of the time); not in a formula's attributes, whose "/" a self-closed
        # <f t="shared" si="0"/> needs back.
        text = rb"<" + p + rb"t(?: xml:space=\"preserve\")?+>([^<]*+)</" + p + rb"t>"
        row = rb"<" + p + rb"""row\b(?: r="(\d++)")?+([^>]*+)>"""
        cell = (rb"<" + p + rb'c r="([A-Z]{1,3})\d++"(?: s="(\d++)")?+(?: t="(s|n|b|e|str|inlineStr)")?+(?:/>|>'
                rb"(?:<" + p + rb"f(?: [^>]*)?(?:/>|>[^<]*+</" + p + rb"f>))?+"
                rb"(?:<" + p + rb"v>([^<]*+)</" + p + rb"v>|<" + p + rb"is>" + text + rb"</" + p + rb"is>)?+"
                rb"</" + p + rb"c>)")
        self.row_or_cell = re.compile(row + rb"|" + cell)
        self.cell_start = b"<" + prefix + b"c"
        self.opening, self.closing = b"<" + prefix + b"row", b"</" + prefix + b"row>"
        self.value_reference = re.compile(rb"<" + p + rb"v>[^<]*&")  # <v>&#49;</v>: as XML reads it
        # Anything but blanks between one row's end and the next row (a stray cell, say).
        self.adjacent = b"</" + prefix + b"row><" + prefix + b"row"
        self.between_rows = re.compile(rb"</" + p + rb"row>(?!\s*+(?:<" + p + rb"row\b|\Z))")


_ROW_NUMBER = re.compile(rb"""(?:^|\s)r\s*=\s*["'](\d+)["']""")  # a row's r="…" where the pattern missed it
_ENTITY = re.compile(r"&(?:#x([0-9a-fA-F]+)|#([0-9]+)|(lt|gt|amp|quot|apos));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}


def _entity(match: re.Match[str]) -> str:
    hexadecimal, decimal, name = match.groups()
    if name:
        return _NAMED[name]
    return chr(int(hexadecimal, 16) if hexadecimal else int(decimal))


def _unescaped(raw: bytes) -> str:
    """Cell text as an XML parser reads it: line breaks as \n, entities and character
    references replaced (after that: a written &#13; stays a carriage return)."""
    text = raw.decode()  # then look in the text: `b"\r" in raw` raises and clears a TypeError first
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "&" in text:
        if "&" in _ENTITY.sub("", text):  # a bare "&" or an unknown entity: as the XML parser does
            raise ValueError(f"not well-formed XML: {text[:40]!r}")
        text = _ENTITY.sub(_entity, text)
    return text
