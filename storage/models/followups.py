"""The follow-up ledger and what is sent about it: nudges and crossed alert lines."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Actor, Base, Created, CustomerFK, NudgeKind, SlackRef, _one_of


class Followup(Base):
    """One entry of the follow-up ledger (跟踪台账)."""

    __tablename__ = "followups"
    __table_args__ = (
        UniqueConstraint("source_channel", "source_ts"),
        Index("ix_followups_customer_at", "customer_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    author: Mapped[Actor]
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[Created]
    updated_at: Mapped[datetime | None]
    source_channel: Mapped[SlackRef | None]
    source_ts: Mapped[SlackRef | None]


class Nudge(Base):
    """A claim to send one nudge or escalation; the unique key makes it happen once."""

    __tablename__ = "nudges"
    __table_args__ = (
        CheckConstraint(_one_of("kind", NudgeKind), name="kind"),
        UniqueConstraint("kind", "owner", "customer_id", "due_date"),
        Index("ix_nudges_sent_claimed", "sent_at", "claimed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    owner: Mapped[Actor]
    customer_id: Mapped[CustomerFK]
    due_date: Mapped[date]
    claimed_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=1)


class Alert(Base):
    """A crossed alert line (风险异动预警), recorded once per change: a data update (detected_at)
    crossing a line. The same crossing in a later update (after a correction) is a new change."""

    __tablename__ = "alerts"
    __table_args__ = (UniqueConstraint("customer_id", "indicator", "change", "detected_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    indicator: Mapped[str] = mapped_column(String(64))
    change: Mapped[str]  # signature of the crossing, e.g. "dishonest_debtor_count:0->1"
    detected_at: Mapped[datetime]
    sent_at: Mapped[datetime | None] = mapped_column(index=True)
    claimed_at: Mapped[datetime | None]  # a sender's lease (bot.publish), cleared if Slack failed
