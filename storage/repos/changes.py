"""Grade changes (异动标记): the pending request per customer and its single decision."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from scoring.grades import Grade
from storage.errors import PendingChangeExists
from storage.models import ChangeStatus, GradeChange
from storage.repos._sql import add_guarded

# What a pending request can turn into.
DECISIONS = frozenset(
    {ChangeStatus.APPROVED, ChangeStatus.REJECTED, ChangeStatus.SUPERSEDED, ChangeStatus.WITHDRAWN}
)


class GradeChangeRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, change_id: int) -> GradeChange | None:
        return self.session.get(GradeChange, change_id)

    def add(self, change: GradeChange) -> GradeChange:
        """Insert now; a second pending request for the customer raises PendingChangeExists."""
        add_guarded(
            self.session,
            change,
            "uq_grade_changes_one_pending",
            PendingChangeExists(change.customer_id),
        )
        return change

    def pending_for(self, customer_id: int) -> GradeChange | None:
        return self.session.scalars(
            select(GradeChange).where(
                GradeChange.customer_id == customer_id,
                GradeChange.status == ChangeStatus.PENDING,
            )
        ).one_or_none()

    def pending_targets(self, customer_ids: Iterable[int]) -> dict[int, Grade]:
        """customer id → the grade its pending request asks for, for those that have one."""
        ids = list(customer_ids)
        if not ids:
            return {}
        rows = self.session.execute(
            select(GradeChange.customer_id, GradeChange.to_grade).where(
                GradeChange.status == ChangeStatus.PENDING, GradeChange.customer_id.in_(ids)
            )
        )
        return {customer_id: to_grade for customer_id, to_grade in rows}

    def all_pending(self) -> list[GradeChange]:
        """Every pending request, oldest first."""
        return list(
            self.session.scalars(
                select(GradeChange)
                .where(GradeChange.status == ChangeStatus.PENDING)
                .order_by(GradeChange.requested_at, GradeChange.id)
            )
        )

    def pending_to_reraise(self, raised_before: datetime) -> list[GradeChange]:
        """Pending requests last raised (or first requested) before `raised_before`."""
        last_raised = func.coalesce(GradeChange.last_raised_at, GradeChange.requested_at)
        return list(
            self.session.scalars(
                select(GradeChange)
                .where(GradeChange.status == ChangeStatus.PENDING, last_raised < raised_before)
                .order_by(GradeChange.requested_at, GradeChange.id)
            )
        )

    def history(self, customer_id: int, limit: int | None = None) -> list[GradeChange]:
        """A customer's changes, newest first."""
        stmt = (
            select(GradeChange)
            .where(GradeChange.customer_id == customer_id)
            .order_by(GradeChange.requested_at.desc(), GradeChange.id.desc())
        )
        if limit is not None:
            stmt = stmt.limit(limit)
        return list(self.session.scalars(stmt))

    def decide(
        self, change_id: int, status: str, by: str, at: datetime, note: str | None = None
    ) -> bool:
        """Move a pending request to `status`; True only for the one caller that did it.

        A single conditional UPDATE … WHERE status = 'pending': of simultaneous clicks the
        database lets exactly one through, the others see a row that is no longer pending.
        """
        if status not in DECISIONS:
            raise ValueError(
                f"status {status!r} is not a decision: use one of {sorted(DECISIONS)}"
            )
        result = self.session.execute(
            update(GradeChange)
            .where(GradeChange.id == change_id, GradeChange.status == ChangeStatus.PENDING)
            .values(status=status, decided_by=by, decided_at=at, note=note)
            .execution_options(synchronize_session="fetch")
        )
        return result.rowcount == 1
