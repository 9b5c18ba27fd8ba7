"""Bookkeeping rows: ledger versions, handled Slack events and the audit trail."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Actor, Base, JsonDict


class LedgerVersion(Base):
    """A counter bumped in the same transaction as a change readers must not miss."""

    __tablename__ = "ledger_versions"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)


CUSTOMER_NAMES = "customer_names"  # names, aliases or credit codes changed (an import)


class ProcessedEvent(Base):
    """A Slack event id already handled, so a redelivery is ignored."""

    __tablename__ = "processed_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(index=True)


class AuditEntry(Base):
    """Append-only audit trail: who did what, when, to which customer."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_customer_at", "customer_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[Actor]
    action: Mapped[str] = mapped_column(String(64))  # e.g. "grade_change.requested"
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    detail: Mapped[JsonDict] = mapped_column(default=dict)
