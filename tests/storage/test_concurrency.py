"""Simultaneous clicks, racing schedulers and concurrent SQLite writers.

Threads start together at a Barrier; the database, not timing, decides the outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from threading import Barrier
from typing import TypeVar

from sqlalchemy import func, select

from storage.db import open_database
from storage.models import ChangeStatus, Customer, NudgeKind
from storage.repos.nudge_batches import ClaimKey
from storage.uow import Database
from tests.storage.factories import T0, customer, saved_customer, saved_pending_change

T = TypeVar("T")
RACERS = 6


def _race(n: int, work: Callable[[int, Barrier], T]) -> list[T]:
    """Run `work(i, barrier)` in n threads that wait for each other at the barrier."""
    barrier = Barrier(n, timeout=30)
    with ThreadPoolExecutor(n) as pool:
        futures = [pool.submit(work, i, barrier) for i in range(n)]
        return [f.result() for f in futures]


def test_simultaneous_approve_and_reject_clicks_give_exactly_one_decision(db: Database) -> None:
    change_id = saved_pending_change(db, saved_customer(db))

    def click(i: int, barrier: Barrier) -> tuple[str, bool]:
        status = ChangeStatus.APPROVED if i % 2 else ChangeStatus.REJECTED
        with db.uow() as uow:
            barrier.wait()
            won = uow.changes.decide(change_id, status, f"U_DIRECTOR_{i}", T0)
            uow.commit()
        return f"U_DIRECTOR_{i}", won

    outcomes = _race(RACERS, click)
    winners = [who for who, won in outcomes if won]
    assert len(winners) == 1
    with db.uow() as uow:
        decided = uow.changes.get(change_id)
        assert decided is not None and decided.decided_by == winners[0]


def test_racing_schedulers_send_a_nudge_once(db: Database) -> None:
    customer_id = saved_customer(db)

    def claim(_: int, barrier: Barrier) -> bool:
        with db.uow() as uow:
            barrier.wait()
            won = uow.nudges.claim_many([ClaimKey(NudgeKind.NUDGE, "U_SALES", customer_id, date(2025, 3, 3))], T0)
            uow.commit()
        return bool(won)

    assert sorted(_race(RACERS, claim)) == [False] * (RACERS - 1) + [True]


def test_racing_deliveries_of_one_slack_event_are_handled_once(db: Database) -> None:
    def deliver(_: int, barrier: Barrier) -> bool:
        with db.uow() as uow:
            barrier.wait()
            first = uow.events.first_time("Ev_RETRIED", T0)
            uow.commit()
        return first

    assert sorted(_race(RACERS, deliver)) == [False] * (RACERS - 1) + [True]


def test_two_sqlite_writers_at_once_both_succeed_without_database_is_locked(
    tmp_path: Path,
) -> None:
    """Each writer has its own engine, as two processes would; each reads, then writes."""
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    open_database(url).dispose()
    per_writer = 40

    def write(i: int, barrier: Barrier) -> int:
        engine = open_database(url)
        db = Database(engine)
        try:
            barrier.wait()
            for n in range(per_writer):
                with db.uow() as uow:
                    uow.session.scalar(select(func.count()).select_from(Customer))
                    uow.customers.add(customer(i * 1000 + n))
                    uow.commit()
            return per_writer
        finally:
            engine.dispose()

    assert _race(2, write) == [per_writer, per_writer]
    engine = open_database(url)
    try:
        with Database(engine).uow() as uow:
            stored = uow.session.scalar(select(func.count()).select_from(Customer))
        assert stored == 2 * per_writer
    finally:
        engine.dispose()
