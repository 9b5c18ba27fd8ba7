"""Checking an import file's rows, here or in a forked process while the importer writes.

`CheckedRows` is the one interface: iterate it for batches of checked rows (until the first
problem, then one empty batch, then nothing), then read `findings`. For a file of
`importing.CHECKER_PROCESS_FROM` bytes or more, on a system that can fork, the rows are checked
in a second process while the first writes: checking, assessing and writing take about as long
each, and two cores do them at once (`bench/bench_import.py --one-process` shows the
difference). What crosses the pipe is plain data: rows as tuples, problems as `Problem`s.
"""

from __future__ import annotations

import multiprocessing
import os
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, NamedTuple

from ledger import stored
from ledger.graded import Graded, assess_new, packed, unpacked
from messages.plain import words
from scoring.profiles import ProfileChooser, ProfileSet
from scoring.values import DERIVED_FROM, derive
from spreadsheets.reading import Rows, TableError
from spreadsheets.rows import Problem, Record, RowChecker

MAX_MESSAGES = 50  # problems kept to show; the rest are only counted
SHARE_SLICE = 100  # rows the checking process makes ready between looks for an idle importer
IDENTITY_FIELDS = (
    "industry", "profile", "since", "avg_payment_days", "credit_terms_days",
    "outstanding_amount", "sales_owner", "risk_officer",
)


@dataclass
class Findings:
    """What checking the file found: the rows read and the first problems of each kind."""

    rows: int = 0  # data rows read (empty rows are skipped)
    errors: list[Problem] = field(default_factory=list)  # the first MAX_MESSAGES
    error_count: int = 0
    warnings: list[Problem] = field(default_factory=list)
    warning_count: int = 0

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def error(self, problem: Problem) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_MESSAGES:
            self.errors.append(problem)

    def warning(self, problem: Problem) -> None:
        self.warning_count += 1
        if len(self.warnings) < MAX_MESSAGES:
            self.warnings.append(problem)


class CheckingFailed(RuntimeError):
    """The checking process failed or died; nothing was changed. `key` and `params` say how
    (as a `Problem`'s do), `trace` is its traceback when it sent one."""

    def __init__(self, key: str, params: dict[str, Any], trace: str | None = None) -> None:
        super().__init__(key, params, trace)
        self.key, self.params, self.trace = key, params, trace

    def __str__(self) -> str:
        return words("en").text(f"import.{self.key}", **self.params)


class NewCustomer(NamedTuple):
    """A checked row of a customer not yet in the ledger, ready to be written: its customers
    row and its first assessment."""

    credit_code: str
    name: str
    aliases: tuple[str, ...] | None
    graded: Graded
    row: tuple[Any, ...]  # the importer's create columns: identity, values and parts as JSON text, graded columns


def as_new(choose: ProfileChooser, columns: Callable[[Graded], tuple[Any, ...]], record: Record) -> NewCustomer:
    """The row ready to write; `columns` is `FirstGrades.columns` (grade, next due, …)."""
    values, parts = merged_values({}, {}, record)
    fields = record.fields
    graded = assess_new(choose(fields.get("profile"), fields.get("industry")), values)
    row = (*map(fields.get, IDENTITY_FIELDS), record.credit_code, record.name,
           stored.json_text(stored.encode(values)), stored.json_text(parts) if parts else None, *columns(graded))
    return NewCustomer(record.credit_code, record.name, record.aliases, graded, row)


class CheckedRows:
    """The checked rows, in batches, while every row so far is good; then `findings` holds the
    row count and the problems. Checked here, or in a forked process while this one writes:
    checking, assessing and writing take about as long each, and two cores do them at once.
    The forked process sends a customer not in `known` as a `NewCustomer` (ready to write, much
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
        self.findings = Findings()
        self.total: int | None = None  # rows in the file, when the reader knows it up front
        self._process: Any = None

    def __enter__(self) -> CheckedRows:
        return self

    def __exit__(self, *exc: object) -> None:
        process, self._process = self._process, None
        if process is not None:
            if process.is_alive():  # the import stopped early (a database error): stop checking too
                process.terminate()
            process.join()

    def __iter__(self) -> Iterator[list[Record | NewCustomer]]:
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
    prepare: Callable[[Record], Record | NewCustomer] | None = None
    if new_ones is not None:
        choose = ProfileChooser(profiles)
        known, columns = new_ones

        def make_ready(record: Record) -> Record | NewCustomer:
            return record if record.credit_code in known else as_new(choose, columns, record)

        prepare = make_ready

    findings = Findings()
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
                ready: list[Record | NewCustomer] = []
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


def _packed(batch: list[Record | NewCustomer]) -> _Packed:
    """A batch as plain tuples for the pipe. Pickling NamedTuples, slotted dataclasses and
    enums runs Python code for each object on both sides: twice the cost of plain tuples,
    some 1.5 s of CPU per 100,000 rows."""
    out: _Packed = []
    for item in batch:
        if item.__class__ is NewCustomer:
            new: NewCustomer = item  # type: ignore[assignment]
            out.append((True, (new.credit_code, new.name, new.aliases, packed(new.graded), new.row)))
        else:
            r: Record = item  # type: ignore[assignment]
            out.append((False, (r.row, r.credit_code, r.name, r.fields, r.aliases, r.indicators, r.parts)))
    return out


def _unpacked(batch: _Packed) -> list[Record | NewCustomer]:
    return [tuple.__new__(NewCustomer, (*fields[:3], unpacked(fields[3]), fields[4])) if is_new else Record(*fields)
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


def _check(profiles: ProfileSet, table: Rows, accept_bad_check: bool, report: Findings,
           batch_size: int) -> Iterator[list[Record]]:
    """Check every row into `report`; yield the checked records in batches until the first
    problem, then one empty batch (nothing will be committed: stop writing), then only count."""
    rows = iter(table)
    checker = _header(profiles, rows, accept_bad_check)
    if checker is None:
        report.error(Problem(1, "", "empty_file"))
        return
    for problem in checker.problems:
        report.error(problem)
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
            report.error(problem)
        if warning is not None:
            report.warning(warning)
        if record is not None:
            earlier = first_row.setdefault(record.credit_code, number)
            if earlier != number:
                report.error(Problem(number, code_column, "duplicate_code", {"code": record.credit_code, "earlier": earlier}))
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
