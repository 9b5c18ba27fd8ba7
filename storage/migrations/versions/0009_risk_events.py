"""Risk events: what actually happened to a customer (overdue, loss, recovery, legal, ended).

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KINDS = ("overdue", "loss", "recovery", "legal_opened", "legal_closed", "cooperation_ended")
_GRADES = ("blue", "yellow", "red", "black")


def _compared(column: str, values: tuple[str, ...], nullable: bool) -> str:
    test = " OR ".join(f"{column} = '{v}'" for v in values)
    return f"{column} IS NULL OR {test}" if nullable else test


def upgrade() -> None:
    op.create_table(
        "risk_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=16, scale=2), nullable=True),
        sa.Column("days", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("grade", sa.String(length=8), nullable=True),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("source_key", sa.String(length=64), nullable=True),
        sa.Column("recorded_by", sa.String(length=255), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(_compared("kind", _KINDS, False), name=op.f("ck_risk_events_kind")),
        sa.CheckConstraint(_compared("grade", _GRADES, True), name=op.f("ck_risk_events_grade")),
        sa.CheckConstraint("amount IS NULL OR amount >= 0", name=op.f("ck_risk_events_amount_not_negative")),
        sa.CheckConstraint("days IS NULL OR days >= 0", name=op.f("ck_risk_events_days_not_negative")),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name=op.f("fk_risk_events_customer_id_customers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_events")),
        sa.UniqueConstraint("source_key", name=op.f("uq_risk_events_source_key")),
    )
    op.create_index("ix_risk_events_customer_on", "risk_events", ["customer_id", "occurred_on"], unique=False)
    op.create_index("ix_risk_events_on_kind", "risk_events", ["occurred_on", "kind"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_risk_events_on_kind", table_name="risk_events")
    op.drop_index("ix_risk_events_customer_on", table_name="risk_events")
    op.drop_table("risk_events")
