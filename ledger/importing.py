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
"""

from __future__ import annotations

import math
import multiprocessing
import os
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from ledger import stored
from ledger.ahead import can_fork
from ledger.bulk import insert_many, insert_returning
from ledger.collector import batch_collection
from ledger.first_grades import CUSTOMER_COLUMNS, FirstGrades
from ledger.graded import Graded, assess_new, packed, unpacked
from ledger.rescore import RescoreReport, rescore
from spreadsheets.reading import Rows, TableError
from spreadsheets.rows import Problem, Record, RowChecker
from messages.plain import words
from scoring.alerts import crossings
from scoring.cadence import Workdays
from scoring.profiles import ProfileChooser, ProfileSet
from scoring.values import DERIVED_FROM, derive
from storage.models import Customer, CustomerAlias, IndicatorValue
from storage.uow import Database, UnitOfWork

MAX_MESSAGES = 50  # problems kept to show; the rest are only counted
BATCH_SIZE = 1000
CHECKER_PROCESS_FROM = 1_000_000  # bytes: smaller files are checked faster than a process starts
SHARE_SLICE = 100  # rows the checking process makes ready between looks for an idle importer
IDENTITY_FIELDS = (
    "industry", "profile", "since", "avg_payment_days", "credit_terms_days",
    "outstanding_amount", "sales_owner", "risk_officer",
)

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
    errors: list[Problem] = field(default_factory=list)  # the first MAX_MESSAGES; words: `Problem.text`
    error_count: int = 0
    warnings: list[Problem] = field(default_factory=list)
    warning_count: int = 0
    rescore: RescoreReport | None = None  # the rescoring run after a successful import
    rescore_failed: str | None = None  # why that run stopped (the import itself is committed)

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def _error(self, problem: Problem) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_MESSAGES:
            self.errors.append(problem)

    def _warning(self, problem: Problem) -> None:
        self.warning_count += 1
        if len(self.warnings) < MAX_MESSAGES:
            self.warnings.append(problem)


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
    checked = _Checked(profiles, path, accept_bad_check, batch_size, in_process)
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
                         FirstGrades(now, tz, workdays, grades), ProfileChooser(profiles), checked.known)
        checked.columns = writer.first_grades.columns
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
            uow.commit()
    if not dry_run and (report.created or report.updated):
        try:
            later = rescore(db, profiles, workdays, now, tz=tz)
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


# ---------------------------------------------------------------- checking


class CheckingFailed(RuntimeError):
    """The checking process failed or died; nothing was changed. `key` and `params` say how
    (as a `Problem`'s do), `trace` is its traceback when it sent one."""

    def __init__(self, key: str, params: dict[str, Any], trace: str | None = None) -> None:
        super().__init__(key, params, trace)
        self.key, self.params, self.trace = key, params, trace

    def __str__(self) -> str:
        return words("en").text(f"import.{self.key}", **self.params)


class _New(NamedTuple):
    """A checked row of a customer not yet in the ledger, ready to be written: its customers
    row and its first assessment."""

    credit_code: str
    name: str
    aliases: tuple[str, ...] | None
    graded: Graded
    row: tuple[Any, ...]  # values for _CREATE_COLUMNS: values and parts as JSON text, graded columns


def _as_new(choose: ProfileChooser, columns: Callable[[Graded], tuple[Any, ...]], record: Record) -> _New:
    """The row ready to write; `columns` is `FirstGrades.columns` (grade, next due, …)."""
    values, parts = merged_values({}, {}, record)
    fields = record.fields
    graded = assess_new(choose(fields.get("profile"), fields.get("industry")), values)
    row = (*map(fields.get, IDENTITY_FIELDS), record.credit_code, record.name,
           stored.json_text(stored.encode(values)), stored.json_text(parts) if parts else None, *columns(graded))
    return _New(record.credit_code, record.name, record.aliases, graded, row)


class _Checked:
    """The checked rows, in batches, while every row so far is good; then `findings` holds the
    row count and the problems. Checked here, or in a forked process while this one writes:
    checking, assessing and writing take about as long each, and two cores do them at once.
    The forked process sends a customer not in `known` as a `_New` (ready to write, much
    less to send than its `Record`), any other as its `Record` — unless this process said it
    was idle, waiting for rows: then it gets the batch at hand at once, the rows not yet made
    ready (`SHARE_SLICE` at a time) as `Record`s, and makes them ready itself, so the work is
    shared whichever side is faster."""

    def __init__(self, profiles: ProfileSet, path: Path, accept_bad_check: bool, batch_size: int, in_process: bool) -> None:
        self.profiles = profiles
        self.path = path
        self.accept_bad_check = accept_bad_check
        self.batch_size = batch_size
        self.in_process = in_process
        self.known: set[str] | None = None  # the ledger's credit codes; None: send every row as a Record
        self.columns: Callable[[Graded], tuple[Any, ...]] | None = None  # FirstGrades.columns, with `known`
        self.findings = ImportReport(file=path.name, dry_run=False)
        self.total: int | None = None  # rows in the file, when the reader knows it up front
        self._process: Any = None

    def __enter__(self) -> _Checked:
        return self

    def __exit__(self, *exc: object) -> None:
        process, self._process = self._process, None
        if process is not None:
            if process.is_alive():  # the import stopped early (a database error): stop checking too
                process.terminate()
            process.join()

    def __iter__(self) -> Iterator[list[Record | _New]]:
        if self.in_process:
            table = Rows(self.path)
            self.total = table.total
            yield from _check(self.profiles, table, self.accept_bad_check, self.findings, self.batch_size)
            return
        context = multiprocessing.get_context("fork")
        receiving, sending = context.Pipe()
        self._process = context.Process(target=_check_in_child, daemon=True, args=(
            sending, receiving, self.profiles, self.path, self.accept_bad_check, self.batch_size,
            (self.known, self.columns) if self.known is not None and self.columns is not None else None))
        self._process.start()
        sending.close()
        with receiving:
            while True:
                if not receiving.poll():
                    _tell_idle(receiving)
                # A message, or the child gone without one (killed): never wait for nothing.
                wait([receiving, self._process.sentinel])
                try:
                    kind, payload = receiving.recv()
                except (EOFError, ConnectionResetError):  # reset: it died with our idle tokens unread
                    self._process.join(timeout=5)  # for its exit code
                    raise CheckingFailed("checking_ended", {"file": self.path.name,
                                                            "code": self._process.exitcode}) from None
                if kind == "total":
                    self.total = payload
                elif kind == "batch":
                    yield _unpacked(payload)
                elif kind == "done":
                    self.findings = payload
                    return
                elif kind == "table":
                    raise TableError(*payload)
                else:
                    raise CheckingFailed("checking_failed", {"file": self.path.name,
                                                             "detail": payload.strip().splitlines()[-1]}, payload)


def _check_in_child(out: Connection, parents_end: Connection, profiles: ProfileSet, path: Path,
                    accept_bad_check: bool, batch_size: int,
                    new_ones: tuple[set[str], Callable[[Graded], tuple[Any, ...]]] | None) -> None:
    """The checking process: checked rows, batch by batch, to `out`; then the findings.

    Holds no copy of the importing process's end of the pipe, so if that process dies a send
    fails at once instead of waiting for a reader forever (and keeping its database connection,
    inherited, open). Leaves with `os._exit`: nothing inherited is cleaned up or printed (a
    lock held by another thread at the fork, e.g. the progress bar's, would never be freed).
    """
    parents_end.close()
    prepare = None
    if new_ones is not None:
        choose = ProfileChooser(profiles)
        known, columns = new_ones

        def prepare(record: Record) -> Record | _New:
            return record if record.credit_code in known else _as_new(choose, columns, record)

    findings = ImportReport(file=path.name, dry_run=False)
    idle = 0  # messages the importing process is waiting for, with nothing left to write
    code = 0
    try:
        table = Rows(path)
        out.send(("total", table.total))
        for batch in _check(profiles, table, accept_bad_check, findings, batch_size):
            idle += _words(out)  # read even when nothing is made ready here: unread, they fill the pipe
            if prepare is not None and not idle:
                # A slice at a time, looking for the importing process's word in between: once
                # it waits, the rest of the batch goes to it as it is, for it to make ready.
                ready: list[Record | _New] = []
                while len(ready) < len(batch) and not idle:
                    ready.extend(prepare(record) for record in batch[len(ready):len(ready) + SHARE_SLICE])
                    idle += _words(out)
                batch = ready + batch[len(ready):]
            idle = max(0, idle - 1)
            out.send(("batch", _packed(batch)))
        out.send(("done", findings))
    except TableError as exc:
        code = _send_last(out, ("table", (exc.key, exc.params)))
    except BaseException:  # noqa: BLE001 — the importing process reports it
        code = _send_last(out, ("failed", traceback.format_exc())) or 1
    finally:
        os._exit(code)


_Packed = list[tuple[bool, tuple[Any, ...]]]


def _packed(batch: list[Record | _New]) -> _Packed:
    """A batch as plain tuples for the pipe. Pickling NamedTuples, slotted dataclasses and
    enums runs Python code for each object on both sides: twice the cost of plain tuples,
    some 1.5 s of CPU per 100,000 rows."""
    out: _Packed = []
    for item in batch:
        if item.__class__ is _New:
            new: _New = item  # type: ignore[assignment]
            out.append((True, (new.credit_code, new.name, new.aliases, packed(new.graded), new.row)))
        else:
            r: Record = item  # type: ignore[assignment]
            out.append((False, (r.row, r.credit_code, r.name, r.fields, r.aliases, r.indicators, r.parts)))
    return out


def _unpacked(batch: _Packed) -> list[Record | _New]:
    return [tuple.__new__(_New, (*fields[:3], unpacked(fields[3]), fields[4])) if is_new else Record(*fields)
            for is_new, fields in batch]


def _words(connection: Connection) -> int:
    """How many times the importing process said it waits, since the last look."""
    count = 0
    while connection.poll():
        connection.recv()
        count += 1
    return count


def _send_last(out: Connection, message: tuple[str, Any]) -> int:
    try:
        out.send(message)
        return 0
    except OSError:  # the importing process is gone
        return 1


def _tell_idle(connection: Connection) -> None:
    try:
        connection.send(None)
    except OSError:  # the checking process has finished: nothing left to share
        pass


def _blank(cells: list[Any]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _header(profiles: ProfileSet, rows: Iterator[tuple[int, list[Any]]], accept_bad_check: bool) -> RowChecker | None:
    """The first non-blank row is the header."""
    for number, cells in rows:
        if not _blank(cells):
            return RowChecker(profiles, cells, number, accept_bad_check)
    return None


def _check(profiles: ProfileSet, table: Rows, accept_bad_check: bool, report: ImportReport,
           batch_size: int) -> Iterator[list[Record]]:
    """Check every row into `report`; yield the checked records in batches until the first
    problem, then one empty batch (nothing will be committed: stop writing), then only count."""
    rows = iter(table)
    checker = _header(profiles, rows, accept_bad_check)
    if checker is None:
        report._error(Problem(1, "", "empty_file"))
        return
    for problem in checker.problems:
        report._error(problem)
    if checker.missing_required:
        return
    code_column = checker.title("credit_code")
    first_row: dict[str, int] = {}
    batch: list[Record] = []
    told = not report.ok  # a bad header: no row was ever handed out
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
                report._error(Problem(number, code_column, "duplicate_code", {"code": record.credit_code, "earlier": earlier}))
            elif report.ok:
                batch.append(record)
                if len(batch) >= batch_size:
                    yield batch
                    batch = []
        if not told and not report.ok:
            told = True
            batch = []
            yield []
    if batch and report.ok:
        yield batch


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
        for key, (first, second) in DERIVED_FROM.items():
            if key in record.indicators or (first not in record.parts and second not in record.parts):
                continue
            if key in derived:
                values[key] = derived[key]
            else:
                values.pop(key, None)
    return values, parts


HISTORY_COLUMNS = ("customer_id", "key", "value_num", "value_text")
_SOURCE_LENGTH = IndicatorValue.__table__.c.source.type.length


def _history(customer_id: int, key: str, value: Any) -> tuple[Any, ...]:
    """One indicator_values row: numbers in value_num (every finite one fits: see
    `scoring.values.MAX_NUMBER`), ratings and "inf" in value_text."""
    if value is None or isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return (customer_id, key, value, None)
    return (customer_id, key, None, stored.encode({key: value})[key])


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
        # Rows to update are locked as they are read (PostgreSQL; SQLite's write lock covers
        # it), so nothing another writer changes meanwhile is overwritten with what was read.
        self._existing = select(*_EXISTING) if dry_run else select(*_EXISTING).with_for_update()

    def write(self, batch: list[Record | _New]) -> None:
        records = [r for r in batch if r.__class__ is Record]
        creates = [r for r in batch if r.__class__ is _New]
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
            else:
                creates.append(_as_new(self.choose, self.first_grades.columns, record))
        self.report.created += len(creates)
        if creates:
            self._create(creates)
        if updates:
            self._update(updates)

    def _create(self, news: list[_New]) -> None:
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
