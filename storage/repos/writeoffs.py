"""Write-off requests (风险核销) and their single decision."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.models import WriteOff, WriteOffStatus

DECISIONS = frozenset({WriteOffStatus.APPROVED, WriteOffStatus.REJECTED})


class WriteOffRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, write_off_id: int) -> WriteOff | None:
        return self.session.get(WriteOff, write_off_id)

    def add(self, write_off: WriteOff) -> WriteOff:
        self.session.add(write_off)
        self.session.flush()
        return write_off

    def for_customer(self, customer_id: int) -> list[WriteOff]:
        """A customer's write-off requests, newest first."""
        return list(
            self.session.scalars(
                select(WriteOff)
                .where(WriteOff.customer_id == customer_id)
                .order_by(WriteOff.requested_at.desc(), WriteOff.id.desc())
            )
        )

    def all_pending(self) -> list[WriteOff]:
        return list(
            self.session.scalars(
                select(WriteOff)
                .where(WriteOff.status == WriteOffStatus.PENDING)
                .order_by(WriteOff.requested_at, WriteOff.id)
            )
        )

    def decide(
        self, write_off_id: int, status: str, by: str, at: datetime, note: str | None = None
    ) -> bool:
        """Approve or reject a pending request; True only for the one caller that did it."""
        if status not in DECISIONS:
            raise ValueError(f"status {status!r} is not a decision: use approved or rejected")
        result = self.session.execute(
            update(WriteOff)
            .where(WriteOff.id == write_off_id, WriteOff.status == WriteOffStatus.PENDING)
            .values(status=status, decided_by=by, decided_at=at, note=note)
            .execution_options(synchronize_session="fetch")
        )
        return result.rowcount == 1
