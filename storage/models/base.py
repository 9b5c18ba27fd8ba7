"""What every table shares: the declarative base, the column types it maps, the enumerations
stored as text and the CHECK helper. Constraints carry deterministic names so Alembic
migrations work on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from sqlalchemy import ForeignKey, MetaData, Numeric, String
from sqlalchemy.ext.mutable import MutableDict
from sqlalchemy.orm import DeclarativeBase, mapped_column

from scoring.grades import Grade
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


# The statuses of a change in force: applied at once or approved by a director.
APPLIED: tuple[str, ...] = (ChangeStatus.AUTO_APPLIED.value, ChangeStatus.APPROVED.value)


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
