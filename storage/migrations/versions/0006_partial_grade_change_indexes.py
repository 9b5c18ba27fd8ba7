"""grade_changes indexes hold only the rows their queries look for.

Revision ID: 0006
Revises: 0005

A first scoring writes one change per customer, nearly all auto-applied, never shown in
Slack; each entered five indexes. The status and Slack indexes become partial: pending
requests by request time (instead of every change by status and time), messages still
showing a pending request (instead of every change's shown status), changes whose owners are
not told yet (instead of every change by status and notification time). The digest's scan of
applied changes by status went over most of the table anyway.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _partial(name: str, column: str, where: str) -> None:
    op.create_index(name, "grade_changes", [column], unique=False,
                    sqlite_where=sa.text(where), postgresql_where=sa.text(where))


def upgrade() -> None:
    op.drop_index("ix_grade_changes_status_at", table_name="grade_changes")
    op.drop_index("ix_grade_changes_slack_shown", table_name="grade_changes")
    op.drop_index("ix_grade_changes_status_notified", table_name="grade_changes")
    _partial("ix_grade_changes_pending_at", "requested_at", "status = 'pending'")
    _partial("ix_grade_changes_shown_pending", "slack_shown", "slack_shown = 'pending'")
    _partial("ix_grade_changes_not_notified", "status", "notified_at IS NULL")


def downgrade() -> None:
    op.drop_index("ix_grade_changes_not_notified", table_name="grade_changes")
    op.drop_index("ix_grade_changes_shown_pending", table_name="grade_changes")
    op.drop_index("ix_grade_changes_pending_at", table_name="grade_changes")
    op.create_index("ix_grade_changes_status_notified", "grade_changes", ["status", "notified_at"], unique=False)
    op.create_index("ix_grade_changes_slack_shown", "grade_changes", ["slack_shown"], unique=False)
    op.create_index("ix_grade_changes_status_at", "grade_changes", ["status", "requested_at"], unique=False)
