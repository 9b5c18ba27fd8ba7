"""Large files are checked in a second process while the first writes: same ledger, same
all-or-nothing promise, and a checking process that fails or dies never leaves half an import."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.usecases import importing
from bot.usecases.rows import TableError
from scoring.grades import Grade
from storage.db import open_database
from storage.models import Assessment, AuditEntry, Customer, GradeChange
from storage.uow import Database
from tests.ledger.helpers import code, customer, run_import, run_rescore, write_csv, write_xlsx
from tests.ledger.test_import import snapshot

pytestmark = pytest.mark.skipif(not importing._can_fork(), reason="the checking process is forked, on Linux only")

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
        changes = sorted((code_of[c.customer_id], c.from_grade, c.to_grade, c.status, c.reason)
                         for c in s.scalars(select(GradeChange)))
        assessments = sorted((code_of[a.customer_id], a.grade, a.score, str(a.breakdown), str(a.floors))
                             for a in s.scalars(select(Assessment)))
        audit = sorted((a.action, code_of.get(a.customer_id)) for a in s.scalars(select(AuditEntry))
                       if a.action != "customers.imported")
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
    assert len(report.errors) == 1 and report.errors[0].startswith("row 3001, column tax_arrears_count:")
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
    original = importing._check

    def dies_after_two_batches(*args: Any) -> Any:
        for number, batch in enumerate(original(*args)):
            if number == 2:
                os._exit(3)  # killed: no message, no clean-up
            yield batch

    monkeypatch.setattr(importing, "_check", dies_after_two_batches)
    with pytest.raises(RuntimeError, match="ended unexpectedly"):
        run_import(db, write_csv(tmp_path / "in.csv", [customer(n) for n in range(1, 501)]), batch_size=100, **IN_CHILD)
    assert snapshot(db) == before


def test_a_failure_in_the_checking_process_is_reported_and_changes_nothing(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(db)

    def breaks(*args: Any) -> Any:
        raise ZeroDivisionError("a bug")
        yield  # pragma: no cover

    monkeypatch.setattr(importing, "_check", breaks)
    with pytest.raises(RuntimeError, match="ZeroDivisionError: a bug"):
        run_import(db, write_csv(tmp_path / "in.csv", [customer(1)]), **IN_CHILD)
    assert snapshot(db) == before


def test_when_writing_fails_the_checking_process_is_stopped(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[Any] = []
    real_process = importing.multiprocessing.get_context("fork").Process

    class Recorded(real_process):  # type: ignore[misc, valid-type]
        def start(self) -> None:
            super().start()
            started.append(self)

    def crash(self: Any, batch: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(importing.multiprocessing.get_context("fork"), "Process", Recorded)
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
