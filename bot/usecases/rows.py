"""Reading an import file (CSV or XLSX) row by row and checking each row into a `Record`.

Rows are handed out one at a time. CSV and XLSX (`xlsx_stream`) are both read as streams, so
memory stays flat. Row numbers are the ones the spreadsheet shows (the header is normally
row 1). Every problem names its row and column and says what to do, as `row N, column C: reason`.
"""

from __future__ import annotations

import codecs
import csv
import math
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from bot.usecases import xlsx_stream
from bot.usecases.columns import (
    INDICATOR,
    PART,
    READ_ONLY_KIND,
    Column,
    header_key,
    header_map,
    profile_names,
)
from messages.escape import is_slack_user_id
from scoring.credit_code import credit_code_problem, is_check_character_problem
from scoring.profiles import Profile, ProfileSet
from scoring.values import (
    DERIVED_FROM,
    PARTS,
    OutOfRange,
    Value,
    ValueProblem,
    clean_values,
    derive,
    plain_number,
    shown,
    to_number,
)
from storage.models import Customer, CustomerAlias

SUFFIXES = (".csv", ".xlsx")
REQUIRED = ("credit_code", "name")
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
_ALIAS_SPLIT = re.compile(r"[、,;，；]+")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_EIGHT_DIGITS = re.compile(r"\d{8}")  # 20190301
_PLACES = {places: Decimal(places) for places in ("0.1", "0.01")}  # what `_decimal` rounds to
_FIRST_DATE, _LAST_DATE = date(1900, 1, 1), date(2100, 12, 31)
# What the ledger's columns hold, so a value too long or too large is a row problem, not a
# database error at the end of the import (SQLite would take it, PostgreSQL refuses it).
_CUSTOMER = Customer.__table__.c
_MAX_LENGTH = {key: _CUSTOMER[key].type.length for key in ("name", "industry", "sales_owner", "risk_officer")}
_MAX_LENGTH["aliases"] = CustomerAlias.__table__.c.alias.type.length
_SHORTEST = min(_MAX_LENGTH.values())  # a cell no longer than this fits every text column
# SQLite keeps a NUMERIC as a double, which holds 15 significant digits exactly: so at most 15
# digits in all (an amount keeps its cents to 9,999,999,999,999.99 元 on either database).
_BELOW = {key: Decimal(10) ** min(_CUSTOMER[key].type.precision - _CUSTOMER[key].type.scale, 15 - _CUSTOMER[key].type.scale)
          for key in ("avg_payment_days", "outstanding_amount")}
_MAX_DAYS = 2**31 - 1  # credit_terms_days: a 32-bit integer column


class TableError(ValueError):
    """The file as a whole cannot be read (wrong type, unreadable, no header)."""


@dataclass(frozen=True, slots=True)
class Problem:
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column}: {self.reason}"


@dataclass(slots=True)
class Record:
    """One checked row. `fields` holds only the identity fields the row fills in."""

    row: int
    credit_code: str
    name: str
    fields: dict[str, Any] = field(default_factory=dict)
    aliases: tuple[str, ...] | None = None  # None: the row says nothing about aliases
    indicators: dict[str, Value] = field(default_factory=dict)
    parts: dict[str, float] = field(default_factory=dict)


# ---------------------------------------------------------------- reading files


class Rows:
    """The rows of the first sheet (or the CSV), each a list of cells, with its row number.

    `total` is the number of rows when the reader knows it up front: an XLSX sheet's last row
    as its <dimension> gives it, a CSV file's line count (a cell with a line break in it makes
    that a little high), else None.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        suffix = path.suffix.lower()
        if suffix not in SUFFIXES:
            raise TableError(f"{path.name}: unsupported file type '{path.suffix}'; use .csv or .xlsx")
        if not path.is_file():
            raise TableError(f"{path}: no such file")
        self._xlsx = suffix == ".xlsx"
        if self._xlsx:
            try:
                self.total = xlsx_stream.last_row(str(path))  # also: is it a workbook at all?
            except _DAMAGED as exc:
                raise self._damaged(exc) from None
        else:
            self.total = _lines(path)

    def __iter__(self) -> Iterator[tuple[int, list[Any]]]:
        if self._xlsx:
            try:
                yield from xlsx_stream.iter_rows(str(self.path))
            except _DAMAGED as exc:
                raise self._damaged(exc) from None
        else:
            yield from _csv_rows(self.path)

    def _damaged(self, exc: Exception) -> TableError:
        return TableError(f"{self.path.name}: cannot read it as an XLSX workbook ({exc}); save it from Excel as .xlsx")


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
        raise TableError(
            f"{path.name}: row {number + 1} is not {encoding} text; save the file as 'CSV UTF-8'"
        ) from None
    except csv.Error as exc:
        raise TableError(f"{path.name}: row {number + 1} is not valid CSV ({exc})") from None


# ---------------------------------------------------------------- checking rows


def _empty(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _text(cell: Any) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _date(cell: Any) -> date:
    found = _any_date(cell)
    if not _FIRST_DATE <= found <= _LAST_DATE:  # Excel shows no date before 1900; later than 2100 is a slip
        raise ValueError(f"expected a date between {_FIRST_DATE} and {_LAST_DATE}, got {found}")
    return found


def _any_date(cell: Any) -> date:
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    text = _text(cell)
    if _EIGHT_DIGITS.fullmatch(text):
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    match = _DATE.match(text)
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
    raise ValueError(f"expected a date like 2019-03-01, got {shown(cell)}")


def _number(cell: Any) -> float:
    """`to_number`, with a number beyond its range as ±inf, for a field with a bound of its own."""
    try:
        return to_number(cell, "")
    except OutOfRange as exc:
        return -math.inf if exc.negative else math.inf


def _decimal(cell: Any, places: str, below: Decimal) -> Decimal:
    number = _number(cell)
    if number < 0:
        raise ValueError(f"cannot be negative, got {shown(cell)}")
    if number != math.inf:
        # From the text as typed where there is one: through a float, 99,999,999,999,999.99 lost a cent.
        exact = _exact(cell) if isinstance(cell, str) else Decimal(repr(number))
        value = exact.quantize(_PLACES[places], rounding=ROUND_HALF_UP).copy_abs()  # -0.00 as 0.00
        if value < below:
            return value
    raise ValueError(f"too large: {shown(cell)}; at most {below - _PLACES[places]:,} — check the unit and the decimal point")


def _exact(text: str) -> Decimal:
    """The number `to_number` read from `text`, as the Decimal written."""
    try:
        return Decimal(text)  # most cells: plain digits
    except InvalidOperation:
        return Decimal(plain_number(text))


def _whole_days(cell: Any) -> int:
    number = _number(cell)
    if number < 0 or (number != math.inf and number != int(number)):
        raise ValueError(f"expected whole days ≥ 0, got {shown(cell)}")
    if number > _MAX_DAYS:
        raise ValueError(f"too large: {shown(cell)}; at most {_MAX_DAYS:,} days")
    return int(number)


def _check_length(cell: str, key: str) -> None:
    """Refuse a text longer than its column holds (for aliases: any one of them)."""
    longest = _MAX_LENGTH[key]
    for text in _ALIAS_SPLIT.split(cell) if key == "aliases" else (cell,):
        if len(text.strip()) > longest:
            raise ValueError(f"too long: {len(text.strip())} characters, at most {longest}; shorten it")


def _owner(cell: Any) -> str:
    text = _text(cell)
    if is_slack_user_id(text) or _EMAIL.match(text):
        return text
    raise ValueError(f"expected a Slack user ID like U0123ABCD or an e-mail address, got {shown(text)}")


def _problem_text(exc: Exception) -> str:
    if isinstance(exc, ValueProblem):
        return exc.reason
    return str(exc)


class RowChecker:
    """Turns the header row into columns and each later row into a `Record` or problems."""

    def __init__(self, profiles: ProfileSet, header: list[Any], header_row: int, accept_bad_check: bool = False) -> None:
        self.accept_bad_check = accept_bad_check
        self.header_row = header_row
        self.problems: list[Problem] = []
        self._profiles = profile_names(profiles)
        self._known_profiles = ", ".join(profiles.names())
        # Every indicator of every profile, checked by its unit; the profile decides scoring.
        by_key = {}
        for name in profiles.names():
            for indicator in profiles.get(name).indicators:
                by_key.setdefault(indicator.key, indicator)
        self._all = Profile("all", "all", tuple(by_key.values()), "", by_key=by_key)
        known = header_map(profiles)
        self.columns: list[tuple[int, Column, str]] = []
        self.unlabelled: list[int] = []
        self.titles: dict[str, str] = {}
        for index, cell in enumerate(header):
            if _empty(cell):
                self.unlabelled.append(index)
                continue
            title = _text(cell)
            column = known.get(header_key(title))
            if column is None:
                self.problems.append(Problem(header_row, title, _unknown_column(title, known)))
                continue
            if column.kind == READ_ONLY_KIND:
                continue
            if column.key in self.titles:
                self.problems.append(Problem(
                    header_row, title,
                    f"the same field as column {self.titles[column.key]} ({column.key}); keep one of them",
                ))
                continue
            self.titles[column.key] = title
            self.columns.append((index, column, title))
        self.missing_required = False  # without these no row can be checked
        for key in REQUIRED:
            if key not in self.titles:
                self.missing_required = True
                label = known[header_key(key)].label
                self.problems.append(Problem(header_row, label, f"required column missing: add a column {label} ({key})"))

    def title(self, key: str) -> str:
        return self.titles.get(key, key)

    def check(self, row: int, cells: list[Any]) -> tuple[Record | None, list[Problem], Problem | None]:
        """(record or None, problems, warning). A row with any problem gives no record."""
        problems: list[Problem] = []
        warning: Problem | None = None
        raw: dict[str, Any] = {}
        fields: dict[str, Any] = {}
        code = name = ""
        aliases: tuple[str, ...] | None = None
        width = len(cells)
        for index in self.unlabelled:
            if index < width and not _empty(cells[index]):
                problems.append(Problem(row, f"#{index + 1}", "a value in a column without a header; add the header or clear the column"))
                break
        for index, column, title in self.columns:
            if index >= width:
                continue
            cell = cells[index]
            is_text = cell.__class__ is str
            if is_text:
                cell = cell.strip()
                if not cell:
                    continue
            elif cell is None:
                continue
            kind = column.kind
            if kind is INDICATOR or kind is PART:
                # Plain digits (most CSV cells) skip the general number parser.
                if is_text and cell.isascii() and cell.isdigit():
                    try:
                        cell = int(cell)
                    except ValueError:  # over 4,300 digits: the general parser says it is out of range
                        pass
                raw[column.key] = cell
                continue
            key = column.key
            try:
                if is_text and len(cell) > _SHORTEST and key in _MAX_LENGTH:
                    _check_length(cell, key)
                if key == "credit_code":
                    if isinstance(cell, float | int):
                        raise ValueError(
                            "the cell holds a number, so Excel has rounded the code; "
                            "format the column as text (文本) and type the code again"
                        )
                    code = _text(cell)
                    problem = credit_code_problem(code)
                    if problem is not None:
                        if self.accept_bad_check and is_check_character_problem(problem):
                            warning = Problem(row, title, f"{problem} — accepted (--accept-bad-check)")
                        else:
                            raise ValueError(problem)
                elif key == "name":
                    name = _text(cell)
                elif key == "aliases":
                    aliases = tuple(dict.fromkeys(a.strip() for a in _ALIAS_SPLIT.split(_text(cell)) if a.strip()))
                elif key == "profile":
                    profile = self._profiles.get(header_key(_text(cell)))
                    if profile is None:
                        raise ValueError(f"unknown profile {_text(cell)!r}; use one of {self._known_profiles}, or leave it empty to map from 所属行业")
                    fields[key] = profile
                elif key == "since":
                    fields[key] = _date(cell)
                elif key == "avg_payment_days":
                    fields[key] = _decimal(cell, "0.1", _BELOW[key])
                elif key == "credit_terms_days":
                    fields[key] = _whole_days(cell)
                elif key == "outstanding_amount":
                    fields[key] = _decimal(cell, "0.01", _BELOW[key])
                elif key in ("sales_owner", "risk_officer"):
                    fields[key] = _owner(cell)
                else:  # industry
                    fields[key] = _text(cell)
            except ValueError as exc:
                problems.append(Problem(row, title, _problem_text(exc)))
        if not code and not any(p.column == self.title("credit_code") for p in problems):
            problems.append(Problem(row, self.title("credit_code"), "required: the 18-character 统一社会信用代码"))
        if not name and not any(p.column == self.title("name") for p in problems):
            problems.append(Problem(row, self.title("name"), "required: the full registered name (客户全称), not a short name"))
        indicators: dict[str, Value] = {}
        parts: dict[str, float] = {}
        if raw:
            try:
                cleaned = clean_values(self._all, raw)
            except ValueProblem:
                cleaned = {}
                for key, cell in raw.items():  # find every bad cell, not just the first
                    try:
                        clean_values(self._all, {key: cell})
                    except ValueProblem as exc:
                        problems.append(Problem(row, self.title(key), exc.reason))
            for key, cell in raw.items():
                if key in PARTS:
                    if not problems:
                        parts[key] = to_number(cell, key)
                elif key in cleaned:
                    indicators[key] = cleaned[key]
        if problems:
            return None, problems, None
        if parts and warning is None and not raw.keys().isdisjoint(DERIVED_FROM):
            warning = self._contradiction(row, raw, indicators, parts)
        if aliases is not None:
            aliases = tuple(a for a in aliases if a != name)
        return Record(row, code, name, fields, aliases, indicators, parts), problems, warning


    def _contradiction(self, row: int, raw: dict[str, Any], indicators: dict[str, Value],
                       parts: dict[str, float]) -> Problem | None:
        """A derived indicator typed in beside both its parts wins (SPEC §3); say so when the
        parts give another number, so the row is not silently inconsistent."""
        for key, sources in DERIVED_FROM.items():
            given = indicators.get(key)
            if key not in raw or given is None or given.__class__ is str or not all(s in parts for s in sources):
                continue
            derived = derive(parts).get(key)
            # Close enough when it is the parts' figure rounded as people type it (33 for 33.3333).
            if derived is not None and not math.isclose(given, derived, rel_tol=1e-3, abs_tol=0.5):
                named = " / ".join(self.title(s) for s in sources)
                if not math.isinf(derived):
                    gives = _figure(derived)
                elif key == "litigation_ratio_pct" and parts["net_assets"] <= 0:
                    gives = "∞ (net assets ≤ 0)"
                else:
                    gives = "∞ (beyond 10^15 %)"
                return Problem(row, self.title(key), f"{_figure(given)} given, but {named} give {gives}; the given "
                                                     "value is kept — clear this cell to use the parts")
        return None


def _figure(number: float) -> str:
    """12345678.9 → "12,345,678.9"; 50.0 → "50"."""
    return f"{number:,.4f}".rstrip("0").rstrip(".")


def _unknown_column(title: str, known: dict[str, Column]) -> str:
    from difflib import get_close_matches

    labels = sorted({c.label for c in known.values()} | {c.key for c in known.values()})
    guess = get_close_matches(title, labels, n=1, cutoff=0.6)
    hint = f"; did you mean '{guess[0]}'?" if guess else "; use a field key or its Chinese label (see `riskbot template`)"
    return f"unknown column{hint}"
