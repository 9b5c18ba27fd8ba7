"""Risk events (风险事件): what actually happened to a customer, so grades can be checked
against outcomes (the monthly 看板, KPIs and the quarterly review)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from scoring.grades import Grade
from storage.models.base import GRADES, Actor, Base, Money, _one_of


class EventKind(StrEnum):
    OVERDUE = "overdue"  # a payment fell overdue: amount, days
    LOSS = "loss"  # bad debt / loss booked (坏账损失): amount
    RECOVERY = "recovery"  # money recovered (回款): amount
    LEGAL_OPENED = "legal_opened"
    LEGAL_CLOSED = "legal_closed"
    COOPERATION_ENDED = "cooperation_ended"


class RiskEvent(Base):
    """One outcome of a customer on the day it happened. `grade` is the customer's effective
    grade on `occurred_on`, taken from the grade history when the event is recorded, so a
    report never has to replay history to say what grade a loss was booked at."""

    __tablename__ = "risk_events"
    __table_args__ = (
        CheckConstraint(_one_of("kind", EventKind), name="kind"),
        CheckConstraint(_one_of("grade", GRADES, nullable=True), name="grade"),
        CheckConstraint("amount IS NULL OR amount >= 0", name="amount_not_negative"),
        CheckConstraint("days IS NULL OR days >= 0", name="days_not_negative"),
        Index("ix_risk_events_customer_on", "customer_id", "occurred_on"),
        Index("ix_risk_events_on_kind", "occurred_on", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    kind: Mapped[str] = mapped_column(String(32))
    occurred_on: Mapped[date]
    amount: Mapped[Money | None]
    days: Mapped[int | None]
    note: Mapped[str | None] = mapped_column(Text)
    grade: Mapped[Grade | None]
    source: Mapped[str]  # "slack:U123" or "import:events.xlsx"
    # Set by an import (a digest of the row) so importing the same sheet twice adds nothing.
    source_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    recorded_by: Mapped[Actor]
    recorded_at: Mapped[datetime]
