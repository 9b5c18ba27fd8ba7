"""Alerts are unique per data update: a line crossed again after a correction alerts again.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.drop_constraint("uq_alerts_customer_id_indicator_change", type_="unique")
        batch.create_unique_constraint(
            "uq_alerts_customer_id_indicator_change_detected_at", ["customer_id", "indicator", "change", "detected_at"]
        )


def downgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.drop_constraint("uq_alerts_customer_id_indicator_change_detected_at", type_="unique")
        batch.create_unique_constraint("uq_alerts_customer_id_indicator_change", ["customer_id", "indicator", "change"])
