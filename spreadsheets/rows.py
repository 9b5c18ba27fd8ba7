"""Checking each row of an import file (read by `spreadsheets.reading`) into a `Record`.

Every problem names its row and column and says what to do. It is kept as data, a `Problem`
with the key of its wording in the import catalogue (messages/templates/<locale>/import.j2)
and the values that fill it in: cheap to make for a bad row, able to cross from the checking
process as it is, and put in the user's language only when it is reported.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from spreadsheets.columns import (
    INDICATOR,
    PART,
    READ_ONLY_KIND,
    Column,
    header_key,
    header_map,
    profile_names,
)
from messages.escape import is_slack_user_id
from messages.plain import Words, words
from scoring.credit_code import credit_code_fault
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

REQUIRED = ("credit_code", "name")
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
_ALIAS_SPLIT = re.compile(r"[、,;，；]+")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_EIGHT_DIGITS = re.compile(r"\d{8}")  # 20190301
_PLACES = {places: Decimal(places) for places in ("0.1", "0.01")}  # what `_decimal` rounds to
_FIRST_DATE, _LAST_DATE = date(1900, 1, 1), date(2100, 12, 31)
# What the ledger's columns hold (storage.models; tests/ledger/test_row_limits.py keeps the two
# equal), so a value too long or too large is a row problem, not a database error at the end of
# the import (SQLite would take it, PostgreSQL refuses it).
MAX_LENGTH = {"name": 255, "industry": 255, "sales_owner": 255, "risk_officer": 255, "aliases": 255}
_SHORTEST = min(MAX_LENGTH.values())  # a cell no longer than this fits every text column
# Numeric(precision, scale) of the money-like columns. SQLite keeps a NUMERIC as a double, which
# holds 15 significant digits exactly: so at most 15 digits in all (an amount keeps its cents to
# 9,999,999,999,999.99 元 on either database).
NUMERIC = {"avg_payment_days": (8, 1), "outstanding_amount": (16, 2)}
_BELOW = {key: Decimal(10) ** min(precision - scale, 15 - scale) for key, (precision, scale) in NUMERIC.items()}
_MAX_DAYS = 2**31 - 1  # credit_terms_days: a 32-bit integer column


class Fault(ValueError):
    """A bad cell, as `Problem` keeps it: the key of its wording and what fills it in."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key, self.params = key, params


@dataclass(slots=True)
class Problem:
    """One bad cell, header or file: where (`column` "" for the whole row or file) and what,
    as the key of its wording in the import catalogue and the values that fill it in."""

    row: int
    column: str
    key: str
    params: dict[str, Any] = field(default_factory=dict)

    def text(self, language: Words) -> str:
        """`row N, column C: reason` (第 N 行，C：…) in the language of `language`."""
        reason = language.text(f"import.{self.key}", **self.params)
        if not self.column:
            return language.text("import.at_row", row=self.row, reason=reason)
        return language.text("import.at", row=self.row, column=self.column, reason=reason)

    def __str__(self) -> str:
        return self.text(words("en"))


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
        raise Fault("date_range", first=str(_FIRST_DATE), last=str(_LAST_DATE), got=str(found))
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
    raise Fault("date", got=shown(cell))


def _number(cell: Any) -> float:
    """`to_number`, with a number beyond its range as ±inf, for a field with a bound of its own."""
    try:
        return to_number(cell, "")
    except OutOfRange as exc:
        return -math.inf if exc.negative else math.inf


def _decimal(cell: Any, places: str, below: Decimal) -> Decimal:
    number = _number(cell)
    if number < 0:
        raise Fault("negative", got=shown(cell))
    if number != math.inf:
        # From the text as typed where there is one: through a float, 99,999,999,999,999.99 lost a cent.
        exact = _exact(cell) if isinstance(cell, str) else Decimal(repr(number))
        value = exact.quantize(_PLACES[places], rounding=ROUND_HALF_UP).copy_abs()  # -0.00 as 0.00
        if value < below:
            return value
    raise Fault("too_large", got=shown(cell), most=f"{below - _PLACES[places]:,}")


def _exact(text: str) -> Decimal:
    """The number `to_number` read from `text`, as the Decimal written."""
    try:
        return Decimal(text)  # most cells: plain digits
    except InvalidOperation:
        return Decimal(plain_number(text))


def _whole_days(cell: Any) -> int:
    number = _number(cell)
    if number < 0 or (number != math.inf and number != int(number)):
        raise Fault("whole_days", got=shown(cell))
    if number > _MAX_DAYS:
        raise Fault("too_many_days", got=shown(cell), most=f"{_MAX_DAYS:,}")
    return int(number)


def _check_length(cell: str, key: str) -> None:
    """Refuse a text longer than its column holds (for aliases: any one of them)."""
    longest = MAX_LENGTH[key]
    for text in _ALIAS_SPLIT.split(cell) if key == "aliases" else (cell,):
        if len(text.strip()) > longest:
            raise Fault("too_long", length=len(text.strip()), most=longest)


def _owner(cell: Any) -> str:
    text = _text(cell)
    if is_slack_user_id(text) or _EMAIL.match(text):
        return text
    raise Fault("owner", got=shown(text))


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
                self.problems.append(Problem(header_row, title, "unknown_column", {"guess": _guess(title, known)}))
                continue
            if column.kind == READ_ONLY_KIND:
                continue
            if column.key in self.titles:
                self.problems.append(Problem(header_row, title, "same_field",
                                             {"other": self.titles[column.key], "key": column.key}))
                continue
            self.titles[column.key] = title
            self.columns.append((index, column, title))
        self.missing_required = False  # without these no row can be checked
        for key in REQUIRED:
            if key not in self.titles:
                self.missing_required = True
                label = known[header_key(key)].label
                self.problems.append(Problem(header_row, label, "required_column", {"label": label, "key": key}))

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
                problems.append(Problem(row, f"#{index + 1}", "no_header"))
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
                if is_text and len(cell) > _SHORTEST and key in MAX_LENGTH:
                    _check_length(cell, key)
                if key == "credit_code":
                    if isinstance(cell, float | int):
                        raise Fault("code_is_number")
                    code = _text(cell)
                    fault = credit_code_fault(code)
                    if fault is not None:
                        if self.accept_bad_check and fault[0] == "code_check":
                            warning = Problem(row, title, "code_check_accepted", fault[1])
                        else:
                            raise Fault(fault[0], **fault[1])
                elif key == "name":
                    name = _text(cell)
                elif key == "aliases":
                    aliases = tuple(dict.fromkeys(a.strip() for a in _ALIAS_SPLIT.split(_text(cell)) if a.strip()))
                elif key == "profile":
                    profile = self._profiles.get(header_key(_text(cell)))
                    if profile is None:
                        raise Fault("unknown_profile", got=repr(_text(cell)), known=self._known_profiles)
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
            except (Fault, ValueProblem) as exc:
                problems.append(Problem(row, title, exc.key, exc.params))
        if not code and not any(p.column == self.title("credit_code") for p in problems):
            problems.append(Problem(row, self.title("credit_code"), "code_required"))
        if not name and not any(p.column == self.title("name") for p in problems):
            problems.append(Problem(row, self.title("name"), "name_required"))
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
                        problems.append(Problem(row, self.title(key), exc.key, exc.params))
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
                if not math.isinf(derived):
                    gives = _figure(derived)
                elif key == "litigation_ratio_pct" and parts["net_assets"] <= 0:
                    gives = "no_equity"  # infinite: no net assets left
                else:
                    gives = "beyond"  # infinite: beyond 10^15 %
                return Problem(row, self.title(key), "contradiction", {
                    "given": _figure(given), "parts": " / ".join(self.title(s) for s in sources), "gives": gives})
        return None


def _figure(number: float) -> str:
    """12345678.9 → "12,345,678.9"; 50.0 → "50"."""
    return f"{number:,.4f}".rstrip("0").rstrip(".")


def _guess(title: str, known: dict[str, Column]) -> str:
    """The known header an unknown one was probably meant to be, or ""."""
    from difflib import get_close_matches

    labels = sorted({c.label for c in known.values()} | {c.key for c in known.values()})
    guess = get_close_matches(title, labels, n=1, cutoff=0.6)
    return guess[0] if guess else ""
