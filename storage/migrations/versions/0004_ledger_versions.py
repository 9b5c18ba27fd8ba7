"""Version counters: the lookup index reloads names when an import changed them.

Timestamps cannot tell a reader what a long transaction changed (its rows become visible at
commit, stamped earlier), so writers that change customer names bump a counter in the same
transaction instead. The updated_at index of 0002, which only served that guess, goes.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    versions = op.create_table(
        "ledger_versions",
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_ledger_versions"),
    )
    op.bulk_insert(versions, [{"name": "customer_names", "version": 0}])
    op.drop_index("ix_customers_updated_at", table_name="customers")


def downgrade() -> None:
    op.create_index("ix_customers_updated_at", "customers", ["updated_at"])
    op.drop_table("ledger_versions")
