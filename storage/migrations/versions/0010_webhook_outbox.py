"""Outbound webhooks: events written with the change they announce, and their delivery state
per endpoint (attempts, next attempt, lease, delivered, dead, reported).

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OPEN = "delivered_at IS NULL AND dead_at IS NULL"
_UNREPORTED = "dead_at IS NOT NULL AND reported_at IS NULL"


def _instant(name: str, nullable: bool = True) -> sa.Column[sa.DateTime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "webhook_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        _instant("created_at", nullable=False),
        _instant("fanned_out_at"),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name=op.f("fk_webhook_events_customer_id_customers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_events")),
        sa.UniqueConstraint("event_id", name=op.f("uq_webhook_events_event_id")),
    )
    op.create_index("ix_webhook_events_to_fan_out", "webhook_events", ["id"], unique=False,
                    sqlite_where=sa.text("fanned_out_at IS NULL"), postgresql_where=sa.text("fanned_out_at IS NULL"))
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("endpoint", sa.String(length=500), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _instant("next_attempt_at", nullable=False),
        _instant("claimed_at"),
        _instant("delivered_at"),
        _instant("dead_at"),
        _instant("reported_at"),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"],
                                name=op.f("fk_webhook_deliveries_customer_id_customers")),
        sa.ForeignKeyConstraint(["event_id"], ["webhook_events.id"],
                                name=op.f("fk_webhook_deliveries_event_id_webhook_events")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
        sa.UniqueConstraint("event_id", "endpoint", name=op.f("uq_webhook_deliveries_event_id_endpoint")),
    )
    op.create_index("ix_webhook_deliveries_open", "webhook_deliveries", ["endpoint", "customer_id", "event_id"],
                    unique=False, sqlite_where=sa.text(_OPEN), postgresql_where=sa.text(_OPEN))
    op.create_index("ix_webhook_deliveries_unreported", "webhook_deliveries", ["id"], unique=False,
                    sqlite_where=sa.text(_UNREPORTED), postgresql_where=sa.text(_UNREPORTED))


def downgrade() -> None:
    op.drop_index("ix_webhook_deliveries_unreported", table_name="webhook_deliveries")
    op.drop_index("ix_webhook_deliveries_open", table_name="webhook_deliveries")
    op.drop_table("webhook_deliveries")
    op.drop_index("ix_webhook_events_to_fan_out", table_name="webhook_events")
    op.drop_table("webhook_events")
