"""Outbound webhooks (THE PLAN PUSH): what the systems that ship goods must be told, kept in the
same transaction as the change itself (a transactional outbox), and its delivery to each
configured endpoint (bot.webhooks)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base

ENDPOINT_LENGTH = 500


class WebhookEvent(Base):
    """One event, its JSON body frozen when the change was written (so every endpoint and every
    retry gets the same bytes). `fanned_out_at` is when its deliveries were created, one per
    endpoint configured then."""

    __tablename__ = "webhook_events"
    __table_args__ = (
        # Events still to fan out: the few newest, whatever the table holds.
        Index(
            "ix_webhook_events_to_fan_out",
            "id",
            sqlite_where=text("fanned_out_at IS NULL"),
            postgresql_where=text("fanned_out_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)  # a UUID, sent in body and header
    kind: Mapped[str] = mapped_column(String(32))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    fanned_out_at: Mapped[datetime | None]


class WebhookDelivery(Base):
    """One event to one endpoint: tried until the endpoint answers 2xx, or given up (`dead_at`)
    after the configured number of attempts. A delivery is not tried while an older one of the
    same customer to the same endpoint is neither delivered nor dead: order per customer."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("event_id", "endpoint"),
        # The queues still open: per endpoint and customer, oldest event first.
        Index(
            "ix_webhook_deliveries_open",
            "endpoint",
            "customer_id",
            "event_id",
            sqlite_where=text("delivered_at IS NULL AND dead_at IS NULL"),
            postgresql_where=text("delivered_at IS NULL AND dead_at IS NULL"),
        ),
        # Given up and not yet reported in the alerts channel.
        Index(
            "ix_webhook_deliveries_unreported",
            "id",
            sqlite_where=text("dead_at IS NOT NULL AND reported_at IS NULL"),
            postgresql_where=text("dead_at IS NOT NULL AND reported_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("webhook_events.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    endpoint: Mapped[str] = mapped_column(String(ENDPOINT_LENGTH))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    claimed_at: Mapped[datetime | None]  # the sender's lease (storage.repos.leases)
    delivered_at: Mapped[datetime | None]
    dead_at: Mapped[datetime | None]
    reported_at: Mapped[datetime | None]  # the dead letter was posted to channels.alerts
    last_error: Mapped[str | None] = mapped_column(Text)
