"""Risk events (风险事件): what happened to a customer, and the grade it held that day."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.events import grade_on
from scoring.grades import Grade
from storage.models import ChangeStatus, GradeChange, RiskEvent

_APPLIED = (ChangeStatus.AUTO_APPLIED.value, ChangeStatus.APPROVED.value)


class RiskEventRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, event: RiskEvent) -> RiskEvent:
        self.session.add(event)
        self.session.flush()
        return event

    def for_customer(self, customer_id: int, limit: int | None = None) -> list[RiskEvent]:
        """A customer's events, the latest occurrence first (then the latest recorded)."""
        stmt = (
            select(RiskEvent)
            .where(RiskEvent.customer_id == customer_id)
            .order_by(RiskEvent.occurred_on.desc(), RiskEvent.id.desc())
        )
        if limit is not None:
            stmt = stmt.limit(limit)
        return list(self.session.scalars(stmt))

    def known_keys(self, keys: Iterable[str]) -> set[str]:
        """Those of `keys` an earlier import already stored."""
        wanted = list(set(keys))
        found: set[str] = set()
        for start in range(0, len(wanted), 500):
            found.update(self.session.scalars(
                select(RiskEvent.source_key).where(RiskEvent.source_key.in_(wanted[start:start + 500]))
            ))
        return found

    def grade_on(self, customer_id: int, day: date, tz: tzinfo) -> Grade | None:
        """The customer's effective grade at the end of `day` (in `tz`), from the changes that
        applied (at once or approved), in the order they were decided."""
        rows = self.session.execute(
            select(GradeChange.decided_at, GradeChange.to_grade)
            .where(
                GradeChange.customer_id == customer_id,
                GradeChange.status.in_(_APPLIED),
                GradeChange.decided_at.is_not(None),
            )
            .order_by(GradeChange.decided_at, GradeChange.id)
        )
        return grade_on(((at.astimezone(tz).date(), grade) for at, grade in rows), day)
