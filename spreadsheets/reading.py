"""Reading an import file (CSV, XLSX or XLS) row by row.

Rows are handed out one at a time. CSV and XLSX (`xlsx_stream`) are both read as streams, so
memory stays flat; an Excel 97–2003 workbook (`xls_book`) is read whole (it holds at most
65,536 rows). Row numbers are the ones the spreadsheet shows (the header is normally row 1).
"""

from __future__ import annotations

import codecs
import csv
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from messages.plain import Words, words
from spreadsheets import xls_book, xlsx_stream

SUFFIXES = (".csv", ".xlsx", ".xls")


class TableError(ValueError):
    """The file as a whole cannot be read (wrong type, unreadable): `key` and `params` as a
    `Problem`'s; `str()` is the English words (for logs), `text(words)` the user's."""

    def __init__(self, key: str, params: dict[str, Any]) -> None:
        super().__init__(key, params)
        self.key, self.params = key, params

    def text(self, language: Words) -> str:
        return language.text(f"import.{self.key}", **self.params)

    def __str__(self) -> str:
        return self.text(words("en"))


class Rows:
    """The rows of the first sheet (or the CSV), each a list of cells, with its row number.

    `total` is the number of rows when the reader knows it up front: an XLSX sheet's last row
    as its <dimension> gives it, an XLS sheet's, a CSV file's line count (a cell with a line
    break in it makes that a little high), else None.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        suffix = path.suffix.lower()
        if suffix not in SUFFIXES:
            raise TableError("unsupported_type", {"file": path.name, "suffix": path.suffix})
        if not path.is_file():
            raise TableError("no_such_file", {"file": str(path)})
        self._kind = "csv" if suffix == ".csv" else _workbook_kind(path, suffix)
        if self._kind == "xlsx":
            try:
                self.total = xlsx_stream.last_row(str(path))  # also: is it a workbook at all?
            except _DAMAGED as exc:
                raise self._damaged(exc) from None
        elif self._kind == "xls":
            try:
                self._book = xls_book.open_book(path)
            except xls_book.Unreadable as exc:
                raise TableError(exc.key, {"file": path.name, **exc.params}) from None
            self.total = self._book.total
        else:
            self.total = _lines(path)

    def __iter__(self) -> Iterator[tuple[int, list[Any]]]:
        if self._kind == "xlsx":
            try:
                yield from xlsx_stream.iter_rows(str(self.path))
            except _DAMAGED as exc:
                raise self._damaged(exc) from None
        elif self._kind == "xls":
            yield from self._book.rows()
        else:
            yield from _csv_rows(self.path)

    def _damaged(self, exc: Exception) -> TableError:
        return TableError("not_xlsx", {"file": self.path.name, "detail": str(exc)})


def _workbook_kind(path: Path, suffix: str) -> str:
    """"xls" or "xlsx" by what the file holds, whatever its name says (an XLSX workbook saved
    with an .xls name is read all the same); by its name when it holds neither, for that
    reader to say what is wrong with it."""
    with path.open("rb") as handle:
        head = handle.read(len(xls_book.MAGIC))
    if head == xls_book.MAGIC:
        return "xls"
    return "xlsx" if head.startswith(b"PK") else suffix[1:]


# What a damaged workbook raises: a bad zip, a missing part, corrupt deflate data, bad XML, a
# cell pointing past the shared strings.
_DAMAGED = (zipfile.BadZipFile, KeyError, ValueError, SyntaxError, zlib.error, EOFError, NotImplementedError,
            IndexError)


def _lines(path: Path) -> int:
    """Lines in a text file, counted in 1 MB chunks (~10 ms for 20 MB)."""
    count = 0
    last = b"\n"
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            count += chunk.count(b"\n")
            last = chunk[-1:]
    return count + (last != b"\n")


def _csv_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) when the start of the file decodes as such, else GB18030
    (what Excel on a Chinese Windows writes for 'CSV')."""
    with path.open("rb") as handle:
        head = handle.read(1 << 20)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8-sig"


def _csv_rows(path: Path) -> Iterator[tuple[int, list[Any]]]:
    encoding = _csv_encoding(path)
    number = 0
    try:
        with path.open(newline="", encoding=encoding) as handle:
            first = handle.readline()
            delimiter = "\t" if "\t" in first and "," not in first else ","
            handle.seek(0)
            for number, row in enumerate(csv.reader(handle, delimiter=delimiter), start=1):
                yield number, row
    except UnicodeDecodeError:
        raise TableError("not_text", {"file": path.name, "row": number + 1, "encoding": encoding}) from None
    except csv.Error as exc:
        raise TableError("not_csv", {"file": path.name, "row": number + 1, "detail": str(exc)}) from None
