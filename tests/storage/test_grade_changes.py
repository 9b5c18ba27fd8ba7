"""Grade change requests: one pending per customer, one decision per request."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from scoring.grades import Grade
from storage.db import open_database
from storage.errors import PendingChangeExists
from storage.models import ChangeStatus
from storage.uow import Database
from tests.storage.factories import T0, change, saved_customer, saved_pending_change


def test_a_second_pending_request_for_the_customer_is_refused(db: Database) -> None:
    customer_id = saved_customer(db)
    first = saved_pending_change(db, customer_id)
    with db.uow() as uow:
        with pytest.raises(PendingChangeExists) as refused:
            uow.changes.add(change(customer_id, to_grade=Grade.BLACK))
        assert refused.value.customer_id == customer_id
        pending = uow.changes.pending_for(customer_id)
        assert pending is not None and pending.id == first


def test_the_database_itself_refuses_a_second_pending_row(db: Database) -> None:
    customer_id = saved_customer(db)
    saved_pending_change(db, customer_id)
    insert = text(
        "INSERT INTO grade_changes (customer_id, to_grade, reason, kind, status, requested_by,"
        " requested_at) VALUES (:c, 'black', 'raw', 'manual', 'pending', 'U1', :at)"
    )
    with db.engine.connect() as connection:
        with pytest.raises(IntegrityError, match="uq_grade_changes_one_pending|UNIQUE"):
            connection.execute(insert, {"c": customer_id, "at": T0.replace(tzinfo=None)})


def test_other_customers_and_decided_requests_do_not_block_a_new_request(db: Database) -> None:
    first_customer = saved_customer(db, 1)
    second_customer = saved_customer(db, 2)
    old = saved_pending_change(db, first_customer)
    saved_pending_change(db, second_customer)
    with db.uow() as uow:
        assert uow.changes.decide(old, ChangeStatus.SUPERSEDED, "system", T0)
        uow.changes.add(change(first_customer, to_grade=Grade.BLACK))
        uow.commit()
    with db.uow() as uow:
        pending = uow.changes.pending_for(first_customer)
        assert pending is not None and pending.to_grade is Grade.BLACK
        assert [c.status for c in uow.changes.history(first_customer)] == [
            ChangeStatus.PENDING,
            ChangeStatus.SUPERSEDED,
        ]


def test_a_request_is_decided_once_and_the_later_decision_is_ignored(db: Database) -> None:
    customer_id = saved_customer(db)
    change_id = saved_pending_change(db, customer_id)
    with db.uow() as uow:
        loaded = uow.changes.get(change_id)  # already in the session when the decision lands
        assert uow.changes.decide(change_id, ChangeStatus.APPROVED, "U_DIRECTOR", T0, "ok")
        assert loaded is not None and loaded.status == ChangeStatus.APPROVED
        uow.commit()
    with db.uow() as uow:
        assert not uow.changes.decide(change_id, ChangeStatus.REJECTED, "U_OTHER", T0, "no")
        uow.commit()
    with db.uow() as uow:
        decided = uow.changes.get(change_id)
        assert decided is not None
        assert (decided.status, decided.decided_by, decided.note) == (
            ChangeStatus.APPROVED,
            "U_DIRECTOR",
            "ok",
        )
        assert decided.decided_at == T0


def test_deciding_with_a_status_that_is_not_a_decision_is_refused(db: Database) -> None:
    with db.uow() as uow, pytest.raises(ValueError, match="not a decision"):
        uow.changes.decide(1, ChangeStatus.PENDING, "U1", T0)


def test_requests_pending_over_a_day_are_due_for_re_raising(db: Database) -> None:
    fresh = saved_pending_change(db, saved_customer(db, 1), requested_at=T0)
    stale = saved_pending_change(db, saved_customer(db, 2), requested_at=T0 - timedelta(days=2))
    raised_today = saved_pending_change(
        db,
        saved_customer(db, 3),
        requested_at=T0 - timedelta(days=3),
        last_raised_at=T0 - timedelta(hours=1),
    )
    with db.uow() as uow:
        due = uow.changes.pending_to_reraise(T0 - timedelta(days=1))
        assert [c.id for c in due] == [stale]
        assert {c.id for c in uow.changes.all_pending()} == {fresh, stale, raised_today}


def test_pending_targets_name_the_grade_each_pending_request_asks_for(db: Database) -> None:
    waiting = saved_customer(db, 1)
    decided = saved_customer(db, 2)
    untouched = saved_customer(db, 3)
    saved_pending_change(db, waiting, to_grade=Grade.BLACK)
    done = saved_pending_change(db, decided)
    with db.uow() as uow:
        uow.changes.decide(done, ChangeStatus.APPROVED, "U_DIRECTOR", T0)
        assert uow.changes.pending_targets([waiting, decided, untouched]) == {waiting: Grade.BLACK}
        assert uow.changes.pending_targets([]) == {}


def test_the_queries_for_pending_requests_and_messages_to_update_use_the_partial_indexes(tmp_path: Path) -> None:
    """Only pending requests and messages still showing one are indexed (a rescoring's many
    auto-applied changes enter neither); SQLite must still find them through those indexes,
    the status bound as a parameter as SQLAlchemy binds it (EXPLAIN QUERY PLAN is SQLite's)."""
    engine = open_database(f"sqlite:///{tmp_path / 'plans.db'}")
    plans = {
        "SELECT id FROM grade_changes WHERE status = ? ORDER BY requested_at, id": "ix_grade_changes_pending_at",
        "SELECT id FROM grade_changes WHERE slack_shown = ? AND status != ? ORDER BY id": "ix_grade_changes_shown_pending",
        "SELECT id FROM grade_changes WHERE status IN (?, ?) AND notified_at IS NULL": "ix_grade_changes_not_notified",
    }
    with engine.connect() as connection:
        for query, index in plans.items():
            params = ("pending",) * query.count("?")
            plan = " ".join(row[-1] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + query, params))
            assert index in plan, (query, plan)
    engine.dispose()
