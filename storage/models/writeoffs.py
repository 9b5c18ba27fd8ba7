"""Write-offs (风险核销) and the tasks of response plans."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from scoring.plans import Task as TaskKind  # stored as the plan names it
from storage.models.base import Actor, Base, Created, CustomerFK, SlackRef, TaskStatus, WriteOffStatus, _one_of


class WriteOff(Base):
    """A write-off request (风险核销) with its evidence and decision."""

    __tablename__ = "write_offs"
    __table_args__ = (
        CheckConstraint(_one_of("status", WriteOffStatus), name="status"),
        Index("ix_write_offs_status_at", "status", "requested_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[CustomerFK]
    requested_by: Mapped[Actor]
    requested_at: Mapped[datetime]
    text: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(Text)  # a Slack file permalink or a URL
    status: Mapped[str] = mapped_column(String(16))
    decided_by: Mapped[Actor | None]
    decided_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(Text)
    slack_channel: Mapped[SlackRef | None]
    slack_ts: Mapped[SlackRef | None]
    # Slack delivery (bot.publish): the sender's lease and the status the posted message shows.
    slack_claimed_at: Mapped[datetime | None]
    slack_shown: Mapped[str | None] = mapped_column(String(16))


class Task(Base):
    """A task of a response plan (collection or legal collection)."""

    __tablename__ = "tasks"
    __table_args__ = (
        CheckConstraint(_one_of("kind", TaskKind), name="kind"),
        CheckConstraint(_one_of("status", TaskStatus), name="status"),
        Index("ix_tasks_customer_status", "customer_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default=TaskStatus.OPEN)
    created_at: Mapped[Created]
    grade_change_id: Mapped[int | None] = mapped_column(ForeignKey("grade_changes.id"))
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[Actor | None]
    write_off_id: Mapped[int | None] = mapped_column(ForeignKey("write_offs.id"))
