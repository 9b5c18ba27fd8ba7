"""The unit of work keeps only what was committed."""

from __future__ import annotations

import pytest

from storage.errors import PendingChangeExists
from storage.models import ChangeStatus
from storage.uow import Database
from tests.storage.factories import change, customer, saved_customer, saved_pending_change


def test_work_left_without_commit_is_discarded(db: Database) -> None:
    with db.uow() as uow:
        uow.customers.add(customer(1))
    with db.uow() as uow:
        assert uow.customers.get_by_code(customer(1).credit_code) is None


def test_work_interrupted_by_an_error_is_discarded(db: Database) -> None:
    with pytest.raises(RuntimeError), db.uow() as uow:
        uow.customers.add(customer(1))
        raise RuntimeError("Slack is down")
    with db.uow() as uow:
        assert uow.customers.get_by_code(customer(1).credit_code) is None


def test_committed_work_is_kept_and_still_readable_after_the_block(db: Database) -> None:
    with db.uow() as uow:
        row = uow.customers.add(customer(1))
        uow.commit()
    assert row.name == "测试客户1有限公司"
    with db.uow() as uow:
        assert uow.customers.get(row.id) is not None


def test_conflict_found_only_at_commit_is_translated_too(db: Database) -> None:
    customer_id = saved_customer(db)
    saved_pending_change(db, customer_id)
    with db.uow() as uow:
        uow.session.add(change(customer_id))  # bypasses the repository's own check
        with pytest.raises(PendingChangeExists):
            uow.commit()
    with db.uow() as uow:
        pending = uow.changes.pending_for(customer_id)
        assert pending is not None and pending.status == ChangeStatus.PENDING
