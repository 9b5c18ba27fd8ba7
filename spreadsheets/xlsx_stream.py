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

import posixpath
import re
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import IO, Any, NamedTuple
from xml.etree.ElementTree import Element, fromstring, iterparse, parse

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension[^>]*\bref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
# Built-in number formats that show dates or times (ECMA-376 §18.8.30, plus the CJK ones).
_DATE_FORMATS = {14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36,
                 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58}
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')
PERCENT_FORMATS = {9, 10}  # 0% and 0.00% (the same built-in numbers in .xls)


def _column(letters: str) -> int:
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return number - 1


class _Parts:
    """A workbook's parts, found as its relationships name them and matched without regard to
    case: some exporters write xl/SharedStrings.xml or point to parts under other names."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self._names = {name.lower(): name for name in archive.namelist()}
        self.workbook = parse(self.open("xl/workbook.xml")).getroot()
        self._by_id: dict[str | None, str] = {}
        self._by_type: dict[str, str] = {}
        for rel in parse(self.open("xl/_rels/workbook.xml.rels")).getroot().iter(f"{PACKAGE_REL}Relationship"):
            target = rel.get("Target", "")
            part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            self._by_id[rel.get("Id")] = part
            self._by_type.setdefault(rel.get("Type", "").rsplit("/", 1)[-1], part)

    def open(self, name: str) -> IO[bytes]:
        """The part `name`; KeyError when the workbook lacks it."""
        return self.archive.open(self._names.get(name.lower(), name))

    def find(self, kind: str) -> str | None:
        """The part of relationship type `kind` ("sharedStrings", "styles"), if there is one."""
        name = self._by_type.get(kind, f"xl/{kind}.xml")
        return self._names.get(name.lower())

    def first_sheet(self) -> str:
        """The part of the workbook's first sheet (not always sheet1.xml)."""
        sheet = self.workbook.find(f"{MAIN}sheets/{MAIN}sheet")
        if sheet is None:
            raise ValueError("the workbook has no sheets")
        part = self._by_id.get(sheet.get(f"{REL}id"))
        if part is None:
            raise ValueError("the first sheet's part is missing from the workbook")
        return part


def last_row(path: str) -> int | None:
    """The first sheet's last row number from its <dimension>, or None when it does not say."""
    with zipfile.ZipFile(path) as archive:
        parts = _Parts(archive)
        with parts.open(parts.first_sheet()) as sheet:
            head = sheet.read(1 << 16)
    match = _DIMENSION.search(head)
    if match is None:
        return None
    return int(match[4] or match[2])


def _shared_strings(parts: _Parts) -> list[str]:
    name = parts.find("sharedStrings")
    if name is None:
        return []
    strings: list[str] = []
    with parts.open(name) as handle:
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


class _Styles(NamedTuple):
    """Cell style indexes (as the `s` attribute spells them) that show numbers as dates or as
    percentages, and whether the workbook counts days from 1904."""

    dates: frozenset[bytes]
    percents: frozenset[bytes]
    date1904: bool


def _styles(parts: _Parts) -> _Styles:
    date1904 = False
    properties = parts.workbook.find(f"{MAIN}workbookPr")
    if properties is not None:
        date1904 = properties.get("date1904") in ("1", "true")
    name = parts.find("styles")
    if name is None:
        return _Styles(frozenset(), frozenset(), date1904)
    styles = parse(parts.open(name)).getroot()
    custom_dates, custom_percents = set(), set()
    for fmt in styles.iter(f"{MAIN}numFmt"):
        kind = format_kind(fmt.get("formatCode", ""))
        fmt_id = int(fmt.get("numFmtId", "0"))
        if kind == "date":
            custom_dates.add(fmt_id)
        elif kind == "percent":
            custom_percents.add(fmt_id)
    xfs = styles.find(f"{MAIN}cellXfs")
    dates, percents = set(), set()
    for index, xf in enumerate(xfs if xfs is not None else ()):
        fmt_id = int(xf.get("numFmtId", "0"))
        if fmt_id in _DATE_FORMATS or fmt_id in custom_dates:
            dates.add(str(index).encode())
        elif fmt_id in PERCENT_FORMATS or fmt_id in custom_percents:
            percents.add(str(index).encode())
    return _Styles(frozenset(dates), frozenset(percents), date1904)


def format_kind(code: str) -> str:
    """What a custom number format shows: "date", "percent" or "" (quoted text aside)."""
    code = _QUOTED.sub("", code).lower()
    if any(c in code for c in "dy") or ("m" in code and "h" not in code and "s" not in code):
        return "date"
    return "percent" if "%" in code else ""


def percent_shown(raw: str | bytes | float) -> float:
    """A number shown as a percentage, as the number shown: 0.35 (35%) → 35.0. Rounded to the
    15 significant digits Excel keeps, so 0.07, written 7.0000000000000007E-2, gives 7.0."""
    return float(f"{float(raw) * 100:.15g}")


def _as_date(serial: float, date1904: bool) -> date | datetime | float:
    """The date a serial number shows; the number itself when no date has it (years 1–9999)."""
    if date1904:
        start = datetime(1904, 1, 1)
    else:  # Excel counts a 29 February 1900 that never was: serials before it are a day off
        start = datetime(1899, 12, 30) if serial >= 61 else datetime(1899, 12, 31)
    try:
        moment = start + timedelta(days=serial)
    except OverflowError:
        return serial
    return moment.date() if serial == int(serial) else moment


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
        parts = _Parts(archive)
        reader = _RowReader(_shared_strings(parts), _styles(parts))
        with parts.open(parts.first_sheet()) as sheet:
            for namespaces, rows in _row_chunks(sheet):
                yield from reader.rows(namespaces, rows)


class _RowReader:
    """Turns chunks of <row> XML into cells. A row written the plain way generators write it
    (`<c r="A2" s="1" t="s"><v>0</v></c>`, inline `<is><t>…</t></is>`, formulas) is read with
    the cell pattern; one with anything else in it (rich or phonetic text, other attributes,
    cells without references) is parsed as XML: a row is taken by the pattern only when every
    cell in it matched."""

    def __init__(self, shared: list[str], styles: _Styles) -> None:
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
                index = columns[letters] = _column(letters.decode())
            if index > len(cells):
                cells.extend([""] * (index - len(cells)))
            if not kind or kind == b"n":
                if not value:
                    add("")
                elif dates and (style or b"0") in dates:
                    add(_as_date(float(value), self.date1904))
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
            cells = _element_cells(element, self.shared, self.styles)
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


def _element_cells(row: Element, shared: list[str], styles: _Styles) -> list[Any]:
    """The cells of a <row> element parsed as XML (anything the regular expressions do not take)."""
    cells: list[Any] = []
    for cell in row:
        if cell.tag != f"{MAIN}c":
            continue
        ref = cell.get("r")
        if ref:
            index = _column(ref.rstrip("0123456789"))
            if index > len(cells):
                cells.extend([""] * (index - len(cells)))
        kind = cell.get("t", "n")
        raw = cell.findtext(f"{MAIN}v")
        if kind == "s":
            value: Any = shared[int(raw)] if raw else ""
        elif kind == "inlineStr":
            inline = cell.find(f"{MAIN}is")
            value = _text(inline) if inline is not None else ""
        elif raw is None or raw == "":
            value = ""
        elif kind == "b":
            value = raw == "1"
        elif kind in ("str", "e"):
            value = raw
        elif kind == "d":  # an ISO 8601 date written as text, as calamine reads it
            value = datetime.fromisoformat(raw)
        else:
            style = cell.get("s", "0").encode()
            if style in styles.dates:
                value = _as_date(float(raw), styles.date1904)
            elif style in styles.percents:
                value = percent_shown(raw)
            else:
                value = float(raw)
        cells.append(value)
    return cells
