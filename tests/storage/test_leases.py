"""Leases: one taker at a time, a lease left behind runs out, a released one is free at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from threading import Barrier
from typing import Any

import pytest
from sqlalchemy import ColumnElement

from storage.models import Alert, ChangeStatus, GradeChange
from storage.repos import _sql, leases
from storage.uow import Database
from tests.storage.factories import T0, saved_customer, saved_pending_change

LEASE = timedelta(minutes=5)
_G = GradeChange.__table__
_A = Alert.__table__


def _take(db: Database, ids: list[int], at: datetime = T0, *ready: ColumnElement[bool], **also: Any) -> set[int]:
    """Take the grade changes' leases in a transaction of their own, as a sender would."""
    with db.uow() as uow:
        taken = leases.take(uow.session, _G.c.slack_claimed_at, ids, at, at - LEASE, *ready, **also)
        uow.commit()
        return taken


def _release(db: Database, ids: list[int], **also: Any) -> None:
    with db.uow() as uow:
        leases.release(uow.session, _G.c.slack_claimed_at, ids, **also)
        uow.commit()


def _changes(db: Database, n: int) -> list[int]:
    return [saved_pending_change(db, saved_customer(db, i)) for i in range(1, n + 1)]


def test_a_lease_is_taken_once_and_a_second_taker_gets_nothing(db: Database) -> None:
    change_id, = _changes(db, 1)
    assert _take(db, [change_id]) == {change_id}
    assert _take(db, [change_id], T0 + timedelta(minutes=1)) == set()
    with db.uow() as uow:
        assert uow.changes.get(change_id).slack_claimed_at == T0


def test_of_racing_takers_exactly_one_gets_the_lease(db: Database) -> None:
    change_id, = _changes(db, 1)
    barrier = Barrier(4, timeout=30)

    def take(_: int) -> set[int]:
        with db.uow() as uow:
            barrier.wait()
            taken = leases.take(uow.session, _G.c.slack_claimed_at, [change_id], T0, T0 - LEASE)
            uow.commit()
            return taken

    with ThreadPoolExecutor(4) as pool:
        outcomes = list(pool.map(take, range(4)))
    assert sorted(map(len, outcomes)) == [0, 0, 0, 1]


def test_a_lease_runs_out_and_can_then_be_taken_over(db: Database) -> None:
    change_id, = _changes(db, 1)
    _take(db, [change_id])
    assert _take(db, [change_id], T0 + LEASE) == set()  # still held: it runs out after LEASE
    later = T0 + LEASE + timedelta(seconds=1)
    assert _take(db, [change_id], later) == {change_id}
    with db.uow() as uow:
        assert uow.changes.get(change_id).slack_claimed_at == later


def test_a_released_lease_is_free_at_once(db: Database) -> None:
    change_id, = _changes(db, 1)
    _take(db, [change_id])
    _release(db, [change_id], slack_shown=ChangeStatus.PENDING.value)
    with db.uow() as uow:
        row = uow.changes.get(change_id)
        assert (row.slack_claimed_at, row.slack_shown) == (None, "pending")
    assert _take(db, [change_id], T0 + timedelta(seconds=1)) == {change_id}


def test_only_rows_still_ready_are_taken_with_what_is_set_alongside(db: Database) -> None:
    waiting, decided = _changes(db, 2)
    with db.uow() as uow:
        uow.changes.decide(decided, ChangeStatus.REJECTED, "U_DIRECTOR", T0)
        uow.commit()
    taken = _take(db, [waiting, decided], T0, _G.c.status == ChangeStatus.PENDING, note="sending")
    assert taken == {waiting}
    with db.uow() as uow:
        assert [uow.changes.get(i).note for i in (waiting, decided)] == ["sending", None]


def test_many_ids_are_taken_page_by_page(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_sql, "ID_PAGE", 2)
    ids = _changes(db, 5)
    assert _take(db, ids) == set(ids)
    _release(db, ids)
    assert _take(db, ids, T0 + timedelta(seconds=1)) == set(ids)


def test_a_group_of_alerts_is_claimed_whole_or_not_at_all(db: Database) -> None:
    customer_id = saved_customer(db)
    with db.uow() as uow:
        for indicator in ("dishonest_debtor_count", "tax_arrears_count", "overdue_payment_count"):
            uow.alerts.record(customer_id, indicator, f"{indicator}:0->1", detected_at=T0)
        uow.commit()
        ids = [a.id for a in uow.alerts.unsent()]
    with db.uow() as uow:  # another sender holds one of them
        leases.take(uow.session, _A.c.claimed_at, ids[1:2], T0, T0 - LEASE)
        uow.commit()
    with db.uow() as uow:
        assert not uow.outbox.claim_alerts(ids, T0, LEASE)
        uow.commit()
    with db.uow() as uow:
        assert [a.claimed_at for a in uow.alerts.unsent()] == [None, T0, None]
    with db.uow() as uow:
        uow.outbox.release_alerts(ids[1:2])
        assert uow.outbox.claim_alerts(ids, T0, LEASE)
        uow.commit()
    with db.uow() as uow:
        assert [a.claimed_at for a in uow.alerts.unsent()] == [T0, T0, T0]
