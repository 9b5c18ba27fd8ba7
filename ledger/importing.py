"""`riskbot import`: upsert customers from a CSV, XLSX or XLS file, all or nothing (SPEC §11).

One pass, in ONE transaction committed only at the end, keeps memory flat whatever the file
size and leaves the ledger as it was after a bad row, a crash or a conflict:

- rows are checked one by one, keeping only the credit codes seen (for duplicates) and the
  first problems to show; checked rows are written in batches of bulk SQL until the first
  problem, after which the rest of the file is only checked, so every problem is reported
  and nothing is committed;
- a large file is checked (and each row's first assessment worked out) in a forked process
  while this one writes: checking and writing each take about half the time on their own.

On SQLite the one transaction holds the write lock from the first row to the commit (some 10 s
for 100,000 new customers here); the bot's own writes wait for it, up to the busy timeout. On
PostgreSQL imports take turns on an advisory lock (rescoring batches wait for it too, so the
two never deadlock on each other's rows) and lock the customer rows they read to update, so
neither another import's values nor another writer's change is overwritten.

Re-importing the same file changes nothing: a customer is updated only when a value differs,
and indicator history (indicator_values) gets a row only for a value that changed. A new
customer's starting values are its `values`/`parts` and the breakdown of its first assessment;
history starts with the first change (100,000 new customers would otherwise append some two
million rows that say nothing new). Alert lines (SPEC §10) crossed by an existing customer's
new values are recorded once per change. An empty cell keeps what is stored (import never
clears a value). A new customer gets its first grade as it is written (`first_grades`); the
updated customers are rescored afterwards (`ledger.rescore`), so grades are current.

Risk events given with the customers (a workbook's 风险事件 sheet, or `--events FILE`) are
written in the same transaction once every customer row is good (`ledger.event_import`): a
bad event row leaves the customers unwritten too, and an event may name a customer the same
import creates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from ledger import stored
from ledger.ahead import can_fork
from ledger.bulk import insert_many, insert_returning
from ledger.event_import import CheckedEvents, EventReport, write_events
from ledger.checking import IDENTITY_FIELDS, CheckedRows, NewCustomer, as_new, merged_values
from ledger.collector import batch_collection
from ledger.first_grades import CUSTOMER_COLUMNS, FirstGrades
from ledger.rescore import RescoreReport, rescore
from spreadsheets.rows import Problem, Record
from scoring.alerts import crossings
from scoring.cadence import Workdays
from scoring.profiles import ProfileChooser, ProfileSet
from storage.models import Customer, CustomerAlias, IndicatorValue
from storage.uow import Database, UnitOfWork

BATCH_SIZE = 1000
CHECKER_PROCESS_FROM = 1_000_000  # bytes: smaller files are checked faster than a process starts

Progress = Callable[[str, int, int | None], None]  # ("write", rows done, total rows if known)

_C = Customer.__table__
_EXISTING = (_C.c.id, _C.c.credit_code, _C.c.name, *(_C.c[f] for f in IDENTITY_FIELDS),
             _C.c["values"], _C.c.parts, _C.c.needs_rescore)
# Executed with a list of dicts: the SET clause is every key but "_id".
_UPDATE = update(_C).where(_C.c.id == bindparam("_id"))
_CREATE_COLUMNS = (*IDENTITY_FIELDS, "credit_code", "name", "values", "parts", *CUSTOMER_COLUMNS)


@dataclass
class ImportReport:
    file: str
    dry_run: bool
    rows: int = 0  # data rows read (empty rows are skipped)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    alerts: int = 0  # alert lines newly crossed (recorded, or that would be in a dry run)
    errors: list[Problem] = field(default_factory=list)  # the first `checking.MAX_MESSAGES`; words: `Problem.text`
    error_count: int = 0
    warnings: list[Problem] = field(default_factory=list)
    warning_count: int = 0
    rescore: RescoreReport | None = None  # the rescoring run after a successful import
    rescore_failed: str | None = None  # why that run stopped (the import itself is committed)
    events: EventReport | None = None  # the events imported with the customers, if any

    @property
    def ok(self) -> bool:
        return self.error_count == 0 and (self.events is None or self.events.ok)


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
    checker_process_from: int | None = None,
    events: CheckedEvents | None = None,
    announce: bool = True,
) -> ImportReport:
    """Check and write the file in one transaction, committed only if every row is good (and
    not `dry_run`); new customers get their first grades in it, changed ones are rescored after.

    Files of `checker_process_from` (default `CHECKER_PROCESS_FROM`) bytes or more are checked
    in a second process.
    File-level problems (unsupported type, unreadable file) raise `reading.TableError`.
    """
    path = Path(path)
    report = ImportReport(file=path.name, dry_run=dry_run)
    grades = RescoreReport()
    threshold = CHECKER_PROCESS_FROM if checker_process_from is None else checker_process_from
    in_process = not can_fork() or _size(path) < threshold
    checked = CheckedRows(profiles, path, accept_bad_check, batch_size, in_process)
    with batch_collection(), db.uow() as uow, checked:
        if not dry_run:
            # First, before anything is read: one import at a time (on SQLite the write lock,
            # which also keeps every other writer out until this import commits).
            uow.customers.take_import_turn()
            if not in_process:
                # No other import adds a customer before this one commits (another writer that
                # does, on PostgreSQL, makes it fail on the unique credit code).
                checked.known = set(uow.session.scalars(select(_C.c.credit_code)))
        writer = _Writer(uow, path.name, now, dry_run, report,
                         FirstGrades(now, tz, workdays, grades, announce=announce), ProfileChooser(profiles), checked.known)
        checked.columns = writer.first_grades.columns
        if dry_run and events is not None:
            writer.would_create = {}  # the events may name customers a dry run does not create
        done = 0
        for batch in checked:
            if not batch:  # a bad row: nothing will be committed, so let go of the ledger now
                uow.rollback()
                continue
            writer.write(batch)
            done += len(batch)
            if progress:
                progress("write", done, checked.total)
        found = checked.findings
        report.rows = found.rows
        report.errors, report.error_count = found.errors, found.error_count
        report.warnings, report.warning_count = found.warnings, found.warning_count
        if report.ok and events is not None:
            report.events = write_events(uow, events, now=now, tz=tz, actor=actor, not_yet=writer.would_create)
        if not report.ok:
            report.created = report.updated = report.unchanged = report.alerts = 0
            return report  # the unit of work ends without a commit: nothing changes
        if progress:
            progress("write", report.rows, report.rows)
        if not dry_run and (report.created or report.updated):
            uow.customers.bump_names_version()  # the lookup index reloads names on its next look
            uow.audit.append(now, actor, "customers.imported", None, {
                "file": path.name, "rows": report.rows, "created": report.created,
                "updated": report.updated, "unchanged": report.unchanged, "alerts": report.alerts,
            })
        if not dry_run and (report.created or report.updated or (report.events and report.events.added)):
            uow.commit()
    if not dry_run and (report.created or report.updated):
        try:
            later = rescore(db, profiles, workdays, now, tz=tz, announce=announce)
        except OperationalError as exc:  # busy or unreachable: the updated customers stay flagged
            later = RescoreReport()
            report.rescore_failed = str(exc.orig)
        report.rescore = _added(grades, later)
    return report


def _added(first: RescoreReport, later: RescoreReport) -> RescoreReport:
    """One report for the first grades given while importing and the rescoring after it."""
    return RescoreReport(
        assessed=first.assessed + later.assessed, applied=first.applied + later.applied,
        requested=first.requested + later.requested, superseded=first.superseded + later.superseded,
        withdrawn=first.withdrawn + later.withdrawn, moves=first.moves + later.moves,
    )


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # `Rows` says what is wrong with it


_SOURCE_LENGTH = IndicatorValue.__table__.c.source.type.length


def _changed(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    keys = list(new) + [k for k in old if k not in new]
    return [k for k in keys if old.get(k) != new.get(k)]


class _Writer:
    """Writes batches of checked records into one open unit of work (or only counts)."""

    def __init__(self, uow: UnitOfWork, file: str, now: datetime, dry_run: bool, report: ImportReport,
                 first_grades: FirstGrades, choose: ProfileChooser, known: set[str] | None) -> None:
        self.uow = uow
        self.known = known  # the ledger's credit codes when the import began, if it read them
        self.session: Session = uow.session
        self.source = f"import:{file}"[:_SOURCE_LENGTH]  # the history's provenance; a long file name cut
        self.now = now
        self.dry_run = dry_run
        self.report = report
        self.first_grades = first_grades
        self.choose = choose
        self.would_create: dict[str, str] | None = None  # a dry run's new customers: code → name
        # Rows to update are locked as they are read (PostgreSQL; SQLite's write lock covers
        # it), so nothing another writer changes meanwhile is overwritten with what was read.
        self._existing = select(*_EXISTING) if dry_run else select(*_EXISTING).with_for_update()

    def write(self, batch: list[Record | NewCustomer]) -> None:
        records = [r for r in batch if r.__class__ is Record]
        creates = [r for r in batch if r.__class__ is NewCustomer]
        # Only codes the ledger had are looked up: no other writer adds one meanwhile (see
        # import_file), so a code it did not have is a new customer.
        known = self.known
        codes = [r.credit_code for r in records if known is None or r.credit_code in known]
        existing = {
            row.credit_code: row for row in self.session.execute(self._existing.where(_C.c.credit_code.in_(codes)))
        } if codes else {}
        updates: list[tuple[Record, Any]] = []
        for record in records:
            old = existing.get(record.credit_code)
            if old is not None:
                updates.append((record, old))
            elif self.dry_run:
                self.report.created += 1
                if self.would_create is not None:
                    self.would_create[record.credit_code] = record.name
            else:
                creates.append(as_new(self.choose, self.first_grades.columns, record))
        self.report.created += len(creates)
        if creates:
            self._create(creates)
        if updates:
            self._update(updates)

    def _create(self, news: list[NewCustomer]) -> None:
        """New customers, each with its first grade (`first_grades`). One added meanwhile by
        another writer fails the insert on its unique credit code: nothing is committed."""
        rows = [n.row for n in news]
        # Tuples straight to the driver, constants processed once (SQLAlchemy's executemany
        # built and processed a dict per customer: a third of the writing pass).
        ids = dict(insert_returning(
            self.session, _C, _CREATE_COLUMNS, rows, {"created_at": self.now, "updated_at": self.now},
            ("credit_code", "id"), json_text=("values", "parts"),
        ))
        self.first_grades.write(self.session, [(ids[n.credit_code], n.name, n.graded) for n in news])
        self.first_grades.report.assessed += len(news)
        aliases: list[tuple[int, str]] = []
        for new in news:
            aliases.extend((ids[new.credit_code], a) for a in new.aliases or ())
        insert_many(self.session, CustomerAlias.__table__, ("customer_id", "alias"), aliases)

    def _append_history(self, rows: list[tuple[Any, ...]]) -> None:
        insert_many(self.session, IndicatorValue.__table__, stored.HISTORY_COLUMNS, rows,
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
            history.extend(stored.history_row(old.id, k, values.get(k)) for k in value_keys)
            history.extend(stored.history_row(old.id, k, parts.get(k)) for k in part_keys)
            if aliases_changed:
                replaced.append(old.id)
                new_aliases.extend((old.id, a) for a in record.aliases or ())
        if changes:
            self.session.execute(_UPDATE, changes)
        self._append_history(history)
        if replaced:
            self.session.execute(delete(CustomerAlias.__table__).where(CustomerAlias.customer_id.in_(replaced)))
        insert_many(self.session, CustomerAlias.__table__, ("customer_id", "alias"), new_aliases)
