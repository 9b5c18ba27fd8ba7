"""Builders of valid rows for storage tests, with only the fields a test cares about to set."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from scoring.grades import Grade
from storage.models import ChangeKind, ChangeStatus, Customer, GradeChange
from storage.uow import Database

T0 = datetime(2025, 3, 3, 1, 30, tzinfo=UTC)  # 09:30 Asia/Shanghai on a Monday


def customer(n: int = 1, **fields: Any) -> Customer:
    """A customer with a unique credit code per `n` (storage does not validate the check digit)."""
    values: dict[str, Any] = {
        "credit_code": f"91350100M{n:09d}",
        "name": f"测试客户{n}有限公司",
    }
    values.update(fields)
    return Customer(**values)


def change(customer_id: int, **fields: Any) -> GradeChange:
    """A pending computed change from yellow to red, requested by the system at T0."""
    values: dict[str, Any] = {
        "customer_id": customer_id,
        "from_grade": Grade.YELLOW,
        "to_grade": Grade.RED,
        "reason": "dishonest_debtor_count 0→1",
        "kind": ChangeKind.COMPUTED,
        "status": ChangeStatus.PENDING,
        "requested_by": "system",
        "requested_at": T0,
    }
    values.update(fields)
    return GradeChange(**values)


def saved_customer(db: Database, n: int = 1, **fields: Any) -> int:
    """Insert a customer, commit, and return its id."""
    with db.uow() as uow:
        row = uow.customers.add(customer(n, **fields))
        uow.commit()
        return row.id


def saved_pending_change(db: Database, customer_id: int, **fields: Any) -> int:
    with db.uow() as uow:
        row = uow.changes.add(change(customer_id, **fields))
        uow.commit()
        return row.id
