"""A customer, its aliases, its raw indicator history and its assessments."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scoring.grades import Grade
from storage.models.base import GRADES, Actor, Base, Created, JsonDict, Money, Score, _one_of, utcnow


class Customer(Base):
    __tablename__ = "customers"
    __table_args__ = (
        CheckConstraint(_one_of("effective_grade", GRADES, nullable=True), name="effective_grade"),
        CheckConstraint(_one_of("held_grade", GRADES, nullable=True), name="held_grade"),
        CheckConstraint(_one_of("computed_grade", GRADES, nullable=True), name="computed_grade"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str]
    industry: Mapped[str | None]
    profile: Mapped[str | None] = mapped_column(String(64))
    since: Mapped[date | None]
    avg_payment_days: Mapped[Decimal | None] = mapped_column(Numeric(8, 1))
    credit_terms_days: Mapped[int | None]
    outstanding_amount: Mapped[Money | None]
    sales_owner: Mapped[Actor | None] = mapped_column(index=True)
    risk_officer: Mapped[Actor | None] = mapped_column(index=True)
    # Current raw indicator values, denormalised for fast rescoring; history is IndicatorValue.
    values: Mapped[JsonDict] = mapped_column(default=dict)
    parts: Mapped[JsonDict | None]
    effective_grade: Mapped[Grade | None]
    grade_since: Mapped[datetime | None]
    held_grade: Mapped[Grade | None]
    computed_grade: Mapped[Grade | None]
    score: Mapped[Score | None]
    coverage: Mapped[float | None] = mapped_column(Float)
    provisional: Mapped[bool] = mapped_column(default=False)
    profile_name: Mapped[str | None] = mapped_column(String(64))
    last_followup_at: Mapped[datetime | None]
    next_due: Mapped[date | None] = mapped_column(index=True)
    needs_rescore: Mapped[bool] = mapped_column(default=False, index=True)
    created_at: Mapped[Created]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    aliases: Mapped[list[CustomerAlias]] = relationship(
        back_populates="customer", cascade="all, delete-orphan", passive_deletes=True
    )


class CustomerAlias(Base):
    __tablename__ = "customer_aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    alias: Mapped[str] = mapped_column(index=True)

    customer: Mapped[Customer] = relationship(back_populates="aliases")


class IndicatorValue(Base):
    """Append-only history of raw indicator values: an update adds a row."""

    __tablename__ = "indicator_values"
    __table_args__ = (
        Index("ix_indicator_values_customer_key_at", "customer_id", "key", "observed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    key: Mapped[str] = mapped_column(String(64))
    value_num: Mapped[Decimal | None]
    value_text: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str]  # e.g. "import:file.csv", "slack:U123"
    observed_at: Mapped[datetime]


class Assessment(Base):
    __tablename__ = "assessments"
    __table_args__ = (
        CheckConstraint(_one_of("grade", GRADES, nullable=True), name="grade"),
        Index("ix_assessments_customer_at", "customer_id", "assessed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    score: Mapped[Score | None]
    grade: Mapped[Grade | None]
    coverage: Mapped[float] = mapped_column(Float)
    provisional: Mapped[bool]
    breakdown: Mapped[JsonDict]
    floors: Mapped[JsonDict]
    profile_name: Mapped[str] = mapped_column(String(64))
    profile_version: Mapped[str] = mapped_column(String(64))
    assessed_at: Mapped[datetime]
