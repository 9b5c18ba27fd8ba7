"""Audit trail, response-plan tasks and write-offs."""

from __future__ import annotations

from datetime import timedelta

import pytest

from storage.models import Task, TaskKind, TaskStatus, WriteOff, WriteOffStatus
from storage.uow import Database
from tests.storage.factories import T0, saved_customer


def test_audit_entries_are_queried_by_customer_and_time(db: Database) -> None:
    first = saved_customer(db, 1)
    second = saved_customer(db, 2)
    with db.uow() as uow:
        uow.audit.append(T0, "U_RISK", "grade_change.requested", first, {"to": "red"})
        uow.audit.append(T0 + timedelta(hours=1), "U_SALES", "grade_change.refused", first)
        uow.audit.append(T0 + timedelta(hours=2), "U_RISK", "followup.logged", second)
        uow.audit.append(T0 + timedelta(hours=3), "system", "nudge.run")
        uow.commit()
    with db.uow() as uow:
        assert [e.action for e in uow.audit.query(customer_id=first)] == [
            "grade_change.requested",
            "grade_change.refused",
        ]
        assert uow.audit.query(customer_id=first)[0].detail == {"to": "red"}
        since = uow.audit.query(since=T0 + timedelta(hours=2))
        assert [e.action for e in since] == ["followup.logged", "nudge.run"]
        assert [e.action for e in uow.audit.query(limit=1)] == ["grade_change.requested"]


def test_approving_a_write_off_closes_the_open_collection_tasks(db: Database) -> None:
    customer_id = saved_customer(db)
    with db.uow() as uow:
        uow.tasks.add(Task(customer_id=customer_id, kind=TaskKind.COLLECTION, created_at=T0))
        uow.tasks.add(Task(customer_id=customer_id, kind=TaskKind.LEGAL_COLLECTION, created_at=T0))
        request = uow.writeoffs.add(
            WriteOff(
                customer_id=customer_id,
                requested_by="U_SALES",
                requested_at=T0,
                text="货款已全部收回",
                evidence="https://files.slack.com/files-pri/T1-F1/receipt.pdf",
                status=WriteOffStatus.PENDING,
            )
        )
        uow.commit()
    decided_at = T0 + timedelta(days=1)
    with db.uow() as uow:
        assert uow.writeoffs.decide(request.id, WriteOffStatus.APPROVED, "U_RISK", decided_at)
        closed = uow.tasks.close_open(customer_id, "U_RISK", decided_at, write_off_id=request.id)
        assert closed == 2
        uow.commit()
    with db.uow() as uow:
        assert uow.tasks.open_for(customer_id) == []
        assert not uow.writeoffs.decide(request.id, WriteOffStatus.REJECTED, "U_DIR", decided_at)
        [kept] = uow.writeoffs.for_customer(customer_id)
        assert (kept.status, kept.decided_by, kept.decided_at) == (
            WriteOffStatus.APPROVED,
            "U_RISK",
            decided_at,
        )
        assert uow.writeoffs.all_pending() == []


def test_open_tasks_can_be_listed_by_kind(db: Database) -> None:
    customer_id = saved_customer(db)
    with db.uow() as uow:
        uow.tasks.add(Task(customer_id=customer_id, kind=TaskKind.COLLECTION, created_at=T0))
        uow.tasks.add(Task(customer_id=customer_id, kind=TaskKind.LEGAL_COLLECTION, created_at=T0))
        uow.commit()
    with db.uow() as uow:
        [legal] = uow.tasks.open_for(customer_id, kinds=[TaskKind.LEGAL_COLLECTION])
        assert legal.status == TaskStatus.OPEN
        assert uow.tasks.close_open(customer_id, "U1", T0, kinds=[TaskKind.COLLECTION]) == 1
        assert [t.kind for t in uow.tasks.open_for(customer_id)] == [TaskKind.LEGAL_COLLECTION]


def test_a_write_off_decision_must_be_approve_or_reject(db: Database) -> None:
    with db.uow() as uow, pytest.raises(ValueError, match="approved or rejected"):
        uow.writeoffs.decide(1, WriteOffStatus.PENDING, "U1", T0)
