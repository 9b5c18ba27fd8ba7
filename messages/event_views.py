"""The display-ready values of risk events (风险事件), as `messages.views` describes views:
plain text as typed, dates as given, money as Decimal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from scoring.grades import Grade

if TYPE_CHECKING:  # messages.views holds the card, which lists these entries
    from messages.views import CustomerRef, Money


@dataclass(frozen=True, slots=True, kw_only=True)
class EventEntry:
    """One event on the card or in a reply; `kind` as stored (overdue, loss, …), `grade` the
    grade the customer held that day."""

    kind: str
    on: date
    amount: Money | None = None
    days: int | None = None
    note: str | None = None
    grade: Grade | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class EventRecorded:
    """The reply after an event was recorded."""

    customer: CustomerRef
    event: EventEntry
    recorded_by: str
