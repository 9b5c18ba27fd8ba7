"""Large rescoring runs on SQLite assess ahead in a second process: the same grades, requests,
assessments and audit as assessing everything in one process, whatever that process does."""

from __future__ import annotations

import os
import threading
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from ledger import ahead, rescore, rescore_batch
from storage.db import open_database
from storage.uow import Database
from tests.ledger.helpers import LATER, run_import, run_rescore, write_csv
from tests.ledger.test_import_process import ledger, mixed_rows

pytestmark = pytest.mark.skipif(not ahead.can_fork(), reason="the assessing process is forked, on Linux only")

AHEAD = {"ahead_from": 0}  # any run assesses ahead
ALONE = {"ahead_from": 10**12}
# mixed_rows: customer n (id n) is blue, yellow, red or black by n % 4. The yellow ones first
# get worse (a pending red request each), then: some go back to yellow (the request is
# withdrawn), some become blue (applied, superseding it), the black ones become blue too, and
# every even one loses its grades (a first scoring), some of the blue ones with red values.
WORSEN = """UPDATE customers SET needs_rescore = 1, "values" = json_set("values", '$.overdue_payment_count', 4)
    WHERE id % 4 = 1"""
SCRAMBLE = (
    """UPDATE customers SET needs_rescore = 1, "values" = json_set("values", '$.overdue_payment_count', 2)
        WHERE id % 8 = 1""",
    """UPDATE customers SET needs_rescore = 1, "values" = json_set("values", '$.overdue_payment_count', 0,
        '$.tax_arrears_count', 0) WHERE id % 8 = 5""",
    """UPDATE customers SET needs_rescore = 1, "values" = json_set("values", '$.dishonest_debtor_count', 0,
        '$.tax_arrears_count', 0, '$.abnormal_operation_count', 0) WHERE id % 4 = 3""",
    """UPDATE customers SET "values" = json_set("values", '$.overdue_payment_count', 4) WHERE id % 8 = 0""",
    """UPDATE customers SET needs_rescore = 1, effective_grade = NULL, grade_since = NULL, computed_grade = NULL,
        score = NULL, coverage = NULL, profile_name = NULL, next_due = NULL WHERE id % 2 = 0""",
)


@pytest.fixture(autouse=True)
def as_if_alone(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Threads other tests left running in this worker must not turn assessing ahead off here
    (only the test about threads sees the real check)."""
    if "threads" not in request.node.name:
        monkeypatch.setattr(rescore, "can_fork_alone", ahead.can_fork)


@pytest.fixture
def twins(tmp_path: Path) -> Any:
    """Two SQLite ledgers in the same state, ready for a rescoring run each (one with a file
    name a URI must encode)."""
    first = tmp_path / "风险 台账%.db"
    db = Database(open_database(f"sqlite:///{first}"))
    assert run_import(db, write_csv(tmp_path / "in.csv", mixed_rows(600))).ok
    with db.engine.begin() as connection:
        connection.execute(text(WORSEN))
    assert run_rescore(db, **ALONE).requested == 150
    with db.engine.begin() as connection:
        for statement in SCRAMBLE:
            connection.execute(text(statement))
    db.dispose()
    shutil.copy(first, tmp_path / "second.db")
    made = [Database(open_database(f"sqlite:///{path}")) for path in (first, tmp_path / "second.db")]
    yield made
    for one in made:
        one.dispose()


def test_assessing_ahead_gives_the_same_ledger_as_assessing_alone(twins: list[Database], monkeypatch: pytest.MonkeyPatch) -> None:
    used = []
    real = rescore_batch.partial
    monkeypatch.setattr(rescore_batch, "partial", lambda prepared: used.append(1) or real(prepared))
    with_ahead, alone = twins

    report = run_rescore(with_ahead, LATER, batch_size=64, **AHEAD)
    expected = run_rescore(alone, LATER, batch_size=64, **ALONE)

    assert report == expected
    assert report.applied and report.requested and report.superseded and report.withdrawn
    assert len(used) > 300  # the results worked out ahead were the ones written
    assert ledger(with_ahead) == ledger(alone)


def test_a_result_worked_out_from_another_version_of_the_row_is_not_used(
    twins: list[Database], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows that changed after the second process read them: hashes differ, results are redone."""
    real = ahead.Ahead.prepared

    def stale(self: ahead.Ahead, last: int) -> dict[int, tuple[int, Any]]:
        found = real(self, last)
        return {i: (row_hash + 1, (("black", *result[0][1:-1], "陈旧"), result[1]) if result else result)
                for i, (row_hash, result) in found.items()}

    monkeypatch.setattr(ahead.Ahead, "prepared", stale)
    with_ahead, alone = twins

    assert run_rescore(with_ahead, LATER, **AHEAD) == run_rescore(alone, LATER, **ALONE)
    assert ledger(with_ahead) == ledger(alone)


def test_an_assessing_process_that_dies_only_costs_time(twins: list[Database], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ahead, "_work", lambda *args: os._exit(1))
    with_ahead, alone = twins

    assert run_rescore(with_ahead, LATER, **AHEAD) == run_rescore(alone, LATER, **ALONE)
    assert ledger(with_ahead) == ledger(alone)


def test_a_dry_run_assessing_ahead_reports_the_same_and_writes_nothing(twins: list[Database]) -> None:
    with_ahead, alone = twins
    before = ledger(with_ahead)

    dry = run_rescore(with_ahead, LATER, dry_run=True, **AHEAD)

    assert dry.moves == run_rescore(alone, LATER, dry_run=True, **ALONE).moves and dry.grade_changes > 0
    assert ledger(with_ahead) == before


def test_a_process_running_other_threads_assesses_alone(twins: list[Database], monkeypatch: pytest.MonkeyPatch) -> None:
    """`riskbot serve` runs Slack and scheduler threads: a fork could copy a SQLite lock one of
    them holds, and the assessing process would wait on it for good."""
    used = []
    real = rescore_batch.partial
    monkeypatch.setattr(rescore_batch, "partial", lambda prepared: used.append(1) or real(prepared))
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        with_ahead, alone = twins
        assert run_rescore(with_ahead, LATER, **AHEAD) == run_rescore(alone, LATER, **ALONE)
    finally:
        release.set()
        other.join()
    assert used == []
    assert ledger(with_ahead) == ledger(alone)


def test_an_assessing_process_that_stops_answering_is_left_behind(
    twins: list[Database], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ahead, "PAGE_TIMEOUT", 0.2)
    monkeypatch.setattr(ahead, "_work", lambda *args: threading.Event().wait())  # stuck, never sends
    with_ahead, alone = twins

    assert run_rescore(with_ahead, LATER, **AHEAD) == run_rescore(alone, LATER, **ALONE)
    assert ledger(with_ahead) == ledger(alone)
