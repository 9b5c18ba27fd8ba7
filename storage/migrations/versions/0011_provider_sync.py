"""Credit-data sync: provider answers (a cache: calls cost money) and calls spent per day.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "provider_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=64), nullable=False),
        sa.Column("interface", sa.String(length=200), nullable=False),
        sa.Column("keyword", sa.String(length=200), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_answers")),
        sa.UniqueConstraint("provider", "interface", "keyword", name=op.f("uq_provider_answers_provider_interface_keyword")),
    )
    op.create_table(
        "provider_calls",
        sa.Column("provider", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("provider", "day", name=op.f("pk_provider_calls")),
    )


def downgrade() -> None:
    op.drop_table("provider_calls")
    op.drop_table("provider_answers")
