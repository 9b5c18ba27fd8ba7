"""Small SQL helpers shared by the repositories: insert-or-nothing, conflict recognition and
id lists paged for IN (…)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Session

from storage.errors import (
    ConflictError,
    DuplicateCreditCode,
    DuplicateFollowupSource,
    PendingChangeExists,
)

ID_PAGE = 500  # ids per IN (…) list: far below SQLite's limit on bound parameters


def insert_or_nothing(
    session: Session,
    model: type[DeclarativeBase],
    values: dict[str, Any],
    conflict_columns: Sequence[str],
) -> bool:
    """INSERT … ON CONFLICT DO NOTHING; True when this call inserted the row.

    Two processes racing on the same key: exactly one gets True, the other waits for the
    winner's transaction (row lock on PostgreSQL, write lock on SQLite) and then gets False.
    """
    table: Table = model.__table__  # type: ignore[assignment]
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        stmt = postgresql.insert(table).values(**values)
    elif dialect == "sqlite":
        stmt = sqlite.insert(table).values(**values)
    else:  # pragma: no cover - make_engine only builds these two
        raise NotImplementedError(f"insert-or-nothing is not implemented for {dialect}")
    stmt = stmt.on_conflict_do_nothing(index_elements=list(conflict_columns)).returning(
        table.c[conflict_columns[0]]
    )
    # RETURNING, not rowcount: the row comes back only when it was inserted, on both dialects.
    return session.execute(stmt).first() is not None


# Constraint name (PostgreSQL reports it) → columns SQLite names in its message → error class.
_KNOWN_CONFLICTS: dict[str, tuple[str, Callable[[], ConflictError]]] = {
    "uq_customers_credit_code": ("customers.credit_code", DuplicateCreditCode),
    "uq_grade_changes_one_pending": ("grade_changes.customer_id", PendingChangeExists),
    "uq_followups_source_channel_source_ts": (
        "followups.source_channel, followups.source_ts",
        DuplicateFollowupSource,
    ),
}


def violated_constraint(exc: IntegrityError) -> str | None:
    """The name of the known unique constraint `exc` reports, if it is one of ours."""
    diag = getattr(exc.orig, "diag", None)
    name = getattr(diag, "constraint_name", None)
    if name:
        return name if name in _KNOWN_CONFLICTS else None
    message = str(exc.orig)
    for known, (columns, _) in _KNOWN_CONFLICTS.items():
        if message == f"UNIQUE constraint failed: {columns}":
            return known
    return None


def conflict_from(exc: IntegrityError) -> ConflictError | None:
    """The domain error for a known conflict (without the offending values), else None."""
    name = violated_constraint(exc)
    return None if name is None else _KNOWN_CONFLICTS[name][1]()


def add_guarded(
    session: Session, obj: DeclarativeBase, constraint: str, error: ConflictError
) -> None:
    """Add and flush `obj` inside a savepoint; a hit on `constraint` raises `error` instead.

    The savepoint keeps the surrounding unit of work usable after the conflict (e.g. to write
    an audit entry saying the request was refused).
    """
    try:
        with session.begin_nested():
            session.add(obj)
    except IntegrityError as exc:
        if violated_constraint(exc) == constraint:
            raise error from exc
        raise


def id_pages(ids: Iterable[int]) -> Iterator[list[int]]:
    """The distinct ids in ascending order, in lists of at most ID_PAGE: rows are then always
    locked in the same order (two writers could otherwise deadlock on PostgreSQL)."""
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), ID_PAGE):
        yield ordered[start:start + ID_PAGE]
