"""Risk events (风险事件): what happened to a customer, and the grade it held that day."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, tzinfo
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.events import grade_on
from scoring.grades import Grade
from storage.models import APPLIED, GradeChange, RiskEvent
from storage.repos._sql import id_pages



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

    def facts_of(self, customer_ids: Iterable[int]) -> list[tuple[Any, ...]]:
        """(customer id, kind, occurred_on, amount, days, note) of every event of these
        customers, however recorded: an import compares its rows with them."""
        found: list[tuple[Any, ...]] = []
        e = RiskEvent
        for page in id_pages(customer_ids):
            found.extend(tuple(row) for row in self.session.execute(
                select(e.customer_id, e.kind, e.occurred_on, e.amount, e.days, e.note).where(e.customer_id.in_(page))
            ))
        return found

    def grade_histories(self, customer_ids: Iterable[int], tz: tzinfo) -> dict[int, list[tuple[date, Grade]]]:
        """Each customer's applied grade changes (at once or approved) as (local date decided,
        grade), in the order decided: what `scoring.events.grade_on` reads."""
        histories: dict[int, list[tuple[date, Grade]]] = defaultdict(list)
        for page in id_pages(customer_ids):
            rows = self.session.execute(
                select(GradeChange.customer_id, GradeChange.decided_at, GradeChange.to_grade)
                .where(GradeChange.customer_id.in_(page), GradeChange.status.in_(APPLIED),
                       GradeChange.decided_at.is_not(None))
                .order_by(GradeChange.decided_at, GradeChange.id)
            )
            for customer_id, at, grade in rows:
                histories[customer_id].append((at.astimezone(tz).date(), grade))
        return histories

    def grade_on(self, customer_id: int, day: date, tz: tzinfo) -> Grade | None:
        """The customer's effective grade at the end of `day` (in `tz`)."""
        return grade_on(self.grade_histories([customer_id], tz).get(customer_id, ()), day)
