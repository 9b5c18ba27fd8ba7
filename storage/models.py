"""The ledger's tables (SPEC §2, §7–§10) as typed SQLAlchemy 2.0 declarative models.

Money is `Decimal`, instants are aware UTC datetimes, grades are `scoring.grades.Grade`.
Constraints carry deterministic names so Alembic migrations work on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.ext.mutable import MutableDict
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from scoring.grades import Grade
from scoring.plans import Task as TaskKind  # stored as the plan names it
from storage.types import GradeType, JsonDocument, UTCDateTime

# Spelled out (not imported from scoring) because migrations freeze them; a test keeps both equal.
GRADES: tuple[str, ...] = ("blue", "yellow", "red", "black")


class ChangeKind(StrEnum):
    COMPUTED = "computed"
    MANUAL = "manual"


class ChangeStatus(StrEnum):
    AUTO_APPLIED = "auto_applied"
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"
    WITHDRAWN = "withdrawn"


class NudgeKind(StrEnum):
    NUDGE = "nudge"
    ESCALATION = "escalation"


class TaskStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class WriteOffStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


def utcnow() -> datetime:
    return datetime.now(UTC)


def _one_of(column: str, values: tuple[str, ...] | type[StrEnum], *, nullable: bool = False) -> str:
    """SQL text of a CHECK that keeps `column` within `values`: one comparison per value, as
    SQLite builds a temporary b-tree for an IN list on every row it checks (migration 0007)."""
    keys = values if isinstance(values, tuple) else tuple(v.value for v in values)
    test = " OR ".join(f"{column} = '{v}'" for v in keys)
    return f"{column} IS NULL OR {test}" if nullable else test


NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Money = Annotated[Decimal, "money"]
Score = Annotated[Decimal, "score"]
Actor = Annotated[str, "actor"]  # a Slack user ID, an e-mail or "system"
SlackRef = Annotated[str, "slack_ref"]  # a channel ID or a message ts
JsonDict = dict[str, Any]
CustomerFK = Annotated[int, mapped_column(ForeignKey("customers.id"), index=True)]
Created = Annotated[datetime, mapped_column(default=utcnow)]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        datetime: UTCDateTime(),
        Decimal: Numeric(20, 4),
        Money: Numeric(16, 2),
        Score: Numeric(4, 1),
        Grade: GradeType(),
        str: String(255),
        Actor: String(255),
        SlackRef: String(32),
        JsonDict: MutableDict.as_mutable(JsonDocument),
    }


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


class LedgerVersion(Base):
    """A counter bumped in the same transaction as a change readers must not miss."""

    __tablename__ = "ledger_versions"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)


CUSTOMER_NAMES = "customer_names"  # names, aliases or credit codes changed (an import)


class ProcessedEvent(Base):
    """A Slack event id already handled, so a redelivery is ignored."""

    __tablename__ = "processed_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(index=True)


class AuditEntry(Base):
    """Append-only audit trail: who did what, when, to which customer."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_customer_at", "customer_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[Actor]
    action: Mapped[str] = mapped_column(String(64))  # e.g. "grade_change.requested"
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    detail: Mapped[JsonDict] = mapped_column(default=dict)
