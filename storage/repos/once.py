"""Things that must happen once whatever restarts or retries: nudges, alerts, Slack events.

Each is claimed with INSERT … ON CONFLICT DO NOTHING, so of several processes only one wins.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ColumnElement, delete, select, update
from sqlalchemy.orm import Session

from storage.models import Alert, Nudge, ProcessedEvent
from storage.repos._sql import insert_or_nothing


class NudgeRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def claim(
        self, kind: str, owner: str, customer_id: int, due_date: date, now: datetime
    ) -> bool:
        """True when this caller is the one to send (kind, owner, customer, due date)."""
        return insert_or_nothing(
            self.session,
            Nudge,
            {
                "kind": kind,
                "owner": owner,
                "customer_id": customer_id,
                "due_date": due_date,
                "claimed_at": now,
                "attempts": 1,
            },
            ("kind", "owner", "customer_id", "due_date"),
        )

    def mark_sent(
        self, kind: str, owner: str, customer_id: int, due_date: date, at: datetime
    ) -> None:
        self.session.execute(
            update(Nudge)
            .where(*_nudge_key(kind, owner, customer_id, due_date))
            .values(sent_at=at)
            .execution_options(synchronize_session="fetch")
        )

    def unsent(self, claimed_before: datetime) -> list[Nudge]:
        """Claims never marked sent (the sender died or Slack failed), oldest first."""
        return list(
            self.session.scalars(
                select(Nudge)
                .where(Nudge.sent_at.is_(None), Nudge.claimed_at < claimed_before)
                .order_by(Nudge.claimed_at, Nudge.id)
            )
        )

    def reclaim(
        self,
        kind: str,
        owner: str,
        customer_id: int,
        due_date: date,
        now: datetime,
        claimed_before: datetime,
    ) -> bool:
        """Take over a stale unsent claim for a retry; True for the one retrier that did."""
        result = self.session.execute(
            update(Nudge)
            .where(
                *_nudge_key(kind, owner, customer_id, due_date),
                Nudge.sent_at.is_(None),
                Nudge.claimed_at < claimed_before,
            )
            .values(claimed_at=now, attempts=Nudge.attempts + 1)
            .execution_options(synchronize_session="fetch")
        )
        return result.rowcount == 1


def _nudge_key(
    kind: str, owner: str, customer_id: int, due_date: date
) -> tuple[ColumnElement[bool], ...]:
    return (
        Nudge.kind == kind,
        Nudge.owner == owner,
        Nudge.customer_id == customer_id,
        Nudge.due_date == due_date,
    )


class AlertRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def record(self, customer_id: int, indicator: str, change: str, detected_at: datetime) -> bool:
        """True the first time this crossing (customer, indicator, change) is seen."""
        return insert_or_nothing(
            self.session,
            Alert,
            {
                "customer_id": customer_id,
                "indicator": indicator,
                "change": change,
                "detected_at": detected_at,
            },
            ("customer_id", "indicator", "change"),
        )

    def mark_sent(self, customer_id: int, indicator: str, change: str, at: datetime) -> None:
        self.session.execute(
            update(Alert)
            .where(
                Alert.customer_id == customer_id,
                Alert.indicator == indicator,
                Alert.change == change,
            )
            .values(sent_at=at)
            .execution_options(synchronize_session="fetch")
        )

    def unsent(self) -> list[Alert]:
        """Recorded alerts not yet delivered, oldest first."""
        return list(
            self.session.scalars(
                select(Alert).where(Alert.sent_at.is_(None)).order_by(Alert.detected_at, Alert.id)
            )
        )


class ProcessedEventRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def first_time(self, event_id: str, now: datetime) -> bool:
        """True the first time a Slack event id is seen; False for a redelivery."""
        return insert_or_nothing(
            self.session, ProcessedEvent, {"event_id": event_id, "received_at": now}, ("event_id",)
        )

    def forget(self, event_id: str) -> None:
        """Undo `first_time` for work that did not get done (e.g. a post Slack refused)."""
        self.session.execute(delete(ProcessedEvent).where(ProcessedEvent.event_id == event_id))

    def prune(self, received_before: datetime) -> int:
        """Forget ids older than Slack's retry window; returns how many were removed."""
        result = self.session.execute(
            delete(ProcessedEvent).where(ProcessedEvent.received_at < received_before)
        )
        return result.rowcount
