"""The parts of an XLSX workbook the row reader needs beside the sheet: where the first sheet
is, the shared-strings table, which cell styles show dates or percentages, the date a serial
number shows, and the cells of a row read with the XML parser (what spreadsheets.xlsx_stream
falls back to, and what its patterns must agree with)."""

from __future__ import annotations

import posixpath
import re
import zipfile
from datetime import date, datetime, timedelta
from typing import IO, Any, NamedTuple
from xml.etree.ElementTree import Element, iterparse, parse

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# Built-in number formats that show dates or times (ECMA-376 §18.8.30, plus the CJK ones).
_DATE_FORMATS = {14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36,
                 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58}
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')
PERCENT_FORMATS = {9, 10}  # 0% and 0.00% (the same built-in numbers in .xls)


def column_index(letters: str) -> int:
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return number - 1


class Parts:
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



def shared_strings(parts: Parts) -> list[str]:
    name = parts.find("sharedStrings")
    if name is None:
        return []
    strings: list[str] = []
    with parts.open(name) as handle:
        for _, element in iterparse(handle):
            if element.tag == f"{MAIN}si":
                strings.append(text_of(element))
                element.clear()
    return strings


def text_of(element: Element) -> str:
    """Text of an <si> or <is>: its <t>, or its rich-text runs, without phonetic guides."""
    direct = element.find(f"{MAIN}t")
    if direct is not None:
        return direct.text or ""
    return "".join(run.findtext(f"{MAIN}t") or "" for run in element.iter(f"{MAIN}r"))


class Styles(NamedTuple):
    """Cell style indexes (as the `s` attribute spells them) that show numbers as dates or as
    percentages, and whether the workbook counts days from 1904."""

    dates: frozenset[bytes]
    percents: frozenset[bytes]
    date1904: bool


def read_styles(parts: Parts) -> Styles:
    date1904 = False
    properties = parts.workbook.find(f"{MAIN}workbookPr")
    if properties is not None:
        date1904 = properties.get("date1904") in ("1", "true")
    name = parts.find("styles")
    if name is None:
        return Styles(frozenset(), frozenset(), date1904)
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
    return Styles(frozenset(dates), frozenset(percents), date1904)


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


def as_date(serial: float, date1904: bool) -> date | datetime | float:
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


def element_cells(row: Element, shared: list[str], styles: Styles) -> list[Any]:
    """The cells of a <row> element parsed as XML (anything the regular expressions do not take)."""
    cells: list[Any] = []
    for cell in row:
        if cell.tag != f"{MAIN}c":
            continue
        ref = cell.get("r")
        if ref:
            index = column_index(ref.rstrip("0123456789"))
            if index > len(cells):
                cells.extend([""] * (index - len(cells)))
        kind = cell.get("t", "n")
        raw = cell.findtext(f"{MAIN}v")
        if kind == "s":
            value: Any = shared[int(raw)] if raw else ""
        elif kind == "inlineStr":
            inline = cell.find(f"{MAIN}is")
            value = text_of(inline) if inline is not None else ""
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
                value = as_date(float(raw), styles.date1904)
            elif style in styles.percents:
                value = percent_shown(raw)
            else:
                value = float(raw)
        cells.append(value)
    return cells
