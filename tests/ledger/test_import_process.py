"""Large files are checked in a second process while the first writes: same ledger, same
all-or-nothing promise, and a checking process that fails or dies never leaves half an import."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from ledger import checking, importing
from ledger import rescore_batch, rescore_rows
from ledger.ahead import can_fork
from spreadsheets.reading import TableError
from scoring.grades import Grade
from storage.db import open_database
from storage.models import Assessment, AuditEntry, Customer, GradeChange
from storage.uow import Database
from tests.ledger.helpers import code, customer, english, run_import, run_rescore, write_csv, write_xlsx
from tests.ledger.test_import import snapshot

pytestmark = pytest.mark.skipif(not can_fork(), reason="the checking process is forked, on Linux only")

IN_CHILD = {"checker_process_from": 0}  # any file is checked in the second process


def mixed_rows(count: int) -> list[dict[str, Any]]:
    """Blue, yellow, red and black customers, some with aliases, parts and explicit profiles."""
    rows = []
    for n in range(1, count + 1):
        kind = n % 4
        values: dict[str, Any] = {}
        if kind == 1:
            values = {"overdue_payment_count": 2, "tax_arrears_count": 1, "cumulative_amount": 500_000}
        elif kind == 2:
            values = {"overdue_payment_count": 5, "dishonest_debtor_count": 1, "credit_overdue_count": 2}
        elif kind == 3:
            values = {"dishonest_debtor_count": 3, "tax_arrears_count": 2, "abnormal_operation_count": 3}
        row = customer(n, **values)
        if n % 5 == 0:
            row["aliases"] = f"简称{n}"
        if n % 7 == 0:
            row.update({"order_spike_pct": None, "last_order_amount": 300_000, "avg_order_amount_12m": 100_000})
        if n % 11 == 0:
            row["profile"] = "manufacturing"
        rows.append(row)
    return rows


def ledger(db: Database) -> list[tuple[Any, ...]]:
    """What a user sees of each customer after an import, and what was recorded for it."""
    with db.uow() as uow:
        s = uow.session
        code_of = {i: c for i, c in s.execute(select(Customer.id, Customer.credit_code))}
        customers = [
            (c.credit_code, c.effective_grade, c.computed_grade, c.score, c.profile_name, c.next_due,
             c.needs_rescore, sorted(a.alias for a in c.aliases), c.values, c.parts)
            for c in s.scalars(select(Customer).order_by(Customer.credit_code))
        ]
        # Sorted by their text: a grade can be None (from no grade), which does not compare.
        changes = sorted(((code_of[c.customer_id], c.from_grade, c.to_grade, c.status, c.reason)
                          for c in s.scalars(select(GradeChange))), key=repr)
        assessments = sorted(((code_of[a.customer_id], a.grade, a.score, str(a.breakdown), str(a.floors))
                              for a in s.scalars(select(Assessment))), key=repr)
        audit = sorted(((a.action, code_of.get(a.customer_id)) for a in s.scalars(select(AuditEntry))
                        if a.action != "customers.imported"), key=repr)
    return [tuple(customers), tuple(changes), tuple(assessments), tuple(audit)]


def test_a_file_checked_in_a_second_process_gives_the_same_ledger(db: Database, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "in.csv", mixed_rows(2_500))
    elsewhere = Database(open_database(f"sqlite:///{tmp_path / 'in_process.db'}"))

    report = run_import(db, path, **IN_CHILD)
    alone = run_import(elsewhere, path, checker_process_from=10**12)

    assert report.ok and (report.created, report.rows) == (2_500, 2_500)
    assert report.rescore is not None and alone.rescore is not None
    assert (report.rescore.applied, report.rescore.requested) == (alone.rescore.applied, alone.rescore.requested)
    assert report.rescore.applied > 0 and report.rescore.requested > 0
    assert ledger(db) == ledger(elsewhere)
    elsewhere.dispose()


def test_first_grades_given_while_importing_are_what_rescoring_gives(db: Database, tmp_path: Path) -> None:
    """Nothing left to score after an import of new customers, and rescoring them all finds
    every stored first grade current."""
    run_import(db, write_csv(tmp_path / "in.csv", mixed_rows(400)), **IN_CHILD)
    with db.uow() as uow:
        grades = {c.credit_code: (c.effective_grade, c.computed_grade) for c in uow.session.scalars(select(Customer))}
        assert not uow.session.scalar(select(Customer.id).where(Customer.needs_rescore))

    again = run_rescore(db, everyone=True)

    assert again.assessed == 400 and (again.applied, again.requested, again.withdrawn) == (0, 0, 0)
    assert grades[code(1)] == (Grade.YELLOW, Grade.YELLOW)  # applied at once
    assert {e for e, c in grades.values() if c in (Grade.RED, Grade.BLACK)} == {None}  # waiting for a director


def test_an_xlsx_file_is_checked_in_the_second_process_too(db: Database, tmp_path: Path) -> None:
    report = run_import(db, write_xlsx(tmp_path / "in.xlsx", mixed_rows(60)), **IN_CHILD)
    assert report.ok and report.created == 60


def test_a_bad_row_late_in_the_file_leaves_nothing_though_earlier_batches_were_written(db: Database, tmp_path: Path) -> None:
    run_import(db, write_csv(tmp_path / "seed.csv", [customer(n) for n in range(1, 4)]))
    before = snapshot(db)
    rows = [customer(n, overdue_payment_count=1) for n in range(1, 3_000)] + [customer(3_000, tax_arrears_count="三")]

    report = run_import(db, write_csv(tmp_path / "big.csv", rows), batch_size=500, **IN_CHILD)

    assert not report.ok and report.rows == 3_000
    assert len(english(report.errors)) == 1 and english(report.errors)[0].startswith("row 3001, column tax_arrears_count:")
    assert (report.created, report.updated) == (0, 0)
    assert snapshot(db) == before


def test_an_unreadable_file_is_reported_by_the_checking_process(db: Database, tmp_path: Path) -> None:
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"not a workbook")
    with pytest.raises(TableError, match="broken.xlsx"):
        run_import(db, bad, **IN_CHILD)


def test_a_checking_process_that_dies_stops_the_import_and_changes_nothing(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(db)
    original = checking._check

    def dies_after_two_batches(*args: Any) -> Any:
        for number, batch in enumerate(original(*args)):
            if number == 2:
                os._exit(3)  # killed: no message, no clean-up
            yield batch

    monkeypatch.setattr(checking, "_check", dies_after_two_batches)
    with pytest.raises(checking.CheckingFailed, match="ended unexpectedly"):
        run_import(db, write_csv(tmp_path / "in.csv", [customer(n) for n in range(1, 501)]), batch_size=100, **IN_CHILD)
    assert snapshot(db) == before


def test_a_checking_process_that_dies_with_the_importers_message_unread_is_reported_the_same(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its end of the pipe closes with data in it: the importer reads a connection reset, not an
    end of file (this failed one full run in five, under load)."""

    def dies_once_asked(out: Any, parents_end: Any, *args: Any) -> None:
        parents_end.close()
        out.poll(None)  # the importer's "waiting for rows", left unread
        os._exit(3)

    monkeypatch.setattr(checking, "_check_in_child", dies_once_asked)
    before = snapshot(db)
    with pytest.raises(checking.CheckingFailed, match=r"ended unexpectedly \(exit code 3\)"):
        run_import(db, write_csv(tmp_path / "in.csv", [customer(n) for n in range(1, 51)]), **IN_CHILD)
    assert snapshot(db) == before


def test_a_failure_in_the_checking_process_is_reported_and_changes_nothing(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(db)

    def breaks(*args: Any) -> Any:
        raise ZeroDivisionError("a bug")
        yield  # pragma: no cover

    monkeypatch.setattr(checking, "_check", breaks)
    with pytest.raises(checking.CheckingFailed, match="ZeroDivisionError: a bug"):
        run_import(db, write_csv(tmp_path / "in.csv", [customer(1)]), **IN_CHILD)
    assert snapshot(db) == before


def test_when_writing_fails_the_checking_process_is_stopped(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[Any] = []
    real_process = checking.multiprocessing.get_context("fork").Process

    class Recorded(real_process):  # type: ignore[misc, valid-type]
        def start(self) -> None:
            super().start()
            started.append(self)

    def crash(self: Any, batch: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(checking.multiprocessing.get_context("fork"), "Process", Recorded)
    monkeypatch.setattr(importing._Writer, "write", crash)
    with pytest.raises(RuntimeError, match="disk full"):
        run_import(db, write_csv(tmp_path / "in.csv", [customer(n) for n in range(1, 3_001)]), batch_size=100, **IN_CHILD)
    assert started and not started[0].is_alive()


def test_a_dry_run_checked_in_a_second_process_counts_and_writes_nothing(db: Database, tmp_path: Path) -> None:
    run_import(db, write_csv(tmp_path / "seed.csv", [customer(n) for n in range(1, 11)]))
    before = snapshot(db)
    rows = [customer(n, overdue_payment_count=1) for n in range(1, 1_201)]

    report = run_import(db, write_csv(tmp_path / "in.csv", rows), dry_run=True, batch_size=200, **IN_CHILD)

    assert report.ok and (report.created, report.updated, report.unchanged) == (1_190, 10, 0)
    assert snapshot(db) == before


def test_the_checking_process_reads_every_word_of_an_importer_that_keeps_waiting(tmp_path: Path) -> None:
    """An importer with little to do (a dry run, all new customers) says it waits before nearly
    every batch. The checking process must read those words whether or not it makes rows
    ready: unread, a few hundred fill the pipe and the importer's next word never leaves."""
    import multiprocessing
    import threading

    from tests.ledger.helpers import PROFILES

    path = write_csv(tmp_path / "in.csv", [customer(n) for n in range(1, 1_601)])
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe()
    process = context.Process(target=checking._check_in_child, daemon=True,
                              args=(sending, receiving, PROFILES, path, False, 2, None))
    process.start()
    sending.close()
    sent: list[None] = []

    def keep_waiting() -> None:  # what the importer sends each time it waits for the next batch
        for _ in range(800):
            receiving.send(None)
            sent.append(None)

    words = threading.Thread(target=keep_waiting, daemon=True)
    words.start()
    codes = []
    while (message := receiving.recv())[0] != "done":
        if message[0] == "batch":
            codes.extend(fields[1] for _, fields in message[1])
    words.join(timeout=10)
    process.join()

    assert len(sent) == 800, "the importer's words were left unread until the pipe was full"
    assert codes == [code(n) for n in range(1, 1_601)] and message[1].rows == 1_600


def test_a_bad_row_lets_go_of_the_ledger_while_the_rest_of_the_file_is_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing of a bad file will be committed, so other writers (the bot logging follow-ups)
    need not wait for the check of its remaining rows."""
    import sqlite3

    from spreadsheets.reading import Rows

    database = tmp_path / "ledger.db"
    db = Database(open_database(f"sqlite:///{database}"))
    rows = [customer(n) for n in range(1, 1_001)]
    rows[99] = customer(100, tax_arrears_count=-1)  # row 101 of the file
    others_could_write: list[bool] = []
    original = Rows.__iter__

    def watched(self: Rows) -> Any:
        for number, cells in original(self):
            if number == 900:  # long after the bad row, still checking
                other = sqlite3.connect(database, timeout=0.2)
                try:
                    other.execute("BEGIN IMMEDIATE")
                    other.execute("ROLLBACK")
                    others_could_write.append(True)
                except sqlite3.OperationalError:
                    others_could_write.append(False)
                finally:
                    other.close()
            yield number, cells

    monkeypatch.setattr(Rows, "__iter__", watched)
    report = run_import(db, write_csv(tmp_path / "in.csv", rows), batch_size=50)

    assert english(report.errors) == ["row 101, column tax_arrears_count: a count cannot be negative, got '-1'"]
    assert others_could_write == [True]
    assert snapshot(db)["customers"] == 0
    db.dispose()


def test_a_checking_process_whose_importer_is_killed_ends_too(tmp_path: Path) -> None:
    """Killed importer (kill -9, out of memory): its checking process must not wait forever
    for a reader, holding the inherited database connection open."""
    import signal
    import subprocess
    import sys
    import time

    path = write_csv(tmp_path / "in.csv", [customer(n) for n in range(1, 3_001)])
    script = f"""
import multiprocessing, os, signal, sys
from ledger import importing
from ledger.ahead import can_fork
from storage.db import open_database
from storage.uow import Database
from tests.ledger.helpers import run_import

def killed(self, batch):
    print(multiprocessing.active_children()[0].pid, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)

importing._Writer.write = killed
run_import(Database(open_database({f"sqlite:///{tmp_path / 'ledger.db'}"!r})), {str(path)!r},
           checker_process_from=0, batch_size=100)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=Path(__file__).parents[2])
    assert done.returncode == -signal.SIGKILL, done.stderr
    child = int(done.stdout.split()[0])

    def alive() -> bool:
        try:
            state = Path(f"/proc/{child}/stat").read_text().split(")")[-1].split()[0]
        except FileNotFoundError:
            return False
        return state != "Z"

    deadline = time.monotonic() + 30
    while alive() and time.monotonic() < deadline:
        time.sleep(0.05)  # waiting for the orphan to notice, not for time to pass
    assert not alive()


@pytest.mark.parametrize("way", ["first grades", "general"])
def test_first_grades_written_by_the_import_are_exactly_what_a_rescoring_writes(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, way: str
) -> None:
    """Every graded column, change mark, assessment and audit entry of new customers is the
    same whether the import grades them or `rescore` does (after undoing the import's grading),
    including unscored, provisional and infinite-value customers, with the UTC and Shanghai
    dates apart — by rescore's own way for customers never graded, and by its general way."""
    import json
    from datetime import UTC, datetime

    from sqlalchemy import delete, func, update

    now = datetime(2025, 3, 2, 17, 30, tzinfo=UTC)  # Monday 01:30 in Shanghai, Sunday in UTC
    rows: list[dict[str, Any]] = mixed_rows(24)
    rows += [{"name": "空白客户有限公司", "credit_code": code(90)},  # no values: unscored
             {"name": "数据不全有限公司", "credit_code": code(91), "overdue_payment_count": 3},  # provisional
             customer(92, order_spike_pct=None, last_order_amount=300_000, avg_order_amount_12m=0,
                      litigation_ratio_pct=None, pending_litigation_amount=10, net_assets=0)]  # infinite ratio

    audit_from = 0  # the audit log is append-only: the entries of the grading looked at have ids from here

    def graded() -> list[Any]:
        with db.uow() as uow:
            s = uow.session
            code_of = {i: c for i, c in s.execute(select(Customer.id, Customer.credit_code))}
            change_of = {g.id: (code_of[g.customer_id], g.to_grade) for g in s.scalars(select(GradeChange))}
            customers = sorted(
                (c.credit_code, c.computed_grade, c.score, c.coverage, c.provisional, c.profile_name,
                 c.effective_grade, c.grade_since, c.next_due, c.needs_rescore)
                for c in s.scalars(select(Customer)))
            changes = sorted((code_of[g.customer_id], g.from_grade, g.to_grade, g.score, g.reason, g.kind, g.status,
                              g.requested_by, g.requested_at, g.decided_by, g.decided_at)
                             for g in s.scalars(select(GradeChange)))
            assessments = sorted((code_of[a.customer_id], a.score, a.grade, a.coverage, a.provisional,
                                  json.dumps(a.breakdown, sort_keys=True), json.dumps(a.floors, sort_keys=True),
                                  a.profile_name, a.profile_version, a.assessed_at) for a in s.scalars(select(Assessment)))
            audit = sorted((a.action, code_of[a.customer_id], a.actor, a.at,
                            json.dumps({**a.detail, "change_id": change_of[a.detail["change_id"]]}, sort_keys=True, default=str))
                           for a in s.scalars(select(AuditEntry).where(AuditEntry.action.like("grade_change.%"), AuditEntry.id >= audit_from)))
        return [customers, changes, assessments, audit]

    report = run_import(db, write_csv(tmp_path / "in.csv", rows), now=now, **IN_CHILD)
    by_import = graded()
    with db.uow() as uow:
        s = uow.session
        audit_from = s.scalar(select(func.max(AuditEntry.id))) + 1
        s.execute(delete(Assessment))
        s.execute(delete(GradeChange))
        s.execute(update(Customer).values(computed_grade=None, score=None, coverage=None, provisional=False,
                                          profile_name=None, effective_grade=None, grade_since=None, next_due=None,
                                          needs_rescore=True))
        uow.commit()
    given = []  # customers given their first grade by rescore's own way
    real = rescore_batch.Batch._write_first_grades
    monkeypatch.setattr(rescore_batch.Batch, "_write_first_grades",
                        lambda self, firsts: given.extend(firsts) or real(self, firsts))
    if way == "general":
        monkeypatch.setattr(rescore_rows, "never_graded", lambda raw: False)
    rescored = run_rescore(db, now=now)

    assert report.rescore is not None
    assert (report.rescore.assessed, report.rescore.applied, report.rescore.requested) == (
        rescored.assessed, rescored.applied, rescored.requested)
    assert sorted(map(str, report.rescore.moves)) == sorted(map(str, rescored.moves))
    assert {c[1] for c in by_import[0]} >= {None, Grade.BLUE, Grade.YELLOW, Grade.RED, Grade.BLACK}
    assert graded() == by_import
    assert len(given) == (0 if way == "general" else len(rows))
