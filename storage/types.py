"""Column types shared by the models: UTC timestamps, grades and JSON documents."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, DateTime, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from scoring.grades import Grade


class UTCDateTime(TypeDecorator[datetime]):
    """Stores instants in UTC and hands back aware UTC datetimes on every backend.

    SQLite keeps no zone, so a naive value would silently change meaning; we refuse it.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}: {value!r}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(
                f"时间缺少时区 / naive datetime {value.isoformat()}: pass an aware datetime, "
                "e.g. datetime.now(UTC)"
            )
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class GradeType(TypeDecorator[Grade]):
    """A grade stored as its key ('blue' …) and read back as a `Grade`."""

    impl = String(8)
    cache_ok = True

    def process_bind_param(self, value: Grade | str | None, dialect: Dialect) -> str | None:
        return None if value is None else Grade(value).value

    def process_result_value(self, value: str | None, dialect: Dialect) -> Grade | None:
        return None if value is None else Grade(value)


# JSONB on PostgreSQL (indexable, compact), plain JSON text elsewhere.
JsonDocument = JSON().with_variant(JSONB(), "postgresql")


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"cannot store {type(value).__name__} {value!r} in a JSON column")


def json_dumps(value: Any) -> str:
    """Engine JSON serializer: Decimals become JSON numbers, non-ASCII stays readable."""
    return json.dumps(value, default=_json_default, ensure_ascii=False)
