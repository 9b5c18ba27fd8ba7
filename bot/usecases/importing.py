"""`riskbot import`: upsert customers from a CSV or XLSX file, all or nothing (SPEC §11).

Two passes keep memory flat whatever the file size:

1. check every row, keeping only the credit codes seen (for duplicates) and the first
   problems to show; checked rows are spooled to a temporary file in pickled batches (so the
   file is parsed once); any problem ends the import before anything is written;
2. read the spool back and write it in batches of bulk SQL inside ONE transaction, committed
   only at the end, so a crash or a conflict leaves the ledger as it was.

Re-importing the same file changes nothing: a customer is updated only when a value differs,
and indicator history (indicator_values) gets a row only for a value that changed. A new
customer's starting values are its `values`/`parts` and the breakdown of its first assessment;
history starts with the first change (100,000 new customers would otherwise append some two
million rows that say nothing new). Alert lines (SPEC §10) crossed by an existing customer's
new values are recorded once per change. An empty cell keeps what is stored (import never
clears a value). Afterwards the changed customers are rescored (`bot.usecases.rescore`), so
grades are current.
"""

from __future__ import annotations

import math
import pickle
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import Session

from bot.usecases import stored
from bot.usecases.bulk import insert_many, insert_returning
from bot.usecases.rescore import RescoreReport, rescore
from bot.usecases.rows import Problem, Record, RowChecker, Rows
from scoring.alerts import crossings
from scoring.cadence import Workdays
from scoring.profiles import ProfileSet
from scoring.values import DERIVED_FROM, derive
from storage.models import Customer, CustomerAlias, IndicatorValue
from storage.uow import Database, UnitOfWork

MAX_MESSAGES = 50  # problems kept to show; the rest are only counted
BATCH_SIZE = 1000
IDENTITY_FIELDS = (
    "industry", "profile", "since", "avg_payment_days", "credit_terms_days",
    "outstanding_amount", "sales_owner", "risk_officer",
)

Progress = Callable[[str, int, int | None], None]  # (phase "check" | "write", rows done, total)

_C = Customer.__table__
_EXISTING = (_C.c.id, _C.c.credit_code, _C.c.name, *(_C.c[f] for f in IDENTITY_FIELDS),
             _C.c["values"], _C.c.parts, _C.c.needs_rescore)
# Executed with a list of dicts: the SET clause is every key but "_id".
_UPDATE = update(_C).where(_C.c.id == bindparam("_id"))
_CREATE_COLUMNS = (*IDENTITY_FIELDS, "credit_code", "name", "values", "parts")


@dataclass
class ImportReport:
    file: str
    dry_run: bool
    rows: int = 0  # data rows read (empty rows are skipped)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    alerts: int = 0  # alert lines newly crossed (recorded, or that would be in a dry run)
    errors: list[str] = field(default_factory=list)  # the first MAX_MESSAGES, `row N, column C: …`
    error_count: int = 0
    warnings: list[str] = field(default_factory=list)
    warning_count: int = 0
    rescore: RescoreReport | None = None  # the rescoring run after a successful import

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def _error(self, problem: Problem | str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_MESSAGES:
            self.errors.append(str(problem))

    def _warning(self, problem: Problem) -> None:
        self.warning_count += 1
        if len(self.warnings) < MAX_MESSAGES:
            self.warnings.append(str(problem))


def import_file(
    db: Database,
    profiles: ProfileSet,
    path: Path | str,
    *,
    now: datetime,
    workdays: Workdays,
    tz: tzinfo = ZoneInfo("Asia/Shanghai"),
    dry_run: bool = False,
    accept_bad_check: bool = False,
    actor: str = "system",
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
) -> ImportReport:
    """Check, then (unless `dry_run` or any row is bad) write the file and rescore.

    File-level problems (unsupported type, unreadable file) raise `rows.TableError`.
    """
    path = Path(path)
    report = ImportReport(file=path.name, dry_run=dry_run)
    with tempfile.TemporaryFile() as spool, db.uow() as uow:
        _check(profiles, path, accept_bad_check, report, progress, spool, batch_size)
        if not report.ok:
            return report
        spool.seek(0)
        writer = _Writer(uow, path.name, now, dry_run, report)
        done = 0
        for batch in _spooled(spool):
            writer.write(batch)
            done += len(batch)
            if progress:
                progress("write", done, report.rows)
        if not dry_run and (report.created or report.updated):
            uow.customers.bump_names_version()  # the lookup index reloads names on its next look
            uow.audit.append(now, actor, "customers.imported", None, {
                "file": path.name, "rows": report.rows, "created": report.created,
                "updated": report.updated, "unchanged": report.unchanged, "alerts": report.alerts,
            })
            uow.commit()
    if not dry_run and (report.created or report.updated):
        report.rescore = rescore(db, profiles, workdays, now, tz=tz)
    return report


# ---------------------------------------------------------------- pass 1: check


def _blank(cells: list[Any]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _header(profiles: ProfileSet, rows: Iterator[tuple[int, list[Any]]], accept_bad_check: bool) -> RowChecker | None:
    """The first non-blank row is the header."""
    for number, cells in rows:
        if not _blank(cells):
            return RowChecker(profiles, cells, number, accept_bad_check)
    return None


def _check(profiles: ProfileSet, path: Path, accept_bad_check: bool, report: ImportReport,
           progress: Progress | None, spool: IO[bytes], batch_size: int) -> None:
    """Pass 1: check every row; checked records go to `spool` in pickled batches for pass 2."""
    table = Rows(path)
    rows = iter(table)
    checker = _header(profiles, rows, accept_bad_check)
    if checker is None:
        report._error("row 1: the file is empty; the first row must hold the column headers (see `riskbot template`)")
        return
    for problem in checker.problems:
        report._error(problem)
    if checker.missing_required:
        return
    code_column = checker.title("credit_code")
    first_row: dict[str, int] = {}
    batch: list[Record] = []
    for number, cells in rows:
        if _blank(cells):
            continue
        report.rows += 1
        record, problems, warning = checker.check(number, cells)
        for problem in problems:
            report._error(problem)
        if warning is not None:
            report._warning(warning)
        if record is not None:
            earlier = first_row.setdefault(record.credit_code, number)
            if earlier != number:
                report._error(Problem(number, code_column, f"the same credit code {record.credit_code} as row {earlier}; each customer must appear once"))
            elif report.ok:
                batch.append(record)
                if len(batch) >= batch_size:
                    pickle.dump(batch, spool, pickle.HIGHEST_PROTOCOL)
                    batch = []
        if progress and report.rows % 1000 == 0:
            progress("check", report.rows, table.total)
    if batch and report.ok:
        pickle.dump(batch, spool, pickle.HIGHEST_PROTOCOL)
    if progress:
        progress("check", report.rows, report.rows)


def _spooled(spool: IO[bytes]) -> Iterator[list[Record]]:
    """Pass 2 reads back what pass 1 checked, one batch at a time."""
    while True:
        try:
            yield pickle.load(spool)
        except EOFError:
            return


# ---------------------------------------------------------------- pass 2: write


def merged_values(
    old_values: dict[str, Any], old_parts: dict[str, float], record: Record
) -> tuple[dict[str, Any], dict[str, float]]:
    """The values and parts after this row: given cells replace, empty cells keep.

    A derived indicator (order spike, litigation ratio) given directly wins; else a row that
    gives one of its parts recomputes it from the parts known after the row.
    """
    parts = {**old_parts, **record.parts}
    values = {**old_values, **record.indicators}
    if record.parts:
        derived = derive(parts)
        for key, sources in DERIVED_FROM.items():
            if key in record.indicators or not any(s in record.parts for s in sources):
                continue
            if key in derived:
                values[key] = derived[key]
            else:
                values.pop(key, None)
    return values, parts


HISTORY_COLUMNS = ("customer_id", "key", "value_num", "value_text")


def _history(customer_id: int, key: str, value: Any) -> tuple[Any, ...]:
    """One indicator_values row: numbers in value_num, ratings and "inf" in value_text."""
    if value is None or isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return (customer_id, key, value, None)
    return (customer_id, key, None, stored.encode({key: value})[key])


def _changed(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    keys = list(new) + [k for k in old if k not in new]
    return [k for k in keys if old.get(k) != new.get(k)]


class _Writer:
    """Writes batches of checked records into one open unit of work (or only counts)."""

    def __init__(self, uow: UnitOfWork, file: str, now: datetime, dry_run: bool, report: ImportReport) -> None:
        self.uow = uow
        self.session: Session = uow.session
        self.source = f"import:{file}"
        self.now = now
        self.dry_run = dry_run
        self.report = report

    def write(self, batch: list[Record]) -> None:
        existing = {
            row.credit_code: row
            for row in self.session.execute(select(*_EXISTING).where(_C.c.credit_code.in_([r.credit_code for r in batch])))
        }
        creates: list[Record] = []
        updates: list[tuple[Record, Any]] = []
        for record in batch:
            old = existing.get(record.credit_code)
            if old is None:
                creates.append(record)
            else:
                updates.append((record, old))
        self.report.created += len(creates)
        if creates and not self.dry_run:
            self._create(creates)
        if updates:
            self._update(updates)

    def _create(self, records: list[Record]) -> None:
        rows = []
        for record in records:
            values, parts = merged_values({}, {}, record)
            fields = record.fields
            rows.append((*(fields.get(f) for f in IDENTITY_FIELDS), record.credit_code, record.name,
                         stored.encode(values), parts or None))
        # Tuples straight to the driver, constants processed once (SQLAlchemy's executemany
        # built and processed a dict per customer: a third of the writing pass).
        ids = dict(insert_returning(
            self.session, _C, _CREATE_COLUMNS, rows,
            {"needs_rescore": True, "provisional": False, "created_at": self.now, "updated_at": self.now},
            ("credit_code", "id"),
        ))
        aliases: list[tuple[int, str]] = []
        for record in records:
            aliases.extend((ids[record.credit_code], a) for a in record.aliases or ())
        insert_many(self.session, CustomerAlias.__table__, ("customer_id", "alias"), aliases)

    def _append_history(self, rows: list[tuple[Any, ...]]) -> None:
        insert_many(self.session, IndicatorValue.__table__, HISTORY_COLUMNS, rows,
                    {"source": self.source, "observed_at": self.now})

    def _update(self, pairs: list[tuple[Record, Any]]) -> None:
        alias_ids = [old.id for record, old in pairs if record.aliases is not None]
        old_aliases: dict[int, set[str]] = {i: set() for i in alias_ids}
        if alias_ids:
            for customer_id, alias in self.session.execute(
                select(CustomerAlias.customer_id, CustomerAlias.alias).where(CustomerAlias.customer_id.in_(alias_ids))
            ):
                old_aliases[customer_id].add(alias)
        changes: list[dict[str, Any]] = []
        history: list[tuple[Any, ...]] = []
        new_aliases: list[tuple[int, str]] = []
        replaced: list[int] = []
        for record, old in pairs:
            old_values = stored.decode(old.values)
            old_parts = dict(old.parts or {})
            values, parts = merged_values(old_values, old_parts, record)
            fields = {f: record.fields.get(f, getattr(old, f)) for f in IDENTITY_FIELDS}
            identity_changed = record.name != old.name or any(fields[f] != getattr(old, f) for f in IDENTITY_FIELDS)
            value_keys = _changed(old_values, values)
            part_keys = _changed(old_parts, parts)
            aliases_changed = record.aliases is not None and set(record.aliases) != old_aliases[old.id]
            if not (identity_changed or value_keys or part_keys or aliases_changed):
                self.report.unchanged += 1
                continue
            self.report.updated += 1
            scoring_changed = bool(value_keys) or any(fields[f] != getattr(old, f) for f in ("profile", "industry"))
            found = crossings(old_values, values) if value_keys else []
            if self.dry_run:
                self.report.alerts += len(found)
                continue
            for crossing in found:
                if self.uow.alerts.record(old.id, crossing.key, crossing.signature, self.now):
                    self.report.alerts += 1
            changes.append({
                "_id": old.id, "name": record.name, **fields, "values": stored.encode(values),
                "parts": parts or None, "needs_rescore": old.needs_rescore or scoring_changed, "updated_at": self.now,
            })
            history.extend(_history(old.id, k, values.get(k)) for k in value_keys)
            history.extend(_history(old.id, k, parts.get(k)) for k in part_keys)
            if aliases_changed:
                replaced.append(old.id)
                new_aliases.extend((old.id, a) for a in record.aliases or ())
        if changes:
            self.session.execute(_UPDATE, changes)
        self._append_history(history)
        if replaced:
            self.session.execute(delete(CustomerAlias.__table__).where(CustomerAlias.customer_id.in_(replaced)))
        insert_many(self.session, CustomerAlias.__table__, ("customer_id", "alias"), new_aliases)
