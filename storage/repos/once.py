"""Things that must happen once whatever restarts or retries: alerts and Slack events (nudges:
storage.repos.nudge_batches).

Each is claimed with INSERT … ON CONFLICT DO NOTHING, so of several processes only one wins,
for good: unlike a lease (storage.repos.leases) such a claim never runs out.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage.models import Alert, ProcessedEvent
from storage.repos._sql import insert_or_nothing


class AlertRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def record(self, customer_id: int, indicator: str, change: str, detected_at: datetime) -> bool:
        """True the first time this crossing is seen in this data update (`detected_at`)."""
        return insert_or_nothing(
            self.session,
            Alert,
            {
                "customer_id": customer_id,
                "indicator": indicator,
                "change": change,
                "detected_at": detected_at,
            },
            ("customer_id", "indicator", "change", "detected_at"),
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
