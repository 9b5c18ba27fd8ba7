"""What the credit-data sync keeps besides indicator history: answers (calls cost money) and
each provider's calls per day (the daily budget holds across runs and processes)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class ProviderAnswer(Base):
    """The latest answer of one provider interface for one keyword (credit code), reused while
    it is younger than the refresh interval of what it feeds."""

    __tablename__ = "provider_answers"
    __table_args__ = (UniqueConstraint("provider", "interface", "keyword"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(64))
    interface: Mapped[str] = mapped_column(String(200))
    keyword: Mapped[str] = mapped_column(String(200))
    result: Mapped[str] = mapped_column(Text)  # the result document as JSON text; "null": no record
    fetched_at: Mapped[datetime]


class ProviderCalls(Base):
    """Calls spent (or reserved by a running sync) with one provider on one local day."""

    __tablename__ = "provider_calls"

    provider: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    calls: Mapped[int]
