"""The risk events sheet (风险事件): finding it, its columns and checking each row (no SQL).

An events sheet is a CSV file or the sheet of a workbook named 风险事件 or Events (the one
`riskbot export` writes), else a workbook's first sheet when it is given as the events file.
Each row names its customer by credit code or name; which customer that is, is the ledger's
business (`ledger.event_import`). Problems are `Problem`s with `event_…` keys of the import
catalogue, named by the column as the sheet titles it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import python_calamine

from scoring import events as ev
from scoring.credit_code import credit_code_fault
from spreadsheets.columns import header_key
from spreadsheets.reading import TableError, Rows
from spreadsheets.rows import Problem

EVENT_SHEETS = ("风险事件", "events", "事件")  # compared by header_key: Events, EVENTS…

# header_key(title) → field. The export's Chinese and English headers and the usual variants.
COLUMNS: dict[str, str] = {header_key(title): key for key, titles in {
    "credit_code": ("统一社会信用代码", "信用代码", "credit_code", "credit code"),
    "name": ("客户名称", "客户全称", "客户", "name", "customer"),
    "kind": ("事件类型", "类型", "kind", "type", "event type"),
    "occurred_on": ("发生日期", "日期", "occurred_on", "date"),
    "amount": ("金额", "金额(元)", "amount"),
    "days": ("天数", "逾期天数", "days", "days overdue"),
    "note": ("备注", "说明", "note"),
}.items() for title in titles}
# What the export adds beside the facts, read back and left alone.
IGNORED = frozenset(header_key(t) for t in (
    "当日等级", "等级", "来源", "记录人", "记录时间", "grade_that_day", "grade", "source", "recorded_by", "recorded_at"))
LABELS = {"credit_code": "统一社会信用代码", "name": "客户名称", "kind": "事件类型", "occurred_on": "发生日期"}


@dataclass(frozen=True, slots=True)
class EventRow:
    """One checked row: the customer as the row names it, and the event."""

    row: int
    credit_code: str | None
    name: str | None
    event: ev.EventInput
    customer_column: str = ""  # the title of the column the customer was matched by

    def content(self) -> tuple[Any, ...]:
        """What makes two rows the same event (the customer aside)."""
        e = self.event
        return (e.kind, e.occurred_on.isoformat(), None if e.amount is None else str(e.amount), e.days, e.note or "")


def event_rows(path: Path, *, named_only: bool) -> Iterator[tuple[int, list[Any]]] | None:
    """The rows of the events sheet of `path`. A workbook's sheet named 风险事件/Events; when
    there is none, None if `named_only` (a customers workbook without events), else its first
    sheet (an events file). A CSV file is all rows (None if `named_only`)."""
    rows = Rows(path)  # says what is wrong with a file that cannot be read at all
    if path.suffix.lower() == ".csv":
        return None if named_only else iter(rows)
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        names = book.sheet_names
        named = next((n for n in names if header_key(n) in EVENT_SHEETS), None)
        if named is None:
            return None if named_only else iter(rows)
        cells = book.get_sheet_by_name(named).to_python(skip_empty_area=False)
    except _UNREADABLE as exc:
        raise TableError("not_xlsx", {"file": path.name, "detail": str(exc)}) from None
    return ((number, row) for number, row in enumerate(cells, start=1))


_UNREADABLE = (python_calamine.CalamineError, python_calamine.PasswordError, python_calamine.XmlError,
               python_calamine.ZipError, ValueError, OSError)


def _empty(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _text(cell: Any) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


class EventChecker:
    """Turns the header row into columns and each later row into an `EventRow` or problems."""

    def __init__(self, header: list[Any], header_row: int) -> None:
        self.problems: list[Problem] = []
        self.columns: list[tuple[int, str, str]] = []  # (index, field, title)
        self.titles: dict[str, str] = {}
        for index, cell in enumerate(header):
            if _empty(cell):
                continue
            title = _text(cell)
            key = COLUMNS.get(header_key(title))
            if key is None:
                if header_key(title) not in IGNORED:
                    self.problems.append(Problem(header_row, title, "event_unknown_column"))
                continue
            if key in self.titles:
                self.problems.append(Problem(header_row, title, "same_field", {"other": self.titles[key], "key": key}))
                continue
            self.titles[key] = title
            self.columns.append((index, key, title))
        if "credit_code" not in self.titles and "name" not in self.titles:
            self.problems.append(Problem(header_row, "", "event_customer_column"))
        for key in ("kind", "occurred_on"):
            if key not in self.titles:
                self.problems.append(Problem(header_row, LABELS[key], "event_required_column", {"label": LABELS[key]}))

    def title(self, key: str) -> str:
        return self.titles.get(key) or LABELS.get(key) or key

    def check(self, row: int, cells: list[Any], today: date) -> tuple[EventRow | None, list[Problem]]:
        """(row or None, problems): a row with any problem gives no event."""
        problems: list[Problem] = []
        found: dict[str, Any] = {}
        for index, key, title in self.columns:
            cell = cells[index] if index < len(cells) else None
            if _empty(cell):
                continue
            try:
                found[key] = _cell(key, cell, today)
            except ev.EventInputError as exc:
                problems.append(Problem(row, title, f"event_{exc.key}", exc.params))
            except _CodeFault as exc:
                problems.append(Problem(row, title, exc.key, exc.params))
        if "credit_code" not in found and "name" not in found and not problems:
            problems.append(Problem(row, self.title("credit_code"), "event_customer_required"))
        if "kind" not in found and not any(p.column == self.title("kind") for p in problems):
            problems.append(Problem(row, self.title("kind"), "event_kind_required"))
        if "occurred_on" not in found and not any(p.column == self.title("occurred_on") for p in problems):
            problems.append(Problem(row, self.title("occurred_on"), "event_date_required"))
        if problems:
            return None, problems
        kind, on = found["kind"], found["occurred_on"]
        amount, days, note = found.get("amount"), found.get("days"), found.get("note")
        for error in ev.problems(kind, on, today, amount=amount, days=days, note=note):
            field = {"date": "occurred_on"}.get(error.field, error.field)
            problems.append(Problem(row, self.title(field), f"event_{error.key}", error.params))
        if problems:
            return None, problems
        event = ev.check(kind, on, today, amount=amount, days=days, note=note)
        column = self.title("credit_code" if "credit_code" in found else "name")
        return EventRow(row, found.get("credit_code"), found.get("name"), event, column), []


class _CodeFault(ValueError):
    def __init__(self, key: str, params: dict[str, Any]) -> None:
        super().__init__(key)
        self.key, self.params = key, params


def _cell(key: str, cell: Any, today: date) -> Any:
    """One cell's value for `key`, or the problem with it."""
    if key == "credit_code":
        if isinstance(cell, int | float):
            raise _CodeFault("code_is_number", {})
        code = _text(cell)
        fault = credit_code_fault(code)
        if fault is not None:
            raise _CodeFault(fault[0], fault[1])
        return code
    if key == "name":
        return " ".join(_text(cell).split())
    if key == "kind":
        return ev.parse_kind(_text(cell))
    if key == "occurred_on":
        if isinstance(cell, datetime):
            return cell.date()
        if isinstance(cell, date):
            return cell
        return ev.parse_date(_text(cell), today)
    if key == "amount":
        if isinstance(cell, bool):
            raise ev.EventInputError("amount", "amount", got=str(cell))
        if isinstance(cell, int | float | Decimal):
            return ev.checked_amount(Decimal(repr(cell)) if isinstance(cell, float) else Decimal(cell), cell)
        return ev.parse_amount(_text(cell))
    if key == "days":
        if isinstance(cell, int | float) and not isinstance(cell, bool):
            if cell != int(cell):
                raise ev.EventInputError("days", "days", got=str(cell))
            return ev.checked_days(int(cell), cell)
        return ev.parse_days(_text(cell))
    return str(cell).strip()  # note, as typed
