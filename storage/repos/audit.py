"""The append-only audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import AuditEntry


class AuditRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def append(
        self,
        at: datetime,
        actor: str,
        action: str,
        customer_id: int | None = None,
        detail: dict[str, Any] | None = None,
    ) -> AuditEntry:
        entry = AuditEntry(
            at=at, actor=actor, action=action, customer_id=customer_id, detail=detail or {}
        )
        self.session.add(entry)
        self.session.flush()
        return entry

    def query(
        self,
        customer_id: int | None = None,
        since: datetime | None = None,
        limit: int | None = None,
    ) -> list[AuditEntry]:
        """Entries oldest first, optionally of one customer and/or from `since` on."""
        stmt = select(AuditEntry)
        if customer_id is not None:
            stmt = stmt.where(AuditEntry.customer_id == customer_id)
        if since is not None:
            stmt = stmt.where(AuditEntry.at >= since)
        stmt = stmt.order_by(AuditEntry.at, AuditEntry.id)
        if limit is not None:
            stmt = stmt.limit(limit)
        return list(self.session.scalars(stmt))

    def done_since(self, action: str, since: datetime) -> bool:
        """Whether an entry of `action` was written at or after `since`."""
        return self.session.scalar(
            select(AuditEntry.id).where(AuditEntry.action == action, AuditEntry.at >= since).limit(1)
        ) is not None

    def details_of(self, action: str, since: datetime) -> list[dict[str, Any]]:
        """The details of the entries of `action` written at or after `since` (a few, not a log)."""
        return [dict(d or {}) for d in self.session.scalars(
            select(AuditEntry.detail).where(AuditEntry.action == action, AuditEntry.at >= since))]
