"""`score`: assessments stored, SPEC §8 grade changes applied or requested, follow-ups paced (§7)."""

from __future__ import annotations

import multiprocessing
from datetime import date, datetime
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from ledger import rescore_batch
from ledger.grade_report import GradeMove, RescoreReport
from ledger.stored import breakdown_lines
from scoring.grades import Grade
from storage.db import open_database
from storage.models import Assessment, AuditEntry, ChangeKind, ChangeStatus, Customer, GradeChange
from storage.uow import Database
from tests.ledger.helpers import CLEAN, LATER, NOW, PROFILES, code, customer, run_import, run_rescore, write_csv

YELLOW = {"dishonest_debtor_count": 1}  # 86.6, floor yellow
RED = {"overdue_payment_count": 4}  # 86.6, floor red
BLACK = {"abnormal_operation_count": 3, "revenue_change_pct": -50, "executive_change_count": 3, "tax_arrears_count": 1,
         "dishonest_debtor_count": 1, "overdue_payment_count": 5, "credit_overdue_count": 1, "term_extension_days": 90}
_files = count()


@pytest.fixture
def put(db: Database, tmp_path: Path) -> Any:
    """put(n, now, **values): import customer n with these values; returns the rescoring report."""

    def put(n: int, now: datetime = NOW, **values: Any) -> RescoreReport | None:
        report = run_import(db, write_csv(tmp_path / f"f{next(_files)}.csv", [customer(n, **values)]), now=now)
        assert report.ok, report.errors
        return report.rescore

    return put


def state(db: Database, n: int) -> tuple[Customer, list[GradeChange]]:
    with db.uow() as uow:
        row = uow.customers.get_by_code(code(n))
        assert row is not None
        return row, list(reversed(uow.changes.history(row.id)))


def audit_actions(db: Database) -> list[str]:
    with db.uow() as uow:
        return [e.action for e in uow.audit.query() if e.action.startswith("grade_change.")]


def test_a_new_customers_first_blue_grade_applies_at_once(db: Database, put: Any) -> None:
    report = put(1)
    row, changes = state(db, 1)
    assert (report.assessed, report.applied, report.requested) == (1, 1, 0)
    assert report.moves == [GradeMove(row.name, None, Grade.BLUE, "apply")]
    assert row.effective_grade == row.computed_grade == Grade.BLUE and row.grade_since == NOW
    assert [(c.from_grade, c.to_grade, c.status, c.requested_by) for c in changes] == [
        (None, Grade.BLUE, ChangeStatus.AUTO_APPLIED, "system")]
    assert row.next_due == date(2025, 6, 1)  # 2025-03-03 + 90 days
    assert not row.needs_rescore and row.profile_name == "general" and float(row.coverage) == 1.0
    assert audit_actions(db) == ["grade_change.auto_applied"]


def test_a_new_customers_first_red_grade_waits_for_approval_without_an_effective_grade(db: Database, put: Any) -> None:
    report = put(1, **RED)
    row, changes = state(db, 1)
    assert (report.applied, report.requested) == (0, 1)
    assert row.effective_grade is None and row.computed_grade == Grade.RED
    assert [(c.from_grade, c.to_grade, c.status, c.slack_ts) for c in changes] == [(None, Grade.RED, ChangeStatus.PENDING, None)]
    assert row.next_due == date(2025, 3, 4)  # tracked as red already: due the next workday
    assert audit_actions(db) == ["grade_change.requested"]


def test_each_assessment_is_stored_with_breakdown_floors_and_profile_version(db: Database, put: Any) -> None:
    put(1, **RED)
    with db.uow() as uow:
        stored = uow.customers.latest_assessment(uow.customers.get_by_code(code(1)).id)
    assert stored.grade == Grade.RED and float(stored.score) == 86.6 and stored.profile_name == "general"
    assert stored.floors["hits"][0]["key"] == "overdue_payment_count"
    lines = {line.key: line for line in breakdown_lines(stored.breakdown, PROFILES.get("general"))}
    assert set(lines) >= {"overdue_payment_count", "cumulative_amount"}
    overdue = lines["overdue_payment_count"]
    assert (overdue.label, overdue.value) == ("历史逾期付款次数(逾期>30天)", 4) and overdue.points_lost > 0
    assert overdue.share == round(overdue.points_lost / overdue.weight, 4)
    assert len(stored.profile_version) == 12


def test_an_assessment_stored_before_the_compact_format_reads_the_same(db: Database, put: Any) -> None:
    put(1, **RED, litigation_ratio_pct=None, pending_litigation_amount=100_000, net_assets=0)
    with db.uow() as uow:
        stored = uow.customers.latest_assessment(uow.customers.get_by_code(code(1)).id)
    general = PROFILES.get("general")
    lines = breakdown_lines(stored.breakdown, general)
    old_format = {"lines": [{**line._asdict(), "value": "inf" if line.value == float("inf") else line.value}
                            for line in lines]}
    assert breakdown_lines(old_format, None) == lines
    assert next(line for line in lines if line.key == "litigation_ratio_pct").value == float("inf")


def test_blue_to_yellow_applies_at_once_with_a_reason_and_brings_the_follow_up_forward(db: Database, put: Any) -> None:
    put(1)
    report = put(1, LATER, **YELLOW)
    row, changes = state(db, 1)
    assert report.applied == 1 and row.effective_grade == Grade.YELLOW and row.grade_since == LATER
    last = changes[-1]
    assert (last.from_grade, last.to_grade, last.status) == (Grade.BLUE, Grade.YELLOW, ChangeStatus.AUTO_APPLIED)
    assert "失信被执行人记录(近3年)=1" in last.reason and "至少黄标" in last.reason
    assert row.next_due == date(2025, 3, 11)  # stricter: the next workday after Monday 2025-03-10


def test_yellow_to_red_is_requested_and_the_effective_grade_stays(db: Database, put: Any) -> None:
    put(1, **YELLOW)
    report = put(1, LATER, **YELLOW, **RED)
    row, changes = state(db, 1)
    assert (report.applied, report.requested) == (0, 1)
    assert row.effective_grade == Grade.YELLOW and row.computed_grade == Grade.RED
    assert (changes[-1].from_grade, changes[-1].to_grade, changes[-1].status) == (Grade.YELLOW, Grade.RED, ChangeStatus.PENDING)
    assert row.next_due == date(2025, 3, 11)  # tracked as red already: due the next workday


def test_a_newer_request_supersedes_the_pending_one(db: Database, put: Any) -> None:
    put(1, **YELLOW)
    put(1, LATER, **YELLOW, **RED)
    report = put(1, LATER, **BLACK)
    row, changes = state(db, 1)
    old, new = changes[-2], changes[-1]
    assert (report.requested, report.superseded) == (1, 1)
    assert (old.status, old.superseded_by_id) == (ChangeStatus.SUPERSEDED, new.id)
    assert (new.from_grade, new.to_grade, new.status) == (Grade.YELLOW, Grade.BLACK, ChangeStatus.PENDING)
    assert row.effective_grade == Grade.YELLOW
    assert audit_actions(db)[-2:] == ["grade_change.requested", "grade_change.superseded"]


def test_a_pending_request_is_withdrawn_when_the_computed_grade_returns(db: Database, put: Any) -> None:
    put(1, **YELLOW)
    put(1, LATER, **YELLOW, **RED)
    report = put(1, LATER, **YELLOW, overdue_payment_count=0)
    row, changes = state(db, 1)
    assert report.withdrawn == 1 and report.moves == [GradeMove(row.name, Grade.YELLOW, Grade.RED, "withdraw")]
    assert changes[-1].status == ChangeStatus.WITHDRAWN and changes[-1].decided_by == "system"
    assert row.effective_grade == Grade.YELLOW
    with db.uow() as uow:
        assert uow.changes.pending_for(row.id) is None
    assert audit_actions(db)[-1] == "grade_change.withdrawn"
    assert row.next_due == date(2025, 4, 2)  # back to monthly from when yellow took effect (2025-03-03)


def test_an_applied_change_supersedes_a_pending_request_it_makes_moot(db: Database, put: Any) -> None:
    put(1, **YELLOW)
    put(1, LATER, **YELLOW, **RED)
    report = put(1, LATER, dishonest_debtor_count=0, overdue_payment_count=0)
    row, changes = state(db, 1)
    assert (report.applied, report.superseded) == (1, 1)
    assert row.effective_grade == Grade.BLUE
    pending, applied = changes[-2], changes[-1]
    assert (pending.status, pending.superseded_by_id) == (ChangeStatus.SUPERSEDED, applied.id)
    assert (applied.from_grade, applied.to_grade, applied.status) == (Grade.YELLOW, Grade.BLUE, ChangeStatus.AUTO_APPLIED)


def test_a_held_grade_and_a_manual_proposal_are_not_moved_by_computed_grades(db: Database, put: Any) -> None:
    put(1)
    put(2)
    with db.uow() as uow:
        uow.session.execute(update(Customer).where(Customer.credit_code == code(1)).values(held_grade=Grade.BLUE))
        second = uow.customers.get_by_code(code(2))
        uow.changes.add(GradeChange(customer_id=second.id, from_grade=Grade.BLUE, to_grade=Grade.BLACK, reason="现场走访",
                                    kind=ChangeKind.MANUAL, status=ChangeStatus.PENDING, requested_by="U0RISK001", requested_at=NOW))
        uow.commit()
    report = put(1, LATER, **YELLOW)
    report2 = put(2, LATER, **YELLOW)
    assert report.moves == report2.moves == []
    assert state(db, 1)[0].effective_grade == Grade.BLUE
    assert [c.status for c in state(db, 2)[1]] == [ChangeStatus.AUTO_APPLIED, ChangeStatus.PENDING]


def test_rescoring_an_unchanged_ledger_adds_nothing(db: Database, put: Any) -> None:
    put(1)
    put(2, **RED)
    with db.uow() as uow:
        before = (uow.session.scalar(select(func.count()).select_from(Assessment)),
                  uow.session.scalar(select(func.count()).select_from(GradeChange)),
                  uow.session.scalar(select(func.count()).select_from(AuditEntry)))
    report = run_rescore(db, LATER, everyone=True)
    assert report.assessed == 2 and report.moves == []
    with db.uow() as uow:
        after = (uow.session.scalar(select(func.count()).select_from(Assessment)),
                 uow.session.scalar(select(func.count()).select_from(GradeChange)),
                 uow.session.scalar(select(func.count()).select_from(AuditEntry)))
    assert after == before


def test_a_customer_unchanged_since_holding_an_unbounded_ratio_and_a_fractional_score_is_left_alone(
        db: Database, put: Any) -> None:
    """The weekly run compares what it reads as stored (JSON text, a Numeric score) with the new result."""
    put(1, litigation_ratio_pct=None, pending_litigation_amount=100, net_assets=-5, **RED)
    row, changes = state(db, 1)
    assert row.values["litigation_ratio_pct"] == "inf" and row.score % 1 != 0 and len(changes) == 1
    with db.uow() as uow:
        assessments = uow.session.scalar(select(func.count()).select_from(Assessment))
    report = run_rescore(db, LATER, everyone=True)
    assert report.assessed == 1 and report.moves == []
    with db.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Assessment)) == assessments
    assert state(db, 1)[0].updated_at == row.updated_at


def test_a_dry_run_previews_grade_changes_and_writes_nothing(db: Database, put: Any, tmp_path: Path) -> None:
    put(1)
    put(2)
    with db.uow() as uow:
        uow.session.execute(update(Customer).values(values={**CLEAN, **RED}, needs_rescore=True))
        uow.commit()
    report = run_rescore(db, LATER, dry_run=True)
    assert report.requested == 2 and {m.to_grade for m in report.moves} == {Grade.RED}
    assert all(s[0].needs_rescore and s[0].effective_grade == Grade.BLUE for s in (state(db, 1), state(db, 2)))
    assert len(state(db, 1)[1]) == 1


def test_batches_cover_every_flagged_customer(db: Database, tmp_path: Path) -> None:
    run_import(db, write_csv(tmp_path / "a.csv", [customer(n) for n in range(1, 8)]), now=NOW)
    with db.uow() as uow:
        uow.session.execute(update(Customer).values(needs_rescore=True, values={"overdue_payment_count": 4}))
        uow.commit()
    report = run_rescore(db, LATER, batch_size=3)
    assert report.assessed == 7 and report.requested == 7


def test_a_request_raised_meanwhile_by_another_process_is_not_duplicated(db: Database, put: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The batch read no pending request, but one exists by the time it inserts: decide again."""
    put(1, **YELLOW)
    with db.uow() as uow:
        row = uow.customers.get_by_code(code(1))
        uow.changes.add(GradeChange(customer_id=row.id, from_grade=Grade.YELLOW, to_grade=Grade.RED, reason="other process",
                                    kind=ChangeKind.COMPUTED, status=ChangeStatus.PENDING, requested_by="system", requested_at=NOW))
        uow.session.execute(update(Customer).where(Customer.id == row.id).values(
            values={**row.values, **RED}, needs_rescore=True))
        uow.commit()
    real = rescore_batch.load_pending
    stale = {"first": True}

    def stale_first_read(session: Any, ids: Any) -> Any:
        if stale.pop("first", False):
            return {}
        return real(session, ids)

    monkeypatch.setattr(rescore_batch, "load_pending", stale_first_read)
    report = run_rescore(db, LATER)

    assert report.requested == 0 and report.moves == []  # the same change was already pending: keep it
    changes = state(db, 1)[1]
    assert [c.status for c in changes].count(ChangeStatus.PENDING) == 1
    assert changes[-1].reason == "other process"


@pytest.mark.parametrize("seen", [True, False], ids=["seen", "raised meanwhile"])
def test_a_request_pending_for_a_customer_never_graded_is_decided_the_general_way(
    db: Database, put: Any, monkeypatch: pytest.MonkeyPatch, seen: bool
) -> None:
    """A customer with no grade yet but a request pending (seen by the batch, or raised by
    another process after the batch looked) is not given a first grade over it."""
    put(1)
    with db.uow() as uow:
        row = uow.customers.get_by_code(code(1))
        uow.session.execute(update(Customer).where(Customer.id == row.id).values(
            values={**row.values, **RED}, needs_rescore=True, effective_grade=None, computed_grade=None, score=None,
            coverage=None, profile_name=None, grade_since=None, next_due=None))
        uow.changes.add(GradeChange(customer_id=row.id, from_grade=None, to_grade=Grade.RED, reason="other process",
                                    kind=ChangeKind.COMPUTED, status=ChangeStatus.PENDING, requested_by="system",
                                    requested_at=NOW))
        uow.commit()
    if not seen:  # the batch looks before the request is raised; its first grade's request then gives way
        real = rescore_batch.load_pending
        early = {"first": True}

        def looks_early(session: Any, ids: Any) -> Any:
            return {} if early.pop("first", False) else real(session, ids)

        monkeypatch.setattr(rescore_batch, "load_pending", looks_early)

    report = run_rescore(db, LATER)

    assert report.requested == 0 and report.moves == []  # the same request was already pending: keep it
    customer_row, changes = state(db, 1)
    assert [(c.status, c.reason) for c in changes if c.status == ChangeStatus.PENDING] == [
        (ChangeStatus.PENDING, "other process")]
    assert customer_row.computed_grade == Grade.RED and customer_row.effective_grade is None
    assert customer_row.profile_name == "general" and not customer_row.needs_rescore
    assert customer_row.next_due is not None  # paced by the pending red request
    with db.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Assessment)
                                  .where(Assessment.customer_id == customer_row.id)) == 2  # the import's and this one


def test_two_concurrent_rescoring_processes_never_create_two_pending_requests(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    """Two `riskbot score --all` at once: separate processes, each with its own engine."""
    run_import(db, write_csv(tmp_path / "a.csv", [customer(n) for n in range(1, 301)]), now=NOW)
    with db.uow() as uow:
        uow.session.execute(update(Customer).values(values={"overdue_payment_count": 4}, needs_rescore=True))
        uow.commit()
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(2, timeout=60)
    results = context.SimpleQueue()
    processes = [context.Process(target=_rescore_process, args=(database_url, start, results)) for _ in range(2)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)

    assert [process.exitcode for process in processes] == [0, 0]
    requested = [results.get(), results.get()]
    assert sum(requested) == 300
    with db.uow() as uow:
        per_customer = uow.session.execute(
            select(GradeChange.customer_id, func.count()).where(GradeChange.status == ChangeStatus.PENDING).group_by(GradeChange.customer_id)
        ).all()
    assert len(per_customer) == 300 and {n for _, n in per_customer} == {1}


def _rescore_process(database_url: str, start: Any, results: Any) -> None:
    engine = open_database(database_url)
    try:
        start.wait()
        results.put(run_rescore(Database(engine), LATER, everyone=True, batch_size=50).requested)
    finally:
        engine.dispose()


def test_a_first_grade_applied_at_once_is_written_as_needing_no_announcement(db: Database, put: Any) -> None:
    """Nobody is told about it, so the publisher has nothing to do for it (not 100,000 no-op
    writes after a big import); a later change waits for the owners' messages."""
    put(1)
    put(1, LATER, **YELLOW)
    put(2)
    with db.engine.begin() as connection:  # customer 2: graded by a rescoring run, not by its import
        connection.execute(update(Customer).where(Customer.credit_code == code(2))
                           .values(effective_grade=None, computed_grade=None, needs_rescore=True))
    run_rescore(db, LATER)

    _, first = state(db, 1)
    _, second = state(db, 2)
    assert [(c.from_grade, c.to_grade, c.notified_at) for c in first] == [(None, Grade.BLUE, NOW), (Grade.BLUE, Grade.YELLOW, None)]
    assert [(c.from_grade, c.to_grade, c.notified_at) for c in second][-1] == (None, Grade.BLUE, LATER)
