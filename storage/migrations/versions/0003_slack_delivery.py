"""Slack delivery state for bot.publish: leases, what a posted message shows, who was told.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01

grade_changes: slack_claimed_at (a sender's lease), slack_shown (the status the approvals
message shows), notified_at (owners' DM and finance post done), with two indexes for the
publish pass. write_offs: slack_claimed_at, slack_shown. alerts: claimed_at.

Changes applied before this revision count as already told, and a message already posted as
showing its current status, so the first publish pass does not re-announce history.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("grade_changes", sa.Column("slack_claimed_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("grade_changes", sa.Column("slack_shown", sa.String(length=16), nullable=True))
    op.add_column("grade_changes", sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_grade_changes_slack_shown", "grade_changes", ["slack_shown"], unique=False)
    op.create_index(
        "ix_grade_changes_status_notified", "grade_changes", ["status", "notified_at"], unique=False
    )
    op.add_column("write_offs", sa.Column("slack_claimed_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("write_offs", sa.Column("slack_shown", sa.String(length=16), nullable=True))
    op.add_column("alerts", sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True))

    op.execute(
        "UPDATE grade_changes SET notified_at = COALESCE(decided_at, requested_at) "
        "WHERE status IN ('approved', 'auto_applied')"
    )
    op.execute("UPDATE grade_changes SET slack_shown = status WHERE slack_ts IS NOT NULL")
    op.execute("UPDATE write_offs SET slack_shown = status WHERE slack_ts IS NOT NULL")


def downgrade() -> None:
    op.drop_column("alerts", "claimed_at")
    op.drop_column("write_offs", "slack_shown")
    op.drop_column("write_offs", "slack_claimed_at")
    op.drop_index("ix_grade_changes_status_notified", table_name="grade_changes")
    op.drop_index("ix_grade_changes_slack_shown", table_name="grade_changes")
    op.drop_column("grade_changes", "notified_at")
    op.drop_column("grade_changes", "slack_shown")
    op.drop_column("grade_changes", "slack_claimed_at")
