"""Importing risk events (风险事件) from a sheet: all or nothing, and idempotent.

Rows are checked first (`spreadsheets.event_sheet`), then each is matched to its customer: by
credit code when the row has one, else by the exact registered name (a name two customers share
is refused, asking for the code). A row naming no customer of the ledger is refused. Any
problem leaves the ledger as it was: the caller commits only a report without errors.

Each event stores a digest of its row (`source_key`: the customer's code and the event's
facts), so importing the same sheet again adds nothing; a row that repeats an event already
recorded from Slack (the export lists those too) adds nothing either. Every event added is
audited (`risk_event.recorded`), as one recorded in Slack is.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import select

from scoring.events import grade_on
from scoring.grades import Grade, value_of
from spreadsheets.event_sheet import EventChecker, EventRow, event_rows
from spreadsheets.rows import Problem
from ledger.bulk import insert_many, insert_returning
from storage.models import AuditEntry, Customer, RiskEvent
from storage.uow import Database, UnitOfWork

MAX_MESSAGES = 50  # problems kept to show; the rest are counted
_SOURCE_LENGTH = RiskEvent.__table__.c.source.type.length
_CENT = Decimal("0.01")
_PAGE = 500  # values per IN (…) list


@dataclass
class EventReport:
    file: str
    dry_run: bool
    rows: int = 0
    added: int = 0
    already: int = 0  # rows imported before (or recorded in Slack): nothing added for them
    errors: list[Problem] = field(default_factory=list)
    error_count: int = 0

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def problem(self, problem: Problem) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_MESSAGES:
            self.errors.append(problem)


@dataclass
class CheckedEvents:
    """The rows of one events sheet that checked out, and the report of its problems."""

    report: EventReport
    rows: list[EventRow]


def read_events(path: Path | str, *, today: date, dry_run: bool = False, named_only: bool = False) -> CheckedEvents | None:
    """Check every row of the events sheet of `path` (see `event_sheet.event_rows`); None when
    `named_only` and the workbook has no events sheet. An unreadable file raises TableError."""
    path = Path(path)
    rows = event_rows(path, named_only=named_only)
    if rows is None:
        return None
    report = EventReport(file=path.name, dry_run=dry_run)
    checked: list[EventRow] = []
    checker: EventChecker | None = None
    for number, cells in rows:
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            continue
        if checker is None:
            checker = EventChecker(cells, number)
            for problem in checker.problems:
                report.problem(problem)
            if not report.ok:
                return CheckedEvents(report, [])
            continue
        report.rows += 1
        event, problems = checker.check(number, cells, today)
        for problem in problems:
            report.problem(problem)
        if event is not None:
            checked.append(event)
    if checker is None:
        report.problem(Problem(1, "", "empty_file"))
    return CheckedEvents(report, checked)


def digest(code: str, row: EventRow) -> str:
    """The row's source_key: the same customer and facts give the same key, in any file."""
    return hashlib.sha256("\x1f".join(map(str, (code, *row.content()))).encode()).hexdigest()


def write_events(uow: UnitOfWork, checked: CheckedEvents, *, now: datetime, tz: tzinfo, actor: str,
                 not_yet: Mapping[str, str] | None = None) -> EventReport:
    """Add the checked events to the open unit of work (count them only in a dry run); the
    caller commits when the report has no errors. `not_yet` (code → name) are the customers a
    dry run of the same import would create: their events count as added."""
    report = checked.report
    customers = _customers(uow, checked.rows)
    for code, name in (not_yet or {}).items():
        pending = Customer(id=None, credit_code=code, name=name)  # never added to the session
        customers[code].append(pending)
        customers["name:" + name].append(pending)
    seen: dict[str, int] = {}
    keyed: list[tuple[EventRow, Customer, str]] = []
    for row in checked.rows:  # every good row is matched, so one report says all that is wrong
        customer = _match(row, customers, report)
        if customer is None:
            continue
        key = digest(customer.credit_code, row)
        if key in seen:
            report.problem(Problem(row.row, "", "event_same_row", {"earlier": seen[key]}))
            continue
        seen[key] = row.row
        keyed.append((row, customer, key))
    if not report.ok:
        report.errors.sort(key=lambda problem: problem.row)
        return report
    ids = {c.id for _, c, _ in keyed if c.id is not None}
    known = uow.risk_events.known_keys(key for _, _, key in keyed)
    recorded = _recorded(uow, ids)
    histories = uow.risk_events.grade_histories(ids, tz)
    source = f"import:{report.file}"[:_SOURCE_LENGTH]
    rows: list[_New] = []
    for row, customer, key in keyed:
        if key in known or (customer.id, row.content()) in recorded:
            report.already += 1
            continue
        report.added += 1
        e = row.event
        rows.append(_New(customer.id, e.kind, e.occurred_on, e.amount, e.days, e.note,
                         grade_on(histories.get(customer.id, ()), e.occurred_on), key, row.row))
    if rows and not report.dry_run:
        _insert(uow, rows, source=source, actor=actor, now=now)
    return report


class _New(NamedTuple):
    """An event to insert: its columns in `_COLUMNS` order, then its row in the sheet."""

    customer_id: int
    kind: str
    occurred_on: date
    amount: Decimal | None
    days: int | None
    note: str | None
    grade: Grade | None
    source_key: str
    row: int


_COLUMNS = _New._fields[:-1]


def _insert(uow: UnitOfWork, rows: list[_New], *, source: str, actor: str, now: datetime) -> None:
    """The events and their audit entries in bulk INSERTs (a sheet may hold a year's events)."""
    session = uow.session
    ids = dict(insert_returning(session, RiskEvent.__table__, _COLUMNS, [r[:-1] for r in rows],
                                {"source": source, "recorded_by": actor, "recorded_at": now}, ("source_key", "id")))
    audit = [("risk_event.recorded", r.customer_id, json.dumps({
        "event_id": ids[r.source_key], "kind": r.kind, "occurred_on": r.occurred_on.isoformat(),
        "amount": None if r.amount is None else str(r.amount), "days": r.days, "grade": value_of(r.grade),
        "source": source, "row": r.row,
    }, ensure_ascii=False)) for r in rows]
    insert_many(session, AuditEntry.__table__, ("action", "customer_id", "detail"), audit,
                {"at": now, "actor": actor}, json_text=("detail",))


def import_events(db: Database, checked: CheckedEvents, *, now: datetime, tz: tzinfo, actor: str = "system") -> EventReport:
    """`riskbot import --events FILE` alone: match and write the checked rows in one transaction."""
    with db.uow() as uow:
        report = write_events(uow, checked, now=now, tz=tz, actor=actor)
        if report.ok and report.added and not report.dry_run:
            uow.commit()
    return report


def _customers(uow: UnitOfWork, rows: list[EventRow]) -> dict[str, list[Customer]]:
    """The ledger's customers the rows name: under their credit code, and under "name:<name>"
    all those registered with a name a row gives without a code."""
    codes = sorted({r.credit_code for r in rows if r.credit_code})
    names = sorted({r.name for r in rows if r.name and not r.credit_code})
    found: dict[str, list[Customer]] = defaultdict(list)
    for column, wanted, prefix in ((Customer.credit_code, codes, ""), (Customer.name, names, "name:")):
        for start in range(0, len(wanted), _PAGE):
            for customer in uow.session.scalars(select(Customer).where(column.in_(wanted[start:start + _PAGE]))):
                found[prefix + (customer.name if prefix else customer.credit_code)].append(customer)
    return found


def _match(row: EventRow, customers: dict[str, list[Customer]], report: EventReport) -> Customer | None:
    got = row.credit_code or row.name or ""
    hits = customers.get(row.credit_code if row.credit_code else "name:" + got, [])
    if len(hits) == 1:
        return hits[0]
    if hits:
        report.problem(Problem(row.row, row.customer_column, "event_ambiguous_customer", {"got": got, "count": len(hits)}))
    else:
        report.problem(Problem(row.row, row.customer_column, "event_unknown_customer", {"got": got}))
    return None


def _recorded(uow: UnitOfWork, customer_ids: set[int]) -> set[tuple[int, tuple[object, ...]]]:
    """(customer id, facts as `EventRow.content` gives them) of the events these customers have."""
    return {
        (customer_id, (kind, on.isoformat(), None if amount is None else str(amount.quantize(_CENT)), days, note or ""))
        for customer_id, kind, on, amount, days, note in uow.risk_events.facts_of(customer_ids)
    }
