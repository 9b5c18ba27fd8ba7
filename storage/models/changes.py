"""Grade changes (异动标记): applied at once or waiting for a director (SPEC §8)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from scoring.grades import Grade
from storage.models.base import GRADES, Actor, Base, ChangeKind, ChangeStatus, Score, SlackRef, _one_of


class GradeChange(Base):
    """A grade change mark (异动标记): applied at once or waiting for a director."""

    __tablename__ = "grade_changes"
    __table_args__ = (
        CheckConstraint(_one_of("from_grade", GRADES, nullable=True), name="from_grade"),
        CheckConstraint(_one_of("to_grade", GRADES), name="to_grade"),
        CheckConstraint(_one_of("kind", ChangeKind), name="kind"),
        CheckConstraint(_one_of("status", ChangeStatus), name="status"),
        # At most one pending request per customer, enforced by the database itself.
        Index(
            "uq_grade_changes_one_pending",
            "customer_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
        # A customer's history, and rescoring's look-up of the pending requests of a batch.
        Index("ix_grade_changes_customer_at", "customer_id", "requested_at"),
        # The other indexes hold only the few rows a query still looks for, so the many changes
        # a rescoring writes (auto-applied, not yet shown anywhere) enter at most one of them:
        # pending requests oldest first (publishing, re-raising, the pending list);
        Index(
            "ix_grade_changes_pending_at",
            "requested_at",
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
        # posted messages still showing buttons (publishing updates them once decided);
        Index(
            "ix_grade_changes_shown_pending",
            "slack_shown",
            sqlite_where=text("slack_shown = 'pending'"),
            postgresql_where=text("slack_shown = 'pending'"),
        ),
        # changes whose owners are not told yet (publishing announces applied ones).
        Index(
            "ix_grade_changes_not_notified",
            "status",
            sqlite_where=text("notified_at IS NULL"),
            postgresql_where=text("notified_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    from_grade: Mapped[Grade | None]
    to_grade: Mapped[Grade]
    score: Mapped[Score | None]
    reason: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    requested_by: Mapped[Actor]
    requested_at: Mapped[datetime]
    decided_by: Mapped[Actor | None]
    decided_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(Text)
    slack_channel: Mapped[SlackRef | None]
    slack_ts: Mapped[SlackRef | None]
    last_raised_at: Mapped[datetime | None]
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("grade_changes.id"))
    # Slack delivery (bot.publish): a short lease so two processes never post, update or notify
    # twice; the status the posted message shows; when the owners and finance were told.
    slack_claimed_at: Mapped[datetime | None]
    slack_shown: Mapped[str | None] = mapped_column(String(16))
    notified_at: Mapped[datetime | None]
